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
import heapq
import logging
import math
from collections.abc import AsyncIterator, Hashable

log = logging.getLogger(__name__)


class UpdateSequencer:
    """Heaps, not scans: a burst of a thousand taps must not cost a million comparisons per step."""

    def __init__(self, max_wait: float = 30.0):
        self.max_wait = max_wait
        self._running: set[int] = set()  # entered, not finished, not at a gate
        self._running_heap: list[int] = []
        self._gates: dict[Hashable, list[int]] = {}  # key → heap of updates holding or waiting
        self._at_gate: dict[Hashable, set[int]] = {}
        self._go: dict[int, asyncio.Event] = {}

    def enter(self, update_id: int) -> None:
        """Called synchronously as an update starts (tasks start in update order)."""
        self._running.add(update_id)
        heapq.heappush(self._running_heap, update_id)

    async def leave(self, update_id: int) -> None:
        if update_id in self._running:
            self._running.discard(update_id)
            self._wake()

    def _earliest_running(self) -> float:
        heap = self._running_heap
        while heap and heap[0] not in self._running:
            heapq.heappop(heap)
        return heap[0] if heap else math.inf

    def _wake(self) -> None:
        """Let each gate's first waiter go once nothing earlier is still on its way to a gate."""
        earliest = self._earliest_running()
        for key, heap in self._gates.items():
            members = self._at_gate[key]
            while heap and heap[0] not in members:
                heapq.heappop(heap)
            if heap and heap[0] < earliest:
                self._go[heap[0]].set()

    @contextlib.asynccontextmanager
    async def ordered(self, update_id: int | None, key: Hashable) -> AsyncIterator[None]:
        if update_id is None:  # not from an update (CLI, jobs): nothing to order against
            yield
            return
        self._running.discard(update_id)
        heapq.heappush(self._gates.setdefault(key, []), update_id)
        self._at_gate.setdefault(key, set()).add(update_id)
        go = self._go[update_id] = asyncio.Event()
        try:
            self._wake()
            try:
                await asyncio.wait_for(go.wait(), self.max_wait)
            except TimeoutError:
                log.warning("update %s waited %.0fs for its turn at %s; going ahead", update_id, self.max_wait, key)
            yield
        finally:
            self._go.pop(update_id, None)
            members = self._at_gate[key]
            members.discard(update_id)
            if not members:
                self._at_gate.pop(key, None)
                self._gates.pop(key, None)
            self._wake()
