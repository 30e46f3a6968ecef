"""What read-only commands (`events list`, `doctor`, `db current`) may know about the database
without changing it: they never create a file, a table or a migration.

Connecting to SQLite creates the file when it is missing, so a missing file is found first and
reported as such; a schema that is behind is reported with the command that brings it up.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url


def missing_sqlite_file(url: str) -> Path | None:
    """The SQLite file ``url`` names when it does not exist yet (None for other databases)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file:") or parsed.query.get("mode") == "memory":
        return None
    path = Path(database)
    return None if path.exists() else path


@dataclass(frozen=True)
class SchemaState:
    """``missing`` (no database yet), ``empty`` (no schema), ``behind`` or ``current``."""

    state: str
    detail: str = ""

    @property
    def usable(self) -> bool:
        return self.state == "current"


async def schema_state(app) -> SchemaState:
    from core import migrations

    if (path := missing_sqlite_file(app.settings.database.url)) is not None:
        return SchemaState("missing", f"no database file at {path}")
    heads = await migrations.current(app.engine)
    if not heads:
        return SchemaState("empty", "no schema yet")
    if await migrations.is_up_to_date(app.engine, app.registry):
        return SchemaState("current")
    return SchemaState("behind", "the schema is behind the installed code")
