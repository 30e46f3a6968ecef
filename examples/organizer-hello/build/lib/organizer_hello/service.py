from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from organizer_hello.models import Greeting


async def wave(session: AsyncSession, event_id: int, user_id: int) -> int:
    session.add(Greeting(event_id=event_id, user_id=user_id))
    await session.flush()
    return await count(session, event_id)


async def count(session: AsyncSession, event_id: int) -> int:
    return await session.scalar(select(func.count(Greeting.id)).where(Greeting.event_id == event_id))
