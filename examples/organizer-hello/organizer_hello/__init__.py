"""A complete, minimal third-party plugin: a menu button, an organizer screen, a table, a migration
branch, a CLI command."""

from __future__ import annotations

from pathlib import Path

from core import AdminItem, MenuItem, PluginConfig, PluginManifest, hookimpl

HERE = Path(__file__).resolve().parent


class HelloConfig(PluginConfig):
    greeting_limit: int = 100  # per-event setting: events.<slug>.plugins.hello.greeting_limit


manifest = PluginManifest(
    name="hello",
    version="0.1.0",
    description="Counts greetings",
    config_model=HelloConfig,
    migrations=HERE / "migrations" / "versions",
    locales=HERE / "locales",
)


@hookimpl
def register_routers(app):
    from organizer_hello.handlers import router

    return [router()]


@hookimpl
def menu_items(app, event, member):
    return [MenuItem("hello-menu", "hello:wave", order=90)]


@hookimpl
def admin_items(app, event, member):  # the organizer panel (shown to organizers only)
    return [AdminItem("hello-admin", "hello:admin", order=90)]


@hookimpl
def register_cli(cli):
    from organizer_hello.cli import hello_cli

    cli.add_typer(hello_cli, name="hello")
