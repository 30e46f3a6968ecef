"""News: organizers write to everyone in the event from the bot; delivery goes through the outbox.

A news item is one broadcast (``core.delivery.create_broadcast``): one outbox row per member,
sent within Telegram's limits, with a delivery report to its author when the last row is done.
"""

from __future__ import annotations

from pathlib import Path

from core import AdminItem, MenuItem, PluginConfig, PluginManifest, hookimpl

HERE = Path(__file__).resolve().parent


class NewsConfig(PluginConfig):
    pass


manifest = PluginManifest(
    name="news",
    version="0.1.0",
    description="News and push notifications from organizers to everyone in the event",
    config_model=NewsConfig,
    locales=HERE / "locales",
)


@hookimpl
def add_hookspecs(pm):
    from plugins.news import hookspecs

    pm.add_hookspecs(hookspecs)


@hookimpl
def register_routers(app):
    from plugins.news import feed
    from plugins.news.handlers import router

    return [router(), feed.router()]


@hookimpl
def menu_items(app, event, member):
    return [MenuItem("news-menu", "nwf:0", order=40)]


@hookimpl
def admin_items(app, event, member):
    return [AdminItem("news-admin-menu", "nws:home", order=10)]


@hookimpl
def register_cli(cli):
    from plugins.news.cli import news_cli

    cli.add_typer(news_cli, name="news")
