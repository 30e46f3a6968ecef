"""Every count in every text agrees with its noun, in Russian and English (Fluent's plural rules):
"все 1 заняты", "1 seats" or "для 3 чел." must not be what a user reads."""

import re

import pytest

from core.i18n import CORE_LOCALES, Catalogs
from core.plugins import PluginRegistry

VARIABLE = re.compile(r"\{\s*\$(\w+)")
WRONG = {
    "ru": {1: r"\b1 (мест|места|символов|людям|заняты)\b|все 1\b",
           2: r"\b2 (мест|место|символ|человеку)\b",
           5: r"\b5 (места|место|символа|символ|человека|человеку)\b",
           21: r"\b21 (мест|места|символов|людям)\b"},
    "en": {1: r"\b1 (seats|people|characters|members)\b",
           2: r"\b2 (seat|person|character|member)\b",
           5: r"\b5 (seat|person|character|member)\b",
           21: r"\b21 (seat|person|character|member)\b"},
}
NEVER = r"\bчел\.|\(s\)|\(а\) держится|место\(а\)"  # abbreviations and "(s)" hide a missing plural


def _folders():
    from core.delivery.broadcast import LOCALES as DELIVERY_LOCALES

    registry = PluginRegistry.load(entry_points_enabled=False)
    return [CORE_LOCALES, DELIVERY_LOCALES] + [m.locales for m in registry.manifests().values() if m.locales]


def _sources(lang):
    for folder in _folders():
        for ftl in sorted((folder / lang).glob("*.ftl")):
            key, lines = None, []
            for line in ftl.read_text(encoding="utf-8").splitlines() + [""]:
                if line and not line[0].isspace() and " = " in line and not line.startswith("#"):
                    if key:
                        yield key, "\n".join(lines)
                    key, lines = line.split(" = ", 1)[0].strip(), [line]
                elif key and line.strip() and not line.startswith("#"):
                    lines.append(line)
            if key:
                yield key, "\n".join(lines)


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_every_count_agrees_with_its_noun(lang):
    tr = Catalogs(_folders()).translator(lang)
    problems = []
    for key, source in _sources(lang):
        names = set(VARIABLE.findall(source))
        if not names:
            continue
        for n, wrong in WRONG[lang].items():
            text = tr(key, **{name: n for name in names})
            if re.search(wrong, text) or re.search(NEVER, text):
                problems.append(f"{key} with {n}: {text!r}")
    assert problems == [], "\n".join(problems)
