"""Consent and personal data: every entry point needs the sign-up the event asks for; a
participant withdraws consent and deletes their data (cabinet, /delete), an operator does it
from the CLI; someone who never started the bot is not stored from a group."""

import asyncio
import datetime as dt
import os
import sys

from aiogram.filters import Command
from sqlalchemy import func, select

from core import people
from core.db import utcnow
from core.menu import ADMIN, CABINET, SCHEDULE, SWITCH_EVENT
from core.models import Member, User
from core.people import SYSTEM
from plugins.faq.models import FaqEntry
from plugins.waitlist.models import Entry
from plugins.workshops import booking, catalogue
from plugins.workshops.models import Booking
from plugins.workshops.organizer_input import WorkshopData

PLUGINS = ["faq", "news", "waitlist", "workshops"]
EVENT = {"demo": {"title": "DemoConf", "timezone": "Europe/Moscow", "signup": {"enabled": True}}}
GATE = "Сначала завершите регистрацию"
CONSENT = "согласны на обработку персональных данных"


def commands_of(router) -> set[str]:
    """Every command any message handler of the dispatcher answers (core's and every plugin's)."""
    found = set()
    for handler in router.message.handlers:
        for f in handler.filters or []:
            if isinstance(f.callback, Command):
                found |= {c for c in f.callback.commands if isinstance(c, str)}
    for sub in router.sub_routers:
        found |= commands_of(sub)
    return found


async def add_workshop(app, capacity=1):
    async with app.transaction() as s:
        ev = await people.event_by_slug(s, "demo")
        starts = (utcnow() + dt.timedelta(days=3)).replace(second=0, microsecond=0)
        return await catalogue.create_workshop(app, s, ev, SYSTEM, WorkshopData(
            title="Soldering", starts_at=starts, ends_at=starts + dt.timedelta(hours=1), capacity=capacity))


async def sign_up(user, name: str) -> None:
    await user.send("/start demo")
    await user.click("Согласен")
    await user.send(name)
    await user.share_contact("+7 999 123-45-67")
    await user.click("Пропустить")
    await user.expect(text="Главное меню")


async def test_every_command_and_menu_button_of_every_plugin_needs_the_signup(sandbox):
    from core.program import import_program

    app = await sandbox.start(plugins=PLUGINS, events=EVENT)
    w = await add_workshop(app, capacity=5)
    assert not (await import_program(app, "demo", {"faq": [{"key": "wifi", "question": "Wi-Fi?",
                                                             "answer": "guest"}]})).errors
    gus = sandbox.user("Gus")
    await gus.send("/start demo")
    await gus.click("Не согласен")
    await gus.expect(text="Без согласия")

    commands = commands_of(app.dispatcher) | {c.command for c in await app.bot_commands()}
    # Before the gate on purpose: joining, the menu (which asks again), and deleting one's data.
    commands -= {"start", "menu", "events", "delete"}
    assert {"cabinet", "schedule", "admin", "workshops"} <= commands
    for command in sorted(commands):
        await gus.send(f"/{command}")
        await gus.expect(text=GATE)
        await gus.expect(text=CONSENT)

    async with app.sessions() as s:
        ev = await people.event_by_slug(s, "demo")
        member = await people.get_member(s, ev.id, gus.id)
        items = await app.registry.call("menu_items", app=app, event=ev, member=member)
        items += await app.registry.call("admin_items", app=app, event=ev, member=member)
        faq_id = await s.scalar(select(func.max(FaqEntry.id)))
    buttons = {i.callback_data for i in items} | {m.callback_data for m in (CABINET, SCHEDULE, SWITCH_EVENT, ADMIN)}
    assert {"workshops.list:0", "faq:list", "workshops.admin:home:0:0"} <= buttons
    # What the menu leads to: a card, a booking, a queue, an answer, editing the phone, the language.
    buttons |= {f"workshops.card:{w.id}:0", f"workshops.book:{w.id}", f"workshops.cancel:{w.id}",
                f"waitlist.leave:{w.id}", f"faq:q:{faq_id}",
                "core:edit:phone", "core:lang", "core:lang:en"}
    buttons -= {"core:events"}  # the event picker: before the gate, like /events
    def consent_prompts() -> int:
        return sum(CONSENT in (m.get("text") or "") for m in gus.messages())

    for data in sorted(buttons):
        asked = consent_prompts()
        update = await sandbox.emulator.click(gus.id, gus.last_message()["message_id"], data, forged=True)
        await sandbox.settle()
        answer = sandbox.emulator.world.callbacks[update["callback_query"]["id"]].answer
        assert answer and GATE in (answer["text"] or ""), data
        assert consent_prompts() == asked + 1, data

    # After "I do not agree", a phone sent into the cabinet's old dialog is not saved either.
    await gus.share_contact("+7 999 000-00-00")
    async with app.sessions() as s:
        member = await s.scalar(select(Member).where(Member.user_id == gus.id))
        assert member.profile == {} and member.consent_at is None
        assert await s.scalar(select(func.count()).select_from(Booking)) == 0
        assert await s.scalar(select(func.count()).select_from(Entry)) == 0
    assert "Что-то пошло не так" not in gus.transcript()


