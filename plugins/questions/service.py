"""Questions to speakers: ask (published at once or pre-moderated, per event), upvote (one each,
withdrawable), the moderators' and speakers' queue sorted by votes, answered (the asker is told
through the outbox), hidden. No aiogram here."""

from __future__ import annotations

import html
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update

from core import people
from core.db import utcnow
from core.delivery import Priority, enqueue
from core.delivery.dialect import upsert_insert
from core.models import Event, Member, Role, User
from core.people import NotAllowed  # noqa: F401  (part of this service's API)
from plugins.questions.models import Question, QuestionVote

TEXT_MAX = 1000
PENDING, PUBLISHED, ANSWERED, HIDDEN = "pending", "published", "answered", "hidden"
VISIBLE = (PUBLISHED, ANSWERED)


class QuestionsError(Exception):
    def __init__(self, key: str, **args):
        super().__init__(key)
        self.key, self.args_ = key, args


def config(app, event: Event):
    return app.plugin_config(event.slug, "questions")


def check_text(text: str | None) -> str:
    value = (text or "").strip()
    if not value:
        raise QuestionsError("questions-error-empty")
    if len(value) > TEXT_MAX:
        raise QuestionsError("questions-error-long", length=len(value), limit=TEXT_MAX)
    return value


def can_moderate(app, event: Event, member: Member | None) -> bool:
    """Organizers, and speakers (who see and answer questions; approving stays with organizers)."""
    return member is not None and member.event_id == event.id and (
        people.is_admin(member, app.settings, event) or member.role == Role.SPEAKER.value)


def _require_moderator(app, event: Event, member, *, organizer_only: bool = False) -> None:
    if member is people.SYSTEM:
        return
    if organizer_only:
        people.require_organizer(app.settings, event, member)
    elif not can_moderate(app, event, member):
        raise people.NotAllowed()


async def ask(app, session, event: Event, member: Member, text: str, *, scope: str = "",
              anonymous: bool = False) -> Question:
    text = check_text(text)
    if anonymous and not config(app, event).allow_anonymous:
        raise QuestionsError("questions-error-no-anonymous")
    user = await session.get(User, member.user_id)
    name = " ".join(p for p in (user.first_name, user.last_name) if p) if user else ""
    status = PENDING if config(app, event).moderation else PUBLISHED
    question = Question(event_id=event.id, scope=scope[:64], asker_id=member.user_id, anonymous=anonymous,
                        asker_name="" if anonymous else name[:128], text=text, status=status)
    session.add(question)
    await session.flush()
    return question


@dataclass(frozen=True)
class Listed:
    question: Question
    votes: int
    mine: bool  # the viewer upvoted it


async def listing(session, event: Event, viewer_id: int | None, *, scope: str | None = "",
                  statuses=VISIBLE, limit: int = 10) -> list[Listed]:
    """Questions sorted by votes (then oldest first): what participants and speakers see."""
    votes = func.count(QuestionVote.id)
    stmt = (select(Question, votes).outerjoin(QuestionVote, QuestionVote.question_id == Question.id)
            .where(Question.event_id == event.id, Question.status.in_(statuses)))
    if scope is not None:
        stmt = stmt.where(Question.scope == scope)
    rows = (await session.execute(stmt.group_by(Question.id).order_by(votes.desc(), Question.id).limit(limit))).all()
    mine = set()
    if viewer_id is not None and rows:
        mine = set((await session.scalars(select(QuestionVote.question_id).where(
            QuestionVote.user_id == viewer_id, QuestionVote.question_id.in_([q.id for q, _ in rows])))).all())
    return [Listed(q, n, q.id in mine) for q, n in rows]


async def get(session, event: Event, question_id: int) -> Question | None:
    question = await session.get(Question, question_id)
    return question if question is not None and question.event_id == event.id else None


async def toggle_upvote(session, event: Event, user_id: int, question_id: int) -> str:
    """Upvote, or withdraw one's upvote. Two taps at once still leave at most one vote (unique key)."""
    question = await get(session, event, question_id)
    if question is None or question.status not in VISIBLE:
        return "gone"
    if question.asker_id == user_id:
        return "own"
    removed = await session.execute(delete(QuestionVote).where(QuestionVote.question_id == question_id,
                                                               QuestionVote.user_id == user_id))
    if removed.rowcount:
        return "withdrawn"
    await session.execute(upsert_insert(session)(QuestionVote).values(question_id=question_id, user_id=user_id,
                                                                     created_at=utcnow())
                          .on_conflict_do_nothing(index_elements=["question_id", "user_id"]))
    return "upvoted"


async def publish(app, session, event: Event, actor, question_id: int) -> bool:
    _require_moderator(app, event, actor, organizer_only=True)
    done = await session.execute(update(Question).where(Question.id == question_id, Question.event_id == event.id,
                                                        Question.status == PENDING).values(status=PUBLISHED))
    return bool(done.rowcount)


async def hide(app, session, event: Event, actor, question_id: int) -> bool:
    _require_moderator(app, event, actor)
    done = await session.execute(update(Question).where(Question.id == question_id, Question.event_id == event.id,
                                                        Question.status != HIDDEN).values(status=HIDDEN))
    return bool(done.rowcount)


async def mark_answered(app, session, event: Event, actor, question_id: int) -> bool:
    """Answered once (conditional update); the asker gets one notice through the outbox."""
    _require_moderator(app, event, actor)
    done = await session.execute(update(Question).where(Question.id == question_id, Question.event_id == event.id,
                                                        Question.status.in_((PUBLISHED, PENDING)))
                                 .values(status=ANSWERED, answered_at=utcnow()))
    if not done.rowcount:
        return False
    question = await session.get(Question, question_id, populate_existing=True)
    if question.asker_id is not None:
        asker = await session.get(User, question.asker_id)
        from core.i18n import pick_language

        tr = app.translator(pick_language(asker.language if asker else None,
                                          asker.telegram_language if asker else None, event.language))
        short = question.text if len(question.text) <= 200 else question.text[:199] + "…"
        await enqueue(session, chat_id=question.asker_id, text=tr("questions-answered-notice",
                                                                  text=html.escape(short, quote=False)),
                      parse_mode="HTML", dedupe_key=f"questions:answered:{question.id}", priority=Priority.NORMAL,
                      user_id=question.asker_id, event_id=event.id, kind="questions:answered")
    return True


async def forget_member(session, event: Event, user_id: int) -> None:
    """The member's questions stay (others voted on them) with no name; their upvotes go."""
    await session.execute(update(Question).where(Question.event_id == event.id, Question.asker_id == user_id)
                          .values(asker_id=None, asker_name="", anonymous=True))
    ids = select(Question.id).where(Question.event_id == event.id).scalar_subquery()
    await session.execute(delete(QuestionVote).where(QuestionVote.user_id == user_id,
                                                     QuestionVote.question_id.in_(ids)))
