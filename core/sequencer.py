"""Serve contended actions in the order users tapped, within one process.

aiogram runs updates as concurrent tasks, so two taps race for a lock in whatever order their
earlier awaits happen to finish (asyncio queues even let a newcomer take a just-freed connection
before the waiter that was woken for it). A handler that must serve taps in order (booking the
last seats) wraps its critical section in ``async with app.sequencer.ordered(update_id, key)``:
it starts once every earlier update still in flight here has either finished or reached a gate,
and no earlier update holds or waits at the same ``key``; it ends when the section ends.

Waiting holds no database connection (the context transaction ended before the handler).
``max_wait`` bounds the wait so one stuck update cannot hold everyone up; across several bot
processes order is kept by the stored tap order instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Hashable

log = logging.getLogger(__name__)


class UpdateSequencer:
    def __init__(self, max_wait: float = 10.0):
        self.max_wait = max_wait
        self._running: set[int] = set()  # entered, not finished, not at a gate
        self._gates: dict[Hashable, set[int]] = {}  # key → updates holding or waiting at it
        self._changed = asyncio.Condition()

    def enter(self, update_id: int) -> None:
        """Called synchronously as an update starts (tasks start in update order)."""
        self._running.add(update_id)

    async def leave(self, update_id: int) -> None:
        if update_id in self._running:
            self._running.discard(update_id)
            await self._notify()

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def _my_turn(self, update_id: int, key: Hashable) -> bool:
        return (not any(u < update_id for u in self._running)
                and min(self._gates[key]) == update_id)

    @contextlib.asynccontextmanager
    async def ordered(self, update_id: int | None, key: Hashable) -> AsyncIterator[None]:
        if update_id is None:  # not from an update (CLI, jobs): nothing to order against
            yield
            return
        self._running.discard(update_id)
        gate = self._gates.setdefault(key, set())
        gate.add(update_id)
        try:
            await self._notify()  # earlier waiters may now see we are no longer "running"
            try:
                async with self._changed:
                    await asyncio.wait_for(self._changed.wait_for(lambda: self._my_turn(update_id, key)),
                                           self.max_wait)
            except TimeoutError:
                log.warning("update %s waited %.0fs for its turn at %s; going ahead", update_id, self.max_wait, key)
            yield
        finally:
            gate.discard(update_id)
            if not gate:
                self._gates.pop(key, None)
            await self._notify()
