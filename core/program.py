"""The event program file (YAML): each plugin reads and writes its own section through hooks.

Import is idempotent by the stable ``key`` of each item. ``dry_run`` runs the very same import in
a transaction that is rolled back, so the report shows exactly what a real import would change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from core import people
from core.contributions import ProgramSection


class ProgramError(Exception):
    pass


@dataclass
class ImportReport:
    sections: dict[str, ProgramSection] = field(default_factory=dict)
    dry_run: bool = False

    @property
    def errors(self) -> list[str]:
        return [f"{name}: {err}" for name, s in self.sections.items() for err in s.errors]

    def lines(self) -> list[str]:
        out = []
        for name, s in self.sections.items():
            out.append(f"{name}: {len(s.created)} new, {len(s.updated)} changed, {len(s.unchanged)} unchanged")
            out += [f"  + {k}" for k in s.created] + [f"  ~ {k}" for k in s.updated]
            out += [f"  ! {e}" for e in s.errors]
        return out


def read_program(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    if not path.exists():
        raise ProgramError(f"{path}: no such file")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ProgramError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ProgramError(f"{path}: expected a mapping of sections (workshops:, faq:, ...) at the top level")
    return data


async def import_program(app, slug: str, data: dict[str, Any], *, dry_run: bool = False) -> ImportReport:
    report = ImportReport(dry_run=dry_run)
    async with app.sessions() as session:
        await session.begin()
        await people.sync_events(session, app.settings)
        event = await people.event_by_slug(session, slug)
        if event is None or slug not in app.settings.events:
            raise ProgramError(f"unknown event {slug!r}; configured events: {', '.join(app.settings.events) or 'none'}")
        active = set(app.active_plugins(slug))
        results = await app.registry.call_each("program_import", active=active, app=app, session=session,
                                               event=event, data=data, dry_run=dry_run)
        for name, result in results:
            if isinstance(result, ProgramSection):
                report.sections[name] = result
        known = {"event"} | {k for name in active for k in sections_of(app, name)}
        unknown = sorted(set(data) - known)
        if unknown:
            report.sections.setdefault("program", ProgramSection()).errors.append(
                f"unknown section(s) {unknown}: no active plugin of this event reads them")
        if dry_run or report.errors:
            await session.rollback()  # nothing half-written: any error undoes the whole import
        else:
            await session.commit()
    return report


def sections_of(app, name: str) -> list[str]:
    """The top-level program sections plugin ``name`` reads (``program_sections``, else its name)."""
    module = app.registry.plugins[name].module
    return list(getattr(module, "program_sections", (name,)))


async def export_program(app, slug: str) -> dict[str, Any]:
    async with app.transaction() as session:
        await people.sync_events(session, app.settings)
        event = await people.event_by_slug(session, slug)
        if event is None or slug not in app.settings.events:
            raise ProgramError(f"unknown event {slug!r}; configured events: {', '.join(app.settings.events) or 'none'}")
        out: dict[str, Any] = {}
        for part in await app.registry.call("program_export", active=set(app.active_plugins(slug)), app=app,
                                            session=session, event=event):
            if isinstance(part, dict):
                out.update(part)
        return out


def dump_program(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False)
