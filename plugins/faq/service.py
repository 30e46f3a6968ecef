"""FAQ entries of an event: read, and import/export by stable key (no Telegram types)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core import ProgramSection
from plugins.faq.models import FaqEntry

MAX_QUESTION = 200
MAX_ANSWER = 3500  # leaves room for the title within Telegram's 4096 characters


async def list_entries(session: AsyncSession, event_id: int) -> list[FaqEntry]:
    rows = await session.scalars(select(FaqEntry).where(FaqEntry.event_id == event_id)
                                 .order_by(FaqEntry.position, FaqEntry.id))
    return list(rows.all())


async def get_entry(session: AsyncSession, event_id: int, entry_id: int) -> FaqEntry | None:
    entry = await session.get(FaqEntry, entry_id)
    return entry if entry is not None and entry.event_id == event_id else None


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
    return key.strip(), None


async def import_entries(session: AsyncSession, event_id: int, items: list) -> ProgramSection:
    result = ProgramSection()
    if not isinstance(items, list):
        result.errors.append("faq: expected a list of {key, question, answer}")
        return result
    existing = {e.key: e for e in await list_entries(session, event_id)}
    for position, item in enumerate(items):
        key, error = _validate(position, item)
        if error:
            result.errors.append(error)
            continue
        entry = existing.get(key)
        values = {"question": item["question"].strip(), "answer": item["answer"].strip(), "position": position}
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
    return [{"key": e.key, "question": e.question, "answer": e.answer} for e in await list_entries(session, event_id)]
