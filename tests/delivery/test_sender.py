"""The sender through the sandbox emulator with the real aiogram Bot, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from core.db import transaction
from core.delivery import (
    DeliveryOutcome,
    OutboxMessage,
    OutboxSender,
    Priority,
    broadcast_status,
    create_broadcast,
    enqueue,
    outcome_handlers,
)
from core.models import User
from tests.delivery.conftest import add_users, fast_settings, max_in_window


async def rows(sessions) -> list[OutboxMessage]:
    async with sessions() as session:
        return list((await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all())


def texts_by_chat(emulator) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for r in emulator.sent_messages():
        out.setdefault(r.params["chat_id"], []).append(r.params.get("text") or r.params.get("caption"))
    return out


async def test_burst_of_500_stays_under_30_per_second_and_arrives_once(sessions, emulator, bot):
    users = add_users(emulator, 500)
    emulator.faults.set_rate_limit(global_per_sec=30)
    async with transaction(sessions) as session:
        for uid in users:
            await enqueue(session, chat_id=uid, text=f"notice for {uid}", priority=Priority.BULK)
    sender = OutboxSender(bot, sessions, fast_settings(global_rate=30))

    await sender.drain_until_idle(timeout=120)

    requests = emulator.requests_for("sendMessage")
    assert [r for r in requests if r.error_code == 429] == []
    assert max_in_window([r.time for r in requests]) <= 30
    delivered = texts_by_chat(emulator)
    assert sorted(delivered) == sorted(users)
    assert all(texts == [f"notice for {uid}"] for uid, texts in delivered.items())
    assert {(r.state, r.attempts) for r in await rows(sessions)} == {("sent", 1)}
    assert all(r.message_id for r in await rows(sessions))


async def test_429_pauses_everything_for_retry_after_and_retries_the_row(sessions, emulator, bot):
    users = add_users(emulator, 50)
    emulator.faults.set_rate_limit(global_per_sec=20, retry_after=2)
    async with transaction(sessions) as session:
        for uid in users:
            await enqueue(session, chat_id=uid, text="news")
    sender = OutboxSender(bot, sessions, fast_settings(global_rate=50))

    await sender.drain_until_idle(timeout=60)

    requests = emulator.requests_for("sendMessage")
    limited = [r for r in requests if r.error_code == 429]
    assert limited, "the emulator's limit was meant to be hit"
    for hit in limited:
        inside = [r for r in requests if hit.time < r.time < hit.time + 2]
        assert inside == [], f"{len(inside)} requests inside the retry_after window"
    assert sorted(texts_by_chat(emulator)) == sorted(users)  # every row retried and delivered once
    assert all(len(t) == 1 for t in texts_by_chat(emulator).values())
    assert {r.state for r in await rows(sessions)} == {"sent"}
    assert sender.stats.rate_limited == len(limited)


async def test_blocked_user_is_marked_and_skipped(sessions, emulator, bot):
    alice, bob = add_users(emulator, 2)
    emulator.faults.block_bot(bob)
    outcomes: list[tuple[int, DeliveryOutcome]] = []

    async def on_offer(session, row, outcome):
        outcomes.append((row.payload["offer"], outcome))

    outcome_handlers.register("test:offer", on_offer)
    try:
        async with transaction(sessions) as session:
            session.add_all([User(id=alice, first_name="A"), User(id=bob, first_name="B")])
            await session.flush()
            for n in range(3):
                await enqueue(session, chat_id=bob, text=f"offer {n}", kind="test:offer", payload={"offer": n})
            await enqueue(session, chat_id=alice, text="hello alice")
        sender = OutboxSender(bot, sessions, fast_settings())
        await sender.drain_until_idle()

        assert len(emulator.requests_for("sendMessage", chat_id=bob)) == 1  # the rest never asked Telegram
        assert texts_by_chat(emulator) == {alice: ["hello alice"]}
        bob_rows = [r for r in await rows(sessions) if r.chat_id == bob]
        assert {r.state for r in bob_rows} == {"blocked"}
        assert sorted(n for n, _ in outcomes) == [0, 1, 2]
        assert all(o.state == "blocked" and not o.delivered for _, o in outcomes)
        async with sessions() as session:
            assert (await session.get(User, bob)).unreachable_at is not None
            assert (await session.get(User, alice)).unreachable_at is None

        # Later notices to an unreachable user end as blocked without a request.
        async with transaction(sessions) as session:
            await enqueue(session, chat_id=bob, text="later")
        await sender.drain_until_idle()
        assert len(emulator.requests_for("sendMessage", chat_id=bob)) == 1
        assert [r.state for r in await rows(sessions) if r.chat_id == bob] == ["blocked"] * 4
    finally:
        outcome_handlers.unregister("test:offer", on_offer)


async def test_bad_request_is_permanent_with_reason(sessions, emulator, bot):
    (uid,) = add_users(emulator, 1)
    async with transaction(sessions) as session:
        await enqueue(session, chat_id=uid, text="<b>unclosed", parse_mode="HTML")
        await enqueue(session, chat_id=999_999_999, text="nobody")  # chat not found
    sender = OutboxSender(bot, sessions, fast_settings())
    await sender.drain_until_idle()

    broken, nobody = await rows(sessions)
    assert (broken.state, broken.attempts) == ("failed", 1)
    assert "can't parse entities" in broken.last_error
    assert nobody.state == "failed" and "chat not found" in nobody.last_error
    assert len(emulator.requests_for("sendMessage")) == 2  # no retries


async def test_server_and_network_errors_retry_with_backoff(sessions, emulator, bot):
    a, b = add_users(emulator, 2)
    emulator.faults.fail_next("sendMessage", 2, 502)
    emulator.faults.drop_next("sendMessage", 1)
    async with transaction(sessions) as session:
        await enqueue(session, chat_id=a, text="first")
    sender = OutboxSender(bot, sessions, fast_settings(), retry_base_delay=0.05)
    await sender.drain_until_idle()

    (row,) = await rows(sessions)
    assert (row.state, row.attempts) == ("sent", 4)
    assert texts_by_chat(emulator) == {a: ["first"]}
    assert sender.stats.errors == {"TelegramServerError": 2, "TelegramNetworkError": 1}

    emulator.faults.fail_next("sendMessage", 10, 500)
    async with transaction(sessions) as session:
        await enqueue(session, chat_id=b, text="doomed")
    await sender.drain_until_idle()
    doomed = (await rows(sessions))[1]
    assert (doomed.state, doomed.attempts) == ("failed", 4)  # max_attempts
    assert doomed.last_error.startswith("gave up after 4 attempts")


async def test_photo_bytes_are_uploaded_once_then_reused(sessions, emulator, bot):
    users = add_users(emulator, 4)
    png = _tiny_png()
    async with transaction(sessions) as session:
        await create_broadcast(session, recipients=users, title="poster", text="See you!", photo=png)
    sender = OutboxSender(bot, sessions, fast_settings())
    await sender.drain_until_idle()

    photos = emulator.requests_for("sendPhoto")
    assert [r.ok for r in photos] == [True] * 4
    uploads = [r for r in photos if isinstance(r.params["photo"], dict)]
    assert len(uploads) == 1
    assert len({r.params["photo"] for r in photos if r not in uploads}) == 1  # one file_id re-used
    assert {r.state for r in await rows(sessions)} == {"sent"}


async def test_interactive_notice_overtakes_bulk(sessions, emulator, bot):
    users = add_users(emulator, 60)
    (urgent_user,) = add_users(emulator, 1, start=50_000)
    async with transaction(sessions) as session:
        await create_broadcast(session, recipients=users, title="news", text="bulk news")
    sender = OutboxSender(bot, sessions, fast_settings(global_rate=40, batch_size=5))
    task = asyncio.create_task(sender.run())
    try:
        while len(emulator.sent_messages()) < 5:
            await asyncio.sleep(0.02)
        async with transaction(sessions) as session:
            await enqueue(session, chat_id=urgent_user, text="your seat offer", priority=Priority.INTERACTIVE)
        while len(emulator.sent_messages()) < 61:
            await asyncio.sleep(0.05)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    order = [r.params["chat_id"] for r in emulator.sent_messages()]
    # At most the batch being sent and the one claimed ahead go first.
    assert order.index(urgent_user) <= 5 + 2 * sender.claim_size + 1


async def test_private_chat_bursts_then_one_per_interval_in_order(sessions, emulator, bot):
    (uid,) = add_users(emulator, 1)
    async with transaction(sessions) as session:
        for n in range(5):
            await enqueue(session, chat_id=uid, text=f"m{n}")
    sender = OutboxSender(bot, sessions, fast_settings(private_chat_rate=2, private_chat_burst=2))
    await sender.drain_until_idle()

    sent = emulator.sent_messages(uid)
    assert [r.params["text"] for r in sent] == [f"m{n}" for n in range(5)]
    t0 = sent[0].time
    for n, r in enumerate(sent):
        assert r.time >= t0 + max(0, n - 1) * 0.5 - 0.02  # burst of 2, then one per 0.5 s


async def test_group_bucket_does_not_burst(sessions, emulator, bot):
    (uid,) = add_users(emulator, 1)
    group = emulator.add_group("Staff", [uid])["id"]
    async with transaction(sessions) as session:
        for n in range(3):
            await enqueue(session, chat_id=group, text=f"g{n}")
    sender = OutboxSender(bot, sessions, fast_settings(group_per_minute=60))
    await sender.drain_until_idle()

    sent = emulator.sent_messages(group)
    assert [r.params["text"] for r in sent] == ["g0", "g1", "g2"]
    gaps = [b.time - a.time for a, b in zip(sent, sent[1:])]
    assert all(gap >= 1.0 for gap in gaps), gaps
    assert all(r.user_id is None for r in await rows(sessions))


async def test_finished_broadcast_reports_to_its_author(sessions, emulator, bot):
    users = add_users(emulator, 5)
    (admin,) = add_users(emulator, 1, start=70_000)
    emulator.faults.block_bot(users[0])
    async with transaction(sessions) as session:
        session.add(User(id=admin, first_name="Org", language="en"))
        batch = await create_broadcast(session, recipients=users + [users[1]], title="Doors open", text="Come in",
                                       created_by=admin)
    sender = OutboxSender(bot, sessions, fast_settings())
    await sender.drain_until_idle()

    async with sessions() as session:
        status = await broadcast_status(session, batch.id)
    assert (status.counts.sent, status.counts.blocked, status.counts.failed, status.counts.pending) == (4, 1, 0, 0)
    assert status.finished_at is not None
    (summary,) = emulator.sent_messages(admin)
    assert "Doors open" in summary.params["text"]
    assert "Delivered: 4 of 5" in summary.params["text"]
    assert "Blocked the bot: 1" in summary.params["text"]


def _tiny_png() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, format="PNG")
    return buf.getvalue()
