"""Russian is the default and English is complete: both catalogs carry the same keys everywhere."""

import sys

import pytest

from core.i18n import CORE_LOCALES, LANGUAGES, Catalogs
from core.plugins import PluginRegistry


def _all_folders():
    registry = PluginRegistry.load(entry_points_enabled=False)
    from core.delivery.broadcast import LOCALES as DELIVERY_LOCALES

    return [CORE_LOCALES, DELIVERY_LOCALES] + [m.locales for m in registry.manifests().values() if m.locales]


def test_every_text_exists_in_russian_and_english():
    catalogs = Catalogs(_all_folders())
    assert catalogs.keys("ru") - catalogs.keys("en") == set(), "missing in English"
    assert catalogs.keys("en") - catalogs.keys("ru") == set(), "missing in Russian"


def test_translator_formats_and_falls_back():
    catalogs = Catalogs([CORE_LOCALES])
    assert catalogs.translator("en")("events-joined", event="X") == "You are in “X”."
    assert catalogs.translator("de")("events-joined", event="X") == "Вы в мероприятии «X»."


def test_a_language_is_parsed_on_first_use_only():
    catalogs = Catalogs(_all_folders())
    assert catalogs._bundles == {}, "nothing is parsed when the catalogs are set up"
    assert catalogs.translator("en")("events-joined", event="X") == "You are in “X”."
    assert set(catalogs._bundles) == {"en"}, "only the language asked for"
    catalogs.translator("en")("cmd-menu")
    catalogs.translator("ru")("cmd-menu")
    assert set(catalogs._bundles) == set(LANGUAGES)


def test_a_missing_english_text_falls_back_to_russian_then_to_the_key(tmp_path):
    (tmp_path / "ru").mkdir()
    (tmp_path / "en").mkdir()
    (tmp_path / "ru" / "t.ftl").write_text("only-ru = Только по-русски\n", encoding="utf-8")
    (tmp_path / "en" / "t.ftl").write_text("", encoding="utf-8")
    tr = Catalogs([tmp_path]).translator("en")
    assert tr("only-ru") == "Только по-русски"
    assert tr("nowhere") == "nowhere"


def test_a_key_defined_twice_is_reported_when_its_language_is_loaded(tmp_path):
    for lang in LANGUAGES:
        (tmp_path / lang).mkdir()
        (tmp_path / lang / "a.ftl").write_text("same = A\n", encoding="utf-8")
    (tmp_path / "en" / "b.ftl").write_text("same = B\n", encoding="utf-8")
    catalogs = Catalogs([tmp_path])
    assert catalogs.keys("ru") == {"same"}
    with pytest.raises(ValueError, match="duplicate text key 'same'"):
        catalogs.keys("en")


def test_importing_i18n_does_not_import_fluent():
    """Start-up pays neither Fluent's parser nor its imports until a text is needed."""
    import subprocess

    code = "import core.i18n, sys; print('fluent' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_remembered_texts_depend_on_language_and_every_argument():
    from core.i18n import CORE_LOCALES, Catalogs

    catalogs = Catalogs([CORE_LOCALES])
    ru, en = catalogs.translator("ru"), catalogs.translator("en")
    assert ru("menu-title", event="A") == "<b>A</b>\nГлавное меню:"
    assert en("menu-title", event="A") == "<b>A</b>\nMain menu:"  # not the Russian one remembered
    assert ru("menu-title", event="B") == "<b>B</b>\nГлавное меню:"
    assert ru("menu-title", event="A") == "<b>A</b>\nГлавное меню:"
    assert ru("menu-title", event=["unhashable"]).startswith("<b>")  # formatted, just not remembered
