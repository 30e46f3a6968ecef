"""The emulator and the scripted users in their own process, so the parent measures only the bot.

    python bench/rush/users.py --users 1000 --spread 10 --token 42:RUSH

Prints ``ready <base_url>``, waits for a line ``go`` on stdin, then every user presses Start at a
random moment within ``--spread`` seconds and signs up: consent, full name, phone, company, each
typed once the bot asked for it. The emulator enforces Telegram's limits (30/s in all, 1/s per chat
with bursts of 3, 20/min per group). When every user got the menu or gave up (``--patience`` s with
no answer), prints one JSON line with per-user timings and the emulator's request log, and exits.
CLOCK_MONOTONIC is system-wide on Linux, so the parent can compare these times with its own.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from core.sandbox import BotAPIEmulator  # noqa: E402
from core.sandbox.client import SandboxUser  # noqa: E402

FIRST_USER_ID = 1_000_000
STEPS = [  # what the bot asks (a substring of its message) → what the user does next
    ("согласны на обработку", ("click", "Согласен")),
    ("Шаг 1 из 3", ("send", "Иван Петров")),
    ("Шаг 2 из 3", ("send", "+79991234567")),
    ("Шаг 3 из 3", ("send", "ООО Ромашка")),
    ("Главное меню", None),
]


async def _nothing() -> None:
    return None


async def one_user(emu: BotAPIEmulator, n: int, start_at: float, patience: float) -> dict:
    user = SandboxUser(emu, f"R{n}", settle=_nothing, user_id=FIRST_USER_ID + n)
    await asyncio.sleep(max(0.0, start_at - time.monotonic()))
    record = {"id": user.id, "start": time.monotonic(), "waits": [], "done": None, "updates": 1}
    asked = time.monotonic()
    await user.send("/start rush")
    try:
        for expected, action in STEPS:
            await user.expect(text=expected, timeout=patience)
            now = time.monotonic()
            record["waits"].append(now - asked)
            if action is None:
                record["done"] = now
                break
            kind, value = action
            asked = time.monotonic()
            record["updates"] += 1
            if kind == "click":
                await user.click(value)
            else:
                await user.send(value)
    except AssertionError:
        pass  # this user never got an answer: counted as lost
    finally:
        user.close()
    return record


async def main(args: argparse.Namespace) -> None:
    emu = BotAPIEmulator()
    await emu.start()
    emu.add_bot(args.token, first_name="Rush", username="rush_bot")
    emu.faults.telegram_limits()
    print("ready", emu.base_url, flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    rng = random.Random(args.seed)
    t0 = time.monotonic() + 0.5
    starts = sorted(t0 + rng.uniform(0, args.spread) for _ in range(args.users))
    users = await asyncio.gather(*(one_user(emu, n, s, args.patience) for n, s in enumerate(starts)))
    requests = [[r.method, r.params.get("chat_id"), r.time, r.ok, r.error_code]
                for r in emu.requests if r.method != "getUpdates"]
    print(json.dumps({"users": users, "requests": requests,
                      "in_429_window": emu.faults.requests_in_429_window}), flush=True)
    await emu.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--spread", type=float, default=10.0)
    parser.add_argument("--patience", type=float, default=90.0)
    parser.add_argument("--token", default="42:RUSH")
    parser.add_argument("--seed", type=int, default=13)
    asyncio.run(main(parser.parse_args()))
