"""Who may do what beyond booking a seat: every organizer path checks here, whatever the handler
or the menu already checked (callback data can be forged)."""

from __future__ import annotations

from core import people
from core.models import Event, Member, Role
from core.people import SystemActor


def require_admin(app, event: Event, actor: Member | SystemActor | None) -> None:
    """Every organizer path calls this, whatever the handler already checked."""
    people.require_organizer(app.settings, event, actor)


def require_door_staff(app, event: Event, actor: Member | SystemActor | None) -> None:
    """Marking who came is for the event's organizers and its check-in staff (``checker``)."""
    if isinstance(actor, Member) and actor.event_id == event.id and actor.role == Role.CHECKER.value:
        return
    people.require_organizer(app.settings, event, actor)
