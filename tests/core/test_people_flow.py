"""Issue 2, through real aiogram dispatch against the emulator: joining, switching, gating,
admin refusal, sign-up with consent, cabinet edits and languages."""

import re

from sqlalchemy import select

from core.models import Member, User

TWO_EVENTS = {
    "spring": {"title": "Spring Meetup", "timezone": "Europe/Moscow", "signup": {"enabled": False},
               "plugins": {"faq": {"enabled": True}}},
    "autumn": {"title": "Autumn Hack", "timezone": "Asia/Novosibirsk", "signup": {"enabled": False},
               "plugins": {"faq": {"enabled": False}}},
}


async def test_deep_link_joins_the_event_and_shows_its_menu(sandbox):
    app = await sandbox.start(plugins=["faq"])
    alice = sandbox.user("Alice")
    await alice.send("/start demo")
    await alice.expect(text="Вы в мероприятии «DemoConf»")
    await alice.expect(text="Главное меню")
    assert "👤 Личный кабинет" in alice.buttons()
    async with app.sessions() as s:
        user = await s.get(User, alice.id)
        member = await s.scalar(select(Member).where(Member.user_id == alice.id))
    assert user.current_event_id == member.event_id and member.role == "participant"


async def test_unknown_deep_link_explains_and_offers_the_open_events(sandbox):
    await sandbox.start(plugins=["faq"], events=TWO_EVENTS)
    bob = sandbox.user("Bob")
    await bob.send("/start nosuch")
    await bob.expect(text="«nosuch» не найдено")
    await bob.expect(text="Выберите мероприятие")
    assert bob.buttons() == ["Spring Meetup", "Autumn Hack"]


async def test_start_without_link_picks_among_several_events_and_user_can_switch(sandbox):
    await sandbox.start(plugins=["faq"], events=TWO_EVENTS)
    carol = sandbox.user("Carol")
    await carol.send("/start")
    await carol.expect(text="Выберите мероприятие")
    await carol.click("Spring Meetup")
    await carol.expect(text="Spring Meetup\nГлавное меню")
    await carol.click("Сменить мероприятие")
    await carol.click("Autumn Hack")
    await carol.expect(text="Autumn Hack\nГлавное меню")
    await carol.send("/menu")
    await carol.expect(text="Autumn Hack")


async def test_plugin_off_for_one_event_has_no_button_and_no_handler(sandbox):
    await sandbox.start(plugins=["faq"], events=TWO_EVENTS)
    dan = sandbox.user("Dan")
    await dan.send("/start spring")
    await dan.expect(text="Главное меню")
    assert "❓ Вопросы и ответы" in dan.buttons()
    await dan.send("/menu")
    spring_menu = await dan.expect(text="Главное меню")
    await dan.send("/menu")
    await dan.expect(text="Главное меню")
    await dan.click("Вопросы и ответы")  # edits the newest menu; spring_menu keeps its FAQ button
    await dan.expect(text="ещё не добавили ответы")

    await dan.send("/start autumn")
    await dan.expect(text="Autumn Hack\nГлавное меню")
    assert "❓ Вопросы и ответы" not in dan.buttons()
    # The old FAQ button of Spring pressed while in Autumn, where FAQ is off: no handler runs.
    update = await sandbox.emulator.click(dan.id, spring_menu["message_id"], "faq:list")
    await sandbox.settle()
    answers = [r for r in sandbox.emulator.requests_for("answerCallbackQuery")
               if r.params.get("callback_query_id") == update["callback_query"]["id"]]
    assert len(answers) == 1 and "раздел сейчас недоступен" in answers[0].params.get("text", "")
    assert not any("Организаторы ещё не добавили" in (m.get("text") or "")
                   for m in dan.messages() if m["message_id"] > spring_menu["message_id"] + 2)


async def test_non_admin_is_refused_on_admin_paths_and_admin_gets_the_panel(sandbox):
    await sandbox.start(plugins=["faq"])
    eve = sandbox.user("Eve")
    await eve.send("/start demo")
    await eve.expect(text="Главное меню")
    assert not any("Панель организатора" in b for b in eve.buttons())
    await eve.send("/admin")
    await eve.expect(text="только организаторам")

    olga = await sandbox.admin("Olga")
    await olga.send("/start demo")
    await olga.expect(text="Главное меню")
    await olga.click("Панель организатора")
    await olga.expect(text="Панель организатора")


SIGNUP_EVENT = {"demo": {"title": "DemoConf", "timezone": "Europe/Moscow", "signup": {"enabled": True}}}


