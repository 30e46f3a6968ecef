"""aiosqlite with one thread hop per statement.

aiosqlite runs SQLite in a worker thread, and every call is a round trip to it: SQLAlchemy's
adapter makes four per statement (open a cursor, execute, fetch all rows, close the cursor) plus
one for the rollback with which the pool resets a returned connection. Each round trip costs the
event loop a wake-up through its self-pipe and a GIL hand-over, and on our single SQLite
connection every other update waits behind them (bench/dispatch and bench/booking measure it).

Here a statement is one round trip: the worker executes it, fetches every row (which
SQLAlchemy's adapter does at once anyway), captures ``description``/``rowcount``/``lastrowid``
and closes the cursor. ``BEGIN`` travels with the transaction's first statement, and the worker
reports whether a transaction is open, so a rollback or commit with nothing to end costs no
round trip at all. A read-and-commit is two round trips instead of ten.
"""

from __future__ import annotations

import sqlite3
from functools import partial
from typing import Any

import aiosqlite


class OneHopCursor:
    """What SQLAlchemy's aiosqlite adapter needs of ``aiosqlite.Cursor``, one hop per call."""

    arraysize = 1

    def __init__(self, connection: OneHopConnection):
        self._connection = connection
        self._rows: list[Any] = []
        self.description = None
        self.rowcount = -1
        self.lastrowid = None

    # ``connection.cursor()`` is both awaited and entered by callers of aiosqlite.
    def __await__(self):
        return self._self().__await__()

    async def _self(self) -> OneHopCursor:
        return self

    async def __aenter__(self) -> OneHopCursor:
        return self

    async def __aexit__(self, *_exc) -> None:
        await self.close()

    async def execute(self, sql: str, parameters=()) -> OneHopCursor:
        return await self._hop("execute", sql, parameters)

    async def executemany(self, sql: str, parameters) -> OneHopCursor:
        return await self._hop("executemany", sql, parameters)

    async def executescript(self, script: str) -> OneHopCursor:
        return await self._hop("executescript", script, None)

    async def _hop(self, how: str, sql: str, parameters) -> OneHopCursor:
        connection = self._connection
        begin, connection.pending_begin = connection.pending_begin, None
        self._take(await connection._execute(_run, connection._conn, begin, how, sql, parameters))
        return self

    def _take(self, outcome: tuple) -> None:
        self.description, self.rowcount, self.lastrowid, self._rows, self._connection.in_transaction = outcome

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


def _run(conn: sqlite3.Connection, begin: str | None, how: str, sql: str, parameters) -> tuple:
    """Runs in the worker thread: the transaction's BEGIN if still due, the whole statement, its
    rows and its cursor's facts."""
    if begin:
        conn.execute(begin)
    cursor = conn.cursor()
    try:
        if how == "executescript":
            cursor.executescript(sql)
        else:
            getattr(cursor, how)(sql, parameters if parameters is not None else ())
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows, conn.in_transaction
    finally:
        cursor.close()


class OneHopConnection(aiosqlite.Connection):
    in_transaction = False  # as last reported by the worker thread
    pending_begin: str | None = None  # sent along with the next statement

    def begin_with_next_statement(self, sql: str = "BEGIN") -> None:
        self.pending_begin = sql

    def cursor(self) -> OneHopCursor:  # type: ignore[override]
        return OneHopCursor(self)

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


def creator(database: str, **connect_args):
    """An ``async_creator`` for ``create_async_engine``: a OneHopConnection to ``database``."""

    async def connect() -> OneHopConnection:
        connection = OneHopConnection(partial(sqlite3.connect, database, **connect_args), iter_chunk_size=64)
        connection._thread.daemon = True  # as SQLAlchemy does: never keep the process alive
        return await connection

    return connect
