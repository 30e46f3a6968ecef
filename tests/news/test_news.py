"""News from organizers to everyone in the event, through the real bot, the outbox and the emulator:
compose, preview, send, delivery report; photos; bad input; who may send; nothing sent twice."""

from __future__ import annotations

import asyncio
import io
import os
import re
import subprocess
import sys

import pytest
from PIL import Image
from sqlalchemy import func, select

from core import people
from core.delivery.models import Broadcast, OutboxMessage
from core.models import Role
from plugins.news import service

EVENTS = {"demo": {"title": "Demo", "timezone": "Europe/Moscow", "language": "ru", "signup": {"enabled": False}}}


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "orange").save(out, format="PNG")
    return out.getvalue()


async def start(sandbox):
    return await sandbox.start(plugins=["news"], events=EVENTS, poll=True)


async def joined(sandbox, *names):
    users = []
    for name in names:
        user = sandbox.user(name)
        await user.send("/start demo")
        await user.expect(text="Главное меню")
        users.append(user)
    return users


async def open_news(olga):
    await olga.send("/start demo")
    await olga.click("Панель организатора")
    await olga.click("Новости и рассылки")


async def compose(olga, text: str | None = None, photo: bytes | None = None) -> dict:
    """The organizer writes news up to the "who gets it?" question; returns that question's message."""
    await open_news(olga)
    await olga.click("Написать новость")
    await (olga.send_photo(photo, caption=text) if photo else olga.send(text))
    return await olga.expect(text="Кому отправить?")


async def confirm(olga, audience="Всем участникам") -> dict:
    """Write news and choose its group: returns the "send to N people?" message."""
    await olga.click(audience)
    return await olga.expect(text="Отправить новость")


async def broadcasts(app) -> int:
    async with app.sessions() as s:
        return await s.scalar(select(func.count()).select_from(Broadcast))


async def test_organizer_news_reaches_everyone_and_the_author_gets_a_delivery_report(sandbox):
    await start(sandbox)
    alice, bob = await joined(sandbox, "Alice", "Bob")
    sandbox.emulator.faults.block_bot(bob.id)
    olga = await sandbox.admin("Olga")
    await open_news(olga)
    await olga.expect(text="В мероприятии 3 человека.")
    await olga.click("Написать новость")
    await olga.expect(text="Пришлите текст новости")
    await olga.send("Двери открываются в 9:00 <b>не</b> раньше")
    await olga.expect(text="Так новость увидят участники. Кому отправить?")
    preview = "📣 Demo · от организаторов\n\nДвери открываются в 9:00 <b>не</b> раньше"
    assert any(m["text"] == preview for m in olga.messages())  # exactly what members will get
    await olga.click("Всем участникам · 3")
    confirm = await olga.expect(text="Отправить новость: Всем участникам — 3 человека?")
    assert olga.buttons()[:1] == ["✅ Всем участникам · 3"]  # the chosen group is marked
    await olga.click("Отправить (3 людям)")
    await olga.expect(text="Новость поставлена в очередь для 3 человек.")
    await sandbox.drain_outbox()

    # What the organizer typed arrives as typed: "<b>" was text, not markup.
    got = await alice.expect(text="Двери открываются в 9:00 <b>не</b> раньше")
    # Under a header naming the event: the participant sees who writes; "<b>" stays text.
    assert got["text"] == preview
    assert [e["type"] for e in got["entities"]] == ["bold"] and got["entities"][0]["length"] == len("Demo")
    report = await olga.expect(text="Рассылка «Двери открываются в 9:00 <b>не</b> раньше» завершена")
    assert "Доставлено: 2 из 3" in report["text"] and "Заблокировали бота: 1" in report["text"], report["text"]
    await open_news(olga)
    await olga.expect(text=re.compile(r"доставлено 2 из 3, не доставлено 0, заблокировали бота 1, в очереди 0"))


async def test_a_photo_with_a_caption_is_sent_as_a_photo(sandbox):
    app = await start(sandbox)
    (alice,) = await joined(sandbox, "Alice")
    olga = await sandbox.admin("Olga")
    await compose(olga, "Схема зала", photo=png())
    await olga.click("Всем участникам")
    await olga.click("Отправить")
    await sandbox.drain_outbox()
    got = await alice.expect(text="Схема зала")
    assert got["photo_file_id"]
    async with app.sessions() as s:
        assert (await s.scalar(select(Broadcast.title))) == "Схема зала"


