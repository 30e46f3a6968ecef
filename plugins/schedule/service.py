"""Schedule domain logic: the program (sessions, speakers), drafts and releases, bookmarks,
reminder preferences and speaker links. No aiogram here; ``now`` is always an argument.

Edits never reach participants directly while drafts are on: they wait in ``Session.draft``
until ``publish`` applies them all in one transaction that also writes one digest per affected
participant to the outbox and re-times the reminders of every moved or cancelled session.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core import people
from core.delivery.dialect import upsert_insert
from core.models import Event, Member, Role
from core.people import SYSTEM, NotAllowed, SystemActor  # noqa: F401  (part of this service's API)
from plugins.schedule import held
from plugins.schedule.models import (
    BIO_MAX, DESCRIPTION_MAX, KEY_MAX, KINDS, NAME_MAX, ROOM_MAX, TITLE_MAX, TRACK_MAX, USERNAME_MAX,
    Bookmark, ReminderPref, Session, Speaker, SpeakerLink,
)
from plugins.schedule.queries import bookmarkers, speakers_by_id
from plugins.schedule.settings import config, tz_of

MAX_DURATION = dt.timedelta(hours=24)
# Fields a draft may change, in the order changes are listed.
FIELDS = ("title", "kind", "starts_at", "ends_at", "room", "track", "speaker_ids", "description", "for_all",
          "cancelled")


class InputError(Exception):
    """Bad organizer input. ``key`` is a locale key, ``args`` its variables."""

    def __init__(self, key: str, **args: Any):
        super().__init__(key)
        self.key = key
        self.args_ = args


def require_admin(app, event: Event, actor) -> None:
    """Every organizer path calls this, whatever the handler already checked."""
    people.require_organizer(app.settings, event, actor)


# --- input ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SessionData:
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None = None
    kind: str = "talk"
    room: str | None = None
    track: str | None = None
    speaker_ids: tuple[int, ...] = ()
    description: str | None = None
    for_all: bool = False
    cancelled: bool = False


_SPACES = re.compile(r"\s+")


def clean_text(text: Any, limit: int, *, required: bool = False, multiline: bool = False) -> str | None:
    value = str(text if text is not None else "").strip()
    if not multiline:
        value = _SPACES.sub(" ", value)
    if value in ("", "-", "—"):
        if required:
            raise InputError("schedule-error-title-empty")
        return None
    if len(value) > limit:
        raise InputError("schedule-error-too-long", length=len(value), limit=limit)
    return value


def validate(data: SessionData) -> SessionData:
    """The rules every saved session obeys, whatever its source (bot, program file)."""
    title = clean_text(data.title, TITLE_MAX, required=True)
    if data.kind not in KINDS:
        raise InputError("schedule-error-kind", kinds=", ".join(KINDS))
    if data.ends_at is None and data.kind != "deadline":
        raise InputError("schedule-error-end-missing")
    if data.ends_at is not None:
        if data.ends_at <= data.starts_at:
            raise InputError("schedule-error-end-before-start")
        if data.ends_at - data.starts_at > MAX_DURATION:
            raise InputError("schedule-error-too-long-duration", hours=int(MAX_DURATION.total_seconds() // 3600))
    return replace(data, title=title, room=clean_text(data.room, ROOM_MAX), track=clean_text(data.track, TRACK_MAX),
                   description=clean_text(data.description, DESCRIPTION_MAX, multiline=True),
                   speaker_ids=tuple(dict.fromkeys(data.speaker_ids)))


async def check_room(session: AsyncSession, event: Event, data: SessionData, exclude_id: int | None) -> None:
    """Two sessions may not hold one room at once (deadlines and cancelled sessions hold nothing)."""
    if not data.room or data.ends_at is None or data.cancelled:
        return
    for other in await sessions_of(session, event.id, drafts=True):
        if other.id == exclude_id:
            continue
        o = effective(other)
        if o["cancelled"] or o["ends_at"] is None or (o["room"] or "").casefold() != data.room.casefold():
            continue
        if o["starts_at"] < data.ends_at and data.starts_at < o["ends_at"]:
            raise InputError("schedule-error-room-busy", room=data.room, title=o["title"])


async def resolve_speakers(session: AsyncSession, event: Event, refs: list[Any]) -> tuple[int, ...]:
    """Speaker keys or names (case-insensitive) → ids; an unknown one is refused by name."""
    speakers = (await session.scalars(select(Speaker).where(Speaker.event_id == event.id))).all()
    by_key = {s.key.casefold(): s.id for s in speakers if s.key}
    by_name = {s.name.casefold(): s.id for s in speakers}
    ids = []
    for ref in refs:
        text = _SPACES.sub(" ", str(ref).strip()).casefold()
        if not text:
            continue
        found = by_key.get(text) or by_name.get(text)
        if found is None:
            raise InputError("schedule-error-speaker-unknown", speaker=str(ref).strip()[:100])
        ids.append(found)
    return tuple(ids)


# --- reading ----------------------------------------------------------------------------------------

def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value is not None else None


def _to_json(name: str, value: Any) -> Any:
    if name in ("starts_at", "ends_at"):
        return _iso(value)
    if name == "speaker_ids":
        return list(value)
    return value


def _from_json(name: str, value: Any) -> Any:
    if name in ("starts_at", "ends_at"):
        return dt.datetime.fromisoformat(value) if value else None
    if name == "speaker_ids":
        return tuple(value or ())
    return value


def published(row: Session) -> dict[str, Any]:
    return {name: (tuple(row.speaker_ids or ()) if name == "speaker_ids" else getattr(row, name)) for name in FIELDS}


def effective(row: Session) -> dict[str, Any]:
    """The session as the organizer sees it: published fields overlaid with the draft."""
    values = published(row)
    for name, value in (row.draft or {}).items():
        values[name] = _from_json(name, value)
    return values


async def sessions_of(session: AsyncSession, event_id: int, *, drafts: bool = False) -> list[Session]:
    """Published sessions in time order (``drafts``: also the ones never published)."""
    stmt = select(Session).where(Session.event_id == event_id)
    if not drafts:
        stmt = stmt.where(Session.published_at.is_not(None))
    return list((await session.scalars(stmt.order_by(Session.starts_at, Session.id))).all())


async def visible(session: AsyncSession, event_id: int) -> list[Session]:
    return [s for s in await sessions_of(session, event_id) if not s.cancelled]


async def get_session(session: AsyncSession, event_id: int, session_id: int) -> Session | None:
    return await session.scalar(select(Session).where(Session.id == session_id, Session.event_id == event_id))


async def program_days(session: AsyncSession, event_id: int, tz) -> list[dt.date]:
    """The local days with sessions (reads start times only)."""
    starts = await session.scalars(select(Session.starts_at).where(
        Session.event_id == event_id, Session.published_at.is_not(None), Session.cancelled.is_(False)))
    return sorted({s.astimezone(tz).date() for s in starts.all()})


async def visible_on(session: AsyncSession, event_id: int, day: dt.date, tz, *, offset: int = 0,
                     limit: int | None = None) -> tuple[list[Session], int]:
    """A page of the published, not cancelled sessions starting on a local day, and how many there are."""
    lo = dt.datetime.combine(day, dt.time(), tz).astimezone(dt.UTC)
    hi = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tz).astimezone(dt.UTC)
    where = (Session.event_id == event_id, Session.published_at.is_not(None), Session.cancelled.is_(False),
             Session.starts_at >= lo, Session.starts_at < hi)
    total = await session.scalar(select(func.count()).select_from(Session).where(*where)) or 0
    stmt = select(Session).where(*where).order_by(Session.starts_at, Session.id).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list((await session.scalars(stmt)).all()), total


async def speakers_of(session: AsyncSession, rows: list[Session]) -> dict[int, Speaker]:
    """Only the speakers the given sessions name (a page needs a handful, not the whole list)."""
    ids = {i for row in rows for i in row.speaker_ids or ()}
    if not ids:
        return {}
    return {s.id: s for s in (await session.scalars(select(Speaker).where(Speaker.id.in_(ids)))).all()}


def now_and_next(rows: list[Session], now: dt.datetime) -> tuple[list[Session], list[Session]]:
    """What runs at ``now``, and what starts next (every session of the next start time)."""
    running = [s for s in rows if s.starts_at <= now and s.ends_at is not None and now < s.ends_at]
    later = [s for s in rows if s.starts_at > now]
    upcoming = [s for s in later if s.starts_at == later[0].starts_at] if later else []
    return running, upcoming


def days_of(rows: list[Session], tz) -> list[dt.date]:
    return sorted({s.starts_at.astimezone(tz).date() for s in rows})


def on_day(rows: list[Session], day: dt.date, tz) -> list[Session]:
    return [s for s in rows if s.starts_at.astimezone(tz).date() == day]


# --- organizer operations ------------------------------------------------------------------------

async def _any_published(session: AsyncSession, event_id: int) -> bool:
    return bool(await session.scalar(select(func.count()).select_from(Session)
                                     .where(Session.event_id == event_id, Session.published_at.is_not(None))))


async def create_session(app, session: AsyncSession, event: Event, actor, data: SessionData, *,
                         key: str | None = None, now: dt.datetime, publish_now: bool | None = None) -> Session:
    """A new session: a draft while drafts are on and a program is already out, else published now."""
    require_admin(app, event, actor)
    data = validate(data)
    await check_room(session, event, data, None)
    row = Session(event_id=event.id, key=key, title=data.title, kind=data.kind, description=data.description,
                  starts_at=data.starts_at, ends_at=data.ends_at, room=data.room, track=data.track,
                  speaker_ids=list(data.speaker_ids), for_all=data.for_all, cancelled=False, updated_at=now)
    session.add(row)
    await session.flush()
    if publish_now is None:
        publish_now = not config(app, event).drafts or not await _any_published(session, event.id)
    if publish_now:
        # Nobody can have bookmarked a session of a program that is not out yet: nothing to announce.
        from plugins.schedule import reminders

        row.published_at = now
        await session.flush()
        await reminders.plan(app, session, event, row, now)
    return row


async def stage_changes(app, session: AsyncSession, event: Event, actor, session_id: int,
                        changes: dict[str, Any], *, now: dt.datetime, publish_now: bool | None = None) -> Session:
    """Check ``changes`` against every rule, then keep them as the session's draft.

    A session never published takes them directly. With drafts off for the event, the change is
    published at once (one notice per affected person for this edit)."""
    require_admin(app, event, actor)
    row = await session.scalar(select(Session).where(Session.id == session_id, Session.event_id == event.id)
                               .with_for_update())
    if row is None:
        raise InputError("schedule-error-not-found")
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise ValueError(f"unknown session fields {sorted(unknown)}")
    wanted = {**effective(row), **changes}
    data = validate(SessionData(**wanted))
    await check_room(session, event, data, row.id)
    values = {name: getattr(data, name) for name in FIELDS}
    if row.published_at is None:
        for name, value in values.items():
            setattr(row, name, list(value) if name == "speaker_ids" else value)
        row.updated_at = now
        await session.flush()
        return row
    current = published(row)
    draft = {name: _to_json(name, value) for name, value in values.items() if value != current[name]}
    row.draft = draft or None
    row.updated_at = now
    await session.flush()
    if publish_now if publish_now is not None else not config(app, event).drafts:
        await publish(app, session, event, actor, now=now, only=[row.id])
    return row


async def cancel_session(app, session: AsyncSession, event: Event, actor, session_id: int, *,
                         now: dt.datetime) -> Session:
    return await stage_changes(app, session, event, actor, session_id, {"cancelled": True}, now=now)


async def discard_drafts(app, session: AsyncSession, event: Event, actor) -> int:
    require_admin(app, event, actor)
    dropped = await session.execute(delete(Session).where(Session.event_id == event.id,
                                                          Session.published_at.is_(None)))
    reset = await session.execute(update(Session).where(Session.event_id == event.id, Session.draft.is_not(None))
                                  .values(draft=None))
    return (dropped.rowcount or 0) + (reset.rowcount or 0)


# --- releases -------------------------------------------------------------------------------------

@dataclass
class Change:
    """What one session's publication changes, as participants will be told."""

    session_id: int
    title: str
    what: list[str]  # new | moved | room | cancelled | speakers | title | details
    old: dict[str, Any]
    new: dict[str, Any]


