"""Schedule: the event program (sessions, speakers), the participant's views and bookmarks,
reminders, drafts published as one digest per affected participant, speaker links, .ics export.

Publishes ``schedule_session_actions`` (``hookspecs.py``); other plugins read the program through
``public.py``. Implements workshops' ``workshops_change_notice``: a booked workshop's change joins
the digest of the next release (``held.py``).
"""

from __future__ import annotations

from pathlib import Path

from core import AdminItem, JobSpec, MenuItem, PluginManifest, ProfileSection, ProgramSection, ScheduleItem, hookimpl
from plugins.schedule.config import ScheduleConfig

HERE = Path(__file__).resolve().parent

manifest = PluginManifest(
    name="schedule",
    version="0.1.0",
    description="Event program: sessions, speakers, personal schedule, reminders, published changes",
    config_model=ScheduleConfig,
    migrations=HERE / "migrations" / "versions",
    locales=HERE / "locales",
)


@hookimpl
def add_hookspecs(pm):
    from plugins.schedule import hookspecs

    pm.add_hookspecs(hookspecs)


@hookimpl
def register_routers(app):
    from plugins.schedule import admin_handlers, handlers

    return [handlers.router(), admin_handlers.router()]


@hookimpl
def menu_items(app, event, member):
    return [MenuItem("schedule-menu", "sch:home", order=15)]


@hookimpl
def admin_items(app, event, member):
    return [AdminItem("schedule-admin-menu", "scha:home", order=20)]


@hookimpl
async def profile_sections(app, session, event, member, tr):
    from plugins.schedule import service, settings

    leads = settings.config(app, event).reminder_minutes
    pref = await service.get_pref(session, event.id, member.user_id)
    if pref is not None and not pref.enabled:
        line = tr("schedule-rem-off")
    elif pref is not None and pref.minutes in leads:
        line = tr("schedule-rem-one", minutes=pref.minutes)
    else:
        line = tr("schedule-rem-all", minutes=", ".join(map(str, leads)) or "—")
    return [ProfileSection("schedule-profile-title", (line,), order=25,
                           buttons=((tr("schedule-btn-reminders"), "sch:rem"),))]


@hookimpl
async def schedule_items(app, session, event, member):
    from plugins.schedule import service

    marked = await service.bookmarked_ids(session, event.id, member.user_id)
    own = {s.id for s in await service.own_sessions(session, event.id, member.user_id)}
    return [ScheduleItem(starts_at=s.starts_at, ends_at=s.ends_at, title=("🎤 " if s.id in own else "") + s.title,
                         place=s.room, kind="session")
            for s in await service.visible(session, event.id) if s.id in marked | own]


@hookimpl
async def reminder_preferences(app, session, event, user_ids):
    from plugins.schedule import queries

    return await queries.prefs_of(session, event.id, list(user_ids))


@hookimpl
async def deep_link(app, session, event, member, payload, tr):
    from plugins.schedule import clock, render, service

    if not payload.startswith(service.LINK_PREFIX):
        return None
    result = await service.claim_speaker(session, event, member, payload, now=clock.now())
    if result.status == "claimed":
        return [tr("schedule-speaker-claimed", name=render.q(result.speaker.name))]
    if result.status == "used":
        return [tr("schedule-speaker-link-used")]
    return [tr("schedule-speaker-link-unknown")]


@hookimpl(optionalhook=True)  # core's forget_member (issue #12) may not be on this branch yet
async def forget_member(app, session, event, member):
    from plugins.schedule import service

    await service.forget_member(session, event, member.user_id)


@hookimpl(optionalhook=True)  # the news plugin's hooks: it may not be installed
async def news_audiences(app, session, event, tr):
    from plugins.schedule import audiences

    return await audiences.offered(session, event, tr)


@hookimpl(optionalhook=True)
async def news_recipients(app, session, event, key):
    from plugins.schedule import audiences

    return await audiences.people(session, event, key)


@hookimpl(optionalhook=True)  # the workshops plugin's hook: it may not be installed
async def workshops_change_notice(app, session, event, change, now):
    """A booked workshop's change waits for the next "Publish changes" and joins its digest."""
    from plugins.schedule import held

    return await held.take_over(app, session, event, change, now)


@hookimpl
def register_jobs(app):
    from plugins.schedule import jobs

    return [JobSpec("reminder", jobs.send_reminder),  # late is fine until the start; it checks that itself
            JobSpec("sync_reminders", jobs.sync_reminders, interval=600.0),
            JobSpec("held", jobs.send_held)]  # held changes no release took in time


@hookimpl
async def program_import(app, session, event, data, dry_run):
    from plugins.schedule import clock, service

    if "schedule" not in data:
        return None
    report = await service.import_program(app, session, event, data["schedule"], now=clock.now())
    return ProgramSection(**report)


@hookimpl
async def program_export(app, session, event):
    from plugins.schedule import service

    return await service.export_program(session, event)
