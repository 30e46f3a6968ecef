"""Finding FAQ entries from a participant's own words, forgiving typos and word forms.

Words are folded (case, ё→е), stop words dropped and each word cut to its stem by the Snowball
stemmer (Russian for Cyrillic, English for Latin), so «регистрации», «регистрацию» and
«зарегистрироваться» meet at «регистрац»/«зарегистрир»; then rapidfuzz compares stems, so a typo
(«рeгистрацыя») still lands near. An entry scores by how many of the query's words it covers
(its question counts more than its answer).

snowballstemmer (every language's stemmer, ~40 modules) and rapidfuzz are imported at the first
search, not when the bot starts: together they are a few MB of a bot's idle memory, spent only
once someone types a question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Words that say nothing about the topic: without them "как где когда" would match everything.
STOP = frozenset("""
а в во все вы где да для до если есть же за и из или им их к как какой какая какие когда кто ли хочу
либо мне мной можно мы на над не нет ни но о об от по под при про с со так там то тоже только у
уже чем что чтобы это этот эта я будет быть ваш вам нам нужно надо есть ли себе свой мой моя
a an and are be can do does for from how i in is it me my of on or the to we what when where which
who why will with you your
""".split())
MATCH_CUTOFF = 78  # rapidfuzz ratio (0–100) from which two stems count as the same word
GOOD = 0.4  # share of the query's words an entry must cover to be offered


@lru_cache(maxsize=2)
def _stemmer(lang: str):
    import snowballstemmer

    return snowballstemmer.stemmer(lang)


@lru_cache(maxsize=1)
def _matcher():
    """rapidfuzz's ``(process.extractOne, fuzz)``, imported once."""
    from rapidfuzz import fuzz, process

    return process.extractOne, fuzz


@lru_cache(maxsize=20000)
def stem(word: str) -> str:
    lang = "russian" if re.search(r"[а-я]", word) else "english"
    return _stemmer(lang).stemWord(word)


def terms(text: str) -> list[str]:
    words = WORD.findall(text.casefold().replace("ё", "е"))
    return [stem(w) for w in words if w not in STOP and (len(w) > 1 or w.isdigit())]


@dataclass(frozen=True)
class Hit:
    entry_id: int
    score: float


def _coverage(query: list[str], doc: list[str]) -> float:
    if not query or not doc:
        return 0.0
    extract_one, fuzz = _matcher()
    total = 0.0
    for term in query:
        best = extract_one(term, doc, scorer=fuzz.ratio, score_cutoff=MATCH_CUTOFF)
        if best is not None:
            total += best[1] / 100
        elif len(term) >= 5:  # a long stem inside a compound or a longer form
            best = extract_one(term, doc, scorer=fuzz.partial_ratio, score_cutoff=90)
            total += best[1] / 100 * 0.8 if best is not None and len(best[0]) >= 5 else 0
    return total / len(query)


def rank(query: str, entries: list[tuple[int, str, str]], limit: int = 3) -> list[Hit]:
    """``entries``: (id, question, answer). The best ``limit`` entries covering enough of the query."""
    wanted = terms(query)
    if not wanted:
        return []
    hits = []
    for entry_id, question, answer in entries:
        score = max(_coverage(wanted, terms(question)), 0.85 * _coverage(wanted, terms(question + " " + answer)))
        if score >= GOOD:
            hits.append(Hit(entry_id, score))
    hits.sort(key=lambda h: (-h.score, h.entry_id))
    return hits[:limit]
