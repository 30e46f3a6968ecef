"""Polls: validate a draft, create and send, vote (one per person, enforced by the database),
close by hand or at the set time, results and CSV. No aiogram here.

Anonymous polls store no user id with a choice: the voter column holds a keyed hash of the poll and
the user (the key derived from the bot token, never stored), enough for the unique key to allow one
vote per person and for that person to change it, and nothing the bot, an export or a log can turn
back into a name.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, update

from core import csv_export, people
from core.db import commit_now, utcnow
from core.delivery import create_broadcast
from core.delivery.dialect import upsert_insert
from core.jobs import cancel as cancel_job
from core.jobs import schedule as schedule_job
from core.models import Event, Member, User
from core.people import SYSTEM, NotAllowed, SystemActor  # noqa: F401  (part of this service's API)
from plugins.polls import render
from plugins.polls.models import Poll, PollOption, PollVote
from plugins.polls.results import Results

PLUGIN = "polls"
QUESTION_MAX = 300
OPTION_MAX = 100
OPTIONS_MIN, OPTIONS_MAX = 2, 10
EVERYONE = "all"
CLOSE_JOB = "polls:close"


class PollsError(Exception):
    """Bad input or a refused action. ``key`` is a locale key, ``args_`` its variables."""

    def __init__(self, key: str, **args):
        super().__init__(key)
        self.key, self.args_ = key, args


# --- a draft, checked piece by piece as the organizer types it -----------------------------------

def check_question(text: str | None) -> str:
    question = (text or "").strip()
    if not question:
        raise PollsError("polls-error-question-empty")
    if len(question) > QUESTION_MAX:
        raise PollsError("polls-error-question-long", length=len(question), limit=QUESTION_MAX)
    return question


def check_options(text: str | None) -> list[str]:
    """One option a line. Every rule names the line that broke it."""
    lines = [line.strip() for line in (text or "").strip().splitlines()]
    if not any(lines):
        raise PollsError("polls-error-options-none", min=OPTIONS_MIN, max=OPTIONS_MAX)
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, 1):
        if not line or not re.search(r"\w", line):
            raise PollsError("polls-error-option-empty", number=number)
        if len(line) > OPTION_MAX:
            raise PollsError("polls-error-option-long", number=number, length=len(line), limit=OPTION_MAX)
        folded = " ".join(line.casefold().split())
        if folded in seen:
            raise PollsError("polls-error-option-duplicate", option=line, first=seen[folded], number=number)
        seen[folded] = number
    if len(lines) < OPTIONS_MIN:
        raise PollsError("polls-error-options-few", count=len(lines), min=OPTIONS_MIN)
    if len(lines) > OPTIONS_MAX:
        raise PollsError("polls-error-options-many", count=len(lines), max=OPTIONS_MAX)
    return lines


_WHEN = re.compile(r"^(?:(\d{1,2})\.(\d{1,2})(?:\.(\d{4}))?\s+)?(\d{1,2}):(\d{2})$")


def check_closing(text: str | None, tz: ZoneInfo, now: dt.datetime | None = None) -> dt.datetime:
    """``ДД.ММ ЧЧ:ММ``, ``ДД.ММ.ГГГГ ЧЧ:ММ`` or ``ЧЧ:ММ`` (today), in the event's time zone; the
    future only."""
    now = now or utcnow()
    match = _WHEN.match((text or "").strip())
    if not match:
        raise PollsError("polls-error-when-format")
    day, month, year, hour, minute = match.groups()
    local_now = now.astimezone(tz)
    try:
        when = dt.datetime(int(year or local_now.year), int(month or local_now.month), int(day or local_now.day),
                           int(hour), int(minute), tzinfo=tz)
    except ValueError:
        raise PollsError("polls-error-when-format") from None
    if when <= now:
        raise PollsError("polls-error-when-past", now=f"{local_now:%d.%m.%Y %H:%M}")
    return when.astimezone(dt.UTC)


@dataclass
class Draft:
    """What the organizer's dialog has collected so far (kept in the FSM as a dict)."""

    question: str
    options: list[str]
    multiple: bool = False
    anonymous: bool = True
    changeable: bool = True
    show_results: bool = True
    publish_results: bool = True
    closes_at: dt.datetime | None = None
    session_ref: str | None = None

    def to_dict(self) -> dict:
        data = dict(self.__dict__)
        data["closes_at"] = self.closes_at.isoformat() if self.closes_at else None
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Draft":
        values = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        if values.get("closes_at"):
            values["closes_at"] = dt.datetime.fromisoformat(values["closes_at"])
        return cls(**values)


