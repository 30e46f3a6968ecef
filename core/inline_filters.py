"""Run synchronous router filters inline instead of in a thread.

aiogram 3 calls any synchronous callable — handlers *and* filters — through
``asyncio.to_thread``. For a filter such as ``F.chat.type == "private"`` or a ``State`` that is
a thread-pool round trip per check, for an attribute comparison that takes a microsecond: the
GIL hand-over and the loop wake-up cost far more (bench/dispatch, cProfile: one such hop per
/menu update, about 0.4 ms of the update's CPU). Filters are meant to be quick checks, so the
dispatcher's filters run on the loop; synchronous *handlers* keep aiogram's thread, since one of
those may block on purpose.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.dispatcher.event.handler import FilterObject


def run_sync_filters_inline(router: Router) -> int:
    """Walk ``router`` and its sub-routers; returns how many filters were changed."""
    changed = 0
    for observer in router.observers.values():
        changed += _inline(observer._handler.filters)  # the observer's root filters
        for handler in observer.handlers:
            changed += _inline(handler.filters)
    for sub_router in router.sub_routers:
        changed += run_sync_filters_inline(sub_router)
    return changed


def _inline(filters: list[FilterObject] | None) -> int:
    changed = 0
    for event_filter in filters or ():
        if event_filter.awaitable:
            continue
        check = event_filter.callback

        async def run_inline(*args, _check=check, **kwargs):
            return _check(*args, **kwargs)

        # ``params``/``varkw`` were read from the original callable and stay as they are.
        event_filter.callback, event_filter.awaitable = run_inline, True
        changed += 1
    return changed
