"""Letting the code that queued a message react to how its delivery ended.

A row's ``kind`` names who cares; handlers registered for that kind run with the sender's session,
inside the transaction that records the outcome, so their own writes commit atomically with it
(e.g. waitlist: an offer notice that could not be delivered expires the offer at once).

    from core.delivery.outcomes import on_result

    @on_result("waitlist:offer")
    async def offer_notice_done(session, row, outcome):
        if not outcome.delivered:
            await expire_offer(session, row.payload["offer_id"])

Handlers run once per final outcome (sent, failed, blocked), never for retries. Each runs in a
SAVEPOINT: one that raises is logged and rolled back alone, without losing the recorded outcome.
At-least-once: a crash between send and record can repeat a send, and so a handler call.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.delivery.models import OutboxMessage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeliveryOutcome:
    state: str  # "sent" | "failed" | "blocked"
    error: str | None = None
    message_id: int | None = None

    @property
    def delivered(self) -> bool:
        return self.state == "sent"


OutcomeHandler = Callable[["AsyncSession", "OutboxMessage", DeliveryOutcome], Awaitable[None]]


class OutcomeHandlers:
    def __init__(self) -> None:
        self._by_kind: dict[str, list[OutcomeHandler]] = {}

    def register(self, kind: str, handler: OutcomeHandler) -> OutcomeHandler:
        handlers = self._by_kind.setdefault(kind, [])
        if handler not in handlers:  # plugins may register again on every start-up
            handlers.append(handler)
        return handler

    def unregister(self, kind: str, handler: OutcomeHandler) -> None:
        if handler in self._by_kind.get(kind, []):
            self._by_kind[kind].remove(handler)

    def kinds(self) -> set[str]:
        return {k for k, v in self._by_kind.items() if v}

    async def dispatch(self, session: AsyncSession, row: OutboxMessage, outcome: DeliveryOutcome) -> None:
        for handler in list(self._by_kind.get(row.kind or "", ())):
            try:
                async with session.begin_nested():
                    await handler(session, row, outcome)
            except Exception:
                log.exception("outcome handler %s for outbox row %s (kind %s) failed",
                              getattr(handler, "__qualname__", handler), row.id, row.kind)


outcome_handlers = OutcomeHandlers()


def on_result(kind: str) -> Callable[[OutcomeHandler], OutcomeHandler]:
    """Decorator: call the function with (session, row, outcome) when a row of ``kind`` ends."""

    def decorate(handler: OutcomeHandler) -> OutcomeHandler:
        return outcome_handlers.register(kind, handler)

    return decorate
