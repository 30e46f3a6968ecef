"""The waitlist through the services, on SQLite and PostgreSQL: tap order, held seats, offers passed
from #1 to #2 to #3, capacity raises, accept racing the deadline, undeliverable offers, cutoffs."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import func, select, update

from core.db import utcnow
from core.delivery.models import OutboxMessage
from core.models import User
from core.people import SYSTEM
from plugins.waitlist import service as waitlist
from plugins.waitlist.models import Entry
from plugins.workshops import booking, catalogue
from plugins.workshops.models import Booking
from ws_helpers import add_workshop, event, make_users, start


async def book(app, uid, wid, now=None, order_key=None):
    ev = await event(app)
    async with app.transaction() as s:
        return await booking.book(app, s, ev, uid, wid, now=now, order_key=order_key)


async def entries(app, wid):
    """The queue in its order: by tap (update id), ties by id."""
    async with app.sessions() as s:
        return list((await s.scalars(select(Entry).where(Entry.workshop_id == wid)
                                     .order_by(*waitlist.QUEUE_ORDER))).all())


async def offer_of(app, wid):
    return [e for e in await entries(app, wid) if e.state == "offered"]


async def booked_ids(app, wid):
    async with app.sessions() as s:
        return set((await s.scalars(select(Booking.user_id).where(Booking.workshop_id == wid))).all())


async def test_200_taps_for_10_seats_book_10_and_queue_190_in_order(sandbox):
    app = await start(sandbox)
    w = await add_workshop(app, capacity=10)
    users = await make_users(app, 200)
    results = dict(zip(users, await asyncio.gather(*(book(app, uid, w.id) for uid in users)), strict=True))
    booked = {uid for uid, r in results.items() if r.status == "booked"}
    queued = {uid: r.position for uid, r in results.items() if r.status == "queued"}
    assert len(booked) == 10 and len(queued) == 190
    assert booked == await booked_ids(app, w.id)
    # Every queued user was told their true place: the queue is exactly that order.
    queue = [e.user_id for e in await entries(app, w.id)]
    assert [queued[uid] for uid in queue] == list(range(1, 191))


async def test_queue_is_in_tap_order_when_taps_reach_the_lock_out_of_order(sandbox):
    """The queue order is the order the taps were sent (their update ids), not the order they were
    served in: 40 taps for 2 seats served in a shuffled order, all at once."""
    import random

    app = await start(sandbox)
    w = await add_workshop(app, capacity=2)
    users = await make_users(app, 40)
    sent = {uid: 5000 + i for i, uid in enumerate(users)}  # update ids: the send order
    served = users[:]
    random.Random(7).shuffle(served)
    results = dict(zip(served, await asyncio.gather(*(book(app, uid, w.id, order_key=sent[uid]) for uid in served)),
                       strict=True))
    booked = {uid for uid, r in results.items() if r.status == "booked"}
    assert len(booked) == 2 and booked == await booked_ids(app, w.id)
    queue_entries = await entries(app, w.id)
    queue = [e.user_id for e in queue_entries]
    assert queue == sorted(set(users) - booked, key=sent.__getitem__)
    # Each was told the place they had when served (entry ids are the order they reached the lock);
    # one served later but sent earlier went ahead of them.
    served_before = {e.user_id: {o.user_id for o in queue_entries if o.id < e.id} for e in queue_entries}
    assert [e.id for e in sorted(queue_entries, key=lambda e: e.id)] != [e.id for e in queue_entries]  # shuffled
    for uid, r in results.items():
        if r.status == "queued":
            assert r.position == 1 + sum(sent[u] < sent[uid] for u in served_before[uid])
    # And the next freed seat goes to the first in tap order.
    ev = await event(app)
    async with app.transaction() as s:
        await booking.cancel(app, s, ev, next(iter(booked)), w.id)
    [offer] = await offer_of(app, w.id)
    assert offer.user_id == queue[0]


async def test_freed_seat_goes_to_1_then_decline_to_2_then_expiry_to_3(sandbox):
    app = await start(sandbox)
    w = await add_workshop(app, capacity=1)
    holder, first, second, third, late = await make_users(app, 5)
    for uid in (holder, first, second, third):
        await book(app, uid, w.id)
    ev = await event(app)
    async with app.transaction() as s:
        await booking.cancel(app, s, ev, holder, w.id)
    [offer] = await offer_of(app, w.id)
    assert offer.user_id == first
    # The held seat is not for passers-by: a newcomer is queued behind, not booked.
    assert (await book(app, late, w.id)).status == "queued"
    async with app.transaction() as s:
        assert (await waitlist.decline(app, s, ev, first, offer.id)).status == "declined"
    [offer] = await offer_of(app, w.id)
    assert offer.user_id == second
    # The deadline passes: lazy expiry, then the sweep passes the seat on.
    await waitlist.sweep(app, now=offer.expires_at + dt.timedelta(seconds=1))
    [offer] = await offer_of(app, w.id)
    assert offer.user_id == third, [(e.user_id, e.state, e.reason) for e in await entries(app, w.id)]
    async with app.transaction() as s:
        assert (await waitlist.accept(app, s, ev, third, offer.id)).status == "booked"
    assert await booked_ids(app, w.id) == {third}
    states = {e.user_id: e.state for e in await entries(app, w.id)}
    assert states == {first: "declined", second: "expired", third: "accepted", late: "waiting"}
    async with app.sessions() as s:
        kinds = [(r.user_id, r.kind) for r in (await s.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()]
    assert kinds == [(first, "waitlist:offer"), (second, "waitlist:offer"), (second, None), (third, "waitlist:offer")]


async def test_raising_capacity_by_5_makes_5_offers_and_lowering_below_bookings_is_refused(sandbox):
    app = await start(sandbox)
    w = await add_workshop(app, capacity=3)
    users = await make_users(app, 10)
    for uid in users:
        await book(app, uid, w.id)
    ev = await event(app)
    async with app.transaction() as s:
        result = await catalogue.set_capacity(app, s, ev, SYSTEM, w.id, 8)
    assert result.status == "changed"
    offers = await offer_of(app, w.id)
    assert [e.user_id for e in offers] == users[3:8]
    async with app.transaction() as s:
        refused = await catalogue.set_capacity(app, s, ev, SYSTEM, w.id, 5)
    assert (refused.status, refused.booked, refused.held) == ("below", 3, 5)


async def test_accept_racing_the_deadline_is_accepted_or_expired_never_both(sandbox):
    app = await start(sandbox)
    ev = await event(app)
    for round_ in range(4):
        w = await add_workshop(app, title=f"W{round_}", capacity=1, hours_ahead=72 + 3 * round_)
        holder, first, second = await make_users(app, 3, start_id=2000 + 10 * round_)
        for uid in (holder, first, second):
            await book(app, uid, w.id)
        async with app.transaction() as s:
            await booking.cancel(app, s, ev, holder, w.id)
        [offer] = await offer_of(app, w.id)
        deadline = offer.expires_at

        async def accept():
            async with app.transaction() as s:
                return await waitlist.accept(app, s, ev, first, offer.id, now=deadline - dt.timedelta(microseconds=1))

        answer, _ = await asyncio.gather(accept(), waitlist.sweep(app, now=deadline))
        states = {e.user_id: e.state for e in await entries(app, w.id)}
        booked = await booked_ids(app, w.id)
        if answer.status == "booked":
            assert states[first] == "accepted" and booked == {first} and states[second] == "waiting"
        else:
            assert answer.status == "expired"
            assert states[first] == "expired" and first not in booked and states[second] == "offered"


async def test_a_tap_after_an_offer_lapsed_passes_the_seat_to_the_queue_not_the_tapper(sandbox):
    app = await start(sandbox)
    ev = await event(app)
    w = await add_workshop(app, capacity=1)
    holder, first, second, late = await make_users(app, 4)
    for uid in (holder, first, second):
        await book(app, uid, w.id)
    async with app.transaction() as s:
        await booking.cancel(app, s, ev, holder, w.id)
    [offer] = await offer_of(app, w.id)
    after = offer.expires_at + dt.timedelta(seconds=1)  # no sweep ran: the offer lapsed lazily
    result = await book(app, late, w.id, now=after)
    assert (result.status, result.position) == ("queued", 1)  # behind nobody waiting: #2 holds the offer now
    states = {e.user_id: e.state for e in await entries(app, w.id)}
    assert states == {first: "expired", second: "offered", late: "waiting"}
    assert await booked_ids(app, w.id) == set()


async def test_accept_after_the_deadline_is_expired_and_the_seat_moves_on(sandbox):
    app = await start(sandbox)
    ev = await event(app)
    w = await add_workshop(app, capacity=1)
    holder, first, second = await make_users(app, 3)
    for uid in (holder, first, second):
        await book(app, uid, w.id)
    async with app.transaction() as s:
        await booking.cancel(app, s, ev, holder, w.id)
    [offer] = await offer_of(app, w.id)
    async with app.transaction() as s:
        late = await waitlist.accept(app, s, ev, first, offer.id, now=offer.expires_at)
    assert late.status == "expired"
    [offer] = await offer_of(app, w.id)
    assert offer.user_id == second and await booked_ids(app, w.id) == set()


async def test_offer_to_a_user_who_blocked_the_bot_expires_at_once(sandbox):
    app = await start(sandbox)
    ev = await event(app)
    w = await add_workshop(app, capacity=1)
    holder, blocked, reachable = await make_users(app, 3)
    for uid in (holder, blocked, reachable):
        await book(app, uid, w.id)
    async with app.transaction() as s:
        await s.execute(update(User).where(User.id == blocked).values(unreachable_at=utcnow()))
    async with app.transaction() as s:
        await booking.cancel(app, s, ev, holder, w.id)
    [offer] = await offer_of(app, w.id)
    assert offer.user_id == reachable
    # And when a 403 comes back for an offer already sent, the delivery outcome expires it at once.
    async with app.transaction() as s:
        assert await waitlist.offer_undeliverable(app, s, offer.id)
    states = {e.user_id: (e.state, e.reason) for e in await entries(app, w.id)}
    assert states[blocked] == ("expired", "undeliverable") and states[reachable] == ("expired", "undeliverable")


async def test_no_offers_and_no_queueing_after_the_offer_cutoff(sandbox):
    app = await start(sandbox, waitlist={"offer_cutoff_minutes": 120})
    ev = await event(app)
    w = await add_workshop(app, capacity=1, hours_ahead=72)
    holder, waiting, late = await make_users(app, 3)
    await book(app, holder, w.id)
    await book(app, waiting, w.id)
    after_cutoff = w.starts_at - dt.timedelta(minutes=90)
    assert (await book(app, late, w.id, now=after_cutoff)).status == "full"
    async with app.transaction() as s:
        await booking.cancel(app, s, ev, holder, w.id, now=after_cutoff)
    assert await offer_of(app, w.id) == []
    # The freed seat is now open to anyone who taps, the person still listed included.
    assert (await book(app, late, w.id, now=after_cutoff)).status == "booked"


async def test_offer_window_is_shorter_close_to_the_start(sandbox):
    app = await start(sandbox, waitlist={"offer_minutes": 600, "offer_minutes_near_start": 20,
                                         "near_start_hours": 24, "offer_cutoff_minutes": 30})
    ev = await event(app)
    soon = await add_workshop(app, capacity=1, hours_ahead=5)
    later = await add_workshop(app, title="Later", capacity=1, hours_ahead=100)
    users = await make_users(app, 4)
    for w in (soon, later):
        await book(app, users[0] if w is soon else users[2], w.id)
        await book(app, users[1] if w is soon else users[3], w.id)
    now = utcnow()
    async with app.transaction() as s:
        await booking.cancel(app, s, ev, users[0], soon.id, now=now)
        await booking.cancel(app, s, ev, users[2], later.id, now=now)
    [near] = await offer_of(app, soon.id)
    [far] = await offer_of(app, later.id)
    assert dt.timedelta(minutes=19) < near.expires_at - now <= dt.timedelta(minutes=20, seconds=5)
    assert dt.timedelta(minutes=599) < far.expires_at - now <= dt.timedelta(minutes=600, seconds=5)


async def test_leaving_the_queue_and_rejoining_goes_to_the_back(sandbox):
    app = await start(sandbox)
    ev = await event(app)
    w = await add_workshop(app, capacity=1)
    holder, a, b = await make_users(app, 3)
    for uid in (holder, a, b):
        await book(app, uid, w.id)
    async with app.transaction() as s:
        assert (await waitlist.leave(app, s, ev, a, w.id)).status == "left"
    again = await book(app, a, w.id)
    assert (again.status, again.position) == ("queued", 2)
    async with app.sessions() as s:
        total = await s.scalar(select(func.count()).select_from(Entry).where(Entry.user_id == a))
    assert total == 2  # history kept; one open entry at a time


async def test_a_burst_decided_in_one_transaction_gets_the_answers_each_tap_would_get_alone(sandbox):
    """``book_many`` (taps queued behind one another, decided together under one lock): the last
    seats go to the first taps, the rest queue in tap order, a double tap is booked or queued once,
    and each tap remembers the workshop version it left (so later seat changes reach its card)."""
    app = await start(sandbox)
    w = await add_workshop(app, capacity=2)
    a, b, c, d = await make_users(app, 4)
    ev = await event(app)
    taps = [(a, 101), (b, 102), (a, 103), (c, 104), (d, 105), (c, 106)]
    async with app.transaction() as s:
        results = await booking.book_many(app, s, ev, w.id, taps)
    assert [r.status for r in results] == ["booked", "booked", "already", "queued", "queued", "already_queued"]
    assert [r.position for r in results[3:]] == [1, 2, 1]
    assert results[0].version < results[1].version == results[2].version
    assert await booked_ids(app, w.id) == {a, b}
    assert [e.user_id for e in await entries(app, w.id)] == [c, d]
    alone = await book(app, c, w.id, order_key=107)  # and afterwards, one tap alone agrees
    assert (alone.status, alone.position) == ("already_queued", 1)


async def _same_workshop_twice(app, users, *, capacity, booked=(), waiting=(), offered=(), lapsed=()):
    """Two workshops a day apart, each with the same bookings, queue (user, tap order) and offers."""
    ev = await event(app)
    now = utcnow()
    twins = []
    for day in (0, 1):
        w = await add_workshop(app, capacity=capacity, hours_ahead=72 + 24 * day)
        async with app.transaction() as s:
            for uid in booked:
                s.add(Booking(workshop_id=w.id, event_id=ev.id, user_id=users[uid], source="direct", created_at=now))
            for uid, key in waiting:
                s.add(Entry(workshop_id=w.id, event_id=ev.id, user_id=users[uid], state="waiting", tap_order=key))
            for uid, minutes in [*((u, 60) for u in offered), *((u, -1) for u in lapsed)]:
                s.add(Entry(workshop_id=w.id, event_id=ev.id, user_id=users[uid], state="offered", tap_order=1,
                            offered_at=now, expires_at=now + dt.timedelta(minutes=minutes)))
        twins.append(w)
    return twins


def _told(result):
    """What a tap's answer and card show: the outcome, the place, the seats, the queue's figures."""
    state = result.state
    seats = None if state is None else (state.booked, state.held, state.mine, state.held_mine)
    queue = None if state is None else {k: state.extra.get(k) for k in ("waiting", "new_ahead", "entry_state",
                                                                           "entry_position")}
    return result.status, result.position, seats, queue


@pytest.mark.parametrize("setup, taps", [
    ({"capacity": 3}, [0, 1, 2, 3, 4, 5]),  # the last seats, then a queue
    ({"capacity": 2, "booked": [0, 1], "waiting": [(2, 900), (3, 950)]}, [4, 5, 6]),  # sent before the queue's
    # No free seat while someone waits: the waitlist's sweep (every 15 s, running in the app) would
    # offer it to them in one workshop and not yet in the other, and the two would differ.
    ({"capacity": 1, "booked": [5], "waiting": [(2, 50)]}, [0, 1, 2, 3, 4]),  # someone already in line, mid-batch
    ({"capacity": 2}, [0, 1, 0, 2, 2, 3]),  # double taps
    ({"capacity": 2, "offered": [3]}, [0, 1, 3, 4]),  # a seat held for someone who taps
    ({"capacity": 2, "booked": [0], "lapsed": [5]}, [1, 2, 3, 4]),  # a lapsed offer to settle first
    ({"capacity": 1, "booked": [7], "waiting": [(6, 150)]},
     [(0, 300), (1, 200), (2, 100), (3, None)]),  # keys not ascending; one goes ahead of the waiting
])
async def test_a_batch_tells_each_tap_what_it_would_be_told_alone(sandbox, setup, taps):
    """``book_many`` reads the batch's states in one statement and carries the counts from tap to
    tap; every answer and card figure must equal what the same taps get one at a time."""
    app = await start(sandbox)
    users = await make_users(app, 8)
    batched, alone = await _same_workshop_twice(app, users, **setup)
    ev = await event(app)
    tap_list = [(users[t[0]], t[1]) if isinstance(t, tuple) else (users[t], 100 + n) for n, t in enumerate(taps)]
    async with app.transaction() as s:
        together = await booking.book_many(app, s, ev, batched.id, tap_list)
    one_by_one = [await book(app, uid, alone.id, order_key=key) for uid, key in tap_list]
    assert [_told(r) for r in together] == [_told(r) for r in one_by_one]
    queue = [(e.user_id, e.state) for e in await entries(app, batched.id)]
    assert queue == [(e.user_id, e.state) for e in await entries(app, alone.id)]
    assert await booked_ids(app, batched.id) == await booked_ids(app, alone.id)
