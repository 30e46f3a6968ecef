"""Waitlist: when a workshop is full, users queue automatically; a freed seat is offered to the next
person with Accept / Decline and a deadline, and held for them meanwhile. Built on the hooks the
workshops plugin publishes."""

from __future__ import annotations

from pathlib import Path

from core import JobSpec, ProfileSection, hookimpl
from core.contributions import PluginManifest
from plugins.waitlist.config import WaitlistConfig

HERE = Path(__file__).resolve().parent

manifest = PluginManifest(
    name="waitlist",
    version="0.1.0",
    description="Fair per-workshop queues with held-seat offers (accept / decline / deadline)",
    depends_on=("workshops",),
    config_model=WaitlistConfig,
    migrations=HERE / "migrations" / "versions",
    locales=HERE / "locales",
)


async def _event(session, workshop):
    from core.models import Event

    return await session.get(Event, workshop.event_id)


async def _locked(session, workshop_id):
    from plugins.workshops.models import Workshop

    # The workshops service locked this row before calling the hook: the identity map has it.
    return await session.get(Workshop, workshop_id)


@hookimpl
def register_routers(app):
    from plugins.waitlist import handlers

    return [handlers.router()]


@hookimpl
def register_jobs(app):
    from plugins.waitlist import jobs

    return [JobSpec("sweep", jobs.sweep, interval=15.0, misfire="run"),
            JobSpec("offer_due", jobs.offer_due, misfire="run")]


@hookimpl
async def profile_sections(app, session, event, member, tr):
    from plugins.waitlist import service
    from plugins.workshops import public as workshops

    mine = await service.my_entries(session, event.id, member.user_id)
    if not mine:
        return None
    tz = workshops.tz_of(event)
    lines = []
    for item in mine:
        when = workshops.format_when(tr, item.workshop, tz)
        if item.position is None:
            lines.append(tr("waitlist-profile-offered", title=service.quote(item.workshop.title), when=when))
        else:
            lines.append(tr("waitlist-profile-line", title=service.quote(item.workshop.title), when=when,
                            position=item.position))
    return [ProfileSection("waitlist-profile-title", tuple(lines), order=31)]


# --- hooks published by the workshops plugin --------------------------------------------------------

@hookimpl
async def workshops_process_holds(app, session, workshop, now):
    from plugins.waitlist import service

    event = await _event(session, workshop)
    if await service.expire_lapsed(app, session, event, workshop, now):
        await service.promote(app, session, event, workshop, now)  # their seats go to the queue first


@hookimpl
async def workshops_held_seats(app, session, workshop_ids, user_id, now):
    from plugins.waitlist import service

    return await service.held(session, workshop_ids, user_id, now)


@hookimpl
def workshops_state_columns(app, params):
    from plugins.waitlist import service

    return service.state_columns(params.workshop_id, params.user_id, params.now, params.order_key)


@hookimpl
def workshops_carry_state(app, state, left):
    """The taps before this one (in a batch, in tap order) queued people behind whom this tap
    would go: each moved the waiting count and this tap's place on by one."""
    mine, before = state.extra, left.extra
    if mine["entry_id"] is not None:
        return False  # already in line: their place is read afresh
    joined = (before["waiting"] or 0) - (mine["waiting"] or 0)
    mine.update(waiting=before["waiting"], new_ahead=(mine["new_ahead"] or 0) + joined, max_key=before["max_key"])
    return True


@hookimpl
async def workshops_full(app, session, event, workshop, user_id, now, state, order_key):
    from plugins.waitlist import service

    return await service.enqueue(app, session, event, workshop, user_id, now, state=state, order_key=order_key)


@hookimpl
async def workshops_booked(app, session, workshop, user_id, source, state):
    """Booked directly (a seat freed after the offer cutoff, or a held seat via the card): the
    user's open entry is closed so it neither holds a second seat nor keeps a place in line."""
    from sqlalchemy import update

    from core.db import utcnow
    from plugins.waitlist.models import OPEN_STATES, Entry

    if state is not None and "entry_id" in state.extra:
        if state.extra["entry_id"] is None:
            return  # read under the lock: the user has no open entry, nothing to close
        if state.extra["entry_state"] == "waiting":
            state.extra["waiting"] = max(0, (state.extra["waiting"] or 0) - 1)
        state.extra.update(entry_id=None, entry_state=None, entry_position=None)
    await session.execute(update(Entry).where(Entry.workshop_id == workshop.id, Entry.user_id == user_id,
                                              Entry.state.in_(OPEN_STATES))
                          .values(state="accepted", updated_at=utcnow()))


@hookimpl
async def seat_released(app, session, workshop_id, count, now):
    from plugins.waitlist import service

    workshop = await _locked(session, workshop_id)
    await service.settle(app, session, await _event(session, workshop), workshop, now)


@hookimpl
async def capacity_changed(app, session, workshop_id, old, new, now):
    from plugins.waitlist import service

    workshop = await _locked(session, workshop_id)
    await service.settle(app, session, await _event(session, workshop), workshop, now)


@hookimpl
async def workshops_card_extras(app, session, event, workshop, user_id, tr, now, state):
    from plugins.waitlist import service

    return await service.card_extras(app, session, event, workshop, user_id, tr, now, state=state)


@hookimpl
async def workshops_people(app, session, workshop):
    from plugins.waitlist import service

    entries, _ = await service.queue_page(session, workshop.id)
    return {entry.user_id: ("offered" if entry.state == "offered" else "waiting") for entry, _u, _p in entries}


@hookimpl
async def workshops_export_rows(app, session, workshop):
    from plugins.waitlist import service

    return await service.export_rows(session, await _event(session, workshop), workshop)


# --- delivery outcomes ----------------------------------------------------------------------------

@hookimpl
def on_startup(app):
    """An offer notice that cannot be delivered (403: bot blocked; or failed for good) expires the
    offer at once and the seat goes to the next person, in the sender's transaction."""
    from core.delivery.outcomes import outcome_handlers
    from plugins.waitlist import service

    async def offer_outcome(session, row, outcome):
        entry_id = (row.payload or {}).get("entry_id")
        if not outcome.delivered and entry_id:
            await service.offer_undeliverable(app, session, int(entry_id))

    app.services["waitlist.offer_outcome"] = offer_outcome
    outcome_handlers.register(service.OFFER_KIND, offer_outcome)


@hookimpl
def on_shutdown(app):
    from core.delivery.outcomes import outcome_handlers
    from plugins.waitlist import service

    handler = app.services.pop("waitlist.offer_outcome", None)
    if handler is not None:
        outcome_handlers.unregister(service.OFFER_KIND, handler)


@hookimpl
async def forget_member(app, session, event, member):
    from plugins.waitlist import service

    await service.forget_member(app, session, event, member.user_id)


@hookimpl(optionalhook=True)
async def admin_chat_dashboard(app, session, event, tr):
    """The organizers' dashboard (admin_chat): people waiting for each upcoming workshop, if any."""
    import html

    from plugins.waitlist import service
    from plugins.workshops import public as workshops

    upcoming = await workshops.list_workshops(session, event.id, upcoming_only=True)
    waiting = await service.waiting_count(session, [w.id for w in upcoming])
    return [tr("waitlist-dashboard-line", title=html.escape(w.title, quote=False), waiting=waiting[w.id])
            for w in upcoming if waiting[w.id]]
