"""Waitlist domain logic: a fair queue per workshop and offers that hold a seat until a deadline.

No aiogram here. Every function that changes seats runs with the workshop row locked (the
workshops service locks it, or we lock it through ``lock_workshop``), so offers are made, accepted,
declined and expired one at a time per workshop, and each change writes its notice to the outbox in
the same transaction.

- Queue order is the order of taps: ``(tap_order, id)``, where ``tap_order`` is the Telegram update
  id of the tap (monotonic per bot), so taps that reach the lock out of order still queue in the
  order they were sent. Positions are one COUNT over an index, never a loop.
- An open offer (``state='offered' AND expires_at > now``) counts against capacity.
- Accepting is one conditional UPDATE (``WHERE state='offered' AND expires_at > now``): at the
  deadline it is either accepted or expired, never both.
- Lazy expiry: a lapsed offer stops counting at once; the next seat-changing operation on the
  workshop, or the periodic sweep, expires it and offers the seat to the next person.
- No offers (and no queueing) within ``offer_cutoff_minutes`` of the start; a deadline never runs
  past the moment booking closes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape

from sqlalchemy import and_, bindparam, func, insert, or_, select, update
from sqlalchemy.orm import aliased
from sqlalchemy.ext.asyncio import AsyncSession

from core import dates, people
from core.db import UTCDateTime, utcnow
from core.models import Event, Member, User
from plugins.waitlist.config import WaitlistConfig
from plugins.waitlist.models import OPEN_STATES, Entry
from plugins.workshops import public as workshops
from plugins.workshops.models import Booking, Workshop
from plugins.workshops.public import CardExtras, QueueOutcome, SeatState

PLUGIN = "waitlist"
OFFER_KIND = "waitlist:offer"  # delivery-outcome kind: an offer that cannot be delivered expires at once


def quote(text: str | None) -> str:
    """A title or place typed by an organizer, safe inside the HTML of a notice."""
    return escape(text or "", quote=False)


def config(app, event: Event) -> WaitlistConfig:
    try:
        conf = app.plugin_config(event.slug, PLUGIN)
    except KeyError:
        conf = None
    return conf if isinstance(conf, WaitlistConfig) else WaitlistConfig()


async def _notice(session, *, user_id: int, event_id: int, text: str, dedupe_key: str, reply_markup=None,
                  interactive: bool = False, kind: str | None = None, payload: dict | None = None) -> None:
    """One notice to the outbox, in the transaction of the change it tells of (deduplicated by
    ``dedupe_key``). ``interactive`` (an offer with a deadline) goes before timely notices; ``kind``
    and ``payload`` bring the delivery outcome back (an offer that cannot arrive expires at once)."""
    from core.delivery import Priority, enqueue

    await enqueue(session, chat_id=user_id, user_id=user_id, event_id=event_id, text=text,
                  reply_markup=reply_markup, dedupe_key=dedupe_key,
                  priority=Priority.INTERACTIVE if interactive else Priority.NORMAL, kind=kind, payload=payload)


def offer_callback(entry_id: int, action: str) -> str:
    """Callback data of the offer buttons (``handlers.WlOffer`` packs the same shape)."""
    return f"waitlist.offer:{entry_id}:{action}"


def leave_callback(workshop_id: int) -> str:
    return f"waitlist.leave:{workshop_id}"


def offers_open(app, event: Event, workshop: Workshop, now: dt.datetime) -> bool:
    cutoff = workshop.starts_at - dt.timedelta(minutes=config(app, event).offer_cutoff_minutes)
    return now < cutoff and now < workshops.booking_closes_at(app, event, workshop)


def offer_deadline(app, event: Event, workshop: Workshop, now: dt.datetime) -> dt.datetime:
    """Shorter holds close to the start; never past the moment booking closes."""
    conf = config(app, event)
    near = workshop.starts_at - now < dt.timedelta(hours=conf.near_start_hours)
    window = dt.timedelta(minutes=conf.offer_minutes_near_start if near else conf.offer_minutes)
    return min(now + window, workshops.booking_closes_at(app, event, workshop))


# --- reading -------------------------------------------------------------------------------------

async def open_entry(session, workshop_id: int, user_id: int) -> Entry | None:
    return await session.scalar(select(Entry).where(Entry.workshop_id == workshop_id, Entry.user_id == user_id,
                                                     Entry.state.in_(OPEN_STATES)))


QUEUE_ORDER = (Entry.tap_order, Entry.id)


def _at_or_ahead(other, me):
    """``other`` is at or ahead of ``me`` in the queue: (tap_order, id) <= (tap_order, id)."""
    return or_(other.tap_order < me.tap_order, and_(other.tap_order == me.tap_order, other.id <= me.id))


def _position_sq(me):
    """1-based place of entry ``me`` (an alias or the table) among the people still waiting."""
    other = aliased(Entry)
    return (select(func.count()).select_from(other)
            .where(other.workshop_id == me.workshop_id, other.state == "waiting", _at_or_ahead(other, me))
            .scalar_subquery())


async def position(session, entry: Entry) -> int:
    """1-based place among the people still waiting (those with an offer are no longer in line)."""
    return await session.scalar(select(func.count()).select_from(Entry).where(
        Entry.workshop_id == entry.workshop_id, Entry.state == "waiting",
        or_(Entry.tap_order < entry.tap_order, and_(Entry.tap_order == entry.tap_order, Entry.id <= entry.id)))) or 0


def state_columns(workshop_id, user_id, now, order_key) -> list:
    """What a booking tap needs from the queue, as labelled scalar subqueries read in the same
    statement as the seat counts (``workshops_state_columns``): open offers (held, the user's,
    lapsed), the waiting count, the user's open entry and place, and where a new tap would go.
    Arguments are values, bind parameters or — when a batch reads every tap's state at once —
    columns of the taps' rows (``order_key`` must not be None: ``NO_ORDER_KEY``). Only scalar
    subqueries, so that they correlate with such a row."""
    def count(*where):
        return select(func.count()).select_from(Entry).where(Entry.workshop_id == workshop_id, *where)

    def my(column):  # of the user's open entry: at most one (a partial unique index)
        return (select(column).where(Entry.workshop_id == workshop_id, Entry.user_id == user_id,
                                     Entry.state.in_(OPEN_STATES)).limit(1).scalar_subquery())

    # The place is counted from the user's entry (found by the open-entry index), not by joining
    # every waiting entry to it: a join the planner may run the wrong way round on a fresh table.
    me = aliased(Entry)
    my_position = (select(_position_sq(me)).where(me.workshop_id == workshop_id, me.user_id == user_id,
                                                  me.state.in_(OPEN_STATES), me.state == "waiting")
                   .limit(1).scalar_subquery())
    ahead = count(Entry.state == "waiting", Entry.tap_order <= order_key)
    return [
        count(Entry.state == "offered", Entry.expires_at > now).scalar_subquery().label("held"),
        count(Entry.state == "offered", Entry.expires_at > now, Entry.user_id == user_id)
        .scalar_subquery().label("held_mine"),
        count(Entry.state == "offered", Entry.expires_at <= now).scalar_subquery().label("lapsed"),
        count(Entry.state == "waiting").scalar_subquery().label("waiting"),
        ahead.scalar_subquery().label("new_ahead"),
        select(func.max(Entry.tap_order)).where(Entry.workshop_id == workshop_id).scalar_subquery()
        .label("max_key"),
        my(Entry.id).label("entry_id"),
        my(Entry.state).label("entry_state"),
        my(Entry.expires_at).label("entry_expires"),
        my_position.label("entry_position"),  # not waiting: none
    ]


async def waiting_count(session, workshop_ids: list[int]) -> dict[int, int]:
    counts = dict.fromkeys(workshop_ids, 0)
    if workshop_ids:
        rows = await session.execute(select(Entry.workshop_id, func.count()).where(
            Entry.workshop_id.in_(workshop_ids), Entry.state == "waiting").group_by(Entry.workshop_id))
        counts.update(dict(rows.all()))
    return counts


async def held(session, workshop_ids: list[int], user_id: int | None, now: dt.datetime) -> dict[int, tuple[int, bool]]:
    """Open offers per workshop (they count against capacity) and whether one is ``user_id``'s."""
    rows = await session.execute(select(Entry.workshop_id, Entry.user_id).where(
        Entry.workshop_id.in_(workshop_ids), Entry.state == "offered", Entry.expires_at > now))
    out: dict[int, tuple[int, bool]] = {}
    for wid, uid in rows.all():
        n, mine = out.get(wid, (0, False))
        out[wid] = (n + 1, mine or uid == user_id)
    return out


