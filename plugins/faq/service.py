"""FAQ of an event: categories and entries (read, edit by organizers, import/export by stable key)
and search by a participant's own words (``search.py``). No Telegram types."""

from __future__ import annotations

import secrets

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core import ProgramSection, people
from core.models import Event
from core.people import SYSTEM, NotAllowed  # noqa: F401  (part of this service's API)
from plugins.faq import search
from plugins.faq.models import FaqCategory, FaqEntry

MAX_QUESTION = 200
MAX_ANSWER = 3500  # leaves room for the title within Telegram's 4096 characters
MAX_CATEGORY = 60
MAX_QUERY = 500


class FaqError(Exception):
    """Bad organizer input. ``key`` is a locale key, ``args_`` its variables."""

    def __init__(self, key: str, **args):
        super().__init__(key)
        self.key, self.args_ = key, args


async def list_entries(session: AsyncSession, event_id: int, category_id: int | None = None,
                       *, any_category: bool = True) -> list[FaqEntry]:
    stmt = select(FaqEntry).where(FaqEntry.event_id == event_id)
    if not any_category:
        stmt = stmt.where(FaqEntry.category_id.is_(None) if category_id is None else FaqEntry.category_id == category_id)
    rows = await session.scalars(stmt.order_by(FaqEntry.position, FaqEntry.id))
    return list(rows.all())


async def list_categories(session: AsyncSession, event_id: int) -> list[tuple[FaqCategory, int]]:
    """Categories with how many entries each holds."""
    count = func.count(FaqEntry.id)
    rows = await session.execute(select(FaqCategory, count).outerjoin(FaqEntry, FaqEntry.category_id == FaqCategory.id)
                                 .where(FaqCategory.event_id == event_id).group_by(FaqCategory.id)
                                 .order_by(FaqCategory.position, FaqCategory.id))
    return [(c, n) for c, n in rows.all()]


async def get_entry(session: AsyncSession, event_id: int, entry_id: int) -> FaqEntry | None:
    entry = await session.get(FaqEntry, entry_id)
    return entry if entry is not None and entry.event_id == event_id else None


async def get_category(session: AsyncSession, event_id: int, category_id: int) -> FaqCategory | None:
    category = await session.get(FaqCategory, category_id)
    return category if category is not None and category.event_id == event_id else None


# --- search ---------------------------------------------------------------------------------------

async def find(session: AsyncSession, event_id: int, text: str, limit: int = 3) -> list[FaqEntry]:
    """The entries best matching the participant's words (typos and word forms forgiven), best first."""
    entries = await list_entries(session, event_id)
    by_id = {e.id: e for e in entries}
    hits = search.rank(text[:MAX_QUERY], [(e.id, e.question, e.answer) for e in entries], limit=limit)
    return [by_id[h.entry_id] for h in hits]


async def unanswered_actions(app, session, event: Event, member, question: str, tr) -> list[tuple[str, str]]:
    """What other plugins offer when the FAQ has no answer (``faq_unanswered``)."""
    active = set(app.active_plugins(event.slug)) - {"faq"}
    if not hasattr(app.registry.pm.hook, "faq_unanswered") or not active:
        return []
    actions = []
    for _, offered in await app.registry.call_each("faq_unanswered", active=active, app=app, session=session,
                                                   event=event, member=member, question=question, tr=tr):
        actions.extend((str(label), str(data)) for label, data in offered or ())
    return actions


# --- organizer editing ----------------------------------------------------------------------------

def check_text(text: str | None, limit: int, key: str) -> str:
    value = (text or "").strip()
    if not value:
        raise FaqError(f"faq-error-{key}-empty")
    if len(value) > limit:
        raise FaqError(f"faq-error-{key}-long", length=len(value), limit=limit)
    return value


async def add_category(app, session, event: Event, actor, title: str) -> FaqCategory:
    people.require_organizer(app.settings, event, actor)
    title = check_text(title, MAX_CATEGORY, "category")
    existing = [c.title.casefold() for c, _ in await list_categories(session, event.id)]
    if title.casefold() in existing:
        raise FaqError("faq-error-category-exists", title=title)
    position = await session.scalar(select(func.coalesce(func.max(FaqCategory.position), 0) + 1)
                                    .where(FaqCategory.event_id == event.id))
    category = FaqCategory(event_id=event.id, title=title, position=position)
    session.add(category)
    await session.flush()
    return category


async def delete_category(app, session, event: Event, actor, category_id: int) -> bool:
    """The category goes; its entries stay, without a category."""
    people.require_organizer(app.settings, event, actor)
    category = await get_category(session, event.id, category_id)
    if category is None:
        return False
    await session.execute(update(FaqEntry).where(FaqEntry.category_id == category.id).values(category_id=None))
    await session.delete(category)
    await session.flush()
    return True


