"""`organizer doctor` checks config, database and schema, Bot API server and zbar, says what failed
and what to run, and changes nothing: no database file, table or migration appears."""

import asyncio
import os
import sys


async def run_cli(*args, cwd=None) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORGANIZER_")}
    env["PYTHONPATH"] = os.getcwd()
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "core.cli", *args, cwd=cwd,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
                                                env=env)
    out, _ = await asyncio.wait_for(proc.communicate(), 120)
    return proc.returncode, out.decode()


async def run_doctor(config_path) -> tuple[int, str]:
    return await run_cli("doctor", "-c", str(config_path))


async def test_doctor_all_green_against_the_emulator_once_the_schema_is_up(emulator, tmp_path):
    emulator.add_bot("7:DOC", username="doc_bot")
    config = tmp_path / "o.toml"
    config.write_text(f'[bot]\ntoken = "7:DOC"\napi_server = "{emulator.base_url}"\n'
                      f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "o.db"}"\n')
    code, out = await run_doctor(config)
    assert code == 1, out
    assert f"[FAIL] database: no database file at {tmp_path / 'o.db'}: run `organizer db upgrade`" in out
    assert not (tmp_path / "o.db").exists()  # doctor created nothing
    assert "[ok] bot api:" in out and "@doc_bot" in out
    assert "[ok] zbar:" in out

    code, out = await run_cli("db", "upgrade", "core@head", "-c", str(config))  # only the core's branch
    assert code == 0, out
    code, out = await run_doctor(config)
    assert code == 1 and "[FAIL] database: sqlite reachable; schema behind the installed code: run " \
                         "`organizer db upgrade`" in out, out

    code, out = await run_cli("db", "upgrade", "-c", str(config))
    assert code == 0, out
    code, out = await run_doctor(config)
    assert code == 0, out
    assert "[ok] database: sqlite reachable; schema up to date" in out


async def test_doctor_names_what_is_broken(tmp_path):
    config = tmp_path / "o.toml"
    config.write_text('[bot]\ntoken = "7:DOC"\napi_server = "http://127.0.0.1:9"\n'
                      '[database]\nurl = "postgresql+asyncpg://nobody@127.0.0.1:9/nothing"\n')
    code, out = await run_doctor(config)
    assert code == 1
    assert "[FAIL] database: cannot connect" in out
    assert "[FAIL] bot api:" in out


async def test_doctor_without_a_config_checks_what_it_can_and_says_what_is_missing(tmp_path):
    code, out = await run_cli("doctor", cwd=tmp_path)
    assert code == 1, out
    assert "[ok] config:" in out and "no events yet" in out
    assert "[FAIL] database: no database file at organizer.db: run `organizer db upgrade`" in out
    assert "[FAIL] bot api: no bot token: set bot.token" in out
    assert "[ok] zbar:" in out
    assert list(tmp_path.iterdir()) == []  # nothing written where it ran

    (tmp_path / "bad.toml").write_text('[events."bad slug"]\ntitle = "x"\n')
    code, out = await run_cli("doctor", "-c", "bad.toml", cwd=tmp_path)
    assert code == 1 and "[FAIL] config: events.bad slug: event slug 'bad slug'" in out, out
    assert "[ok] zbar:" in out  # still checked