@dataclass
class Preview:
    changes: list[Change] = field(default_factory=list)
    recipients: dict[int, list[int]] = field(default_factory=dict)  # user → indexes into changes
    # Changes other plugins handed over for this digest (held.py: booked workshops), per reader,
    # and subject by subject for the organizer's preview.
    held: dict[int, list] = field(default_factory=dict)
    held_changes: list = field(default_factory=list)

    @property
    def people(self) -> list[int]:
        """Everyone the release tells (once each)."""
        return list(self.recipients) + [uid for uid in self.held if uid not in self.recipients]

    @property
    def total(self) -> int:
        return len(self.changes) + len(self.held_changes)


def describe(row: Session) -> Change | None:
    new = effective(row)
    if row.published_at is None:
        if new["cancelled"]:
            return None
        return Change(row.id, new["title"], ["new"], {}, new)
    old = published(row)
    changed = [name for name in FIELDS if new[name] != old[name]]
    if not changed:
        return None
    what = []
    if "cancelled" in changed:
        what.append("cancelled" if new["cancelled"] else "restored")
    if "starts_at" in changed or "ends_at" in changed:
        what.append("moved")
    if "room" in changed:
        what.append("room")
    if "speaker_ids" in changed:
        what.append("speakers")
    if "title" in changed:
        what.append("title")
    if not what:
        what.append("details")
    return Change(row.id, old["title"], what, old, new)


