"""Workshops domain logic: what the bot, the CLI, the program file and the tests all call.

No aiogram here. Seats are never trusted from a counter: every operation that can reduce
availability locks the workshop row first (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's
``BEGIN IMMEDIATE``, emitted by ``core.db``, already holds the database write lock) and then
computes availability = capacity − bookings − seats held by open offers (pretix's rule). The unique
key (workshop, user) on bookings makes a double tap harmless.

Other plugins take part through the hooks in ``hookspecs.py``; they run inside the same locked
transaction, so offers and notices commit together with the seat change that caused them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import re
import zoneinfo
from dataclasses import dataclass, fields, replace
from typing import Any

from sqlalchemy import BigInteger, Integer, bindparam, column, delete, func, select, update, values
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from core import csv_export, people
from core.people import SYSTEM, NotAllowed, SystemActor  # noqa: F401  (part of this service's API)
from core import dates
from core.db import UTCDateTime, utcnow
from core.models import Event, Member, Role, User
from plugins.workshops import notify, reminders
from plugins.workshops.config import WorkshopsConfig
from plugins.workshops.models import (
    DESCRIPTION_MAX, KEY_MAX, PLACE_MAX, SPEAKER_MAX, TITLE_MAX, Booking, Workshop,
)
from plugins.workshops.results import (
    BookResult, CancelResult, CapacityResult, Clash, QueueOutcome, Seats, SeatState, UpdateResult,
)

PLUGIN = "workshops"
CAPACITY_MAX = 100_000
MAX_DURATION = dt.timedelta(hours=24)


# --- errors and actors -----------------------------------------------------------------------------

class InputError(Exception):
    """Bad organizer input. ``key`` is a locale key, ``args`` its variables."""

    def __init__(self, key: str, **args: Any):
        super().__init__(key)
        self.key = key
        self.args_ = args


def require_admin(app, event: Event, actor: Member | SystemActor | None) -> None:
    """Every organizer path calls this, whatever the handler already checked."""
    people.require_organizer(app.settings, event, actor)


# --- config, hooks, time ---------------------------------------------------------------------------

def config(app, event: Event) -> WorkshopsConfig:
    return config_for(app, event.slug)


def config_for(app, slug: str) -> WorkshopsConfig:
    try:
        conf = app.plugin_config(slug, PLUGIN)
    except KeyError:
        conf = None
    return conf if isinstance(conf, WorkshopsConfig) else WorkshopsConfig()


def _active(app, event: Event) -> set[str]:
    return set(app.active_plugins(event.slug))


async def _hook(app, ev: Event, name: str, **kwargs) -> list[Any]:
    """Call one of our published hooks on the plugins active for ``ev``."""
    return await app.registry.call(name, active=_active(app, ev), app=app, **kwargs)


def tz_of(event: Event) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(event.timezone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def booking_closes_at(app, event: Event, workshop: Workshop) -> dt.datetime:
    return workshop.starts_at - dt.timedelta(minutes=config(app, event).booking_cutoff_minutes)


# --- reading -------------------------------------------------------------------------------------

async def get_workshop(session: AsyncSession, event_id: int, workshop_id: int) -> Workshop | None:
    return await session.scalar(select(Workshop).where(Workshop.id == workshop_id, Workshop.event_id == event_id))


_LOCK_WORKSHOP = (select(Workshop).where(Workshop.id == bindparam("lk_id"), Workshop.event_id == bindparam("lk_event"))
                  .with_for_update().execution_options(populate_existing=True))


async def lock_workshop(session: AsyncSession, event_id: int, workshop_id: int) -> Workshop | None:
    """The workshop row, locked for the rest of the transaction (re-read, not from the identity map)."""
    return await session.scalar(_LOCK_WORKSHOP, {"lk_id": workshop_id, "lk_event": event_id})


async def list_workshops(session: AsyncSession, event_id: int, *, upcoming_only: bool = False,
                         now: dt.datetime | None = None) -> list[Workshop]:
    stmt = select(Workshop).where(Workshop.event_id == event_id)
    if upcoming_only:
        stmt = stmt.where(Workshop.ends_at > (now or utcnow()))
    return list((await session.scalars(stmt.order_by(Workshop.starts_at, Workshop.id))).all())


async def booked_counts(session: AsyncSession, workshop_ids: list[int]) -> dict[int, int]:
    if not workshop_ids:
        return {}
    rows = await session.execute(select(Booking.workshop_id, func.count()).where(Booking.workshop_id.in_(workshop_ids))
                                 .group_by(Booking.workshop_id))
    counts = dict.fromkeys(workshop_ids, 0)
    counts.update({wid: n for wid, n in rows.all()})
    return counts


async def held_seats(app, session, event: Event, workshop_ids: list[int], user_id: int | None,
                     now: dt.datetime) -> dict[int, tuple[int, bool]]:
    """Seats promised to someone (open offers), per workshop, and whether one is ``user_id``'s."""
    held: dict[int, tuple[int, bool]] = {wid: (0, False) for wid in workshop_ids}
    if not workshop_ids:
        return held
    for result in await _hook(app, event, "workshops_held_seats", session=session, workshop_ids=workshop_ids,
                              user_id=user_id, now=now):
        if isinstance(result, dict):
            for wid, (n, mine) in result.items():
                total, was_mine = held.get(wid, (0, False))
                held[wid] = (total + n, was_mine or mine)
    return held


async def seats(app, session, event: Event, workshops: list[Workshop], now: dt.datetime | None = None) -> dict[int, Seats]:
    """Seats for display (no lock): a snapshot that may be a moment old, never used to decide."""
    now = now or utcnow()
    ids = [w.id for w in workshops]
    booked = await booked_counts(session, ids)
    held = await held_seats(app, session, event, ids, None, now)
    return {w.id: Seats(w.capacity, booked.get(w.id, 0), held.get(w.id, (0, False))[0]) for w in workshops}


async def user_booking_ids(session, event_id: int, user_id: int) -> set[int]:
    rows = await session.scalars(select(Booking.workshop_id).where(Booking.event_id == event_id,
                                                                   Booking.user_id == user_id))
    return set(rows.all())


