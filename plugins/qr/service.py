"""Passes and check-in: issue, re-issue, verify, admit once, undo, count. No aiogram here.

Order of checks at the door (pretix's lesson: validity before duplicates): is it our QR at all →
for this event → signed by a key we know, unaltered → a pass we issued → not revoked → its holder
still a registered member → only then "first time" or "already, at HH:MM by X". The check-in row
is unique per person, event and door, inserted with ``ON CONFLICT DO NOTHING``: however many
desks scan one pass at once, the database lets one row in and the others read it back.
Every scan is logged, failures too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, update

from core import people
from core.db import utcnow
from core.delivery.dialect import insert_for
from core.models import Event, Member, User
from core.people import SYSTEM, NotAllowed, SystemActor  # noqa: F401  (part of this service's API)
from plugins.qr import doors, tokens
from plugins.qr.config import PLUGIN
from plugins.qr.imaging import PassPicture
from plugins.qr.models import ENTRANCE, CheckIn, EventKey, Pass, Scan
from plugins.qr.scans import (
    Outcome, ScanResult, display_name, door_checkin, door_scope, log_scan, name_of, require_desk,
)

AUTO_KEY_ID = "auto"
NEWS_KEY = "qr:absent"
PASS_PREFIX = tokens.PREFIX + "."  # what our passes' QR codes start with
ISSUE_ATTEMPTS = 5


@dataclass(frozen=True)
class Stats:
    registered: int
    checked_in: int
    by_hour: list[tuple[str, int]]           # ("09:00", 12) in the event's time zone


# ----------------------------------------------------------------------------------------------- who

def needs_registration(app, event: Event) -> bool:
    conf = app.settings.events.get(event.slug)
    return bool(conf and conf.signup.enabled)


def _registered(app, event: Event):
    """Members counted as registered: signed up when the event has a form, else everyone who joined."""
    cond = Member.event_id == event.id
    return cond & Member.registered_at.is_not(None) if needs_registration(app, event) else cond


# ---------------------------------------------------------------------------------------------- keys

async def _auto_key(session, event: Event) -> tuple[str, str]:
    secret = await session.scalar(select(EventKey.secret).where(EventKey.event_id == event.id,
                                                                EventKey.key_id == AUTO_KEY_ID))
    if secret is None:
        await session.execute(_insert(session, EventKey).values(
            event_id=event.id, key_id=AUTO_KEY_ID, secret=tokens.new_secret(), created_at=utcnow())
            .on_conflict_do_nothing())
        secret = await session.scalar(select(EventKey.secret).where(EventKey.event_id == event.id,
                                                                    EventKey.key_id == AUTO_KEY_ID))
    return AUTO_KEY_ID, secret


async def signing_key(app, session, event: Event) -> tuple[str, str]:
    conf = app.plugin_config(event.slug, PLUGIN)
    if conf.keys:
        return conf.sign_with, conf.keys[conf.sign_with]
    return await _auto_key(session, event)


async def _key(app, session, event: Event, key_id: str) -> str | None:
    """The secret of ``key_id`` for this event: from the config, else the generated one."""
    conf = app.plugin_config(event.slug, PLUGIN) if event.slug in app.settings.events else None
    if conf is not None and key_id in conf.keys:
        return conf.keys[key_id]
    return await session.scalar(select(EventKey.secret).where(EventKey.event_id == event.id,
                                                              EventKey.key_id == key_id))


def _insert(session, table):
    return insert_for("postgresql" if session.bind.dialect.name == "postgresql" else "sqlite")(table)


# -------------------------------------------------------------------------------------------- passes

class NoPass(Exception):
    """The member cannot have a pass yet (sign-up not finished)."""


async def live_pass(session, event: Event, user_id: int) -> Pass | None:
    return await session.scalar(select(Pass).where(Pass.event_id == event.id, Pass.user_id == user_id,
                                                   Pass.revoked_at.is_(None)))


async def my_pass(app, session, event: Event, member: Member) -> Pass:
    """The member's live pass, issued on first request. A double tap issues one (unique index)."""
    if member is None or member.event_id != event.id:
        raise NoPass()
    if needs_registration(app, event) and not member.is_registered:
        raise NoPass()
    found = await live_pass(session, event, member.user_id)
    if found is not None:
        return found
    key_id, _ = await signing_key(app, session, event)
    for _ in range(ISSUE_ATTEMPTS):  # a short code taken by chance: draw another
        await session.execute(_insert(session, Pass).values(
            event_id=event.id, user_id=member.user_id, nonce=tokens.new_nonce(), short_code=tokens.new_short_code(),
            key_id=key_id, issued_at=utcnow()).on_conflict_do_nothing())
        found = await live_pass(session, event, member.user_id)
        if found is not None:
            return found
    raise RuntimeError("could not draw a free short code")  # 32^8 codes: practically unreachable