async def released_to_next_in_line(sandbox, app, how) -> None:
    w = await add_workshop(app, capacity=1)
    mia, ned, ola = sandbox.user("Mia"), sandbox.user("Ned"), sandbox.user("Ola")
    for user, name in ((mia, "Мия Петрова"), (ned, "Нед Иванов"), (ola, "Оля Смирнова")):
        await sign_up(user, name)
    async with app.transaction() as s:
        ev = await people.event_by_slug(s, "demo")
        assert (await booking.book(app, s, ev, mia.id, w.id)).status == "booked"
    async with app.transaction() as s:
        ev = await people.event_by_slug(s, "demo")
        await booking.book(app, s, ev, ned.id, w.id)  # full: Ned queues first
    async with app.transaction() as s:
        ev = await people.event_by_slug(s, "demo")
        await booking.book(app, s, ev, ola.id, w.id)  # then Ola

    await how(mia)

    async with app.sessions() as s:
        member = await s.scalar(select(Member).where(Member.user_id == mia.id))
        user = await s.get(User, mia.id)
        assert member.profile == {} and member.consent_at is None and member.registered_at is None
        assert (user.first_name, user.last_name, user.username) == ("", None, None)
        assert await s.scalar(select(func.count()).select_from(Booking).where(Booking.user_id == mia.id)) == 0
        offered = await s.scalar(select(Entry).where(Entry.user_id == ned.id))
        assert offered.state == "offered"  # the freed seat went to the next in line
        waiting = await s.scalar(select(Entry).where(Entry.user_id == ola.id))
        assert waiting.state == "waiting"
    # Ola withdraws too: her place is dropped.
    await ola.send("/delete")
    await ola.click("Да, удалить")
    await ola.expect(text="удалены")
    async with app.sessions() as s:
        assert (await s.scalar(select(Entry).where(Entry.user_id == ola.id))).state == "left"
    # Withdrawn consent: the bot asks for it again before anything else.
    await mia.send("/workshops")
    await mia.expect(text=GATE)


async def test_delete_my_data_from_the_cabinet_releases_the_seat_to_the_next_in_line(sandbox):
    app = await sandbox.start(plugins=PLUGINS, events=EVENT)

    async def from_cabinet(user):
        await user.send("/cabinet")
        await user.click("Отозвать согласие и удалить данные")
        await user.expect(text="Удалить ваши данные")
        await user.click("Да, удалить")
        await user.expect(text="Ваши данные в «DemoConf» удалены")

    await released_to_next_in_line(sandbox, app, from_cabinet)


async def test_delete_command_and_keeping_the_data(sandbox):
    app = await sandbox.start(plugins=PLUGINS, events=EVENT)

    async def with_command(user):
        await user.send("/delete")
        await user.click("Нет, оставить")
        await user.expect(text="Ничего не удалено")
        async with app.sessions() as s:
            assert (await s.scalar(select(Member).where(Member.user_id == user.id))).profile != {}
        await user.send("/delete")
        await user.click("Да, удалить")
        await user.expect(text="удалены")

    await released_to_next_in_line(sandbox, app, with_command)


async def test_organizer_forgets_a_member_from_the_cli(sandbox, tmp_path):
    app = await sandbox.start(plugins=PLUGINS, events=EVENT)

    async def from_cli(user):
        config = tmp_path / "cli.toml"
        config.write_text(f'[bot]\ntoken = "1:x"\n[database]\nurl = "{sandbox.db_url}"\n'
                          '[events.demo]\ntitle = "DemoConf"\ntimezone = "Europe/Moscow"\n')
        env = {k: v for k, v in os.environ.items() if not k.startswith("ORGANIZER_")}

        async def run(*args):
            proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "core.cli", "members", "forget", *args,
                                                        "-c", str(config), stdout=asyncio.subprocess.PIPE,
                                                        stderr=asyncio.subprocess.STDOUT, env=env)
            out, _ = await asyncio.wait_for(proc.communicate(), 120)
            return proc.returncode, out.decode()

        code, out = await run("demo", "424242")
        assert code == 1 and "not a member of demo" in out, out
        code, out = await run("demo", str(user.id))
        assert code == 0 and "erased" in out, out
        app.context_cache.clear()  # the bot learns of the CLI's write when its cache entry lapses

    await released_to_next_in_line(sandbox, app, from_cli)


async def test_a_stranger_in_a_group_is_not_stored(sandbox):
    app = await sandbox.start(plugins=PLUGINS, events=EVENT)
    olga = sandbox.user("Olga")
    await sign_up(olga, "Ольга Котова")
    group = sandbox.emulator.add_group("Hackers", [olga.id])
    stranger = sandbox.user("Stranger")
    await stranger.in_chat(group["id"]).send("hello everyone")
    await stranger.in_chat(group["id"]).send("/workshops")
    await sandbox.settle()
    async with app.sessions() as s:
        assert await s.get(User, stranger.id) is None
        assert await s.get(User, olga.id) is not None


async def test_organizers_pass_the_gate_but_are_offered_the_form(sandbox):
    await sandbox.start(plugins=PLUGINS, events=EVENT)
    olga = await sandbox.admin("Olga")
    await olga.send("/start demo")
    await olga.expect(text=CONSENT)  # offered, like everyone
    await olga.send("/admin")
    await olga.expect(text="Панель организатора")
