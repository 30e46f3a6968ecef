"""Questions to speakers: participants ask (optionally anonymously) about a session or the event,
upvote each other's questions (one vote each, withdrawable); organizers pre-moderate if the event
wants it; speakers and moderators see them sorted by votes, mark answered (the asker is told) or
hide. Works without the schedule; with it, a session card gets "ask the speaker"."""

from __future__ import annotations

from pathlib import Path

from core import AdminItem, MenuItem, PluginConfig, PluginManifest, hookimpl
from core.models import Role

HERE = Path(__file__).resolve().parent


class QuestionsConfig(PluginConfig):
    moderation: bool = False  # True: organizers publish each question first
    allow_anonymous: bool = True


manifest = PluginManifest(
    name="questions",
    version="0.1.0",
    description="Questions to speakers: upvotes, pre-moderation, answered and hidden",
    config_model=QuestionsConfig,
    migrations=HERE / "migrations" / "versions",
    locales=HERE / "locales",
)


@hookimpl
def register_routers(app):
    from plugins.questions.handlers import router

    return [router()]


@hookimpl
def menu_items(app, event, member):
    items = [MenuItem("questions-menu", "questions:l:0", order=50)]
    if member is not None and member.role == Role.SPEAKER.value:
        items.append(MenuItem("questions-speaker-menu", "questions:m:0", order=51))
    return items


@hookimpl
def admin_items(app, event, member):
    return [AdminItem("questions-admin-menu", "questions:m:0", order=45)]


@hookimpl(optionalhook=True)  # the schedule plugin's hook: it may not be installed
def schedule_session_actions(app, event, member, session_id, tr):
    return [(tr("questions-btn-ask-speaker"), f"questions:ask:{int(session_id)}"),
            (tr("questions-btn-session-questions"), f"questions:l:{int(session_id)}")]


@hookimpl(optionalhook=True)  # core's hook (#12); the core may not publish it yet
async def forget_member(app, session, event, member):
    from plugins.questions import service

    await service.forget_member(session, event, member.user_id)
