"""Texts of the schedule: lines, cards, reminders and digests, in the reader's language and the
event's timezone. Plain strings (HTML); no aiogram, so jobs and the bench render the same way."""

from __future__ import annotations

import datetime as dt
from html import escape

from sqlalchemy import select

from core.i18n import pick_language
from core.models import User

# Telegram's limit is 4,096 characters; pages and digests stay under this with room for a footer.
TEXT_BUDGET = 3800
KIND_ICONS = {"talk": "🎤", "keynote": "⭐", "break": "☕", "deadline": "⏳", "other": "•"}


def q(text: str | None) -> str:
    return escape(text or "", quote=False)


async def languages(session, event, user_ids) -> dict[int, str]:
    """Each recipient's language: their pick, then Telegram's, then the event's."""
    ids = list(set(user_ids))
    found: dict[int, str] = {}
    for start in range(0, len(ids), 5000):  # stay under PostgreSQL's bind-parameter limit
        rows = (await session.execute(select(User.id, User.language, User.telegram_language)
                                      .where(User.id.in_(ids[start:start + 5000])))).all()
        found.update({r.id: pick_language(r.language, r.telegram_language, event.language) for r in rows})
    return {uid: found.get(uid, pick_language(None, None, event.language)) for uid in ids}


def day_label(tr, day: dt.date) -> str:
    return tr("schedule-day", weekday=tr(f"schedule-wd-{day.weekday()}"), date=day.strftime("%d.%m"))


def span(start: dt.datetime, end: dt.datetime | None, tz) -> str:
    local = start.astimezone(tz)
    if end is None:
        return f"{local:%H:%M}"
    end_local = end.astimezone(tz)
    if end_local.date() == local.date():
        return f"{local:%H:%M}–{end_local:%H:%M}"
    return f"{local:%H:%M}–{end_local:%d.%m %H:%M}"


def when(tr, start: dt.datetime, end: dt.datetime | None, tz) -> str:
    return f"{day_label(tr, start.astimezone(tz).date())}, {span(start, end, tz)}"


def speaker_names(ids, speakers) -> str:
    return ", ".join(speakers[i].name for i in ids or () if i in speakers)


def line(tr, row, speakers, tz, *, marked: bool = False, clash: bool = False) -> str:
    parts = [f"{span(row.starts_at, row.ends_at, tz)} {KIND_ICONS.get(row.kind, '•')} <b>{q(row.title)}</b>"]
    if row.room:
        parts.append(f"📍 {q(row.room)}")
    names = speaker_names(row.speaker_ids, speakers)
    if names:
        parts.append(q(names))
    text = " · ".join(parts)
    if marked:
        text = "🔖 " + text
    if clash:
        text += " " + tr("schedule-clash")
    return text


def card(tr, row, speakers, tz, *, bookmarked: bool) -> str:
    lines = [f"{KIND_ICONS.get(row.kind, '•')} <b>{q(row.title)}</b>", tr(f"schedule-kind-{row.kind}")]
    if row.cancelled:
        lines.append(tr("schedule-card-cancelled"))
    lines.append(tr("schedule-card-when", when=when(tr, row.starts_at, row.ends_at, tz)))
    if row.room:
        lines.append(tr("schedule-card-room", room=q(row.room)))
    if row.track:
        lines.append(tr("schedule-card-track", track=q(row.track)))
    for sid in row.speaker_ids or ():
        if sid in speakers:
            s = speakers[sid]
            who = q(s.name) + (f" (@{q(s.username)})" if s.username else "")
            lines.append(tr("schedule-card-speaker", speaker=who))
    if row.description:
        lines += ["", q(row.description)]
    if bookmarked:
        lines += ["", tr("schedule-card-bookmarked")]
    text = "\n".join(lines)
    return text if len(text) <= TEXT_BUDGET else text[:TEXT_BUDGET - 1] + "…"


def reminder(tr, row, speakers, tz, minutes: int) -> str:
    lines = [tr("schedule-reminder", title=q(row.title), minutes=minutes),
             tr("schedule-card-when", when=when(tr, row.starts_at, row.ends_at, tz))]
    if row.room:
        lines.append(tr("schedule-card-room", room=q(row.room)))
    return "\n".join(lines)


def change_lines(tr, change, speakers, tz) -> list[str]:
    """One change of a release, for one reader: the title line and what moved where."""
    new, old = change.new, change.old
    out = [tr("schedule-change-title", title=q(old.get("title") or new["title"]))]
    for what in change.what:
        if what == "new":
            out.append(tr("schedule-change-new", when=when(tr, new["starts_at"], new["ends_at"], tz)))
        elif what == "cancelled":
            out.append(tr("schedule-change-cancelled"))
        elif what == "restored":
            out.append(tr("schedule-change-restored"))
        elif what == "moved":
            out.append(tr("schedule-change-moved", old=when(tr, old["starts_at"], old["ends_at"], tz),
                          new=when(tr, new["starts_at"], new["ends_at"], tz)))
        elif what == "room":
            out.append(tr("schedule-change-room", old=q(old["room"] or "—"), new=q(new["room"] or "—")))
        elif what == "speakers":
            out.append(tr("schedule-change-speakers", old=q(speaker_names(old["speaker_ids"], speakers) or "—"),
                          new=q(speaker_names(new["speaker_ids"], speakers) or "—")))
        elif what == "title":
            out.append(tr("schedule-change-renamed", new=q(new["title"])))
        else:
            out.append(tr("schedule-change-details"))
    return out


def held_lines(tr, change, tz, *, reader: bool = True) -> list[str]:
    """A change another plugin handed over (``held.Held``: a booked workshop), as ``change_lines``;
    ``reader`` False: for the organizer's preview."""
    old, new = change.old, change.new
    out = [tr("schedule-change-workshop" if reader else "schedule-admin-held-title", title=q(change.title))]
    for what in change.what:
        if what == "cancelled":
            out.append(tr("schedule-change-workshop-cancelled", when=when(tr, old.starts_at, old.ends_at, tz)))
        elif what == "moved":
            out.append(tr("schedule-change-moved", old=when(tr, old.starts_at, old.ends_at, tz),
                          new=when(tr, new.starts_at, new.ends_at, tz)))
        elif what == "place":
            out.append(tr("schedule-change-place", old=q(old.place or "—"), new=q(new.place or "—")))
    return out


def digest(tr, event_title: str, changes, speakers, tz, held=()) -> str:
    """One message listing all of a reader's changes (sessions, then what other plugins handed
    over); cut with "and N more" if it would not fit."""
    head = tr("schedule-digest-title", event=q(event_title))
    blocks = ["\n".join(change_lines(tr, c, speakers, tz)) for c in changes]
    blocks += ["\n".join(held_lines(tr, h, tz)) for h in held]
    text, shown = head, 0
    for block in blocks:
        if len(text) + len(block) + 2 > TEXT_BUDGET - 120:
            break
        text += "\n\n" + block
        shown += 1
    if shown < len(blocks):
        text += "\n\n" + tr("schedule-digest-more", count=len(blocks) - shown)
    return text
