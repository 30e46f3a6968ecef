"""Fixtures for the demo tests: a DemoServer in-process on free ports with its own data dir."""

from __future__ import annotations

import aiohttp
import pytest

from core.sandbox.demo import DemoServer


@pytest.fixture
async def demo(tmp_path):
    server = await DemoServer(tmp_path / "demo-data", port=0).start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def http(demo):
    async with aiohttp.ClientSession(base_url=demo.url, headers={"X-Demo-Token": demo.api_token}) as session:
        yield session
