"""What a booking tap reads under the workshop lock, in as few statements as the database allows:
the row, the seat count, the user's own booking and clash, and the columns other plugins add
(``workshops_state_columns``), as a ``SeatState``. ``booking.py`` decides from it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Integer, bindparam, column, func, select, values
from sqlalchemy.orm import aliased

from core.db import UTCDateTime
from core.models import Event
from plugins.workshops import hook_calls
from plugins.workshops.models import Booking, Workshop
from plugins.workshops.queries import lock_workshop
from plugins.workshops.results import Clash, SeatState


def dialect_of(session) -> str:
    """The session's database: "postgresql" or "sqlite"."""
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
    active = frozenset(hook_calls.active(app, event))
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
    active = frozenset(hook_calls.active(app, event))
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


async def read_state(app, session, event: Event, workshop_id: int, user_id: int, now: dt.datetime,
                     order_key: int | None, workshop: Workshop | None = None):
    """The workshop row (locked) and a ``SeatState``, in one statement on SQLite, two on PostgreSQL.

    Every count is one indexed aggregate in the same SELECT (scalar subqueries), the columns other
    plugins contribute included. On SQLite the transaction already holds the database write lock
    (BEGIN IMMEDIATE), so the row and the counts come together. On PostgreSQL the row lock is taken
    by its own ``SELECT … FOR UPDATE`` first: a statement's snapshot is taken when it starts, so
    counts read in the same statement as a lock that had to be waited for would miss what the
    previous holder committed (READ COMMITTED re-checks only the locked row)."""
    dialect = dialect_of(session)
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


async def read_batch(app, session, event: Event, workshop: Workshop, taps: list[tuple[int, int | None]],
                     now: dt.datetime) -> list[SeatState]:
    """Every tap's ``SeatState`` as of now, in one statement (the caller holds the workshop lock)."""
    stmt, names = await _batch_state_statement(app, event, len(taps))
    params = {"ws_workshop_id": workshop.id, "ws_event_id": event.id, "ws_now": now,
              "ws_starts_at": workshop.starts_at, "ws_ends_at": workshop.ends_at}
    for n, (user_id, order_key) in enumerate(taps):
        params.update({f"bt_i{n}": n, f"bt_u{n}": user_id, f"bt_k{n}": NO_ORDER_KEY if order_key is None else order_key})
    rows = (await session.execute(stmt, params)).all()
    return [await _state_of(session, row[1:], names) for row in rows]