@dataclass(frozen=True)
class MyEntry:
    entry: Entry
    workshop: Workshop
    position: int | None  # None while an offer is open


async def my_entries(session, event_id: int, user_id: int) -> list[MyEntry]:
    rows = await session.execute(select(Entry, Workshop, _position_sq(Entry))
                                 .join(Workshop, Workshop.id == Entry.workshop_id)
                                 .where(Entry.event_id == event_id, Entry.user_id == user_id,
                                        Entry.state.in_(OPEN_STATES)).order_by(Workshop.starts_at))
    return [MyEntry(entry, workshop, place if entry.state == "waiting" else None)
            for entry, workshop, place in rows.all()]


async def queue_page(session, workshop_id: int, *, offset: int = 0, limit: int | None = None):
    """Open entries in queue order with their users: ``([(entry, user, member_profile)], total)``."""
    base = select(Entry).where(Entry.workshop_id == workshop_id, Entry.state.in_(OPEN_STATES))
    total = await session.scalar(select(func.count()).select_from(base.subquery()))
    stmt = (select(Entry, User, Member).join(User, User.id == Entry.user_id)
            .outerjoin(Member, (Member.user_id == Entry.user_id) & (Member.event_id == Entry.event_id))
            .where(Entry.workshop_id == workshop_id, Entry.state.in_(OPEN_STATES))
            .order_by(*QUEUE_ORDER).offset(offset))
    if limit is not None:
        stmt = stmt.limit(limit)
    return [(e, u, (m.profile if m else None) or {}) for e, u, m in (await session.execute(stmt)).all()], total or 0


