"""The organizers' control panel: run-time plugin switches, roles (never the last organizer),
the organizers' room, the dashboard, the members export (bot and CLI), forgetting a member."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import subprocess
import sys

import pytest
from sqlalchemy import select

from ac_helpers import ask, organizer, participant, start
from core import people
from core.models import Member, Role, User
from plugins.admin_chat import panel, service
from plugins.admin_chat.models import AdminChatMessage, AdminChatSwitch, AdminChatTicket


async def open_panel(person, section: str) -> None:
    await person.send("/admin")
    await person.click(section)


async def test_a_plugin_switched_off_disappears_at_the_next_tap_and_its_old_buttons_are_not_available(sandbox):
    app = await start(sandbox, plugins=("admin_chat", "faq"))
    olga = await organizer(sandbox, "Olga")
    anna = await participant(sandbox, "Anna")
    assert "❓ Вопросы и ответы" in anna.buttons()
    old_menu = anna.last_message()

    await open_panel(olga, "Разделы бота")
    await olga.click("faq")
    shown = await olga.expect(text="Разделы бота")
    assert "⚪️ faq — изменено в панели" in shown["text"]

    # Anna's old menu: the FAQ button now answers that the section is not available.
    update = await sandbox.emulator.click(anna.id, old_menu["message_id"], "faq:list")
    await sandbox.settle()
    answer = sandbox.emulator.world.callbacks[update["callback_query"]["id"]].answer
    assert answer["text"] == "Этот раздел сейчас недоступен. Откройте меню: /menu"
    await anna.send("/menu")
    menu = await anna.expect(text="Главное меню")
    assert "❓ Вопросы и ответы" not in menu["buttons"]

    async with app.sessions() as s:  # persisted, and wins over the config after a restart
        [switch] = (await s.scalars(select(AdminChatSwitch))).all()
        assert (switch.plugin, switch.enabled, switch.changed_by) == ("faq", False, olga.id)
    app.set_plugin_override("demo", "faq", None)
    assert "faq" in app.active_plugins("demo")
    async with app.transaction() as s:
        assert await panel.load_switches(app, s) == 1
    assert "faq" not in app.active_plugins("demo")

    await olga.click("Вернуть как в настройках")
    await olga.expect(text="🟢 faq — как в настройках")
    await anna.send("/menu")
    assert "❓ Вопросы и ответы" in (await anna.expect(text="Главное меню"))["buttons"]


async def test_the_panel_cannot_switch_itself_off(sandbox):
    app = await start(sandbox)
    async with app.transaction() as s:
        event = await people.event_by_slug(s, "demo")
        with pytest.raises(panel.PanelError, match="admin_chat-plugins-self"):
            await panel.switch_plugin(app, s, event, people.SYSTEM, "admin_chat", False)
        with pytest.raises(people.NotAllowed):
            await panel.switch_plugin(app, s, event, None, "admin_chat", True)


async def test_roles_granted_by_name_with_confirmation_and_never_the_last_organizer(sandbox):
    app = await start(sandbox)
    olga = await organizer(sandbox, "Olga")
    await participant(sandbox, "Кирилл")

    await open_panel(olga, "Роли")
    await olga.send("КИР")
    await olga.click("Кирилл")
    await olga.click("контролёр на входе")
    await olga.expect(text="получит роль «контролёр на входе». Подтвердить?")
    await olga.click("Подтвердить")
    await olga.expect(text="Готово: Кирилл — контролёр на входе")

    await open_panel(olga, "Роли")
    await olga.send("Olg")
    await olga.click("Olga")
    await olga.click("участник")
    await olga.click("Подтвердить")
    await olga.expect(text="Нельзя снять последнего организатора")
    async with app.sessions() as s:
        roles = dict((await s.execute(select(User.first_name, Member.role).join(Member))).all())
    assert roles == {"Olga": "admin", "Кирилл": "checker"}


@pytest.mark.parametrize("round_", range(3))
async def test_two_organizers_removing_each_other_at_once_leave_one(sandbox, round_):
    app = await start(sandbox)
    olga = await organizer(sandbox, "Olga")
    ivan = await organizer(sandbox, "Ivan")

    async def remove(actor_id, target_id):
        async with app.transaction() as s:
            event = await people.event_by_slug(s, "demo")
            actor = await people.get_member(s, event.id, actor_id)
            try:
                await panel.set_role(app, s, event, actor, target_id, "participant")
                return "done"
            except (panel.PanelError, people.NotAllowed) as exc:
                return type(exc).__name__

    results = await asyncio.gather(remove(olga.id, ivan.id), remove(ivan.id, olga.id))
    assert sorted(results) != ["done", "done"], results
    async with app.sessions() as s:
        admins = (await s.scalars(select(Member.user_id).where(Member.role == Role.ADMIN.value))).all()
    assert len(admins) == 1


async def test_organizers_room_reaches_the_others_and_a_removed_organizer_is_out_at_once(sandbox):
    app = await start(sandbox)
    olga = await organizer(sandbox, "Olga")
    ivan = await organizer(sandbox, "Ivan")
    anna = await participant(sandbox, "Anna")

    await open_panel(olga, "Чат организаторов")
    await olga.expect(text="Чат организаторов")
    await olga.send("Кто закрывает зал?")
    await olga.expect(text="Отправлено организаторам: 1")
    await sandbox.drain_outbox()
    got = await ivan.expect(text="Кто закрывает зал?")
    assert "Olga" in got["text"]
    await anna.expect_nothing()

    await open_panel(ivan, "Чат организаторов")
    await ivan.expect(text="Кто закрывает зал?")  # the history
    async with app.transaction() as s:
        event = await people.event_by_slug(s, "demo")
        await panel.set_role(app, s, event, people.SYSTEM, ivan.id, "participant")
    await ivan.send("Я!")
    await ivan.expect(text="только организаторам")
    await olga.send("Ещё вопрос")
    await olga.expect(text="Отправлено организаторам: 0")
    await sandbox.drain_outbox()
    await ivan.expect_nothing()


async def test_dashboard_counts_people_tickets_and_what_other_plugins_report(sandbox):
    import datetime as dt

    from core.db import utcnow
    from plugins.waitlist import service as waitlist
    from plugins.workshops import booking, catalogue
    from plugins.workshops.organizer_input import WorkshopData

    app = await start(sandbox, plugins=("admin_chat", "workshops", "waitlist"))
    olga = await organizer(sandbox, "Olga")
    anna = await participant(sandbox, "Anna")
    boris = await participant(sandbox, "Boris")
    await ask(anna, "Вопрос")
    async with app.transaction() as s:
        event = await people.event_by_slug(s, "demo")
        starts = utcnow() + dt.timedelta(days=2)
        w = await catalogue.create_workshop(app, s, event, people.SYSTEM, WorkshopData(
            title="Пайка", starts_at=starts, ends_at=starts + dt.timedelta(hours=1), capacity=1, speaker="Ivan",
            place="Room 1", description=None))
    async with app.transaction() as s:
        await booking.book(app, s, event, anna.id, w.id)
    async with app.transaction() as s:
        await booking.book(app, s, event, boris.id, w.id)  # full: Boris queues
    assert (await _waiting(app, waitlist, w.id)) == 1
    await open_panel(olga, "Сводка")
    shown = await olga.expect(text="Сводка")
    assert "Участников: 3" in shown["text"] and "организаторов: 1" in shown["text"]
    assert "ждут ответа 1" in shown["text"]
    assert "🎓 Пайка: занято 1 из 1" in shown["text"] and "⏳ Пайка: в листе ожидания 1" in shown["text"]


async def _waiting(app, waitlist, workshop_id):
    async with app.sessions() as s:
        return (await waitlist.waiting_count(s, [workshop_id]))[workshop_id]


def run_cli(*args: str, config) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORGANIZER_")}
    return subprocess.run([sys.executable, "-m", "core.cli", "members", *args, "-c", str(config)],
                          capture_output=True, text=True, env=env, timeout=120)


async def test_members_export_in_the_bot_and_the_cli_is_formula_safe(sandbox, tmp_path):
    app = await start(sandbox)
    olga = await organizer(sandbox, "Olga")
    evil = sandbox.user("=HYPERLINK(\"http://x\")")
    await evil.send("/start demo")
    await evil.expect(text="Главное меню")
    async with app.transaction() as s:
        member = await s.scalar(select(Member).where(Member.user_id == evil.id))
        people.record_consent(member)
        people.complete_registration(member, {"full_name": "+7 (999) 000", "company": "@corp"})

    await open_panel(olga, "Выгрузка участников")
    doc = await olga.expect(text="Участники: 2")
    file_id = doc["document"]["file_id"]
    data = sandbox.emulator.world.files[file_id].data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(data)))
    bad = next(r for r in rows if r["user_id"] == str(evil.id))
    assert bad["first_name"] == "'=HYPERLINK(\"http://x\")"
    assert bad["full_name"] == "'+7 (999) 000" and bad["company"] == "'@corp"
    assert bad["consent_at"] and bad["registered_at"]

    config = tmp_path / "organizer.toml"
    config.write_text(f'[bot]\ntoken = "1:x"\n[database]\nurl = "{sandbox.db_url}"\n'
                      '[events.demo]\ntitle = "Demo"\n[events.demo.signup]\nenabled = false\n')
    done = await asyncio.to_thread(run_cli, "export", "demo", config=config)
    assert done.returncode == 0, done.stderr
    assert list(csv.DictReader(io.StringIO(done.stdout))) == rows
    refused = await asyncio.to_thread(run_cli, "export", "nosuch", config=config)
    assert refused.returncode == 2 and "Unknown event 'nosuch'" in refused.stderr


async def test_forgetting_a_member_anonymises_their_tickets(sandbox):
    app = await start(sandbox)
    olga = await organizer(sandbox, "Olga")
    anna = await participant(sandbox, "Anna")
    await ask(anna, "Мой телефон +7 999 123")
    await sandbox.drain_outbox()
    prompt_from = await olga.expect(text="Мой телефон")
    await olga.send("Записали", reply_to=prompt_from["message_id"])
    await olga.expect(text="Ответ по №1 отправлен")

    from core import privacy

    async with app.transaction() as s:  # what the cabinet's "delete my data", /delete and the CLI call
        event = await people.event_by_slug(s, "demo")
        member = await people.get_member(s, event.id, anna.id)
        await privacy.forget_member(app, s, event, member)
    async with app.sessions() as s:
        [ticket] = (await s.scalars(select(AdminChatTicket))).all()
        msgs = (await s.scalars(select(AdminChatMessage).order_by(AdminChatMessage.id))).all()
    assert (ticket.user_id, ticket.author_name, ticket.status) == (None, "", "closed")
    assert [(m.direction, m.author_id, m.text) for m in msgs] == [("in", None, None), ("out", olga.id, "Записали")]
    async with app.transaction() as s:
        event = await people.event_by_slug(s, "demo")
        actor = await people.get_member(s, event.id, olga.id)
        author = await s.get(User, olga.id)
        with pytest.raises(service.HelpdeskError, match="admin_chat-ticket-forgotten"):
            await service.answer(app, s, event, actor, ticket.id, author=author, text="ещё")
