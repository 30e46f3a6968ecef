"""Texts and plain (dict) keyboards of polls: the ballot participants vote on, the organizer's
live results. No aiogram: the outbox stores these keyboards as they are."""

from __future__ import annotations

import hashlib
import html

from plugins.polls.models import Poll
from plugins.polls.results import Results

BAR = 10
TITLE_MAX = 60


def q(text: str) -> str:
    return html.escape(text, quote=False)


def title_of(poll: Poll) -> str:
    return poll.question if len(poll.question) <= TITLE_MAX else poll.question[:TITLE_MAX - 1] + "…"


def _btn(text: str, data: str) -> dict:
    return {"text": text, "callback_data": data}


def _bar(count: int, total: int) -> str:
    share = count / total if total else 0
    filled = round(share * BAR)
    return "▓" * filled + "░" * (BAR - filled) + f" {round(share * 100)}%"


def result_lines(tr, results: Results) -> list[str]:
    total = sum(c for _, c in results.counts)
    return [tr("polls-result-line", option=q(text), count=count, bar=_bar(count, total))
            for text, count in results.counts]


def kind_line(tr, poll: Poll) -> str:
    return tr("polls-kind", multiple=str(poll.multiple).lower(), anonymous=str(poll.anonymous).lower())


def ballot(tr, poll: Poll, options: list, results: Results | None, chosen: set[int] | None,
           *, tz=None, closed: bool = False) -> tuple[str, dict | None]:
    """The poll as a participant sees it: question, options to tap (ticked: their choice), and the
    counts once they voted if the poll shows them."""
    lines = [f"📊 <b>{q(poll.question)}</b>", kind_line(tr, poll)]
    if poll.closes_at is not None and tz is not None and not closed:
        lines.append(tr("polls-closes-at", when=f"{poll.closes_at.astimezone(tz):%d.%m %H:%M}"))
    if results is not None:
        lines.append("")
        lines.extend(result_lines(tr, results))
        lines.append(tr("polls-voters", count=results.voters))
    if closed:
        lines.append(tr("polls-closed-note"))
        return "\n".join(lines), None
    if chosen:
        lines.append(tr("polls-your-choice", changeable=str(poll.changeable).lower()))
    buttons = [[_btn(("✅ " if chosen and o.position in chosen else "") + o.text, f"polls:v:{poll.id}:{o.position}")]
               for o in options]
    return "\n".join(lines), {"inline_keyboard": buttons}


def final_results(tr, poll: Poll, results: Results) -> str:
    lines = [tr("polls-final-title"), f"📊 <b>{q(poll.question)}</b>", ""]
    lines.extend(result_lines(tr, results))
    lines.append(tr("polls-voters", count=results.voters))
    return "\n".join(lines)


def organizer_view(tr, poll: Poll, results: Results, *, is_open: bool, tz) -> tuple[str, dict]:
    lines = [f"📊 <b>{q(poll.question)}</b>", kind_line(tr, poll)]
    if is_open:
        if poll.closes_at is not None:
            lines.append(tr("polls-closes-at", when=f"{poll.closes_at.astimezone(tz):%d.%m %H:%M}"))
        lines.append(tr("polls-status-open"))
    else:
        lines.append(tr("polls-status-closed"))
    lines.append("")
    lines.extend(result_lines(tr, results))
    lines.append(tr("polls-voters", count=results.voters))
    rows = []
    if is_open:
        rows.append([_btn(tr("polls-btn-close"), f"polls:a:close:{poll.id}")])
    rows.append([_btn(tr("polls-btn-csv"), f"polls:a:csv:{poll.id}")])
    rows.append([_btn(tr("polls-btn-home"), "polls:a:home")])
    return "\n".join(lines), {"inline_keyboard": rows}


def digest(text: str, markup) -> str:
    return hashlib.sha256(f"{text}\x00{markup!r}".encode()).hexdigest()
