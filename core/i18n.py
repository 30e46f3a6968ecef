"""Texts: Fluent catalogs (``locales/<lang>/*.ftl``) from the core and every plugin.

Fluent rather than gettext: catalogs are read at start-up with no compile step, plural rules and
variables live in the text where translators see them. Russian is the default; English complete
(a test checks both catalogs have the same keys).
"""

from __future__ import annotations

import logging
from pathlib import Path

from fluent.runtime import FluentBundle, FluentResource

log = logging.getLogger(__name__)

CORE_LOCALES = Path(__file__).resolve().parent / "locales"
LANGUAGES = ("ru", "en")
DEFAULT_LANGUAGE = "ru"


class Catalogs:
    def __init__(self, folders: list[Path]):
        self.bundles: dict[str, FluentBundle] = {}
        self.keys: dict[str, set[str]] = {}
        for lang in LANGUAGES:
            bundle = FluentBundle([lang], use_isolating=False)
            keys: set[str] = set()
            for folder in folders:
                for ftl in sorted((folder / lang).glob("*.ftl")):
                    resource = FluentResource(ftl.read_text(encoding="utf-8"))
                    for entry in resource.body:
                        if hasattr(entry, "id") and hasattr(entry.id, "name"):
                            if entry.id.name in keys:
                                raise ValueError(f"duplicate text key {entry.id.name!r} in {ftl}")
                            keys.add(entry.id.name)
                    bundle.add_resource(resource)
            self.bundles[lang] = bundle
            self.keys[lang] = keys

    def translator(self, lang: str | None) -> Translator:
        return Translator(self, lang if lang in self.bundles else DEFAULT_LANGUAGE)


class Translator:
    """``tr("menu-title", name="Alice")`` in one language, falling back to Russian then the key."""

    def __init__(self, catalogs: Catalogs, lang: str):
        self.catalogs = catalogs
        self.lang = lang

    def __call__(self, key: str, **kwargs) -> str:
        for lang in (self.lang, DEFAULT_LANGUAGE):
            bundle = self.catalogs.bundles[lang]
            if bundle.has_message(key):
                message = bundle.get_message(key)
                if message.value is None:
                    continue
                text, errors = bundle.format_pattern(message.value, kwargs)
                if errors:
                    log.warning("text %s (%s): %s", key, lang, errors)
                return text
        log.error("missing text key %s", key)
        return key


def pick_language(user_choice: str | None, telegram_language: str | None, event_language: str | None) -> str:
    """The user's own pick wins, then their Telegram language (if we speak it), then the event's."""
    if user_choice in LANGUAGES:
        return user_choice
    if telegram_language:
        short = telegram_language.split("-")[0].lower()
        if short in LANGUAGES:
            return short
    return event_language if event_language in LANGUAGES else DEFAULT_LANGUAGE
