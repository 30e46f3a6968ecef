"""What the plugin does, with no aiogram in sight: handlers and the CLI call these."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.config import CoreSettings
from core.models import Event, Member
from core.people import SystemActor, require_organizer
from organizer_hello.models import Greeting


async def wave(session: AsyncSession, event_id: int, user_id: int) -> int:
    session.add(Greeting(event_id=event_id, user_id=user_id))
    await session.flush()
    return await count(session, event_id)


async def count(session: AsyncSession, event_id: int) -> int:
    return await session.scalar(select(func.count(Greeting.id)).where(Greeting.event_id == event_id))


async def organizer_stats(settings: CoreSettings, session: AsyncSession, event: Event,
                          actor: Member | SystemActor | None) -> tuple[int, dt.datetime | None]:
    """Greetings so far and the last one's time — organizers only (raises ``NotAllowed``),
    whatever the handler already checked."""
    require_organizer(settings, event, actor)
    total, last = (await session.execute(select(func.count(Greeting.id), func.max(Greeting.waved_at))
                                         .where(Greeting.event_id == event.id))).one()
    return total, last
