"""Database engine, session factory and the one declarative ``Base``.

SQLite (stock aiosqlite, SQLAlchemy's shipped ``sqlite+aiosqlite`` dialect) is the zero-set-up
default; PostgreSQL (asyncpg) is production. On SQLite we take transaction control away from the
driver and emit ``BEGIN IMMEDIATE`` ourselves through the engine's ``connect``/``begin`` events:
the legacy sqlite3 module does not BEGIN on SELECT, so a read-then-write would otherwise not be
isolated and could oversell (SQLAlchemy's documented pysqlite/aiosqlite recipe, "Serializable
isolation / Savepoints / Transactional DDL").

SQL errors are logged without their parameters (``hide_parameters``): they carry names, phones
and news texts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import DateTime, Index, MetaData, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Every table of the core and of every plugin. Plugin tables are prefixed ``<plugin>_``."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def partial_index(name: str, *columns: str, where: str, unique: bool = False) -> Index:
    """An index over only the rows matching ``where`` (SQL), on PostgreSQL and SQLite alike.

    The condition is kept in ``Index.info`` and given to SQLAlchemy as ``<dialect>_where`` only
    for the dialect that creates the index (``declare_partial_indexes``): passing
    ``postgresql_where=`` here would make SQLAlchemy import the whole PostgreSQL dialect to check
    the keyword, ~2 MB of modules that a SQLite bot never uses (issue #15). The tables are made by
    the migrations, which spell both keywords; the models' indexes matter to ``create_all`` and
    to ``organizer db revision --autogenerate``, and both declare them first."""
    return Index(name, *columns, unique=unique, info={"where": where})


def declare_partial_indexes(metadata: MetaData, *dialects: str) -> None:
    """Give every ``partial_index`` of ``metadata`` its ``<dialect>_where`` for each of
    ``dialects`` (SQLAlchemy's writable ``Index.dialect_kwargs``)."""
    for table in metadata.tables.values():
        for index in table.indexes:
            where = index.info.get("where")
            for dialect in dialects if where is not None else ():
                if index.dialect_kwargs.get(f"{dialect}_where") is None:  # None: the default, not given
                    index.dialect_kwargs[f"{dialect}_where"] = text(where)


@event.listens_for(Base.metadata, "before_create")
def _partial_indexes_for(metadata, connection, **_kw):
    declare_partial_indexes(metadata, connection.dialect.name)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on both backends (SQLite stores naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def normalize_url(url: str) -> str:
    """Accept plain ``postgresql://`` / ``sqlite:///`` URLs and pick the async drivers."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    elif parsed.drivername == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(url_or_engine) -> bool:
    url = url_or_engine.url if isinstance(url_or_engine, AsyncEngine) else make_url(str(url_or_engine))
    return url.get_backend_name() == "sqlite"


# Seconds a writer waits for SQLite's write lock (another process: the CLI, a second instance)
# before "database is locked". aiosqlite runs SQLite in its own thread, so the wait blocks no loop.
SQLITE_BUSY_TIMEOUT = 30.0


def create_engine(url: str, *, echo: bool = False, pool_size: int = 10) -> AsyncEngine:
    url = normalize_url(url)
    if is_sqlite(url):
        # SQLite has one writer at a time. Queueing for the single connection in asyncio is far
        # cheaper than many connections colliding on BEGIN IMMEDIATE and backing off until the
        # lock frees (measured with bench/dispatch: several times the throughput).
        engine = create_async_engine(url, echo=echo, hide_parameters=True,
                                     pool_size=1, max_overflow=0, pool_timeout=120,
                                     connect_args={"timeout": SQLITE_BUSY_TIMEOUT})
        _install_sqlite_transactions(engine)
    else:
        engine = create_async_engine(url, echo=echo, hide_parameters=True,
                                     pool_size=pool_size, max_overflow=pool_size * 2)
    return engine


def _install_sqlite_transactions(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine
    on_disk = engine.url.database not in (None, "", ":memory:")

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Take BEGIN away from pysqlite so that we can emit BEGIN IMMEDIATE below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT * 1000)}")
        if on_disk:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(conn):
        # IMMEDIATE: take the write lock up front so a read-check-write cannot interleave
        # with another writer (SQLite has no SELECT ... FOR UPDATE). A statement that fails
        # afterwards leaves a transaction SQLAlchemy knows about, so its rollback ends it.
        conn.exec_driver_sql("BEGIN IMMEDIATE")


@event.listens_for(Session, "after_begin")
def _note_connection(session, _transaction, _connection):
    session.info["db_touched"] = True


def touched_database(session: AsyncSession) -> bool:
    """Whether the session took a connection since it was made or since ``forget_touch``.
    A session that only had detached rows added to it holds an ORM transaction but no
    connection: committing or closing it talks to no database."""
    return session.sync_session.info.get("db_touched", False)


def forget_touch(session: AsyncSession) -> None:
    session.sync_session.info.pop("db_touched", None)


def has_work(session: AsyncSession) -> bool:
    """Anything to commit: a transaction that used the database, or objects changed but not
    yet flushed."""
    return (touched_database(session) and session.in_transaction()) or bool(
        session.dirty or session.new or session.deleted)


async def commit_now(session: AsyncSession) -> None:
    """Commit the update's work so far, if there is any.

    The update middleware owns an update's transaction and commits it through this function:
    before any request to Telegram made while handling the update (a reply, an edit, a toast), and
    once the handler has returned. A handler calls it only where its decision is complete and slow
    work that is no request follows — drawing a picture, rendering a card from a decided result —
    so that no lock (SQLite's one write lock) is held meanwhile. Services never commit: the batch
    processes run by ``UpdateSequencer.batched`` are the one exception, as they decide for several
    updates in one transaction."""
    if has_work(session):
        await session.commit()


_AUTOCOMMIT = {"isolation_level": "AUTOCOMMIT"}


async def commit_each_statement(session: AsyncSession) -> None:
    """PostgreSQL: until the session's next commit, each statement commits on its own, with no
    BEGIN and COMMIT round trips around it — for a lone read or write that needs no transaction.
    Only between transactions (no connection taken since the last ``forget_touch``). SQLite:
    nothing to save (an embedded database has no round trips) and BEGIN IMMEDIATE stays."""
    if not is_sqlite(session.bind) and not touched_database(session):
        await session.connection(execution_options=_AUTOCOMMIT)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def transaction(factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One unit of work: commit on success, roll back on any error."""
    async with factory() as session:
        async with session.begin():
            yield session