async def reissue(app, session, event: Event, member: Member, replacing: int | None = None) -> Pass:
    """Revoke the member's pass and issue a new one: the old QR and code answer "revoked" from now on.
    ``replacing``: the pass the person saw when they asked; if it is no longer the live one (a
    second tap on "yes"), the current pass is returned and nothing is revoked again."""
    if needs_registration(app, event) and not member.is_registered:
        raise NoPass()
    if replacing is not None:
        live = await live_pass(session, event, member.user_id)
        if live is not None and live.id != replacing:
            return live
    await revoke(session, event, member.user_id, "reissued")
    return await my_pass(app, session, event, member)


async def revoke(session, event: Event, user_id: int, reason: str) -> int:
    result = await session.execute(update(Pass).where(Pass.event_id == event.id, Pass.user_id == user_id,
                                                      Pass.revoked_at.is_(None))
                                   .values(revoked_at=utcnow(), revoked_reason=reason, photo_file_id=None))
    return result.rowcount


async def remember_photo(session, pass_id: int, file_id: str) -> None:
    """Telegram keeps the sent picture: later views re-send it by id instead of drawing it again."""
    await session.execute(update(Pass).where(Pass.id == pass_id, Pass.revoked_at.is_(None))
                          .values(photo_file_id=file_id))


async def payload(app, session, event: Event, pass_: Pass) -> str:
    secret = await _key(app, session, event, pass_.key_id)
    if secret is None:
        raise RuntimeError(f"the key {pass_.key_id!r} that signed pass {pass_.id} is gone from the config")
    return tokens.sign(event.slug, pass_.key_id, secret, pass_.nonce)


async def picture(app, session, event: Event, pass_: Pass) -> PassPicture:
    user = await session.get(User, pass_.user_id)
    member = await people.get_member(session, event.id, pass_.user_id)
    return PassPicture(payload=await payload(app, session, event, pass_), event_title=event.title,
                       name=display_name(user, member), code=tokens.show_code(pass_.short_code))


async def pictures_for(app, session, event: Event, actor, user_ids: list[int] | None) -> list[tuple[int, PassPicture]]:
    """Passes to print (organizers only): the listed members, or every registered member; passes
    are issued for those who have none yet. Unknown ids raise ValueError naming them."""
    people.require_organizer(app.settings, event, actor)
    members = (await session.scalars(select(Member).where(_registered(app, event)).order_by(Member.id))).all()
    if user_ids is not None:
        by_id = {m.user_id: m for m in members}
        missing = [uid for uid in user_ids if uid not in by_id]
        if missing:
            raise ValueError(f"not registered in {event.slug}: {', '.join(map(str, missing))}")
        members = [by_id[uid] for uid in user_ids]
    out = []
    for member in members:
        pass_ = await my_pass(app, session, event, member)
        out.append((member.user_id, await picture(app, session, event, pass_)))
    return out


# ------------------------------------------------------------------------------------------ check-in

def _scope(door: int | None) -> str:
    return ENTRANCE if door is None else door_scope(door)


async def record_failure(app, session, event: Event, actor, outcome: Outcome, door: int | None = None) -> ScanResult:
    """A scan that found nothing to check (no QR, not an image): logged, answered."""
    require_desk(app, event, actor)
    await log_scan(session, event, actor, outcome, _scope(door))
    return ScanResult(outcome, door=door)


async def check_in_payloads(app, session, event: Event, actor, payloads: list[str],
                            door: int | None = None) -> ScanResult:
    """Check in by what a photo's QR codes say: at the entrance, or (``door``: a workshop's id) at
    that workshop's door. Several codes in one photo: the first that is one of our passes decides
    (a poster behind the pass must not win)."""
    require_desk(app, event, actor)
    found = _door_closed(app, event, door) or await _pass_of(app, session, event, payloads)
    if isinstance(found, ScanResult):
        found.door = door  # answered at that door: the desk stays there
        await log_scan(session, event, actor, found.outcome, _scope(door))
        return found
    return await _admit(app, session, event, actor, found, door)


