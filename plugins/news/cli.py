"""``organizer news send EVENT TEXT [--photo FILE] [--to GROUP]``: news from a terminal or a script.

The text is plain (what is typed is what members see); delivery goes through the same outbox as
news written in the bot. There is no author in Telegram to report to: the command prints the
broadcast's id for ``organizer outbox status --broadcast ID``.
"""

from __future__ import annotations

import asyncio
import html
from pathlib import Path
from typing import Annotated

import typer

news_cli = typer.Typer(help="News to an event's members, through the delivery outbox.", no_args_is_help=True)

ConfigOption = Annotated[str | None, typer.Option("--config", "-c", envvar="ORGANIZER_CONFIG",
                                                  help="Your settings file, layered over config/settings.toml.")]


@news_cli.command("send")
def send(event: Annotated[str, typer.Argument(help="The event's slug.")],
         text: Annotated[str, typer.Argument(help="Plain text (a caption with --photo); '-' reads standard input.")],
         photo: Annotated[Path | None, typer.Option(help="A picture to send with the text as its caption.")] = None,
         to: Annotated[str, typer.Option(help="Who gets it: 'all' (everyone in the event) or a group a plugin "
                                              "offers, e.g. 'workshops:12' (people booked for workshop 12).")] = "all",
         config: ConfigOption = None):
    """Queue news for EVENT's members (all, or the group --to names); the running bot delivers it."""
    from core import people
    from core.cli import _fail, load_app
    from plugins.news import service

    if text == "-":
        text = typer.get_text_stream("stdin").read()
    picture = None
    if photo is not None:
        if not photo.is_file():
            raise _fail(f"--photo {photo}: no such file; give the path of a JPEG or PNG picture")
        picture = photo.read_bytes()
    app = load_app(config)
    if event not in app.settings.events:
        raise _fail(f"unknown event {event!r}; configured events: {', '.join(app.settings.events) or 'none'}")
    if "news" not in app.active_plugins(event):
        raise _fail(f"the news plugin is not enabled for {event!r}")
    text_html = html.escape(text.strip(), quote=False) or None
    tr = app.translator("en")  # the operator's terminal

    async def go():
        try:
            async with app.transaction() as session:
                await people.sync_events(session, app.settings)
                ev = await people.event_by_slug(session, event)
                return await service.send(app, session, ev, service.SYSTEM, text_html=text_html, photo=picture,
                                          audience=to)
        finally:
            await app.engine.dispose()

    try:
        batch = asyncio.run(go())
    except service.NewsError as exc:
        raise _fail(tr(exc.key, **exc.args_)) from None
    typer.echo(f"Queued broadcast {batch.id} for {batch.total} member(s) of {event}. "
               f"Follow it with: organizer outbox status --broadcast {batch.id}")
