"""`organizer run --webhook`: updates over the emulator's webhook delivery, the secret token, an
update acknowledged only once handled, health probes and Prometheus metrics."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys

import aiohttp
import pytest

from core.webhook import SECRET_HEADER, WebhookServer

SECRET = "s3cret_TOKEN-1"


@pytest.fixture
async def served(sandbox):
    app = await sandbox.start(plugins=["workshops"], poll=False, settings={"webhook": {"secret_token": SECRET}})
    server = WebhookServer(app, host="127.0.0.1", port=0)
    port = await server.start()
    base = f"http://127.0.0.1:{port}"
    await app.bot.set_webhook(f"{base}/telegram/webhook", secret_token=SECRET)
    try:
        yield app, server, base
    finally:
        await server.stop()


async def test_updates_arrive_by_webhook_and_are_answered(sandbox, served):
    kim = sandbox.user("Kim")
    await kim.send("/start demo")
    await kim.expect(text="Главное меню")
    await kim.send("/menu")
    await kim.expect(text="Главное меню")
    assert sandbox.emulator.world.bots[sandbox.token].webhook_error is None


async def test_a_request_without_the_secret_is_refused_and_not_handled(sandbox, served):
    app, _server, base = served
    update = {"update_id": 999, "message": {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"},
                                            "from": {"id": 5, "is_bot": False, "first_name": "Eve"},
                                            "text": "/start demo"}}
    async with aiohttp.ClientSession() as http:
        for headers in ({}, {SECRET_HEADER: "guess"}):
            async with http.post(f"{base}/telegram/webhook", json=update, headers=headers) as resp:
                assert resp.status == 401
        async with http.post(f"{base}/telegram/webhook", data=b"{not json", headers={SECRET_HEADER: SECRET}) as resp:
            assert resp.status == 400
    assert not sandbox.emulator.requests_for("sendMessage")  # nobody was answered
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/metrics") as resp:
            body = await resp.text()
    assert 'organizer_webhook_rejected_total{reason="secret"} 2.0' in body


async def test_an_update_refused_while_stopping_is_delivered_again_and_handled_once(sandbox, served):
    _app, server, _base = served
    kim = sandbox.user("Kim")
    server.accepting = False  # as between SIGTERM and exit: 503, Telegram keeps the update
    await sandbox.emulator.send_text(kim.id, "/start demo")  # not kim.send: that waits for delivery

    async def refused():
        return sandbox.emulator.world.bots[sandbox.token].webhook_error is not None
    while not await refused():
        await asyncio.sleep(0.02)
    assert not kim.messages(), sandbox.emulator.world.bots[sandbox.token].webhook_error
    server.accepting = True  # another worker, or this one restarted
    await kim.expect(text="Главное меню")
    await sandbox.settle()
    assert sum("Главное меню" in (m.get("text") or "") for m in kim.messages()) == 1


async def test_a_reply_lost_on_telegrams_side_is_acknowledged_not_delivered_again(sandbox, served):
    """Only the database or Redis being away leaves an update unacknowledged (tests/core/test_outage.py);
    a Telegram request that failed is told to the user and acknowledged, and the tap answered once."""
    ned = sandbox.user("Ned")
    await ned.send("/start demo")
    await ned.expect(text="Главное меню")
    sandbox.emulator.faults.drop_next("editMessageText", count=1)
    await ned.click("Личный кабинет")
    await ned.expect(text="Что-то пошло не так")
    await sandbox.settle()
    assert sandbox.emulator.world.bots[sandbox.token].webhook_error is None  # acknowledged at once
    answers = sandbox.emulator.requests_for("answerCallbackQuery")
    assert len(answers) == 1 and answers[0].ok


async def test_probes_and_metrics(sandbox, served):
    _app, _server, base = served
    kim = sandbox.user("Kim")
    await kim.send("/start demo")
    await kim.expect(text="Главное меню")
    await sandbox.settle()
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/healthz") as resp:
            assert resp.status == 200
        async with http.get(f"{base}/readyz") as resp:
            assert resp.status == 200 and (await resp.json())["database"] is True
        async with http.get(f"{base}/metrics") as resp:
            assert resp.status == 200
            body = await resp.text()
    assert 'organizer_updates_total{outcome="handled",type="message"} 1.0' in body
    assert 'organizer_handler_seconds_count{plugin="core"}' in body
    assert 'organizer_outbox_messages{state="queued"}' in body
    assert "organizer_telegram_429_total" in body and "organizer_telegram_403_total" in body
    assert "organizer_db_pool_in_use" in body or "sqlite" in sandbox.db_url
    assert "Kim" not in body  # no personal data in labels


async def test_readyz_says_not_ready_when_the_database_is_gone(sandbox, served):
    app, _server, base = served
    from core.db import create_engine

    real = app.engine
    app.engine = create_engine("postgresql+asyncpg://postgres@127.0.0.1:1/nowhere")
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{base}/readyz") as resp:
                assert resp.status == 503 and (await resp.json())["database"] is False
    finally:
        await app.engine.dispose()
        app.engine = real


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_organizer_run_webhook_sets_the_hook_serves_and_stops_on_sigterm(emulator, tmp_path):
    port = free_port()
    config = tmp_path / "organizer.toml"
    config.write_text(f'[bot]\ntoken = "42:HOOK"\napi_server = "{emulator.base_url}"\n'
                      f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "o.db"}"\n'
                      f'[webhook]\nport = {port}\nurl = "http://127.0.0.1:{port}/telegram/webhook"\n'
                      f'secret_token = "{SECRET}"\n'
                      '[events.demo]\ntitle = "Demo"\n[events.demo.signup]\nenabled = false\n')
    emulator.add_bot("42:HOOK")
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "core.cli", "run", "--webhook",
                                                "--config", str(config), stderr=asyncio.subprocess.PIPE,
                                                env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        from core.sandbox import SandboxUser

        deadline = asyncio.get_running_loop().time() + 60
        while not emulator.requests_for("setWebhook"):  # started: migrated, listening, hook set
            assert proc.returncode is None and asyncio.get_running_loop().time() < deadline
            await asyncio.sleep(0.05)
        lena = SandboxUser(emulator, "Lena")
        await lena.send("/start demo")
        await lena.expect(text="Главное меню", timeout=60)
        hook = emulator.requests_for("setWebhook")[-1].params
        assert hook["secret_token"] == SECRET and hook["url"].endswith(f":{port}/telegram/webhook")
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), 30)
        assert code == 0, (await proc.stderr.read()).decode()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
