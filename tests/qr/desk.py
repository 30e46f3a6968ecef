"""The desk's test helpers: a started bot, members who joined, their passes, a checker at the desk."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from core import people
from core.models import Role
from plugins.qr.models import CheckIn

DEMO = {"title": "Demo", "timezone": "Europe/Moscow", "language": "ru", "signup": {"enabled": False}}
EVENTS = {"demo": DEMO, "other": dict(DEMO, title="Other Conf")}


async def start(sandbox, events=None, plugins=("qr",)):
    return await sandbox.start(plugins=list(plugins), events=events or EVENTS, poll=True)


async def joined(sandbox, *names, event="demo"):
    users = []
    for name in names:
        user = sandbox.user(name)
        await user.send(f"/start {event}")
        await user.expect(text="Главное меню")
        users.append(user)
    return users


async def pass_png(sandbox, user) -> tuple[bytes, dict]:
    """The user opens "My pass"; returns the PNG the bot sent and the message."""
    await user.send("/menu")
    await user.click("Мой пропуск")
    got = await user.expect(text="Код:")
    assert got["photo_file_id"], "the pass is sent as a photo"
    return sandbox.emulator.world.files[got["photo_file_id"]].data, got


def code_of(message) -> str:
    return re.search(r"Код: (\w{4}-\w{4})", message["caption"]).group(1)


async def checker(sandbox, name="Kate", event="demo"):
    person = sandbox.user(name)
    async with sandbox.app.transaction() as session:
        ev = await people.event_by_slug(session, event)
        await people.set_role(session, ev, person.id, Role.CHECKER)
    await person.send(f"/start {event}")
    await person.click("Пункт регистрации")
    await person.expect(text="Присылайте фото пропусков")
    return person


async def checkins(app) -> int:
    async with app.sessions() as s:
        return await s.scalar(select(func.count()).select_from(CheckIn))


DOOR_EVENTS = {"demo": dict(DEMO, plugins={"qr": {"door_checkin": True}})}


async def workshops_today(app, booked: dict[str, list[int]], event="demo") -> dict[str, int]:
    """Workshops "Пайка" (today, 00:01 in the event's zone) and "Завтрашний" (tomorrow) with the
    given bookings; returns their ids by title. Rows written directly: "earlier today" must work
    at any hour the suite runs, and the organizer's tools (rightly) refuse a start in the past."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from core.db import utcnow
    from plugins.workshops.models import Booking, Workshop

    moscow = ZoneInfo("Europe/Moscow")
    today = dt.datetime.combine(dt.datetime.now(moscow).date(), dt.time(0, 1), moscow).astimezone(dt.UTC)
    ids = {}
    async with app.transaction() as s:
        ev = await people.event_by_slug(s, event)
        for title, starts in (("Пайка", today), ("Завтрашний", today + dt.timedelta(days=1, hours=1))):
            w = Workshop(event_id=ev.id, title=title, place="Зал 2", starts_at=starts,
                         ends_at=starts + dt.timedelta(minutes=30), capacity=5, created_at=utcnow(),
                         updated_at=utcnow())
            s.add(w)
            await s.flush()
            ids[title] = w.id
            for uid in booked.get(title, ()):
                s.add(Booking(workshop_id=w.id, event_id=ev.id, user_id=uid))
    return ids
