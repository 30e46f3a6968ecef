"""bench/scale: how many booking taps per second 1, 2 and 3 webhook workers answer on one machine,
and from it how long until all participants of a registration opening have their answer.

    nice .venv/bin/python bench/scale/run.py [--users 1200] [--limited-users 300] [--workers 1,2,3]
                                             [--participants 20000]

The bot runs as ops run it: ``python -m core.cli run --webhook [--workers N]`` on a fresh
PostgreSQL database and Redis. The Bot API emulator (in this process) posts updates to the webhook
as Telegram does: up to 40 at once (setWebhook's default max_connections), one per user at a time.
Every participant has the workshops list open (``/start``, ``/workshops`` beforehand); at "10:00"
all of them press a booking button at the same moment, spread over ``--workshops`` workshops of
``--seats`` seats each (most end on a waitlist). A tap is answered when its card was edited
(booked, or the waitlist place) and its callback query answered.

Two series, each with 1, 2 and 3 workers:

1. ``unlimited``: the emulator enforces no limits and the bot's limiter is opened up (1000/s), so the
   figure is what the workers, PostgreSQL and Redis manage on this machine: the curve and where it
   flattens (CPU: the table shows how busy the machine's cores were).
2. ``telegram``: Telegram's limits (30 messages/s in all, 1/s per chat; edits counted too) and the
   bot's default limiter: the ceiling a real opening meets whatever the number of workers.

Then: the time until all ``--participants`` have their answer, from the taps per second measured
(the best worker count of each series). Saves bench/results/scale.json. Not a test: the figures
depend on the machine (the emulator and the scripted users share its cores with the bot).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import socket
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.common import percentile, print_table, save  # noqa: E402

TOKEN = "4247:SCALE"
SECRET = "bench_SECRET"
REDIS_URL = os.environ.get("ORGANIZER_TEST_REDIS", "redis://127.0.0.1:6379/15")
TELEGRAM_RATE = 30.0
LIMITED = ("sendmessage", "editmessagetext")
ANSWER_MARKS = ("Вы записаны на", "вы в листе ожидания")

log = logging.getLogger("bench.scale")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_config(path: Path, *, base_url: str, db_url: str, port: int, limited: bool) -> Path:
    delivery = ("" if limited else  # the bot's defaults are Telegram's limits
                "[delivery]\nglobal_rate = 1000\nprivate_chat_rate = 100\nprivate_chat_burst = 100\n")
    path.write_text(
        f'[bot]\ntoken = "{TOKEN}"\napi_server = "{base_url}"\n'
        f'[database]\nurl = "{db_url}"\n[redis]\nurl = "{REDIS_URL}"\n'
        f'[webhook]\nport = {port}\nurl = "http://127.0.0.1:{port}/telegram/webhook"\nsecret_token = "{SECRET}"\n'
        '[logging]\nlevel = "WARNING"\n' + delivery +
        '[events.demo]\ntitle = "Rush"\ntimezone = "Europe/Moscow"\n[events.demo.signup]\nenabled = false\n')
    return path


class Workers:
    """``organizer run --webhook [--workers N]`` as a child process, ready when every worker set the
    webhook and /readyz answers."""

    def __init__(self, emulator, config: Path, port: int, count: int) -> None:
        self.emulator, self.config, self.port, self.count = emulator, config, port, count
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        import aiohttp

        hooks = len(self.emulator.requests_for("setWebhook"))
        extra = ["--workers", str(self.count)] if self.count > 1 else []
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "core.cli", "run", "--webhook", "--config", str(self.config), *extra,
            env={**os.environ, "PYTHONUNBUFFERED": "1"}, cwd=str(ROOT))
        deadline = time.monotonic() + 120
        async with aiohttp.ClientSession() as http:
            while True:
                assert self.proc.returncode is None, "the workers exited"
                assert time.monotonic() < deadline, "the workers did not start"
                if len(self.emulator.requests_for("setWebhook")) >= hooks + self.count:
                    try:
                        async with http.get(f"http://127.0.0.1:{self.port}/readyz") as resp:
                            if resp.status == 200:
                                return
                    except aiohttp.ClientError:
                        pass
                await asyncio.sleep(0.1)

    def processes(self):
        import psutil

        root = psutil.Process(self.proc.pid)
        return [root, *root.children()]

    def cpu_seconds(self) -> float:
        total = 0.0
        for p in self.processes():
            try:
                t = p.cpu_times()
                total += t.user + t.system
            except Exception:  # a child that just exited
                pass
        return total

    async def stop(self) -> None:
        if self.proc is None or self.proc.returncode is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.proc.wait(), 60)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()


async def prepare(emulator, count: int) -> list[tuple[int, int]]:
    """``count`` participants who joined the event and have the workshops list open: (user, message)."""
    from core.sandbox import SandboxUser

    async def nothing() -> None:
        return None

    users = [SandboxUser(emulator, f"S{i}", settle=nothing) for i in range(count)]
    for chunk in range(0, count, 200):
        part = users[chunk:chunk + 200]
        await asyncio.gather(*(u.send("/start demo") for u in part))
        await asyncio.gather(*(u.expect(text="Главное меню", timeout=120) for u in part))
        await asyncio.gather(*(u.send("/workshops") for u in part))
        await asyncio.gather(*(u.expect(text="Мастер-классы", timeout=120) for u in part))
    await emulator.wait_idle(timeout=120)
    opened = []
    for u in users:
        u.close()
        opened.append((u.id, u.last_message()["message_id"]))
    return opened


async def one_run(emulator, app, workers: Workers, opened: list[tuple[int, int]], *, series: str,
                  workshops: int, seats: int, day: int) -> dict:
    import psutil

    from plugins.workshops.keyboards import WsBook
    from tests.workshops.ws_helpers import add_workshop

    # New workshops each run (another day, so no clash with the last run's bookings); the taps
    # come from the cards already open (the button's data names the workshop, as a card's would).
    ids = [(await add_workshop(app, title=f"W{day}-{k}", capacity=seats, hours_ahead=72 + 24 * day)).id
           for k in range(workshops)]
    await workers.start()
    await emulator.wait_idle(timeout=60)
    emulator.requests.clear()
    cpu0, machine0, own0 = workers.cpu_seconds(), psutil.cpu_times(), time.process_time()
    t0 = time.monotonic()
    taps = {}
    for n, (user, message) in enumerate(opened):
        update = await emulator.click(user, message, WsBook(id=ids[n % workshops]).pack(), forged=True)
        taps[update["callback_query"]["id"]] = user
    while not all(emulator.callback_answered(q) for q in taps):
        await asyncio.sleep(0.02)
    toast_done = time.monotonic()
    # CPU over the rush itself: the workers', this process' (the emulator and the users), the machine's.
    cpu, own, machine = workers.cpu_seconds() - cpu0, time.process_time() - own0, psutil.cpu_times()
    await emulator.wait_idle(quiet=0.5, timeout=300)  # live refreshes of other cards may still follow
    await workers.stop()

    answered_at = {r.params["callback_query_id"]: r.time for r in emulator.requests_for("answerCallbackQuery")
                   if r.ok}
    card_at: dict[int, float] = {}
    for r in emulator.requests:
        if r.ok and r.method.lower() == "editmessagetext" and any(m in (r.params.get("text") or "")
                                                                 for m in ANSWER_MARKS):
            card_at.setdefault(int(r.params["chat_id"]), r.time)
    # A tap is answered once both its toast and its card arrived (a card dropped as stale: the toast).
    waits = [max(answered_at.get(q, toast_done), card_at.get(u, 0.0)) - t0 for q, u in taps.items()]
    span = max(waits)
    limited = [r for r in emulator.requests if r.method.lower() in LIMITED and r.ok]
    busy = (sum(machine) - machine.idle - machine.iowait) - (sum(machine0) - machine0.idle - machine0.iowait)
    wall = toast_done - t0
    return {
        "series": series, "workers": workers.count, "taps": len(taps), "span_s": span,
        "taps_per_s": len(taps) / span, "wait_p50_s": percentile(waits, 50), "wait_p99_s": percentile(waits, 99),
        "cards": sum(1 for u in taps.values() if u in card_at), "messages": len(limited),
        "messages_per_tap": len(limited) / len(taps),
        "http_429": sum(1 for r in emulator.requests if r.error_code == 429),
        "worker_cpu_ms_per_tap": 1000 * cpu / len(taps), "emulator_cpu_ms_per_tap": 1000 * own / len(taps),
        "machine_busy": busy / (psutil.cpu_count() * wall),
    }


async def main(args) -> None:
    logging.basicConfig(level=logging.ERROR)
    from redis.asyncio import Redis

    from core.app import OrganizerApp
    from core.sandbox import BotAPIEmulator
    from core.testing import create_pg_database, drop_pg_database

    emulator = await BotAPIEmulator(webhook_max_attempts=1_000_000).start()
    emulator.add_bot(TOKEN)
    async with Redis.from_url(REDIS_URL) as r:  # no dialog state or rate buckets of an earlier run
        for pattern in (f"fsm:{TOKEN.split(':')[0]}:*", f"organizer:delivery:{TOKEN.split(':')[0]}*"):
            await r.delete(*[k async for k in r.scan_iter(pattern)] or ["-"])
    db_url = await create_pg_database()
    port = free_port()
    folder = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    configs = {limited: write_config(folder / f"{'telegram' if limited else 'unlimited'}.toml",
                                     base_url=emulator.base_url, db_url=db_url, port=port, limited=limited)
               for limited in (False, True)}
    app = OrganizerApp.from_config(str(configs[False]))
    rows = []
    running: list[Workers] = []
    try:
        from tests.workshops.ws_helpers import add_workshop

        users = max(args.users, args.limited_users)
        running.append(Workers(emulator, configs[False], port, max(args.workers)))
        await running[-1].start()
        await add_workshop(app, title="Opening", capacity=args.seats)  # the list the participants open
        started = time.monotonic()
        opened = await prepare(emulator, users)
        await running.pop().stop()
        print(f"{users} participants joined and opened the list in {time.monotonic() - started:.0f} s", flush=True)
        day = 0
        for series, limited, count in (("unlimited", False, args.users), ("telegram", True, args.limited_users)):
            if limited:
                emulator.faults.telegram_limits()
                emulator.faults.rate_limited_methods.add("editmessagetext")  # Telegram throttles edits too
            for n in args.workers:
                day += 1
                running.append(Workers(emulator, configs[limited], port, n))
                row = await one_run(emulator, app, running[-1], opened[:count],
                                    series=series, workshops=args.workshops, seats=args.seats, day=day)
                running.pop()
                rows.append(row)
                print(f"{series}, {n} worker(s): {row['taps_per_s']:.0f} taps/s", flush=True)
    finally:
        for workers in running:  # a failed run: stop its workers before their database goes
            await workers.stop()
        await app.engine.dispose()
        await emulator.stop()
        await drop_pg_database(db_url)

    base = {r["series"]: r["taps_per_s"] for r in rows if r["workers"] == min(args.workers)}
    for r in rows:
        r["speedup"] = r["taps_per_s"] / base[r["series"]]
    headers = ["series", "workers", "taps", "span_s", "taps_per_s", "speedup", "wait_p50_s", "wait_p99_s",
               "messages_per_tap", "http_429", "worker_cpu_ms_per_tap", "emulator_cpu_ms_per_tap", "machine_busy"]
    print_table(f"scale: taps answered per second, webhook workers on PostgreSQL + Redis ({os.cpu_count()} cores)",
                headers, [[r[h] for h in headers] for r in rows])

    best = {s: max((r for r in rows if r["series"] == s), key=lambda r: r["taps_per_s"]) for s in base}
    ceiling = TELEGRAM_RATE / best["telegram"]["messages_per_tap"]  # taps/s Telegram's 30 messages/s allow
    estimate = {
        "participants": args.participants,
        "bot_alone_s": args.participants / best["unlimited"]["taps_per_s"],
        "bot_alone_workers": best["unlimited"]["workers"],
        "telegram_ceiling_taps_per_s": ceiling,
        "telegram_ceiling_s": args.participants / ceiling,
        "measured_with_limits_s": args.participants / best["telegram"]["taps_per_s"],
    }
    print(f"\n{args.participants} participants tap at once:")
    print(f"  the bot alone ({estimate['bot_alone_workers']} workers, no limits): all answered in "
          f"{estimate['bot_alone_s']:.0f} s")
    print(f"  Telegram's 30 messages/s at {best['telegram']['messages_per_tap']:.2f} messages per tap allow "
          f"{ceiling:.1f} taps/s: {estimate['telegram_ceiling_s']:.0f} s ({estimate['telegram_ceiling_s'] / 60:.1f} min)")
    print(f"  as measured with the limits: {best['telegram']['taps_per_s']:.1f} taps/s → "
          f"{estimate['measured_with_limits_s']:.0f} s ({estimate['measured_with_limits_s'] / 60:.1f} min)")
    path = save("scale", {"args": vars(args), "rows": rows, "estimate": estimate})
    print(f"saved {path}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=1200, help="taps per run without limits")
    parser.add_argument("--limited-users", type=int, default=300, help="taps per run under Telegram's limits")
    parser.add_argument("--workers", type=lambda s: [int(x) for x in s.split(",")], default=[1, 2, 3])
    parser.add_argument("--workshops", type=int, default=10)
    parser.add_argument("--seats", type=int, default=20)
    parser.add_argument("--participants", type=int, default=20000)
    asyncio.run(main(parser.parse_args()))