async def _drafted(session: AsyncSession, event_id: int, only: list[int] | None, lock: bool) -> list[Session]:
    stmt = select(Session).where(Session.event_id == event_id,
                                 or_(Session.draft.is_not(None), Session.published_at.is_(None)))
    if only is not None:
        stmt = stmt.where(Session.id.in_(only))
    if lock:
        stmt = stmt.with_for_update()
    return list((await session.scalars(stmt.order_by(Session.starts_at, Session.id))).all())


async def _members(session: AsyncSession, event_id: int) -> list[int]:
    return list((await session.scalars(select(Member.user_id).where(Member.event_id == event_id))).all())


async def preview(app, session: AsyncSession, event: Event, actor, *, only: list[int] | None = None,
                  lock: bool = False) -> tuple[Preview, list[Session]]:
    """What "Publish changes" would change and whom it would tell (nothing written)."""
    require_admin(app, event, actor)
    rows = await _drafted(session, event.id, only, lock)
    result = Preview()
    described = [(row, c) for row in rows if (c := describe(row)) is not None]
    marks = await bookmarkers(session, [row.id for row, _ in described])
    speakers = await speakers_by_id(session, event.id)
    everyone: list[int] | None = None
    for index, (row, change) in enumerate(described):
        result.changes.append(change)
        if "new" in change.what and change.what == ["new"]:
            continue  # a new session was bookmarked by nobody; the program shows it
        told = set(marks[row.id])
        for sid in set(change.old.get("speaker_ids", ())) | set(change.new.get("speaker_ids", ())):
            if sid in speakers and speakers[sid].user_id:
                told.add(speakers[sid].user_id)
        if change.old.get("for_all") or change.new.get("for_all"):
            everyone = everyone if everyone is not None else await _members(session, event.id)
            told.update(everyone)
        for uid in told:
            result.recipients.setdefault(uid, []).append(index)
    _add_held(result, await held.pending(session, event.id))
    return result, [row for row, _ in described]


