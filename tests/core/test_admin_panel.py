"""The organizer panel: the same keyboard however often and by whomever it is opened."""

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