async def user_bookings(session, event_id: int, user_id: int) -> list[Workshop]:
    rows = await session.scalars(select(Workshop).join(Booking, Booking.workshop_id == Workshop.id)
                                 .where(Booking.event_id == event_id, Booking.user_id == user_id)
                                 .order_by(Workshop.starts_at, Workshop.id))
    return list(rows.all())


async def is_booked(session, workshop_id: int, user_id: int) -> bool:
    return await session.scalar(select(Booking.id).where(Booking.workshop_id == workshop_id,
                                                         Booking.user_id == user_id)) is not None


async def _own_bookings(session, event_id: int, user_id: int, workshop: Workshop) -> list[Workshop]:
    """In one query: the user's booking of ``workshop`` (if any) and their bookings overlapping it."""
    rows = await session.execute(
        select(Workshop.id, Workshop.title, Workshop.starts_at, Workshop.ends_at)
        .join(Booking, Booking.workshop_id == Workshop.id)
        .where(Booking.event_id == event_id, Booking.user_id == user_id,
               (Workshop.id == workshop.id) | ((Workshop.starts_at < workshop.ends_at)
                                               & (Workshop.ends_at > workshop.starts_at)))
        .order_by(Workshop.starts_at))
    return list(rows.all())


async def find_clash(session, event_id: int, user_id: int, workshop: Workshop) -> Clash | None:
    """Another booked workshop of this user that overlaps ``workshop`` in time."""
    other = await session.scalar(
        select(Workshop).join(Booking, Booking.workshop_id == Workshop.id)
        .where(Booking.event_id == event_id, Booking.user_id == user_id, Workshop.id != workshop.id,
               Workshop.starts_at < workshop.ends_at, Workshop.ends_at > workshop.starts_at)
        .order_by(Workshop.starts_at).limit(1))
    if other is None:
        return None
    return Clash(other.id, other.title, other.starts_at, other.ends_at)


# --- booking ----------------------------------------------------------------------------------------

def _dialect(session) -> str:
    return session.bind.dialect.name if session.bind is not None else "sqlite"


# The statements of a booking tap are built once per dialect (and set of active plugins) with bind
# parameters and reused: building a SELECT with a dozen subqueries and computing its cache key each
# time cost more than running it.
_STATEMENTS: dict[tuple, Any] = {}


class TapParams:
    """Bind parameters a booking tap's statements (and plugins' ``workshops_state_columns``) use."""

    workshop_id = bindparam("ws_workshop_id", type_=Integer)
    event_id = bindparam("ws_event_id", type_=Integer)
    user_id = bindparam("ws_user_id", type_=BigInteger)
    now = bindparam("ws_now", type_=UTCDateTime())
    order_key = bindparam("ws_order_key", type_=BigInteger)  # NO_ORDER_KEY when the tap has none
    starts_at = bindparam("ws_starts_at", type_=UTCDateTime())
    ends_at = bindparam("ws_ends_at", type_=UTCDateTime())


NO_ORDER_KEY = 2 ** 62  # "behind everyone": a tap without an update id queues at the back


def _insert_booking_stmt(dialect: str):
    """``INSERT … ON CONFLICT DO NOTHING RETURNING id``: a second tap inserts nothing, raises nothing."""
    key = ("insert_booking", dialect)
    if key not in _STATEMENTS:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        _STATEMENTS[key] = (insert(Booking.__table__).values(
            workshop_id=bindparam("b_workshop_id"), event_id=bindparam("b_event_id"),
            user_id=bindparam("b_user_id"), source=bindparam("b_source"), created_at=bindparam("b_created_at", type_=UTCDateTime()))
            .on_conflict_do_nothing(index_elements=["workshop_id", "user_id"]).returning(Booking.__table__.c.id))
    return _STATEMENTS[key]


async def _add_booking(session, workshop: Workshop, user_id: int, source: str, now: dt.datetime) -> bool:
    new_id = await session.scalar(_insert_booking_stmt(_dialect(session)), dict(
        b_workshop_id=workshop.id, b_event_id=workshop.event_id, b_user_id=user_id, b_source=source,
        b_created_at=now))
    if new_id is None:
        return False
    workshop.version += 1
    workshop.updated_at = now
    return True


def _is_postgres(session) -> bool:
    return _dialect(session) == "postgresql"


def _count_columns(p, starts_at, ends_at) -> list:
    """The seat count, the user's own booking and the first clash, as labelled scalar subqueries
    (``p``: ``TapParams``, or a batch's per-tap row for the user and order key)."""
    clash_of = aliased(Workshop)
    clash_sq = (select(clash_of.id).join(Booking, Booking.workshop_id == clash_of.id)
                .where(Booking.event_id == p.event_id, Booking.user_id == p.user_id,
                       clash_of.id != p.workshop_id, clash_of.starts_at < ends_at,
                       clash_of.ends_at > starts_at)
                .order_by(clash_of.starts_at).limit(1).scalar_subquery())
    mine_sq = (select(Booking.id).where(Booking.workshop_id == p.workshop_id, Booking.user_id == p.user_id)
               .limit(1).scalar_subquery())
    booked_sq = (select(func.count()).select_from(Booking).where(Booking.workshop_id == p.workshop_id)
                 .scalar_subquery())
    return [booked_sq.label("booked"), mine_sq.label("mine"), clash_sq.label("clash")]


async def _state_statements(app, event: Event, dialect: str):
    """(statement, extra column names): on SQLite the row with every count, on PostgreSQL the counts
    alone (the row is locked by its own statement first)."""
    active = frozenset(_active(app, event))
    key = ("state", dialect, active)
    if key not in _STATEMENTS:
        p = TapParams
        extra = await app.registry.call("workshops_state_columns", active=set(active), app=app, params=p)
        names = [c.name for c in extra]
        if dialect == "postgresql":
            stmt = select(*_count_columns(p, p.starts_at, p.ends_at), *extra)
        else:
            stmt = (select(Workshop, *_count_columns(p, Workshop.starts_at, Workshop.ends_at), *extra)
                    .where(Workshop.id == p.workshop_id, Workshop.event_id == p.event_id)
                    .execution_options(populate_existing=True))
        _STATEMENTS[key] = (stmt, names)
    return _STATEMENTS[key]


