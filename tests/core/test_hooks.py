"""One test per core hook (``test_hook_<name>``), each through a plugin implementing it
(tests/core/probe); tests/core/test_hookspecs.py fails when a hook has none."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))
import probe  # noqa: E402

from core import hookimpl  # noqa: E402
from core.plugins import PluginRegistry  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_calls():
    probe.calls.clear()


async def _started(sandbox):
    return await sandbox.start(plugins=[], extra_plugins=[probe])


async def _in_menu(sandbox, name="Alice"):
    person = sandbox.user(name)
    await person.send("/start demo")
    await person.expect(text="DemoConf")
    return person


def test_hook_add_hookspecs():
    class Listener:
        manifest = probe.manifest.__class__(name="listener", version="0.0.1", depends_on=("probe",))

        @staticmethod
        @hookimpl
        def probe_ping(text):
            return f"pong {text}"

    registry = PluginRegistry.load([], entry_points_enabled=False, extra=[probe, Listener])
    assert registry.pm.hook.probe_ping(text="x") == ["pong x"]  # the published spec exists, unknown hooks would fail


async def test_hook_register_routers(sandbox):
    await _started(sandbox)
    alice = await _in_menu(sandbox)
    await alice.click("Проба")
    await alice.expect(text="Проба ответила: probe-config")  # handler got app, event_ctx and plugin_config


async def test_hook_menu_items(sandbox):
    await _started(sandbox)
    alice = await _in_menu(sandbox)
    assert any("Проба" in b for b in alice.buttons())


async def test_hook_admin_items(sandbox):
    await _started(sandbox)
    olga = await sandbox.admin("Olga")
    await olga.send("/start demo")
    await olga.click("Панель организатора")
    assert "Проба (организатор)" in olga.buttons()
    alice = await _in_menu(sandbox)
    assert not any("Панель организатора" in b for b in alice.buttons())


async def test_hook_register_jobs(sandbox):
    from core.db import utcnow
    from core.jobs.store import schedule

    app = await _started(sandbox)
    assert "probe:work" in app.jobs
    async with app.transaction() as session:
        await schedule(session, key="probe:once", job="probe:work", due_at=utcnow(), payload={"n": 7})
    await sandbox.run_jobs()
    assert probe.calls == ["job:7"]


def test_hook_register_cli():
    registry = PluginRegistry.load([], entry_points_enabled=False, extra=[probe])
    cli = typer.Typer()
    registry.pm.hook.register_cli(cli=cli)
    result = CliRunner().invoke(cli, ["probe", "hi", "Olga"])
    assert result.exit_code == 0 and result.output.strip() == "hi Olga"


async def test_hook_register_bot_commands(sandbox):
    app = await _started(sandbox)
    await app.set_commands()
    commands = await app.bot.get_my_commands()
    assert ("probe", "Команда пробы") in [(c.command, c.description) for c in commands]


async def test_hook_profile_sections(sandbox):
    await _started(sandbox)
    alice = await _in_menu(sandbox)
    await alice.click("Личный кабинет")
    await alice.expect(text="Проба в кабинете")


async def test_hook_schedule_items(sandbox):
    await _started(sandbox)
    alice = await _in_menu(sandbox)
    await alice.click("Моё расписание")
    await alice.expect(text="Probe session")


async def test_hook_program_import(sandbox):
    from core.program import import_program

    app = await _started(sandbox)
    dry = await import_program(app, "demo", {"probe": ["a", "b"]}, dry_run=True)
    assert dry.sections["probe"].created == ["a", "b"] and probe.calls == ["import:True:a,b"]


async def test_hook_program_export(sandbox):
    from core.program import export_program

    app = await _started(sandbox)
    assert (await export_program(app, "demo"))["probe"] == ["exported"]


async def test_hook_on_startup(sandbox):
    app = await _started(sandbox)
    assert app.services["probe"] == "started"


async def test_hook_on_shutdown(sandbox):
    app = await _started(sandbox)
    await sandbox.stop()
    sandbox.app = None  # stopped once: the fixture's stop has nothing left to do
    assert probe.calls == ["shutdown"]
    assert app.dispatcher is not None


async def test_hook_forget_member(sandbox):
    await _started(sandbox)
    alice = await _in_menu(sandbox)
    result = await sandbox.cli("members", "forget", "demo", str(alice.id))
    assert result.exit_code == 0, result.output
    assert probe.calls == [f"forget:{alice.id}"]  # in the one transaction that erased her data


async def test_hook_deep_link(sandbox):
    await _started(sandbox)
    alice = sandbox.user("Alice")
    await alice.send("/start demo--ProbeKey7")
    await alice.expect(text="Проба по ссылке: ProbeKey7")  # the payload keeps its case
    await alice.expect(text="DemoConf")  # and she is in the event as with a plain link


async def test_hook_reminder_preferences(sandbox):
    """Workshops asks before reminding: a booked member whose setting (here the probe's) is "off"
    gets no reminder, and the hook was asked about exactly the people booked."""
    import datetime as dt

    from sqlalchemy import func, select

    from core.db import utcnow
    from core.delivery.models import OutboxMessage
    from core.jobs import reschedule
    from core.people import event_by_slug
    from core.people import SYSTEM
    from plugins.workshops import booking, catalogue, reminders
    from plugins.workshops.organizer_input import WorkshopData

    app = await sandbox.start(plugins=["workshops"], extra_plugins=[probe])
    alice = await _in_menu(sandbox)
    starts = (utcnow() + dt.timedelta(days=3)).replace(second=0, microsecond=0)
    data = WorkshopData(title="Soldering", starts_at=starts, ends_at=starts + dt.timedelta(hours=1),
                                capacity=5, speaker="Ivan", place="Room 1", description=None)
    async with app.transaction() as session:
        event = await event_by_slug(session, "demo")
        workshop = await catalogue.create_workshop(app, session, event, SYSTEM, data)
        await booking.book(app, session, event, alice.id, workshop.id)
    # The start-up ticks first: the periodic sync of reminders, run after the move, would re-time
    # the job back to 15 minutes before the start.
    await sandbox.run_jobs()
    async with app.transaction() as session:
        assert await reschedule(session, reminders.job_key(workshop.id, 15), utcnow())
    # The app's own runner may be claiming the job at this very moment (PostgreSQL: our claim skips
    # the row it holds): wait for the hook to be asked, not for a moment (1 failure in 3 suite runs).
    async with asyncio.timeout(20):
        while not probe.calls:
            await sandbox.run_jobs()
    await sandbox.run_jobs()  # and for that run to finish
    assert probe.calls == [f"preferences:{alice.id}"]
    async with app.sessions() as session:
        queued = await session.scalar(select(func.count()).select_from(OutboxMessage)
                                      .where(OutboxMessage.dedupe_key.startswith("workshops:reminder:")))
    assert queued == 0
