"""A release's notices: ONE outbox message per affected participant, listing all of their changes
— their bookmarked sessions' and the held changes of other plugins (``held.py``: booked workshops).

Written in the publishing transaction, so the notices commit (or vanish) with the release; the
dedupe key names the release and the reader, so a retried transaction cannot tell anyone twice.
People with the same language and the same set of changes read the same text: it is rendered once.
"""

from __future__ import annotations

from core.delivery import enqueue_many
from plugins.schedule import held, render
from plugins.schedule.queries import speakers_by_id
from plugins.schedule.settings import tz_of


async def _messages(app, session, event, wanted: dict[int, tuple[list, list]], dedupe) -> int:
    """``wanted``: reader → (session changes, held changes); ``dedupe(uid)`` → the outbox key."""
    if not wanted:
        return 0
    langs = await render.languages(session, event, list(wanted))
    speakers = await speakers_by_id(session, event.id)
    tz = tz_of(event)
    texts: dict[tuple, str] = {}
    markups: dict[str, dict] = {}
    messages = []
    for uid, (changes, others) in wanted.items():
        lang = langs[uid]
        tr = app.translator(lang)
        if lang not in markups:
            markups[lang] = {"inline_keyboard": [[{"text": tr("schedule-btn-my"), "callback_data": "sch:my:0"}]]}
        key = (lang, tuple(id(c) for c in changes), tuple(others))  # the changes are the preview's own objects
        if key not in texts:
            texts[key] = render.digest(tr, event.title, changes, speakers, tz, others)
        messages.append({"chat_id": uid, "user_id": uid, "text": texts[key], "reply_markup": markups[lang],
                         "dedupe_key": dedupe(uid)})
    await enqueue_many(session, messages, event_id=event.id)
    return len(messages)


async def enqueue(app, session, event, release, preview) -> int:
    wanted = {uid: ([preview.changes[i] for i in preview.recipients.get(uid, ())], preview.held.get(uid, []))
              for uid in preview.people}
    return await _messages(app, session, event, wanted,
                           lambda uid: f"schedule:release:{release.id}:{uid}")


async def enqueue_held(app, session, event, rows) -> int:
    """Held changes that no release took in time (``rows`` already taken): one message per reader."""
    firsts: dict[int, int] = {}
    for row in rows:
        firsts[row.user_id] = min(row.id, firsts.get(row.user_id, row.id))
    wanted = {uid: ([], changes) for uid, changes in held.by_reader(rows).items()}
    return await _messages(app, session, event, wanted, lambda uid: f"schedule:held:{firsts[uid]}:{uid}")


async def send_held(ctx, session, payload) -> None:
    """The ``schedule:held`` job: no release took these held changes in time. Their people get
    everything held for them now, one message each (whatever else is held for them joins it)."""
    from core.models import Event

    event = await session.get(Event, int(payload["event_id"]))
    if event is None:
        return
    people = await held.people_of(session, [int(i) for i in payload.get("ids", ())])
    if not people:
        return  # a release told them already
    rows = await held.take(session, event.id, people)
    if rows:
        await enqueue_held(ctx.app, session, event, rows)
