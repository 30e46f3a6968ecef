"""The participant's news feed: past news of their event, newest first, only what was sent to them."""

from __future__ import annotations

from core import people
from plugins.news import service

EVENTS = {"demo": {"title": "Demo", "timezone": "Europe/Moscow", "language": "ru", "signup": {"enabled": False}}}


async def test_a_participant_pages_through_past_news_newest_first(sandbox):
    app = await sandbox.start(plugins=["news", "schedule"], events=EVENTS, poll=True)
    alice = sandbox.user("Alice")
    await alice.send("/start demo")
    await alice.expect(text="Главное меню")
    await alice.click("📣 Новости")
    await alice.expect(text="Новостей пока не было")

    bob = sandbox.user("Bob")
    await bob.send("/start demo")
    await bob.expect(text="Главное меню")
    async with app.transaction() as s:
        ev = await people.event_by_slug(s, "demo")
        await service.send(app, s, ev, service.SYSTEM, text_html="<b>Doors open</b> at 9")
        await service.send(app, s, ev, service.SYSTEM, text_html="Lunch moved to 13:30")
        await service.send(app, s, ev, service.SYSTEM, text_html="Keynote starts soon")
    await sandbox.drain_outbox()

    await alice.send("/menu")
    await alice.click("📣 Новости")
    latest = await alice.expect(text="Keynote starts soon")
    assert "1/3" in alice.buttons()
    await alice.click("‹ Раньше")
    await alice.expect(text="Lunch moved to 13:30")
    await alice.click("‹ Раньше")
    first = await alice.expect(text="Doors open")
    assert "3/3" in alice.buttons() and "‹ Раньше" not in alice.buttons()
    assert latest and first
    await alice.click("Позже ›")
    await alice.expect(text="Lunch moved")


async def test_news_for_a_group_is_in_the_feed_of_that_group_only(sandbox):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "schedule"))
    from sch_helpers import day, load, program, session_id
    from plugins.schedule import clock
    from plugins.schedule import service as schedule

    app = await sandbox.start(plugins=["news", "schedule"], events=EVENTS, poll=True)
    await load(app, program(day()))
    rust = await session_id(app, "rust")
    alice, bob = sandbox.user("Alice"), sandbox.user("Bob")
    for user in (alice, bob):
        await user.send("/start demo")
        await user.expect(text="Главное меню")
    async with app.transaction() as s:
        ev = await people.event_by_slug(s, "demo")
        await service.send(app, s, ev, service.SYSTEM, text_html="For everyone")
        assert await schedule.toggle_bookmark(s, ev, bob.id, rust, now=clock.now())
    async with app.transaction() as s:
        await service.send(app, s, ev, service.SYSTEM, text_html="Rust room changed", audience=f"schedule:{rust}")
    await sandbox.drain_outbox()
    await bob.expect(text="Rust room changed")
    async with app.transaction() as s:
        ev = await people.event_by_slug(s, "demo")
        item, total = await service.feed(s, ev, alice.id, 0)
        assert total == 1 and item.text.endswith("\n\nFor everyone")  # under the event's header
        item, total = await service.feed(s, ev, bob.id, 0)
        assert total == 2 and item.text.endswith("\n\nRust room changed")
        member = await people.join_event(s, await people.upsert_user(s, people.TelegramProfile(555, "Late")), ev,
                                         app.settings)
        assert (await service.feed(s, ev, member.user_id, 0)) == (None, 0)
