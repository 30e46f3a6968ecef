"""Hooks the workshops plugin publishes (through ``add_hookspecs``) for plugins built on it.

The waitlist plugin implements them; any other plugin may (a lottery, paid seats, ...); the schedule
plugin implements ``workshops_change_notice``. Every hook is called inside the transaction that
changes seats, with the workshop row already locked, so what an implementation writes (offers,
notices in the outbox) commits or rolls back with the change. Called only on plugins active for
the workshop's event; async implementations are awaited in order.
"""

from __future__ import annotations

from core.hookspecs import hookspec


@hookspec
def workshops_process_holds(app, session, workshop, now):
    """Lazy expiry: settle holds that lapsed (expired offers) and pass their seats on, before
    availability is computed. The workshop row is locked."""

@hookspec
def workshops_held_seats(app, session, workshop_ids, user_id, now):
    """Return ``{workshop_id: (held, held_for_user)}``: seats held for specific people (open offers) which count
    against capacity, and whether one of them is held for ``user_id``."""

@hookspec
def workshops_state_columns(app, params):
    """Return ``[labelled scalar subquery, ...]`` to read together with the seat counts in the one
    statement a booking tap makes under the lock (``SeatState.extra`` gets them by label). Must
    include ``held`` (open offers counting against capacity), ``held_mine`` and ``lapsed`` (offers
    past their deadline) if the plugin holds seats. Built once and reused: use the bind parameters
    of ``params`` (``seat_state.TapParams``: workshop_id, user_id, now, order_key), never values. A
    batch passes ``user_id`` and ``order_key`` as columns of a row per tap: build scalar
    subqueries only (they correlate with that row; a subquery in FROM would not)."""

@hookspec
def workshops_carry_state(app, state, left):
    """A batch of taps (``booking.book_many``) reads every tap's ``SeatState`` in one statement
    before deciding the first. Bring your columns in ``state.extra`` — a later tap's, as read then —
    up to date with ``left``, the state the tap before it left behind. Called only while every
    earlier tap of the batch booked, queued or refused someone new to the workshop, in tap order,
    and only for a person new to it (no booking or offer). Return False when you cannot (e.g.
    the person has something of yours here): that tap and the rest read their state alone."""

@hookspec
def workshops_full(app, session, event, workshop, user_id, now, state, order_key):
    """No seat for ``user_id``: queue them. Return a ``QueueOutcome`` (or None: nobody queues).
    ``state`` is the ``SeatState`` read under the lock (update its ``extra`` to match what you did);
    ``order_key`` the tap's order (Telegram update id) or None."""

@hookspec
def workshops_booked(app, session, workshop, user_id, source, state):
    """``user_id`` got a seat (``source``: direct | waitlist): close their queue entry or offer.
    ``state``: the ``SeatState`` read under the lock (None from paths that did not read one)."""

@hookspec
def seat_released(app, session, workshop_id, count, now):
    """``count`` seats of the (locked) workshop became free: a cancellation, a declined offer."""

@hookspec
def capacity_changed(app, session, workshop_id, old, new, now):
    """An organizer changed the capacity of the (locked) workshop."""

@hookspec
def workshops_card_extras(app, session, event, workshop, user_id, tr, now, state):
    """Return a ``CardExtras`` for ``user_id``'s view of the card (queue position, offer buttons).
    With a ``state`` (``SeatState`` of the tap just made) answer from it, without queries
    (``event`` is the workshop's event, so that it need not be read either)."""

@hookspec
def workshops_people(app, session, workshop):
    """Return ``{user_id: kind}`` of people beyond the attendees who should hear about a change
    of time or place, or about the workshop being cancelled (kind: "offered", "waiting")."""

@hookspec
def workshops_export_rows(app, session, workshop):
    """Extra CSV rows for the organizer export: ``[status, position, user_id, name, username,
    phone, since]`` per person (the waitlist adds its queue)."""

@hookspec
def workshops_change_notice(app, session, event, change, now):
    """A workshop moved, changed place or is cancelled: ``change`` (``public.WorkshopChange``) says
    how and who should hear of it. Return the user ids you will tell yourself; workshops sends its
    own notice to everyone else (to all of them when nobody implements this). The schedule plugin
    takes the booked people here, so the change joins the one digest of program changes each of
    them gets. Called in the transaction of the change."""
