"""Start-up time and idle memory of the bot with every built-in plugin on, against a bare aiogram
echo bot started the same way in the same run (both against the sandbox emulator).

    .venv/bin/python -m bench.startup.run [--runs 5]

Start-up = from process spawn until the bot answered getMe, migrated a fresh SQLite database
(ours) and started polling. Idle RSS is read 2 s after READY. Goals: start-up < 1.5 s, RSS < 120 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

import psutil

from bench.common import median, print_table, save
from core.sandbox import BotAPIEmulator

REPO = Path(__file__).resolve().parents[2]


async def one_run(mode: str, api: str, workdir: Path, run: int) -> tuple[float, float]:
    db = f"sqlite+aiosqlite:///{workdir / f'{mode}-{run}.db'}"
    started = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bench.startup.child", mode, api, db,
                                                cwd=REPO, stdout=asyncio.subprocess.PIPE)
    try:
        line = await asyncio.wait_for(proc.stdout.readline(), 60)
        elapsed = time.perf_counter() - started
        if line.strip() != b"READY":
            raise RuntimeError(f"{mode} did not start: {line!r}")
        await asyncio.sleep(2.0)
        rss = psutil.Process(proc.pid).memory_info().rss / 2**20
        return elapsed, rss
    finally:
        proc.terminate()
        await proc.wait()


async def main(runs: int) -> None:
    emulator = await BotAPIEmulator().start()
    emulator.add_bot("42:BENCH")
    results: dict[str, dict[str, list[float]]] = {m: {"startup_s": [], "rss_mb": []} for m in ("bare", "organizer")}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for run in range(runs):
                for mode in ("bare", "organizer"):  # interleaved so drift hits both alike
                    elapsed, rss = await one_run(mode, emulator.base_url, Path(tmp), run)
                    results[mode]["startup_s"].append(elapsed)
                    results[mode]["rss_mb"].append(rss)
    finally:
        await emulator.stop()
    from core.plugins import PluginRegistry

    plugins = PluginRegistry.load(entry_points_enabled=False).order
    bare, ours = results["bare"], results["organizer"]
    rows = [
        ["start-up, s (median)", median(bare["startup_s"]), median(ours["startup_s"]),
         median(ours["startup_s"]) / median(bare["startup_s"]), "< 1.5 s"],
        ["idle RSS, MB (median)", median(bare["rss_mb"]), median(ours["rss_mb"]),
         median(ours["rss_mb"]) / median(bare["rss_mb"]), "< 120 MB"],
    ]
    print_table(f"bench/startup — {runs} runs each, plugins: {', '.join(plugins)}",
                ["metric", "bare aiogram", "organizer", "ratio", "goal"], rows)
    path = save("startup", {"runs": runs, "plugins": plugins, "raw": results,
                            "startup_s": {"bare": median(bare["startup_s"]), "organizer": median(ours["startup_s"])},
                            "rss_mb": {"bare": median(bare["rss_mb"]), "organizer": median(ours["rss_mb"])}})
    print(f"\nsaved {path.relative_to(REPO)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    asyncio.run(main(parser.parse_args().runs))
