"""What a scan at the desk is, for the entrance and for workshops' doors alike: its outcomes and
result, who may scan, the log every scan leaves, and whether door check-in is on."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from core import people
from core.db import utcnow
from core.models import Event, Member, Role, User
from core.people import SYSTEM, NotAllowed, SystemActor
from plugins.qr.config import PLUGIN
from plugins.qr.models import ENTRANCE, Scan


class Outcome(enum.StrEnum):
    OK = "ok"
    ALREADY = "already"
    NOT_OURS = "not_ours"          # a QR, but not a pass (a URL, a Wi-Fi code...)
    OTHER_EVENT = "other_event"
    FORGED = "forged"              # signature wrong: made up or altered
    UNKNOWN = "unknown"            # signed by us but no such pass (database restored from an old copy?)
    REVOKED = "revoked"
    NOT_REGISTERED = "not_registered"
    NO_QR = "no_qr"
    NOT_IMAGE = "not_image"
    BAD_CODE = "bad_code"          # a typed short code that matches no pass
    NOT_BOOKED = "not_booked"      # at a workshop's door: a valid pass, but not on that workshop's list
    NO_DOOR = "no_door"            # at a workshop's door that is gone (workshop deleted, door check-in off)


@dataclass
class ScanResult:
    outcome: Outcome
    name: str | None = None
    role: str | None = None
    checkin_id: int | None = None
    at: dt.datetime | None = None            # this check-in, or the first one for ALREADY
    by_name: str | None = None               # who let them in first (ALREADY); None: the CLI
    revoked_reason: str | None = None
    other_event: str | None = None           # the title of the event this pass belongs to
    user_id: int | None = None
    door: int | None = None                  # the workshop whose door it was scanned at; None: the entrance


# ----------------------------------------------------------------------------------------------- who

def is_desk(app, event: Event, actor: Member | SystemActor | None) -> bool:
    """Organizers and checkers may scan; the CLI operator too."""
    if actor is SYSTEM:
        return True
    return (isinstance(actor, Member) and actor.event_id == event.id
            and (actor.role == Role.CHECKER.value or people.is_admin(actor, app.settings, event)))


def require_desk(app, event: Event, actor) -> None:
    if not is_desk(app, event, actor):
        raise NotAllowed()


def door_checkin(app, event: Event) -> bool:
    """Check-in at workshops' doors: on in this event's config, and there are workshops to have doors."""
    if event.slug not in app.settings.events or "workshops" not in app.active_plugins(event.slug):
        return False
    return app.plugin_config(event.slug, PLUGIN).door_checkin


def door_scope(workshop_id: int) -> str:
    """The scan log's ``scope`` of a scan at this workshop's door."""
    return f"ws:{workshop_id}"


def display_name(user: User | None, member: Member | None) -> str:
    """The name a person gave at sign-up, else their Telegram name, else "—"."""
    profile = (member.profile or {}) if member is not None else {}
    name = profile.get("full_name") or profile.get("name")
    if not name and user is not None:
        name = " ".join(p for p in (user.first_name, user.last_name) if p)
    return name or "—"


async def name_of(session, event: Event, user_id: int | None) -> str | None:
    """The display name of a desk's user (who let someone in); None for the CLI operator."""
    if user_id is None:
        return None
    return display_name(await session.get(User, user_id), await people.get_member(session, event.id, user_id))


# ------------------------------------------------------------------------------------------- the log

async def log_scan(session, event: Event, actor, result: Outcome | str, scope: str = ENTRANCE,
                   pass_id: int | None = None, user_id: int | None = None) -> None:
    """Every scan is logged, failures too (``scope``: the entrance, or a workshop's door)."""
    session.add(Scan(event_id=event.id, at=utcnow(), by_user_id=getattr(actor, "user_id", None), scope=scope,
                     result=str(result), pass_id=pass_id, user_id=user_id))
    await session.flush()
