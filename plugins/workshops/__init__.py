"""Workshops: a list and cards of workshops, one-tap booking that never oversells, organizer tools.

Publishes hooks (``plugins.workshops.hookspecs``) that the waitlist plugin implements.
"""

from __future__ import annotations

from pathlib import Path

from core import AdminItem, JobSpec, MenuItem, PluginManifest, ProfileSection, ProgramSection, ScheduleItem, hookimpl
from plugins.workshops.config import WorkshopsConfig

HERE = Path(__file__).resolve().parent

manifest = PluginManifest(
    name="workshops",
    version="0.1.0",
    description="Workshops with limited seats: list, cards, booking, organizer dialogs, CSV export",
    config_model=WorkshopsConfig,
    migrations=HERE / "migrations" / "versions",
    locales=HERE / "locales",
)


@hookimpl
def add_hookspecs(pm):
    from plugins.workshops import hookspecs

    pm.add_hookspecs(hookspecs)


@hookimpl
def register_routers(app):
    from plugins.workshops import admin_handlers, handlers

    return [handlers.router(), admin_handlers.router()]


@hookimpl
def menu_items(app, event, member):
    return [MenuItem("workshops-menu", "workshops.list:0", order=30)]


@hookimpl
def admin_items(app, event, member):
    return [AdminItem("workshops-admin-menu", "workshops.admin:home:0:0", order=30)]


@hookimpl
async def profile_sections(app, session, event, member, tr):
    from plugins.workshops.formatting import format_when, quote
    from plugins.workshops.queries import user_bookings
    from plugins.workshops.settings import tz_of

    booked = await user_bookings(session, event.id, member.user_id)
    if not booked:
        return [ProfileSection("workshops-profile-title", (tr("workshops-profile-none"),), order=30)]
    tz = tz_of(event)
    lines = tuple(tr("workshops-profile-line", title=quote(w.title), when=format_when(tr, w, tz))
                  for w in booked)
    return [ProfileSection("workshops-profile-title", lines, order=30)]


@hookimpl
async def schedule_items(app, session, event, member):
    from plugins.workshops.queries import list_workshops, user_bookings

    items = [ScheduleItem(starts_at=w.starts_at, ends_at=w.ends_at, title=w.title, place=w.place, kind="workshop")
             for w in await user_bookings(session, event.id, member.user_id)]
    if "schedule" in app.active_plugins(event.slug):
        # A speaker who claimed their schedule entry also sees the workshops they lead (names match).
        from plugins.schedule import public as schedule

        names = {n.casefold() for n in await schedule.speaker_names(session, event.id, member.user_id)}
        booked = {(i.title, i.starts_at) for i in items}
        items += [ScheduleItem(starts_at=w.starts_at, ends_at=w.ends_at, title="🎤 " + w.title, place=w.place,
                               kind="workshop")
                  for w in await list_workshops(session, event.id)
                  if names and (w.speaker or "").casefold() in names and (w.title, w.starts_at) not in booked]
    return items


@hookimpl
def register_jobs(app):
    from plugins.workshops import jobs

    return [JobSpec("refresh_views", jobs.refresh_views, interval=3.0, misfire="drop"),
            JobSpec("reminder", jobs.send_reminder),  # late is fine until the start; it checks that itself
            JobSpec("sync_reminders", jobs.sync_reminders, interval=600.0)]


@hookimpl(optionalhook=True)  # the news plugin's hook: it may not be installed
async def news_audiences(app, session, event, tr):
    from plugins.workshops import audiences

    return await audiences.offered(session, event, tr)


@hookimpl(optionalhook=True)
async def news_recipients(app, session, event, key):
    from plugins.workshops import audiences

    return await audiences.people(session, event, key)


@hookimpl(optionalhook=True)
async def admin_chat_dashboard(app, session, event, tr):
    """The organizers' dashboard (admin_chat): seats taken in each upcoming workshop."""
    import html

    from plugins.workshops.queries import booked_counts, list_workshops

    upcoming = await list_workshops(session, event.id, upcoming_only=True)
    booked = await booked_counts(session, [w.id for w in upcoming])
    return [tr("workshops-dashboard-line", title=html.escape(w.title, quote=False), booked=booked[w.id],
               capacity=w.capacity) for w in upcoming]


@hookimpl
def register_cli(cli):
    from plugins.workshops.cli import workshops_cli

    cli.add_typer(workshops_cli, name="workshops")


@hookimpl
async def program_import(app, session, event, data, dry_run):
    from plugins.workshops import program

    if "workshops" not in data:
        return None
    created, updated, unchanged, errors = await program.import_program(app, session, event, data["workshops"],
                                                                       dry_run=dry_run)
    return ProgramSection(created=created, updated=updated, unchanged=unchanged, errors=errors)


@hookimpl
async def program_export(app, session, event):
    from plugins.workshops import program

    return {"workshops": await program.export_program(session, event)}


@hookimpl
async def forget_member(app, session, event, member):
    from plugins.workshops import booking

    await booking.forget_member(app, session, event, member.user_id)
