"""``organizer run --webhook --workers N``: N webhook processes on one port, kept alive.

Each child is a plain ``organizer run --webhook`` listening with SO_REUSEPORT, so the kernel
spreads Telegram's connections over them. They share nothing in memory: PostgreSQL holds the data
(row locks and SKIP LOCKED claims), Redis the FSM state, per-user locks and the sender's rate.
A child that dies is started again (a killed one loses nothing: its unacknowledged updates come
back from Telegram and its outbox claims return when its lease runs out). SIGTERM/SIGINT reach
every child, which finish the updates they are handling before exiting.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import time

log = logging.getLogger(__name__)
RESTART_DELAY = 1.0
START_GRACE = 5.0  # seconds a child must live to count as started (else its failure is not retried)


def check_scale_out(settings) -> str | None:
    """Why several processes would be wrong with these settings, or None."""
    if not settings.database.url.startswith("postgresql"):
        return "--workers > 1 needs PostgreSQL (database.url): SQLite serves one process."
    if not settings.redis.url:
        return "--workers > 1 needs redis.url: dialogs and per-user order must be shared between processes."
    return None


def child_args(argv: list[str]) -> list[str]:
    """The parent's arguments for one child: no --workers, no second upgrade, a shared port."""
    args, skip = [], False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg == "--workers":
            skip = True
            continue
        if arg.startswith("--workers="):
            continue
        args.append(arg)
    return [sys.executable, "-m", "core.cli", *args, "--no-upgrade", "--reuse-port"]


def supervise(count: int, argv: list[str]) -> int:
    """Run ``count`` children until SIGTERM/SIGINT; returns the worst exit code."""
    command = child_args(argv)
    stopping = False

    def stop(signum, _frame) -> None:
        nonlocal stopping
        stopping = True
        for proc in children:
            if proc.poll() is None:
                proc.send_signal(signum)

    def spawn() -> tuple[subprocess.Popen, float]:
        return subprocess.Popen(command), time.monotonic()

    started = [spawn() for _ in range(count)]
    children = [proc for proc, _ in started]
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("started %d webhook workers: %s", count, [p.pid for p in children])
    while not stopping:
        for index, (proc, since) in enumerate(started):
            code = proc.poll()
            if code is None or stopping:
                continue
            if time.monotonic() - since < START_GRACE:
                # Failing at start (bad config, schema behind) would fail again: stop them all.
                log.error("webhook worker %d failed at start (exit %s); stopping", proc.pid, code)
                stop(signal.SIGTERM, None)
                break
            log.warning("webhook worker %d exited with %s; starting it again", proc.pid, code)
            time.sleep(RESTART_DELAY)
            started[index] = spawn()
            children[index] = started[index][0]
        time.sleep(0.2)
    codes = [proc.wait() for proc in children]
    return max((abs(c) for c in codes), default=0)
