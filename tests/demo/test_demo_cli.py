"""`organizer demo` as a newcomer runs it: a subprocess that prints a URL, serves the page, stops on
SIGTERM with exit code 0, and keeps its data between runs unless --reset."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from pathlib import Path

import aiohttp

from demo_helpers import free_port

ORGANIZER = Path(sys.executable).parent / "organizer"
URL_RE = re.compile(r"(http://127\.0\.0\.1:\d+/)")


class DemoProcess:
    def __init__(self, data_dir: Path, *extra: str):
        self.data_dir = data_dir
        self.extra = extra
        self.port = free_port()
        self.proc: asyncio.subprocess.Process | None = None
        self.lines: list[str] = []
        self.url: str | None = None

    async def __aenter__(self) -> DemoProcess:
        assert ORGANIZER.exists(), f"{ORGANIZER} is missing: install the project (pip install -e .)"
        self.proc = await asyncio.create_subprocess_exec(
            str(ORGANIZER), "demo", "--port", str(self.port), "--data-dir", str(self.data_dir), *self.extra,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})
        try:
            await asyncio.wait_for(self._read_until_url(), 60)
        except BaseException:
            await self.kill()
            raise
        return self

    async def _read_until_url(self) -> None:
        while True:
            raw = await self.proc.stdout.readline()
            if not raw:
                code = await self.proc.wait()
                raise AssertionError(f"organizer demo exited ({code}) before printing a URL:\n" + "".join(self.lines))
            line = raw.decode(errors="replace")
            self.lines.append(line)
            match = URL_RE.search(line)
            if match:
                self.url = match.group(1)
                return

    async def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        rest, _ = await asyncio.wait_for(self.proc.communicate(), 30)
        self.lines.append(rest.decode(errors="replace"))
        return self.proc.returncode

    async def kill(self) -> None:
        if self.proc and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()

    async def __aexit__(self, *exc: object) -> None:
        await self.kill()


async def page_token(session: aiohttp.ClientSession, url: str) -> dict[str, str]:
    """The per-run API token, as the page gets it (in its HTML), as a request header."""
    async with session.get(url) as resp:
        match = re.search(r'<meta name="demo-token" content="([^"]+)">', await resp.text())
    assert match, "the page carries no API token"
    return {"X-Demo-Token": match.group(1)}


async def names(session: aiohttp.ClientSession, url: str) -> set[str]:
    async with session.get(url + "api/users", headers=await page_token(session, url)) as resp:
        assert resp.status == 200
        return {u["first_name"] for u in (await resp.json())["users"]}


async def test_demo_command_serves_the_page_stops_cleanly_and_keeps_data(tmp_path):
    data_dir = tmp_path / "demo-data"
    async with aiohttp.ClientSession() as http:
        async with DemoProcess(data_dir) as demo:
            assert demo.url == f"http://127.0.0.1:{demo.port}/"
            async with http.get(demo.url) as resp:
                assert resp.status == 200
                page = await resp.text()
            assert 'id="panes"' in page and "/static/app.js" in page
            assert "Алиса" in await names(http, demo.url)
            async with http.post(demo.url + "api/users", json={"first_name": "Борис", "role": "organizer"},
                                 headers=await page_token(http, demo.url)) as resp:
                assert resp.status == 201
            output = "".join(demo.lines)
            assert "DemoConf 2026" in output and "faq: 5 new" in output
            # An open page (its live stream) must not hold the shutdown up.
            stream = await http.get(demo.url + "api/stream", timeout=aiohttp.ClientTimeout(total=None),
                                    headers=await page_token(http, demo.url))
            assert (await stream.content.readline()).startswith(b"retry:")
            assert await demo.stop() == 0, "".join(demo.lines)
            stream.close()
        assert (data_dir / "demo.db").exists()

        async with DemoProcess(data_dir) as demo:
            assert {"Алиса", "Борис"} <= await names(http, demo.url)
            assert "restored" in "".join(demo.lines)
            assert "faq: 5 new" not in "".join(demo.lines)  # imported once, not on every start
            assert await demo.stop() == 0, "".join(demo.lines)

        async with DemoProcess(data_dir, "--reset") as demo:
            people = await names(http, demo.url)
            assert "Борис" not in people and "Алиса" in people
            assert await demo.stop() == 0, "".join(demo.lines)


async def test_busy_port_is_reported_without_a_traceback(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = await asyncio.create_subprocess_exec(
            str(ORGANIZER), "demo", "--port", str(port), "--data-dir", str(tmp_path / "d"),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in err.decode() and "--port" in err.decode()
    assert "Traceback" not in err.decode()