async def _batch_state_statement(app, event: Event, size: int):
    """(statement, extra column names): the state statement evaluated for each of ``size`` taps
    — one row per tap, ``(index, user, order key)`` as bind parameters ``bt_i<n>``, ``bt_u<n>``,
    ``bt_k<n>`` — so a batch reads every tap's state in one round trip. Built once per size."""
    active = frozenset(_active(app, event))
    key = ("batch_state", active, size)
    if key not in _STATEMENTS:
        taps = values(column("tap_index", Integer), column("tap_user_id", BigInteger),
                      column("tap_order_key", BigInteger), name="taps").data(
            [(bindparam(f"bt_i{n}", type_=Integer), bindparam(f"bt_u{n}", type_=BigInteger),
              bindparam(f"bt_k{n}", type_=BigInteger)) for n in range(size)]).cte("taps")

        class p(TapParams):  # the user and order key of each row; the rest as for one tap
            user_id = taps.c.tap_user_id
            order_key = taps.c.tap_order_key

        extra = await app.registry.call("workshops_state_columns", active=set(active), app=app, params=p)
        stmt = (select(taps.c.tap_index, *_count_columns(p, p.starts_at, p.ends_at), *extra)
                .select_from(taps).order_by(taps.c.tap_index))
        _STATEMENTS[key] = (stmt, [c.name for c in extra])
    return _STATEMENTS[key]


async def _state_of(session, values, names) -> SeatState:
    """A ``SeatState`` from one row of the state statement (after the workshop columns)."""
    booked, mine, clash_id, *extra_values = values
    extra = dict(zip(names, extra_values, strict=True))
    state = SeatState(booked=booked or 0, held=extra.pop("held", 0) or 0,
                      held_mine=bool(extra.pop("held_mine", 0)), lapsed=extra.pop("lapsed", 0) or 0,
                      mine=mine is not None, extra=extra)
    if clash_id is not None:  # rare: name the overlapping workshop
        other = await session.get(Workshop, clash_id)
        state.clash = Clash(other.id, other.title, other.starts_at, other.ends_at)
    return state


async def _seat_state(app, session, event: Event, workshop_id: int, user_id: int, now: dt.datetime,
                      order_key: int | None, workshop: Workshop | None = None):
    """The workshop row (locked) and a ``SeatState``, in one statement on SQLite, two on PostgreSQL.

    Every count is one indexed aggregate in the same SELECT (scalar subqueries), the columns other
    plugins contribute included. On SQLite the transaction already holds the database write lock
    (BEGIN IMMEDIATE), so the row and the counts come together. On PostgreSQL the row lock is taken
    by its own ``SELECT … FOR UPDATE`` first: a statement's snapshot is taken when it starts, so
    counts read in the same statement as a lock that had to be waited for would miss what the
    previous holder committed (READ COMMITTED re-checks only the locked row)."""
    dialect = _dialect(session)
    stmt, names = await _state_statements(app, event, dialect)
    params = {"ws_workshop_id": workshop_id, "ws_event_id": event.id, "ws_user_id": user_id, "ws_now": now,
              "ws_order_key": NO_ORDER_KEY if order_key is None else order_key}
    if dialect != "postgresql":  # the row (refreshed in the identity map) and the counts together
        row = (await session.execute(stmt, params)).first()
        if row is None:
            return None, None
        workshop, values = row[0], row[1:]
    else:
        if workshop is None:
            workshop = await lock_workshop(session, event.id, workshop_id)
            if workshop is None:
                return None, None
        values = (await session.execute(stmt, dict(params, ws_starts_at=workshop.starts_at,
                                                   ws_ends_at=workshop.ends_at))).one()
    return workshop, await _state_of(session, values, names)


async def _batch_states(app, session, event: Event, workshop: Workshop, taps: list[tuple[int, int | None]],
                        now: dt.datetime) -> list[SeatState]:
    """Every tap's ``SeatState`` as of now, in one statement (the caller holds the workshop lock)."""
    stmt, names = await _batch_state_statement(app, event, len(taps))
    params = {"ws_workshop_id": workshop.id, "ws_event_id": event.id, "ws_now": now,
              "ws_starts_at": workshop.starts_at, "ws_ends_at": workshop.ends_at}
    for n, (user_id, order_key) in enumerate(taps):
        params.update({f"bt_i{n}": n, f"bt_u{n}": user_id, f"bt_k{n}": NO_ORDER_KEY if order_key is None else order_key})
    rows = (await session.execute(stmt, params)).all()
    return [await _state_of(session, row[1:], names) for row in rows]


def _new_here(state: SeatState) -> bool:
    """The user has nothing at this workshop yet: no booking, no offer, no clash to name."""
    return not state.mine and not state.held_mine and state.clash is None and not state.lapsed


async def book(app, session: AsyncSession, event: Event, user_id: int, workshop_id: int,
               now: dt.datetime | None = None, order_key: int | None = None, *,
               locked: Workshop | None = None, state: SeatState | None = None) -> BookResult:
    """Book a seat, or queue the user when there is none. One locked transaction; never oversells.

    ``order_key``: the order of the tap (the Telegram update id) — the queue is in tap order.
    A handful of statements under the lock: the row and every count (one aggregate), then the one
    write (the booking, or the queue entry); ``BookResult.state`` is what the card shows.
    ``locked``: the workshop row this transaction already holds the lock on, and ``state`` what
    was read under that lock for this tap (``book_many``)."""
    now = now or utcnow()
    conf = config(app, event)
    if state is not None and locked is not None:
        workshop = locked
    else:
        workshop, state = await _seat_state(app, session, event, workshop_id, user_id, now, order_key, locked)
    if workshop is None:
        return BookResult("not_found")
    if now >= workshop.starts_at:
        return BookResult("started", workshop)
    if now >= booking_closes_at(app, event, workshop):
        return BookResult("closed", workshop)
    if state.mine:
        return BookResult("already", workshop, state=state)  # a double tap: booked once, told so, never "full"
    clash = state.clash
    if clash is not None and conf.overlap == "refuse":
        return BookResult("clash", workshop, clash=clash, state=state)
    if state.lapsed:
        # Lapsed offers stop counting and their seats go to the queue first, not to whoever taps now.
        await _hook(app, event, "workshops_process_holds", session=session, workshop=workshop, now=now)
        workshop, state = await _seat_state(app, session, event, workshop_id, user_id, now, order_key, workshop)
        state.clash = clash
    free = workshop.capacity - state.booked - state.held + (1 if state.held_mine else 0)
    if free <= 0:
        outcome = next((r for r in await _hook(app, event, "workshops_full", session=session, event=event,
                                               workshop=workshop, user_id=user_id, now=now, state=state,
                                               order_key=order_key)
                        if isinstance(r, QueueOutcome)), None)
        if outcome is None or outcome.status == "closed":
            return BookResult("full", workshop, state=state)
        return BookResult(outcome.status, workshop, position=outcome.position, state=state)
    source = "waitlist" if state.held_mine else "direct"
    if not await _add_booking(session, workshop, user_id, source, now):
        state.mine = True
        return BookResult("already", workshop, state=state)
    state.booked += 1
    state.mine = True
    if state.held_mine:
        state.held, state.held_mine = state.held - 1, False
    await _hook(app, event, "workshops_booked", session=session, workshop=workshop, user_id=user_id,
                source=source, state=state)
    return BookResult("booked", workshop, clash=clash, state=state)


