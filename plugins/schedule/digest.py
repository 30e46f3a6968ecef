"""A release's notices: ONE outbox message per affected participant, listing all of their changes.

Written in the publishing transaction, so the notices commit (or vanish) with the release; the
dedupe key names the release and the reader, so a retried transaction cannot tell anyone twice.
People with the same language and the same set of changes read the same text: it is rendered once.
"""

from __future__ import annotations

from core.delivery import enqueue_many
from plugins.schedule import render


async def enqueue(app, session, event, release, preview) -> int:
    from plugins.schedule.service import speakers_by_id, tz_of

    if not preview.recipients:
        return 0
    langs = await render.languages(session, event, list(preview.recipients))
    speakers = await speakers_by_id(session, event.id)
    tz = tz_of(event)
    texts: dict[tuple[str, tuple[int, ...]], str] = {}
    markups: dict[str, dict] = {}
    messages = []
    for uid, indexes in preview.recipients.items():
        lang = langs[uid]
        tr = app.translator(lang)
        if lang not in markups:
            markups[lang] = {"inline_keyboard": [[{"text": tr("schedule-btn-my"), "callback_data": "sch:my:0"}]]}
        key = (lang, tuple(indexes))
        if key not in texts:
            texts[key] = render.digest(tr, event.title, [preview.changes[i] for i in indexes], speakers, tz)
        messages.append({"chat_id": uid, "user_id": uid, "text": texts[key], "reply_markup": markups[lang],
                         "dedupe_key": f"schedule:release:{release.id}:{uid}"})
    await enqueue_many(session, messages, event_id=event.id)
    return len(messages)
