"""Booking and giving back seats: one locked transaction per decision, never an oversold seat.

Seats are never trusted from a counter: every operation that can reduce availability locks the
workshop row first (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE``, emitted by
``core.db``, already holds the database write lock) and then computes availability = capacity −
bookings − seats held by open offers (pretix's rule). The unique key (workshop, user) on bookings
makes a double tap harmless.

Other plugins take part through the hooks in ``hookspecs.py``; they run inside the same locked
transaction, so offers and notices commit together with the seat change that caused them.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam, delete
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import UTCDateTime, utcnow
from core.delivery.dialect import insert_for
from core.models import Event
from plugins.workshops import hook_calls, settings
from plugins.workshops.models import Booking, Workshop
from plugins.workshops.queries import is_booked, lock_workshop, user_bookings
from plugins.workshops.results import BookResult, CancelResult, QueueOutcome, SeatState
from plugins.workshops.seat_state import dialect_of, read_batch, read_state

_INSERTS: dict[str, object] = {}  # the booking INSERT, built once per dialect


def _insert_booking_stmt(dialect: str):
    """``INSERT … ON CONFLICT DO NOTHING RETURNING id``: a second tap inserts nothing, raises nothing."""
    if dialect not in _INSERTS:
        insert = insert_for("postgresql" if dialect == "postgresql" else "sqlite")
        _INSERTS[dialect] = (insert(Booking.__table__).values(
            workshop_id=bindparam("b_workshop_id"), event_id=bindparam("b_event_id"),
            user_id=bindparam("b_user_id"), source=bindparam("b_source"), created_at=bindparam("b_created_at", type_=UTCDateTime()))
            .on_conflict_do_nothing(index_elements=["workshop_id", "user_id"]).returning(Booking.__table__.c.id))
    return _INSERTS[dialect]


async def _add_booking(session, workshop: Workshop, user_id: int, source: str, now: dt.datetime) -> bool:
    new_id = await session.scalar(_insert_booking_stmt(dialect_of(session)), dict(
        b_workshop_id=workshop.id, b_event_id=workshop.event_id, b_user_id=user_id, b_source=source,
        b_created_at=now))
    if new_id is None:
        return False
    workshop.version += 1
    workshop.updated_at = now
    return True


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
    conf = settings.config(app, event)
    if state is not None and locked is not None:
        workshop = locked
    else:
        workshop, state = await read_state(app, session, event, workshop_id, user_id, now, order_key, locked)
    if workshop is None:
        return BookResult("not_found")
    if now >= workshop.starts_at:
        return BookResult("started", workshop)
    if now >= settings.booking_closes_at(app, event, workshop):
        return BookResult("closed", workshop)
    if state.mine:
        return BookResult("already", workshop, state=state)  # a double tap: booked once, told so, never "full"
    clash = state.clash
    if clash is not None and conf.overlap == "refuse":
        return BookResult("clash", workshop, clash=clash, state=state)
    if state.lapsed:
        # Lapsed offers stop counting and their seats go to the queue first, not to whoever taps now.
        await hook_calls.call(app, event, "workshops_process_holds", session=session, workshop=workshop, now=now)
        workshop, state = await read_state(app, session, event, workshop_id, user_id, now, order_key, workshop)
        state.clash = clash
    free = workshop.capacity - state.booked - state.held + (1 if state.held_mine else 0)
    if free <= 0:
        outcome = next((r for r in await hook_calls.call(app, event, "workshops_full", session=session, event=event,
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
    await hook_calls.call(app, event, "workshops_booked", session=session, workshop=workshop, user_id=user_id,
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
    states = await read_batch(app, session, event, workshop, taps, now)
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
    answers = await hook_calls.call(app, event, "workshops_carry_state", state=state, left=left)
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
    await hook_calls.call(app, event, "seat_released", session=session, workshop_id=workshop.id, count=1, now=now)
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

