"""Races the database settles: two publishes at once, two people using one speaker link, a double
tap on a bookmark. Each on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from core import people
from core.db import utcnow
from core.models import User
from plugins.schedule import clock, service
from plugins.schedule.models import Bookmark, Release
from sch_helpers import day, event, load, outbox_count, program, session_id, start
from ws_helpers import make_users


async def test_two_publishes_at_once_release_once_and_tell_each_person_once(sandbox):
    app = await start(sandbox, poll=False)
    d = day()
    await load(app, program(d))
    users = await make_users(app, 20, emulator=sandbox.emulator)
    rust, ux = await session_id(app, "rust"), await session_id(app, "ux")
    ev = await event(app)
    async with app.transaction() as s:
        for uid in users:
            await service.toggle_bookmark(s, ev, uid, rust if uid % 2 else ux, now=clock.now())
        await service.stage_changes(app, s, ev, service.SYSTEM, rust, {"room": "Room X"}, now=utcnow())
        await service.stage_changes(app, s, ev, service.SYSTEM, ux, {"room": "Room Y"}, now=utcnow())

    async def publish():
        async with app.transaction() as s:
            return await service.publish(app, s, ev, service.SYSTEM, now=utcnow())

    results = await asyncio.gather(publish(), publish())
    assert sum(r is not None for r in results) == 1
    async with app.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Release)) == 1
    assert await outbox_count(app, "schedule:release:") == 20


async def test_one_speaker_link_used_by_two_people_at_once_has_one_winner(sandbox):
    app = await start(sandbox, poll=False)
    await load(app, program(day()))
    a, b = await make_users(app, 2, emulator=sandbox.emulator)
    ev = await event(app)
    async with app.transaction() as s:
        from plugins.schedule.models import Speaker

        ivan = await s.scalar(select(Speaker.id).where(Speaker.key == "ivan"))
        payload = await service.create_speaker_link(app, s, ev, service.SYSTEM, ivan, now=utcnow())
    token = payload.split("--", 1)[1]

    async def claim(uid):
        async with app.transaction() as s:
            member = await people.join_event(s, await s.get(User, uid), ev, app.settings)
            return (await service.claim_speaker(s, ev, member, token, now=utcnow())).status

    assert sorted(await asyncio.gather(claim(a), claim(b))) == ["claimed", "used"]


async def test_a_double_tap_bookmarks_once(sandbox):
    app = await start(sandbox, poll=False)
    await load(app, program(day()))
    [uid] = await make_users(app, 1, emulator=sandbox.emulator)
    rust = await session_id(app, "rust")
    ev = await event(app)

    async def tap():
        async with app.transaction() as s:
            return await service.toggle_bookmark(s, ev, uid, rust, now=utcnow())

    states = await asyncio.gather(tap(), tap())
    async with app.sessions() as s:
        count = await s.scalar(select(func.count()).select_from(Bookmark).where(Bookmark.user_id == uid))
    # Two taps are "add" then "remove" in whichever order they commit: never two rows.
    assert count in (0, 1) and sorted(map(str, states)) in (["False", "True"], ["True", "True"])
    assert count == (1 if states == [True, True] else 0)


async def test_forgetting_a_member_drops_their_bookmarks_and_reminder_setting(sandbox):
    import plugins.schedule as plugin
    from plugins.schedule.models import ReminderPref

    app = await start(sandbox, poll=False)
    await load(app, program(day()))
    a, b = await make_users(app, 2, emulator=sandbox.emulator)
    rust = await session_id(app, "rust")
    ev = await event(app)
    async with app.transaction() as s:
        for uid in (a, b):
            await service.toggle_bookmark(s, ev, uid, rust, now=utcnow())
        await service.set_pref(app, s, ev, a, enabled=False, minutes=None)
    async with app.transaction() as s:
        member = await s.scalar(select(people.Member).where(people.Member.user_id == a))
        await plugin.forget_member(app, s, ev, member)
    async with app.sessions() as s:
        left = (await s.scalars(select(Bookmark.user_id).where(Bookmark.session_id == rust))).all()
        assert list(left) == [b]
        assert await s.get(ReminderPref, (ev.id, a)) is None
