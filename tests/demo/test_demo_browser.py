"""The demo page in a real Chromium (Debian's package, driven by Playwright).

A newcomer's first minute: open the page, press the "/start demo" hint, sign up (consent, name,
phone via the contact button, skip the company), open the main menu. Fails (never skips) when
Chromium is missing, with the command that installs it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("ORGANIZER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
TIMEOUT_MS = 15_000


@pytest.fixture
async def page(demo):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: the browser tests need it. Install it with\n"
                    "    apt-get update && apt-get install -y chromium\n"
                    "(or point ORGANIZER_CHROMIUM at a Chromium binary). Do not run `playwright install`.")
    from playwright.async_api import async_playwright, expect

    expect.set_options(timeout=TIMEOUT_MS)  # assertions wait as long as actions (a loaded machine)

    errors: list[str] = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="ru-RU")
            p = await context.new_page()
            p.set_default_timeout(TIMEOUT_MS)
            p.on("pageerror", lambda exc: errors.append(str(exc)))
            await p.goto(demo.url)
            yield p
        finally:
            await browser.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def pane(page, index: int = 0):
    return page.locator(f'.pane[data-pane="{index}"]')


async def send(chat, text: str) -> None:
    await chat.locator(".text-input").fill(text)
    await chat.locator(".text-input").press("Enter")


@pytest.mark.browser
async def test_newcomer_joins_signs_up_and_opens_the_menu(demo, page):
    from playwright.async_api import expect

    chat = pane(page)
    await expect(chat.locator(".user-select")).to_contain_text("Алиса")
    await chat.locator(".hint-start").click()  # "/start demo", the event's deep link

    await chat.get_by_role("button", name="✅ Согласен(на)").click()
    await expect(chat.locator(".msg-row.in").last).to_contain_text("Шаг 1 из 3")
    await send(chat, "Алиса Петрова")
    await chat.locator(".reply-keyboard .contact-btn").click()  # request_contact: shares a fake phone
    await expect(chat.locator(".contact-phone")).to_contain_text("+7999")
    await chat.get_by_role("button", name="Пропустить").click()
    await expect(chat.get_by_text("Регистрация завершена")).to_be_visible()

    await send(chat, "/menu")
    last = chat.locator(".msg-row.in").last
    await expect(last).to_contain_text("Главное меню")
    await expect(last.locator(".inline-kb .kb-btn").first).to_be_visible()
    assert await last.locator(".inline-kb .kb-btn").count() >= 2
    await expect(last.locator("b")).to_have_text("DemoConf 2026")  # <b> from entities, not injected HTML
    await expect(chat.locator(".status")).to_contain_text("зарегистрирован(а)")

    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "demo-browser.png"), full_page=True)


@pytest.mark.browser
async def test_message_html_is_shown_as_text_and_edits_and_deletes_apply(demo, page):
    from playwright.async_api import expect

    chat = pane(page)
    await expect(chat.locator(".hint-start")).to_be_visible()
    alice = next(u for u in await demo.people_view() if u["first_name"] == "Алиса")
    nasty = '<img src=x onerror="window.pwned=1"><b>bold?</b>'
    await send(chat, nasty)
    await expect(chat.locator(".msg-row.out .text").last).to_have_text(nasty)
    assert await chat.locator(".bubble img").count() == 0

    bot = demo.app.bot
    sent = await bot.send_message(alice["id"], "<b>Жирный</b> и <tg-spoiler>спойлер</tg-spoiler> "
                                  '<a href="javascript:alert(1)">ссылка</a>')
    row = chat.locator(f'.msg-row[data-message-id="{sent.message_id}"]')
    await expect(row.locator("b")).to_have_text("Жирный")
    await expect(row.locator(".spoiler")).to_have_text("спойлер")
    assert await row.locator("a[href^='javascript']").count() == 0
    await bot.edit_message_text("Изменено", chat_id=alice["id"], message_id=sent.message_id)
    await expect(row).to_contain_text("Изменено")
    await expect(row.locator(".meta")).to_contain_text("изменено")
    await bot.delete_message(alice["id"], sent.message_id)
    await expect(row).to_have_count(0)
    assert await page.evaluate("window.pwned === undefined")


@pytest.mark.browser
async def test_a_message_that_grows_when_edited_scrolls_into_view(demo, page):
    from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
    from playwright.async_api import expect

    chat = pane(page)
    await expect(chat.locator(".hint-start")).to_be_visible()
    alice = next(u for u in await demo.people_view() if u["first_name"] == "Алиса")
    bot = demo.app.bot
    sent = await bot.send_message(alice["id"], "Карточка")
    row = chat.locator(f'.msg-row[data-message-id="{sent.message_id}"]')
    await expect(row).to_be_in_viewport()
    grown = "\n".join(f"Строка {i}" for i in range(60))
    below = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Кнопка внизу", callback_data="x:1")]])
    await bot.edit_message_text(grown, chat_id=alice["id"], message_id=sent.message_id, reply_markup=below)
    await expect(row.get_by_role("button", name="Кнопка внизу")).to_be_in_viewport()


@pytest.mark.browser
async def test_two_panes_and_a_callback_answer_toast(demo, page):
    from playwright.async_api import expect

    await page.locator("#toggle-split").click()
    second = pane(page, 1)
    await expect(second.locator(".user-select")).to_contain_text("Ольга")
    await expect(second.locator(".status")).to_contain_text("организатор")
    await second.locator(".hint-start").click()
    await expect(second.locator(".msg-row.in").first).to_contain_text("DemoConf 2026")
    # The first pane is untouched by the second person's conversation.
    await expect(pane(page, 0).locator(".hint-start")).to_be_visible()

    # A stale button: the bot answers the callback with a text, shown as a toast.
    from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

    olga = next(u for u in await demo.people_view() if u["first_name"] == "Ольга")
    old = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Старая кнопка", callback_data="old:1")]])
    await demo.app.bot.send_message(olga["id"], "Сообщение из прошлого", reply_markup=old)
    await second.get_by_role("button", name="Старая кнопка").click()
    await expect(page.locator("#toasts .toast")).to_contain_text("больше не работает")

    await page.locator("#toggle-lang").click()
    await expect(page.locator("#toggle-split")).to_have_text("One chat")


@pytest.mark.browser
async def test_organizer_news_arrives_in_the_participants_pane(demo, page):
    from playwright.async_api import expect

    await page.locator("#toggle-split").click()
    alice, olga = pane(page, 0), pane(page, 1)
    await alice.locator(".hint-start").click()
    await expect(alice.get_by_role("button", name="✅ Согласен(на)")).to_be_visible()
    await expect(olga.locator(".status")).to_contain_text("организатор")
    await olga.locator(".hint-start").click()
    await expect(olga.locator(".msg-row.in").first).to_contain_text("DemoConf 2026")

    await send(olga, "/admin")
    await olga.get_by_role("button", name="Новости и рассылки").click()
    await olga.get_by_role("button", name="Написать новость").click()
    await expect(olga.locator(".msg-row.in").last).to_contain_text("Пришлите текст новости")
    await send(olga, "Регистрация открыта до 10:00")
    await expect(olga.locator(".msg-row.in").last).to_contain_text("Кому отправить?")
    await olga.get_by_role("button", name="Всем участникам").click()
    await expect(olga.locator(".msg-row.in").last).to_contain_text("Отправить новость: Всем участникам")
    await olga.locator(".kb-btn", has_text="📤 Отправить").click()
    # The confirmation, wherever it lands: the sender may post the delivery summary after it first.
    await expect(olga.locator(".msg-row.in", has_text="поставлена в очередь")).to_be_visible()

    # The demo's own sender delivers it: nobody drains anything by hand here.
    await expect(alice.locator(".msg-row.in").last).to_contain_text("Регистрация открыта до 10:00")
    await expect(olga.get_by_text("Доставлено: 2 из 2")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "demo-news.png"), full_page=True)