def _add_held(result: Preview, rows) -> None:
    result.held = held.by_reader(rows)
    result.held_changes = held.by_subject(rows)


async def publish(app, session: AsyncSession, event: Event, actor, *, now: dt.datetime,
                  only: list[int] | None = None):
    """Apply every draft, tell each affected participant once, re-time reminders. Returns the
    ``Release`` (None when there was nothing to publish). In the caller's transaction."""
    from plugins.schedule import digest, reminders
    from plugins.schedule.models import Release

    result, rows = await preview(app, session, event, actor, only=only, lock=True)
    # What other plugins handed over joins this digest: taken, so that their job finds it gone.
    _add_held(result, await held.take(session, event.id))
    if not rows:
        # Drafts that change nothing (edited back to what is published) are just cleared.
        for row in await _drafted(session, event.id, only, lock=False):
            if row.published_at is not None:
                row.draft = None
        if not result.held:
            return None
    release = Release(event_id=event.id, changes=result.total, notified=len(result.people),
                      published_by=getattr(actor, "user_id", None), published_at=now)
    session.add(release)
    for row in rows:
        values = effective(row)
        for name, value in values.items():
            setattr(row, name, list(value) if name == "speaker_ids" else value)
        row.draft = None
        row.published_at = row.published_at or now
        row.updated_at = now
    await session.flush()
    for row in rows:
        if row.cancelled:
            await reminders.forget(session, row.id)
        else:
            await reminders.plan(app, session, event, row, now)
    await digest.enqueue(app, session, event, release, result)
    return release


# --- bookmarks ------------------------------------------------------------------------------------

