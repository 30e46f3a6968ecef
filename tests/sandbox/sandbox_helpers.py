"""Shared helpers of the sandbox tests (a uniquely named module: tests/ has no packages)."""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import AsyncIterator

from aiogram import Bot, Dispatcher, Router
from PIL import Image

TOKEN = "123456789:TEST-token_abc"


@contextlib.asynccontextmanager
async def polling(bot: Bot, *routers: Router, **kwargs) -> AsyncIterator[Dispatcher]:
    """Run a real Dispatcher with long polling against the emulator for the duration of the block."""
    dp = Dispatcher()
    dp.include_routers(*routers)
    task = asyncio.create_task(
        dp.start_polling(bot, handle_signals=False, close_bot_session=False, polling_timeout=1, **kwargs)
    )
    try:
        # Wait until the poller is really polling, so updates sent by the test are not racing startup.
        for _ in range(200):
            if dp._running_lock.locked():
                break
            await asyncio.sleep(0.01)
        yield dp
    finally:
        with contextlib.suppress(RuntimeError):
            await dp.stop_polling()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 5)


def png(width: int = 640, height: int = 480, color: str = "red") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buf, "PNG")
    return buf.getvalue()
