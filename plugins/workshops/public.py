"""What other plugins may use of workshops, besides the hooks in ``hookspecs.py``, the tables in
``models.py`` (for queries and foreign keys) and the callback data in ``keyboards.py``.

Everything else in this package may change without notice. The functions take the caller's
session and write nothing unless their name says so; times are timezone-aware UTC. Importing this
module imports no aiogram (``show_card`` loads the handlers when it is called).

    from plugins.workshops import public as workshops

    workshop = await workshops.lock_workshop(session, event.id, workshop_id)  # held until commit
    if workshops.config(app, event).overlap == "refuse" and await workshops.find_clash(
            session, event.id, user_id, workshop):
        ...
    result = await workshops.book_held_seat(app, session, event, workshop, user_id, now)
    text = tr("my-line", when=workshops.format_when(tr, workshop, workshops.tz_of(event)))

Reading: ``get_workshop``, ``lock_workshop`` (the row locked for the rest of the transaction:
what every seat change of the workshops plugin takes first), ``list_workshops``,
``booked_counts``, ``attended_counts``, ``is_booked``, ``find_clash``.
Settings and text: ``config`` (the event's ``WorkshopsConfig``), ``tz_of``, ``booking_closes_at``,
``format_when``, ``format_day``.
Seats and the door: ``book_held_seat`` (a seat you held for someone becomes their booking),
``mark_attended`` / ``unmark_attended`` (``Attendance``).
Showing: ``show_card`` (a workshop's card, as the workshops plugin shows it).
Types of the hooks: ``SeatState``, ``Seats``, ``Clash``, ``QueueOutcome``, ``CardExtras``,
``BookResult``, ``WorkshopChange``, ``TapParams``, and ``NO_ORDER_KEY`` (the order key of a tap
that has none: behind everyone).
"""

from __future__ import annotations

from plugins.workshops.attendance import Attendance, attended_counts, mark_attended, unmark_attended
from plugins.workshops.booking import book_held_seat
from plugins.workshops.formatting import format_day, format_when
from plugins.workshops.notify import WorkshopChange
from plugins.workshops.queries import booked_counts, find_clash, get_workshop, is_booked, list_workshops, lock_workshop
from plugins.workshops.results import BookResult, CardExtras, Clash, QueueOutcome, Seats, SeatState
from plugins.workshops.seat_state import NO_ORDER_KEY, TapParams
from plugins.workshops.settings import booking_closes_at, config, tz_of

__all__ = [
    "NO_ORDER_KEY", "Attendance", "BookResult", "CardExtras", "Clash", "QueueOutcome", "SeatState", "Seats",
    "TapParams", "WorkshopChange", "attended_counts", "book_held_seat", "booked_counts", "booking_closes_at",
    "config", "find_clash", "format_day", "format_when", "get_workshop", "is_booked", "list_workshops",
    "lock_workshop", "mark_attended", "show_card", "tz_of", "unmark_attended",
]


async def show_card(query, app, session, event_ctx, workshop_id: int, *, notice: str | None = None,
                    page: int = 0, callback_answer=None) -> None:
    """Show the workshop's card to the user who pressed a button (a ``CallbackQuery``), for a
    handler of another plugin (the waitlist after an offer is accepted or the queue left).

    The card is what the workshops plugin shows: seats, the user's booking, every plugin's lines and
    buttons (``workshops_card_extras``), ``notice`` on top. It replaces the message whose button was
    pressed, or comes as a new one; it is remembered for live seat updates. The caller's changes in
    ``session`` are committed first, so the card shows what is stored and is not drawn inside the
    caller's transaction (its lock released). A workshop that is gone shows the list
    instead (and, with ``callback_answer``, says so in the toast).

        await workshops.show_card(query, app, session, event_ctx, workshop.id,
                                  notice=event_ctx.tr("waitlist-left", title=title))
    """
    from plugins.workshops import handlers  # aiogram: loaded when a card is shown

    await handlers.show_card(query, app, session, event_ctx, workshop_id, page=page, notice=notice,
                             callback_answer=callback_answer)
