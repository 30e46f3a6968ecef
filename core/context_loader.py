"""Cold context reads of updates that arrive together, made in one query.

A getUpdates answer (or a burst of webhook calls) brings up to a hundred updates at once, and
when registration opens most of them come from people whose context is not cached: each would
read its user row, current event and membership on its own — a round trip, a pool checkout and
an ORM load apiece, more CPU than aiogram spends on the whole update. The loader is a
DataLoader: every update that misses the cache asks for its user, the requests made in the same
turn of the event loop are answered by one ``SELECT … WHERE user id IN (…)`` in a session of the
loader's own, and each update gets *detached* instances it attaches to its own session — exactly
what a context-cache hit gives it (see ``core.context_cache``), so nothing downstream changes.

An update gets ``None`` (and reads for itself, as before) when its user has no row yet (someone
new is created in the update's own transaction) or when another update of the same person is
in the same batch: one set of instances can belong to one session only.
"""

from __future__ import annotations

import asyncio
import contextvars

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core import people
from core.db import commit_each_statement
from core.models import Event, Member, User

Context = tuple[User, Event | None, Member | None]

MAX_IDS = 500  # per query: well under SQLite's bound-parameter limit


class ContextLoader:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]):
        self._sessions = sessions
        self._pending: dict[int, list[asyncio.Future]] = {}
        self._scheduled = False
        self._reads: set[asyncio.Task] = set()

    async def load(self, user_id: int) -> Context | None:
        """This user's context as detached instances, or None: read it in your own session."""
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()
        self._pending.setdefault(user_id, []).append(waiter)
        if not self._scheduled:
            # After the callbacks already queued: the other updates of this getUpdates answer,
            # started in the same turn, reach here first. An empty context: the read belongs to
            # no update (an update's write tracking must not see it).
            self._scheduled = True
            loop.call_soon(self._start, context=contextvars.Context())
        return await waiter

    def _start(self) -> None:
        self._scheduled = False
        batch, self._pending = self._pending, {}
        task = asyncio.get_running_loop().create_task(self._read(batch))
        self._reads.add(task)
        task.add_done_callback(self._reads.discard)

    async def _read(self, batch: dict[int, list[asyncio.Future]]) -> None:
        wanted = [uid for uid, waiters in batch.items() if any(not w.done() for w in waiters)]
        found: dict[int, Context] = {}
        try:
            for start in range(0, len(wanted), MAX_IDS):
                found.update(await self._query(wanted[start:start + MAX_IDS]))
        except BaseException as exc:  # every waiter fails as its own read would have
            for waiters in batch.values():
                for waiter in waiters:
                    if not waiter.done():
                        waiter.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        for uid, waiters in batch.items():
            context = found.get(uid)
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(context)
                    context = None  # a second update of this person reads for itself

    async def _query(self, user_ids: list[int]) -> dict[int, Context]:
        session = self._sessions()
        try:
            await commit_each_statement(session)
            found = await people.load_contexts(session, user_ids)
            await session.commit()
        finally:
            await session.close()  # the instances stay loaded (expire_on_commit=False), detached
        return found
