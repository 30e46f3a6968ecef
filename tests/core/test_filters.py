"""Every filter of the built-in routers is awaited on the loop: aiogram sends a synchronous filter
(a bare ``F...`` or ``State``) through ``asyncio.to_thread``, a thread hop per check."""

from __future__ import annotations

from aiogram import F

from core.filters import Magic


def _sync_filters(router, path=""):
    where = f"{path}/{router.name}"
    for observer in router.observers.values():
        for handler in observer.handlers:
            for event_filter in handler.filters or ():
                if not event_filter.awaitable:
                    yield f"{where} {observer.event_name} {handler.callback.__name__}: {event_filter.callback!r}"
    for sub in router.sub_routers:
        yield from _sync_filters(sub, where)


async def test_no_filter_of_the_built_in_routers_runs_in_a_thread(sandbox):
    app = await sandbox.start(poll=False)
    assert list(_sync_filters(app.dispatcher)) == []


async def test_magic_gives_what_the_bare_expression_gives():
    class Query:
        data = "core:lang:en"

    assert await Magic(F.data.startswith("core:lang:"))(Query()) is True
    assert not await Magic(F.data == "core:menu")(Query())
    assert await Magic(F.data.regexp(r"core:lang:(\w+)").group(1).as_("lang"))(Query()) == {"lang": "en"}
