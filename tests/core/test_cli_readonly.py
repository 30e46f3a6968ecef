"""The CLI as a deploy pipeline and a newcomer use it: read-only commands change nothing, the
schema commands need no bot token, `config check` lists every error at once, links are real."""

import os
import subprocess
import sys
from pathlib import Path

import pytest


def run_cli(*args, cwd: Path, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORGANIZER_")}
    env["PYTHONPATH"] = os.getcwd()
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "core.cli", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=120)


EVENTS = '[events.spring]\ntitle = "Spring Meetup"\n[events.autumn]\ntitle = "Autumn Hack"\n'


def test_read_only_commands_never_create_a_database_and_links_use_the_configured_username(tmp_path):
    (tmp_path / "o.toml").write_text('[bot]\nusername = "@spring_meetup_bot"\n' + EVENTS)
    for args in (["events", "list"], ["plugins", "list"], ["doctor"]):
        done = run_cli(*args, "-c", "o.toml", cwd=tmp_path)
        assert "Traceback" not in done.stderr, (args, done.stderr)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["o.toml"], args  # no organizer.db appeared
    listed = run_cli("events", "list", "-c", "o.toml", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "https://t.me/spring_meetup_bot?start=spring" in listed.stdout
    assert "https://t.me/spring_meetup_bot?start=autumn" in listed.stdout
    assert "? member(s)" in listed.stdout and "run `organizer db upgrade`" in listed.stderr


def test_schema_commands_and_plugins_list_work_without_a_bot_token(tmp_path):
    (tmp_path / "o.toml").write_text(EVENTS)
    plugins = run_cli("plugins", "list", "-c", "o.toml", cwd=tmp_path)
    assert plugins.returncode == 0 and "workshops" in plugins.stdout, plugins.stderr
    current = run_cli("db", "current", "-c", "o.toml", cwd=tmp_path)
    assert current.returncode == 1 and "No database yet" in current.stdout, current.stdout
    upgraded = run_cli("db", "upgrade", "-c", "o.toml", cwd=tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr
    current = run_cli("db", "current", "-c", "o.toml", cwd=tmp_path)
    assert current.returncode == 0, current.stdout
    lines = current.stdout.splitlines()
    assert lines[0].startswith("core ") and "up to date" in lines[0]
    assert any(line.startswith("workshops ") and "up to date" in line for line in lines), lines
    assert len(lines) == len({line.split()[0] for line in lines})  # one line per branch
    # The bot itself still needs the token, and says so.
    ran = run_cli("run", "-c", "o.toml", cwd=tmp_path)
    assert ran.returncode == 2 and "bot.token: required but missing" in ran.stderr


def test_a_branch_behind_is_named_with_the_command_to_run(tmp_path):
    (tmp_path / "o.toml").write_text(EVENTS)
    assert run_cli("db", "upgrade", "core@head", "-c", "o.toml", cwd=tmp_path).returncode == 0
    current = run_cli("db", "current", "-c", "o.toml", cwd=tmp_path)
    assert current.returncode == 1
    assert any(line.startswith("workshops ") and "not created" in line for line in current.stdout.splitlines())
    assert "Run `organizer db upgrade`" in current.stdout


def test_config_check_reports_a_bad_slug_with_every_other_error_and_refuses_the_placeholder_token(tmp_path):
    (tmp_path / "o.toml").write_text('[bot]\ntoken = "123456:REPLACE-WITH-YOUR-TOKEN"\n'
                                     '[events."spring 2026"]\ntitle = "Spring"\n'
                                     '[events.autumn]\ntitle = "Autumn"\ntimezone = "Mars/Olympus"\n')
    done = run_cli("config", "check", "-c", "o.toml", cwd=tmp_path)
    assert done.returncode == 2
    assert "3 error(s)" in done.stderr, done.stderr
    assert "events.spring 2026: event slug 'spring 2026'" in done.stderr
    assert "events.autumn.timezone: expected an IANA timezone" in done.stderr
    assert "bot.token: this is the example's placeholder" in done.stderr


@pytest.mark.parametrize("command", [["run"], ["demo"], ["program", "import"]])
def test_flags_show_as_flags_in_help(tmp_path, command):
    done = run_cli(*command, "--help", cwd=tmp_path)
    assert done.returncode == 0
    assert "<bool>" not in done.stdout, done.stdout
    assert "--help " in done.stdout


async def test_events_list_asks_telegram_for_the_bot_username(emulator, tmp_path):
    import asyncio

    emulator.add_bot("7:EVT", username="autumn_hack_bot")
    (tmp_path / "o.toml").write_text(f'[bot]\ntoken = "7:EVT"\napi_server = "{emulator.base_url}"\n' + EVENTS)
    done = await asyncio.to_thread(run_cli, "events", "list", "-c", "o.toml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "https://t.me/autumn_hack_bot?start=autumn" in done.stdout