async def add_entry(app, session, event: Event, actor, *, question: str, answer: str,
                    category_id: int | None) -> FaqEntry:
    people.require_organizer(app.settings, event, actor)
    question = check_text(question, MAX_QUESTION, "question")
    answer = check_text(answer, MAX_ANSWER, "answer")
    if category_id is not None and await get_category(session, event.id, category_id) is None:
        raise FaqError("faq-error-category-gone")
    position = await session.scalar(select(func.coalesce(func.max(FaqEntry.position), 0) + 1)
                                    .where(FaqEntry.event_id == event.id))
    entry = FaqEntry(event_id=event.id, key=f"bot-{secrets.token_hex(4)}", question=question, answer=answer,
                     position=position, category_id=category_id)
    session.add(entry)
    await session.flush()
    return entry


async def edit_entry(app, session, event: Event, actor, entry_id: int, *, question: str | None = None,
                     answer: str | None = None) -> FaqEntry:
    people.require_organizer(app.settings, event, actor)
    entry = await get_entry(session, event.id, entry_id)
    if entry is None:
        raise FaqError("faq-gone")
    if question is not None:
        entry.question = check_text(question, MAX_QUESTION, "question")
    if answer is not None:
        entry.answer = check_text(answer, MAX_ANSWER, "answer")
    await session.flush()
    return entry


async def delete_entry(app, session, event: Event, actor, entry_id: int) -> bool:
    people.require_organizer(app.settings, event, actor)
    entry = await get_entry(session, event.id, entry_id)
    if entry is None:
        return False
    await session.delete(entry)
    await session.flush()
    return True


# --- program file ---------------------------------------------------------------------------------

def _validate(index: int, item) -> tuple[str | None, str | None]:
    if not isinstance(item, dict):
        return None, f"faq[{index}]: expected a mapping with key, question, answer"
    key, question, answer = item.get("key"), item.get("question"), item.get("answer")
    if not isinstance(key, str) or not key.strip():
        return None, f"faq[{index}]: `key` is required (a stable id such as wifi)"
    if not isinstance(question, str) or not question.strip() or len(question) > MAX_QUESTION:
        return None, f"faq[{index}] ({key}): `question` must be 1–{MAX_QUESTION} characters"
    if not isinstance(answer, str) or not answer.strip() or len(answer) > MAX_ANSWER:
        return None, f"faq[{index}] ({key}): `answer` must be 1–{MAX_ANSWER} characters"
    category = item.get("category")
    if category is not None and (not isinstance(category, str) or not category.strip()
                                 or len(category) > MAX_CATEGORY):
        return None, f"faq[{index}] ({key}): `category` must be 1–{MAX_CATEGORY} characters"
    return key.strip(), None


async def _category_ids(session, event_id: int, titles: set[str]) -> dict[str, int]:
    known = {c.title: c.id for c, _ in await list_categories(session, event_id)}
    for title in sorted(titles - set(known)):
        category = FaqCategory(event_id=event_id, title=title, position=len(known) + 1)
        session.add(category)
        await session.flush()
        known[title] = category.id
    return known


async def import_entries(session: AsyncSession, event_id: int, items: list) -> ProgramSection:
    result = ProgramSection()
    if not isinstance(items, list):
        result.errors.append("faq: expected a list of {key, question, answer[, category]}")
        return result
    existing = {e.key: e for e in await list_entries(session, event_id)}
    valid = []
    for position, item in enumerate(items):
        key, error = _validate(position, item)
        if error:
            result.errors.append(error)
        else:
            valid.append((position, key, item))
    categories = await _category_ids(session, event_id, {i["category"].strip() for _, _, i in valid
                                                         if i.get("category")})
    for position, key, item in valid:
        entry = existing.get(key)
        values = {"question": item["question"].strip(), "answer": item["answer"].strip(), "position": position}
        if item.get("category"):
            values["category_id"] = categories[item["category"].strip()]
        if entry is None:
            session.add(FaqEntry(event_id=event_id, key=key, **values))
            result.created.append(key)
        elif any(getattr(entry, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(entry, k, v)
            result.updated.append(key)
        else:
            result.unchanged.append(key)
    await session.flush()
    return result


async def export_entries(session: AsyncSession, event_id: int) -> list[dict]:
    titles = {c.id: c.title for c, _ in await list_categories(session, event_id)}
    out = []
    for e in await list_entries(session, event_id):
        item = {"key": e.key, "question": e.question, "answer": e.answer}
        if e.category_id in titles:
            item["category"] = titles[e.category_id]
        out.append(item)
    return out
