"""Waitlist domain logic: a fair queue per workshop and offers that hold a seat until a deadline.

No aiogram here. Every function that changes seats runs with the workshop row locked (the
workshops service locks it, or we lock it through ``lock_workshop``), so offers are made, accepted,
declined and expired one at a time per workshop, and each change writes its notice to the outbox in
the same transaction.

- Queue order is the entry id, assigned under the lock: the order in which taps were served.
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

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import utcnow
from core.models import Event, Member, User
from plugins.waitlist.config import WaitlistConfig
from plugins.waitlist.models import OPEN_STATES, Entry
from plugins.workshops import notify
from plugins.workshops import service as workshops
from plugins.workshops.models import Booking, Workshop
from plugins.workshops.results import CardExtras, QueueOutcome

PLUGIN = "waitlist"
OFFER_KIND = "waitlist:offer"  # delivery-outcome kind: an offer that cannot be delivered expires at once


def config(app, event: Event) -> WaitlistConfig:
    try:
        conf = app.plugin_config(event.slug, PLUGIN)
    except KeyError:
        conf = None
    return conf if isinstance(conf, WaitlistConfig) else WaitlistConfig()


def offer_callback(entry_id: int, action: str) -> str:
    """Callback data of the offer buttons (``handlers.WlOffer`` packs the same shape)."""
    return f"wlo:{entry_id}:{action}"


def leave_callback(workshop_id: int) -> str:
    return f"wll:{workshop_id}"


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


async def position(session, entry: Entry) -> int:
    """1-based place among the people still waiting (those with an offer are no longer in line)."""
    return await session.scalar(select(func.count()).select_from(Entry).where(
        Entry.workshop_id == entry.workshop_id, Entry.state == "waiting", Entry.id <= entry.id)) or 0


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
    rows = await session.execute(select(Entry, Workshop).join(Workshop, Workshop.id == Entry.workshop_id)
                                 .where(Entry.event_id == event_id, Entry.user_id == user_id,
                                        Entry.state.in_(OPEN_STATES)).order_by(Workshop.starts_at))
    out = []
    for entry, workshop in rows.all():
        out.append(MyEntry(entry, workshop, await position(session, entry) if entry.state == "waiting" else None))
    return out


async def queue_page(session, workshop_id: int, *, offset: int = 0, limit: int | None = None):
    """Open entries in queue order with their users: ``([(entry, user, member_profile)], total)``."""
    base = select(Entry).where(Entry.workshop_id == workshop_id, Entry.state.in_(OPEN_STATES))
    total = await session.scalar(select(func.count()).select_from(base.subquery()))
    stmt = (select(Entry, User, Member).join(User, User.id == Entry.user_id)
            .outerjoin(Member, (Member.user_id == Entry.user_id) & (Member.event_id == Entry.event_id))
            .where(Entry.workshop_id == workshop_id, Entry.state.in_(OPEN_STATES))
            .order_by(Entry.id).offset(offset))
    if limit is not None:
        stmt = stmt.limit(limit)
    return [(e, u, (m.profile if m else None) or {}) for e, u, m in (await session.execute(stmt)).all()], total or 0


# --- queueing and offers (workshop row locked by the caller) --------------------------------------

async def enqueue(app, session, event: Event, workshop: Workshop, user_id: int, now: dt.datetime) -> QueueOutcome:
    """Queue ``user_id`` for the full (locked) workshop, or tell where they already are."""
    existing = await open_entry(session, workshop.id, user_id)
    if existing is not None:
        if existing.state == "offered":
            return QueueOutcome("offered", None, existing.id)
        return QueueOutcome("already_queued", await position(session, existing), existing.id)
    if not offers_open(app, event, workshop, now):
        return QueueOutcome("closed")
    entry = Entry(workshop_id=workshop.id, event_id=event.id, user_id=user_id, state="waiting",
                  created_at=now, updated_at=now)
    session.add(entry)
    await session.flush()
    return QueueOutcome("queued", await position(session, entry), entry.id)


async def expire_lapsed(app, session, event: Event, workshop: Workshop, now: dt.datetime) -> int:
    """Offers past their deadline: mark expired (one conditional UPDATE) and tell their holders."""
    lapsed = (await session.execute(
        update(Entry).where(Entry.workshop_id == workshop.id, Entry.state == "offered", Entry.expires_at <= now)
        .values(state="expired", reason="deadline", updated_at=now).returning(Entry.id, Entry.user_id))).all()
    if lapsed:
        workshop.version += 1
        langs = await notify.languages(app, session, event, [uid for _, uid in lapsed])
        for entry_id, uid in lapsed:
            tr = app.translator(langs[uid])
            await notify.enqueue_notice(session, user_id=uid, event_id=event.id,
                                        text=tr("waitlist-notice-expired", title=workshops._q(workshop.title)),
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
                                            .order_by(Entry.id).limit(free))).all())
        if not batch:
            break
        blocked = await notify.unreachable(session, [e.user_id for e in batch])
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
    tr = app.translator((await notify.languages(app, session, event, [entry.user_id]))[entry.user_id])
    deadline = entry.expires_at.astimezone(tz)
    lines = [tr("waitlist-offer", title=workshops._q(workshop.title),
                when=workshops.format_when(tr, workshop, tz)),
             tr("waitlist-offer-deadline", time=deadline.strftime("%H:%M"),
                day=workshops.format_day(tr, entry.expires_at, tz))]
    if workshop.place:
        lines.insert(1, tr("workshops-card-place", place=workshops._q(workshop.place)))
    markup = {"inline_keyboard": [[
        {"text": tr("waitlist-btn-accept"), "callback_data": offer_callback(entry.id, "a")},
        {"text": tr("waitlist-btn-decline"), "callback_data": offer_callback(entry.id, "d")},
    ]]}
    await notify.enqueue_notice(session, user_id=entry.user_id, event_id=event.id, text="\n".join(lines),
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

async def card_extras(app, session, event: Event, workshop: Workshop, user_id: int, tr, now) -> CardExtras:
    extras = CardExtras()
    entry = await open_entry(session, workshop.id, user_id)
    waiting = (await waiting_count(session, [workshop.id]))[workshop.id]
    if entry is not None and entry.state == "offered" and entry.expires_at > now:
        tz = workshops.tz_of(event)
        extras.status = "offered"
        extras.lines.append(tr("waitlist-card-offered", time=entry.expires_at.astimezone(tz).strftime("%H:%M"),
                               day=workshops.format_day(tr, entry.expires_at, tz)))
        extras.buttons += [(tr("waitlist-btn-accept"), offer_callback(entry.id, "a")),
                           (tr("waitlist-btn-decline"), offer_callback(entry.id, "d"))]
    elif entry is not None and entry.state == "waiting":
        extras.status = "waiting"
        extras.lines.append(tr("waitlist-card-position", position=await position(session, entry), total=waiting))
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
