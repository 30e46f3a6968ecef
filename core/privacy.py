"""A participant's personal data in an event: erase it on request (no Telegram types).

The same service serves the cabinet's "delete my data", ``/delete`` and ``organizer members
forget EVENT USER``: the plugins first (``forget_member``: bookings released, queue places dropped,
...), then the core's own data — the sign-up answers, the consent, and the name Telegram gave us.
Everything in the caller's one transaction: all of it is erased or none.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from core.models import Event, Member, User


async def forget_member(app, session: AsyncSession, event: Event, member: Member) -> None:
    await app.registry.call("forget_member", active=set(app.active_plugins(event.slug)), app=app,
                            session=session, event=event, member=member)
    member.profile = {}
    member.consent_at = None
    member.registered_at = None  # the event's sign-up, if it has one, is asked for again
    user = await session.get(User, member.user_id)
    if user is not None:
        user.first_name, user.last_name, user.username = "", None, None
        user.telegram_language = None
    await session.flush()
