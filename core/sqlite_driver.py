"""SQLite for SQLAlchemy's aiosqlite dialect, run on the event loop's own thread.

aiosqlite runs SQLite in a worker thread and every call is a round trip to it: SQLAlchemy's
adapter makes four per statement (open a cursor, execute, fetch, close) plus a rollback when the
pool takes a connection back. A round trip costs a GIL hand-over and a self-pipe wake-up, and
the statement's result then waits for the event loop's next turn: with a few hundred updates in
flight that turn takes milliseconds, and on our single SQLite connection (a booking's critical
section) every other update waits behind it. bench/booking measured 20 ms per tap this way.

Our statements are small and SQLite answers them in microseconds, so here they run inline: a
statement is one call that executes it, fetches its rows (SQLAlchemy's adapter fetches all rows
at once anyway), captures ``description``/``rowcount``/``lastrowid`` and closes the cursor.
``BEGIN`` travels with the transaction's first statement, and a commit or rollback with nothing
to end costs nothing.

The one thing that must never run inline is a wait: SQLite's busy handler would sleep on the
loop's thread while the connection holding the lock (another engine in this process, e.g. a
test's, or the CLI in another process) waits for that very loop. So SQLite's busy timeout is 0
and a ``BEGIN`` (or an autocommit statement) that finds the database locked is retried after an
``asyncio.sleep`` — nothing ran, so retrying is safe — for up to ``busy_timeout`` seconds.
"""

from __future__ import annotations

import asyncio
import sqlite3
from functools import partial
from typing import Any

import aiosqlite

BUSY = object()  # "the database is locked and nothing was done": retry later


class InlineCursor:
    """What SQLAlchemy's aiosqlite adapter needs of ``aiosqlite.Cursor``."""

    arraysize = 1

    def __init__(self, connection: InlineConnection):
        self._connection = connection
        self._rows: list[Any] = []
        self.description = None
        self.rowcount = -1
        self.lastrowid = None

    # ``connection.cursor()`` is both awaited and entered by callers of aiosqlite.
    def __await__(self):
        return self._self().__await__()

    async def _self(self) -> InlineCursor:
        return self

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *_exc) -> None:
        await self.close()

    async def execute(self, sql: str, parameters=()) -> InlineCursor:
        return await self._statement("execute", sql, parameters)

    async def executemany(self, sql: str, parameters) -> InlineCursor:
        return await self._statement("executemany", sql, parameters)

    async def executescript(self, script: str) -> InlineCursor:
        return await self._statement("executescript", script, None)

    async def _statement(self, how: str, sql: str, parameters) -> InlineCursor:
        connection = self._connection
        begin, connection.pending_begin = connection.pending_begin, None
        outcome = await connection._execute(_run, connection._conn, begin, how, sql, parameters)
        self.description, self.rowcount, self.lastrowid, self._rows, connection.in_transaction = outcome
        return self

    async def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows, []
        return rows

    async def fetchone(self):
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        size = size or self.arraysize
        rows, self._rows = self._rows[:size], self._rows[size:]
        return rows

    async def close(self) -> None:
        self._rows = []


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    return getattr(exc, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) \
        or "database is locked" in str(exc)


def _run(conn: sqlite3.Connection, begin: str | None, how: str, sql: str, parameters):
    """The transaction's BEGIN if still due, the whole statement, its rows and its cursor's
    facts; BUSY when the database was locked before anything was done."""
    if begin:
        try:
            conn.execute(begin)
        except sqlite3.OperationalError as exc:
            if _is_busy(exc):
                return BUSY
            raise
    retry_safe = not conn.in_transaction  # autocommit: a failed statement left no trace
    cursor = conn.cursor()
    try:
        if how == "executescript":
            cursor.executescript(sql)
        else:
            getattr(cursor, how)(sql, parameters if parameters is not None else ())
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows, conn.in_transaction
    except sqlite3.OperationalError as exc:
        if retry_safe and _is_busy(exc):
            return BUSY
        raise
    finally:
        cursor.close()


class _Inline:
    """Stands in for aiosqlite's queue to its worker thread: runs each call at once."""

    @staticmethod
    def put_nowait(item) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as exc:  # noqa: BLE001 - handed to the awaiting caller
            if future is not None and not future.done():
                future.set_exception(exc)
        else:
            if future is not None and not future.done():
                future.set_result(result)


class InlineConnection(aiosqlite.Connection):
    in_transaction = False  # as the last statement left it
    pending_begin: str | None = None  # sent along with the next statement

    def __init__(self, connector, *, busy_timeout: float):
        super().__init__(connector, iter_chunk_size=64)
        self._tx = _Inline()  # the worker thread is never started
        self.busy_timeout = busy_timeout

    def __await__(self):
        return self._connect().__await__()

    async def _execute(self, fn, *args, **kwargs):
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        pause, waited = 0.001, 0.0
        while True:
            result = fn(*args, **kwargs)
            if result is not BUSY:
                return result
            if waited >= self.busy_timeout:
                raise sqlite3.OperationalError("database is locked")
            await asyncio.sleep(pause)  # let the holder of the lock (maybe on this loop) finish
            waited += pause
            pause = min(pause * 2, 0.05)

    def begin_with_next_statement(self, sql: str = "BEGIN") -> None:
        self.pending_begin = sql

    def cursor(self) -> InlineCursor:  # type: ignore[override]
        return InlineCursor(self)

    async def commit(self) -> None:
        self.pending_begin = None  # a transaction without statements: nothing to end
        if self.in_transaction:
            self.in_transaction = await self._execute(_end, self._conn, "commit")

    async def rollback(self) -> None:
        self.pending_begin = None
        if self.in_transaction:
            self.in_transaction = await self._execute(_end, self._conn, "rollback")


def _end(conn: sqlite3.Connection, how: str) -> bool:
    getattr(conn, how)()
    return conn.in_transaction


def creator(database: str, *, busy_timeout: float = 30.0):
    """An ``async_creator`` for ``create_async_engine``: an InlineConnection to ``database``."""

    async def connect() -> InlineConnection:
        # timeout=0: SQLite must never sleep on the loop's thread (see the module's docstring).
        connector = partial(sqlite3.connect, database, timeout=0, check_same_thread=False)
        return await InlineConnection(connector, busy_timeout=busy_timeout)

    return connect
