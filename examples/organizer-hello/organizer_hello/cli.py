import asyncio

import typer

hello_cli = typer.Typer(help="Greeting counter (example plugin).", no_args_is_help=True)


@hello_cli.command("stats")
def stats(event: str, config: str = typer.Option(None, "--config", "-c", envvar="ORGANIZER_CONFIG")):
    """How many greetings EVENT received."""
    from core import people
    from core.cli import load_app
    from core.people import SYSTEM
    from organizer_hello import service

    app = load_app(config)  # settings + plugins, or a clear list of config errors and exit 2

    async def go():
        try:
            async with app.transaction() as session:
                ev = await people.event_by_slug(session, event)
                if ev is None:  # event rows exist once the bot or `organizer events sync` has run
                    return None
                return await service.organizer_stats(app.settings, session, ev, SYSTEM)
        finally:
            await app.engine.dispose()

    found = asyncio.run(go())
    if found is None:
        typer.secho(f"No event {event!r} in the database: run `organizer events sync` (or start the bot) first.",
                    fg=typer.colors.RED, err=True)
        raise typer.Exit(2)
    count = found[0]
    typer.echo(f"{event}: {count} greeting{'' if count == 1 else 's'}")  # operator output: English only
