"""The FAQ through the real bot: typed questions find answers despite typos and other word forms,
nothing found offers what other plugins publish through ``faq_unanswered`` (with the typed text),
organizers edit categories and entries in the bot with clear errors, browsing by category."""

from __future__ import annotations

import re

import pytest

from core import PluginManifest, hookimpl, people
from core.models import Role
from plugins.faq import search, service

EVENTS = {"demo": {"title": "Demo", "timezone": "Europe/Moscow", "language": "ru", "signup": {"enabled": False}}}
ENTRIES = [
    {"key": "wifi", "question": "Как подключиться к Wi-Fi?", "answer": "Сеть «DemoConf», пароль demo2026."},
    {"key": "venue", "question": "Где проходит конференция?", "answer": "Москва, ул. Примерная, 1."},
    {"key": "food", "question": "Будет ли обед?", "answer": "Обед с 14:30 до 15:00 в фойе второго этажа."},
    {"key": "slides", "question": "Где взять презентации докладов?", "answer": "Спикеры пришлют слайды после выступлений."},
]


class Helpdesk:
    """Stands in for admin_chat: implements the FAQ's published hook as an optional one."""

    manifest = PluginManifest(name="helpdesk", version="0.0.1")

    def __init__(self):
        self.asked: list[str] = []

    @hookimpl(optionalhook=True)
    def faq_unanswered(self, app, session, event, member, question, tr):
        self.asked.append(question)
        return [("✉️ Спросить организаторов", "helpdesk:ask")]


async def start(sandbox, extra=(), faq_on=True):
    events = {"demo": {**EVENTS["demo"], "plugins": {"faq": {"enabled": faq_on}}}}
    app = await sandbox.start(plugins=["faq"], events=events, extra_plugins=list(extra))
    async with app.transaction() as s:
        event = await people.event_by_slug(s, "demo")
        await service.import_entries(s, event.id, ENTRIES)
    return app


async def joined(sandbox, name="Alice"):
    user = sandbox.user(name)
    await user.send("/start demo")
    await user.expect(text="Главное меню")
    return user


def test_search_forgives_typos_and_word_forms():
    entries = [(i, e["question"], e["answer"]) for i, e in enumerate(ENTRIES)]
    # "презинтацию" (a typo and another case), "доклада" (another form), "скачать" (not in the entry)
    assert [h.entry_id for h in search.rank("презинтацию доклада где скачать", entries)][:1] == [3]
    assert [h.entry_id for h in search.rank("когда обедаем", entries)][:1] == [2]
    assert [h.entry_id for h in search.rank("адрес конференцыи", entries)][:1] == [1]
    assert search.rank("парковка для машин", entries) == []
    assert search.rank("как где когда", entries) == []  # only stop words: no guess


async def test_a_typed_paraphrase_with_a_typo_finds_the_entry(sandbox):
    await start(sandbox)
    alice = await joined(sandbox)
    await alice.send("где скачать презинтацию доклада?")
    await alice.expect(text="Вот что нашлось")
    await alice.click("Где взять презентации докладов?")
    await alice.expect(text="Спикеры пришлют слайды")


async def test_nothing_found_offers_the_helpdesk_with_the_typed_text(sandbox):
    helpdesk = Helpdesk()
    await start(sandbox, extra=[helpdesk])
    alice = await joined(sandbox)
    await alice.send("Можно ли прийти с собакой?")
    await alice.expect(text="Готового ответа не нашлось. Можно спросить организаторов")
    assert "✉️ Спросить организаторов" in alice.buttons()
    assert helpdesk.asked == ["Можно ли прийти с собакой?"]
    # Found something, but it did not help: the same offer, with that question
    await alice.send("во сколько обед")
    await alice.expect(text="Вот что нашлось")
    await alice.click("Не помогло")
    await alice.expect(text="Можно спросить организаторов")
    assert helpdesk.asked[-1] == "во сколько обед"


async def test_without_a_helpdesk_nothing_found_says_so(sandbox):
    await start(sandbox)
    alice = await joined(sandbox)
    await alice.send("Можно ли прийти с собакой?")
    await alice.expect(text="Попробуйте сказать иначе")
    assert "Не понял сообщение" not in alice.transcript()


async def test_with_the_faq_off_free_text_gets_the_core_fallback(sandbox):
    await start(sandbox, faq_on=False)
    alice = await joined(sandbox)
    await alice.send("где обед?")
    await alice.expect(text="Не понял сообщение")


async def test_organizers_edit_categories_and_entries_and_participants_browse_them(sandbox):
    await start(sandbox)
    olga = await sandbox.admin("Olga")
    await olga.send("/start demo")
    await olga.click("Панель организатора")
    await olga.click("Вопросы и ответы (FAQ)")
    await olga.expect(text="вопросов — 4, разделов — 0")
    await olga.click("➕ Раздел")
    await olga.send("   ")
    await olga.expect(text="Название раздела пустое")
    await olga.send("Транспорт")
    await olga.expect(text="Раздел «Транспорт» добавлен")
    await olga.click("К FAQ")
    await olga.click("➕ Вопрос")
    await olga.click("📂 Транспорт")
    await olga.send("Есть ли парковка?")
    await olga.send("О" * 4000)
    await olga.expect(text=re.compile(r"Ответ слишком длинный: 4\s?000 символов, можно до 3\s?500"))
    await olga.send("Да, бесплатная, у северного входа.")
    await olga.expect(text="Сохранено")
    await olga.click("✏️ Ответ")
    await olga.send("Да, бесплатная парковка у северного входа.")
    await olga.expect(text="Сохранено")

    alice = await joined(sandbox)
    await alice.click("Вопросы и ответы")
    await alice.click("📂 Транспорт (1)")
    await alice.click("Есть ли парковка?")
    await alice.expect(text="бесплатная парковка у северного входа")
    await alice.send("а где парковаться?")
    await alice.expect(text="Вот что нашлось")
    assert "Есть ли парковка?" in alice.buttons()

    await olga.click("К FAQ")
    await olga.click("Есть ли парковка?")
    await olga.click("Удалить")
    await olga.click("Да, удалить")
    await olga.expect(text="вопросов — 4, разделов — 1")


async def test_only_organizers_edit_in_the_handler_and_in_the_service(sandbox):
    app = await start(sandbox)
    olga = await sandbox.admin("Olga")
    await olga.send("/start demo")
    await olga.click("Панель организатора")
    home = await olga.click("Вопросы и ответы (FAQ)")
    async with app.transaction() as s:  # demoted while the editor is open
        await people.set_role(s, await people.event_by_slug(s, "demo"), olga.id, Role.PARTICIPANT)
    panel = olga.messages()[-1]
    update = await sandbox.emulator.click(olga.id, panel["message_id"], "faq:a:newcat", token=sandbox.token)
    await sandbox.settle()
    answers = [r.params.get("text") for r in sandbox.emulator.requests_for("answerCallbackQuery")
               if r.params.get("callback_query_id") == update["callback_query"]["id"]]
    assert answers == ["Это доступно только организаторам мероприятия."], home
    async with app.transaction() as s:
        event = await people.event_by_slug(s, "demo")
        member = await people.get_member(s, event.id, olga.id)
        with pytest.raises(service.NotAllowed):
            await service.add_category(app, s, event, member, "Взлом")
        with pytest.raises(service.NotAllowed):
            await service.delete_entry(app, s, event, member, 1)
