"""Who came, kept on the booking by the workshops plugin alone (no qr plugin here): marked once by
door staff, taken back by organizers, gone with the booking, counted, and in the CSV."""

from __future__ import annotations

import asyncio
import csv
import io

import pytest

from core import people
from core.models import Role
from core.people import SYSTEM, NotAllowed
from plugins.workshops import attendance, attendees, booking, catalogue
from ws_helpers import add_workshop, admin_member, event, make_users, participant_member, start


async def test_door_staff_mark_who_came_once_organizers_take_it_back_and_the_csv_shows_it(sandbox):
    app = await start(sandbox, plugins=("workshops",))
    w = await add_workshop(app)
    alice, bob, kate = await make_users(app, 3)
    ev = await event(app)
    olga = await admin_member(app)
    async with app.transaction() as s:
        checker = await people.set_role(s, ev, kate, Role.CHECKER)
        assert (await booking.book(app, s, ev, alice, w.id)).status == "booked"
    participant = await participant_member(app, bob)

    async def mark(actor, uid):
        async with app.transaction() as s:
            return await attendance.mark_attended(app, s, ev, actor, w.id, uid)

    with pytest.raises(NotAllowed):
        await mark(participant, alice)
    marks = await asyncio.gather(*(mark(checker, alice) for _ in range(5)))
    assert sorted(m.status for m in marks) == ["already"] * 4 + ["marked"]
    assert len({m.at for m in marks}) == 1 and {m.by_user_id for m in marks} == {kate}
    assert (await mark(SYSTEM, bob)).status == "not_booked"
    assert (await mark(checker, alice)).status == "already"

    async with app.transaction() as s:
        assert await attendance.attended_counts(s, [w.id]) == {w.id: 1}
        [a], total = await attendees.attendees(s, ev, w.id)
        assert (a.user_id, total) == (alice, 1) and a.attended_at == marks[0].at
        rows = list(csv.DictReader(io.StringIO(await attendees.export_csv(app, s, ev, olga))))
        assert [r["attended_at"] != "" for r in rows] == [True]
        with pytest.raises(NotAllowed):
            await attendance.unmark_attended(app, s, ev, checker, w.id, alice)
        assert await attendance.unmark_attended(app, s, ev, olga, w.id, alice)
        assert not await attendance.unmark_attended(app, s, ev, olga, w.id, alice)
        assert await attendance.attended_counts(s, [w.id]) == {w.id: 0}

    # The mark lives on the booking: cancelled and booked again, nobody has come yet.
    assert (await mark(checker, alice)).status == "marked"
    async with app.transaction() as s:
        assert (await booking.cancel(app, s, ev, alice, w.id)).status == "cancelled"
        assert (await booking.book(app, s, ev, alice, w.id)).status == "booked"
        assert await attendance.attended_counts(s, [w.id]) == {w.id: 0}
    async with app.transaction() as s:
        await catalogue.delete_workshop(app, s, ev, olga, w.id)
    assert (await mark(checker, alice)).status == "no_workshop"
