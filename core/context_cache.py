"""A per-process cache of each user's update context (user row, current event, membership).

Every update needs that context, and reading it costs a transaction (about 1.5–3 ms of CPU on
our machines: more than aiogram spends on the whole update). Most updates are taps on menus by
people whose rows have not changed since their last tap, so the context is kept in memory and
re-read only when it may have changed:

* **Writes in this process** to ``core_users``, ``core_members`` or ``core_events`` — by the ORM,
  a bulk ``UPDATE`` or raw SQL — are seen at the engine level (every statement passes there) and
  drop the whole cache when the statement runs and again when its transaction ends, so a reader
  that raced the writer cannot keep what it read before the commit (see ``generation``).
* **Writes by other processes** (the CLI's ``admin add``/``remove`` while the bot runs) cannot be
  seen; an entry lives at most ``ttl`` seconds (``database.context_cache_seconds``).
* With Redis configured, several bot processes serve one event and the cache is off: each
  update reads its context from the database.

Entries hold *detached* ORM instances (sessions use ``expire_on_commit=False``, so their loaded
attributes stay readable). ``attach`` puts the user and membership into the update's session, so
a handler that changes them (language, current event, sign-up answers) writes them as before.
The event row is shared read-only: nothing in the product writes an event outside start-up.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import event as sa_event
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from core.models import Event, Member, User

WATCHED_TABLES = ("core_users", "core_members", "core_events")
_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE", "ALTER", "DROP")


@dataclass(slots=True)
class _Entry:
    user: User
    event: Event | None
    member: Member | None
    expires_at: float


class ContextCache:
    def __init__(self, ttl: float, clock=time.monotonic):
        self.ttl = ttl
        self._clock = clock
        self._entries: dict[int, _Entry] = {}
        self.generation = 0  # bumped on every invalidation; a load stores only if it did not move
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.ttl > 0

    # --- reading ---------------------------------------------------------------------------

    def attach(self, session: AsyncSession, user_id: int) -> tuple[User, Event | None, Member | None] | None:
        """The cached context bound to ``session``, or None when it must be read from the DB."""
        entry = self._entries.get(user_id)
        if entry is None or entry.expires_at <= self._clock() or not (_usable(entry.user) and _usable(entry.member)
                                                                       and _usable(entry.event)):
            self._entries.pop(user_id, None)
            self.misses += 1
            return None
        if _attached(entry.user) or _attached(entry.member):
            # Another update of this person (in another chat) holds them right now: read afresh.
            self.misses += 1
            return None
        session.add(entry.user)  # a clean detached instance becomes persistent again: no SQL
        if entry.member is not None:
            session.add(entry.member)
        self.hits += 1
        return entry.user, entry.event, entry.member

    def store(self, user_id: int, user: User, event: Event | None, member: Member | None, generation: int) -> None:
        """Keep a context read at ``generation``, unless something was written since."""
        if not self.enabled or generation != self.generation:
            return
        self._entries[user_id] = _Entry(user, event, member, self._clock() + self.ttl)

    # --- invalidation ----------------------------------------------------------------------

    def clear(self) -> None:
        self.generation += 1
        self._entries.clear()

    def watch(self, engine: AsyncEngine) -> None:
        """Drop the cache whenever a statement on this engine writes a watched table, and once
        more when that statement's transaction commits or rolls back."""
        sync_engine = engine.sync_engine

        @sa_event.listens_for(sync_engine, "before_cursor_execute")
        def _on_statement(conn, _cursor, statement, _params, _context, _many):
            if _writes_watched_table(statement):
                conn.info["context_cache_dirty"] = True
                self.clear()

        def _on_end(conn):
            if conn.info.pop("context_cache_dirty", False):
                self.clear()

        sa_event.listen(sync_engine, "commit", _on_end)
        sa_event.listen(sync_engine, "rollback", _on_end)


def _writes_watched_table(statement: str) -> bool:
    head = statement.lstrip()[:8].upper()
    if not head.startswith(_WRITE_VERBS):
        return False
    return any(table in statement for table in WATCHED_TABLES)


def _usable(instance) -> bool:
    """Loaded and not expired (a rolled-back session expires what it held)."""
    if instance is None:
        return True
    state = inspect(instance)
    return not state.expired_attributes and not state.deleted and not state.was_deleted


def _attached(instance) -> bool:
    return instance is not None and inspect(instance).session_id is not None
