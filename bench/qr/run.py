"""QR passes benchmark: drawing passes and reading phone photos against plain library calls, and
check-in latency at a busy door.

    .venv/bin/python bench/qr/run.py                    # SQLite
    .venv/bin/python bench/qr/run.py --db postgres --scans 100 --rounds 5

1. Passes drawn per second: ``imaging.pass_png`` (QR + event, name, code under it) vs a plain
   ``qrcode.make(payload).save(png)`` of the same payloads, interleaved, ``--rounds`` times.
2. Photos decoded per second: ``imaging.decode`` (what the desk runs) vs a plain
   ``pyzbar.decode(Image.open(jpeg))`` of the same 1280×960 phone photos (QR ~200 px, rotated,
   noisy, JPEG); every photo must read in both.
3. Latency at the door, through the real bot on the emulator: ``--scans`` checkers each send a photo
   of a different pass at once while ``--others`` participants keep opening the menu; check-in p50/p99
   (photo sent → "✅" answer) and the others' p50/p99, against the others alone in the same run.

The overhead ratios are medians over the rounds (plain rate ÷ ours; goal ≤ 1.2×). Prints tables and
writes bench/results/qr.json. Not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import logging
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "qr"))  # phone_photo(): the same photos the tests use

from bench.common import percentile, print_table, save  # noqa: E402

logging.basicConfig(level=logging.WARNING)

EVENTS = {"demo": {"title": "DemoConf 2026", "timezone": "Europe/Moscow", "signup": {"enabled": False},
                   "plugins": {"qr": {"keys": {"bench": "b" * 32}, "sign_with": "bench"}}}}


def payloads(n: int) -> list[str]:
    from plugins.qr import tokens

    return [tokens.sign("demo", "bench", "b" * 32, tokens.new_nonce()) for _ in range(n)]


def rate(func, items) -> float:
    start = time.perf_counter()
    for item in items:
        func(item)
    return len(items) / (time.perf_counter() - start)


def generation(rounds: int, n: int) -> dict:
    import qrcode

    from plugins.qr import imaging

    items = payloads(n)

    def plain(payload: str) -> bytes:
        out = io.BytesIO()
        qrcode.make(payload).save(out)
        return out.getvalue()

    def ours(payload: str) -> bytes:
        return imaging.pass_png(imaging.PassPicture(payload, "DemoConf 2026", "Алиса Иванова", "ABCD-2345"))

    plain(items[0]), ours(items[0])  # fonts, modules
    plain_rates, our_rates = [], []
    for _ in range(rounds):
        plain_rates.append(rate(plain, items))
        our_rates.append(rate(ours, items))
    ratios = [p / o for p, o in zip(plain_rates, our_rates)]
    return {"items": n, "plain_per_s": statistics.median(plain_rates), "ours_per_s": statistics.median(our_rates),
            "overhead": statistics.median(ratios)}


def decoding(rounds: int, n: int) -> dict:
    from PIL import Image
    from photos import phone_photo
    from pyzbar import pyzbar

    from plugins.qr import imaging, service

    items = payloads(n)
    angles = (0, 90, 180, 270, 15, -15)
    photos = [phone_photo(imaging.pass_png(imaging.PassPicture(p, "DemoConf 2026", "Гость", "ABCD-2345")),
                          angle=angles[i % len(angles)], seed=i) for i, p in enumerate(items)]

    def plain(jpeg: bytes) -> list:
        return pyzbar.decode(Image.open(io.BytesIO(jpeg)))

    plain_ok = sum(1 for ph, p in zip(photos, items) if [r.data.decode() for r in plain(ph)] == [p])
    def ours(jpeg: bytes) -> list[str]:
        return imaging.decode(jpeg, service.PASS_PREFIX)

    ours_ok = sum(1 for ph, p in zip(photos, items) if ours(ph) == [p])
    plain_rates, our_rates = [], []
    for _ in range(rounds):
        plain_rates.append(rate(plain, photos))
        our_rates.append(rate(ours, photos))
    ratios = [p / o for p, o in zip(plain_rates, our_rates)]
    return {"photos": n, "plain_read": plain_ok, "ours_read": ours_ok, "plain_per_s": statistics.median(plain_rates),
            "ours_per_s": statistics.median(our_rates), "overhead": statistics.median(ratios)}


async def door(db: str, scans: int, others: int, menus_each: int, timeout: float) -> dict:
    from photos import phone_photo

    from core import people
    from core.models import Role
    from core.sandbox import BotAPIEmulator
    from core.sandbox.harness import Sandbox
    from core.testing import create_pg_database, drop_pg_database
    from plugins.qr import imaging, service

    if db == "sqlite":
        path = ROOT / "bench" / "results" / f"qr-{int(time.time())}.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite+aiosqlite:///{path}"
    else:
        url = await create_pg_database()
    emu = await BotAPIEmulator().start()
    box = Sandbox(url, emulator=emu)
    try:
        app = await box.start(plugins=["qr"], events=EVENTS, poll=True)
        app.freeze_startup_objects()
        guests = [box.user(f"Guest{i}") for i in range(scans)]
        desks = [box.user(f"Desk{i}") for i in range(scans)]
        crowd = [box.user(f"Other{i}") for i in range(others)]
        for person in guests + crowd:
            await person.send("/start demo")
        async with app.transaction() as s:
            ev = await people.event_by_slug(s, "demo")
            for d in desks:
                await people.set_role(s, ev, d.id, Role.CHECKER)
            pictures = []
            for g in guests:
                member = await people.get_member(s, ev.id, g.id)
                pictures.append(await service.picture(app, s, ev, await service.my_pass(app, s, ev, member)))
        for d in desks:
            await d.send("/start demo")
            await d.click("Пункт регистрации")
        # Photos are stored in the emulator beforehand: its thumbnailing (Pillow, this process) is
        # Telegram's work, not the bot's, and must not sit on the loop during the measurement.
        stored = [emu.world.store_photo(phone_photo(imaging.pass_png(p), angle=(0, 90, 180, 15)[i % 4], seed=i))
                  for i, p in enumerate(pictures)]
        await box.settle()

        def answers(method_text: str, sent: dict[int, float], since: int) -> dict[int, float]:
            got = {}
            for r in emu.requests[since:]:
                if r.method.lower() != "sendmessage" or not r.ok:
                    continue
                chat = int(r.params.get("chat_id"))
                if chat in sent and chat not in got and r.time >= sent[chat] \
                        and method_text in str(r.params.get("text", "")):
                    got[chat] = r.time
            return got

        async def menus(rounds_: int) -> list[float]:
            """The crowd opens the menu ``rounds_`` times each, one at a time per person."""
            lat: list[float] = []

            async def one(person):
                for _ in range(rounds_):
                    since = len(emu.requests)
                    t0 = time.monotonic()
                    await emu.send_text(person.id, "/menu", chat_id=person.id, token=box.token)
                    while True:
                        got = answers("Главное меню", {person.id: t0}, since)
                        if got or time.monotonic() - t0 > timeout:
                            break
                        await asyncio.sleep(0.005)
                    if got:
                        lat.append(got[person.id] - t0)

            await asyncio.gather(*(one(p) for p in crowd))
            return lat

        alone = await menus(menus_each)
        since = len(emu.requests)
        sent: dict[int, float] = {}

        async def scan(desk, sizes) -> None:
            sent[desk.id] = time.monotonic()
            # The emulator's own user-message path with the photo stored above (as send_photo does).
            emu._user_message(desk.id, desk.id, {"photo": sizes}, None, box.token)

        start = time.monotonic()
        crowd_task = asyncio.create_task(menus(menus_each))
        await asyncio.gather(*(scan(d, sizes) for d, sizes in zip(desks, stored)))
        got: dict[int, float] = {}
        while len(got) < len(desks) and time.monotonic() - start < timeout:
            await asyncio.sleep(0.02)
            got = answers("✅", sent, since)
        busy = await crowd_task
        checkin_lat = [got[c] - sent[c] for c in got]
        async with app.sessions() as s:
            from sqlalchemy import func, select

            from plugins.qr.models import CheckIn

            checked = await s.scalar(select(func.count()).select_from(CheckIn))
        ms = lambda v: round(v * 1000, 1)  # noqa: E731
        return {"db": db, "scans": scans, "answered_ok": len(got), "checked_in_rows": checked,
                "checkin_p50_ms": ms(percentile(checkin_lat, 50)), "checkin_p99_ms": ms(percentile(checkin_lat, 99)),
                "all_scans_s": round(max(got.values()) - start, 2) if got else float("nan"),
                "others_alone_p50_ms": ms(percentile(alone, 50)), "others_alone_p99_ms": ms(percentile(alone, 99)),
                "others_busy_p50_ms": ms(percentile(busy, 50)), "others_busy_p99_ms": ms(percentile(busy, 99)),
                "others_answered": f"{len(busy)}/{len(crowd) * menus_each}"}
    finally:
        await box.stop()
        await emu.stop()
        if db == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
        else:
            await drop_pg_database(url)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="sqlite")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--passes", type=int, default=100, help="passes drawn per round")
    parser.add_argument("--photos", type=int, default=30, help="photos decoded per round")
    parser.add_argument("--scans", type=int, default=100, help="simultaneous scans at the door")
    parser.add_argument("--others", type=int, default=20, help="participants using the bot meanwhile")
    parser.add_argument("--menus", type=int, default=5, help="menus each of them opens")
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args()

    gen = generation(args.rounds, args.passes)
    dec = decoding(args.rounds, args.photos)
    print_table("Drawing passes and reading photos (median of rounds; overhead = plain rate ÷ ours, goal ≤ 1.2)",
                ["what", "plain /s", "ours /s", "overhead", "read"],
                [["passes drawn", gen["plain_per_s"], gen["ours_per_s"], gen["overhead"], "-"],
                 ["photos decoded", dec["plain_per_s"], dec["ours_per_s"], dec["overhead"],
                  f"plain {dec['plain_read']}/{dec['photos']}, ours {dec['ours_read']}/{dec['photos']}"]])
    doors = [asyncio.run(door(db.strip(), args.scans, args.others, args.menus, args.timeout))
             for db in args.db.split(",") if db.strip()]
    print_table(f"At the door: {args.scans} simultaneous scans while {args.others} others open the menu",
                ["db", "✅ answers", "check-ins", "check-in p50 ms", "check-in p99 ms", "all scans s",
                 "others alone p50/p99 ms", "others busy p50/p99 ms", "others answered"],
                [[d["db"], d["answered_ok"], d["checked_in_rows"], d["checkin_p50_ms"], d["checkin_p99_ms"],
                  d["all_scans_s"], f"{d['others_alone_p50_ms']}/{d['others_alone_p99_ms']}",
                  f"{d['others_busy_p50_ms']}/{d['others_busy_p99_ms']}", d["others_answered"]] for d in doors])
    out = save("qr", {"args": vars(args), "generation": gen, "decoding": dec, "door": doors})
    print(f"\nSaved {out.relative_to(ROOT)}")
    ok = gen["overhead"] <= 1.2 and dec["overhead"] <= 1.2 and dec["ours_read"] == dec["photos"] and \
        all(d["answered_ok"] == d["scans"] == d["checked_in_rows"] for d in doors)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