# --- queueing and offers (workshop row locked by the caller) --------------------------------------

_INSERT_ENTRY = insert(Entry.__table__).values(
    workshop_id=bindparam("e_workshop_id"), event_id=bindparam("e_event_id"), user_id=bindparam("e_user_id"),
    state="waiting", tap_order=bindparam("e_tap_order"), created_at=bindparam("e_now", type_=UTCDateTime()),
    updated_at=bindparam("e_now", type_=UTCDateTime())).returning(Entry.__table__.c.id)


async def enqueue(app, session, event: Event, workshop: Workshop, user_id: int, now: dt.datetime, *,
                  state=None, order_key: int | None = None) -> QueueOutcome:
    """Queue ``user_id`` for the full (locked) workshop, or tell where they already are.

    With the ``SeatState`` read under the lock (``state_columns``) this is one INSERT: the user's
    entry, their place and the place a new tap takes are already known. ``order_key`` (the tap's
    update id) places the entry in tap order; without one it goes to the back."""
    if state is None or "entry_id" not in state.extra:
        values = (await session.execute(select(*state_columns(
            workshop.id, user_id, now, workshops.NO_ORDER_KEY if order_key is None else order_key)))).one()
        state = SeatState(booked=0, extra=dict(values._mapping))
    extra = state.extra
    if extra["entry_id"] is not None:
        if extra["entry_state"] == "offered":
            return QueueOutcome("offered", None, extra["entry_id"])
        return QueueOutcome("already_queued", extra["entry_position"], extra["entry_id"])
    if not offers_open(app, event, workshop, now):
        return QueueOutcome("closed")
    key = order_key if order_key is not None else (extra["max_key"] or 0) + 1
    entry_id = await session.scalar(_INSERT_ENTRY, dict(e_workshop_id=workshop.id, e_event_id=event.id,
                                                        e_user_id=user_id, e_tap_order=key, e_now=now))
    waiting, place = extra["waiting"] or 0, (extra["new_ahead"] or 0) + 1
    if place <= waiting:
        # A tap sent earlier than some already queued reached the lock later: it goes ahead of them,
        # so their places moved; the version bump lets their open cards show the new ones.
        workshop.version += 1
    extra.update(entry_id=entry_id, entry_state="waiting", entry_expires=None, entry_position=place,
                 waiting=waiting + 1, max_key=max(key, extra["max_key"] or 0))
    return QueueOutcome("queued", place, entry_id)