async def book_many(app, session: AsyncSession, event: Event, workshop_id: int,
                    taps: list[tuple[int, int | None]]) -> list[BookResult]:
    """``book`` for several taps on one workshop — ``(user id, order key)`` in tap order — in one
    transaction, each getting exactly the answer it would have got alone. The caller commits.
    Each result carries the workshop ``version`` its tap left behind.

    The row is locked once and every tap's state is read in one statement before the first is
    decided. A later tap's state is that read brought up to date with what the taps before it did,
    which is exact while they only booked or queued people new to the workshop (and came in tap
    order): the counts they left behind carry over, and other plugins carry their columns
    (``workshops_carry_state``). From a tap whose person is not new here (a second tap, an offer,
    an entry, lapsed offers to settle) on, each tap reads its state alone under the lock."""
    if len(taps) == 1:
        (user_id, order_key), = taps
        result = await book(app, session, event, user_id, workshop_id, order_key=order_key)
        result.version = result.workshop.version if result.workshop is not None else None
        return [result]
    now = utcnow()
    workshop = await lock_workshop(session, event.id, workshop_id)
    if workshop is None:
        return [BookResult("not_found") for _ in taps]
    states = await _batch_states(app, session, event, workshop, taps, now)
    keys = [key for _user, key in taps]
    # Each queued tap goes behind the earlier ones only when the keys ascend (as the sequencer
    # hands them over); otherwise every tap after the first reads its own state.
    in_tap_order = None not in keys and all(a < b for a, b in zip(keys, keys[1:]))
    results: list[BookResult] = []
    carried, seen, left = in_tap_order, set(), None
    for (user_id, order_key), state in zip(taps, states, strict=True):
        if left is not None:
            carried = carried and user_id not in seen and _new_here(state) and await _carry_state(
                app, event, state, left)
        new_here = carried and _new_here(state)
        first = left is None  # the batch's read is exact for the first tap, whoever it is
        result = await book(app, session, event, user_id, workshop_id, now, order_key, locked=workshop,
                            state=state if carried or first else None)
        workshop = result.workshop or workshop
        result.version = workshop.version
        results.append(result)
        seen.add(user_id)
        left = result.state
        carried = new_here and left is not None and result.status in _LEAVES_COUNTS_EXACT
    return results


# What a tap by someone new may do for the next tap's state to be carried over: book them, queue
# them, or refuse them without writing anything.
_LEAVES_COUNTS_EXACT = frozenset({"booked", "queued", "full", "clash"})


async def _carry_state(app, event: Event, state: SeatState, left: SeatState) -> bool:
    """Bring ``state`` (a later tap's, read with the batch) up to date with ``left`` (what the tap
    before it left behind); False when a plugin cannot (then the tap reads its own)."""
    state.booked, state.held, state.lapsed = left.booked, left.held, left.lapsed
    answers = await _hook(app, event, "workshops_carry_state", state=state, left=left)
    return all(answer is not False for answer in answers)


async def book_held_seat(app, session, event: Event, workshop: Workshop, user_id: int,
                         now: dt.datetime) -> BookResult:
    """Turn a seat already held for ``user_id`` (an accepted offer) into a booking.

    The caller holds the workshop lock and has just consumed the hold, so no capacity check."""
    if await is_booked(session, workshop.id, user_id):
        return BookResult("already", workshop)
    if not await _add_booking(session, workshop, user_id, "waitlist", now):
        return BookResult("already", workshop)
    return BookResult("booked", workshop)


async def cancel(app, session: AsyncSession, event: Event, user_id: int, workshop_id: int,
                 now: dt.datetime | None = None) -> CancelResult:
    """Give a seat back; the next person in line gets an offer in the same transaction."""
    now = now or utcnow()
    workshop = await lock_workshop(session, event.id, workshop_id)
    if workshop is None:
        return CancelResult("not_found")
    if now >= workshop.starts_at:
        return CancelResult("started", workshop)
    gone = await session.scalar(delete(Booking).where(Booking.workshop_id == workshop.id, Booking.user_id == user_id)
                                .returning(Booking.id))
    if gone is None:
        return CancelResult("not_booked", workshop)
    workshop.version += 1
    workshop.updated_at = now
    await _hook(app, event, "seat_released", session=session, workshop_id=workshop.id, count=1, now=now)
    return CancelResult("cancelled", workshop)


async def forget_member(app, session: AsyncSession, event: Event, user_id: int,
                        now: dt.datetime | None = None) -> int:
    """The person asked to be forgotten: their seats in workshops still to come are released
    one by one (each to the next in line, through ``seat_released``), and no booking of theirs
    is kept, past ones included. Returns how many seats were released."""
    now = now or utcnow()
    released = 0
    for workshop in await user_bookings(session, event.id, user_id):
        if workshop.starts_at > now:
            released += (await cancel(app, session, event, user_id, workshop.id, now)).status == "cancelled"
    await session.execute(delete(Booking).where(Booking.event_id == event.id, Booking.user_id == user_id))
    return released


# --- organizer input ----------------------------------------------------------------------------

@dataclass(frozen=True)
class WorkshopData:
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    speaker: str | None = None
    place: str | None = None
    description: str | None = None


_SPACES = re.compile(r"\s+")