async def check_in_code(app, session, event: Event, actor, typed: str, door: int | None = None) -> ScanResult:
    """Check in by the short code printed under the QR (typed at the desk)."""
    require_desk(app, event, actor)
    code = tokens.normalize_code(typed)
    found = _door_closed(app, event, door)
    if found is None and code is not None:
        found = await session.scalar(select(Pass).where(Pass.event_id == event.id, Pass.short_code == code))
    if not isinstance(found, Pass):
        result = found or ScanResult(Outcome.BAD_CODE, door=door)
        await log_scan(session, event, actor, result.outcome, _scope(door))
        return result
    return await _admit(app, session, event, actor, found, door)


def _door_closed(app, event: Event, door: int | None) -> ScanResult | None:
    """A door picked while door check-in was on, scanned at after it was turned off."""
    if door is not None and not door_checkin(app, event):
        return ScanResult(Outcome.NO_DOOR, door=door)
    return None


async def _pass_of(app, session, event: Event, payloads: list[str]) -> Pass | ScanResult:
    """The pass the QR codes name, or why there is none (in the order pretix checks)."""
    if not payloads:
        return ScanResult(Outcome.NO_QR)
    parsed = [t for t in (tokens.parse(p) for p in payloads) if t is not None]
    if not parsed:
        return ScanResult(Outcome.NOT_OURS)
    token = next((t for t in parsed if t.event == event.slug), parsed[0])
    if token.event != event.slug:
        return await _other_event(app, session, token)
    secret = await _key(app, session, event, token.key_id)
    if secret is None or not tokens.verify(token, secret):
        return ScanResult(Outcome.FORGED)
    pass_ = await session.scalar(select(Pass).where(Pass.event_id == event.id, Pass.nonce == token.nonce))
    return pass_ if pass_ is not None else ScanResult(Outcome.UNKNOWN)


async def _other_event(app, session, token: tokens.Token) -> ScanResult:
    other = await people.event_by_slug(session, token.event)
    secret = None if other is None else await _key(app, session, other, token.key_id)
    if secret is None or not tokens.verify(token, secret):
        return ScanResult(Outcome.FORGED)
    return ScanResult(Outcome.OTHER_EVENT, other_event=other.title)


async def _admit(app, session, event: Event, actor, pass_: Pass, door: int | None = None) -> ScanResult:
    user = await session.get(User, pass_.user_id)
    member = await people.get_member(session, event.id, pass_.user_id)
    name = display_name(user, member)
    scope = _scope(door)
    if pass_.revoked_at is not None:
        forgotten = pass_.revoked_reason == "forgotten"  # their data is gone: no name, not even in the log
        await log_scan(session, event, actor, Outcome.REVOKED, scope, pass_id=pass_.id,
                   user_id=None if forgotten else pass_.user_id)
        return ScanResult(Outcome.REVOKED, name=None if forgotten else name, at=pass_.revoked_at,
                          revoked_reason=pass_.revoked_reason, door=door)
    if member is None or (needs_registration(app, event) and not member.is_registered):
        await log_scan(session, event, actor, Outcome.NOT_REGISTERED, scope, pass_id=pass_.id, user_id=pass_.user_id)
        return ScanResult(Outcome.NOT_REGISTERED, name=name, door=door)
    if door is not None:
        return await doors.mark(app, session, event, actor, pass_, member, name, door)
    now = utcnow()
    inserted = await session.scalar(
        _insert(session, CheckIn).values(event_id=event.id, user_id=pass_.user_id, scope=ENTRANCE, pass_id=pass_.id,
                                         by_user_id=getattr(actor, "user_id", None), checked_in_at=now)
        .on_conflict_do_nothing().returning(CheckIn.id))
    if inserted is not None:
        await log_scan(session, event, actor, Outcome.OK, pass_id=pass_.id, user_id=pass_.user_id)
        return ScanResult(Outcome.OK, name=name, role=member.role, checkin_id=inserted, at=now,
                          user_id=pass_.user_id)
    first = await session.scalar(select(CheckIn).where(CheckIn.event_id == event.id,
                                                       CheckIn.user_id == pass_.user_id, CheckIn.scope == ENTRANCE))
    await log_scan(session, event, actor, Outcome.ALREADY, pass_id=pass_.id, user_id=pass_.user_id)
    by = await name_of(session, event, first.by_user_id) if first is not None else None
    return ScanResult(Outcome.ALREADY, name=name, role=member.role, checkin_id=first.id if first else None,
                      at=first.checked_in_at if first else None, by_name=by, user_id=pass_.user_id)


