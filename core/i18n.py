"""Texts: Fluent catalogs (``locales/<lang>/*.ftl``) from the core and every plugin.

Fluent rather than gettext: catalogs are read with no compile step, plural rules and variables live
in the text where translators see them. Russian is the default; English complete (a test checks
both catalogs have the same keys).

A language's catalogs are parsed on its first use, not at start-up: Fluent's parser is pure Python
(0.1–0.25 s for all files on a small VPS), and a bot often never needs some of its languages.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fluent.runtime import FluentBundle

log = logging.getLogger(__name__)

CORE_LOCALES = Path(__file__).resolve().parent / "locales"
LANGUAGES = ("ru", "en")
DEFAULT_LANGUAGE = "ru"


class Catalogs:
    """Every folder's ``<lang>/*.ftl``, one bundle per language, each parsed when first asked for."""

    def __init__(self, folders: list[Path]):
        self.folders = list(folders)
        self._bundles: dict[str, FluentBundle] = {}
        self._keys: dict[str, frozenset[str]] = {}
        self._lock = threading.Lock()  # a broadcast summary may be written from a worker thread
        # Formatting a Fluent message costs ~0.05 ms and the same ones repeat (a workshop card
        # rendered for everyone who taps it, the menu's buttons): remember recent results.
        self.formatted: dict[tuple, str] = {}

    def bundle(self, lang: str) -> FluentBundle:
        bundle = self._bundles.get(lang)
        if bundle is None:
            with self._lock:
                if lang not in self._bundles:
                    self._load(lang)
            bundle = self._bundles[lang]
        return bundle

    def keys(self, lang: str) -> frozenset[str]:
        """Every message id of ``lang`` (parses it if needed); a key defined twice raises ValueError."""
        self.bundle(lang)
        return self._keys[lang]

    def _load(self, lang: str) -> None:
        from fluent.runtime import FluentBundle, FluentResource  # 40 ms of imports, also deferred

        bundle = FluentBundle([lang], use_isolating=False)
        keys: set[str] = set()
        for folder in self.folders:
            for ftl in sorted((folder / lang).glob("*.ftl")):
                resource = FluentResource(ftl.read_text(encoding="utf-8"))
                for entry in resource.body:
                    if hasattr(entry, "id") and hasattr(entry.id, "name"):
                        if entry.id.name in keys:
                            raise ValueError(f"duplicate text key {entry.id.name!r} in {ftl}")
                        keys.add(entry.id.name)
                bundle.add_resource(resource)
        self._keys[lang] = frozenset(keys)
        self._bundles[lang] = bundle  # last: a bundle that is visible is complete

    def translator(self, lang: str | None) -> Translator:
        return Translator(self, lang if lang in LANGUAGES else DEFAULT_LANGUAGE)


class Translator:
    """``tr("menu-title", name="Alice")`` in one language, falling back to Russian then the key."""

    def __init__(self, catalogs: Catalogs, lang: str):
        self.catalogs = catalogs
        self.lang = lang

    def __call__(self, key: str, /, **kwargs) -> str:
        # ``key`` is positional-only: a text's own argument may be called anything, ``key`` too.
        try:
            cache_key = (self.lang, key, *((k, type(v), v) for k, v in sorted(kwargs.items())))
            text = self.catalogs.formatted.get(cache_key)
        except TypeError:  # an unhashable argument: format it every time
            cache_key, text = None, None
        if text is None:
            text = self._format(key, kwargs)
            if cache_key is not None:
                formatted = self.catalogs.formatted
                if len(formatted) >= 4096:
                    formatted.clear()
                formatted[cache_key] = text
        return text

    def _format(self, key: str, kwargs: dict) -> str:
        for lang in (self.lang, DEFAULT_LANGUAGE):
            bundle = self.catalogs.bundle(lang)
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
