""""Rate this talk": after a session ends, its bookmarkers get one prompt with buttons 1..5.

Works only where the schedule plugin is on (it reads the program through ``plugins.schedule.public``)
and the event's ``questions.ratings`` is true; otherwise every step here does nothing.

Timing follows the schedule's reminders: one due-time job per session (key ``questions:rate:<id>``)
at its end + ``rating_delay_minutes``. The schedule publishes no "program changed" hook, so a
periodic sync (every few minutes) creates, re-times or cancels those jobs from the published
program. When the job fires it reads the bookmarkers *then*, and a ``questions_ratings`` row per
person (unique per session and person) is written in the same transaction as their outbox message:
a rerun, a restart or a second job runner finds the rows and queues nothing again.

A tap records the score or changes it while the rating is open (until ``rating_open_hours`` after
the prompt's time); later taps are told it is closed. Organizers see every session's average and
count; a speaker sees their own sessions'. No aiogram here.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
from dataclasses import dataclass

from sqlalchemy import func, or_, select, update

from core import people
from core.delivery import Priority, enqueue_many
from core.delivery.dialect import upsert_insert
from core.jobs import Job, JobState, cancel, schedule
from core.i18n import pick_language
from core.models import Event, Member, Role, User
from plugins.questions.models import Rating

log = logging.getLogger(__name__)

JOB = "questions:rate"
SYNC_JOB = "questions:rating_sync"
_PREFIX = "questions:rate:"
_ACTIVE = (JobState.SCHEDULED.value, JobState.CLAIMED.value)
RATED_KINDS = ("talk", "keynote")  # not breaks, deadlines or "other" (registration, lunch...)
SCORES = range(1, 6)
HORIZON = dt.timedelta(days=2)  # how far ahead the sync arms prompts (it runs far more often)
LATE_MAX = dt.timedelta(hours=2)  # a prompt more than this late (the bot was down) is not sent
LIST_MAX = 30


def job_key(session_id: int) -> str:
    return f"{_PREFIX}{session_id}"


def config(app, event: Event):
    return app.plugin_config(event.slug, "questions")


def enabled(app, event: Event) -> bool:
    """Ratings are asked in this event: the schedule and questions plugins on, ratings not switched off."""
    if event.slug not in app.settings.events:
        return False
    active = app.active_plugins(event.slug)
    return "schedule" in active and "questions" in active and config(app, event).ratings


def now() -> dt.datetime:
    """The schedule's "now" (a rehearsal or a test may fix it), as the session times are read there."""
    from plugins.schedule import public as schedule

    return schedule.now()


def due_at(app, event: Event, ends_at: dt.datetime) -> dt.datetime:
    return ends_at + dt.timedelta(minutes=config(app, event).rating_delay_minutes)


def _stamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat()


# --- arming the prompts ---------------------------------------------------------------------------

async def sync(app, session, at: dt.datetime) -> int:
    """Every rated session ending soon (or just ended) has its prompt job at its end + delay; jobs of
    sessions cancelled, moved away or of events with ratings off are cancelled. Returns writes."""
    from plugins.schedule import public as program

    wanted: dict[str, tuple[Event, int, dt.datetime]] = {}
    for event in (await session.scalars(select(Event))).all():
        if not enabled(app, event):
            continue
        since = at - dt.timedelta(minutes=config(app, event).rating_delay_minutes) - LATE_MAX
        for info in await program.ended_between(session, event.id, since, at + HORIZON):
            if info.kind in RATED_KINDS and info.ends_at is not None:
                wanted[job_key(info.id)] = (event, info.id, due_at(app, event, info.ends_at))
    # Pending prompts, and the finished ones of the talks in the window (not every talk ever rated).
    found = await session.scalars(select(Job).where(Job.job == JOB, or_(Job.state.in_(_ACTIVE),
                                                                        Job.key.in_(list(wanted)))))
    jobs = {job.key: job for job in found.all()}
    writes = 0
    for key, (event, session_id, due) in wanted.items():
        job = jobs.get(key)
        if job is not None:
            same = job.payload.get("due_at") == _stamp(due)
            if job.state in _ACTIVE and same and job.due_at == due:
                continue
            # Done, dropped or failed for this very time: leave it (a retry happens in the runner).
            if job.state not in _ACTIVE and job.state != JobState.CANCELLED.value and same:
                continue
        await schedule(session, key=key, job=JOB, due_at=due,
                       payload={"event_id": event.id, "session_id": session_id, "due_at": _stamp(due)})
        writes += 1
    for key, job in jobs.items():
        if key not in wanted and job.state in _ACTIVE:
            writes += await cancel(session, key)
    return writes