async def expire_lapsed(app, session, event: Event, workshop: Workshop, now: dt.datetime) -> int:
    """Offers past their deadline: mark expired (one conditional UPDATE) and tell their holders."""
    lapsed = (await session.execute(
        update(Entry).where(Entry.workshop_id == workshop.id, Entry.state == "offered", Entry.expires_at <= now)
        .values(state="expired", reason="deadline", updated_at=now).returning(Entry.id, Entry.user_id))).all()
    if lapsed:
        workshop.version += 1
        langs = await people.languages(session, event, [uid for _, uid in lapsed])
        for entry_id, uid in lapsed:
            tr = app.translator(langs[uid])
            await _notice(session, user_id=uid, event_id=event.id,
                          text=tr("waitlist-notice-expired", title=quote(workshop.title)),
                          dedupe_key=f"waitlist:expired:{entry_id}")
    return len(lapsed)


async def promote(app, session, event: Event, workshop: Workshop, now: dt.datetime) -> list[Entry]:
    """Offer every free seat of the (locked) workshop to the next people in line."""
    if not offers_open(app, event, workshop, now):
        return []
    booked = (await workshops.booked_counts(session, [workshop.id]))[workshop.id]
    holding = (await held(session, [workshop.id], None, now)).get(workshop.id, (0, False))[0]
    free = workshop.capacity - booked - holding
    offered: list[Entry] = []
    while free > 0:
        batch = list((await session.scalars(select(Entry).where(Entry.workshop_id == workshop.id,
                                                                Entry.state == "waiting")
                                            .order_by(*QUEUE_ORDER).limit(free))).all())
        if not batch:
            break
        blocked = await people.unreachable(session, [e.user_id for e in batch])
        for entry in batch:
            if entry.user_id in blocked:
                # They blocked the bot: an offer could never arrive, so it must not hold the seat.
                entry.state, entry.reason, entry.updated_at = "expired", "undeliverable", now
                continue
            await _offer(app, session, event, workshop, entry, now)
            offered.append(entry)
            free -= 1
    if offered:
        workshop.version += 1
    await session.flush()
    return offered


async def _offer(app, session, event, workshop: Workshop, entry: Entry, now: dt.datetime) -> None:
    entry.state, entry.offered_at, entry.updated_at = "offered", now, now
    entry.expires_at = offer_deadline(app, event, workshop, now)
    tz = workshops.tz_of(event)
    tr = app.translator((await people.languages(session, event, [entry.user_id]))[entry.user_id])
    deadline = entry.expires_at.astimezone(tz)
    lines = [tr("waitlist-offer", title=quote(workshop.title),
                when=workshops.format_when(tr, workshop, tz)),
             tr("waitlist-offer-deadline", time=dates.format_deadline(deadline, tz),
                day=workshops.format_day(tr, entry.expires_at, tz))]
    if workshop.place:
        lines.insert(1, tr("workshops-card-place", place=quote(workshop.place)))
    markup = {"inline_keyboard": [[
        {"text": tr("waitlist-btn-accept"), "callback_data": offer_callback(entry.id, "a")},
        {"text": tr("waitlist-btn-decline"), "callback_data": offer_callback(entry.id, "d")},
    ]]}
    await _notice(session, user_id=entry.user_id, event_id=event.id, text="\n".join(lines),
                  reply_markup=markup, dedupe_key=f"waitlist:offer:{entry.id}", interactive=True,
                  kind=OFFER_KIND, payload={"entry_id": entry.id})
    await _schedule_expiry(session, event, workshop, entry)


async def _schedule_expiry(session, event, workshop, entry: Entry) -> None:
    """Wake up at the deadline (core.jobs); the sweep remains the safety net if this is lost."""
    try:
        from core.jobs import schedule
    except ImportError:  # a core without due-time jobs: the periodic sweep does it, a little later
        return
    await schedule(session, key=f"waitlist:offer:{entry.id}", job="waitlist:offer_due", due_at=entry.expires_at,
                   payload={"event_id": event.id, "workshop_id": workshop.id, "entry_id": entry.id})


async def settle(app, session, event: Event, workshop: Workshop, now: dt.datetime) -> None:
    """Expire lapsed offers, then offer free seats: what every seat change ends with."""
    await expire_lapsed(app, session, event, workshop, now)
    await promote(app, session, event, workshop, now)


# --- a participant's answers -----------------------------------------------------------------------

@dataclass
class OfferAnswer:
    # booked | already | expired | declined | not_found | clash | closed
    status: str
    workshop: Workshop | None = None
    clash: object = None


async def _locked_entry(session, event: Event, user_id: int, entry_id: int):
    entry = await session.get(Entry, entry_id)
    if entry is None or entry.user_id != user_id or entry.event_id != event.id:
        return None, None
    workshop = await workshops.lock_workshop(session, event.id, entry.workshop_id)
    if workshop is None:
        return None, None
    await session.refresh(entry)  # the state as of the lock, not as of the first read
    return entry, workshop