async def is_bookmarked(session: AsyncSession, session_id: int, user_id: int) -> bool:
    return bool(await session.scalar(select(func.count()).select_from(Bookmark)
                                     .where(Bookmark.session_id == session_id, Bookmark.user_id == user_id)))


async def bookmarked_ids(session: AsyncSession, event_id: int, user_id: int) -> set[int]:
    return set((await session.scalars(select(Bookmark.session_id).where(Bookmark.event_id == event_id,
                                                                        Bookmark.user_id == user_id))).all())


async def toggle_bookmark(session: AsyncSession, event: Event, user_id: int, session_id: int,
                          *, now: dt.datetime) -> bool | None:
    """Bookmark or un-bookmark; returns the new state, None for an unknown or cancelled session.
    A double tap inserts once (unique key, ON CONFLICT DO NOTHING)."""
    row = await get_session(session, event.id, session_id)
    if row is None or row.published_at is None:
        return None
    gone = await session.execute(delete(Bookmark).where(Bookmark.session_id == session_id,
                                                        Bookmark.user_id == user_id))
    if gone.rowcount:
        return False
    if row.cancelled:
        return None
    await session.execute(upsert_insert(session)(Bookmark).values(
        event_id=event.id, session_id=session_id, user_id=user_id, created_at=now)
        .on_conflict_do_nothing(index_elements=["session_id", "user_id"]))
    return True


async def forget_member(session: AsyncSession, event: Event, user_id: int) -> None:
    """A participant's data erased: their bookmarks, reminder setting and held notices go."""
    await session.execute(delete(Bookmark).where(Bookmark.event_id == event.id, Bookmark.user_id == user_id))
    await held.forget(session, event.id, user_id)
    await session.execute(delete(ReminderPref).where(ReminderPref.event_id == event.id,
                                                     ReminderPref.user_id == user_id))


# --- reminder preferences -------------------------------------------------------------------------

async def get_pref(session: AsyncSession, event_id: int, user_id: int) -> ReminderPref | None:
    return await session.get(ReminderPref, (event_id, user_id))


async def set_pref(app, session: AsyncSession, event: Event, user_id: int, *, enabled: bool,
                   minutes: int | None) -> None:
    if minutes is not None and minutes not in config(app, event).reminder_minutes:
        raise InputError("schedule-error-lead", options=", ".join(map(str, config(app, event).reminder_minutes)))
    pref = await get_pref(session, event.id, user_id)
    if pref is None:
        session.add(ReminderPref(event_id=event.id, user_id=user_id, enabled=enabled, minutes=minutes))
    else:
        pref.enabled, pref.minutes = enabled, minutes
    await session.flush()


# --- speakers -------------------------------------------------------------------------------------

def clean_username(text: Any) -> str | None:
    value = clean_text(text, USERNAME_MAX)
    if value is None:
        return None
    value = value.removeprefix("@")
    if not re.fullmatch(r"[A-Za-z0-9_]{4,32}", value):
        raise InputError("schedule-error-username")
    return value


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


LINK_PREFIX = "spk"


async def create_speaker_link(app, session: AsyncSession, event: Event, actor, speaker_id: int, *,
                              now: dt.datetime) -> str:
    """A fresh one-time claim token; the deep link payload is ``<event>--spk<token>``."""
    require_admin(app, event, actor)
    speaker = await session.scalar(select(Speaker).where(Speaker.id == speaker_id, Speaker.event_id == event.id))
    if speaker is None:
        raise InputError("schedule-error-speaker-unknown", speaker=str(speaker_id))
    token = secrets.token_urlsafe(12).replace("-", "x")  # "--" separates the event from the payload
    session.add(SpeakerLink(event_id=event.id, speaker_id=speaker.id, token_hash=_hash(token), created_at=now))
    await session.flush()
    return f"{event.slug}--{LINK_PREFIX}{token}"


@dataclass(frozen=True)
class ClaimResult:
    status: str  # claimed | used | unknown
    speaker: Speaker | None = None


