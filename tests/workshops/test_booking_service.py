"""Booking through the service, on SQLite and PostgreSQL: capacity, double taps, overlaps, cutoffs."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import func, select

from core.db import utcnow
from plugins.workshops import booking
from plugins.workshops.models import Booking
from ws_helpers import add_workshop, event, make_users, start


async def book(app, uid, wid, now=None):
    ev = await event(app)
    async with app.transaction() as s:
        return await booking.book(app, s, ev, uid, wid, now=now)


async def test_last_seats_race_books_exactly_capacity(sandbox):
    app = await start(sandbox, plugins=("workshops",))
    w = await add_workshop(app, capacity=10)
    users = await make_users(app, 60)
    results = await asyncio.gather(*(book(app, uid, w.id) for uid in users))
    statuses = [r.status for r in results]
    assert statuses.count("booked") == 10
    assert statuses.count("full") == 50  # no waitlist plugin: told "full", never queued
    async with app.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Booking)) == 10


async def test_double_tap_books_once_and_says_already(sandbox):
    app = await start(sandbox)
    w = await add_workshop(app, capacity=1)
    [alice] = await make_users(app, 1)
    first, second = await asyncio.gather(book(app, alice, w.id), book(app, alice, w.id))
    assert sorted([first.status, second.status]) == ["already", "booked"]
    third = await book(app, alice, w.id)
    assert third.status == "already"  # not "full", although the one seat is hers
    async with app.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Booking)) == 1


async def test_overlapping_booking_is_refused_with_the_clash_named(sandbox):
    app = await start(sandbox)
    first = await add_workshop(app, title="Soldering", minutes=90)
    second = await add_workshop(app, title="Arduino", starts_at=first.starts_at + dt.timedelta(minutes=60))
    [alice] = await make_users(app, 1)
    assert (await book(app, alice, first.id)).status == "booked"
    result = await book(app, alice, second.id)
    assert result.status == "clash" and result.clash.title == "Soldering"


async def test_overlap_warn_mode_books_and_names_the_clash(sandbox):
    app = await start(sandbox, workshops={"overlap": "warn"})
    first = await add_workshop(app, title="Soldering", minutes=90)
    second = await add_workshop(app, title="Arduino", starts_at=first.starts_at + dt.timedelta(minutes=30))
    [alice] = await make_users(app, 1)
    await book(app, alice, first.id)
    result = await book(app, alice, second.id)
    assert result.status == "booked" and result.clash.title == "Soldering"


async def test_booking_closes_at_the_cutoff_and_cancel_frees_the_seat(sandbox):
    app = await start(sandbox, workshops={"booking_cutoff_minutes": 30})
    w = await add_workshop(app, capacity=1)
    alice, bob = await make_users(app, 2)
    late = w.starts_at - dt.timedelta(minutes=29)
    assert (await book(app, alice, w.id, now=late)).status == "closed"
    assert (await book(app, alice, w.id)).status == "booked"
    ev = await event(app)
    async with app.transaction() as s:
        assert (await booking.cancel(app, s, ev, alice, w.id)).status == "cancelled"
    async with app.transaction() as s:
        assert (await booking.cancel(app, s, ev, alice, w.id)).status == "not_booked"
    assert (await book(app, bob, w.id)).status == "booked"