async def accept(app, session: AsyncSession, event: Event, user_id: int, entry_id: int,
                 now: dt.datetime | None = None) -> OfferAnswer:
    now = now or utcnow()
    entry, workshop = await _locked_entry(session, event, user_id, entry_id)
    if entry is None:
        return OfferAnswer("not_found")
    if entry.state == "accepted" or await workshops.is_booked(session, workshop.id, user_id):
        return OfferAnswer("already", workshop)
    if entry.state != "offered" or entry.expires_at <= now:
        if entry.state == "offered":
            await settle(app, session, event, workshop, now)  # it lapsed: pass the seat on right away
        return OfferAnswer("declined" if entry.state == "declined" else "expired", workshop)
    clash = await workshops.find_clash(session, event.id, user_id, workshop)
    if clash is not None and workshops.config(app, event).overlap == "refuse":
        return OfferAnswer("clash", workshop, clash)  # the offer stays open: free the other slot and accept
    won = (await session.execute(
        update(Entry).where(Entry.id == entry.id, Entry.state == "offered", Entry.expires_at > now)
        .values(state="accepted", updated_at=now).returning(Entry.id))).first()
    if won is None:
        return OfferAnswer("expired", workshop)
    result = await workshops.book_held_seat(app, session, event, workshop, user_id, now)
    return OfferAnswer("booked" if result.status == "booked" else "already", workshop, clash)


async def decline(app, session: AsyncSession, event: Event, user_id: int, entry_id: int,
                  now: dt.datetime | None = None) -> OfferAnswer:
    now = now or utcnow()
    entry, workshop = await _locked_entry(session, event, user_id, entry_id)
    if entry is None:
        return OfferAnswer("not_found")
    if entry.state == "accepted":
        return OfferAnswer("already", workshop)
    declined = (await session.execute(
        update(Entry).where(Entry.id == entry.id, Entry.state == "offered", Entry.expires_at > now)
        .values(state="declined", reason="declined", updated_at=now).returning(Entry.id))).first()
    if declined is None:
        await settle(app, session, event, workshop, now)
        return OfferAnswer("declined" if entry.state == "declined" else "expired", workshop)
    workshop.version += 1
    await settle(app, session, event, workshop, now)  # the seat goes to the next person at once
    return OfferAnswer("declined", workshop)


@dataclass
class LeaveResult:
    status: str  # left | not_queued | not_found
    workshop: Workshop | None = None


async def leave(app, session, event: Event, user_id: int, workshop_id: int,
                now: dt.datetime | None = None) -> LeaveResult:
    now = now or utcnow()
    workshop = await workshops.lock_workshop(session, event.id, workshop_id)
    if workshop is None:
        return LeaveResult("not_found")
    entry = await open_entry(session, workshop.id, user_id)
    if entry is None:
        return LeaveResult("not_queued", workshop)
    was_offered = entry.state == "offered"
    entry.state, entry.updated_at = ("declined" if was_offered else "left"), now
    entry.reason = "declined" if was_offered else None
    workshop.version += 1
    await session.flush()
    if was_offered:
        await settle(app, session, event, workshop, now)
    return LeaveResult("left", workshop)


async def forget_member(app, session, event: Event, user_id: int, now: dt.datetime | None = None) -> int:
    """The person asked to be forgotten: every queue place of theirs in the event is dropped, and
    a seat held for them (an open offer) goes to the next in line. Returns how many."""
    now = now or utcnow()
    mine = await my_entries(session, event.id, user_id)
    for item in mine:
        await leave(app, session, event, user_id, item.workshop.id, now)
    return len(mine)


async def offer_undeliverable(app, session, entry_id: int, now: dt.datetime | None = None) -> bool:
    """Delivery said the offer can never arrive (403: the user blocked the bot): expire it at once
    and offer the seat to the next person. Idempotent."""
    now = now or utcnow()
    entry = await session.get(Entry, entry_id)
    if entry is None or entry.state != "offered":
        return False
    event = await session.get(Event, entry.event_id)
    workshop = await workshops.lock_workshop(session, entry.event_id, entry.workshop_id)
    if event is None or workshop is None:
        return False
    gone = (await session.execute(update(Entry).where(Entry.id == entry_id, Entry.state == "offered")
                                  .values(state="expired", reason="undeliverable", updated_at=now)
                                  .returning(Entry.id))).first()
    if gone is None:
        return False
    workshop.version += 1
    await settle(app, session, event, workshop, now)
    return True


