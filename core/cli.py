"""The ``organizer`` command line (typer). Plugins mount their own sub-commands via ``register_cli``."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated

import typer

from core.config import ConfigError

cli = typer.Typer(help="Pocket Organizer — a plugin-based Telegram bot for events.", no_args_is_help=True,
                  rich_markup_mode=None,
                  pretty_exceptions_enable=False)
db_cli = typer.Typer(help="Database schema (Alembic, one branch per plugin).", no_args_is_help=True)
config_cli = typer.Typer(help="Configuration files and environment.", no_args_is_help=True)
plugins_cli = typer.Typer(help="Installed plugins.", no_args_is_help=True)
events_cli = typer.Typer(help="Events served by this bot.", no_args_is_help=True)
admin_cli = typer.Typer(help="Organizers (admins) of an event.", no_args_is_help=True)
program_cli = typer.Typer(help="The event program file (YAML): sessions, workshops, FAQ, ...", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
cli.add_typer(config_cli, name="config")
cli.add_typer(plugins_cli, name="plugins")
cli.add_typer(events_cli, name="events")
cli.add_typer(admin_cli, name="admin")
cli.add_typer(program_cli, name="program")
# Delivery (issue #4): `organizer outbox status`, implemented in core/delivery/cli.py.
from core.delivery.cli import outbox_app  # noqa: E402

cli.add_typer(outbox_app, name="outbox")
from core.members_cli import members_cli  # noqa: E402

cli.add_typer(members_cli, name="members")

ConfigOption = Annotated[
    str | None,
    typer.Option("--config", "-c", envvar="ORGANIZER_CONFIG",
                 help="Your settings file (TOML/YAML/JSON), layered over config/settings.toml."),
]


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.secho(message, fg=typer.colors.RED, err=True)
    return typer.Exit(code)


# Set by ``Sandbox.cli`` (tests): the plugins the sandbox loaded, instead of built-ins + entry points.
cli_registry: ContextVar = ContextVar("organizer_cli_registry", default=None)


def load_app(config: str | None, *, require_token: bool = True):
    """Build the app or exit non-zero listing every config error; nothing connects before this.
    ``require_token=False`` for commands that never talk to Telegram.

    A plugin's command calls it with its ``--config`` option (``envvar="ORGANIZER_CONFIG"``)::

        app = load_app(config)
        async def go():
            try:
                async with app.transaction() as session:
                    event = await people.event_by_slug(session, slug)  # None until the bot or
                    ...                                                  # `organizer events sync` ran
            finally:
                await app.engine.dispose()
        asyncio.run(go())
    """
    from core.app import OrganizerApp
    from core.plugins import PluginLoadError

    try:
        return OrganizerApp.from_config(config, registry=cli_registry.get(), require_token=require_token)
    except ConfigError as exc:
        typer.secho(f"Configuration has {len(exc.issues)} error(s):", fg=typer.colors.RED, err=True)
        for issue in exc.issues:
            typer.echo(f"  - {issue}", err=True)
        raise typer.Exit(2) from None
    except PluginLoadError as exc:
        raise _fail(f"Plugins: {exc}") from None


def _configure_logging(app) -> None:
    from core.logs import configure

    configure(app.settings.logging.level, app.settings.logging.json_format)


@cli.command()
def run(config: ConfigOption = None,
        upgrade: Annotated[bool, typer.Option(help="Bring the database to the newest schema first.")] = True,
        webhook: Annotated[bool, typer.Option(
            "--webhook", help="Serve Telegram's webhook (settings: webhook.*) with /healthz, /readyz and "
                              "/metrics instead of long polling.")] = False,
        host: Annotated[str | None, typer.Option(help="Webhook: address to listen on (default webhook.host).")] = None,
        port: Annotated[int | None, typer.Option(help="Webhook: port (default webhook.port).")] = None,
        workers: Annotated[int, typer.Option(min=1, max=64, help="Webhook: processes sharing the port, the "
                                             "database and Redis (needs PostgreSQL and redis.url when > 1).")] = 1,
        reuse_port: Annotated[bool, typer.Option("--reuse-port", hidden=True)] = False):
    """Start the bot (long polling, or --webhook). Stops gracefully on Ctrl-C / SIGTERM: in-flight updates finish."""
    app = load_app(config)
    _configure_logging(app)
    if workers > 1:
        from core.supervisor import check_scale_out, supervise

        if not webhook:
            raise _fail("--workers needs --webhook: Telegram gives long polling to one process only.")
        problem = check_scale_out(app.settings)
        if problem:
            raise _fail(problem)
        if upgrade:
            asyncio.run(_upgrade_once(app))
        raise typer.Exit(supervise(workers, sys.argv[1:]))
    if not upgrade and not asyncio.run(_up_to_date(app)):
        raise _fail("The database schema is behind: run `organizer db upgrade` first.")
    _build_dispatcher(app)
    if webhook:
        from core.webhook import run_webhook

        asyncio.run(run_webhook(app, host=host, port=port, reuse_port=reuse_port))
    else:
        asyncio.run(app.run_polling())


async def _up_to_date(app) -> bool:
    from core import migrations

    try:
        return await migrations.is_up_to_date(app.engine, app.registry)
    finally:
        await app.engine.dispose()  # its connections belong to this event loop, not the bot's


async def _upgrade_once(app) -> None:
    from core import migrations

    try:
        await migrations.upgrade(app.engine, app.registry)
    finally:
        await app.engine.dispose()


def _build_dispatcher(app) -> None:
    """Routers and the start-up checks on plugin names, before anything connects."""
    from core.plugins import PluginLoadError

    try:
        app.build_dispatcher()
    except PluginLoadError as exc:
        raise _fail(f"Plugins: {exc}") from None


@db_cli.command("upgrade")
def db_upgrade(config: ConfigOption = None,
               target: Annotated[str, typer.Argument(help="Revision or 'heads' (every branch).")] = "heads"):
    """Bring the database to the newest schema (every plugin's branch). Needs no bot token."""
    from core import migrations

    app = load_app(config, require_token=False)

    async def go():
        try:
            await migrations.upgrade(app.engine, app.registry, target)
            return await migrations.current(app.engine)
        finally:
            await app.engine.dispose()

    heads = asyncio.run(go())
    typer.echo("Database at: " + ", ".join(sorted(heads)))


@db_cli.command("downgrade")
def db_downgrade(target: Annotated[str, typer.Argument(help="e.g. 'workshops@base' before uninstalling a plugin")],
                 config: ConfigOption = None):
    """Undo migrations down to TARGET (e.g. remove one plugin's tables with '<plugin>@base')."""
    from core import migrations

    app = load_app(config, require_token=False)

    async def go():
        try:
            await migrations.downgrade(app.engine, app.registry, target)
        finally:
            await app.engine.dispose()

    asyncio.run(go())
    typer.echo(f"Downgraded to {target}.")


@db_cli.command("revision")
def db_revision(plugin: Annotated[str, typer.Argument(help="The plugin whose branch gets the migration ('core' for the core).")],
                message: Annotated[str, typer.Option("--message", "-m", help="What the migration does.")],
                autogenerate: Annotated[bool, typer.Option(
                    "--autogenerate", help="Fill it in from the difference between the plugin's models and the "
                                           "database (brought to the newest schema first).")] = False,
                config: ConfigOption = None):
    """Write a new migration in PLUGIN's Alembic branch (its first one starts the branch)."""
    from core import migrations

    app = load_app(config)
    try:
        path = asyncio.run(_revision(app, plugin, message, autogenerate))
    except migrations.RevisionError as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"Wrote {path}")


