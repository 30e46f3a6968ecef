"""Where the workshops plugin hands notices to the core's outbox, and the plain description of a
change (``WorkshopChange``) that other plugins get through ``workshops_change_notice``.

Notices are written in the caller's transaction (``core.delivery.enqueue``), so a notice commits or
vanishes together with the state change that caused it. Texts are rendered per recipient language
(``core.people.languages``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class WorkshopChange:
    """A change people should hear about, as plain data (the ``workshops_change_notice`` hook's
    argument): a plugin that folds it into a notice of its own needs nothing else of ours."""

    workshop_id: int
    version: int  # the workshop's version after the change
    title: str
    cancelled: bool
    old_starts_at: dt.datetime
    old_ends_at: dt.datetime
    old_place: str | None
    starts_at: dt.datetime  # equal to the old values when the workshop is cancelled
    ends_at: dt.datetime
    place: str | None
    recipients: dict[int, str]  # user id -> booked | offered | waiting


async def enqueue_notice(session, *, user_id: int, event_id: int, text: str, dedupe_key: str,
                         reply_markup: Any = None, interactive: bool = False, kind: str | None = None,
                         payload: dict | None = None) -> None:
    """Write one notice to the outbox in the current transaction (deduplicated by ``dedupe_key``).

    ``kind``/``payload`` let the delivery outcome come back (an offer that cannot be delivered
    expires at once); ``interactive`` notices (an offer with a deadline) go before timely ones.
    """
    from core.delivery import Priority, enqueue

    await enqueue(session, chat_id=user_id, user_id=user_id, event_id=event_id, text=text,
                  reply_markup=reply_markup, dedupe_key=dedupe_key,
                  priority=Priority.INTERACTIVE if interactive else Priority.NORMAL, kind=kind, payload=payload)
