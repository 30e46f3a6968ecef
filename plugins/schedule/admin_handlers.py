"""Organizer side of the schedule: create, edit and cancel sessions (validated, previewed before
saving), "Publish changes" with a preview of what changes and whom it tells, speaker links.

Every handler checks the role and the service checks it again. The dialog keeps only what the
organizer typed; "Save" parses and validates it again, so what is saved is what was previewed
or a clear refusal, never half of it.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.text_decorations import html_decoration as hd

from core.context import EventContext
from core.filters import Magic
from core.handlers.admin import refuse
from core.handlers.common import reply
from core.keyboards import button, rows
from plugins.schedule import clock, held, queries, render, service, settings

HOME = "scha:home"
EDITABLE = ("title", "time", "room", "speakers", "description", "track", "kind", "forall")


class ScheduleEdit(StatesGroup):
    form = State()
    field = State()
    confirm = State()


def router() -> Router:
    r = Router(name="schedule:admin")
    r.callback_query.register(on_home, Magic(F.data == HOME))
    r.callback_query.register(on_new, Magic(F.data == "scha:new"))
    r.callback_query.register(on_list, Magic(F.data.regexp(r"^scha:l:\d{1,9}$")))
    r.callback_query.register(on_card, Magic(F.data.regexp(r"^scha:s:\d{1,9}$")))
    r.callback_query.register(on_field, Magic(F.data.regexp(r"^scha:e:\d{1,9}:[a-z]+$")))
    r.callback_query.register(on_save, Magic(F.data == "scha:save"))
    r.callback_query.register(on_abort, Magic(F.data == "scha:abort"))
    r.callback_query.register(on_cancel_session, Magic(F.data.regexp(r"^scha:x:\d{1,9}$")))
    r.callback_query.register(on_cancel_confirmed, Magic(F.data.regexp(r"^scha:xx:\d{1,9}$")))
    r.callback_query.register(on_preview, Magic(F.data == "scha:pub"))
    r.callback_query.register(on_publish, Magic(F.data == "scha:pubgo"))
    r.callback_query.register(on_speakers, Magic(F.data.regexp(r"^scha:spk:\d{1,9}$")))
    r.callback_query.register(on_speaker_link, Magic(F.data.regexp(r"^scha:lnk:\d{1,9}$")))
    r.message.register(on_form, StateFilter(ScheduleEdit.form), Magic(F.chat.type == "private"), Magic(F.text))
    r.message.register(on_field_value, StateFilter(ScheduleEdit.field), Magic(F.chat.type == "private"), Magic(F.text))
    return r


def _allowed(ctx: EventContext) -> bool:
    return ctx.event is not None and ctx.is_admin


def _home_row(tr):
    return [button(tr("schedule-admin-btn-home"), HOME)]


def _error(tr, exc: service.InputError) -> str:
    return tr("schedule-error-prefix", reason=tr(exc.key, **exc.args_))


async def on_home(query: CallbackQuery, app, session, event_ctx: EventContext, state: FSMContext,
                  callback_answer=None) -> None:
    ctx, tr = event_ctx, event_ctx.tr
    if not _allowed(ctx):
        await refuse(query, ctx, callback_answer)
        return
    await state.clear()
    everything = await service.sessions_of(session, ctx.event.id, drafts=True)
    pending = sum(1 for s in everything if service.describe(s) is not None)
    pending += await held.count(session, ctx.event.id)  # booked workshops' changes wait for the same release
    text = tr("schedule-admin-home", sessions=len(everything), pending=pending,
              drafts=tr("schedule-admin-drafts-on" if settings.config(app, ctx.event).drafts
                        else "schedule-admin-drafts-off"))
    await reply(query, text, rows([button(tr("schedule-admin-btn-new"), "scha:new"),
                                   button(tr("schedule-admin-btn-list"), "scha:l:0")],
                                  [button(tr("schedule-admin-btn-publish", count=pending), "scha:pub")],
                                  [button(tr("schedule-admin-btn-speakers"), "scha:spk:0")],
                                  [button(tr("schedule-admin-btn-back"), "core:admin")]))


async def on_new(query: CallbackQuery, event_ctx: EventContext, state: FSMContext, callback_answer=None) -> None:
    ctx = event_ctx
    if not _allowed(ctx):
        await refuse(query, ctx, callback_answer)
        return
    await state.set_state(ScheduleEdit.form)
    await state.set_data({})
    await query.message.answer(ctx.tr("schedule-admin-ask-form", timezone=hd.quote(ctx.event.timezone)),
                               reply_markup=rows([button(ctx.tr("schedule-admin-btn-abort"), "scha:abort")]))


async def on_form(message: Message, app, session, event_ctx: EventContext, state: FSMContext) -> None:
    ctx, tr = event_ctx, event_ctx.tr
    if not _allowed(ctx):
        await state.clear()
        await refuse(message, ctx)
        return
    abort = [button(tr("schedule-admin-btn-abort"), "scha:abort")]
    try:
        data = await service.parse_form(session, ctx.event, message.text)
    except service.InputError as exc:
        await message.answer(_error(tr, exc), reply_markup=rows(abort))
        return
    await state.set_state(ScheduleEdit.confirm)
    await state.set_data({"op": "new", "text": message.text})
    preview = _preview_row(data)
    speakers = await queries.speakers_by_id(session, ctx.event.id)
    await message.answer(tr("schedule-admin-preview") + "\n\n"
                         + render.card(tr, preview, speakers, settings.tz_of(ctx.event), bookmarked=False),
                         reply_markup=rows([button(tr("schedule-admin-btn-save"), "scha:save")], abort))


def _preview_row(data: service.SessionData):
    from plugins.schedule.models import Session

    return Session(id=0, title=data.title, kind=data.kind, starts_at=data.starts_at, ends_at=data.ends_at,
                   room=data.room, track=data.track, speaker_ids=list(data.speaker_ids),
                   description=data.description, cancelled=data.cancelled, for_all=data.for_all)


async def on_list(query: CallbackQuery, app, session, event_ctx: EventContext, callback_answer=None) -> None:
    ctx, tr = event_ctx, event_ctx.tr
    if not _allowed(ctx):
        await refuse(query, ctx, callback_answer)
        return
    everything = await service.sessions_of(session, ctx.event.id, drafts=True)
    size = settings.config(app, ctx.event).page_size
    pages = max(1, -(-len(everything) // size))
    page = min(int(query.data.split(":")[2]), pages - 1)
    tz = settings.tz_of(ctx.event)
    part = everything[page * size:(page + 1) * size]
    buttons = []
    for s in part:
        values = service.effective(s)
        mark = "✏️ " if service.describe(s) is not None else ("❌ " if values["cancelled"] else "")
        title = values["title"][:40]
        buttons.append([button(f"{mark}{values['starts_at'].astimezone(tz):%d.%m %H:%M} {title}", f"scha:s:{s.id}")])
    nav = []
    if page > 0:
        nav.append(button(tr("schedule-btn-prev"), f"scha:l:{page - 1}"))
    if page + 1 < pages:
        nav.append(button(tr("schedule-btn-next"), f"scha:l:{page + 1}"))
    text = tr("schedule-admin-list", count=len(everything))
    if pages > 1:
        text += f" · {tr('schedule-page', page=page + 1, pages=pages)}"
    await reply(query, text, rows(*buttons, nav, _home_row(tr)))


async def _admin_card(target, session, ctx: EventContext, session_id: int) -> None:
    tr = ctx.tr
    row = await service.get_session(session, ctx.event.id, session_id)
    if row is None:
        await reply(target, tr("schedule-not-found"), rows(_home_row(tr)))
        return
    values = service.effective(row)
    shown = _preview_row(service.SessionData(**values))
    speakers = await queries.speakers_by_id(session, ctx.event.id)
    text = render.card(tr, shown, speakers, settings.tz_of(ctx.event), bookmarked=False)
    if row.published_at is None:
        text = tr("schedule-admin-unpublished") + "\n" + text
    elif row.draft:
        text = tr("schedule-admin-drafted") + "\n" + text
    edit = [button(tr(f"schedule-admin-field-{name}"), f"scha:e:{row.id}:{name}") for name in EDITABLE]
    actions = [] if values["cancelled"] else [button(tr("schedule-admin-btn-cancel-session"), f"scha:x:{row.id}")]
    await reply(target, text, rows(edit[:3], edit[3:6], edit[6:], actions, [button(tr("schedule-admin-btn-list"), "scha:l:0")],
                                   _home_row(tr)))


async def on_card(query: CallbackQuery, session, event_ctx: EventContext, state: FSMContext,
                  callback_answer=None) -> None:
    if not _allowed(event_ctx):
        await refuse(query, event_ctx, callback_answer)
        return
    await state.clear()
    await _admin_card(query, session, event_ctx, int(query.data.split(":")[2]))


async def on_field(query: CallbackQuery, event_ctx: EventContext, state: FSMContext, callback_answer=None) -> None:
    ctx = event_ctx
    if not _allowed(ctx):
        await refuse(query, ctx, callback_answer)
        return
    _, _, sid, name = query.data.split(":")
    if name not in EDITABLE:
        return
    await state.set_state(ScheduleEdit.field)
    await state.set_data({"op": "edit", "id": int(sid), "field": name})
    await query.message.answer(ctx.tr(f"schedule-admin-ask-{name}"),
                               reply_markup=rows([button(ctx.tr("schedule-admin-btn-abort"), "scha:abort")]))


async def on_field_value(message: Message, app, session, event_ctx: EventContext, state: FSMContext) -> None:
    ctx, tr = event_ctx, event_ctx.tr
    if not _allowed(ctx):
        await state.clear()
        await refuse(message, ctx)
        return
    data = await state.get_data()
    abort = [button(tr("schedule-admin-btn-abort"), "scha:abort")]
    row = await service.get_session(session, ctx.event.id, int(data.get("id", 0)))
    if row is None:
        await state.clear()
        await message.answer(tr("schedule-not-found"), reply_markup=rows(_home_row(tr)))
        return
    try:
        changes = await service.parse_field(session, ctx.event, row, data.get("field", ""), message.text)
        checked = await service.check_changes(session, ctx.event, row, changes)
    except service.InputError as exc:
        await message.answer(_error(tr, exc), reply_markup=rows(abort))
        return
    await state.set_state(ScheduleEdit.confirm)
    await state.set_data({**data, "text": message.text})
    speakers = await queries.speakers_by_id(session, ctx.event.id)
    await message.answer(tr("schedule-admin-preview") + "\n\n"
                         + render.card(tr, _preview_row(checked), speakers, settings.tz_of(ctx.event),
                                       bookmarked=False),
                         reply_markup=rows([button(tr("schedule-admin-btn-save"), "scha:save")], abort))


async def on_save(query: CallbackQuery, app, session, event_ctx: EventContext, state: FSMContext,
                  callback_answer=None) -> None:
    ctx, tr = event_ctx, event_ctx.tr
    if not _allowed(ctx):
        await state.clear()
        await refuse(query, ctx, callback_answer)
        return
    data = await state.get_data() if await state.get_state() == ScheduleEdit.confirm.state else {}
    await state.clear()  # a second tap on "Save" finds nothing to save
    if not data:
        if callback_answer is not None:
            callback_answer.text = tr("schedule-admin-nothing")
        return
    now = clock.now()
    try:
        if data["op"] == "new":
            parsed = await service.parse_form(session, ctx.event, data["text"])
            row = await service.create_session(app, session, ctx.event, ctx.member, parsed, now=now)
        else:
            row = await service.get_session(session, ctx.event.id, int(data["id"]))
            if row is None:
                raise service.InputError("schedule-error-not-found")
            changes = await service.parse_field(session, ctx.event, row, data["field"], data["text"])
            row = await service.stage_changes(app, session, ctx.event, ctx.member, row.id, changes, now=now)
    except service.InputError as exc:
        await reply(query, _error(tr, exc), rows(_home_row(tr)), edit=False)
        return
    except service.NotAllowed:
        await refuse(query, ctx, callback_answer)
        return
    await query.message.answer(tr("schedule-admin-saved-draft" if (row.draft or row.published_at is None)
                                  else "schedule-admin-saved"))
    await _admin_card(query.message, session, ctx, row.id)


async def on_abort(query: CallbackQuery, event_ctx: EventContext, state: FSMContext) -> None:
    await state.clear()
    await reply(query, event_ctx.tr("schedule-admin-aborted"), rows(_home_row(event_ctx.tr)))


async def on_cancel_session(query: CallbackQuery, session, event_ctx: EventContext, callback_answer=None) -> None:
    ctx, tr = event_ctx, event_ctx.tr
    if not _allowed(ctx):
        await refuse(query, ctx, callback_answer)
        return
    sid = int(query.data.split(":")[2])
    row = await service.get_session(session, ctx.event.id, sid)
    if row is None:
        await reply(query, tr("schedule-not-found"), rows(_home_row(tr)))
        return
    await reply(query, tr("schedule-admin-cancel-confirm", title=render.q(service.effective(row)["title"])),
                rows([button(tr("schedule-admin-btn-cancel-yes"), f"scha:xx:{sid}")],
                     [button(tr("schedule-admin-btn-abort"), f"scha:s:{sid}")]))


async def on_cancel_confirmed(query: CallbackQuery, app, session, event_ctx: EventContext,
                              callback_answer=None) -> None:
    ctx, tr = event_ctx, event_ctx.tr
    if not _allowed(ctx):
        await refuse(query, ctx, callback_answer)
        return
    sid = int(query.data.split(":")[2])
    try:
        await service.cancel_session(app, session, ctx.event, ctx.member, sid, now=clock.now())
    except service.InputError as exc:
        await reply(query, _error(tr, exc), rows(_home_row(tr)))
        return
    await _admin_card(query, session, ctx, sid)


async def on_preview(query: CallbackQuery, app, session, event_ctx: EventContext, callback_answer=None) -> None:
    ctx, tr = event_ctx, event_ctx.tr
    if not _allowed(ctx):
        await refuse(query, ctx, callback_answer)
        return
    result, _ = await service.preview(app, session, ctx.event, ctx.member)
    if not result.total:
        await reply(query, tr("schedule-admin-publish-none"), rows(_home_row(tr)))
        return
    speakers = await queries.speakers_by_id(session, ctx.event.id)
    tz = settings.tz_of(ctx.event)
    people = len(result.people)
    lines = [tr("schedule-admin-publish-preview", changes=result.total, people=people)]
    if result.held_changes:
        lines[0] += "\n" + tr("schedule-admin-publish-held", count=len(result.held_changes))
    blocks = ["\n".join(render.change_lines(tr, change, speakers, tz)) for change in result.changes]
    blocks += ["\n".join(render.held_lines(tr, change, tz, reader=False)) for change in result.held_changes]
    for shown, block in enumerate(blocks):
        if sum(len(x) for x in lines) + len(block) > render.TEXT_BUDGET - 200:
            lines.append(tr("schedule-digest-more", count=len(blocks) - shown))
            break
        lines.append(block)
    await reply(query, "\n\n".join(lines), rows([button(tr("schedule-admin-btn-publish-go", people=people),
                                                          "scha:pubgo")], _home_row(tr)))


async def on_publish(query: CallbackQuery, app, session, event_ctx: EventContext, callback_answer=None) -> None:
    ctx, tr = event_ctx, event_ctx.tr
    if not _allowed(ctx):
        await refuse(query, ctx, callback_answer)
        return
    release = await service.publish(app, session, ctx.event, ctx.member, now=clock.now())
    if release is None:  # a second tap, or someone else published first
        await reply(query, tr("schedule-admin-publish-none"), rows(_home_row(tr)))
        return
    await reply(query, tr("schedule-admin-published", changes=release.changes, people=release.notified),
                rows(_home_row(tr)))


async def on_speakers(query: CallbackQuery, app, session, event_ctx: EventContext, callback_answer=None) -> None:
    ctx, tr = event_ctx, event_ctx.tr
    if not _allowed(ctx):
        await refuse(query, ctx, callback_answer)
        return
    speakers = sorted((await queries.speakers_by_id(session, ctx.event.id)).values(), key=lambda s: s.name.casefold())
    size = 20
    pages = max(1, -(-len(speakers) // size))
    page = min(int(query.data.split(":")[2]), pages - 1)
    part = speakers[page * size:(page + 1) * size]
    buttons = [[button(("✅ " if s.user_id else "") + s.name[:50], f"scha:lnk:{s.id}")] for s in part]
    nav = []
    if page > 0:
        nav.append(button(tr("schedule-btn-prev"), f"scha:spk:{page - 1}"))
    if page + 1 < pages:
        nav.append(button(tr("schedule-btn-next"), f"scha:spk:{page + 1}"))
    await reply(query, tr("schedule-admin-speakers", count=len(speakers)), rows(*buttons, nav, _home_row(tr)))


async def on_speaker_link(query: CallbackQuery, app, session, event_ctx: EventContext, bot=None,
                          callback_answer=None) -> None:
    ctx, tr = event_ctx, event_ctx.tr
    if not _allowed(ctx):
        await refuse(query, ctx, callback_answer)
        return
    try:
        payload = await service.create_speaker_link(app, session, ctx.event, ctx.member,
                                                    int(query.data.split(":")[2]), now=clock.now())
    except service.InputError as exc:
        await reply(query, _error(tr, exc), rows(_home_row(tr)))
        return
    me = await query.bot.me()
    link = f"https://t.me/{me.username}?start={payload}"
    await query.message.answer(tr("schedule-admin-link", link=hd.quote(link)), reply_markup=rows(_home_row(tr)))