def clean_title(text: str | None) -> str:
    value = _SPACES.sub(" ", (text or "").strip())
    if not value:
        raise InputError("workshops-error-title-empty")
    if len(value) > TITLE_MAX:
        raise InputError("workshops-error-too-long", length=len(value), limit=TITLE_MAX)
    return value


def clean_optional(text: str | None, limit: int, *, multiline: bool = False) -> str | None:
    """Optional text; "-" or empty means none."""
    value = (text or "").strip()
    if not multiline:
        value = _SPACES.sub(" ", value)
    if value in ("", "-", "—"):
        return None
    if len(value) > limit:
        raise InputError("workshops-error-too-long", length=len(value), limit=limit)
    return value


def clean_speaker(text):
    return clean_optional(text, SPEAKER_MAX)


def clean_place(text):
    return clean_optional(text, PLACE_MAX)


def clean_description(text):
    return clean_optional(text, DESCRIPTION_MAX, multiline=True)


_DATE_FORMATS = ("%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M", "%Y-%m-%dT%H:%M", "%d.%m.%y %H:%M")


def parse_local_datetime(text: str | None, tz: zoneinfo.ZoneInfo, now: dt.datetime | None = None) -> dt.datetime:
    """A date and time in the event's timezone → UTC: "2026-03-12 10:00", "12.03.2026 10:00",
    "12.03 10:00" (this year), or natural Russian and English forms ("5 декабря 18:00", "завтра в
    10:00", "Dec 5 6pm") read by dateparser. A date without a time is refused, not taken as midnight."""
    value = _SPACES.sub(" ", (text or "").strip())
    parsed = None
    for fmt in _DATE_FORMATS:
        try:
            parsed = dt.datetime.strptime(value, fmt)
            break
        except ValueError:
            continue
    if parsed is None:
        match = re.fullmatch(r"(\d{1,2})\.(\d{1,2}) (\d{1,2}):(\d{2})", value)
        if match:
            year = (now or utcnow()).astimezone(tz).year
            try:
                parsed = dt.datetime(year, int(match[2]), int(match[1]), int(match[3]), int(match[4]))
            except ValueError:
                parsed = None
    if parsed is None and value:
        parsed = _natural_datetime(value, tz, now or utcnow())
    if parsed is None:
        raise InputError("workshops-error-datetime", example="2026-03-12 10:00")
    return parsed.replace(tzinfo=tz).astimezone(dt.UTC)


def _natural_datetime(value: str, tz: zoneinfo.ZoneInfo, now: dt.datetime) -> dt.datetime | None:
    """Natural forms through dateparser, naive in ``tz``; None unless both a day and a time were given
    (``RETURN_TIME_AS_PERIOD`` tells "5 декабря" (a day) from "5 декабря 0:00" (a time))."""
    from dateparser.date import DateDataParser  # imported on first use: it loads its language data

    parser = DateDataParser(languages=["ru", "en"], settings={
        "TIMEZONE": tz.key, "RETURN_AS_TIMEZONE_AWARE": False, "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": now.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0),
        "DATE_ORDER": "DMY", "REQUIRE_PARTS": ["day", "month"], "RETURN_TIME_AS_PERIOD": True,
    })
    found = parser.get_date_data(value[:100])
    if found.date_obj is None or found.period != "time":
        return None
    return found.date_obj.replace(second=0, microsecond=0)


