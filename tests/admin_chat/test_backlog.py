"""Many participants asking at once: every ticket stored once and shown to the organizers once,
gathered into a few messages within the group's limit (the emulator answers 429 above it)."""

from __future__ import annotations

import asyncio
import re
from collections import Counter

from sqlalchemy import select

from ac_helpers import EVENTS, bound_group, organizer
from plugins.admin_chat.models import AdminChatTicket

PEOPLE = 30
PER_MINUTE = 60  # the group limit of this test (Telegram's is 20; scaled so the test is quick)


async def test_a_rush_of_questions_is_gathered_within_the_group_limit(sandbox):
    app = await sandbox.start(plugins=["admin_chat"], events=EVENTS,
                              settings={"delivery": {"group_per_minute": PER_MINUTE}})
    olga = await organizer(sandbox, "Olga")
    chat, olga_g = await bound_group(sandbox, olga)
    emu = sandbox.emulator
    people = [sandbox.user(f"P{i}") for i in range(PEOPLE)]
    for person in people:
        await emu.send_text(person.id, "/start demo")
    await sandbox.settle()
    emu.faults.set_rate_limit(per_group_per_min=PER_MINUTE)

    await asyncio.gather(*(emu.send_text(p.id, f"Вопрос от {p.name}") for p in people))
    await sandbox.settle()
    await sandbox.drain_outbox()

    async with app.sessions() as s:
        stored = (await s.scalars(select(AdminChatTicket))).all()
    assert sorted(t.user_id for t in stored) == sorted(p.id for p in people)  # one ticket each, none lost
    relays = [m["text"] for m in emu.chat_messages(chat["id"]) if m["from_bot"] and (m["text"] or "").startswith("📨")]
    shown = Counter(int(n) for text in relays for n in re.findall(r"№(\d+) ·", text))
    assert shown == Counter({t.id: 1 for t in stored}), shown  # every ticket shown exactly once
    assert len(relays) <= 1 + -(-PEOPLE // 20) + 1, relays  # gathered: a handful of messages, not 30
    sends = [r for r in emu.requests_for() if r.params.get("chat_id") == chat["id"]]
    assert not [r for r in sends if r.error_code == 429]