async def test_what_cannot_be_news_is_explained_and_nothing_is_queued(sandbox):
    app = await start(sandbox)
    olga = await sandbox.admin("Olga")
    await open_news(olga)
    await olga.click("Написать новость")
    await olga.share_contact("+79990001122")
    await olga.expect(text="Новостью может быть текст или фото с подписью")
    await olga.click("Отмена")
    await olga.expect(text="Новость не отправлена")
    await olga.send("Передумала")  # the dialog is over: this is not news
    assert await broadcasts(app) == 0
    async with app.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(OutboxMessage)) == 0


async def test_a_second_tap_on_send_sends_nothing_more(sandbox):
    app = await start(sandbox)
    (alice,) = await joined(sandbox, "Alice")
    olga = await sandbox.admin("Olga")
    await compose(olga, "Кофе-брейк перенесён на 11:30")
    question = await confirm(olga)
    # A double tap: both presses leave the client before the bot answers either.
    for _ in range(2):
        await sandbox.emulator.click(olga.id, question["message_id"], "nws:send:all", token=sandbox.token)
    await sandbox.settle()
    await olga.expect(text="поставлена в очередь")
    assert await broadcasts(app) == 1
    assert "Что-то пошло не так" not in olga.transcript()
    await sandbox.drain_outbox()
    assert sum("Кофе-брейк" in m["text"] for m in alice.messages()) == 1


async def test_an_organizer_demoted_mid_dialog_cannot_send(sandbox):
    app = await start(sandbox)
    await joined(sandbox, "Alice")
    olga = await sandbox.admin("Olga")
    await compose(olga, "Секретное объявление")
    question = await confirm(olga)
    async with app.transaction() as s:
        await people.set_role(s, await people.event_by_slug(s, "demo"), olga.id, Role.PARTICIPANT)
    update = await sandbox.emulator.click(olga.id, question["message_id"], "nws:send:all", token=sandbox.token)
    await sandbox.settle()
    answers = [r.params.get("text", "") for r in sandbox.emulator.requests_for("answerCallbackQuery")
               if r.params.get("callback_query_id") == update["callback_query"]["id"]]
    assert answers == ["Это доступно только организаторам мероприятия."]
    assert await broadcasts(app) == 0


async def test_the_service_refuses_non_organizers_and_unsendable_text(sandbox):
    app = await start(sandbox)
    (alice,) = await joined(sandbox, "Alice")
    async with app.transaction() as s:
        event = await people.event_by_slug(s, "demo")
        member = await people.get_member(s, event.id, alice.id)
        with pytest.raises(service.NotAllowed):
            await service.send(app, s, event, member, text_html="hi")
        with pytest.raises(service.NotAllowed):
            await service.recent(app, s, event, member)
    with pytest.raises(service.NewsError, match="news-error-too-long"):
        service.check("я" * 4097, with_photo=False)
    with pytest.raises(service.NewsError, match="news-error-too-long"):
        service.check("я" * 1025, with_photo=True)
    with pytest.raises(service.NewsError, match="news-error-empty"):
        service.check("  ", with_photo=False)
    service.check("<b>" + "я" * 4096 + "</b>", with_photo=False)  # markup does not count, as in Telegram
    assert service.title_of("<b>Doors</b> open\nsecond line") == "Doors open"


def run_cli(*args: str, config) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORGANIZER_")}
    return subprocess.run([sys.executable, "-m", "core.cli", "news", "send", *args, "-c", str(config)],
                          capture_output=True, text=True, env=env, timeout=120)


