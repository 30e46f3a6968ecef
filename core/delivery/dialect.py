"""The dialect-specific INSERT that knows ``ON CONFLICT`` (PostgreSQL and SQLite spell it alike).

The dialect's module is imported when its ``insert`` is first asked for, not at import time:
``sqlalchemy.dialects.postgresql`` is ~2 MB of modules a SQLite bot never needs (and the
sqlite dialect is likewise idle on PostgreSQL); the dialect in use is loaded by its engine anyway.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession


def dialect_name(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def insert_for(name: str):
    """``insert`` with ``on_conflict_do_nothing``/``on_conflict_do_update`` for the dialect ``name``."""
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        raise RuntimeError(f"unsupported database {name!r}: delivery needs PostgreSQL or SQLite")
    return insert


def upsert_insert(session: AsyncSession):
    """``insert`` with ``on_conflict_do_nothing``/``on_conflict_do_update`` for the session's database."""
    return insert_for(dialect_name(session))
