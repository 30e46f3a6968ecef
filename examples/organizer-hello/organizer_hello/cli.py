import asyncio

import typer

hello_cli = typer.Typer(help="Greeting counter (example plugin).", no_args_is_help=True)


@hello_cli.command("stats")
def stats(event: str, config: str = typer.Option(None, "--config", "-c", envvar="ORGANIZER_CONFIG")):
    """How many greetings EVENT received."""
    from core import people
    from core.cli import load_app
    from organizer_hello import service

    app = load_app(config)

    async def go():
        try:
            async with app.transaction() as session:
                ev = await people.event_by_slug(session, event)
                return 0 if ev is None else await service.count(session, ev.id)
        finally:
            await app.engine.dispose()

    typer.echo(f"{event}: {asyncio.run(go())} greeting(s)")
