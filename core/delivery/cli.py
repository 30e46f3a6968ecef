"""``organizer outbox status``: what was sent, what is waiting, what failed and why."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from typing import Annotated

import typer

from core.delivery.broadcast import BroadcastStatus, DeliveryCounts, broadcast_status, outbox_status

outbox_app = typer.Typer(help="The delivery outbox: broadcasts, notices and their delivery state.",
                         no_args_is_help=True)

_COLUMNS = ("queued", "claimed", "sent", "failed", "blocked")


def _row(label: str, counts: DeliveryCounts) -> str:
    return f"  {label:<38}" + "".join(f"{getattr(counts, c):>9}" for c in _COLUMNS)


def _reasons(counts: DeliveryCounts) -> list[str]:
    return [f"      {n:>6} × {reason}" for reason, n in counts.reasons.items()]


def _broadcast_lines(b: BroadcastStatus) -> list[str]:
    state = f"finished {b.finished_at:%Y-%m-%d %H:%M}" if b.finished_at else "in progress"
    title = b.title if len(b.title) <= 24 else b.title[:23] + "…"
    return [_row(f"#{b.id} {title} ({state})", b.counts), *_reasons(b.counts)]


def render(status, header: str) -> str:
    lines = [header, f"  {'':<38}" + "".join(f"{c:>9}" for c in _COLUMNS), _row("all messages", status.totals)]
    if status.broadcasts:
        lines.append("Broadcasts (newest first):")
        for b in status.broadcasts:
            lines.extend(_broadcast_lines(b))
    if status.notices:
        lines.append("Notices by kind:")
        for kind, counts in sorted(status.notices.items()):
            lines.append(_row(kind or "(no kind)", counts))
            lines.extend(_reasons(counts))
    if status.totals.reasons:
        lines.append("Failure reasons (all):")
        lines.extend(_reasons(status.totals))
    return "\n".join(lines)


@outbox_app.command("status")
def status(
    config: Annotated[str | None, typer.Option("--config", "-c", envvar="ORGANIZER_CONFIG",
                                               help="Your settings file (TOML).")] = None,
    event: Annotated[str | None, typer.Option("--event", "-e", help="Only this event (slug).")] = None,
    broadcast: Annotated[int | None, typer.Option("--broadcast", "-b", help="Only this broadcast (id).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Queued, sent, failed (with reasons) and blocked counts per broadcast and per kind of notice."""
    from core.cli import load_app
    from core.people import event_by_slug

    app = load_app(config)

    async def go():
        try:
            async with app.sessions() as session:
                if broadcast is not None:
                    return await broadcast_status(session, broadcast)
                event_id = None
                if event is not None:
                    found = await event_by_slug(session, event)
                    if found is None:
                        raise typer.BadParameter(f"no event {event!r} in the database; see `organizer events list`")
                    event_id = found.id
                return await outbox_status(session, event_id)
        finally:
            await app.engine.dispose()

    result = asyncio.run(go())
    if result is None:
        typer.secho(f"No broadcast #{broadcast}.", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)
    if as_json:
        typer.echo(json.dumps(dataclasses.asdict(result), default=str, ensure_ascii=False, indent=2))
    elif isinstance(result, BroadcastStatus):
        typer.echo("\n".join([f"  {'':<38}" + "".join(f"{c:>9}" for c in _COLUMNS), *_broadcast_lines(result)]))
    else:
        typer.echo(render(result, f"Outbox — {'event ' + event if event else 'all events'}"))
