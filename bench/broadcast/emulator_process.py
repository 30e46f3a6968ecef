"""The sandbox emulator in its own process, so a benchmark measures the sender, not a shared event loop.

    python bench/broadcast/emulator_process.py --users 10000 --limit 30 --out /tmp/requests.json

Prints ``ready <base_url>``; on SIGTERM writes every send request as ``[chat_id, monotonic time,
ok, error_code]`` to ``--out`` and exits. CLOCK_MONOTONIC is system-wide on Linux, so the parent
can compare these times with its own.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from core.sandbox import BotAPIEmulator  # noqa: E402

FIRST_USER_ID = 10_000


async def main(args: argparse.Namespace) -> None:
    emu = BotAPIEmulator()
    await emu.start()
    for n in range(args.users):
        emu.add_user(f"U{n}", user_id=FIRST_USER_ID + n)
    if args.limit:
        emu.faults.set_rate_limit(global_per_sec=args.limit)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print("ready", emu.base_url, flush=True)
    await stop.wait()
    records = [[r.params.get("chat_id"), r.time, r.ok, r.error_code]
               for r in emu.requests if r.method.lower().startswith("send")]
    Path(args.out).write_text(json.dumps(records))
    await emu.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--limit", type=float, default=0, help="the emulator's global limit (msg/s), 0 = none")
    parser.add_argument("--out", required=True)
    asyncio.run(main(parser.parse_args()))
