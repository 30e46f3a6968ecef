"""The demo's API answers only its own page on this machine: a per-run token, JSON bodies,
Host and Origin checks, and loopback unless --public (which warns)."""

import asyncio
import sys

import aiohttp
import pytest

from core.sandbox.demo import DemoError, DemoServer


async def people(demo) -> set[str]:
    return {p.first_name for p in demo.people.values()}


async def test_a_cross_site_text_plain_post_creates_no_organizer(demo):
    before = await people(demo)
    async with aiohttp.ClientSession() as browser:  # what a form on another site sends: no token
        async with browser.post(demo.url + "api/users", data='{"first_name": "Mallory", "role": "organizer"}',
                                headers={"Content-Type": "text/plain", "Origin": "http://evil.example"}) as resp:
            assert resp.status == 403
        # Even with the token, a page of another origin and a non-JSON body are refused.
        async with browser.post(demo.url + "api/users", json={"first_name": "Mallory", "role": "organizer"},
                                headers={"X-Demo-Token": demo.api_token, "Origin": "http://evil.example"}) as resp:
            assert resp.status == 403
        async with browser.post(demo.url + "api/users", data='{"first_name": "Mallory", "role": "organizer"}',
                                headers={"X-Demo-Token": demo.api_token, "Content-Type": "text/plain"}) as resp:
            assert resp.status == 415
            assert "JSON" in (await resp.json())["error"]
        async with browser.get(demo.url + "api/users", headers={"X-Demo-Token": "guessed"}) as resp:
            assert resp.status == 403
    assert await people(demo) == before


async def test_the_page_gets_the_token_and_its_requests_work(demo):
    async with aiohttp.ClientSession() as browser:
        async with browser.get(demo.url) as resp:
            page = await resp.text()
        assert f'<meta name="demo-token" content="{demo.api_token}">' in page
        origin = demo.url.rstrip("/")
        async with browser.post(demo.url + "api/users", json={"first_name": "Вера", "role": "participant"},
                                headers={"X-Demo-Token": demo.api_token, "Origin": origin}) as resp:
            assert resp.status == 201
        async with browser.get(demo.url + f"api/users?token={demo.api_token}") as resp:
            assert resp.status == 200
    assert "Вера" in await people(demo)
    other = await DemoServer(demo.data_dir.parent / "other", port=0).start()
    try:
        assert other.api_token != demo.api_token  # per run
    finally:
        await other.stop()


async def test_a_foreign_host_header_is_refused(demo):
    # DNS rebinding: evil.example resolves to 127.0.0.1, the browser sends Host: evil.example.
    async with aiohttp.ClientSession() as browser:
        for path in ("", "api/users"):
            async with browser.get(demo.url + path, headers={"Host": f"evil.example:{demo.port}",
                                                             "X-Demo-Token": demo.api_token}) as resp:
                assert resp.status == 421, path
        async with browser.get(demo.url, headers={"Host": f"localhost:{demo.port}"}) as resp:
            assert resp.status == 200


async def test_only_loopback_without_the_explicit_flag(tmp_path):
    with pytest.raises(DemoError, match="--public"):
        DemoServer(tmp_path / "d", host="0.0.0.0", port=0)
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "core.cli", "demo", "--host", "0.0.0.0",
                                                "--data-dir", str(tmp_path / "d"), stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 2 and "refusing to listen on 0.0.0.0" in err.decode() and "Traceback" not in err.decode()
