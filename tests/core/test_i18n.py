"""Russian is the default and English is complete: both catalogs carry the same keys everywhere."""

from core.i18n import CORE_LOCALES, Catalogs
from core.plugins import PluginRegistry


def test_every_text_exists_in_russian_and_english():
    registry = PluginRegistry.load(entry_points_enabled=False)
    from core.delivery.broadcast import LOCALES as DELIVERY_LOCALES

    folders = [CORE_LOCALES, DELIVERY_LOCALES] + [m.locales for m in registry.manifests().values() if m.locales]
    catalogs = Catalogs(folders)
    assert catalogs.keys["ru"] - catalogs.keys["en"] == set(), "missing in English"
    assert catalogs.keys["en"] - catalogs.keys["ru"] == set(), "missing in Russian"


def test_translator_formats_and_falls_back():
    catalogs = Catalogs([CORE_LOCALES])
    assert catalogs.translator("en")("events-joined", event="X") == "You are in “X”."
    assert catalogs.translator("de")("events-joined", event="X") == "Вы в мероприятии «X»."
