"""A per-process cache of each user's update context (user row, current event, membership).

Every update needs that context, and reading it costs a transaction (about 1–3 ms of CPU on
our machines: as much as aiogram spends on the whole update). Most updates are taps on menus by
people whose rows have not changed since their last tap, so the context is kept in memory and
re-read only when something said it changed.

Lifetime rules (all of them; nothing else drops or keeps an entry)
-----------------------------------------------------------------

1. **Written through the ORM.** A flush of a ``User``, ``Member`` or ``Event`` instance in a
   session of this app's factory (an update's, a job's, a CLI command's in this process) drops
   that user's entry (an ``Event`` row: every entry). SQLAlchemy's unit of work names the
   instances (``after_flush``); no SQL text is read.
2. **Written any other way** (a bulk ``UPDATE``, raw SQL): the service that wrote says so with
   ``changed(session, user_ids)`` — or ``changed(session)`` for "anyone" — in the same session.
   Example: the outbox sender marking blocked users unreachable (``core/delivery/queue.py``).
3. Both drop the entry **at once and again when the session's transaction ends** (commit or
   rollback), so a reader that read between the write and its commit never keeps what it read.
4. **A read in flight is kept only if nothing was dropped meanwhile**: an *epoch* for the whole
   cache and a *version* per user are taken before the read (``stamp``) and compared on ``store``.
5. **An update's own writes are kept**: after the update committed, the rows its session holds
   are exactly what it wrote; when every change to that user since the update began was its own,
   they are kept for the next update instead of being read again (``keep_written``).
6. **Other processes** (the CLI's ``admin add`` while the bot runs) cannot tell us: an entry lives
   at most ``ttl`` seconds (``database.context_cache_seconds``).
7. **Several bot processes** (Redis configured): the cache is off, every update reads the database.
8. **Expired instances are never served**: a rolled-back session expires what it held; such an
   entry is dropped on the next ``attach`` instead of being handed out (touching an expired
   attribute outside a greenlet would raise ``MissingGreenlet``).

Entries hold *detached* ORM instances (sessions use ``expire_on_commit=False``, so their loaded
attributes stay readable). ``attach`` puts the user and membership into the update's session, so
a handler that changes them writes them as before. The event row is shared read-only: nothing
in the product writes an event outside start-up.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import event as sa_event
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from core.models import Event, Member, User

Stamp = tuple[int, int]  # (epoch, the user's version)

_CACHE = "context_cache"  # session.info key: the cache a session's writes are reported to
_WRITES = "context_cache_writes"  # session.info key: the update this session serves (UpdateWrites)
_PENDING = "context_cache_pending"  # session.info key: user ids (None = everyone) to drop at the end


@dataclass(slots=True)
class UpdateWrites:
    """What one update's session did to users, members and events (rule 5)."""

    user_id: int | None
    start: Stamp
    own: Counter = field(default_factory=Counter)  # user id → drops this session caused
    targeted: bool = True  # False once it changed more than named users (an event, "anyone")


def _sync(session: AsyncSession | Session) -> Session:
    return getattr(session, "sync_session", session)


def changed(session: AsyncSession | Session, user_ids: Iterable[int] | None = None) -> None:
    """Say that ``session`` wrote these users' rows (their user row, a membership), or anyone's
    (``user_ids=None``), other than through ORM instances (rule 2)::

        await session.execute(update(User).where(User.id.in_(ids)).values(unreachable_at=now))
        context_cache.changed(session, ids)

    A session not made by the app's factory has no cache: nothing to do."""
    sync = _sync(session)
    cache: ContextCache | None = sync.info.get(_CACHE)
    if cache is None:
        return
    pending: set[int | None] = sync.info.setdefault(_PENDING, set())
    writes: UpdateWrites | None = sync.info.get(_WRITES)
    if user_ids is None:
        cache.clear()
        pending.add(None)
        if writes is not None:
            writes.targeted = False
        return
    for user_id in user_ids:
        cache.invalidate(user_id)
        pending.add(user_id)
        if writes is not None:
            writes.own[user_id] += 1


@sa_event.listens_for(Session, "after_flush")
def _flushed(session: Session, _flush_context) -> None:
    """Rule 1: the users whose rows this flush wrote (read from each instance's loaded state,
    never loading anything: an expired attribute means "anyone")."""
    if _CACHE not in session.info:
        return
    users: set[int] = set()
    anyone = False
    for instance in (*session.new, *session.dirty, *session.deleted):
        if isinstance(instance, User):
            key = inspect(instance).dict.get("id")
        elif isinstance(instance, Member):
            key = inspect(instance).dict.get("user_id")
        elif isinstance(instance, Event):
            key = None
        else:
            continue
        if key is None:
            anyone = True
        else:
            users.add(key)
    if users:
        changed(session, users)
    if anyone:
        changed(session)


def _ended(session: Session, *_args) -> None:
    """Rule 3: drop once more what this session wrote, now that its transaction is over."""
    pending = session.info.pop(_PENDING, None)
    cache: ContextCache | None = session.info.get(_CACHE)
    if not pending or cache is None:
        return
    writes: UpdateWrites | None = session.info.get(_WRITES)
    for user_id in pending:
        if user_id is None:
            cache.clear()
            continue
        cache.invalidate(user_id)
        if writes is not None:
            writes.own[user_id] += 1


sa_event.listen(Session, "after_commit", _ended)
sa_event.listen(Session, "after_rollback", _ended)


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

    def session_info(self) -> dict:
        """``info`` for the app's session factory: its sessions report their writes here."""
        return {_CACHE: self}

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
        """Keep a context read at ``stamp``, unless it was invalidated since (rule 4)."""
        if self.enabled and stamp == self.stamp(user_id):
            self._entries[user_id] = _Entry(user, event, member, self._clock() + self.ttl)

    # --- an update's own writes ------------------------------------------------------------

    def track(self, session: AsyncSession, user_id: int | None) -> UpdateWrites:
        """Attribute what ``session`` writes to the update of ``user_id`` (rule 5)."""
        writes = UpdateWrites(user_id, self.stamp(user_id) if user_id is not None else (self.epoch, 0))
        _sync(session).info[_WRITES] = writes
        return writes

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

    # --- dropping --------------------------------------------------------------------------

    def invalidate(self, user_id: int) -> None:
        self._versions[user_id] += 1
        self._entries.pop(user_id, None)

    def clear(self) -> None:
        self.epoch += 1
        self._entries.clear()


def adopt(session: AsyncSession, user: User, member: Member | None) -> None:
    """Make a context's detached, clean instances ``session``'s own again (persistent): no SQL.
    The event row stays detached, shared read-only."""
    session.add(user)
    if member is not None:
        session.add(member)


def _usable(instance) -> bool:
    """Loaded and not expired (a rolled-back session expires what it held)."""
    if instance is None:
        return True
    state = inspect(instance)
    return not state.expired_attributes and not state.deleted and not state.was_deleted


def _attached(instance) -> bool:
    return instance is not None and inspect(instance).session_id is not None
