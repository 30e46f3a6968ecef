"""``organizer qr scan|stats|print|checker``: the check-in desk from a terminal, and badges to print.

Scans from the CLI are made by the operator (no Telegram member): they are logged and shown as
"from the organizer's console" when the same pass is scanned again at a desk.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

qr_cli = typer.Typer(help="QR passes: scan photos, check-in statistics, printable passes, checkers.",
                     no_args_is_help=True)

ConfigOption = Annotated[str | None, typer.Option("--config", "-c", envvar="ORGANIZER_CONFIG",
                                                  help="Your settings file, layered over config/settings.toml.")]


def _run(config: str | None, event: str, work):
    from core import people
    from core.cli import _fail, load_app

    app = load_app(config)
    if event not in app.settings.events:
        raise _fail(f"unknown event {event!r}; configured events: {', '.join(app.settings.events) or 'none'}")
    if "qr" not in app.active_plugins(event):
        raise _fail(f"the qr plugin is not enabled for {event!r}")

    async def go():
        try:
            async with app.transaction() as session:
                await people.sync_events(session, app.settings)
                ev = await people.event_by_slug(session, event)
                return await work(app, session, ev)
        finally:
            await app.engine.dispose()

    return asyncio.run(go())


@qr_cli.command("scan")
def scan(event: Annotated[str, typer.Argument(help="The event's slug.")],
         images: Annotated[list[Path], typer.Argument(help="Photos of passes (JPEG, PNG, ...).")],
         config: ConfigOption = None):
    """Check in the holders of the passes in IMAGES (one line per image: ok, already, or why not)."""
    from core.cli import _fail
    from plugins.qr import imaging, scans, service

    if (problem := imaging.scanner_problem()) is not None:
        raise _fail(f"cannot read QR codes: {problem}")
    missing = [str(p) for p in images if not p.is_file()]
    if missing:
        raise _fail(f"no such file: {', '.join(missing)}")

    async def work(app, session, ev):
        out = []
        for path in images:
            try:
                payloads = imaging.decode(path.read_bytes(), service.PASS_PREFIX)
            except imaging.NotAnImage:
                out.append((path, await service.record_failure(app, session, ev, service.SYSTEM,
                                                               scans.Outcome.NOT_IMAGE)))
                continue
            out.append((path, await service.check_in_payloads(app, session, ev, service.SYSTEM, payloads)))
        return out

    failed = False
    for path, result in _run(config, event, work):
        at = result.at and f"{result.at:%Y-%m-%d %H:%M} UTC"
        detail = ", ".join(f"{k}={v}" for k, v in (("name", result.name), ("at", at), ("by", result.by_name),
                                                   ("reason", result.revoked_reason), ("event", result.other_event))
                           if v)
        typer.echo(f"{path}\t{result.outcome.value}\t{detail}")
        failed |= result.outcome is not scans.Outcome.OK
    if failed:
        raise typer.Exit(1)


@qr_cli.command("stats")
def stats(event: Annotated[str, typer.Argument(help="The event's slug.")], config: ConfigOption = None):
    """Checked in / registered, and check-ins per hour (event time)."""
    from plugins.qr import service

    async def work(app, session, ev):
        return await service.stats(app, session, ev, service.SYSTEM)

    s = _run(config, event, work)
    typer.echo(f"checked in: {s.checked_in} of {s.registered} registered")
    for hour, count in s.by_hour:
        typer.echo(f"{hour}\t{count}")


@qr_cli.command("print")
def print_(event: Annotated[str, typer.Argument(help="The event's slug.")],
           out: Annotated[Path, typer.Argument(help="Output file: .pdf (one pass per page) or .zip (PNG files).")],
           users: Annotated[list[int] | None, typer.Option("--user", help="Telegram user id; repeat it. "
                                                           "Default: every registered member.")] = None,
           config: ConfigOption = None):
    """Passes for printing badges: a PDF or a ZIP of PNGs (passes are issued for those without one)."""
    from core.cli import _fail
    from plugins.qr import imaging, service

    kind = out.suffix.lower()
    if kind not in (".pdf", ".zip"):
        raise _fail(f"{out}: the file must end in .pdf or .zip")

    async def work(app, session, ev):
        return await service.pictures_for(app, session, ev, service.SYSTEM, list(users) if users else None)

    try:
        pictures = _run(config, event, work)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    if not pictures:
        raise _fail(f"nobody is registered in {event!r} yet: no passes to print")
    if kind == ".pdf":
        data = imaging.passes_pdf(p for _, p in pictures)
    else:
        data = imaging.passes_zip((f"pass-{uid}.png", p) for uid, p in pictures)
    out.write_bytes(data)
    typer.echo(f"Wrote {len(pictures)} pass(es) to {out}.")


@qr_cli.command("checker")
def checker(event: Annotated[str, typer.Argument(help="The event's slug.")],
            user: Annotated[int, typer.Argument(help="Telegram user id.")],
            remove: Annotated[bool, typer.Option("--remove", help="Take the role away (back to participant).")] = False,
            config: ConfigOption = None):
    """Let USER scan passes at EVENT's door (the checker role: scanning only, no organizer panel)."""
    from core import people
    from core.cli import _fail
    from core.models import Role

    async def work(app, session, ev):
        member = await people.get_member(session, ev.id, user)
        if member is not None and people.is_admin(member, app.settings, ev):
            return "admin"
        await people.set_role(session, ev, user, Role.PARTICIPANT if remove else Role.CHECKER)
        return "ok"

    if _run(config, event, work) == "admin":
        raise _fail(f"{user} is an organizer of {event!r} and may scan already; "
                    f"use `organizer admin remove` first to make them a checker only")
    typer.echo(f"{user} is {'no longer a checker' if remove else 'a checker'} at {event}.")
