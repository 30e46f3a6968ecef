"""Every hook the core calls, typed and documented. Plugins implement them with ``@hookimpl``.

Conventions (as in pytest and datasette):

- hooks are called with keyword arguments; an implementation may accept a subset of them;
- ``register_*`` and ``*_items`` hooks return a list (or ``None``); the core flattens the lists;
- pluggy is synchronous: an ``async def`` implementation returns a coroutine which the core awaits
  in call order; therefore no async hook is ``firstresult``. Hooks marked "may be async" accept
  either form; the others are called synchronously and must not be ``async def``;
- per-event hooks are only called on plugins enabled for that event;
- a plugin is a module (or object) with a ``manifest`` attribute (``PluginManifest``) and hookimpls.

Argument types: ``app`` is the running ``core.app.OrganizerApp`` (``App``), ``session`` an
``AsyncSession`` inside the caller's transaction (never commit it: the caller does), ``event`` a
``core.models.Event`` row, ``member`` the ``core.models.Member`` row of the user in that event (or
``None``), ``tr`` the user's ``core.i18n.Translator`` (``tr("key", **args)``).

Each spec's docstring ends with an example; ``tests/core/test_hookspecs.py`` fails when a spec has
no example or type hints, is missing from the README's hook list, or has no ``test_hook_<name>``.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

import pluggy

if TYPE_CHECKING:
    import typer
    from aiogram import Router
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.app import OrganizerApp as App
    from core.contributions import (
        AdminItem,
        BotCommand,
        JobSpec,
        MenuItem,
        ProfileSection,
        ProgramSection,
        ScheduleItem,
    )
    from core.i18n import Translator
    from core.models import Event, Member

hookspec = pluggy.HookspecMarker("organizer")
hookimpl = pluggy.HookimplMarker("organizer")

T = TypeVar("T")
MaybeAwaitable: TypeAlias = T | Awaitable[T]  # what a hook marked "may be async" returns


@hookspec(historic=True)
def add_hookspecs(pm: pluggy.PluginManager) -> None:
    """Publish a plugin's own hookspecs for other plugins to implement. Historic: replayed to
    plugins registered later, so the specs exist before ``check_pending()`` looks for unknown hooks.

    Example::

        @hookimpl
        def add_hookspecs(pm):
            from plugins.workshops import hookspecs
            pm.add_hookspecs(hookspecs)
    """


@hookspec
def register_routers(app: App) -> list[Router] | None:
    """Return a list of *fresh* aiogram ``Router`` objects (a router attaches to one parent only,
    so build them on every call).

    The core puts them under a wrapper router whose root filter skips the whole subtree when the
    plugin is off for the update's event, and passes handlers ``app``, ``session``, ``event_ctx``,
    ``plugin_config``, ``state`` and ``callback_answer`` (callback queries are answered for you).

    Example::

        @hookimpl
        def register_routers(app):
            from organizer_hello.handlers import router
            return [router()]
    """


@hookspec
def register_jobs(app: App) -> list[JobSpec] | None:
    """Return a list of ``JobSpec``: periodic ticks (``interval``) and due-time job handlers
    (scheduled by key with ``core.jobs.schedule``). Job names are namespaced ``<plugin>:<name>``.

    Example::

        @hookimpl
        def register_jobs(app):
            return [JobSpec("tick", tick, interval=60)]   # async def tick(ctx, session, payload)
    """


@hookspec
def register_cli(cli: typer.Typer) -> None:
    """Add commands to the ``organizer`` CLI, under the plugin's own name. Called before argv is
    parsed; build the app inside the command with ``core.cli.load_app(config)``.

    Example::

        @hookimpl
        def register_cli(cli):
            from organizer_hello.cli import hello_cli
            cli.add_typer(hello_cli, name="hello")
    """


@hookspec
def register_bot_commands(app: App) -> list[BotCommand] | None:
    """Return ``BotCommand`` entries for Telegram's command menu (``description_key`` is a locale key).

    Example::

        @hookimpl
        def register_bot_commands(app):
            return [BotCommand("hello", "hello-cmd")]
    """


@hookspec
def menu_items(app: App, event: Event, member: Member | None) -> MaybeAwaitable[list[MenuItem] | None]:
    """Return ``MenuItem`` buttons for the main menu of ``member`` in ``event`` (may be async).
    ``callback_data`` starts with the plugin's name and is handled by its own router.

    Example::

        @hookimpl
        def menu_items(app, event, member):
            return [MenuItem("hello-menu", "hello:wave", order=90)]
    """


@hookspec
def admin_items(app: App, event: Event, member: Member | None) -> MaybeAwaitable[list[AdminItem] | None]:
    """Return ``AdminItem`` buttons for the organizer panel (only called for organizers; the
    handler behind the button must check again with ``core.people.require_organizer``).

    Example::

        @hookimpl
        def admin_items(app, event, member):
            return [AdminItem("hello-admin", "hello:admin", order=90)]
    """


@hookspec
def profile_sections(app: App, session: AsyncSession, event: Event, member: Member | None,
                     tr: Translator) -> MaybeAwaitable[list[ProfileSection] | None]:
    """Return ``ProfileSection`` blocks for the personal cabinet, rendered with ``tr`` (may be async).

    Example::

        @hookimpl
        async def profile_sections(app, session, event, member, tr):
            count = await waves_of(session, member)
            return [ProfileSection("hello-profile-title", (tr("hello-profile-waves", count=count),))]
    """


@hookspec
def schedule_items(app: App, session: AsyncSession, event: Event,
                   member: Member | None) -> MaybeAwaitable[list[ScheduleItem] | None]:
    """Return ``ScheduleItem`` entries for the user's personal schedule (may be async).

    Example::

        @hookimpl
        async def schedule_items(app, session, event, member):
            return [ScheduleItem(w.starts_at, w.ends_at, w.title, w.place, kind="workshop")
                    for w in await booked_workshops(session, member)]
    """


@hookspec
def program_import(app: App, session: AsyncSession, event: Event, data: dict[str, Any],
                   dry_run: bool) -> MaybeAwaitable[ProgramSection | None]:
    """Read this plugin's section of a program file (``data`` is the whole YAML mapping; may be
    async). Idempotent by stable keys. Return a ``ProgramSection`` describing what changed (or
    would, with ``dry_run``); any error in any section rolls the whole import back.

    Example::

        @hookimpl
        async def program_import(app, session, event, data, dry_run):
            if "hello" not in data:
                return None
            return ProgramSection(unchanged=[str(k) for k in data["hello"]])
    """


@hookspec
def program_export(app: App, session: AsyncSession, event: Event) -> MaybeAwaitable[dict[str, Any] | None]:
    """Return ``{section_name: data}`` for the program file (may be async); ``program_import``
    must read it back unchanged.

    Example::

        @hookimpl
        async def program_export(app, session, event):
            return {"hello": ["greeting"]}
    """


@hookspec
def on_startup(app: App) -> MaybeAwaitable[None]:
    """Called once after the database is ready and before polling starts (may be async).

    Example::

        @hookimpl
        async def on_startup(app):
            app.services["hello"] = HelloCounter()
    """


@hookspec
def on_shutdown(app: App) -> MaybeAwaitable[None]:
    """Called once after polling stopped (may be async).

    Example::

        @hookimpl
        async def on_shutdown(app):
            app.services.pop("hello", None)
    """


@hookspec
def forget_member(app: App, session: AsyncSession, event: Event, member: Member) -> MaybeAwaitable[None]:
    """Erase what the plugin keeps about ``member`` in ``event`` (may be async).

    Called inside the one transaction that erases a participant's data (the cabinet's "delete my
    data", ``/delete``, ``organizer members forget EVENT USER``), before the core clears the
    profile and consent and anonymises the user row. Release, drop or anonymise: a booking is
    released so that the next in line gets the seat, a queue place dropped, a named vote made
    anonymous. Whatever the implementation writes commits or rolls back with the rest.

    Example::

        @hookimpl
        async def forget_member(app, session, event, member):
            await session.execute(delete(Greeting).where(Greeting.event_id == event.id,
                                                         Greeting.user_id == member.user_id))
    """


@hookspec
def reminder_preferences(app: App, session: AsyncSession, event: Event,
                         user_ids: list[int]) -> MaybeAwaitable[dict[int, tuple[bool, int | None]] | None]:
    """Return ``{user_id: (enabled, minutes)}`` for those of ``user_ids`` who chose a reminder
    setting (``minutes`` None = every lead time), or None (may be async). Any plugin sending
    reminders asks before sending: off means none; a chosen lead time means only the reminder
    nearest to it. The schedule plugin keeps this setting in the cabinet; workshops asks it.

    Example::

        @hookimpl
        async def reminder_preferences(app, session, event, user_ids):
            muted = await muted_users(session, event.id, user_ids)
            return {uid: (False, None) for uid in muted}
    """


@hookspec
def deep_link(app: App, session: AsyncSession, event: Event, member: Member, payload: str,
              tr: Translator) -> MaybeAwaitable[list[str] | None]:
    """A ``/start <event>--<payload>`` link was opened: the member has just joined (or re-entered)
    ``event`` (may be async). Return a list of texts (HTML) to answer with if ``payload`` is yours
    (e.g. the schedule plugin's one-time speaker links), else None. The payload keeps its case.

    Example::

        @hookimpl
        async def deep_link(app, session, event, member, payload, tr):
            if not payload.startswith("hello"):
                return None
            return [tr("hello-welcome-by-link")]
    """