async def test_signup_records_consent_and_answers_with_contact_button(sandbox):
    app = await sandbox.start(plugins=["faq"], events=SIGNUP_EVENT)
    fay = sandbox.user("Fay")
    await fay.send("/start demo")
    await fay.expect(text="согласны на обработку персональных данных")
    await fay.send("hello")
    await fay.expect(text="нажмите одну из кнопок")
    await fay.click("Согласен")
    await fay.expect(text="Шаг 1 из 3")
    await fay.send("   ")
    await fay.expect(text="не может быть пустым")
    await fay.send("Фаина Ёлкина")
    await fay.expect(text="Шаг 2 из 3")
    await fay.send("not a phone")
    await fay.expect(text="не похоже на номер телефона")
    await fay.share_contact("+7 999 123-45-67")
    await fay.expect(text="Шаг 3 из 3")
    await fay.click("Пропустить")
    await fay.expect(text="Регистрация завершена")
    await fay.expect(text="Главное меню")
    async with app.sessions() as s:
        member = await s.scalar(select(Member).where(Member.user_id == fay.id))
    assert member.consent_at is not None and member.registered_at is not None
    assert member.profile == {"full_name": "Фаина Ёлкина", "phone": "+79991234567"}


async def test_signup_declined_consent_stores_nothing(sandbox):
    app = await sandbox.start(plugins=["faq"], events=SIGNUP_EVENT)
    gus = sandbox.user("Gus")
    await gus.send("/start demo")
    await gus.click("Не согласен")
    await gus.expect(text="Без согласия")
    async with app.sessions() as s:
        member = await s.scalar(select(Member).where(Member.user_id == gus.id))
    assert member.consent_at is None and member.registered_at is None and member.profile == {}


async def test_cabinet_shows_and_edits_own_data(sandbox):
    await sandbox.start(plugins=["faq"])
    hal = sandbox.user("Hal")
    await hal.send("/start demo")
    await hal.click("Личный кабинет")
    await hal.expect(text="Личный кабинет")
    await hal.click("✏️ Компания")
    await hal.expect(text="Введите новое значение: Компания")
    await hal.send("x" * 201)
    await hal.expect(text="Слишком длинно")
    await hal.send("ACME & Co <ltd>")
    await hal.expect(text="Сохранено")
    cabinet = await hal.expect(text=re.compile(r"Компания:.*ACME & Co <ltd>"))
    assert "участник" in cabinet["text"]


async def test_language_follows_telegram_then_the_cabinet_choice(sandbox):
    await sandbox.start(plugins=["faq"])
    ian = sandbox.user("Ian", lang="en")
    await ian.send("/start demo")
    await ian.expect(text="Main menu")
    await ian.click("My profile")
    await ian.click("Language")
    await ian.click("Русский")
    await ian.expect(text="Язык изменён")
    await ian.expect(text="Личный кабинет")
    await ian.send("/menu")
    await ian.expect(text="Главное меню")
    jan = sandbox.user("Jan", lang="de")  # a language we do not speak: the event's (Russian) applies
    await jan.send("/start demo")
    await jan.expect(text="Главное меню")


async def test_personal_schedule_collects_plugin_items_in_event_local_time(sandbox):
    import datetime as dt
    import types

    from core import PluginManifest, ScheduleItem, hookimpl

    agenda = types.ModuleType("agenda")
    agenda.manifest = PluginManifest(name="agenda", version="1.0")
    utc = dt.UTC
    agenda.schedule_items = hookimpl(lambda app, session, event, member: [
        ScheduleItem(dt.datetime(2026, 12, 2, 7, 0, tzinfo=utc), dt.datetime(2026, 12, 2, 8, 30, tzinfo=utc),
                     "Keynote <opening>", "Hall A"),
        ScheduleItem(dt.datetime(2026, 12, 1, 21, 30, tzinfo=utc), None, "Late workshop", None),
    ])
    await sandbox.start(plugins=[], extra_plugins=[agenda])
    kay = sandbox.user("Kay")
    await kay.send("/start demo")
    await kay.click("Моё расписание")
    shown = await kay.expect(text="Моё расписание")
    # Europe/Moscow is UTC+3: 21:30 UTC on Dec 1 is 00:30 on Dec 2, before the 10:00 keynote.
    assert "ср, 02.12\n00:30 Late workshop\n10:00–11:30 Keynote <opening> · Hall A" in shown["text"]


async def test_empty_schedule_says_how_to_fill_it(sandbox):
    await sandbox.start(plugins=[])
    lou = sandbox.user("Lou")
    await lou.send("/start demo")
    await lou.send("/schedule")
    await lou.expect(text="В вашем расписании пока пусто")
