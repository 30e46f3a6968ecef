"""The door's rules on both databases, without Telegram: one mark however many desks scan one pass
at one door at once, who may mark or undo, and the door log."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from core import people
from core.models import Role
from desk import DOOR_EVENTS, workshops_today
from plugins.qr import doors, service
from plugins.qr.models import CheckIn, Scan
from plugins.qr.service import Outcome
from plugins.workshops.models import Booking

GUEST, STRANGER, OLGA = 1000, 1001, 1
DESKS = range(2000, 2020)


async def setup(sandbox):
    app = await sandbox.start(plugins=["qr", "workshops"], events=DOOR_EVENTS, poll=False)
    async with app.transaction() as s:
        ev = await people.event_by_slug(s, "demo")
        for uid in (GUEST, STRANGER):
            await people.set_role(s, ev, uid, Role.PARTICIPANT)
        for uid in DESKS:
            await people.set_role(s, ev, uid, Role.CHECKER)
        await people.set_role(s, ev, OLGA, Role.ADMIN)
    ids = await workshops_today(app, {"Пайка": [GUEST]})
    return app, ids["Пайка"]


async def payload_of(app, uid) -> str:
    async with app.transaction() as s:
        ev = await people.event_by_slug(s, "demo")
        m = await people.get_member(s, ev.id, uid)
        return await service.payload(app, s, ev, await service.my_pass(app, s, ev, m))


async def scan(app, by: int, payload: str, door: int) -> service.ScanResult:
    async with app.transaction() as s:
        ev = await people.event_by_slug(s, "demo")
        return await service.check_in_payloads(app, s, ev, await people.get_member(s, ev.id, by), [payload], door)


async def test_twenty_desks_scanning_one_pass_at_one_door_at_once_mark_it_exactly_once(sandbox):
    app, door = await setup(sandbox)
    token = await payload_of(app, GUEST)
    results = await asyncio.gather(*(scan(app, uid, token, door) for uid in DESKS))
    outcomes = [r.outcome for r in results]
    assert outcomes.count(Outcome.OK) == 1 and outcomes.count(Outcome.ALREADY) == 19, outcomes
    first = next(r for r in results if r.outcome is Outcome.OK)
    assert all(r.at == first.at and r.door == door for r in results)
    async with app.sessions() as s:
        booking = await s.scalar(select(Booking).where(Booking.user_id == GUEST))
        assert booking.attended_at == first.at and booking.attended_by in DESKS
        scopes = (await s.scalars(select(Scan.scope))).all()
        assert scopes == [f"ws:{door}"] * 20  # every scan logged, at that door
        assert await s.scalar(select(func.count()).select_from(CheckIn)) == 0  # the entrance is untouched


async def test_not_booked_is_named_and_only_desk_staff_mark_and_only_organizers_undo(sandbox):
    app, door = await setup(sandbox)
    async with app.transaction() as s:
        ev = await people.event_by_slug(s, "demo")
        guest, stranger, desk, olga = [await people.get_member(s, ev.id, uid) for uid in (GUEST, STRANGER, 2000, OLGA)]
    token, other = await payload_of(app, GUEST), await payload_of(app, STRANGER)

    with pytest.raises(service.NotAllowed):
        await scan(app, STRANGER, token, door)  # a participant cannot stand at a door
    async with app.transaction() as s:
        with pytest.raises(service.NotAllowed):
            await doors.todays(app, s, ev, guest)
    result = await scan(app, 2000, other, door)
    assert result.outcome is Outcome.NOT_BOOKED and result.name is not None
    assert (await scan(app, 2000, token, door)).outcome is Outcome.OK

    async with app.transaction() as s:
        [today] = await doors.todays(app, s, ev, desk)  # tomorrow's workshop is not a door today
        assert (today.workshop_id, today.came, today.booked) == (door, 1, 1)
        with pytest.raises(service.NotAllowed):
            await doors.undo(app, s, ev, desk, door, GUEST)  # a checker only scans
        assert await doors.undo(app, s, ev, olga, door, GUEST) is not None
        assert await doors.undo(app, s, ev, olga, door, GUEST) is None  # already undone
    assert (await scan(app, 2001, token, door)).outcome is Outcome.OK
    async with app.sessions() as s:
        assert "undo" in (await s.scalars(select(Scan.result).where(Scan.scope == f"ws:{door}"))).all()
        assert (await s.scalar(select(Booking).where(Booking.user_id == GUEST))).attended_by == 2001
