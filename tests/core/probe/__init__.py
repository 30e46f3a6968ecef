"""A test plugin implementing every core hook once (tests/core/test_hooks.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer
from aiogram import F, Router
from aiogram.types import CallbackQuery

from core import (AdminItem, BotCommand, JobSpec, MenuItem, PluginConfig, PluginManifest, ProfileSection,
                  ProgramSection, ScheduleItem, hookimpl)

calls: list[str] = []


class ProbeConfig(PluginConfig):
    label: str = "probe-config"


manifest = PluginManifest(name="probe", version="0.0.1", config_model=ProbeConfig,
                          locales=Path(__file__).parent / "locales")


class ProbeSpecs:
    """A hook the probe publishes for other plugins (through ``add_hookspecs``)."""

    from core import hookspec

    @hookspec
    def probe_ping(self, text):
        """Answer ``text``."""


@hookimpl
def add_hookspecs(pm):
    pm.add_hookspecs(ProbeSpecs)


async def on_tap(query: CallbackQuery, app, event_ctx, plugin_config: ProbeConfig) -> None:
    await query.message.answer(event_ctx.tr("probe-answer", plugin=plugin_config.label))


@hookimpl
def register_routers(app):
    r = Router(name="probe")
    r.callback_query.register(on_tap, F.data == "probe:tap")
    return [r]


async def work(ctx, session, payload):
    calls.append(f"job:{payload['n']}")


@hookimpl
def register_jobs(app):
    return [JobSpec("work", work)]


probe_cli = typer.Typer()


@probe_cli.command()
def hi(name: str):
    typer.echo(f"hi {name}")


@hookimpl
def register_cli(cli):
    cli.add_typer(probe_cli, name="probe")


@hookimpl
def register_bot_commands(app):
    return [BotCommand("probe", "probe-cmd")]


@hookimpl
def menu_items(app, event, member):
    return [MenuItem("probe-menu", "probe:tap", order=95)]


@hookimpl
def admin_items(app, event, member):
    return [AdminItem("probe-admin", "probe:tap", order=95)]


@hookimpl
async def profile_sections(app, session, event, member, tr):
    return [ProfileSection("probe-profile-title", (f"member #{member.id}",))]


@hookimpl
async def schedule_items(app, session, event, member):
    start = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    return [ScheduleItem(start, start + dt.timedelta(hours=1), "Probe session", "Hall P")]


@hookimpl
async def program_import(app, session, event, data, dry_run):
    if "probe" not in data:
        return None
    items = [str(i) for i in data["probe"]]
    calls.append(f"import:{dry_run}:{','.join(items)}")
    return ProgramSection(created=items)


@hookimpl
async def program_export(app, session, event):
    return {"probe": ["exported"]}


@hookimpl
async def on_startup(app):
    app.services["probe"] = "started"


@hookimpl
async def on_shutdown(app):
    calls.append("shutdown")


@hookimpl
async def forget_member(app, session, event, member):
    calls.append(f"forget:{member.user_id}")


@hookimpl
async def reminder_preferences(app, session, event, user_ids):
    calls.append(f"preferences:{','.join(map(str, sorted(user_ids)))}")
    return {uid: (False, None) for uid in user_ids}  # everyone asked has switched reminders off


@hookimpl
async def deep_link(app, session, event, member, payload, tr):
    if not payload.startswith("Probe"):
        return None
    return [f"Проба по ссылке: {payload}"]
