"""Booking taps for one workshop, decided together: the process ``UpdateSequencer.batched`` runs.

A tap is plain data (who, in which order, on which message); the batch books or queues each one in
tap order under one lock (``booking.book_many``), remembers the card message each tap was made on
as a live view, and commits — one transaction and one commit for the lot. It returns plain
results; each tap's handler renders its own card from its result after the commit, so no card is
drawn while the workshop is locked.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from core.db import commit_now
from core.models import Event
from plugins.workshops import booking, live
from plugins.workshops.results import BookResult


@dataclass(frozen=True, slots=True)
class Tap:
    """One press of "Book": who pressed, the order of the press (its update id), and the card
    message it was pressed on (chat id, message id), or None when that message cannot be edited."""

    user_id: int
    order_key: int | None
    card: tuple[int, int] | None = None


async def book_batch(app, session: AsyncSession, event: Event, workshop_id: int, taps: list[Tap]) -> list[BookResult]:
    """Book or queue ``taps`` (in tap order) in ``session``'s transaction and commit it; one result
    per tap. Like the polls' vote batch, it decides for several updates at once and so commits
    that transaction itself; it rolls back what it began if it fails (the sequencer then retries
    tap by tap)."""
    try:
        results = await booking.book_many(app, session, event, workshop_id,
                                          [(tap.user_id, tap.order_key) for tap in taps])
        # Each card message becomes a live view in the same transaction. The card is rendered only
        # after the commit, so the view's digest is left unknown: the first refresh after the next
        # seat change edits it (or learns it shows the same), as it would a view it never saw.
        await live.store(session, [
            live.view_row(app, event=event, chat_id=tap.card[0], message_id=tap.card[1], user_id=tap.user_id,
                          kind="card", workshop_ids=[result.workshop.id], page=0, text=None, markup=None,
                          seen_version=result.version)
            for tap, result in zip(taps, results, strict=True)
            if tap.card is not None and result.state is not None and result.workshop is not None])
        await commit_now(session)
    except Exception:
        await session.rollback()
        raise
    return results
