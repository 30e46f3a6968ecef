"""Questions to speakers: participants ask (optionally anonymously) about a session or the event,
upvote each other's questions (one vote each, withdrawable); organizers pre-moderate if the event
wants it; speakers and moderators see them sorted by votes, mark answered (the asker is told) or
hide. Works without the schedule; with it, a session card gets "ask the speaker", and after a talk
its bookmarkers are asked to rate it 1..5 (``ratings.py``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from core import AdminItem, JobSpec, MenuItem, PluginConfig, PluginManifest, hookimpl
from core.models import Role

HERE = Path(__file__).resolve().parent


class QuestionsConfig(PluginConfig):
    moderation: bool = False  # True: organizers publish each question first
    allow_anonymous: bool = True
    ratings: bool = Field(default=True, description="after a talk, ask its bookmarkers to rate it 1..5 (needs schedule)")
    rating_delay_minutes: int = Field(default=5, ge=0, le=24 * 60, description="ask this many minutes after the end")
    rating_open_hours: int = Field(default=24, ge=1, le=14 * 24,
                                   description="a rating can be given or changed this long after it was asked")


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
    from plugins.questions import rating_handlers
    from plugins.questions.handlers import router

    return [router(), rating_handlers.router()]


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
    from core import people
    from plugins.questions import ratings

    actions = [(tr("questions-btn-ask-speaker"), f"questions:ask:{int(session_id)}"),
               (tr("questions-btn-session-questions"), f"questions:l:{int(session_id)}")]
    # Organizers and speakers (whether this one is theirs is checked on the tap: no database here).
    if member is not None and ratings.enabled(app, event) and (
            people.is_admin(member, app.settings, event) or member.role == Role.SPEAKER.value):
        actions.append((tr("questions-btn-session-ratings"), f"questions:rt:{int(session_id)}"))
    return actions


@hookimpl
def register_jobs(app):
    from plugins.questions import ratings

    # A prompt late by up to ratings.LATE_MAX is still worth sending; the job checks that itself.
    return [JobSpec("rate", ratings.prompt_job),
            JobSpec("rating_sync", ratings.sync_job, interval=300.0)]


@hookimpl(optionalhook=True)  # core's hook (#12); the core may not publish it yet
async def forget_member(app, session, event, member):
    from plugins.questions import service

    from plugins.questions import ratings

    await service.forget_member(session, event, member.user_id)
    await ratings.forget_member(session, event, member.user_id)