def check_draft(draft: Draft, now: dt.datetime | None = None) -> None:
    """Everything again at the moment of sending: the closing time may have passed meanwhile."""
    check_question(draft.question)
    check_options("\n".join(draft.options))
    if draft.closes_at is not None and draft.closes_at <= (now or utcnow()):
        raise PollsError("polls-error-when-passed")


# --- audiences: everyone, or the groups other plugins offer to news (their published hooks) -------

@dataclass(frozen=True)
class Audience:
    key: str
    label: str
    count: int


async def audiences(app, session, event: Event, tr) -> list[Audience]:
    everyone = await session.scalar(select(func.count()).select_from(Member).where(Member.event_id == event.id))
    found = [Audience(EVERYONE, tr("polls-audience-all"), everyone)]
    for _, offered in await _call_optional(app, event, "news_audiences", session=session, tr=tr):
        found.extend(Audience(a.key, a.label, a.count) for a in offered or () if a.count > 0)
    return found


async def recipients(app, session, event: Event, key: str) -> list[int]:
    if key == EVERYONE:
        return list((await session.scalars(select(Member.user_id).where(Member.event_id == event.id)
                                           .order_by(Member.id))).all())
    plugin = key.split(":", 1)[0]
    for _, ids in await _call_optional(app, event, "news_recipients", only={plugin}, session=session, key=key):
        if ids:
            return list(ids)
    raise PollsError("polls-error-audience-gone")


async def _call_optional(app, event: Event, hook: str, only: set[str] | None = None, **kwargs):
    """A hook another plugin may publish (the news plugin's audiences, which workshops and the
    schedule implement): nothing when no installed plugin implements it."""
    if not hasattr(app.registry.pm.hook, hook):
        return []
    active = set(app.active_plugins(event.slug)) - {PLUGIN}
    if only is not None:
        active &= only
    return await app.registry.call_each(hook, active=active, app=app, event=event, **kwargs)


# --- creating, sending, closing -------------------------------------------------------------------

async def create(app, session, event: Event, author, draft: Draft, *, audience: str | None,
                 pinned: bool = False) -> tuple[Poll, int]:
    """Store the poll and, if ``audience`` is given, queue it for those people (in the caller's
    transaction); schedule its closing. Returns the poll and how many people it was sent to."""
    people.require_organizer(app.settings, event, author)
    check_draft(draft)
    poll = Poll(event_id=event.id, question=draft.question, multiple=draft.multiple, anonymous=draft.anonymous,
                changeable=draft.changeable, show_results=draft.show_results,
                publish_results=draft.publish_results, pinned=pinned or audience is None, audience=audience,
                session_ref=draft.session_ref, closes_at=draft.closes_at, created_by=author.user_id)
    session.add(poll)
    await session.flush()
    session.add_all([PollOption(poll_id=poll.id, position=i, text=text) for i, text in enumerate(draft.options)])
    await session.flush()
    if draft.closes_at is not None:
        await schedule_job(session, key=f"polls:close:{poll.id}", job=CLOSE_JOB, due_at=draft.closes_at,
                           payload={"poll": poll.id})
    sent = 0
    if audience is not None:
        people_now = await recipients(app, session, event, audience)
        tr = app.translator(event.language)
        text, markup = render.ballot(tr, poll, await options_of(session, poll.id), None, None)
        await create_broadcast(session, recipients=people_now, title=render.title_of(poll), text=text,
                               reply_markup=markup, parse_mode="HTML", event_id=event.id, created_by=author.user_id)
        sent = len(set(people_now))
    return poll, sent


