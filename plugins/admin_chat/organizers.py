"""Who is an organizer of an event right now (read from the database each time, so a role taken
away a moment ago counts at once): the relay, the service and the handlers all ask here."""

from __future__ import annotations

from sqlalchemy import or_, select

from core import people
from core.models import Event, Member, Role


async def organizer(app, session, event: Event, user_id: int) -> Member | None:
    """The member ``user_id`` of ``event`` if they are an organizer now (read from the database,
    so a role removed a moment ago counts at once)."""
    member = await session.scalar(select(Member).where(Member.event_id == event.id, Member.user_id == user_id)
                                  .execution_options(populate_existing=True))
    return member if people.is_admin(member, app.settings, event) else None


async def organizer_ids(app, session, event: Event) -> list[int]:
    """Organizers with a membership (they started the bot), by role or named in the config."""
    admins = set(app.settings.events[event.slug].admins) if event.slug in app.settings.events else set()
    rows = (await session.scalars(select(Member.user_id).where(
        Member.event_id == event.id,
        or_(Member.role == Role.ADMIN.value, Member.user_id.in_(admins or {0}))))).all()
    return sorted(set(rows))
