"""Every hook the core calls, typed and documented. Plugins implement them with ``@hookimpl``.

Conventions (as in pytest and datasette):
- hooks are called with keyword arguments; an implementation may accept a subset of them;
- ``register_*`` and ``*_items`` hooks return a list (or ``None``); the core flattens the lists;
- pluggy is synchronous: an ``async def`` implementation returns a coroutine which the core awaits
  in call order; therefore no async hook is ``firstresult``;
- per-event hooks are only called on plugins enabled for that event;
- a plugin is a module (or object) with a ``manifest`` attribute (``PluginManifest``) and hookimpls.
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("organizer")
hookimpl = pluggy.HookimplMarker("organizer")


@hookspec(historic=True)
def add_hookspecs(pm):
    """Publish a plugin's own hookspecs for others: ``pm.add_hookspecs(MySpecs)``. Replayed to late plugins."""


@hookspec
def register_routers(app):
    """Return a list of *fresh* aiogram ``Router`` objects (a router can attach to one parent only).

    The core puts them under a wrapper router whose root filter skips the whole subtree when the
    plugin is off for the update's event.
    """


@hookspec
def register_jobs(app):
    """Return a list of ``JobSpec``: periodic ticks and due-time job handlers."""


@hookspec
def register_cli(cli):
    """Add commands to the ``organizer`` CLI: ``cli.add_typer(my_app, name="myplugin")``."""


@hookspec
def register_bot_commands(app):
    """Return a list of ``BotCommand`` shown in Telegram's command menu."""


@hookspec
def menu_items(app, event, member):
    """Return ``MenuItem`` entries for the main menu of ``member`` in ``event``."""


@hookspec
def admin_items(app, event, member):
    """Return ``AdminItem`` entries for the admin menu (only called for admins)."""


@hookspec
def profile_sections(app, session, event, member, tr):
    """Return ``ProfileSection`` blocks for the personal cabinet (may be async)."""


@hookspec
def schedule_items(app, session, event, member):
    """Return ``ScheduleItem`` entries for the user's personal schedule (may be async)."""


@hookspec
def program_import(app, session, event, data, dry_run):
    """Read this plugin's section of a program file (``data`` is the whole YAML mapping).

    Idempotent by stable keys. Return a ``ProgramSection`` describing what changed (or would).
    """


@hookspec
def program_export(app, session, event):
    """Return ``{section_name: data}`` for the program file (may be async)."""


@hookspec
def on_startup(app):
    """Called once after the database is ready and before polling starts (may be async)."""


@hookspec
def on_shutdown(app):
    """Called once after polling stopped (may be async)."""


@hookspec
def forget_member(app, session, event, member):
    """Erase what the plugin keeps about ``member`` in ``event`` (may be async).

    Called inside the one transaction that erases a participant's data (the cabinet's "delete my
    data", ``/delete``, ``organizer members forget EVENT USER``), before the core clears the
    profile and consent and anonymises the user row. Release, drop or anonymise: a booking is
    released so that the next in line gets the seat, a queue place dropped, a named vote made
    anonymous. Whatever the implementation writes commits or rolls back with the rest."""


@hookspec
def reminder_preferences(app, session, event, user_ids):
    """Return ``{user_id: (enabled, minutes)}`` for those of ``user_ids`` who chose a reminder
    setting (``minutes`` None = every lead time), or None. Any plugin sending reminders asks before
    sending: off means none; a chosen lead time means only the reminder nearest to it. The
    schedule plugin keeps this setting in the cabinet. May be async."""


@hookspec
def deep_link(app, session, event, member, payload, tr):
    """A ``/start <event>--<payload>`` link was opened: the member has just joined (or re-entered)
    ``event``. Return a list of texts (HTML) to answer with if ``payload`` is yours (e.g. the
    schedule plugin's one-time speaker links), else None. May be async."""
