"""An offer accepted while its holder has booked an overlapping workshop since queueing: the seat is
not taken, the offer stays open and the notice names the other booking (title, day, hours)."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

from sqlalchemy import func, select

from plugins.waitlist.models import Entry
from plugins.workshops.models import Booking
from ws_helpers import add_workshop, drain, open_card, start


def local_start(days_ahead: int, hour: int, minute: int = 0) -> dt.datetime:
    moscow = zoneinfo.ZoneInfo("Europe/Moscow")
    day = dt.datetime.now(moscow).date() + dt.timedelta(days=days_ahead)
    return dt.datetime.combine(day, dt.time(hour, minute), moscow).astimezone(dt.UTC)


async def test_accepting_an_offer_that_clashes_names_the_other_booking(sandbox):
    app = await start(sandbox, poll=True)
    await add_workshop(app, title="Soldering", capacity=1, starts_at=local_start(3, 10))
    await add_workshop(app, title="Welding <pro>", capacity=5, starts_at=local_start(3, 10, 30))
    alice, bob = sandbox.user("Alice"), sandbox.user("Bob")
    await open_card(alice, "Soldering")
    await alice.click("Записаться")
    await alice.expect(text="✅ Вы записаны")
    await open_card(bob, "Soldering")
    await bob.click(re.compile("лист ожидания"))
    await bob.expect(text="вы в листе ожидания: №1")
    await open_card(bob, "Welding")  # not booked for Soldering yet: no clash to refuse
    await bob.click("Записаться")
    await bob.expect(text="✅ Вы записаны на «Welding <pro>»")
    await open_card(alice, "Soldering")
    await alice.click("Отменить запись")
    await drain(sandbox)
    await bob.expect(text="Освободилось место на «Soldering»")
    await bob.click("Беру место")
    notice = await bob.expect(text="Не записали: пересекается с вашей записью на «Welding <pro>»")
    assert re.search(r"«Welding <pro>» \(\w\w, \d\d\.\d\d, 10:30–12:00\)", notice["text"]), notice["text"]
    assert "Беру место" in " ".join(bob.buttons())  # the offer still stands while it lasts
    async with app.sessions() as s:
        assert await s.scalar(select(Entry.state).where(Entry.user_id == bob.id)) == "offered"
        assert await s.scalar(select(func.count()).select_from(Booking).where(Booking.user_id == bob.id)) == 1
