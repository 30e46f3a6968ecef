"""One bot process for bench/startup (and bench/dispatch): start, answer getMe, start polling, print
READY, then one line saying how aiogram was built (always "stock": nothing in core patches aiogram;
for the bare bot it also checks that core was never imported), idle."""

from __future__ import annotations

import asyncio
import os
import signal
import sys


async def organizer(api: str, db: str) -> None:
    from core.app import OrganizerApp

    overrides = {"bot": {"token": "42:BENCH", "api_server": api}, "database": {"url": db},
                 "events": {"demo": {"title": "Bench", "timezone": "Europe/Moscow", "signup": {"enabled": False}}}}
    if os.environ.get("BENCH_LIMITS") == "max":
        # bench/dispatch: the emulator enforces no flood limits and the bare bot has no limiter, so
        # ours runs at the highest rates its config accepts (every reply still passes the limiter).
        # Pacing at Telegram's real limits is what bench/rush measures.
        overrides["delivery"] = {"global_rate": 1000, "private_chat_rate": 1000, "private_chat_burst": 1000,
                                 "user_updates_per_second": 1000, "user_updates_burst": 1000}
    app = OrganizerApp.from_config(None, environ={}, overrides=overrides)
    await app.startup()
    await app.bot.get_me()
    app.freeze_startup_objects()  # as `organizer run` does once started
    polling = asyncio.create_task(app.dispatcher.start_polling(app.bot, handle_signals=False, polling_timeout=5))
    print("READY", "aiogram: stock", sep="\n", flush=True)
    await polling


async def bare(api: str, _db: str) -> None:
    from aiogram import Bot, Dispatcher, F, Router
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer

    bot = Bot("42:BENCH", session=AiohttpSession(api=TelegramAPIServer.from_base(api)))
    dp = Dispatcher()
    router = Router()

    @router.message(F.text)
    async def echo(message):
        await message.answer(message.text)

    dp.include_router(router)
    await bot.get_me()
    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=5))
    print("READY", "aiogram: stock" if "core" not in sys.modules else "aiogram: NOT STOCK, core was imported",
          sep="\n", flush=True)
    await polling


def main() -> None:
    mode, api, db = sys.argv[1:4]
    profile_to = os.environ.get("BENCH_PROFILE")  # cProfile the bot; stats written on SIGTERM
    if profile_to:
        import cProfile

        profiler = cProfile.Profile()

        def dump(*_):
            profiler.disable()
            profiler.dump_stats(f"{profile_to}.{mode}")
            os._exit(0)

        signal.signal(signal.SIGTERM, dump)
        profiler.enable()
    asyncio.run({"organizer": organizer, "bare": bare}[mode](api, db))


if __name__ == "__main__":
    main()