async def undo(app, session, event: Event, actor, checkin_id: int) -> str | None:
    """Cancel a check-in (organizers only; logged). Returns the person's name, None if it was
    already undone."""
    people.require_organizer(app.settings, event, actor)
    user_id = await session.scalar(delete(CheckIn).where(CheckIn.id == checkin_id, CheckIn.event_id == event.id)
                                   .returning(CheckIn.user_id))
    if user_id is None:
        return None
    row = (await session.execute(select(User, Member).outerjoin(
        Member, (Member.user_id == User.id) & (Member.event_id == event.id)).where(User.id == user_id))).first()
    await log_scan(session, event, actor, "undo", user_id=row[0].id if row else None)
    return display_name(*row) if row else "—"


async def is_checked_in(session, event: Event, user_id: int) -> dt.datetime | None:
    return await session.scalar(select(CheckIn.checked_in_at).where(
        CheckIn.event_id == event.id, CheckIn.user_id == user_id, CheckIn.scope == ENTRANCE))


async def stats(app, session, event: Event, actor) -> Stats:
    """Checked in / registered, and check-ins per hour in the event's time zone."""
    require_desk(app, event, actor)
    registered = await session.scalar(select(func.count()).select_from(Member).where(_registered(app, event)))
    times = (await session.scalars(select(CheckIn.checked_in_at).where(
        CheckIn.event_id == event.id, CheckIn.scope == ENTRANCE).order_by(CheckIn.checked_in_at))).all()
    tz = ZoneInfo(event.timezone or "UTC")
    hours: dict[str, int] = {}
    for at in times:
        local = at.astimezone(tz)
        label = f"{local:%d.%m %H}:00"
        hours[label] = hours.get(label, 0) + 1
    return Stats(registered=registered or 0, checked_in=len(times), by_hour=list(hours.items()))


async def not_checked_in(app, session, event: Event) -> list[int]:
    """Registered members who have not come in yet (the news audience)."""
    came = select(CheckIn.user_id).where(CheckIn.event_id == event.id, CheckIn.scope == ENTRANCE)
    return list((await session.scalars(select(Member.user_id).where(_registered(app, event),
                                                                     Member.user_id.not_in(came))
                                       .order_by(Member.id))).all())


async def forget(session, event: Event, user_id: int) -> None:
    """Forget a member: passes revoked, their check-ins dropped, their name off the scan log."""
    await revoke(session, event, user_id, "forgotten")
    await session.execute(delete(CheckIn).where(CheckIn.event_id == event.id, CheckIn.user_id == user_id))
    await session.execute(update(Scan).where(Scan.event_id == event.id, Scan.user_id == user_id).values(user_id=None))
    await session.execute(update(Scan).where(Scan.event_id == event.id, Scan.by_user_id == user_id)
                          .values(by_user_id=None))


async def todays_workshops(app, session, event: Event, user_id: int | None) -> list[str]:
    """Titles of the workshops the person is booked for today, through the core's schedule hook
    (whichever plugin offers workshops answers it; none active → nothing)."""
    from core.contributions import ScheduleItem

    member = None if user_id is None else await people.get_member(session, event.id, user_id)
    if member is None:
        return []
    tz = ZoneInfo(event.timezone or "UTC")
    today = dt.datetime.now(tz).date()
    items = await app.registry.call("schedule_items", active=set(app.active_plugins(event.slug)) - {PLUGIN},
                                    app=app, session=session, event=event, member=member)
    return [i.title for i in sorted((i for i in items if isinstance(i, ScheduleItem)), key=lambda i: i.starts_at)
            if i.kind == "workshop" and i.starts_at.astimezone(tz).date() == today]