async def claim_speaker(session: AsyncSession, event: Event, member: Member, payload: str, *,
                        now: dt.datetime) -> ClaimResult:
    """Use a claim link once: one conditional UPDATE, so two taps (or two people) cannot both win."""
    if not payload.startswith(LINK_PREFIX):
        return ClaimResult("unknown")
    token_hash = _hash(payload[len(LINK_PREFIX):])
    link = await session.scalar(select(SpeakerLink).where(SpeakerLink.token_hash == token_hash,
                                                          SpeakerLink.event_id == event.id))
    if link is None:
        return ClaimResult("unknown")
    won = await session.execute(update(SpeakerLink).where(SpeakerLink.id == link.id, SpeakerLink.used_at.is_(None))
                                .values(used_at=now, used_by=member.user_id))
    speaker = await session.get(Speaker, link.speaker_id)
    if not won.rowcount:
        return ClaimResult("used", speaker)
    speaker.user_id = member.user_id
    if member.role == Role.PARTICIPANT.value:
        member.role = Role.SPEAKER.value
    await session.flush()
    return ClaimResult("claimed", speaker)


async def own_sessions(session: AsyncSession, event_id: int, user_id: int) -> list[Session]:
    mine = set((await session.scalars(select(Speaker.id).where(Speaker.event_id == event_id,
                                                               Speaker.user_id == user_id))).all())
    if not mine:
        return []
    return [s for s in await visible(session, event_id) if mine & set(s.speaker_ids or ())]


# --- program file ---------------------------------------------------------------------------------

SESSION_FIELDS = {"key", "kind", "title", "description", "starts_at", "ends_at", "duration_minutes", "room", "track",
                  "speakers", "for_all", "cancelled"}
SPEAKER_FIELDS = {"key", "name", "bio", "username"}


def _program_datetime(value: Any, tz) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return (value.replace(tzinfo=tz) if value.tzinfo is None else value).astimezone(dt.UTC)
    text = str(value).strip()
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InputError("schedule-error-datetime", example="2026-03-12 10:00") from None
    return (parsed.replace(tzinfo=tz) if parsed.tzinfo is None else parsed).astimezone(dt.UTC)


def _key(item: dict) -> str:
    key = str(item.get("key") or "").strip()
    if not key or len(key) > KEY_MAX or not re.fullmatch(r"[A-Za-z0-9_.:-]+", key):
        raise InputError("schedule-error-key", limit=KEY_MAX)
    return key


