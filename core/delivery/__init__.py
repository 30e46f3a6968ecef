"""Delivery: everything the bot sends that is not an immediate reply goes through the outbox.

Services use ``enqueue``/``create_broadcast`` with their own session (no aiogram here); the
``OutboxSender`` (the only part that talks to Telegram) drains the queue within Telegram's limits.

    from core.delivery import enqueue, Priority
    await enqueue(session, chat_id=user.id, text=tr("offer"), priority=Priority.INTERACTIVE,
                  dedupe_key=f"waitlist:offer:{offer.id}", kind="waitlist:offer", payload={"offer": offer.id})
"""

from core.delivery.broadcast import (
    BroadcastStatus,
    DeliveryCounts,
    OutboxStatus,
    broadcast_status,
    create_broadcast,
    outbox_status,
)
from core.delivery.content import MediaRef, store_media
from core.delivery.models import Broadcast, OutboxMessage, OutboxState, Priority
from core.delivery.outbox import enqueue, enqueue_many
from core.delivery.outcomes import DeliveryOutcome, on_result, outcome_handlers

__all__ = [
    "Broadcast",
    "BroadcastStatus",
    "DeliveryCounts",
    "DeliveryOutcome",
    "MediaRef",
    "OutboxMessage",
    "OutboxSender",
    "OutboxState",
    "OutboxStatus",
    "Priority",
    "broadcast_status",
    "create_broadcast",
    "enqueue",
    "enqueue_many",
    "on_result",
    "outbox_status",
    "outcome_handlers",
    "store_media",
]


def __getattr__(name: str):
    # The sender imports aiogram; load it only when asked, so services importing
    # ``core.delivery`` stay free of Telegram types.
    if name == "OutboxSender":
        from core.delivery.sender import OutboxSender

        return OutboxSender
    raise AttributeError(f"module 'core.delivery' has no attribute {name!r}")
