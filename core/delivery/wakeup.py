"""In-process wake-ups: a commit that adds work wakes the local sender or job runner at once.

Other processes find the work by polling (``poll_interval_seconds``); this only removes the poll
delay for the common case where the handler that enqueues and the sender share a process.
The wake fires *after commit*, so a woken worker always sees the rows.
"""

from __future__ import annotations

import asyncio
import weakref

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

OUTBOX = "outbox"
JOBS = "jobs"

_listeners: dict[str, weakref.WeakSet[asyncio.Event]] = {}


def subscribe(topic: str) -> asyncio.Event:
    """An Event that is set whenever ``topic`` gets new work; the caller clears it before waiting."""
    wake = asyncio.Event()
    _listeners.setdefault(topic, weakref.WeakSet()).add(wake)
    return wake


def notify(topic: str) -> None:
    for wake in list(_listeners.get(topic, ())):
        wake.set()


def notify_on_commit(session: AsyncSession, topic: str) -> None:
    """Wake ``topic``'s workers when this session's transaction commits (once per session and topic)."""
    flag = f"wakeup:{topic}"
    if session.info.get(flag):
        return
    session.info[flag] = True

    def _after_commit(_sync_session) -> None:
        notify(topic)

    event.listen(session.sync_session, "after_commit", _after_commit)
