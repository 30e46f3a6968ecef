"""The dialect-specific INSERT that knows ``ON CONFLICT`` (PostgreSQL and SQLite spell it alike)."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def dialect_name(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def upsert_insert(session: AsyncSession):
    """``insert`` with ``on_conflict_do_nothing``/``on_conflict_do_update`` for the session's database."""
    name = dialect_name(session)
    if name == "postgresql":
        return postgresql.insert
    if name == "sqlite":
        return sqlite.insert
    raise RuntimeError(f"unsupported database {name!r}: delivery needs PostgreSQL or SQLite")
