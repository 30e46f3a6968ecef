"""Polls: organizers ask, participants vote in the bot (one vote each, changeable if allowed),
results live for organizers, closing by hand or at a set time, anonymous polls that name nobody.

Sent through the outbox to everyone or to a group other plugins offer (a workshop's attendees,
through the news plugin's published audience hooks), or pinned under "Polls" in the main menu.
"""

from __future__ import annotations

from pathlib import Path

from core import AdminItem, JobSpec, MenuItem, PluginConfig, PluginManifest, hookimpl

HERE = Path(__file__).resolve().parent


class PollsConfig(PluginConfig):
    pass


manifest = PluginManifest(
    name="polls",
    version="0.1.0",
    description="Polls and votes: one vote per person, live results, anonymous or named, CSV",
    config_model=PollsConfig,
    migrations=HERE / "migrations" / "versions",
    locales=HERE / "locales",
)


@hookimpl
def register_routers(app):
    from plugins.polls.handlers import router

    return [router()]


@hookimpl
def menu_items(app, event, member):
    return [MenuItem("polls-menu", "polls:list", order=60)]


@hookimpl
def admin_items(app, event, member):
    return [AdminItem("polls-admin-menu", "polls:a:home", order=40)]


@hookimpl
def register_jobs(app):
    from plugins.polls import live, service

    return [JobSpec("close", service.close_due),  # late is fine: a poll past its time refuses votes anyway
            # Under load a tick may start late: it still runs (each view keeps its one edit a second).
            JobSpec("refresh_views", live.refresh_views, interval=1.0, misfire="run")]


@hookimpl(optionalhook=True)  # core's hook (#12); the core may not publish it yet
async def forget_member(app, session, event, member):
    from plugins.polls import service

    await service.forget_member(session, event, member.user_id)