def is_open(poll: Poll, now: dt.datetime | None = None) -> bool:
    now = now or utcnow()
    return poll.closed_at is None and (poll.closes_at is None or poll.closes_at > now)


async def close(app, session, event: Event, actor, poll_id: int, *, by_timer: bool = False) -> bool:
    """Close now (by hand or at the set time). Conditional: a poll closes once; False if it already
    was. Votes hold a shared lock on the poll row, so the close waits for those in flight and no
    vote lands after it: the counts are frozen from here on. Results go to the voters if chosen."""
    people.require_organizer(app.settings, event, actor)
    now = utcnow()
    done = await session.execute(update(Poll).where(Poll.id == poll_id, Poll.event_id == event.id,
                                                    Poll.closed_at.is_(None)).values(closed_at=now))
    if not done.rowcount:
        return False
    if not by_timer:  # the timer's own run must not cancel itself (that rolls the run back)
        await cancel_job(session, f"polls:close:{poll_id}")
    poll = await session.get(Poll, poll_id, populate_existing=True)
    if poll.publish_results:
        await _publish_results(app, session, event, poll)
    return True


async def _publish_results(app, session, event: Event, poll: Poll) -> None:
    from plugins.polls import render

    if poll.anonymous:
        # No user ids are kept with anonymous votes: the results go to the poll's whole audience.
        try:
            to = await recipients(app, session, event, poll.audience) if poll.audience else []
        except PollsError:
            to = []
    else:
        to = list((await session.scalars(select(PollVote.user_id).where(PollVote.poll_id == poll.id,
                                                                        PollVote.user_id.is_not(None))
                                         .distinct())).all())
    if not to:
        return
    tr = app.translator(event.language)
    text = render.final_results(tr, poll, await results(session, poll))
    await create_broadcast(session, recipients=to, title=render.title_of(poll), text=text, parse_mode="HTML",
                           event_id=event.id)


async def close_due(ctx, session, payload) -> None:
    """The due-time job: close the poll at its set time."""
    poll = await session.get(Poll, int(payload["poll"]))
    if poll is None or poll.closed_at is not None:
        return
    event = await session.get(Event, poll.event_id)
    await close(ctx.app, session, event, SYSTEM, poll.id, by_timer=True)


# --- voting ---------------------------------------------------------------------------------------

@dataclass
class VoteResult:
    status: str  # voted | changed | withdrawn | same | already | closed | not_found
    poll: Poll | None = None
    chosen: set[int] = field(default_factory=set)  # the voter's option positions after this tap


def voter_key(app, poll: Poll, user_id: int) -> str:
    return _voter_key(app, poll.id, user_id, poll.anonymous)


