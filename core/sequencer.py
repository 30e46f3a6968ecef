"""Serve contended actions in the order users tapped, within one process.

aiogram runs updates as concurrent tasks, so two taps race for a lock in whatever order their
earlier awaits happen to finish (asyncio queues even let a newcomer take a just-freed connection
before the waiter that was woken for it). A handler that must serve taps in order (booking the
last seats) wraps its critical section in ``async with app.sequencer.ordered(update_id, key)``:
it starts once every earlier update still in flight here has either finished or reached a gate,
and no earlier update holds or waits at the same ``key``; it ends when the section ends.

``batched(update_id, key, item, process, *args)`` is the same gate for work that can be done for
many taps at once. When a burst queues at one gate (a thousand people tapping "book" for the last
seats of one workshop), the tap whose turn it is takes the taps due behind it, in update order, and
runs ``process(*args, items)`` over all of them: one transaction, one lock and one commit for the
lot instead of one each, and every tap gets its own result. ``process`` is meant to be a named
function (a service's) and ``args`` plain values (the leading tap's session among them), with the
taps' plain data as items, rather than a closure built in a handler. The order is the one
``ordered`` would have served them in, so nobody is told anything different; a lone tap is simply a
batch of one.

Waiting holds no database connection (the context transaction ended before the handler).
``max_wait`` bounds the wait so one stuck update cannot hold everyone up; across several bot
processes order is kept by the stored tap order instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import heapq
import logging
import math
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

MAX_BATCH = 32  # taps decided together: bounds how long one transaction holds the lock, and what a failure redoes
_TURN = object()  # what a waiter's future resolves to when it may go (at a batched gate: and lead)


@dataclass(slots=True)
class _Decided:
    """What a batched waiter's future resolves to when a leader decided its item."""

    value: Any


class UpdateSequencer:
    """Heaps, not scans: a burst of a thousand taps must not cost a million comparisons per step."""

    def __init__(self, max_wait: float = 30.0):
        self.max_wait = max_wait
        self._running: set[int] = set()  # entered, not finished, not at a gate
        self._running_heap: list[int] = []
        self._gates: dict[Hashable, list[int]] = {}  # key → heap of updates holding or waiting
        self._at_gate: dict[Hashable, set[int]] = {}
        self._go: dict[int, asyncio.Future] = {}
        self._takeable: dict[int, Any] = {}  # at a batched gate, not yet taken by a leader: its item
        self._taken: set[int] = set()  # in a leader's batch, result not yet delivered

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
                go = self._go.get(heap[0])
                if go is not None and not go.done():
                    go.set_result(_TURN)

    def _arrive(self, update_id: int, key: Hashable) -> asyncio.Future:
        self._running.discard(update_id)
        heapq.heappush(self._gates.setdefault(key, []), update_id)
        self._at_gate.setdefault(key, set()).add(update_id)
        go = self._go[update_id] = asyncio.get_running_loop().create_future()
        self._wake()
        return go

    def _depart(self, key: Hashable, update_ids: list[int]) -> None:
        members = self._at_gate.get(key)
        for update_id in update_ids:
            self._go.pop(update_id, None)
            self._takeable.pop(update_id, None)
            self._taken.discard(update_id)
            if members is not None:
                members.discard(update_id)
        if members is not None and not members:
            self._at_gate.pop(key, None)
            self._gates.pop(key, None)
        self._wake()

    async def _turn(self, update_id: int, key: Hashable, go: asyncio.Future) -> Any:
        """What ``go`` resolves to; after ``max_wait``, ``_TURN`` anyway — unless a leader has
        already taken this tap into its batch: then its result is on the way, and worth the wait."""
        done, _ = await asyncio.wait((go,), timeout=self.max_wait)
        if not done:
            if update_id in self._taken:
                return await go
            log.warning("update %s waited %.0fs for its turn at %s; going ahead", update_id, self.max_wait, key)
            self._takeable.pop(update_id, None)
            return _TURN
        return go.result()

    @contextlib.asynccontextmanager
    async def ordered(self, update_id: int | None, key: Hashable) -> AsyncIterator[None]:
        if update_id is None:  # not from an update (CLI, jobs): nothing to order against
            yield
            return
        go = self._arrive(update_id, key)
        try:
            await self._turn(update_id, key, go)
            yield
        finally:
            self._depart(key, [update_id])

    async def batched(self, update_id: int | None, key: Hashable, item: Any,
                      process: Callable[..., Awaitable[list[Any]]], *args: Any) -> Any:
        """``process(*args, items)`` over this tap's ``item`` and those of the taps due behind it at
        this gate, in update order; returns this tap's result (or raises its error). ``process``
        returns one result per item; it runs in the task of the tap leading the batch, with that
        tap's ``args``, and must roll back what it began if it raises. A failed batch is retried
        item by item, so one bad tap fails alone."""
        if args:
            process = functools.partial(process, *args)
        if update_id is None:
            return (await process([item]))[0]
        go = self._arrive(update_id, key)
        self._takeable[update_id] = item
        decided: list[int] = [update_id]
        try:
            signal = await self._turn(update_id, key, go)
            if isinstance(signal, _Decided):
                return signal.value  # a tap ahead of us led the batch that held ours
            self._takeable.pop(update_id, None)
            followers = self._take_due(update_id, key)
            try:
                return await self._lead(item, followers, process)
            finally:
                for follower, _item, future in followers:
                    self._taken.discard(follower)
                    if future.done():
                        decided.append(follower)
                    elif follower in self._at_gate.get(key, ()):
                        self._takeable[follower] = _item  # we were cancelled: the next in line leads
        finally:
            self._depart(key, decided)

    def _take_due(self, leader: int, key: Hashable) -> list[tuple[int, Any, asyncio.Future]]:
        """The taps waiting at ``key`` behind ``leader`` that are due now, in update order: up to
        the first that is not (an earlier update may still be on its way here) or that waits
        through ``ordered`` (it must go alone)."""
        earliest = self._earliest_running()
        taken = []
        for update_id in sorted(self._at_gate[key]):
            if update_id == leader:
                continue
            if update_id > earliest or update_id not in self._takeable or len(taken) + 1 >= MAX_BATCH:
                break
            go = self._go[update_id]
            taken.append((update_id, self._takeable.pop(update_id), go))
            self._taken.add(update_id)
        return taken

    @staticmethod
    async def _lead(item: Any, followers: list[tuple[int, Any, asyncio.Future]],
                    process: Callable[[list[Any]], Awaitable[list[Any]]]) -> Any:
        if not followers:
            return (await process([item]))[0]
        try:
            results = await process([item] + [i for _, i, _ in followers])
        except Exception:
            log.warning("a batch of %d failed; deciding its items one by one", len(followers) + 1, exc_info=True)
        else:
            for (_, _, future), result in zip(followers, results[1:], strict=True):
                if not future.done():
                    future.set_result(_Decided(result))
            return results[0]
        mine: Exception | None = None
        own: Any = None
        try:
            own = (await process([item]))[0]
        except Exception as exc:
            mine = exc
        for _, follower_item, future in followers:
            try:
                result = (await process([follower_item]))[0]
            except Exception as exc:
                if not future.done():
                    future.set_exception(exc)
            else:
                if not future.done():
                    future.set_result(_Decided(result))
        if mine is not None:
            raise mine
        return own
