"""The program file's ``workshops:`` section: import (create or update by a stable ``key``,
everything checked, nothing written on an error) and export in the same shape."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import fields
from typing import Any

from core.db import utcnow
from core.models import Event
from core.people import SYSTEM
from plugins.workshops.catalogue import create_workshop, update_workshop
from plugins.workshops.models import KEY_MAX
from plugins.workshops.organizer_input import (
    InputError, WorkshopData, parse_capacity, parse_local_datetime, validate,
)
from plugins.workshops.queries import get_workshop, list_workshops
from plugins.workshops.settings import tz_of


PROGRAM_FIELDS = ("key", "title", "speaker", "place", "description", "starts_at", "ends_at", "duration_minutes",
                  "capacity")


def _program_datetime(value: Any, tz) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return (value.replace(tzinfo=tz) if value.tzinfo is None else value).astimezone(dt.UTC)
    text = str(value).strip()
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return parse_local_datetime(text, tz)
    return (parsed.replace(tzinfo=tz) if parsed.tzinfo is None else parsed).astimezone(dt.UTC)


def _program_item(item: Any, tz) -> tuple[str, WorkshopData]:
    if not isinstance(item, dict):
        raise InputError("workshops-error-program-item")
    unknown = set(item) - set(PROGRAM_FIELDS)
    if unknown:
        raise InputError("workshops-error-program-fields", fields=", ".join(sorted(map(str, unknown))))
    key = str(item.get("key") or "").strip()
    if not key or len(key) > KEY_MAX or not re.fullmatch(r"[A-Za-z0-9_.:-]+", key):
        raise InputError("workshops-error-key", limit=KEY_MAX)
    for name in ("title", "starts_at", "capacity"):
        if item.get(name) in (None, ""):
            raise InputError("workshops-error-program-missing", field=name)
    starts_at = _program_datetime(item["starts_at"], tz)
    if item.get("ends_at") not in (None, ""):
        ends_at = _program_datetime(item["ends_at"], tz)
    elif item.get("duration_minutes") not in (None, ""):
        ends_at = starts_at + dt.timedelta(minutes=parse_capacity(item["duration_minutes"]))
    else:
        raise InputError("workshops-error-program-missing", field="ends_at")
    data = WorkshopData(title=str(item["title"]), starts_at=starts_at, ends_at=ends_at,
                        capacity=parse_capacity(item["capacity"]),
                        speaker=None if item.get("speaker") is None else str(item["speaker"]),
                        place=None if item.get("place") is None else str(item["place"]),
                        description=None if item.get("description") is None else str(item["description"]))
    return key, validate(data)


async def import_program(app, session, event: Event, items: Any, *, dry_run: bool = False,
                         now: dt.datetime | None = None):
    """Create or update workshops by their stable ``key``; unchanged ones are left alone.

    Returns ``(created, updated, unchanged, errors)``; with errors the caller rolls everything back."""
    now = now or utcnow()
    tr = app.translator("en")  # the report is for the operator's terminal
    created, updated, unchanged, errors = [], [], [], []
    if items is None:
        return created, updated, unchanged, errors
    if not isinstance(items, list):
        return created, updated, unchanged, ["workshops: expected a list of workshops"]
    tz = tz_of(event)
    existing = {w.key: w for w in await list_workshops(session, event.id) if w.key}
    seen: set[str] = set()
    for index, item in enumerate(items):
        where = f"workshops[{index}]"
        try:
            key, data = _program_item(item, tz)
        except InputError as exc:
            errors.append(f"{where}: {tr(exc.key, **exc.args_)}")
            continue
        where = f"workshops[{index}] ({key})"
        if key in seen:
            errors.append(f"{where}: {tr('workshops-error-program-duplicate')}")
            continue
        seen.add(key)
        workshop = existing.get(key)
        if workshop is None and (match := re.fullmatch(r"ws-(\d+)", key)):
            # Exported from a workshop made in the bot (no key yet): adopt it instead of duplicating it.
            candidate = await get_workshop(session, event.id, int(match[1]))
            if candidate is not None and candidate.key is None:
                candidate.key, workshop = key, candidate
        try:
            if workshop is None:
                if data.starts_at <= now:
                    raise InputError("workshops-error-in-past")
                await create_workshop(app, session, event, SYSTEM, data, key=key, now=now)
                created.append(key)
                continue
            changes = {f.name: getattr(data, f.name) for f in fields(WorkshopData)
                       if getattr(data, f.name) != getattr(workshop, f.name)}
            if not changes:
                unchanged.append(key)
                continue
            await update_workshop(app, session, event, SYSTEM, workshop.id, changes, now=now)
            updated.append(key)
        except InputError as exc:
            errors.append(f"{where}: {tr(exc.key, **exc.args_)}")
    return created, updated, unchanged, errors


async def export_program(session, event: Event) -> list[dict[str, Any]]:
    tz = tz_of(event)
    out = []
    for w in await list_workshops(session, event.id):
        item: dict[str, Any] = {"key": w.key or f"ws-{w.id}", "title": w.title}
        for name in ("speaker", "place", "description"):
            if getattr(w, name):
                item[name] = getattr(w, name)
        item["starts_at"] = w.starts_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        item["ends_at"] = w.ends_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        item["capacity"] = w.capacity
        out.append(item)
    return out