def _voter_key(app, poll_id: int, user_id: int, anonymous: bool) -> str:
    if not anonymous:
        return str(user_id)
    secret = hashlib.sha256(f"polls:{app.settings.bot.token}".encode()).digest()
    return hmac.new(secret, f"{poll_id}:{user_id}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class OptionRow:
    id: int
    position: int
    text: str


async def options_of(session, poll_id: int) -> list[OptionRow]:
    rows = await session.execute(select(PollOption.id, PollOption.position, PollOption.text)
                                 .where(PollOption.poll_id == poll_id).order_by(PollOption.position))
    return [OptionRow(*row) for row in rows.all()]


async def _shape(app, session, poll_id: int) -> tuple[int, bool, bool] | None:
    """(event, anonymous, multiple): fixed when the poll is created, so read once per process."""
    cache = app.services.setdefault("polls:shape", {})
    shape = cache.get(poll_id)
    if shape is None:
        row = (await session.execute(select(Poll.event_id, Poll.anonymous, Poll.multiple)
                                     .where(Poll.id == poll_id))).first()
        if row is None:
            return None
        if len(cache) >= 4096:
            cache.clear()
        shape = cache[poll_id] = tuple(row)
    return shape


async def cached_options(app, session, poll_id: int) -> list[OptionRow]:
    """A poll's options never change once it exists: read them once per process, not per vote."""
    cache = app.services.setdefault("polls:options", {})
    options = cache.get(poll_id)
    if options is None:
        if len(cache) >= 1024:
            cache.clear()
        options = cache[poll_id] = await options_of(session, poll_id)
    return options


async def get_poll(session, event_id: int, poll_id: int) -> Poll | None:
    poll = await session.get(Poll, poll_id)
    return poll if poll is not None and poll.event_id == event_id else None


async def vote(app, session, event: Event, user_id: int, poll_id: int, position: int) -> VoteResult:
    # A shared lock on the poll row (PostgreSQL; SQLite's BEGIN IMMEDIATE serializes writers anyway):
    # votes run side by side, a close waits for them and then freezes the counts. The voter's
    # current choice for this slot comes in the same statement.
    shape = await _shape(app, session, poll_id)
    if shape is None or shape[0] != event.id:
        return VoteResult("not_found")
    _, anonymous, multiple = shape
    voter = _voter_key(app, poll_id, user_id, anonymous)
    slot = position + 1 if multiple else 0
    mine = PollVote.__table__.c
    current = (select(mine.option_id).where(mine.poll_id == poll_id, mine.voter == voter, mine.slot == slot)
               .scalar_subquery())
    poll, existing = (await session.execute(
        select(Poll, current).where(Poll.id == poll_id).with_for_update(read=True, of=Poll)
        .execution_options(populate_existing=True))).one()
    option = next((o for o in await cached_options(app, session, poll.id) if o.position == position), None)
    if option is None:
        return VoteResult("not_found", poll)
    if not is_open(poll):
        return VoteResult("closed", poll, await chosen_by(session, poll, voter))
    who = None if poll.anonymous else user_id
    insert = upsert_insert(session)
    values = dict(poll_id=poll.id, voter=voter, slot=slot, option_id=option.id, user_id=who, voted_at=utcnow())
    if poll.multiple and existing is not None:
        if not poll.changeable:
            status = "already"
        else:
            await session.execute(delete(PollVote).where(PollVote.poll_id == poll.id, PollVote.voter == voter,
                                                         PollVote.slot == slot))
            status = "withdrawn"
    elif existing == option.id:
        status = "same"
    elif existing is not None and not poll.changeable:
        status = "already"
    elif existing is not None or poll.changeable and not poll.multiple:
        # Upsert: two taps at once by one person still leave one row (the unique key decides).
        stmt = insert(PollVote).values(**values)
        stmt = stmt.on_conflict_do_update(index_elements=["poll_id", "voter", "slot"],
                                          set_={"option_id": stmt.excluded.option_id, "voted_at": stmt.excluded.voted_at})
        await session.execute(stmt)
        status = "changed" if existing is not None else "voted"
    else:
        done = await session.execute(insert(PollVote).values(**values)
                                     .on_conflict_do_nothing(index_elements=["poll_id", "voter", "slot"]))
        status = "voted" if done.rowcount else "already"
    if poll.multiple:
        chosen = await chosen_by(session, poll, voter)
    elif status == "already":
        chosen = {o.position for o in await cached_options(app, session, poll.id) if o.id == existing}
    else:
        chosen = {position}
    return VoteResult(status, poll, chosen)


async def vote_batch(app, session, event: Event, poll_id: int, items: list[tuple[int, int]]) -> list:
    """Votes ``(user, position)`` in order, in ``session``; the counts read once; one commit.

    The batch process of ``UpdateSequencer.batched`` (votes for one poll arriving together): it
    decides for several updates in one transaction, so it commits that transaction itself — the
    one kind of service that does. Returns ``(VoteResult, options, results)`` per vote."""
    try:
        outcomes = [await vote(app, session, event, user_id, poll_id, pos) for user_id, pos in items]
        poll = next((o.poll for o in outcomes if o.poll is not None), None)
        options = counted = None
        if poll is not None:
            options = await cached_options(app, session, poll.id)
            if poll.show_results or not is_open(poll):
                counted = await results(session, poll, options)
        await commit_now(session)  # the votes are in (and the poll row's lock released) before Telegram is told
    except Exception:
        await session.rollback()
        raise
    return [(o, options, counted) for o in outcomes]


async def chosen_by(session, poll: Poll, voter: str) -> set[int]:
    rows = await session.scalars(select(PollOption.position).join(PollVote, PollVote.option_id == PollOption.id)
                                 .where(PollVote.poll_id == poll.id, PollVote.voter == voter))
    return set(rows.all())


async def my_choice(app, session, poll: Poll, user_id: int) -> set[int]:
    return await chosen_by(session, poll, voter_key(app, poll, user_id))


# --- results --------------------------------------------------------------------------------------

async def results(session, poll: Poll, options: list[OptionRow] | None = None) -> Results:
    options = options if options is not None else await options_of(session, poll.id)
    counts = dict((await session.execute(select(PollVote.option_id, func.count()).where(PollVote.poll_id == poll.id)
                                         .group_by(PollVote.option_id))).all())
    if poll.multiple:
        voters = await session.scalar(select(func.count(func.distinct(PollVote.voter)))
                                      .where(PollVote.poll_id == poll.id))
    else:  # one row per voter
        voters = sum(counts.values())
    return Results(voters or 0, [(o.text, counts.get(o.id, 0)) for o in options])


async def list_polls(session, event_id: int, *, pinned_open: bool = False, limit: int = 20) -> list[Poll]:
    stmt = select(Poll).where(Poll.event_id == event_id)
    if pinned_open:
        now = utcnow()
        stmt = stmt.where(Poll.pinned.is_(True), Poll.closed_at.is_(None),
                          (Poll.closes_at.is_(None)) | (Poll.closes_at > now))
    return list((await session.scalars(stmt.order_by(Poll.id.desc()).limit(limit))).all())


async def export_csv(app, session, event: Event, actor, poll_id: int) -> str:
    """Counts per option; for a named poll also one row per vote. An anonymous poll's file holds
    the counts only: no user ids, names or times that could point at a person. The rows are read
    here; the text is written in a worker thread, so the loop keeps serving votes meanwhile."""
    people.require_organizer(app.settings, event, actor)
    poll = await get_poll(session, event.id, poll_id)
    if poll is None:
        raise PollsError("polls-gone")
    counted = await results(session, poll)
    lines: list[list] = [["question", poll.question], ["voters", counted.voters], [], ["option", "votes"],
                         *([text, count] for text, count in counted.counts)]
    votes: list[tuple] = []
    if not poll.anonymous:
        votes = [tuple(r) for r in (await session.execute(
            select(PollVote.user_id, User.first_name, User.last_name, User.username, PollOption.text, PollVote.voted_at)
            .join(PollOption, PollOption.id == PollVote.option_id).outerjoin(User, User.id == PollVote.user_id)
            .where(PollVote.poll_id == poll.id).order_by(PollVote.id))).all()]
    return await asyncio.to_thread(_csv_text, lines, None if poll.anonymous else votes)


def _csv_text(lines: list[list], votes: list[tuple] | None) -> str:
    if votes is not None:
        lines += [[], ["user_id", "name", "username", "option", "voted_at"]]
        for user_id, first, last, username, option, at in votes:
            name = " ".join(p for p in (first, last) if p)
            lines.append([user_id or "", name, username or "", option, at.isoformat(timespec="seconds")])
    return csv_export.text(lines)  # formula-safe: every cell a participant or organizer typed


async def forget_member(session, event: Event, user_id: int) -> int:
    """Named votes of a forgotten member stay counted, with nothing left that names them (one
    neutral voter key per poll, so a multiple choice still counts as one voter)."""
    polls = select(Poll.id).where(Poll.event_id == event.id).scalar_subquery()
    rows = (await session.execute(select(PollVote.poll_id, func.min(PollVote.id))
                                  .where(PollVote.user_id == user_id, PollVote.poll_id.in_(polls))
                                  .group_by(PollVote.poll_id))).all()
    for poll_id, first in rows:
        await session.execute(update(PollVote).where(PollVote.poll_id == poll_id, PollVote.user_id == user_id)
                              .values(user_id=None, voter=f"forgotten:{first}"))
    return len(rows)