async def test_news_from_the_cli_reaches_members_through_the_running_bot(sandbox, tmp_path):
    app = await sandbox.start(plugins=["workshops", "news"], events=EVENTS, poll=True)  # the CLI loads both
    (alice,) = await joined(sandbox, "Alice")
    config = tmp_path / "organizer.toml"
    config.write_text(f'[bot]\ntoken = "1:x"\n[database]\nurl = "{sandbox.db_url}"\n'
                      '[events.demo]\ntitle = "Demo"\n[events.demo.signup]\nenabled = false\n')
    picture = tmp_path / "hall.png"
    picture.write_bytes(png())

    done = await asyncio.to_thread(run_cli, "demo", "Зал <A> открыт", "--photo", str(picture), config=config)
    assert done.returncode == 0, done.stderr
    assert "Queued broadcast 1 for 1 member(s) of demo" in done.stdout
    await sandbox.drain_outbox()
    got = await alice.expect(text="Зал <A> открыт")  # plain text: "<A>" is not markup
    assert got["photo_file_id"]

    for args, problem in ((("nosuch", "hi"), "unknown event 'nosuch'"),
                          (("demo", "   "), "The text is empty"),
                          (("demo", "hi", "--photo", str(tmp_path / "missing.png")), "no such file"),
                          (("demo", "hi", "--to", "workshops:7"), "That group is gone")):
        refused = await asyncio.to_thread(run_cli, *args, config=config)
        assert refused.returncode == 2 and problem in refused.stderr, (args, refused.stderr)
    assert await broadcasts(app) == 1


async def test_news_to_the_people_booked_for_one_workshop_only(sandbox):
    from ws_helpers import add_workshop, event, open_card
    from core.people import SYSTEM
    from plugins.workshops import catalogue

    app = await sandbox.start(plugins=["workshops", "news"], events=EVENTS, poll=True)
    soldering = await add_workshop(app, title="Soldering", capacity=5)
    await add_workshop(app, title="Empty one", capacity=5, hours_ahead=80)  # nobody booked: not offered
    alice, bob = await joined(sandbox, "Alice", "Bob")
    await open_card(alice, "Soldering")
    await alice.click("Записаться")
    await alice.expect(text="Вы записаны")
    olga = await sandbox.admin("Olga")
    question = await compose(olga, "Возьмите паяльники")
    labels = olga.buttons()
    assert "Всем участникам · 3" in labels
    assert not any(b.startswith("✅") for b in labels)  # nothing is chosen yet
    workshop_label = re.compile(r"🎓 \d\d\.\d\d \d\d:\d\d «Soldering» · 1")
    assert any(workshop_label.fullmatch(b) for b in labels), labels
    assert all(len(b) <= 40 for b in labels), labels  # short enough not to be cut on a phone
    await olga.click(workshop_label)
    await olga.expect(text=re.compile(r"Отправить новость: 🎓 \d\d\.\d\d \d\d:\d\d «Soldering» — 1 человек\?"))
    assert not any("Empty one" in b for b in labels)

    # Bob books after the preview: the group is read when the news is sent, so he gets it too.
    await open_card(bob, "Soldering")
    await bob.click("Записаться")
    await bob.expect(text="Вы записаны")
    await sandbox.emulator.click(olga.id, question["message_id"], f"nws:send:workshops:{soldering.id}",
                                 token=sandbox.token)
    await sandbox.settle()
    await olga.expect(text="Новость поставлена в очередь для 2 человек.")
    await sandbox.drain_outbox()
    await alice.expect(text="Возьмите паяльники")
    await bob.expect(text="Возьмите паяльники")
    async with app.sessions() as s:  # the organizer and the others in the event got nothing
        assert set((await s.scalars(select(OutboxMessage.chat_id)
                                    .where(OutboxMessage.batch_id.is_not(None)))).all()) == {alice.id, bob.id}

    # A group that is gone by the time of sending is explained; nothing is queued for it.
    async with app.transaction() as s:
        await catalogue.delete_workshop(app, s, await event(app), SYSTEM, soldering.id)
    async with app.transaction() as s:
        ev = await event(app)
        member = await people.get_member(s, ev.id, olga.id)
        with pytest.raises(service.NewsError, match="news-error-audience-gone"):
            await service.send(app, s, ev, member, text_html="x", audience=f"workshops:{soldering.id}")
        with pytest.raises(service.NewsError, match="news-error-audience-gone"):
            await service.send(app, s, ev, member, text_html="x", audience="nosuch:1")


async def test_a_double_tap_on_the_news_button_shows_the_page_once_without_errors(sandbox):
    await start(sandbox)
    olga = await sandbox.admin("Olga")
    await olga.send("/start demo")
    await olga.click("Панель организатора")
    panel = olga.last_message()
    for _ in range(2):
        await sandbox.emulator.click(olga.id, panel["message_id"], "nws:home", token=sandbox.token)
    await sandbox.settle()
    await olga.expect(text="📣 Новости")
    assert "Что-то пошло не так" not in olga.transcript()