async def _revision(app, plugin: str, message: str, autogenerate: bool) -> Path:
    from core import migrations

    try:
        if autogenerate:
            await migrations.upgrade(app.engine, app.registry)
        return await migrations.revision(app.engine, app.registry, plugin, message, autogenerate=autogenerate)
    finally:
        await app.engine.dispose()


@db_cli.command("current")
def db_current(config: ConfigOption = None):
    """Per schema branch (core, then each plugin): where the database is and whether that is the newest."""
    from core import migrations
    from core.readonly import missing_sqlite_file

    app = load_app(config, require_token=False)
    if (path := missing_sqlite_file(app.settings.database.url)) is not None:
        typer.echo(f"No database yet (no file at {path}): run `organizer db upgrade` to create it.")
        raise typer.Exit(1)

    async def go():
        try:
            return await migrations.current(app.engine)
        finally:
            await app.engine.dispose()

    branches = migrations.branch_status(app.registry, asyncio.run(go()))
    behind = False
    width = max(len(label) for label, _, _ in branches)
    for label, at, newest in branches:
        if at == newest:
            state = f"up to date ({at})"
        elif at is None:
            state, behind = f"not created: newest is {newest}", True
        else:
            state, behind = f"behind: at {at}, newest is {newest}", True
        typer.echo(f"{label:<{width}}  {state}")
    if behind:
        typer.echo("Run `organizer db upgrade` to bring every branch to the newest.")
        raise typer.Exit(1)


@config_cli.command("check")
def config_check(config: ConfigOption = None):
    """Validate the settings against the core's and every plugin's model; list all errors."""
    app = load_app(config)
    _build_dispatcher(app)  # plugin names outside their namespace are reported here too
    typer.echo(f"Configuration is valid: {len(app.settings.events)} event(s), "
               f"{len(app.registry.plugins)} plugin(s), database {app.engine.url.get_backend_name()}.")


