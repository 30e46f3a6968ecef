"""FAQ: the questions participants ask most, answered in two taps. Filled from the program file."""

from __future__ import annotations

from pathlib import Path

from core import MenuItem, PluginConfig, PluginManifest, hookimpl

HERE = Path(__file__).resolve().parent


class FaqConfig(PluginConfig):
    pass


manifest = PluginManifest(
    name="faq",
    version="0.1.0",
    description="Frequently asked questions",
    config_model=FaqConfig,
    migrations=HERE / "migrations" / "versions",
    locales=HERE / "locales",
)
program_sections = ("faq",)


@hookimpl
def register_routers(app):
    from plugins.faq.handlers import router

    return [router()]


@hookimpl
def menu_items(app, event, member):
    return [MenuItem("faq-menu", "faq:list", order=80)]


@hookimpl
async def program_import(app, session, event, data, dry_run):
    from plugins.faq import service

    return await service.import_entries(session, event.id, data.get("faq") or [])


@hookimpl
async def program_export(app, session, event):
    from plugins.faq import service

    return {"faq": await service.export_entries(session, event.id)}