# --- the sweep ------------------------------------------------------------------------------------

async def workshops_to_sweep(session, now: dt.datetime) -> list[tuple[int, int]]:
    """(event_id, workshop_id) with lapsed offers, or waiting people and possibly free seats."""
    lapsed = select(Entry.event_id, Entry.workshop_id).where(Entry.state == "offered", Entry.expires_at <= now)
    booked = (select(func.count()).select_from(Booking).where(Booking.workshop_id == Workshop.id)
              .scalar_subquery())
    offered = (select(func.count()).select_from(Entry).where(Entry.workshop_id == Workshop.id,
                                                             Entry.state == "offered").scalar_subquery())
    waiting = (select(Workshop.event_id, Workshop.id).where(
        Workshop.starts_at > now,
        select(Entry.id).where(Entry.workshop_id == Workshop.id, Entry.state == "waiting").exists(),
        Workshop.capacity > booked + offered))
    rows = set((await session.execute(lapsed.distinct())).all()) | set((await session.execute(waiting)).all())
    return sorted(rows)


async def sweep(app, now: dt.datetime | None = None) -> int:
    """Expire lapsed offers and pass their seats on; one short transaction per workshop."""
    now = now or utcnow()
    async with app.sessions() as session:
        targets = await workshops_to_sweep(session, now)
    changed = 0
    for event_id, workshop_id in targets:
        async with app.transaction() as session:
            event = await session.get(Event, event_id)
            if event is None or event.slug not in app.settings.events or PLUGIN not in app.active_plugins(event.slug):
                continue
            workshop = await workshops.lock_workshop(session, event_id, workshop_id)
            if workshop is None:
                continue
            before = workshop.version
            await settle(app, session, event, workshop, now)
            changed += workshop.version != before
    return changed


# --- what the workshop card shows ------------------------------------------------------------------

async def card_extras(app, session, event: Event, workshop: Workshop, user_id: int, tr, now,
                      state=None) -> CardExtras:
    """The user's queue line and buttons on a card: from ``state`` (the tap just made, read under the
    lock: no query), else from the database."""
    if state is not None and "entry_id" in state.extra:
        x = state.extra
        entry_id, entry_state, expires, place, waiting = (x["entry_id"], x["entry_state"], x["entry_expires"],
                                                          x["entry_position"], x["waiting"] or 0)
    else:
        entry = await open_entry(session, workshop.id, user_id)
        waiting = (await waiting_count(session, [workshop.id]))[workshop.id]
        entry_id, entry_state, expires = (entry.id, entry.state, entry.expires_at) if entry else (None, None, None)
        place = await position(session, entry) if entry is not None and entry_state == "waiting" else None
    extras = CardExtras()
    if entry_id is not None and entry_state == "offered" and expires > now:
        tz = workshops.tz_of(event)
        extras.status = "offered"
        extras.lines.append(tr("waitlist-card-offered", time=dates.format_deadline(expires, tz),
                               day=workshops.format_day(tr, expires, tz)))
        extras.buttons += [(tr("waitlist-btn-accept"), offer_callback(entry_id, "a")),
                           (tr("waitlist-btn-decline"), offer_callback(entry_id, "d"))]
    elif entry_id is not None and entry_state == "waiting":
        extras.status = "waiting"
        extras.lines.append(tr("waitlist-card-position", position=place, total=waiting))
        extras.buttons.append((tr("waitlist-btn-leave"), leave_callback(workshop.id)))
    elif waiting:
        extras.lines.append(tr("waitlist-card-waiting", count=waiting))
    return extras


async def export_rows(session, event: Event, workshop: Workshop) -> list[list]:
    tz = workshops.tz_of(event)
    entries, _ = await queue_page(session, workshop.id)
    rows, place = [], 0
    for entry, user, profile in entries:
        if entry.state == "waiting":
            place += 1
        name = profile.get("full_name") or " ".join(p for p in (user.first_name, user.last_name) if p) or str(user.id)
        rows.append([entry.state, place if entry.state == "waiting" else "", user.id, name, user.username or "",
                     profile.get("phone", ""), entry.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")])
    return rows
