"""FAQ: the questions participants ask most, by category or found from their own words (typos and
word forms forgiven); organizers edit it in the bot or load it from the program file.

Free text in a private chat with no dialog open goes to the FAQ search first. When nothing helps,
the plugin asks others through its published hook ``faq_unanswered`` (``plugins/faq/hookspecs.py``)
what to offer — the helpdesk offers "ask the organizers" with the typed text.
"""

from __future__ import annotations

from pathlib import Path

from core import AdminItem, MenuItem, PluginConfig, PluginManifest, hookimpl

HERE = Path(__file__).resolve().parent


class FaqConfig(PluginConfig):
    pass


manifest = PluginManifest(
    name="faq",
    version="0.2.0",
    description="Frequently asked questions: categories, search by typed question, editing in the bot",
    config_model=FaqConfig,
    migrations=HERE / "migrations" / "versions",
    locales=HERE / "locales",
)
program_sections = ("faq",)


@hookimpl
def add_hookspecs(pm):
    from plugins.faq import hookspecs

    pm.add_hookspecs(hookspecs)


@hookimpl
def register_routers(app):
    from plugins.faq.handlers import router

    return [router()]


@hookimpl
def menu_items(app, event, member):
    return [MenuItem("faq-menu", "faq:list", order=80)]


@hookimpl
def admin_items(app, event, member):
    return [AdminItem("faq-admin-menu", "faq:a:home", order=60)]


@hookimpl
async def program_import(app, session, event, data, dry_run):
    from plugins.faq import service

    return await service.import_entries(session, event.id, data.get("faq") or [])


@hookimpl
async def program_export(app, session, event):
    from plugins.faq import service

    return {"faq": await service.export_entries(session, event.id)}