def parse_end(text: str | None, starts_at: dt.datetime, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """The end: "11:30" (same day as the start), a full date and time, or "90" minutes."""
    value = (text or "").strip()
    if re.fullmatch(r"\d{1,4}", value):
        ends_at = starts_at + dt.timedelta(minutes=int(value))
    elif match := re.fullmatch(r"(\d{1,2}):(\d{2})", value):
        hour, minute = int(match[1]), int(match[2])
        if hour > 23 or minute > 59:
            raise InputError("workshops-error-end-format")
        local = starts_at.astimezone(tz)
        ends_at = local.replace(hour=hour, minute=minute, second=0, microsecond=0).astimezone(dt.UTC)
    else:
        try:  # relative forms ("завтра в 18:00") count from the start, not from now
            ends_at = parse_local_datetime(value, tz, now=starts_at)
        except InputError:
            raise InputError("workshops-error-end-format") from None
    check_times(starts_at, ends_at)
    return ends_at


def check_times(starts_at: dt.datetime, ends_at: dt.datetime, now: dt.datetime | None = None) -> None:
    if now is not None and starts_at <= now:
        raise InputError("workshops-error-in-past")
    if ends_at <= starts_at:
        raise InputError("workshops-error-end-before-start")
    if ends_at - starts_at > MAX_DURATION:
        raise InputError("workshops-error-too-long-duration", hours=int(MAX_DURATION.total_seconds() // 3600))


def parse_capacity(text: str | int | None) -> int:
    value = str(text if text is not None else "").strip()
    if not value.isascii() or not value.isdigit():  # any length: 1000000000 is a number, only too big
        raise InputError("workshops-error-capacity-number", limit=CAPACITY_MAX)
    number = int(value)
    if number < 1 or number > CAPACITY_MAX:
        raise InputError("workshops-error-capacity-range", limit=CAPACITY_MAX)
    return number


def validate(data: WorkshopData, now: dt.datetime | None = None) -> WorkshopData:
    """Every rule a saved workshop obeys; ``now`` given: the start must still be ahead."""
    title = clean_title(data.title)
    speaker, place = clean_speaker(data.speaker), clean_place(data.place)
    description = clean_description(data.description)
    capacity = parse_capacity(data.capacity)
    check_times(data.starts_at, data.ends_at, now)
    return replace(data, title=title, speaker=speaker, place=place, description=description, capacity=capacity)


# --- organizer operations ---------------------------------------------------------------------------

async def create_workshop(app, session, event: Event, actor, data: WorkshopData, *, key: str | None = None,
                          now: dt.datetime | None = None) -> Workshop:
    require_admin(app, event, actor)
    now = now or utcnow()
    data = validate(data, now)
    if key is not None and (not key or len(key) > KEY_MAX):
        raise InputError("workshops-error-key", limit=KEY_MAX)
    workshop = Workshop(event_id=event.id, key=key, title=data.title, speaker=data.speaker, place=data.place,
                        description=data.description, starts_at=data.starts_at, ends_at=data.ends_at,
                        capacity=data.capacity, version=0, created_at=now, updated_at=now)
    session.add(workshop)
    await session.flush()
    await reminders.plan(app, session, event, workshop, now)
    return workshop


NOTIFY_FIELDS = ("starts_at", "ends_at", "place")


async def update_workshop(app, session, event: Event, actor, workshop_id: int, changes: dict[str, Any],
                          *, now: dt.datetime | None = None, check_future: bool = True) -> UpdateResult:
    """Apply ``changes`` (WorkshopData field names). All checked before anything is written; a change
    of time or place is announced to attendees (and offer holders) through the outbox."""
    require_admin(app, event, actor)
    now = now or utcnow()
    workshop = await lock_workshop(session, event.id, workshop_id)
    if workshop is None:
        raise InputError("workshops-error-not-found")
    names = {f.name for f in fields(WorkshopData)}
    unknown = set(changes) - names
    if unknown:
        raise ValueError(f"unknown workshop fields {sorted(unknown)}")
    current = WorkshopData(title=workshop.title, starts_at=workshop.starts_at, ends_at=workshop.ends_at,
                           capacity=workshop.capacity, speaker=workshop.speaker, place=workshop.place,
                           description=workshop.description)
    wanted = replace(current, **changes)
    times_moved = (wanted.starts_at, wanted.ends_at) != (current.starts_at, current.ends_at)
    wanted = validate(wanted, now if (check_future and times_moved) else None)
    result = UpdateResult(workshop)
    if wanted.capacity != current.capacity:
        result.capacity = await _change_capacity(app, session, event, workshop, wanted.capacity, now)
        if result.capacity.status == "below":
            raise InputError("workshops-error-capacity-below", capacity=wanted.capacity,
                             booked=result.capacity.booked, held=result.capacity.held,
                             minimum=result.capacity.booked + result.capacity.held)
        result.changed.append("capacity")
    old = {name: getattr(workshop, name) for name in NOTIFY_FIELDS}
    for name in ("title", "speaker", "place", "description", "starts_at", "ends_at"):
        if getattr(wanted, name) != getattr(workshop, name):
            setattr(workshop, name, getattr(wanted, name))
            result.changed.append(name)
    if result.changed:
        workshop.version += 1
        workshop.updated_at = now
    if any(name in result.changed for name in NOTIFY_FIELDS):
        result.notified, result.joined = await _announce_change(app, session, event, workshop, old, now)
    await session.flush()
    if "starts_at" in result.changed:
        await reminders.plan(app, session, event, workshop, now)
    return result


async def set_capacity(app, session, event: Event, actor, workshop_id: int, capacity: int | str,
                       now: dt.datetime | None = None) -> CapacityResult:
    """Raising promotes from the waitlist; lowering below bookings + held seats is refused."""
    require_admin(app, event, actor)
    now = now or utcnow()
    new = parse_capacity(capacity)
    workshop = await lock_workshop(session, event.id, workshop_id)
    if workshop is None:
        raise InputError("workshops-error-not-found")
    return await _change_capacity(app, session, event, workshop, new, now)


async def _change_capacity(app, session, event, workshop: Workshop, new: int, now) -> CapacityResult:
    old = workshop.capacity
    await _hook(app, event, "workshops_process_holds", session=session, workshop=workshop, now=now)
    booked = (await booked_counts(session, [workshop.id]))[workshop.id]
    held = (await held_seats(app, session, event, [workshop.id], None, now))[workshop.id][0]
    if new == old:
        return CapacityResult("unchanged", old, new, booked, held)
    if new < booked + held:
        return CapacityResult("below", old, new, booked, held)
    workshop.capacity = new
    workshop.version += 1
    workshop.updated_at = now
    await session.flush()
    await _hook(app, event, "capacity_changed", session=session, workshop_id=workshop.id, old=old, new=new, now=now)
    return CapacityResult("changed", old, new, booked, held)


async def delete_workshop(app, session, event: Event, actor, workshop_id: int,
                          now: dt.datetime | None = None) -> int:
    """Delete a workshop; attendees and queued people are told it is cancelled. Returns how many."""
    require_admin(app, event, actor)
    now = now or utcnow()
    workshop = await lock_workshop(session, event.id, workshop_id)
    if workshop is None:
        raise InputError("workshops-error-not-found")
    told = 0
    if workshop.ends_at > now:  # nobody needs a "cancelled" notice for a workshop that is over
        recipients = await _recipients(app, session, event, workshop, include_waiting=True)
        change = _change(workshop, recipients, cancelled=True, old=None)
        told, _ = await _send_to(app, session, event, change, "cancelled",
                                 lambda tr: tr("workshops-notice-cancelled", title=_q(workshop.title),
                                               when=format_when(tr, workshop, tz_of(event))), now)
    await reminders.forget(session, workshop.id)
    await session.delete(workshop)
    await session.flush()
    return told


# --- notices ------------------------------------------------------------------------------------

def _q(text: str | None) -> str:
    from html import escape

    return escape(text or "", quote=False)


def format_day(tr, moment: dt.datetime, tz) -> str:
    return dates.format_day(tr, moment, tz)


def format_when(tr, workshop: Workshop, tz) -> str:
    return dates.format_span(tr, workshop.starts_at, workshop.ends_at, tz)


async def _recipients(app, session, event, workshop, *, include_waiting: bool) -> dict[int, str]:
    attendees = await session.scalars(select(Booking.user_id).where(Booking.workshop_id == workshop.id))
    recipients = {uid: "booked" for uid in attendees.all()}
    for extra in await _hook(app, event, "workshops_people", session=session, workshop=workshop):
        for uid, kind in (extra or {}).items():
            if kind == "offered" or include_waiting:
                recipients.setdefault(uid, kind)
    return recipients


def _change(workshop: Workshop, recipients: dict[int, str], *, cancelled: bool,
            old: dict[str, Any] | None) -> notify.WorkshopChange:
    old = old or {name: getattr(workshop, name) for name in NOTIFY_FIELDS}
    return notify.WorkshopChange(
        workshop_id=workshop.id, version=workshop.version, title=workshop.title, cancelled=cancelled,
        old_starts_at=old["starts_at"], old_ends_at=old["ends_at"], old_place=old["place"],
        starts_at=workshop.starts_at, ends_at=workshop.ends_at, place=workshop.place, recipients=dict(recipients))


async def _send_to(app, session, event, change: notify.WorkshopChange, what: str, render,
                   now: dt.datetime) -> tuple[int, int]:
    """Tell ``change.recipients``, except those a plugin takes to tell in a notice of its own (the
    schedule's digest). Returns ``(told, taken)``: everyone who hears of it, and how many of them
    through the other plugin."""
    answers = await _hook(app, event, "workshops_change_notice", session=session, event=event, change=change, now=now)
    taken = {uid for uid in answers if uid in change.recipients}  # the lists come flattened
    ours = [uid for uid in change.recipients if uid not in taken]
    langs = await notify.languages(app, session, event, ours)
    for uid in ours:
        tr = app.translator(langs[uid])
        await notify.enqueue_notice(session, user_id=uid, event_id=event.id, text=render(tr),
                                    dedupe_key=f"workshops:{what}:{change.workshop_id}:{change.version}:{uid}")
    return len(change.recipients), len(taken)


async def _announce_change(app, session, event, workshop: Workshop, old: dict[str, Any],
                           now: dt.datetime) -> tuple[int, int]:
    tz = tz_of(event)
    recipients = await _recipients(app, session, event, workshop, include_waiting=False)

    def render(tr) -> str:
        lines = [tr("workshops-notice-changed", title=_q(workshop.title))]
        if (old["starts_at"], old["ends_at"]) != (workshop.starts_at, workshop.ends_at):
            before = Workshop(starts_at=old["starts_at"], ends_at=old["ends_at"])
            lines.append(tr("workshops-notice-changed-time", old=format_when(tr, before, tz),
                            new=format_when(tr, workshop, tz)))
        if old["place"] != workshop.place:
            lines.append(tr("workshops-notice-changed-place", old=_q(old["place"] or "—"),
                            new=_q(workshop.place or "—")))
        return "\n".join(lines)

    change = _change(workshop, recipients, cancelled=False, old=old)
    return await _send_to(app, session, event, change, "changed", render, now)


# --- lists for organizers -------------------------------------------------------------------------

@dataclass(frozen=True)
class Attendee:
    user_id: int
    name: str
    username: str | None
    profile: dict
    booked_at: dt.datetime
    source: str
    attended_at: dt.datetime | None = None  # marked at the door


async def attendees(session, event: Event, workshop_id: int, *, offset: int = 0,
                    limit: int | None = None) -> tuple[list[Attendee], int]:
    total = await session.scalar(select(func.count()).select_from(Booking).where(Booking.workshop_id == workshop_id))
    stmt = (select(Booking, User, Member).join(User, User.id == Booking.user_id)
            .outerjoin(Member, (Member.user_id == Booking.user_id) & (Member.event_id == event.id))
            .where(Booking.workshop_id == workshop_id).order_by(Booking.created_at, Booking.id).offset(offset))
    if limit is not None:
        stmt = stmt.limit(limit)
    out = []
    for booking, user, member in (await session.execute(stmt)).all():
        profile = (member.profile if member else None) or {}
        name = profile.get("full_name") or " ".join(p for p in (user.first_name, user.last_name) if p) or str(user.id)
        out.append(Attendee(user.id, name, user.username, profile, booking.created_at, booking.source,
                            booking.attended_at))
    return out, total or 0


async def export_csv(app, session, event: Event, actor, workshop_id: int | None = None) -> str:
    """Attendees (and, through the waitlist hook, the queue) as CSV, one row per person and workshop.

    The rows are read here; the text is written in a worker thread (``csv_text``): an export of a
    big event is thousands of rows, and the loop keeps serving taps meanwhile."""
    require_admin(app, event, actor)
    tz = tz_of(event)
    workshops = await list_workshops(session, event.id)
    if workshop_id is not None:
        workshops = [w for w in workshops if w.id == workshop_id]
    header = ["workshop_id", "workshop_key", "workshop", "starts_at", "status", "position", "user_id",
              "name", "username", "phone", "since", "attended_at"]
    rows: list[list[Any]] = [header]

    def stamp(moment: dt.datetime | None) -> str:
        return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S") if moment else ""

    for w in workshops:
        start = w.starts_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        people_, _ = await attendees(session, event, w.id)
        for a in people_:
            rows.append([w.id, w.key or "", w.title, start, "booked", "", a.user_id, a.name, a.username or "",
                         a.profile.get("phone", ""), stamp(a.booked_at), stamp(a.attended_at)])
        # registry.call flattens each plugin's list of rows into rows; theirs end before "attended_at"
        for row in await _hook(app, event, "workshops_export_rows", session=session, workshop=w):
            if isinstance(row, list) and row:
                line = [w.id, w.key or "", w.title, start, *row]
                rows.append(line + [""] * (len(header) - len(line)))
    return await asyncio.to_thread(csv_text, rows)


def csv_text(rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    csv_export.writer(buffer).writerows(rows)  # formula-safe cells
    return buffer.getvalue()


# --- attendance (who came) -------------------------------------------------------------------------

def require_door_staff(app, event: Event, actor: Member | SystemActor | None) -> None:
    """Marking who came is for the event's organizers and its check-in staff (``checker``)."""
    if isinstance(actor, Member) and actor.event_id == event.id and actor.role == Role.CHECKER.value:
        return
    people.require_organizer(app.settings, event, actor)


@dataclass(frozen=True)
class Attendance:
    status: str                      # marked | already | not_booked | no_workshop
    at: dt.datetime | None = None    # the mark (for "already": the first one)
    by_user_id: int | None = None    # who marked them; None: the operator (CLI)


async def mark_attended(app, session, event: Event, actor, workshop_id: int, user_id: int,
                        now: dt.datetime | None = None) -> Attendance:
    """``user_id`` came to the workshop (their booking is marked). Only people booked for it can be
    marked. However many doors scan one person at once, one mark is made: the UPDATE sets it only
    while it is unset (PostgreSQL re-checks that condition once the first writer commits; SQLite's
    write lock runs them one by one) and the others read the first mark back."""
    require_door_staff(app, event, actor)
    if await get_workshop(session, event.id, workshop_id) is None:
        return Attendance("no_workshop")
    now = now or utcnow()
    by = getattr(actor, "user_id", None)
    marked = await session.scalar(
        update(Booking).where(Booking.workshop_id == workshop_id, Booking.user_id == user_id,
                              Booking.attended_at.is_(None))
        .values(attended_at=now, attended_by=by).returning(Booking.id)
        .execution_options(synchronize_session=False))
    if marked is not None:
        return Attendance("marked", now, by)
    row = (await session.execute(select(Booking.attended_at, Booking.attended_by).where(
        Booking.workshop_id == workshop_id, Booking.user_id == user_id))).first()
    if row is None:
        return Attendance("not_booked")
    return Attendance("already", row.attended_at, row.attended_by)


async def unmark_attended(app, session, event: Event, actor, workshop_id: int, user_id: int) -> bool:
    """Take a mistaken mark back (organizers only). False: there was none."""
    require_admin(app, event, actor)
    undone = await session.scalar(
        update(Booking).where(Booking.workshop_id == workshop_id, Booking.event_id == event.id,
                              Booking.user_id == user_id, Booking.attended_at.is_not(None))
        .values(attended_at=None, attended_by=None).returning(Booking.id)
        .execution_options(synchronize_session=False))
    return undone is not None


async def attended_counts(session, workshop_ids: list[int]) -> dict[int, int]:
    """How many of each workshop's booked people were marked at its door."""
    counts = dict.fromkeys(workshop_ids, 0)
    if workshop_ids:
        rows = await session.execute(select(Booking.workshop_id, func.count())
                                     .where(Booking.workshop_id.in_(workshop_ids), Booking.attended_at.is_not(None))
                                     .group_by(Booking.workshop_id))
        counts.update({wid: n for wid, n in rows.all()})
    return counts


# --- program file -------------------------------------------------------------------------------

PROGRAM_FIELDS = ("key", "title", "speaker", "place", "description", "starts_at", "ends_at", "duration_minutes",
                  "capacity")


def _program_datetime(value: Any, tz) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return (value.replace(tzinfo=tz) if value.tzinfo is None else value).astimezone(dt.UTC)
    text = str(value).strip()
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return parse_local_datetime(text, tz)
    return (parsed.replace(tzinfo=tz) if parsed.tzinfo is None else parsed).astimezone(dt.UTC)


def _program_item(item: Any, tz) -> tuple[str, WorkshopData]:
    if not isinstance(item, dict):
        raise InputError("workshops-error-program-item")
    unknown = set(item) - set(PROGRAM_FIELDS)
    if unknown:
        raise InputError("workshops-error-program-fields", fields=", ".join(sorted(map(str, unknown))))
    key = str(item.get("key") or "").strip()
    if not key or len(key) > KEY_MAX or not re.fullmatch(r"[A-Za-z0-9_.:-]+", key):
        raise InputError("workshops-error-key", limit=KEY_MAX)
    for name in ("title", "starts_at", "capacity"):
        if item.get(name) in (None, ""):
            raise InputError("workshops-error-program-missing", field=name)
    starts_at = _program_datetime(item["starts_at"], tz)
    if item.get("ends_at") not in (None, ""):
        ends_at = _program_datetime(item["ends_at"], tz)
    elif item.get("duration_minutes") not in (None, ""):
        ends_at = starts_at + dt.timedelta(minutes=parse_capacity(item["duration_minutes"]))
    else:
        raise InputError("workshops-error-program-missing", field="ends_at")
    data = WorkshopData(title=str(item["title"]), starts_at=starts_at, ends_at=ends_at,
                        capacity=parse_capacity(item["capacity"]),
                        speaker=None if item.get("speaker") is None else str(item["speaker"]),
                        place=None if item.get("place") is None else str(item["place"]),
                        description=None if item.get("description") is None else str(item["description"]))
    return key, validate(data)


async def import_program(app, session, event: Event, items: Any, *, dry_run: bool = False,
                         now: dt.datetime | None = None):
    """Create or update workshops by their stable ``key``; unchanged ones are left alone.

    Returns ``(created, updated, unchanged, errors)``; with errors the caller rolls everything back."""
    now = now or utcnow()
    tr = app.translator("en")  # the report is for the operator's terminal
    created, updated, unchanged, errors = [], [], [], []
    if items is None:
        return created, updated, unchanged, errors
    if not isinstance(items, list):
        return created, updated, unchanged, ["workshops: expected a list of workshops"]
    tz = tz_of(event)
    existing = {w.key: w for w in await list_workshops(session, event.id) if w.key}
    seen: set[str] = set()
    for index, item in enumerate(items):
        where = f"workshops[{index}]"
        try:
            key, data = _program_item(item, tz)
        except InputError as exc:
            errors.append(f"{where}: {tr(exc.key, **exc.args_)}")
            continue
        where = f"workshops[{index}] ({key})"
        if key in seen:
            errors.append(f"{where}: {tr('workshops-error-program-duplicate')}")
            continue
        seen.add(key)
        workshop = existing.get(key)
        if workshop is None and (match := re.fullmatch(r"ws-(\d+)", key)):
            # Exported from a workshop made in the bot (no key yet): adopt it instead of duplicating it.
            candidate = await get_workshop(session, event.id, int(match[1]))
            if candidate is not None and candidate.key is None:
                candidate.key, workshop = key, candidate
        try:
            if workshop is None:
                if data.starts_at <= now:
                    raise InputError("workshops-error-in-past")
                await create_workshop(app, session, event, SYSTEM, data, key=key, now=now)
                created.append(key)
                continue
            changes = {f.name: getattr(data, f.name) for f in fields(WorkshopData)
                       if getattr(data, f.name) != getattr(workshop, f.name)}
            if not changes:
                unchanged.append(key)
                continue
            await update_workshop(app, session, event, SYSTEM, workshop.id, changes, now=now)
            updated.append(key)
        except InputError as exc:
            errors.append(f"{where}: {tr(exc.key, **exc.args_)}")
    return created, updated, unchanged, errors


async def export_program(session, event: Event) -> list[dict[str, Any]]:
    tz = tz_of(event)
    out = []
    for w in await list_workshops(session, event.id):
        item: dict[str, Any] = {"key": w.key or f"ws-{w.id}", "title": w.title}
        for name in ("speaker", "place", "description"):
            if getattr(w, name):
                item[name] = getattr(w, name)
        item["starts_at"] = w.starts_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        item["ends_at"] = w.ends_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        item["capacity"] = w.capacity
        out.append(item)
    return out