async def _import_speakers(session, event, items, tr, report) -> None:
    if not isinstance(items, list):
        report["errors"].append("schedule.speakers: expected a list")
        return
    existing = {s.key: s for s in (await session.scalars(select(Speaker).where(Speaker.event_id == event.id))).all()
                if s.key}
    for index, item in enumerate(items):
        where = f"schedule.speakers[{index}]"
        try:
            if not isinstance(item, dict):
                raise InputError("schedule-error-program-item")
            unknown = set(item) - SPEAKER_FIELDS
            if unknown:
                raise InputError("schedule-error-program-fields", fields=", ".join(sorted(map(str, unknown))))
            key = _key(item)
            name = clean_text(item.get("name"), NAME_MAX)
            if name is None:
                raise InputError("schedule-error-program-missing", field="name")
            values = {"name": name, "bio": clean_text(item.get("bio"), BIO_MAX, multiline=True),
                      "username": clean_username(item.get("username"))}
        except InputError as exc:
            report["errors"].append(f"{where}: {tr(exc.key, **exc.args_)}")
            continue
        speaker = existing.get(key)
        if speaker is None:
            session.add(Speaker(event_id=event.id, key=key, **values))
            report["created"].append(f"speaker:{key}")
        elif any(getattr(speaker, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(speaker, k, v)
            report["updated"].append(f"speaker:{key}")
        else:
            report["unchanged"].append(f"speaker:{key}")
    await session.flush()


async def _session_item(session, event, item, tz) -> tuple[str, SessionData]:
    if not isinstance(item, dict):
        raise InputError("schedule-error-program-item")
    unknown = set(item) - SESSION_FIELDS
    if unknown:
        raise InputError("schedule-error-program-fields", fields=", ".join(sorted(map(str, unknown))))
    key = _key(item)
    for name in ("title", "starts_at"):
        if item.get(name) in (None, ""):
            raise InputError("schedule-error-program-missing", field=name)
    starts_at = _program_datetime(item["starts_at"], tz)
    ends_at = None
    if item.get("ends_at") not in (None, ""):
        ends_at = _program_datetime(item["ends_at"], tz)
    elif item.get("duration_minutes") not in (None, ""):
        try:
            ends_at = starts_at + dt.timedelta(minutes=int(item["duration_minutes"]))
        except (TypeError, ValueError):
            raise InputError("schedule-error-duration") from None
    refs = item.get("speakers") or []
    if isinstance(refs, str):
        refs = [r for r in refs.split(",")]
    data = SessionData(title=str(item["title"]), starts_at=starts_at, ends_at=ends_at,
                       kind=str(item.get("kind") or "talk"), room=item.get("room"), track=item.get("track"),
                       speaker_ids=await resolve_speakers(session, event, list(refs)),
                       description=item.get("description"), for_all=bool(item.get("for_all", False)),
                       cancelled=bool(item.get("cancelled", False)))
    return key, validate(data)


async def import_program(app, session, event: Event, section: Any, *, now: dt.datetime) -> dict[str, list[str]]:
    """``schedule: {speakers: [...], sessions: [...]}`` by stable keys. Changes to published sessions
    become drafts (or publish at once with drafts off), exactly as edits in the bot do."""
    tr = app.translator("en")  # the report is for the operator's terminal
    report: dict[str, list[str]] = {"created": [], "updated": [], "unchanged": [], "errors": []}
    if section is None:
        return report
    if not isinstance(section, dict) or set(section) - {"speakers", "sessions"}:
        report["errors"].append("schedule: expected a mapping with 'speakers' and 'sessions' lists")
        return report
    await _import_speakers(session, event, section.get("speakers") or [], tr, report)
    items = section.get("sessions") or []
    if not isinstance(items, list):
        report["errors"].append("schedule.sessions: expected a list")
        return report
    tz = tz_of(event)
    existing = {s.key: s for s in await sessions_of(session, event.id, drafts=True) if s.key}
    seen: set[str] = set()
    publish_now = not config(app, event).drafts
    # A first program (nothing out yet) is published as it is imported; later ones add drafts.
    first = not await _any_published(session, event.id)
    touched: list[int] = []
    for index, item in enumerate(items):
        where = f"schedule.sessions[{index}]"
        if isinstance(item, dict) and item.get("key"):
            where = f"{where} ({str(item['key'])[:KEY_MAX]})"
        try:
            key, data = await _session_item(session, event, item, tz)
            if key in seen:
                raise InputError("schedule-error-program-duplicate")
            seen.add(key)
            row = existing.get(key)
            if row is None:
                await create_session(app, session, event, SYSTEM, data, key=key, now=now,
                                     publish_now=first or publish_now)
                report["created"].append(key)
                continue
            changes = {name: getattr(data, name) for name in FIELDS if getattr(data, name) != effective(row)[name]}
            if not changes:
                report["unchanged"].append(key)
                continue
            await stage_changes(app, session, event, SYSTEM, row.id, changes, now=now, publish_now=False)
            touched.append(row.id)
            report["updated"].append(key)
        except InputError as exc:
            report["errors"].append(f"{where}: {tr(exc.key, **exc.args_)}")
    if publish_now and touched and not report["errors"]:
        await publish(app, session, event, SYSTEM, now=now, only=touched)  # one release for the whole file
    return report


async def export_program(session, event: Event) -> dict[str, Any]:
    tz = tz_of(event)
    speakers = await speakers_by_id(session, event.id)
    out_speakers = []
    for s in sorted(speakers.values(), key=lambda s: s.id):
        item: dict[str, Any] = {"key": s.key or f"speaker-{s.id}", "name": s.name}
        if s.bio:
            item["bio"] = s.bio
        if s.username:
            item["username"] = s.username
        out_speakers.append(item)
    out_sessions = []
    for row in await sessions_of(session, event.id, drafts=True):
        values = effective(row)  # the organizer's program as it stands, drafts included
        item = {"key": row.key or f"session-{row.id}", "kind": values["kind"], "title": values["title"],
                "starts_at": values["starts_at"].astimezone(tz).strftime("%Y-%m-%d %H:%M")}
        if values["ends_at"]:
            item["ends_at"] = values["ends_at"].astimezone(tz).strftime("%Y-%m-%d %H:%M")
        for name in ("room", "track", "description"):
            if values[name]:
                item[name] = values[name]
        if values["speaker_ids"]:
            item["speakers"] = [speakers[i].key or f"speaker-{i}" for i in values["speaker_ids"] if i in speakers]
        if values["for_all"]:
            item["for_all"] = True
        if values["cancelled"]:
            item["cancelled"] = True
        out_sessions.append(item)
    return {"schedule": {"speakers": out_speakers, "sessions": out_sessions}}


# --- the organizer's form in the bot -----------------------------------------------------------------

_DATE_FORMATS = ("%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M", "%Y-%m-%dT%H:%M")


def parse_local_datetime(text: str | None, tz) -> dt.datetime:
    """"2026-03-12 10:00" or "12.03.2026 10:00" in the event's timezone → UTC."""
    value = _SPACES.sub(" ", (text or "").strip())
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).replace(tzinfo=tz).astimezone(dt.UTC)
        except ValueError:
            continue
    raise InputError("schedule-error-datetime", example="2026-03-12 10:00")


def parse_end(text: str | None, starts_at: dt.datetime, tz) -> dt.datetime | None:
    """"11:30" (the start's day), a full date and time, "90" minutes, or "-" for none (a deadline)."""
    value = (text or "").strip()
    if value in ("", "-", "—"):
        return None
    if re.fullmatch(r"\d{1,4}", value):
        return starts_at + dt.timedelta(minutes=int(value))
    if match := re.fullmatch(r"(\d{1,2}):(\d{2})", value):
        hour, minute = int(match[1]), int(match[2])
        if hour > 23 or minute > 59:
            raise InputError("schedule-error-end-format")
        local = starts_at.astimezone(tz)
        return local.replace(hour=hour, minute=minute, second=0, microsecond=0).astimezone(dt.UTC)
    try:
        return parse_local_datetime(value, tz)
    except InputError:
        raise InputError("schedule-error-end-format") from None


FORM_LINES = ("title", "starts_at", "ends_at", "room", "speakers", "kind", "track")


async def parse_form(session: AsyncSession, event: Event, text: str) -> SessionData:
    """The new-session form: one field a line (title, start, end, room, speakers, kind, track);
    the last three may be left out. Every rule is checked, the room slot too."""
    lines = [part.strip() for part in (text or "").split("\n")]
    if len(lines) < 4:
        raise InputError("schedule-error-form")
    lines += [""] * (len(FORM_LINES) - len(lines))
    if len(lines) > len(FORM_LINES):
        raise InputError("schedule-error-form")
    tz = tz_of(event)
    starts_at = parse_local_datetime(lines[1], tz)
    refs = [r for r in lines[4].split(",")] if lines[4] not in ("", "-", "—") else []
    kind = (lines[5] or "talk").strip().lower()
    data = validate(SessionData(title=lines[0], starts_at=starts_at, ends_at=parse_end(lines[2], starts_at, tz),
                                kind=kind, room=lines[3], track=lines[6],
                                speaker_ids=await resolve_speakers(session, event, refs)))
    await check_room(session, event, data, None)
    return data


async def parse_field(session: AsyncSession, event: Event, row: Session, name: str, text: str) -> dict[str, Any]:
    """One field typed by the organizer → the change it makes (validated with the rest later)."""
    tz = tz_of(event)
    current = effective(row)
    if name == "title":
        return {"title": clean_text(text, TITLE_MAX, required=True)}
    if name == "time":
        first, _, rest = (text or "").strip().partition("\n")
        starts_at = parse_local_datetime(first, tz)
        if rest.strip():
            return {"starts_at": starts_at, "ends_at": parse_end(rest, starts_at, tz)}
        length = (current["ends_at"] - current["starts_at"]) if current["ends_at"] else None
        return {"starts_at": starts_at, "ends_at": starts_at + length if length else None}
    if name == "room":
        return {"room": clean_text(text, ROOM_MAX)}
    if name == "speakers":
        refs = [] if (text or "").strip() in ("", "-", "—") else text.split(",")
        return {"speaker_ids": await resolve_speakers(session, event, refs)}
    if name == "description":
        return {"description": clean_text(text, DESCRIPTION_MAX, multiline=True)}
    if name == "track":
        return {"track": clean_text(text, TRACK_MAX)}
    if name == "kind":
        kind = (text or "").strip().lower()
        if kind not in KINDS:
            raise InputError("schedule-error-kind", kinds=", ".join(KINDS))
        return {"kind": kind}
    if name == "forall":
        answer = (text or "").strip().casefold()
        if answer not in ("yes", "no", "да", "нет"):
            raise InputError("schedule-error-yes-no")
        return {"for_all": answer in ("yes", "да")}
    raise InputError("schedule-error-form")


async def check_changes(session: AsyncSession, event: Event, row: Session, changes: dict[str, Any]) -> SessionData:
    """What ``stage_changes`` would check, without writing (the dialog's preview)."""
    data = validate(SessionData(**{**effective(row), **changes}))
    await check_room(session, event, data, row.id)
    return data
