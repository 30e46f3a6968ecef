"""Events, users and memberships: the core's domain service (no Telegram types)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ARRAY, BigInteger, any_, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.config import CoreSettings
from core.db import utcnow
from core.i18n import pick_language
from core.models import Event, Member, Role, User


@dataclass(frozen=True)
class TelegramProfile:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None


async def sync_events(session: AsyncSession, settings: CoreSettings) -> dict[str, Event]:
    """Create or update the events named in the config; events removed from it stay in the DB."""
    existing = {e.slug: e for e in (await session.scalars(select(Event))).all()}
    for slug, conf in settings.events.items():
        event = existing.get(slug)
        if event is None:
            event = Event(slug=slug)
            session.add(event)
            existing[slug] = event
        event.title, event.timezone, event.language = conf.title, conf.timezone, conf.language
    await session.flush()
    return existing


async def event_by_slug(session: AsyncSession, slug: str) -> Event | None:
    return await session.scalar(select(Event).where(Event.slug == slug))


async def upsert_user(session: AsyncSession, profile: TelegramProfile) -> User:
    user = await session.get(User, profile.id)
    if user is None:
        return _add_user(session, profile)
    refresh_profile(user, profile)
    return user


def _add_user(session: AsyncSession, profile: TelegramProfile) -> User:
    user = User(id=profile.id)
    session.add(user)
    refresh_profile(user, profile)
    return user


# Built once: constructing the statement and its cache key was a third of a context read.
_CONTEXT_ROWS = (select(User, Event, Member)
                 .outerjoin(Event, Event.id == User.current_event_id)
                 .outerjoin(Member, (Member.event_id == User.current_event_id) & (Member.user_id == User.id)))
_CONTEXT = _CONTEXT_ROWS.where(User.id == bindparam("ctx_user_id"))
# Several users (the context loader): on PostgreSQL one statement for any number of ids (an
# array); an expanding IN would prepare a new statement for every batch size.
_CONTEXTS = {
    False: _CONTEXT_ROWS.where(User.id.in_(bindparam("ctx_user_ids", expanding=True))),
    True: _CONTEXT_ROWS.where(User.id == any_(bindparam("ctx_user_ids", type_=ARRAY(BigInteger)))),
}


async def load_contexts(session: AsyncSession, user_ids: list[int]) -> dict[int, tuple[User, Event | None, Member | None]]:
    """``load_context`` for several users in one query; users with no row are left out."""
    stmt = _CONTEXTS[session.bind.dialect.name == "postgresql"]
    rows = (await session.execute(stmt, {"ctx_user_ids": list(user_ids)})).all()
    return {user.id: (user, event, member) for user, event, member in rows}


async def load_context(session: AsyncSession, profile: TelegramProfile, *, create: bool = True,
                       ) -> tuple[User | None, Event | None, Member | None]:
    """The user, their current event and membership in ONE query (this runs on every update
    whose context is not cached). Someone new is added only with ``create``."""
    row = (await session.execute(_CONTEXT, {"ctx_user_id": profile.id})).first()
    if row is None:  # someone new: the query just said there is no row to get
        return (_add_user(session, profile) if create else None), None, None
    user, event, member = row
    refresh_profile(user, profile)
    return user, event, member


def refresh_profile(user: User, profile: TelegramProfile) -> None:
    """Copy what Telegram says about the user. Only changed fields are assigned: assigning an
    equal value still marks the row dirty and costs a flush on every update."""
    fresh = {
        "first_name": profile.first_name[:128],
        "last_name": (profile.last_name or None) and profile.last_name[:128],
        "username": profile.username,
        "telegram_language": profile.language_code,
        "unreachable_at": None,  # they wrote to us, so they unblocked the bot
    }
    for name, value in fresh.items():
        if getattr(user, name) != value:
            setattr(user, name, value)


async def get_member(session: AsyncSession, event_id: int, user_id: int) -> Member | None:
    return await session.scalar(select(Member).where(Member.event_id == event_id, Member.user_id == user_id))


async def languages(session: AsyncSession, event: Event, user_ids) -> dict[int, str]:
    """The language to write to each of ``user_ids`` about ``event`` (a notice, a reminder): their
    pick, then Telegram's, then the event's — as the bot picks it when they write themselves."""
    ids = list(set(user_ids))
    if not ids:
        return {}
    rows = (await session.execute(select(User.id, User.language, User.telegram_language)
                                  .where(User.id.in_(ids)))).all()
    found = {r.id: pick_language(r.language, r.telegram_language, event.language) for r in rows}
    return {uid: found.get(uid, pick_language(None, None, event.language)) for uid in ids}


async def unreachable(session: AsyncSession, user_ids) -> set[int]:
    """Those of ``user_ids`` Telegram told us have blocked the bot (403): a message cannot reach them."""
    ids = list(set(user_ids))
    if not ids:
        return set()
    rows = await session.scalars(select(User.id).where(User.id.in_(ids), User.unreachable_at.is_not(None)))
    return set(rows.all())


async def join_event(session: AsyncSession, user: User, event: Event, settings: CoreSettings) -> Member:
    """Make ``event`` the user's current one, creating the membership.

    The config's admins are not written into the membership: they are organizers while the
    config lists them (``is_admin``), so taking them off the list takes the role away."""
    member = await get_member(session, event.id, user.id)
    if member is None:
        member = Member(event_id=event.id, user_id=user.id, role=Role.PARTICIPANT.value, profile={})
        session.add(member)
    user.current_event_id = event.id
    await session.flush()
    return member


def is_admin(member: Member | None, settings: CoreSettings, event: Event | None) -> bool:
    """One rule: an organizer is either listed in the config's ``events.<slug>.admins`` (for as
    long as it lists them) or was granted the role in the bot or with ``organizer admin add``
    (stored in the membership until ``organizer admin remove``)."""
    if member is None or event is None:
        return False
    conf = settings.events.get(event.slug)
    return member.role == Role.ADMIN.value or bool(conf and member.user_id in conf.admins)


def effective_role(member: Member, settings: CoreSettings, event: Event | None) -> str:
    """The role to show: the stored one, or ``admin`` for someone the config lists."""
    return Role.ADMIN.value if is_admin(member, settings, event) else member.role


class NotAllowed(Exception):
    """An organizer-only operation attempted by someone who is not an organizer of the event."""


class SystemActor:
    """The operator (CLI, program file): trusted, no Telegram member behind it, nobody to report to."""

    user_id = None

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = SystemActor()


def require_organizer(settings: CoreSettings, event: Event, actor: Member | SystemActor | None) -> None:
    """Every organizer path in a service calls this, whatever the handler already checked."""
    if actor is SYSTEM:
        return
    if not isinstance(actor, Member) or actor.event_id != event.id or not is_admin(actor, settings, event):
        raise NotAllowed()


async def set_role(session: AsyncSession, event: Event, user_id: int, role: Role) -> Member:
    user = await session.get(User, user_id)
    if user is None:
        user = User(id=user_id, first_name="")
        session.add(user)
        await session.flush()
    member = await get_member(session, event.id, user_id)
    if member is None:
        member = Member(event_id=event.id, user_id=user_id, profile={})
        session.add(member)
    member.role = role.value
    await session.flush()
    return member


async def open_events(session: AsyncSession, settings: CoreSettings) -> list[Event]:
    slugs = [slug for slug, conf in settings.events.items() if conf.open]
    if not slugs:
        return []
    events = (await session.scalars(select(Event).where(Event.slug.in_(slugs)))).all()
    return sorted(events, key=lambda e: slugs.index(e.slug))


def record_consent(member: Member) -> None:
    if member.consent_at is None:
        member.consent_at = utcnow()


def complete_registration(member: Member, answers: dict[str, str]) -> None:
    member.profile = {**(member.profile or {}), **answers}
    member.registered_at = member.registered_at or utcnow()


def update_profile_field(member: Member, key: str, value: str) -> None:
    # Reassign (not mutate) so SQLAlchemy sees the JSON change.
    member.profile = {**(member.profile or {}), key: value}
