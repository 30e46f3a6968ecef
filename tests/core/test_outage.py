"""PostgreSQL or Redis restarting under load: the bot rides it out by itself and loses nothing.

The machine's PostgreSQL and Redis are shared with other test runs, so the test does not restart
them: the bot reaches them through a TCP proxy (tests/core/tcp_proxy.py) that the test cuts —
every open connection reset, new ones refused — for a few seconds, which is what a restart looks
like from the bot's side. The bot runs as ops run it (`python -m core.cli run --webhook`); the
emulator delivers updates as Telegram does, retrying an update until the bot acknowledges it.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sys
from collections import Counter

import aiohttp
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from core.sandbox import SandboxUser
from tests.core.tcp_proxy import TcpProxy

TOKEN = "4246:OUTAGE"
SECRET = "outage_SECRET"
REDIS_URL = os.environ.get("ORGANIZER_TEST_REDIS", "redis://127.0.0.1:6379/15")
USERS = 100
SEATS = 40
OUTAGE = 3.0  # seconds the server stays away: the length of the fault, not a wait for the bot
ANSWERED = re.compile("Вы записаны на|вы в листе ожидания")
NEWS = "Двери открываются в 9:30"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def _readyz(port: int) -> int:
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/readyz", timeout=aiohttp.ClientTimeout(total=5)) as resp:
                return resp.status
    except (aiohttp.ClientError, TimeoutError):
        return 0


async def _nothing() -> None:
    return None


async def _until(condition, what: str, timeout: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await condition():
        assert asyncio.get_running_loop().time() < deadline, f"not within {timeout}s: {what}"
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("server", ["postgres", "redis"])
async def test_a_database_or_redis_restart_mid_load_loses_nothing(server, db_backend, db_url, emulator, tmp_path):
    if db_backend != "postgres":
        pytest.skip("a database server to restart: PostgreSQL")
    from core.app import OrganizerApp
    from core.db import utcnow
    from core.delivery import OutboxMessage, create_broadcast
    from core.jobs.models import Job
    from redis.asyncio import Redis

    from plugins.waitlist.models import Entry
    from plugins.workshops.models import Booking
    from tests.workshops.ws_helpers import add_workshop

    # Telegram keeps an unacknowledged update and retries it for a long while; the emulator's
    # default (5 tries, 0.5 s apart) would give up during a 3-second outage.
    emulator.webhook_max_attempts = 1_000_000
    emulator.add_bot(TOKEN)
    async with Redis.from_url(REDIS_URL) as r:  # no dialog state left from an earlier run of this bot
        await r.delete(*[k async for k in r.scan_iter(f"fsm:{TOKEN.split(':')[0]}:*")] or ["-"])
    pg, redis = make_url(db_url), make_url(REDIS_URL)
    proxies = {"postgres": await TcpProxy(pg.host, pg.port or 5432).start(),
               "redis": await TcpProxy(redis.host, redis.port or 6379).start()}
    port = free_port()
    config = tmp_path / "organizer.toml"
    config.write_text(
        f'[bot]\ntoken = "{TOKEN}"\napi_server = "{emulator.base_url}"\n'
        f'[database]\nurl = "{pg.set(port=proxies["postgres"].port).render_as_string(hide_password=False)}"\n'
        f'[redis]\nurl = "{redis.set(port=proxies["redis"].port).render_as_string(hide_password=False)}"\n'
        f'[webhook]\nport = {port}\nurl = "http://127.0.0.1:{port}/telegram/webhook"\nsecret_token = "{SECRET}"\n'
        # The emulator has no limits here; 100/s keeps the run short and still spreads the load
        # (and the news) over the outage.
        '[delivery]\nglobal_rate = 100\n'
        '[events.demo]\ntitle = "DemoConf"\ntimezone = "Europe/Moscow"\n[events.demo.signup]\nenabled = false\n')
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "core.cli", "run", "--webhook", "--config", str(config),
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    # The test's own view of the data goes straight to the server, not through the proxy.
    app = OrganizerApp.from_config(str(config), overrides={"database": {"url": db_url}})
    try:
        async def started() -> bool:
            assert proc.returncode is None, "the bot exited"
            return bool(emulator.requests_for("setWebhook")) and await _readyz(port) == 200

        await _until(started, "the bot migrated, listening and the webhook set", timeout=90)
        w = await add_workshop(app, capacity=SEATS)

        # Each person at their own pace, as in a real rush: the next tap once the last was answered.
        users = [SandboxUser(emulator, f"O{i}", settle=_nothing) for i in range(USERS)]
        await asyncio.gather(*(u.send("/start demo") for u in users))
        for u in users:
            await u.expect(text="Главное меню", timeout=30)

        async def book(u: SandboxUser) -> None:
            await u.click("Мастер-классы")
            await u.expect(text="Мастер-классы", timeout=50)
            await u.click(re.compile("Soldering"))
            await u.expect(text="📍 Room 1", timeout=50)  # the card: seats left, or the waitlist if none
            await u.click(re.compile("Записаться|Встать в лист ожидания"))
            await u.expect(text=ANSWERED, timeout=50)

        async with app.transaction() as s:  # the organizer's news, sent while the rush goes on
            news = await create_broadcast(s, recipients=[u.id for u in users], title="doors", text=NEWS)
        before = len(emulator.requests)
        load = asyncio.gather(*(book(u) for u in users))

        async def mid_load() -> bool:
            return len(emulator.requests) - before >= 60 or load.done()

        await _until(mid_load, "the rush under way")
        assert not load.done(), "the load finished before the outage: nothing was tested"
        proxy = proxies[server]
        cut_at = asyncio.get_running_loop().time()
        await proxy.cut()

        async def not_ready() -> bool:
            return await _readyz(port) == 503

        await _until(not_ready, "/readyz reports the outage")
        await asyncio.sleep(max(0.0, cut_at + OUTAGE - asyncio.get_running_loop().time()))
        await proxy.restore()
        restored = utcnow()

        async def ready() -> bool:
            return await _readyz(port) == 200

        await _until(ready, "/readyz reports the bot ready again")
        await asyncio.wait_for(load, 60)  # every user got their answer (delivered again if need be)
        assert emulator.world.bots[TOKEN].webhook_error is not None, "no update was refused: the outage missed"

        async def outbox_finished() -> bool:
            async with app.sessions() as s:
                return not await s.scalar(select(func.count()).select_from(OutboxMessage)
                                          .where(OutboxMessage.state.in_(("queued", "claimed"))))

        try:
            await _until(outbox_finished, "the outbox drained")
        except AssertionError:
            async with app.sessions() as s:
                rows = (await s.execute(select(OutboxMessage.kind, OutboxMessage.state, OutboxMessage.attempts,
                                               OutboxMessage.last_error, OutboxMessage.not_before,
                                               OutboxMessage.claimed_by)
                                        .where(OutboxMessage.state.in_(("queued", "claimed"))))).all()
            raise AssertionError(f"outbox rows still pending: {rows[:10]} ({len(rows)})") from None

        async def jobs_run_again() -> bool:  # the job runner outlived the outage
            async with app.sessions() as s:
                return bool(await s.scalar(select(func.count()).select_from(Job).where(
                    Job.key == "periodic:workshops:refresh_views", Job.state == "scheduled",
                    Job.updated_at > restored)))

        await _until(jobs_run_again, "a periodic job ran after the outage")
        await emulator.wait_idle(timeout=30)
        async with app.sessions() as s:
            states = dict((await s.execute(select(OutboxMessage.state, func.count())
                                           .where(OutboxMessage.batch_id == news.id)
                                           .group_by(OutboxMessage.state))).all())
            bookings = list((await s.scalars(select(Booking.user_id).where(Booking.workshop_id == w.id))).all())
            queue = list((await s.scalars(select(Entry.user_id).where(Entry.workshop_id == w.id))).all())
        assert states == {"sent": USERS}
        got_news = Counter(r.params["chat_id"] for r in emulator.requests_for("sendMessage")
                           if r.ok and NEWS in (r.params.get("text") or ""))
        assert got_news == Counter({u.id: 1 for u in users})  # everyone once: none lost, none sent twice
        # Every seat taken once, every other person queued once: no booking lost or doubled.
        assert len(bookings) == len(set(bookings)) == SEATS and len(queue) == len(set(queue)) == USERS - SEATS
        assert set(bookings) | set(queue) == {u.id for u in users} and not set(bookings) & set(queue)
        assert proc.returncode is None, "the bot exited during the outage"
        # Nobody was told something went wrong, and no request was refused (a callback query is
        # answered once, on the delivery that completed).
        assert not [r.description for r in emulator.requests if not r.ok]
        assert not [u.name for u in users if any("Что-то пошло не так" in (m.get("text") or "") for m in u.messages())]
    finally:
        await app.engine.dispose()
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), 60)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        for proxy in proxies.values():
            await proxy.stop()
    assert proc.returncode == 0


def _raised(outer: BaseException, cause: BaseException) -> BaseException:
    try:
        try:
            raise cause
        except BaseException as exc:
            raise outer from exc
    except BaseException as exc:
        return exc


def test_only_the_database_or_redis_being_away_is_an_outage():
    """What leaves an update unacknowledged for Telegram to deliver again: a bug or a refused
    request would fail again on every delivery and must be answered (with an apology) instead."""
    import redis.exceptions
    from aiogram.exceptions import TelegramNetworkError
    from sqlalchemy.exc import IntegrityError

    from core.outage import is_outage

    assert is_outage(ConnectionRefusedError(111, "Connect call failed"))  # a restarting server
    assert is_outage(_raised(RuntimeError("wrapped"), ConnectionResetError()))
    assert is_outage(redis.exceptions.ConnectionError("Connection reset by peer"))
    assert not is_outage(IntegrityError("INSERT", {}, Exception("duplicate key")))
    assert not is_outage(FileNotFoundError("a bug, not the network"))
    assert not is_outage(ValueError())
    # Telegram's network errors wrap a ConnectionError as well: the reply failed, not our database.
    assert not is_outage(_raised(TelegramNetworkError(method=None, message="reset"), ConnectionResetError()))
