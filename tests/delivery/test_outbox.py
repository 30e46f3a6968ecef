"""Outbox services without Telegram: enqueue, dedupe, claims, crash recovery, status, outcome hooks."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import func, select

from core.db import transaction, utcnow
from core.delivery import (
    OutboxMessage,
    Priority,
    create_broadcast,
    enqueue,
    outbox_status,
)
from core.delivery.cli import render
from core.delivery.outcomes import OutcomeHandlers
from core.delivery.queue import SendResult, claim_batch, record_results, requeue_stale_claims
from core.models import User

NO_HANDLERS = OutcomeHandlers()


async def count(sessions, *where) -> int:
    async with sessions() as session:
        return await session.scalar(select(func.count()).select_from(OutboxMessage).where(*where))


async def test_enqueue_commits_and_rolls_back_with_the_callers_transaction(sessions):
    with pytest.raises(RuntimeError):
        async with transaction(sessions) as session:
            await enqueue(session, chat_id=1, text="offer")
            raise RuntimeError("the state change failed")
    assert await count(sessions) == 0
    async with transaction(sessions) as session:
        row = await enqueue(session, chat_id=1, text="offer", reply_markup={"inline_keyboard": [[
            {"text": "Accept", "callback_data": "waitlist:accept:1"}]]})
    assert row.user_id == 1 and row.state == "queued"
    assert row.content["reply_markup"]["inline_keyboard"][0][0]["text"] == "Accept"


async def test_aiogram_keyboards_are_stored_as_json(sessions):
    from aiogram.utils.keyboard import InlineKeyboardBuilder

    kb = InlineKeyboardBuilder()
    kb.button(text="Yes", callback_data="x:yes")
    async with transaction(sessions) as session:
        row = await enqueue(session, chat_id=-100, text="group notice", reply_markup=kb.as_markup())
    assert row.user_id is None  # groups have no user to mark unreachable
    assert row.content["reply_markup"] == {"inline_keyboard": [[{"text": "Yes", "callback_data": "x:yes"}]]}


async def test_dedupe_key_is_safe_under_concurrent_transactions(sessions):
    async def one():
        async with transaction(sessions) as session:
            return await enqueue(session, chat_id=7, text="reminder", dedupe_key="reminder:7:42")

    results = await asyncio.gather(*(one() for _ in range(8)))
    assert sum(r is not None for r in results) == 1
    assert await count(sessions) == 1


async def test_bad_content_is_refused_with_a_reason(sessions):
    async with transaction(sessions) as session:
        with pytest.raises(ValueError, match="nothing to send"):
            await enqueue(session, chat_id=1, text="  ")
        with pytest.raises(ValueError, match="4096"):
            await enqueue(session, chat_id=1, text="x" * 5000)
        with pytest.raises(ValueError, match="timezone-aware"):
            await enqueue(session, chat_id=1, text="x", not_before=dt.datetime(2030, 1, 1))
        # HTML tags do not count towards the limit, as in Telegram.
        assert await enqueue(session, chat_id=1, text="<b>" + "x" * 4000 + "</b>" * 30)


async def test_claims_follow_priority_and_not_before(sessions):
    async with transaction(sessions) as session:
        await enqueue(session, chat_id=1, text="news", priority=Priority.BULK)
        await enqueue(session, chat_id=2, text="later", priority=Priority.INTERACTIVE,
                      not_before=utcnow() + dt.timedelta(hours=1))
        await enqueue(session, chat_id=3, text="reminder", priority=Priority.NORMAL)
        await enqueue(session, chat_id=4, text="offer", priority=Priority.INTERACTIVE)
    async with transaction(sessions) as session:
        claimed = await claim_batch(session, "w", 10, NO_HANDLERS)
    assert [m.content["text"] for m in claimed] == ["offer", "reminder", "news"]
    assert await count(sessions, OutboxMessage.state == "claimed", OutboxMessage.claimed_by == "w") == 3


async def test_concurrent_claims_are_disjoint(db_backend, sessions):
    if db_backend != "postgres":
        pytest.skip("SKIP LOCKED is PostgreSQL's; SQLite writers are serial")
    async with transaction(sessions) as session:
        for n in range(100):
            await enqueue(session, chat_id=n + 1, text="x")

    async def claimer(worker):
        got = []
        while True:
            async with transaction(sessions) as session:
                batch = await claim_batch(session, worker, 7, NO_HANDLERS)
            if not batch:
                return got
            got += [m.id for m in batch]

    a, b, c = await asyncio.gather(claimer("a"), claimer("b"), claimer("c"))
    assert len(a) + len(b) + len(c) == 100 and len(set(a) | set(b) | set(c)) == 100


async def test_stale_claims_return_to_the_queue(sessions):
    async with transaction(sessions) as session:
        await enqueue(session, chat_id=1, text="x")
    async with transaction(sessions) as session:
        (claimed,) = await claim_batch(session, "crashed", 10, NO_HANDLERS)
    async with transaction(sessions) as session:
        assert await requeue_stale_claims(session, 60) == 0  # still fresh
        assert await requeue_stale_claims(session, 60, now=utcnow() + dt.timedelta(seconds=61)) == 1
    async with transaction(sessions) as session:
        (again,) = await claim_batch(session, "restarted", 10, NO_HANDLERS)
    assert again.id == claimed.id
    # The crashed sender's late answer no longer counts: its claim is gone.
    async with transaction(sessions) as session:
        await record_results(session, [SendResult(claimed, "sent", message_id=1)], "crashed", NO_HANDLERS)
    assert await count(sessions, OutboxMessage.state == "claimed") == 1


async def test_a_failing_outcome_handler_does_not_lose_the_outcome(sessions):
    handlers = OutcomeHandlers()
    seen = []

    async def broken(session, row, outcome):
        session.add(User(id=5, first_name="rolled back with the savepoint"))
        await session.flush()
        raise RuntimeError("handler bug")

    async def fine(session, row, outcome):
        seen.append((row.payload, outcome.state, outcome.error))

    handlers.register("k", broken)
    handlers.register("k", fine)
    async with transaction(sessions) as session:
        await enqueue(session, chat_id=5, text="x", kind="k", payload={"offer": 9})
    async with transaction(sessions) as session:
        (m,) = await claim_batch(session, "w", 10, handlers)
    async with transaction(sessions) as session:
        await record_results(session, [SendResult(m, "failed", error="Bad Request: chat not found")], "w", handlers)
    assert seen == [({"offer": 9}, "failed", "Bad Request: chat not found")]
    assert await count(sessions, OutboxMessage.state == "failed") == 1
    async with sessions() as session:
        assert await session.get(User, 5) is None


async def test_status_counts_per_broadcast_and_kind(sessions):
    async with transaction(sessions) as session:
        session.add(User(id=3, first_name="Gone", unreachable_at=utcnow()))
        await session.flush()
        batch = await create_broadcast(session, recipients=[1, 2, 3], title="Schedule change", text="Room 5")
        await enqueue(session, chat_id=9, text="offer", kind="waitlist:offer")
    async with transaction(sessions) as session:
        claimed = await claim_batch(session, "w", 10, NO_HANDLERS)
        by_chat = {m.chat_id: m for m in claimed}
    async with transaction(sessions) as session:
        await record_results(session, [SendResult(by_chat[1], "sent", message_id=1),
                                       SendResult(by_chat[2], "failed", error="Bad Request: chat not found")],
                             "w", NO_HANDLERS)
    async with sessions() as session:
        status = await outbox_status(session)
    (b,) = status.broadcasts
    assert (b.id, b.counts.sent, b.counts.failed, b.counts.blocked, b.counts.pending) == (batch.id, 1, 1, 1, 0)
    assert b.finished_at is not None and b.counts.reasons == {"Bad Request: chat not found": 1}
    assert status.notices["waitlist:offer"].claimed == 1
    text = render(status, "Outbox")
    assert "Schedule change" in text and "chat not found" in text and "waitlist:offer" in text


def test_cli_outbox_status(db_url, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from core.cli import cli
    from core.db import create_engine, session_factory

    async def prepare():
        from core import migrations
        from core.plugins import PluginRegistry

        engine = create_engine(db_url)
        try:
            await migrations.upgrade(engine, PluginRegistry.load(builtins=[], entry_points_enabled=False))
            async with transaction(session_factory(engine)) as session:
                await create_broadcast(session, recipients=[1, 2], title="Doors open", text="Come in")
        finally:
            await engine.dispose()

    asyncio.run(prepare())
    monkeypatch.setenv("ORGANIZER_BOT__TOKEN", "123:CLI")
    monkeypatch.setenv("ORGANIZER_DATABASE__URL", db_url)
    result = CliRunner().invoke(cli, ["outbox", "status"])
    assert result.exit_code == 0, result.output
    assert "Doors open" in result.output and "queued" in result.output
    result = CliRunner().invoke(cli, ["outbox", "status", "--broadcast", "1", "--json"])
    assert result.exit_code == 0 and '"queued": 2' in result.output
