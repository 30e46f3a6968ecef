"""A booked workshop's change (made in the workshops plugin's organizer screens) joins the digest of
the program changes published in the same period: one message per affected participant. With
the schedule off for the event, or drafts off, the workshops plugin tells its people itself."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from core.db import utcnow
from plugins.schedule import service
from sch_helpers import comes_due, day, event, load, local, outbox_count, pending_jobs, program, session_id, start
from test_reminders_and_releases import bookmark, joined
from ws_helpers import add_workshop, open_card

HELD = "schedule:held:"


def notices(user) -> list[str]:
    """Texts of the change notices in the user's chat (a booked card's live seat count is no notice)."""
    return [m["text"] for m in user.messages() if "Изменения" in (m.get("text") or "")]


async def book(user) -> None:
    await open_card(user)
    await user.click("Записаться")
    await user.expect(text="Вы записаны")


async def organizer(sandbox):
    olga = await sandbox.admin("Olga")
    await olga.send("/start demo")
    return olga


async def move_workshop(olga, when: dt.datetime) -> dict:
    """Through the workshops plugin's organizer screens: a new start, 90 minutes long."""
    await olga.send("/admin")
    await olga.click("Мастер-классы")
    await olga.click(re.compile("Soldering"))
    await olga.click("✏️ Время")
    await olga.expect(text="Когда начало?")
    await olga.send(f"{when:%Y-%m-%d %H:%M}")
    await olga.expect(text="Когда окончание?")
    await olga.send("90")
    return await olga.expect(text="Сохранено")


async def test_a_booked_workshop_moved_in_the_same_period_joins_the_one_digest(sandbox):
    app = await start(sandbox)
    d = day()
    await load(app, program(d))
    await add_workshop(app, capacity=5, starts_at=local(d, "16:00").astimezone(dt.UTC))
    alice, bob, carol = [await joined(sandbox, name) for name in ("Alice", "Bob", "Carol")]
    await bookmark(alice, d, "Rust in production")
    await book(alice)  # a bookmarked session and a booked workshop
    await book(bob)  # only the workshop
    await bookmark(carol, d, "UX of bots")  # neither changes

    olga = await organizer(sandbox)
    saved = await move_workshop(olga, local(d, "17:00"))
    assert "Участникам отправлено уведомление: 2" in saved["text"]
    assert "Из них в общей сводке изменений программы: 2" in saved["text"]
    async with app.transaction() as s:  # in the same period the program's Rust talk moves (a draft)
        await service.stage_changes(app, s, await event(app), service.SYSTEM, await session_id(app, "rust"),
                                    {"starts_at": local(d, "14:00").astimezone(dt.UTC),
                                     "ends_at": local(d, "14:45").astimezone(dt.UTC)}, now=utcnow())
    await sandbox.drain_outbox()
    assert notices(alice) == notices(bob) == notices(carol) == []  # the workshop's change waits for the release
    assert await outbox_count(app, "workshops:changed:") == 0

    await olga.send("/admin")
    await olga.click("🗓 Программа")
    await olga.click(re.compile("Опубликовать изменения \\(2\\)"))
    preview = await olga.expect(text="Изменений: 2")
    assert "Уведомим участников: 2" in preview["text"] and "изменений мастер-классов: 1" in preview["text"]
    assert "Soldering" in preview["text"] and "Rust in production" in preview["text"]
    await olga.click(re.compile("Опубликовать и уведомить"))
    await olga.expect(text="Опубликовано изменений: 2. Уведомлений в очереди: 2")
    await sandbox.drain_outbox()

    await alice.expect(text="Изменения в программе")
    (note,) = notices(alice)  # one message naming both, nothing from the workshops plugin
    assert "Rust in production" in note and "14:00–14:45" in note
    assert re.search(r"Мастер-класс «Soldering»[^\n]*\n[^\n]*16:00–17:30, стало [^\n]*17:00–18:30", note)
    await bob.expect(text="Изменения в программе")
    (bob_note,) = notices(bob)
    assert "Soldering" in bob_note and "Rust" not in bob_note
    assert notices(carol) == []
    assert await outbox_count(app, "workshops:changed:") == 0

    # The held change's own job comes due later: the release took it, nobody is told twice.
    (key,) = [k for k in await pending_jobs(app, HELD)]
    await comes_due(sandbox, key)
    assert (len(notices(alice)), len(notices(bob)), len(notices(carol))) == (1, 1, 0)


async def test_held_workshop_changes_go_alone_merged_when_no_release_comes_in_time(sandbox):
    from core.people import SYSTEM
    from plugins.workshops import catalogue

    app = await start(sandbox)
    d = day()
    await load(app, program(d))
    workshop = await add_workshop(app, capacity=5, starts_at=local(d, "16:00").astimezone(dt.UTC))
    alice, carol = await joined(sandbox, "Alice"), await joined(sandbox, "Carol")
    await book(alice)
    ev = await event(app)
    for place in ("Зал 2", "Зал 3"):  # two edits of the place in one period: one line, first to last
        async with app.transaction() as s:
            result = await catalogue.update_workshop(app, s, ev, SYSTEM, workshop.id, {"place": place})
            assert (result.notified, result.joined) == (1, 1)
    await sandbox.drain_outbox()
    assert notices(alice) == []
    jobs = await pending_jobs(app, HELD)
    assert len(jobs) == 2 and max(jobs.values()) <= utcnow() + dt.timedelta(minutes=30)  # the default hold

    await comes_due(sandbox, min(jobs, key=jobs.get))  # no "Publish changes" came in time
    await alice.expect(text="Изменения в программе")
    (note,) = notices(alice)
    assert "Место: было Room 1, стало Зал 3" in note and "Зал 2" not in note
    await comes_due(sandbox, max(jobs, key=jobs.get))  # the second change went in that message
    assert len(notices(alice)) == 1 and notices(carol) == []


@pytest.mark.parametrize("schedule", [{"enabled": False}, {"drafts": False}], ids=["schedule-off", "drafts-off"])
async def test_with_the_schedule_off_or_drafts_off_the_workshop_notice_arrives_on_its_own(sandbox, schedule):
    app = await start(sandbox, schedule=schedule)
    d = day()
    await add_workshop(app, capacity=5, starts_at=local(d, "16:00").astimezone(dt.UTC))
    alice = await joined(sandbox, "Alice")
    await book(alice)
    olga = await organizer(sandbox)
    saved = await move_workshop(olga, local(d, "17:00"))
    assert "Участникам отправлено уведомление: 1" in saved["text"] and "сводке" not in saved["text"]
    await sandbox.drain_outbox()
    await alice.expect(text="Изменения в мастер-классе «Soldering»")
    (note,) = notices(alice)
    assert re.search(r"было [^\n]*16:00–17:30, стало [^\n]*17:00–18:30", note)
    assert await pending_jobs(app, HELD) == {}
