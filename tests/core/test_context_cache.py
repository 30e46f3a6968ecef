"""The per-process context cache: a user's row, event and role are reused between updates, and
every change made anywhere in this process shows on the very next update."""

import sqlalchemy as sa
from sqlalchemy import update
from sqlalchemy.orm import make_transient_to_detached

from core import context_cache, people
from core.context_cache import ContextCache
from core.db import create_engine, session_factory, utcnow
from core.models import Event, Member, Role, User

ADMIN_BUTTON = "Панель организатора"


def _has_admin_button(user) -> bool:
    return any(ADMIN_BUTTON in b for b in user.buttons())


async def _joined(sandbox, name: str, **kwargs):
    """A participant who joined the demo event and has its main menu open."""
    person = sandbox.user(name, **kwargs)
    await person.send("/start demo")
    await person.send("/menu")
    await person.expect(text="Главное меню")
    return person


async def test_repeated_taps_reuse_the_context_without_reading_the_database(sandbox):
    app = await sandbox.start(plugins=["faq"])
    alice = await _joined(sandbox, "Alice")
    statements: list[str] = []
    sa.event.listen(app.engine.sync_engine, "before_cursor_execute",
                    lambda _c, _cur, statement, *_a: statements.append(statement))
    hits = app.context_cache.hits
    for _ in range(3):
        await alice.send("/menu")
        await alice.expect(text="Главное меню")
    assert app.context_cache.hits == hits + 3
    # (the outbox sender polls in the background; only the context read starts like this)
    assert not [s for s in statements if s.lstrip().startswith("SELECT core_users")]


async def test_a_role_granted_in_this_process_shows_on_the_next_tap(sandbox):
    app = await sandbox.start(plugins=["faq"])
    bob = await _joined(sandbox, "Bob")
    await bob.send("/menu")
    await bob.expect(text="Главное меню")
    assert not _has_admin_button(bob)
    async with app.transaction() as session:
        event = await people.event_by_slug(session, "demo")
        await people.set_role(session, event, bob.id, Role.ADMIN)
    await bob.send("/menu")
    await bob.expect(text="Главное меню")
    assert _has_admin_button(bob)
    async with app.transaction() as session:
        await people.set_role(session, event, bob.id, Role.PARTICIPANT)
    await bob.send("/admin")
    await bob.expect(text="только организаторам")  # revoked: refused at once, not after a while


async def test_a_bulk_update_drops_the_cached_context(sandbox):
    """The sender marks blocked users with a bulk UPDATE and says so; a cached row would keep the old mark."""
    app = await sandbox.start(plugins=["faq"])
    carol = await _joined(sandbox, "Carol")
    async with app.transaction() as session:
        await session.execute(update(User).where(User.id == carol.id).values(unreachable_at=utcnow()))
        context_cache.changed(session, [carol.id])  # what a service writing in bulk must say
    await carol.send("/menu")  # writing to us means she unblocked the bot: the mark must go
    await carol.expect(text="Главное меню")
    async with app.sessions() as session:
        assert (await session.get(User, carol.id)).unreachable_at is None


async def test_language_chosen_in_the_cabinet_is_saved_from_a_cached_context(sandbox):
    app = await sandbox.start(plugins=["faq"])
    ian = sandbox.user("Ian", lang="en")
    await ian.send("/start demo")
    await ian.send("/menu")
    await ian.expect(text="Main menu")
    await ian.click("My profile")
    assert app.context_cache.hits > 0
    await ian.click("Language")
    await ian.click("Русский")
    await ian.expect(text="Язык изменён")
    async with app.sessions() as session:
        assert (await session.get(User, ian.id)).language == "ru"
    await ian.send("/menu")
    await ian.expect(text="Главное меню")


async def test_another_process_writes_show_once_the_entry_expires(sandbox):
    """The CLI's `admin add` runs in another process: this one cannot see the write, so an
    entry lives at most database.context_cache_seconds."""
    app = await sandbox.start(plugins=["faq"])
    now = [0.0]
    app.context_cache._clock = lambda: now[0]
    dan = await _joined(sandbox, "Dan")
    await dan.send("/menu")
    await dan.expect(text="Главное меню")
    other = create_engine(sandbox.db_url)  # what a second process would do: its own engine
    try:
        async with session_factory(other)() as session:
            event = await people.event_by_slug(session, "demo")
            await people.set_role(session, event, dan.id, Role.ADMIN)
            await session.commit()
    finally:
        await other.dispose()
    await dan.send("/menu")
    await dan.expect(text="Главное меню")
    assert not _has_admin_button(dan)  # still the cached role, within the time limit
    now[0] += app.settings.database.context_cache_seconds + 0.1
    await dan.send("/menu")
    await dan.expect(text="Главное меню")
    assert _has_admin_button(dan)


