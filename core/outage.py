"""Is a failure the database or Redis being away for a while (a restart, a failover, the network)?

Such a failure says nothing about the update being handled: the same update succeeds once the
server is back. A webhook worker therefore leaves it unacknowledged (500) and Telegram delivers it
again, instead of apologising to the user and dropping their tap; background loops wait and try
again instead of dying. Anything else (a bug, a constraint) still fails as before: an update that
fails every time must not come back for ever.

Recognised by type along the exception chain (``__cause__``/``__context__``), since SQLAlchemy and
asyncpg wrap the socket error that started it, and a refused connect arrives unwrapped.
"""

from __future__ import annotations

import errno
import socket
from functools import cache

_NETWORK_ERRNOS = {errno.ECONNREFUSED, errno.ECONNRESET, errno.ECONNABORTED, errno.EPIPE, errno.ETIMEDOUT,
                   errno.ENETUNREACH, errno.ENETDOWN, errno.EHOSTUNREACH, errno.EHOSTDOWN}


@cache
def _outage_types() -> tuple[type[BaseException], ...]:
    """Errors of the drivers that mean "the server is not there right now"."""
    import sqlalchemy.exc

    # ConnectionError: refused, reset, broken pipe; TimeoutError: no answer in time; gaierror: the
    # server's name does not resolve (a container being replaced). A pool timeout: no connection
    # came free in time.
    found: list[type[BaseException]] = [ConnectionError, TimeoutError, socket.gaierror, sqlalchemy.exc.TimeoutError]
    try:
        import asyncpg.exceptions as pg

        # Class 08 (a connection lost mid-query among them), and a server that is shutting down,
        # starting up or full (a query on a connection already closed: SQLAlchemy's
        # ``connection_invalidated`` below).
        found += [pg.PostgresConnectionError, pg.AdminShutdownError, pg.CrashShutdownError,
                  pg.CannotConnectNowError, pg.TooManyConnectionsError]
    except ImportError:  # pragma: no cover - PostgreSQL support not installed
        pass
    try:
        import redis.exceptions as rx

        found += [rx.ConnectionError, rx.TimeoutError]  # BusyLoadingError (still loading) is a ConnectionError
    except ImportError:  # pragma: no cover
        pass
    return tuple(found)


def is_outage(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) is the database or Redis being unreachable."""
    from aiogram.exceptions import TelegramAPIError
    from sqlalchemy.exc import DBAPIError

    types = _outage_types()
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, TelegramAPIError):
            return False  # Telegram's side (its network errors wrap a ConnectionError too): not ours
        if isinstance(current, types):
            return True
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True  # SQLAlchemy's own verdict: the connection was lost
        if type(current) is OSError and current.errno in _NETWORK_ERRNOS:
            return True
        current = current.__cause__ or current.__context__
    return False