async def sync_job(ctx, session, payload=None) -> None:
    writes = await sync(ctx.app, session, now())
    if writes:
        log.info("talk rating prompts aligned with the program: %d job(s) written", writes)


# --- sending the prompts --------------------------------------------------------------------------

def prompt_text(tr, info, score: int | None = None, *, closed: bool = False) -> str:
    lines = [tr("questions-rate-prompt", title=html.escape(info.title, quote=False))]
    if info.speaker_names:
        lines.append(tr("questions-rate-speakers", speakers=html.escape(", ".join(info.speaker_names), quote=False)))
    if score is not None:
        lines.append(tr("questions-rate-yours", score=score, stars="★" * score + "☆" * (5 - score)))
    if closed:
        lines.append(tr("questions-rate-closed-note"))
    return "\n".join(lines)


def prompt_markup(session_id: int, score: int | None = None) -> dict:
    return {"inline_keyboard": [[{"text": ("✅ " if n == score else "") + str(n),
                                  "callback_data": f"questions:rate:{session_id}:{n}"} for n in SCORES]]}


async def _languages(session, event: Event, user_ids: list[int]) -> dict[int, str]:
    """Each person's language: their pick, then Telegram's, then the event's."""
    found: dict[int, str] = {}
    for start in range(0, len(user_ids), 5000):  # under PostgreSQL's bind-parameter limit
        rows = (await session.execute(select(User.id, User.language, User.telegram_language)
                                      .where(User.id.in_(user_ids[start:start + 5000])))).all()
        found.update({r.id: pick_language(r.language, r.telegram_language, event.language) for r in rows})
    return {uid: found.get(uid) or pick_language(None, None, event.language) for uid in user_ids}


async def send_prompts(app, session, event: Event, info, at: dt.datetime) -> int:
    """Queue the prompt for each bookmarker not asked yet (speakers of the session are not asked
    to rate their own talk). Returns how many were queued now."""
    from plugins.schedule import public as program

    speakers = set(info.speaker_user_ids)
    asked = [uid for uid in await program.bookmarkers(session, info.id) if uid not in speakers]
    closes = due_at(app, event, info.ends_at) + dt.timedelta(hours=config(app, event).rating_open_hours)
    fresh: list[int] = []
    for start in range(0, len(asked), 500):
        rows = [{"event_id": event.id, "session_id": info.id, "user_id": uid, "prompted_at": at, "closes_at": closes}
                for uid in asked[start:start + 500]]
        stmt = (upsert_insert(session)(Rating).values(rows)
                .on_conflict_do_nothing(index_elements=["session_id", "user_id"]).returning(Rating.user_id))
        fresh += list((await session.scalars(stmt)).all())
    if not fresh:
        return 0
    langs = await _languages(session, event, fresh)
    messages = []
    for uid in fresh:
        tr = app.translator(langs[uid])
        messages.append({"chat_id": uid, "user_id": uid, "text": prompt_text(tr, info),
                         "reply_markup": prompt_markup(info.id), "dedupe_key": f"{_PREFIX}{info.id}:{uid}"})
    await enqueue_many(session, messages, event_id=event.id, priority=Priority.BULK)
    return len(fresh)


