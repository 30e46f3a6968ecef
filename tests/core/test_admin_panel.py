"""The organizer panel: the same keyboard however often and by whomever it is opened."""

import json
from pathlib import Path

import core
from core import keyboards
from core.contributions import MenuItem
from core.i18n import Catalogs


async def test_panel_opened_five_times_keeps_one_back_button_for_every_organizer(sandbox):
    await sandbox.start(plugins=["faq", "news"])
    olga = await sandbox.admin("Olga")
    await olga.send("/start demo")
    await olga.expect(text="Главное меню")
    first = None
    for _ in range(5):
        await olga.send("/admin")
        await olga.expect(text="Панель организатора")
        labels = olga.buttons()
        assert labels.count("⬅️ В меню") == 1, labels
        first = first or labels
        assert labels == first
        await olga.click("⬅️ В меню")
        await olga.expect(text="Главное меню")
    pavel = await sandbox.admin("Pavel")
    await pavel.send("/start demo")
    await pavel.send("/admin")
    await pavel.expect(text="Панель организатора")
    assert pavel.buttons() == first


def test_menu_keyboard_hands_out_a_markup_the_caller_may_change():
    tr = Catalogs([Path(core.__file__).parent / "locales"]).translator("ru")
    items = [MenuItem(text_key="btn-menu", callback_data="core:menu", order=1)]
    a = keyboards.menu_keyboard(items, tr)
    a.inline_keyboard.append([keyboards.button("x", "x")])
    a.inline_keyboard[0].append(keyboards.button("y", "y"))
    b = keyboards.menu_keyboard(items, tr)
    assert [[btn.text for btn in row] for row in b.inline_keyboard] == [["⬅️ В меню"]]


SIGNUP_EVENT = {"demo": {"title": "DemoConf", "timezone": "Europe/Moscow", "signup": {"enabled": True}}}


def chat_commands(sandbox, chat_id: int) -> list[str]:
    scope = json.dumps({"type": "chat", "chat_id": chat_id}, sort_keys=True)
    return [c["command"] for c in sandbox.emulator.world.bots[sandbox.token].commands.get((scope, ""), [])]


async def test_organizer_reaches_the_panel_without_the_signup_form_and_sees_admin_in_commands(sandbox):
    await sandbox.start(plugins=["faq"], events=SIGNUP_EVENT)
    olga = await sandbox.admin("Olga")
    await olga.send("/start demo")
    await olga.expect(text="согласны на обработку персональных данных")  # offered, as to everyone
    assert "/admin" in olga.transcript()  # told where the panel is
    assert "admin" in chat_commands(sandbox, olga.id) and "menu" in chat_commands(sandbox, olga.id)
    await olga.send("/admin")  # without answering the form
    await olga.expect(text="Панель организатора")

    alice = sandbox.user("Alice")
    await alice.send("/start demo")
    await alice.expect(text="согласны на обработку персональных данных")  # participants still sign up
    assert chat_commands(sandbox, alice.id) == []  # /admin is not offered to participants


async def test_a_typed_answer_removes_the_buttons_of_the_question_it_answers(sandbox):
    await sandbox.start(plugins=["workshops"])
    olga = await sandbox.admin("Olga")
    await olga.send("/start demo")
    await olga.click("Панель организатора")
    await olga.click("Мастер-классы")
    await olga.click("Новый мастер-класс")
    title_q = await olga.expect(text="Название")
    await olga.send("Пайка")
    speaker_q = await olga.expect(text="Спикер")
    assert "Пропустить" in olga.buttons()
    await olga.send("Иван")  # typed instead of tapping "Пропустить"
    await olga.expect(text="Место")

    def buttons_of(message_id):
        return next(m["buttons"] for m in olga.messages() if m["message_id"] == message_id)

    assert buttons_of(title_q["message_id"]) == [] and buttons_of(speaker_q["message_id"]) == []
    place_q = olga.last_message()
    await olga.send("x" * 500)  # a rejected answer: the question is still open and keeps its buttons
    await olga.expect(text="Слишком длинно")
    assert "Пропустить" in buttons_of(place_q["message_id"])
