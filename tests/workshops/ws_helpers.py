"""Shared set-up for workshops and waitlist tests: an app on the test database, users, workshops."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core import people
from core.db import utcnow
from core.models import Event, Member, Role

EVENTS = {"demo": {"title": "Demo", "timezone": "Europe/Moscow", "language": "ru", "signup": {"enabled": False}}}


_EMULATORS: dict[int, object] = {}


async def start(sandbox, *, plugins=("workshops", "waitlist"), workshops=None, waitlist=None, poll=False):
    sections = {"workshops": workshops or {}, "waitlist": waitlist or {}}
    events = {"demo": dict(EVENTS["demo"], plugins={k: v for k, v in sections.items() if k in plugins})}
    app = await sandbox.start(plugins=list(plugins), events=events, poll=poll)
    _EMULATORS[id(app)] = sandbox.emulator
    return app


async def event(app) -> Event:
    async with app.sessions() as s:
        return await people.event_by_slug(s, "demo")


async def make_users(app, n: int, start_id: int = 1000, emulator=None) -> list[int]:
    """Members of the demo event, also known to the emulator (so their offers can be delivered)."""
    ev = await event(app)
    emulator = emulator or _EMULATORS.get(id(app))
    if emulator is not None:
        for uid in range(start_id, start_id + n):
            if uid not in emulator.world.users:
                emulator.add_user(f"U{uid}", user_id=uid)
    async with app.transaction() as s:
        for uid in range(start_id, start_id + n):
            user = await people.upsert_user(s, people.TelegramProfile(uid, f"U{uid}", language_code="ru"))
            await people.join_event(s, user, ev, app.settings)
    return list(range(start_id, start_id + n))


async def admin_member(app, user_id: int = 1) -> Member:
    ev = await event(app)
    async with app.transaction() as s:
        await people.upsert_user(s, people.TelegramProfile(user_id, "Olga"))
        member = await people.set_role(s, ev, user_id, Role.ADMIN)
    return member


async def participant_member(app, user_id: int) -> Member:
    async with app.sessions() as s:
        return await s.scalar(select(Member).where(Member.user_id == user_id))


async def add_workshop(app, *, title="Soldering", capacity=10, hours_ahead=72, minutes=90, key=None,
                       place="Room 1", starts_at=None):
    from core.people import SYSTEM
    from plugins.workshops import catalogue
    from plugins.workshops.organizer_input import WorkshopData

    ev = await event(app)
    starts = starts_at or (utcnow() + dt.timedelta(hours=hours_ahead)).replace(second=0, microsecond=0)
    data = WorkshopData(title=title, starts_at=starts, ends_at=starts + dt.timedelta(minutes=minutes),
                                capacity=capacity, speaker="Ivan", place=place, description="Bring a laptop")
    async with app.transaction() as s:
        w = await catalogue.create_workshop(app, s, ev, SYSTEM, data, key=key)
    return w


async def drain(sandbox) -> int:
    """Send what the outbox holds (the harness's sender, or one made here while it is not wired)."""
    try:
        return await sandbox.drain_outbox()
    except RuntimeError:  # an app without a running sender: drain with one made here
        pass
    from core.config import DeliverySettings
    from core.delivery import OutboxSender

    sender = OutboxSender(sandbox.app.bot, sandbox.app.sessions,
                          DeliverySettings(global_rate=1000, private_chat_rate=100, private_chat_burst=100))
    try:
        sent = await sender.drain_until_idle(timeout=30)
    finally:
        await sender.close()
    await sandbox.settle()
    return sent


async def refresh(sandbox) -> int:
    from plugins.workshops.live import refresh_views

    edited = await refresh_views(sandbox.app)
    await sandbox.settle()
    return edited


async def open_card(user, title: str = "Soldering") -> None:
    import re

    await user.send("/start demo")
    await user.click("Мастер-классы")
    await user.click(re.compile(re.escape(title)))
