"""Helpdesk, the organizers' private chat and their control panel.

Participants ask the organizers (menu, free text, an FAQ miss); questions reach the event's bound
organizers' group (a forum topic per ticket where the group has topics) or, with none bound, each
organizer's private chat — gathered into one message per turn when a backlog builds, so a group's
limit is never exceeded. Organizers answer by replying; the answer goes through the outbox.
The control panel adds a dashboard, run-time plugin switches, roles and a members export.
"""

from __future__ import annotations

from pathlib import Path

from core import AdminItem, JobSpec, MenuItem, PluginConfig, PluginManifest, hookimpl

HERE = Path(__file__).resolve().parent


class AdminChatConfig(PluginConfig):
    pass


manifest = PluginManifest(
    name="admin_chat",
    version="0.1.0",
    description="Helpdesk, organizers' chat and control panel",
    config_model=AdminChatConfig,
    migrations=HERE / "migrations" / "versions",
    locales=HERE / "locales",
)


@hookimpl
def add_hookspecs(pm):
    from plugins.admin_chat import hookspecs

    pm.add_hookspecs(hookspecs)


@hookimpl
def register_routers(app):
    from plugins.admin_chat import handlers, panel_handlers

    return [panel_handlers.router(), handlers.router()]


@hookimpl
def register_jobs(app):
    from plugins.admin_chat import jobs

    return [JobSpec("relay_tick", jobs.relay_tick, interval=2.0, misfire="run")]


@hookimpl
def menu_items(app, event, member):
    return [MenuItem("admin_chat-menu", "admin_chat:ask", order=85)]


@hookimpl
def admin_items(app, event, member):
    return [AdminItem("admin_chat-admin-tickets", "admin_chat:tickets", order=5),
            AdminItem("admin_chat-admin-room", "admin_chat:room", order=6),
            AdminItem("admin_chat-admin-dashboard", "admin_chat:dash", order=1),
            AdminItem("admin_chat-admin-plugins", "admin_chat:plugins", order=90),
            AdminItem("admin_chat-admin-roles", "admin_chat:roles", order=91),
            AdminItem("admin_chat-admin-export", "admin_chat:export", order=92)]


@hookimpl
async def on_startup(app):
    from core.delivery.outcomes import outcome_handlers
    from plugins.admin_chat import panel, relay

    async def relay_outcome(session, row, outcome):
        await relay.on_relay_result(app, session, row, outcome)

    app.services["admin_chat.relay_outcome"] = relay_outcome
    outcome_handlers.register(relay.RELAY_KIND, relay_outcome)
    async with app.transaction() as session:
        await panel.load_switches(app, session)


@hookimpl
def on_shutdown(app):
    from core.delivery.outcomes import outcome_handlers
    from plugins.admin_chat import relay

    handler = app.services.pop("admin_chat.relay_outcome", None)
    if handler is not None:
        outcome_handlers.unregister(relay.RELAY_KIND, handler)


@hookimpl
async def forget_member(app, session, event, member):
    """The member's tickets are anonymised, their drafts dropped (inside the erasing transaction)."""
    from plugins.admin_chat import service

    await service.forget(session, event, member.user_id)


@hookimpl(optionalhook=True)
async def faq_unanswered(app, session, event, member, question, tr):
    """The FAQ found nothing: keep the typed question as a draft, one tap makes it a ticket."""
    from plugins.admin_chat import service

    if member is None or not (question or "").strip():
        return []
    draft = await service.save_draft(session, event, member.user_id, question)
    return [(tr("admin_chat-btn-ask-this"), f"admin_chat:draft:{draft.id}")]
