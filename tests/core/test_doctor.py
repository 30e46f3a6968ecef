"""`organizer doctor` checks config, database, Bot API server and zbar, and says what failed."""

import asyncio
import os
import sys


async def run_doctor(config_path) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORGANIZER_")}
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "core.cli", "doctor", "-c", str(config_path),
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
                                                env=env)
    out, _ = await asyncio.wait_for(proc.communicate(), 120)
    return proc.returncode, out.decode()


async def test_doctor_all_green_against_the_emulator(emulator, tmp_path):
    emulator.add_bot("7:DOC", username="doc_bot")
    config = tmp_path / "o.toml"
    config.write_text(f'[bot]\ntoken = "7:DOC"\napi_server = "{emulator.base_url}"\n'
                      f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "o.db"}"\n')
    code, out = await run_doctor(config)
    assert code == 0, out
    assert "[ok] bot api:" in out and "@doc_bot" in out
    assert "[ok] zbar:" in out
    assert "schema behind" in out or "behind" in out  # a new database: told to run db upgrade


async def test_doctor_names_what_is_broken(tmp_path):
    config = tmp_path / "o.toml"
    config.write_text('[bot]\ntoken = "7:DOC"\napi_server = "http://127.0.0.1:9"\n'
                      '[database]\nurl = "postgresql+asyncpg://nobody@127.0.0.1:9/nothing"\n')
    code, out = await run_doctor(config)
    assert code == 1
    assert "[FAIL] database: cannot connect" in out
    assert "[FAIL] bot api:" in out