async def prompt_job(ctx, session, payload) -> None:
    from plugins.schedule import public as program

    app = ctx.app
    event = await session.get(Event, int(payload["event_id"]))
    if event is None or not enabled(app, event):
        return
    info = await program.session_info(session, event.id, int(payload["session_id"]))
    if info is None or info.cancelled or info.ends_at is None or info.kind not in RATED_KINDS:
        return
    at, due = now(), due_at(app, event, info.ends_at)
    if at < due:
        return  # moved later since the job was armed: the sync arms it again for the new end
    if at > due + LATE_MAX:
        log.warning("rating prompt for session %s not sent: %s late", info.id, at - due)
        return
    sent = await send_prompts(app, session, event, info, at)
    log.info("rating prompt for session %s queued to %d people", info.id, sent)


# --- taps -----------------------------------------------------------------------------------------

async def rate(session, user_id: int, session_id: int, score: int, *, at: dt.datetime) -> tuple[str, Rating | None]:
    """Record or change a score. Status: recorded | changed | same | closed | not-invited | invalid."""
    if score not in SCORES:
        return "invalid", None
    row = await session.scalar(select(Rating).where(Rating.session_id == session_id, Rating.user_id == user_id))
    if row is None:
        return "not-invited", None
    if at >= row.closes_at:
        return "closed", row
    if row.score == score:
        return "same", row
    before = row.score
    done = await session.execute(update(Rating).where(Rating.id == row.id, Rating.closes_at > at)
                                 .values(score=score, rated_at=at))
    if not done.rowcount:
        return "closed", row
    await session.refresh(row)
    return ("changed" if before is not None else "recorded"), row


# --- what organizers and speakers see -------------------------------------------------------------

@dataclass(frozen=True)
class Summary:
    info: object  # plugins.schedule.public.SessionInfo
    average: float | None
    count: int  # people who rated
    invited: int  # people who got the prompt


def can_see(app, event: Event, member: Member | None, info) -> bool:
    """Organizers see every session's rating; a speaker the sessions they are linked to."""
    if member is None or member.event_id != event.id:
        return False
    if people.is_admin(member, app.settings, event):
        return True
    return member.role == Role.SPEAKER.value and member.user_id in info.speaker_user_ids


async def _totals(session, event_id: int, session_ids: list[int] | None = None):
    stmt = (select(Rating.session_id, func.avg(Rating.score), func.count(Rating.score), func.count(Rating.id))
            .where(Rating.event_id == event_id).group_by(Rating.session_id))
    if session_ids is not None:
        stmt = stmt.where(Rating.session_id.in_(session_ids))
    return {sid: (None if avg is None else float(avg), count, invited)
            for sid, avg, count, invited in (await session.execute(stmt)).all()}


async def summary(session, event: Event, session_id: int) -> Summary | None:
    from plugins.schedule import public as program

    info = await program.session_info(session, event.id, session_id)
    if info is None:
        return None
    average, count, invited = (await _totals(session, event.id, [session_id])).get(session_id, (None, 0, 0))
    return Summary(info, average, count, invited)


async def summaries(app, session, event: Event, member: Member) -> list[Summary]:
    """Sessions with prompts sent, latest first: all for organizers, a speaker's own for a speaker."""
    from plugins.schedule import public as program

    out = []
    for sid, (average, count, invited) in (await _totals(session, event.id)).items():
        info = await program.session_info(session, event.id, sid)
        if info is not None and can_see(app, event, member, info):
            out.append(Summary(info, average, count, invited))
    out.sort(key=lambda s: (s.info.starts_at, s.info.id), reverse=True)
    return out[:LIST_MAX]


async def forget_member(session, event: Event, user_id: int) -> None:
    """The scores stay in the averages; who gave them is forgotten."""
    await session.execute(update(Rating).where(Rating.event_id == event.id, Rating.user_id == user_id)
                          .values(user_id=None))
