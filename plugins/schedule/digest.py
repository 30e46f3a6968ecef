"""A release's notices: ONE outbox message per affected participant, listing all of their changes.

Written in the publishing transaction, so the notices commit (or vanish) with the release; the
dedupe key names the release and the reader, so a retried transaction cannot tell anyone twice.
"""

from __future__ import annotations

from core.delivery import enqueue as outbox_enqueue
from plugins.schedule import render


async def enqueue(app, session, event, release, preview) -> int:
    from plugins.schedule.service import speakers_by_id, tz_of

    if not preview.recipients:
        return 0
    langs = await render.languages(session, event, list(preview.recipients))
    speakers = await speakers_by_id(session, event.id)
    tz = tz_of(event)
    markup_cache: dict[str, dict] = {}
    for uid, indexes in preview.recipients.items():
        lang = langs[uid]
        tr = app.translator(lang)
        if lang not in markup_cache:
            markup_cache[lang] = {"inline_keyboard": [[{"text": tr("schedule-btn-my"), "callback_data": "sch:my:0"}]]}
        text = render.digest(tr, event.title, [preview.changes[i] for i in indexes], speakers, tz)
        await outbox_enqueue(session, chat_id=uid, user_id=uid, event_id=event.id, text=text, reply_markup=markup_cache[lang],
                    dedupe_key=f"schedule:release:{release.id}:{uid}")
    return len(preview.recipients)