async def test_the_cache_is_off_with_several_processes(sandbox):
    """With Redis set, other processes write too and a local copy could not know."""
    app = await sandbox.start(plugins=["faq"], settings={"redis": {"url": "redis://127.0.0.1:6379/15"}})
    assert not app.context_cache.enabled


async def test_the_cache_can_be_switched_off(sandbox):
    app = await sandbox.start(plugins=["faq"], settings={"database": {"context_cache_seconds": 0}})
    assert not app.context_cache.enabled
    erin = sandbox.user("Erin")
    await erin.send("/start demo")
    await erin.expect(text="Главное меню")
    await erin.send("/menu")
    await erin.expect(text="Главное меню")
    assert app.context_cache.hits == 0


def _detached(user_id: int) -> tuple[User, Event, Member]:
    """Rows as a finished session leaves them: detached, every attribute loaded."""
    rows = (User(id=user_id, first_name="X"), Event(id=1, slug="demo", title="Demo", timezone="UTC"),
            Member(id=1, event_id=1, user_id=user_id, role="participant", profile={}))
    for row in rows:
        for column in sa.inspect(type(row)).column_attrs:
            if column.key not in row.__dict__:
                setattr(row, column.key, None)
        make_transient_to_detached(row)
    return rows


def test_a_context_read_before_a_write_is_not_kept():
    cache = ContextCache(ttl=60)
    read_at = cache.stamp(7)
    cache.invalidate(7)  # a write to this user committed while the read was in flight
    cache.store(7, *_detached(7), stamp=read_at)
    assert 7 not in cache._entries
    read_at = cache.stamp(7)
    cache.invalidate(8)  # someone else's row: this read stays good
    cache.store(7, *_detached(7), stamp=read_at)
    assert 7 in cache._entries
    read_at = cache.stamp(9)
    cache.clear()  # a bulk write: nobody's read in flight can be trusted
    cache.store(9, *_detached(9), stamp=read_at)
    assert 9 not in cache._entries


async def test_a_person_busy_in_another_session_is_read_afresh(db_url):
    """Two updates of one person in two chats at once: the second must not steal the first's rows."""
    engine = create_engine(db_url)
    sessions = session_factory(engine)
    cache = ContextCache(ttl=60)
    user, event, member = _detached(7)
    cache.store(7, user, event, member, cache.stamp(7))
    try:
        async with sessions() as first, sessions() as second:
            assert cache.attach(first, 7) == (user, event, member)
            assert cache.attach(second, 7) is None
    finally:
        await engine.dispose()


async def test_what_an_update_wrote_is_kept_and_others_joining_do_not_drop_it(sandbox):
    app = await sandbox.start(plugins=["faq"])
    statements: list[str] = []
    sa.event.listen(app.engine.sync_engine, "before_cursor_execute",
                    lambda _c, _cur, statement, *_a: statements.append(statement))
    fay = sandbox.user("Fay")
    await fay.send("/start demo")  # she joins: her rows are written, then kept as committed
    await fay.expect(text="Главное меню")
    gus = sandbox.user("Gus")
    await gus.send("/start demo")  # someone else joining touches only his own entry
    await gus.expect(text="Главное меню")
    statements.clear()
    await fay.send("/menu")
    await fay.expect(text="Главное меню")
    await gus.send("/menu")
    await gus.expect(text="Главное меню")
    assert not [s for s in statements if s.lstrip().startswith("SELECT core_users")]
    async with app.sessions() as session:  # and what was kept is what the database holds
        fay_row = await session.get(User, fay.id)
    assert fay_row.current_event_id is not None


async def test_a_rolled_back_write_leaves_nothing_expired_or_unwritten_in_the_cache(sandbox):
    """A handler that changed the user and then failed: the rollback expires the very rows the cache
    held. The next update must neither get them (touching an expired row outside SQLAlchemy's
    greenlet raises MissingGreenlet) nor see the change that never committed."""
    app = await sandbox.start(plugins=["faq"])
    kim = await _joined(sandbox, "Kim")
    await kim.send("/menu")
    await kim.expect(text="Главное меню")
    async with app.sessions() as session:
        user, _event, _member = app.context_cache.attach(session, kim.id)
        user.language = "en"
        await session.flush()
        await session.rollback()
    assert sa.inspect(user).expired  # what the cache held is now unusable
    await kim.send("/menu")
    await kim.expect(text="Главное меню")  # still Russian: the change never committed
    async with app.sessions() as session:
        assert (await session.get(User, kim.id)).language != "en"
