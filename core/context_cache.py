"""A per-process cache of each user's update context (user row, current event, membership).

Every update needs that context, and reading it costs a transaction (about 1–3 ms of CPU on
our machines: as much as aiogram spends on the whole update). Most updates are taps on menus by
people whose rows have not changed since their last tap, so the context is kept in memory and
re-read only when it may have changed:

* **An update's own writes** through the ORM (joining an event, choosing a language, the sign-up
  form) drop that one user's entry when flushed and again when committed; afterwards the rows
  the update's session holds are exactly what it committed, so when nothing else touched that
  user meanwhile they are kept for the next update instead of being read again.
* **Every other write in this process** to ``core_users``, ``core_members`` or ``core_events`` —
  a bulk ``UPDATE`` (the sender marking blocked users), raw SQL, a job's session — is seen at
  the engine level (every statement passes there) and drops the whole cache when the statement
  runs and again when its transaction ends.
* A context read from the database is kept only if no invalidation touched it while the read
  was in flight (an *epoch* for the whole cache and a *version* per user), so a reader racing
  a writer never keeps what it read before the writer's commit.
* **Writes by other processes** (the CLI's ``admin add``/``remove`` while the bot runs) cannot be
  seen; an entry lives at most ``ttl`` seconds (``database.context_cache_seconds``).
* With Redis configured, several bot processes serve one event and the cache is off: each
  update reads its context from the database.

Entries hold *detached* ORM instances (sessions use ``expire_on_commit=False``, so their loaded
attributes stay readable). ``attach`` puts the user and membership into the update's session, so
a handler that changes them writes them as before. The event row is shared read-only: nothing
in the product writes an event outside start-up.
"""

from __future__ import annotations

import time
from collections import Counter
from contextvars import ContextVar
from dataclasses import dataclass, field

from sqlalchemy import event as sa_event
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import Session

from core.models import Event, Member, User

WATCHED_TABLES = ("core_users", "core_members", "core_events")
_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE", "ALTER", "DROP")

Stamp = tuple[int, int]  # (epoch, the user's version)


@dataclass(slots=True)
class UpdateWrites:
    """What one update did to the watched tables. Engine and session events run in the update's
    own task (SQLAlchemy's greenlets share its context), so a context variable says whose
    statement it was."""

    cache: ContextCache
    user_id: int | None
    start: Stamp
    own: Counter = field(default_factory=Counter)  # user id → invalidations this update caused
    pending: set[int] = field(default_factory=set)  # users to drop again when the transaction ends
    targeted: bool = True  # False once a watched table was written other than by an ORM flush


_writes: ContextVar[UpdateWrites | None] = ContextVar("context_cache_writes", default=None)
_flushing: ContextVar[bool] = ContextVar("context_cache_flushing", default=False)


@sa_event.listens_for(Session, "before_flush")
def _flush_starts(_session, _flush_context, _instances) -> None:
    _flushing.set(True)


@sa_event.listens_for(Session, "after_flush")
def _flushed(session, _flush_context) -> None:
    """Name the users whose rows this flush wrote (the update's own cache only)."""
    writes = _writes.get()
    if writes is None:
        return
    for instance in (*session.new, *session.dirty, *session.deleted):
        if isinstance(instance, User):
            writes.cache.invalidate(instance.id)
        elif isinstance(instance, Member):
            writes.cache.invalidate(instance.user_id)
        elif isinstance(instance, Event):
            writes.targeted = False
            writes.cache.clear()


@sa_event.listens_for(Session, "after_flush_postexec")
def _flush_ends(_session, _flush_context) -> None:
    _flushing.set(False)


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
        self.epoch = 0  # bumped when the whole cache is dropped
        self._versions: Counter = Counter()  # user id → bumped when that user's entry is dropped
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.ttl > 0

    def stamp(self, user_id: int) -> Stamp:
        return self.epoch, self._versions[user_id]

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
        adopt(session, entry.user, entry.member)
        self.hits += 1
        return entry.user, entry.event, entry.member

    def store(self, user_id: int, user: User, event: Event | None, member: Member | None, stamp: Stamp) -> None:
        """Keep a context read at ``stamp``, unless it was invalidated since."""
        if self.enabled and stamp == self.stamp(user_id):
            self._entries[user_id] = _Entry(user, event, member, self._clock() + self.ttl)

    # --- an update's own writes ------------------------------------------------------------

    def track(self, user_id: int | None) -> tuple[UpdateWrites, object]:
        """Start attributing writes to the current update; ``untrack(token)`` when it ends."""
        _flushing.set(False)
        writes = UpdateWrites(self, user_id, self.stamp(user_id) if user_id is not None else (self.epoch, 0))
        return writes, _writes.set(writes)

    @staticmethod
    def untrack(token) -> None:
        _writes.reset(token)

    def keep_written(self, writes: UpdateWrites, user: User | None, event: Event | None,
                     member: Member | None) -> None:
        """After the update committed: keep the rows it wrote, if every change to this user since
        the update began was its own, made through these very instances, and they describe one
        consistent context."""
        user_id = writes.user_id
        if not self.enabled or user is None or user_id is None or not writes.own[user_id] or not writes.targeted:
            return
        start_epoch, start_version = writes.start
        if (self.epoch, self._versions[user_id]) != (start_epoch, start_version + writes.own[user_id]):
            return  # someone else wrote meanwhile: what this session holds may be stale
        current = user.current_event_id
        if event is not None:
            consistent = event.id == current and member is not None and (member.event_id, member.user_id) == (
                current, user_id)
        else:
            consistent = current is None and member is None
        if consistent and user.id == user_id and _usable(user) and _usable(event) and _usable(member):
            self._entries[user_id] = _Entry(user, event, member, self._clock() + self.ttl)

    # --- invalidation ----------------------------------------------------------------------

    def invalidate(self, user_id: int) -> None:
        self._versions[user_id] += 1
        self._entries.pop(user_id, None)
        writes = _writes.get()
        if writes is not None:
            writes.own[user_id] += 1
            writes.pending.add(user_id)

    def clear(self) -> None:
        self.epoch += 1
        self._entries.clear()

    def watch(self, engine: AsyncEngine) -> None:
        """Drop what a statement on this engine writes (the whole cache unless an update's ORM
        flush named the users), and once more when its transaction commits or rolls back."""
        sync_engine = engine.sync_engine

        @sa_event.listens_for(sync_engine, "before_cursor_execute")
        def _on_statement(conn, _cursor, statement, _params, _context, _many):
            if not _writes_watched_table(statement):
                return
            writes = _writes.get()
            if writes is not None and _flushing.get() and writes.targeted:
                return  # the flush's after_flush names the users
            if writes is not None:
                writes.targeted = False
            conn.info["context_cache_dirty"] = True
            self.clear()

        def _on_end(conn):
            if conn.info.pop("context_cache_dirty", False):
                self.clear()
            writes = _writes.get()
            if writes is not None and writes.pending:
                for user_id in list(writes.pending):
                    self.invalidate(user_id)
                writes.pending.clear()

        sa_event.listen(sync_engine, "commit", _on_end)
        sa_event.listen(sync_engine, "rollback", _on_end)


def adopt(session: AsyncSession, user: User, member: Member | None) -> None:
    """Make a context's detached, clean instances ``session``'s own again (persistent): no SQL.
    The event row stays detached, shared read-only."""
    session.add(user)
    if member is not None:
        session.add(member)


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
