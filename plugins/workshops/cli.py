"""``organizer workshops list|export EVENT``: the operator's view, no Telegram involved."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

workshops_cli = typer.Typer(help="Workshops: seats, attendees, CSV export.", no_args_is_help=True)

ConfigOption = Annotated[str | None, typer.Option("--config", "-c", envvar="ORGANIZER_CONFIG",
                                                  help="Your settings file, layered over config/settings.toml.")]


def _run(config: str | None, event: str, work):
    from core import people
    from core.cli import _fail, load_app

    app = load_app(config)
    if event not in app.settings.events:
        raise _fail(f"unknown event {event!r}; configured events: {', '.join(app.settings.events) or 'none'}")
    if "workshops" not in app.active_plugins(event):
        raise _fail(f"the workshops plugin is not enabled for {event!r}")

    async def go():
        try:
            async with app.transaction() as session:
                await people.sync_events(session, app.settings)
                ev = await people.event_by_slug(session, event)
                return await work(app, session, ev)
        finally:
            await app.engine.dispose()

    return asyncio.run(go())


@workshops_cli.command("list")
def list_(event: str, config: ConfigOption = None):
    """Every workshop of EVENT with its seats: booked, held for offers, capacity."""
    from plugins.workshops.availability import seats as seats_of
    from plugins.workshops.queries import list_workshops
    from plugins.workshops.settings import tz_of

    async def work(app, session, ev):
        workshops = await list_workshops(session, ev.id)
        seats = await seats_of(app, session, ev, workshops)
        return [(w, seats[w.id]) for w in workshops], tz_of(ev)

    rows, tz = _run(config, event, work)
    if not rows:
        typer.echo("No workshops.")
        return
    typer.echo("id\tkey\tstarts\tbooked\theld\tcapacity\ttitle")
    for w, s in rows:
        typer.echo(f"{w.id}\t{w.key or '-'}\t{w.starts_at.astimezone(tz):%Y-%m-%d %H:%M}\t{s.booked}\t{s.held}"
                   f"\t{s.capacity}\t{w.title}")


@workshops_cli.command("export")
def export(event: str,
           file: Annotated[Path | None, typer.Argument(help="Output CSV file; stdout if omitted.")] = None,
           workshop: Annotated[int | None, typer.Option(help="Only this workshop id.")] = None,
           config: ConfigOption = None):
    """Attendees and waitlists of EVENT as CSV (one row per person and workshop)."""
    from core.people import SYSTEM
    from plugins.workshops.attendees import export_csv

    async def work(app, session, ev):
        return await export_csv(app, session, ev, SYSTEM, workshop)

    text = _run(config, event, work)
    if file is None:
        typer.echo(text, nl=False)
    else:
        file.write_text(text, encoding="utf-8-sig")
        typer.echo(f"Wrote {file}.")
