"""``organizer members``: the people of an event, for the operator (``forget``, ``export``)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

members_cli = typer.Typer(help="Members of an event: their personal data.", no_args_is_help=True)

ConfigOption = Annotated[
    str | None,
    typer.Option("--config", "-c", envvar="ORGANIZER_CONFIG",
                 help="Your settings file (TOML/YAML/JSON), layered over config/settings.toml."),
]


@members_cli.command("forget")
def forget(event: str, user_id: int, config: ConfigOption = None):
    """Erase Telegram user USER_ID's data in EVENT, as their own "delete my data" does: bookings
    released (the next in line gets the offer), queue places dropped, the form and consent erased,
    the name anonymised."""
    from core import migrations, people, privacy
    from core.cli import _fail, load_app

    app = load_app(config)
    if event not in app.settings.events:
        raise _fail(f"Unknown event {event!r}; configured: {', '.join(app.settings.events) or 'none'}.")

    async def go() -> bool:
        try:
            await migrations.upgrade(app.engine, app.registry)
            async with app.transaction() as session:
                await people.sync_events(session, app.settings)
                ev = await people.event_by_slug(session, event)
                member = await people.get_member(session, ev.id, user_id)
                if member is None:
                    return False
                await privacy.forget_member(app, session, ev, member)
                return True
        finally:
            await app.engine.dispose()

    if not asyncio.run(go()):
        raise _fail(f"User {user_id} is not a member of {event}: nothing to forget "
                    "(`organizer events list` shows the events and their members).", code=1)
    typer.echo(f"User {user_id}'s data in {event} is erased: bookings released, queue places dropped, "
               "form and consent erased, name anonymised.")


@members_cli.command("export")
def export(event: str,
           file: Annotated[Path | None, typer.Argument(help="Write here instead of standard output.")] = None,
           config: ConfigOption = None):
    """Write EVENT's registrants as CSV: role, sign-up answers, consent and registration times
    (formula-safe). To FILE with a BOM so spreadsheet apps read UTF-8, else to standard output."""
    from core import migrations, people
    from core.cli import _fail, load_app
    from core.members_export import members_csv

    app = load_app(config)
    if event not in app.settings.events:
        raise _fail(f"Unknown event {event!r}; configured: {', '.join(app.settings.events) or 'none'}.")

    async def go():
        try:
            await migrations.upgrade(app.engine, app.registry)
            async with app.transaction() as session:
                await people.sync_events(session, app.settings)
                ev = await people.event_by_slug(session, event)
                return await members_csv(session, app.settings, ev)
        finally:
            await app.engine.dispose()

    text, count = asyncio.run(go())
    if file is None:
        typer.echo(text, nl=False)
    else:
        file.write_text(text, encoding="utf-8-sig")
        typer.echo(f"{count} member(s) of {event} written to {file}.", err=True)
