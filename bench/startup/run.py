"""Start-up time and idle memory of the bot with every built-in plugin on, against a bare aiogram
echo bot started the same way in the same run (both against the sandbox emulator).

    .venv/bin/python -m bench.startup.run [--runs 5]

Start-up = from process spawn until the bot answered getMe, migrated a fresh SQLite database
(ours) and started polling. "organizer, restart" starts again on the database the run before it
migrated: what every restart of a deployed bot costs. Before the timed runs each mode is started
once untimed with bytecode writing on, so imports read cached bytecode as in any installed
package (pip compiles it; PYTHONDONTWRITEBYTECODE in a dev shell would otherwise make every run
compile our modules from source) and the OS file cache is warm for all modes alike.
Idle RSS is read 2 s after READY. Then one user message ("/menu") is sent: first update = from
queuing it at the emulator to the bot's reply, and RSS is read again.
Both bots run stock aiogram (core patches no library); the bare bot never imports core (checked).
Goals (issue #15): start-up <= 1.2x and idle RSS <= 1.2x the bare aiogram bot's.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

import psutil

from bench.common import median, print_table, save
from core.sandbox import BotAPIEmulator

REPO = Path(__file__).resolve().parents[2]
METRICS = ("startup_s", "startup_cpu_s", "rss_mb", "first_update_s", "rss_after_mb")
# label -> (bench.startup.child mode, extra environment, label whose database it reuses or None)
MODES = {
    "bare": ("bare", {}, None),
    "organizer": ("organizer", {}, None),
    "organizer, restart": ("organizer", {}, "organizer"),
}
CLEAN_ENV = ("PYTHONDONTWRITEBYTECODE",)


def database(label: str, workdir: Path, run: int) -> str:
    mode, extra_env, reuses = MODES[label]
    if reuses is not None:
        return database(reuses, workdir, run)
    return f"sqlite+aiosqlite:///{workdir / f'{mode}-{len(extra_env)}-{run}.db'}"


async def one_run(label: str, emulator: BotAPIEmulator, user: int, workdir: Path, run: int) -> tuple[dict, str]:
    mode, extra_env, _ = MODES[label]
    db = database(label, workdir, run)
    env = {k: v for k, v in os.environ.items() if k not in CLEAN_ENV} | extra_env
    started = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bench.startup.child", mode,
                                                emulator.base_url, db, cwd=REPO, env=env,
                                                stdout=asyncio.subprocess.PIPE)
    try:
        line = await asyncio.wait_for(proc.stdout.readline(), 60)
        elapsed = time.perf_counter() - started
        if line.strip() != b"READY":
            raise RuntimeError(f"{label} did not start: {line!r}")
        how_built = (await proc.stdout.readline()).decode().strip()
        cpu = psutil.Process(proc.pid).cpu_times()  # CPU spent to READY: steadier than wall time on a busy machine
        await asyncio.sleep(2.0)
        rss = psutil.Process(proc.pid).memory_info().rss / 2**20
        first_update = await first_reply(emulator, user)
        await asyncio.sleep(0.5)
        rss_after = psutil.Process(proc.pid).memory_info().rss / 2**20
        return {"startup_s": elapsed, "startup_cpu_s": cpu.user + cpu.system, "rss_mb": rss,
                "first_update_s": first_update, "rss_after_mb": rss_after}, how_built
    finally:
        proc.terminate()
        await proc.wait()


async def first_reply(emulator: BotAPIEmulator, user: int) -> float:
    """Seconds from queuing the bot's first update ("/menu" from ``user``) to its first reply."""
    events = emulator.subscribe(chat_id=user)
    try:
        sent = time.perf_counter()
        await emulator.send_text(user, "/menu")
        while True:
            event = await asyncio.wait_for(events.get(), 60)
            if event.get("type") == "message" and event["message"]["from_bot"]:
                return time.perf_counter() - sent
    finally:
        emulator.unsubscribe(events)


async def main(runs: int) -> None:
    labels = list(MODES)
    emulator = await BotAPIEmulator().start()
    emulator.add_bot("42:BENCH")
    results: dict[str, dict[str, list[float]]] = {label: {m: [] for m in METRICS} for label in labels}
    how_built: dict[str, set[str]] = {label: set() for label in labels}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for label in labels:  # untimed warm-up: bytecode cached, files in the OS cache
                await one_run(label, emulator, emulator.add_user(f"Warm-up {label}")["id"], Path(tmp), -1)
            for run in range(runs):
                for label in labels:  # interleaved so drift hits all alike
                    user = emulator.add_user(f"Bench {run} {label}")["id"]  # a fresh user: a true first update
                    values, built = await one_run(label, emulator, user, Path(tmp), run)
                    how_built[label].add(built)
                    for metric, value in values.items():
                        results[label][metric].append(value)
    finally:
        await emulator.stop()
    if how_built["bare"] != {"aiogram: stock"}:
        raise RuntimeError(f"the bare baseline is not stock aiogram: {how_built['bare']}")
    from core.plugins import PluginRegistry

    plugins = PluginRegistry.load(entry_points_enabled=False).order
    med = {label: {m: median(results[label][m]) for m in METRICS} for label in labels}
    names = {"startup_s": ("start-up, s", "<= 1.2x bare"), "startup_cpu_s": ("start-up CPU (user+sys), s", ""),
             "rss_mb": ("idle RSS, MB", "<= 1.2x bare"),
             "first_update_s": ("first update → reply, s", ""), "rss_after_mb": ("RSS after it, MB", "")}
    rows = []
    for metric in METRICS:
        title, goal = names[metric]
        ratios = [med[label][metric] / med["bare"][metric] for label in labels[1:]]
        rows.append([f"{title} (median)", *(med[label][metric] for label in labels),
                     *ratios, goal])
    headers = ["metric", *(("bare aiogram (stock)" if label == "bare" else label) for label in labels),
               *(f"ratio {label}/bare" for label in labels[1:]), "goal"]
    print_table(f"bench/startup — {runs} runs each, plugins: {', '.join(plugins)}", headers, rows)
    for label in labels:
        print(f"  {label}: {', '.join(sorted(how_built[label]))}")
    path = save("startup", {"runs": runs, "plugins": plugins, "raw": results,
                            "aiogram": {label: sorted(how_built[label]) for label in labels},
                            **{metric: {label: med[label][metric] for label in labels} for metric in METRICS}})
    print(f"\nsaved {path.relative_to(REPO)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.runs))