@plugins_cli.command("list")
def plugins_list(config: ConfigOption = None):
    """Plugins: name, version, source, hooks, and whether each is on for each event. Needs no bot token."""
    app = load_app(config, require_token=False)
    slugs = list(app.settings.events)
    for name in app.registry.order:
        plugin = app.registry.plugins[name]
        m = plugin.manifest
        typer.echo(f"{name} {m.version}  ({plugin.source})" + (f"  needs: {', '.join(m.depends_on)}" if m.depends_on else ""))
        typer.echo(f"    hooks: {', '.join(app.registry.hooks_of(name))}")
        if slugs:
            typer.echo("    events: " + ", ".join(f"{s}={'on' if name in app.active_plugins(s) else 'off'}" for s in slugs))


@events_cli.command("list")
def events_list(config: ConfigOption = None):
    """Events from the config: title, timezone, language, open or closed, members, and the t.me link
    that opens each. Reads the database only if it exists and is up to date; never changes it."""
    from sqlalchemy import func, select

    from core.models import Event, Member
    from core.readonly import schema_state

    app = load_app(config, require_token=False)

    async def gather():
        try:
            state = await schema_state(app)
            counts = None
            if state.usable:
                async with app.sessions() as session:
                    rows = await session.execute(select(Event.slug, func.count(Member.id))
                                                 .outerjoin(Member, Member.event_id == Event.id).group_by(Event.slug))
                    counts = dict(rows.all())
            return state, counts, await _bot_username(app)
        finally:
            await app.engine.dispose()

    state, members, username = asyncio.run(gather())
    if not app.settings.events:
        typer.echo("No events configured: add [events.<slug>] to your config.")
    for slug, conf in app.settings.events.items():
        count = "?" if members is None else str(members.get(slug, 0))
        link = f"https://t.me/{username}?start={slug}" if username else f"/start {slug}"
        typer.echo(f"{slug}\t{conf.title}\t{conf.timezone}\t{conf.language}\t{'open' if conf.open else 'closed'}"
                   f"\t{count} member(s)\t{link}")
    if members is None:
        typer.echo(f"Members not counted: {state.detail}; run `organizer db upgrade`.", err=True)
    if not username:
        typer.echo("Links need the bot's username: set bot.token (read with getMe) or bot.username.", err=True)


async def _bot_username(app) -> str | None:
    """The bot's @username: from Telegram (getMe) when a token is set, else from the config."""
    if app.settings.bot.token:
        from core.app import close_bot

        bot = app.make_bot()
        try:
            return (await asyncio.wait_for(bot.get_me(), 10)).username
        except Exception as exc:  # offline or a wrong server: the config's username will do
            logging.getLogger(__name__).info("getMe failed (%s); using bot.username from the config", exc)
        finally:
            await close_bot(bot)
    return app.settings.bot.username


@events_cli.command("sync")
def events_sync(config: ConfigOption = None):
    """Write the configured events to the database (the bot does it at start-up): what a CLI command
    or a script needs before it can find an event by its slug."""
    from core import migrations
    from core.people import sync_events

    app = load_app(config)

    async def go():
        try:
            await migrations.upgrade(app.engine, app.registry)
            async with app.transaction() as session:
                return sorted(await sync_events(session, app.settings))
        finally:
            await app.engine.dispose()

    slugs = asyncio.run(go())
    configured = [slug for slug in slugs if slug in app.settings.events]
    typer.echo(f"Events in the database: {', '.join(configured) or 'none configured'}"
               + (f" (no longer configured: {', '.join(s for s in slugs if s not in configured)})"
                  if len(configured) < len(slugs) else ""))


def _set_role(config, event: str, user_id: int, role) -> None:
    from core import migrations, people

    app = load_app(config)
    if event not in app.settings.events:
        raise _fail(f"Unknown event {event!r}; configured: {', '.join(app.settings.events) or 'none'}.")

    async def go():
        try:
            await migrations.upgrade(app.engine, app.registry)
            async with app.transaction() as session:
                await people.sync_events(session, app.settings)
                ev = await people.event_by_slug(session, event)
                await people.set_role(session, ev, user_id, role)
        finally:
            await app.engine.dispose()

    asyncio.run(go())


@admin_cli.command("add")
def admin_add(event: str, user_id: int, config: ConfigOption = None):
    """Make Telegram user USER_ID an organizer of EVENT."""
    from core.models import Role

    _set_role(config, event, user_id, Role.ADMIN)
    typer.echo(f"User {user_id} is now an organizer of {event}.")


@admin_cli.command("remove")
def admin_remove(event: str, user_id: int, config: ConfigOption = None):
    """Make USER_ID a participant of EVENT again (admins listed in the config stay admins)."""
    from core.models import Role

    _set_role(config, event, user_id, Role.PARTICIPANT)
    typer.echo(f"User {user_id} is no longer an organizer of {event} (unless listed in the config's admins).")


@program_cli.command("import")
def program_import(event: str, file: Path,
                   dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change; write nothing.")] = False,
                   config: ConfigOption = None):
    """Load a YAML program into EVENT. Idempotent: items are matched by their `key`."""
    from core import migrations
    from core.program import ProgramError, import_program, read_program

    app = load_app(config)
    try:
        data = read_program(file)
    except ProgramError as exc:
        raise _fail(str(exc)) from None

    async def go():
        try:
            await migrations.upgrade(app.engine, app.registry)
            return await import_program(app, event, data, dry_run=dry_run)
        finally:
            await app.engine.dispose()

    try:
        report = asyncio.run(go())
    except ProgramError as exc:
        raise _fail(str(exc)) from None
    for line in report.lines():
        typer.echo(line)
    if report.errors:
        raise _fail("Nothing was imported: fix the errors above and run again.")
    typer.echo("Dry run: nothing was written." if dry_run else "Imported.")


@program_cli.command("export")
def program_export(event: str, file: Annotated[Path | None, typer.Argument(help="Output file; stdout if omitted.")] = None,
                   config: ConfigOption = None):
    """Write EVENT's program in the same YAML format `program import` reads."""
    from core.program import ProgramError, dump_program, export_program

    app = load_app(config, require_token=False)

    async def go():
        from core.readonly import schema_state

        try:
            state = await schema_state(app)  # an export only reads: it never creates or migrates
            if not state.usable:
                raise ProgramError(f"cannot export: {state.detail}; run `organizer db upgrade` first")
            return await export_program(app, event)
        finally:
            await app.engine.dispose()

    try:
        text = dump_program(asyncio.run(go()))
    except ProgramError as exc:
        raise _fail(str(exc)) from None
    if file is None:
        typer.echo(text, nl=False)
    else:
        file.write_text(text, encoding="utf-8")
        typer.echo(f"Wrote {file}.")


@cli.command()
def demo(port: Annotated[int, typer.Option(help="Port of the browser page.")] = 8080,
         host: Annotated[str, typer.Option(help="Interface to listen on (loopback only, unless --public).")] = "127.0.0.1",
         reset: Annotated[bool, typer.Option("--reset", help="Start over with a fresh sample event.")] = False,
         data_dir: Annotated[Path, typer.Option(help="Where the demo keeps its SQLite database.")] = Path(".organizer-demo"),
         public: Annotated[bool, typer.Option("--public", help="Allow a non-loopback --host: whoever reaches it "
                                                                "can act as any demo user (a warning is printed).")] = False):
    """Try the bot with no token and no internet: emulator + bot + a sample event, chat in the browser."""
    from core.sandbox.demo import run_demo

    run_demo(host=host, port=port, reset=reset, data_dir=data_dir, public=public)


@cli.command()
def doctor(config: ConfigOption = None):
    """Check the config, the database and its schema, the Bot API server and the zbar library (QR
    scanning). Changes nothing; with a broken or missing config it still checks what it can."""
    from core.doctor import run_checks

    results = asyncio.run(run_checks(config))
    failed = False
    for name, ok, detail in results:
        failed |= not ok
        typer.secho(f"[{'ok' if ok else 'FAIL'}] {name}: {detail}", fg=typer.colors.GREEN if ok else typer.colors.RED)
    raise typer.Exit(1 if failed else 0)


def _mount_plugin_commands() -> None:
    """Plugins add sub-commands before argv is parsed (as llm and datasette do)."""
    from core.plugins import PluginLoadError, PluginRegistry

    try:
        registry = PluginRegistry.load(blocked=_blocked_from_env())
    except PluginLoadError as exc:
        typer.secho(f"Plugins: {exc}", fg=typer.colors.RED, err=True)
        sys.exit(2)
    registry.pm.hook.register_cli(cli=cli)


def _blocked_from_env() -> list[str]:
    try:
        from core.config import load_raw

        config = None
        argv = sys.argv
        for i, arg in enumerate(argv):
            if arg in ("--config", "-c") and i + 1 < len(argv):
                config = argv[i + 1]
            elif arg.startswith("--config="):
                config = arg.split("=", 1)[1]
        return list(load_raw(config or os.environ.get("ORGANIZER_CONFIG")).data.get("blocked_plugins") or [])
    except Exception:
        return []  # a broken config is reported by the command itself, with every error


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    _mount_plugin_commands()
    cli()


if __name__ == "__main__":
    main()
