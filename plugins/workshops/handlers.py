"""Participant side: the list, the card, book and cancel. Thin: the service decides, we render.

handler → service → database → commit → render → answer. A seat change is committed before its
card is rendered and before anything is sent to Telegram: no lock is held while a card is drawn or
across an HTTP round trip, and the user is only ever told what is stored. A card's live-view row
commits with the edit that shows it (a request to Telegram stores the update's work first).
"""

from __future__ import annotations

from contextlib import nullcontext

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.text_decorations import html_decoration as hd

from core.context import EventContext
from core.db import commit_now
from core.filters import Magic
from plugins.workshops import booking, formatting, live, queries, render, settings, taps
from plugins.workshops.keyboards import WsBook, WsCancel, WsCard, WsList


def router() -> Router:
    r = Router(name="workshops")
    r.message.register(on_list_command, Command("workshops"), Magic(F.chat.type == "private"))
    r.callback_query.register(on_list, WsList.filter())
    r.callback_query.register(on_card, WsCard.filter())
    r.callback_query.register(on_book, WsBook.filter())
    r.callback_query.register(on_cancel, WsCancel.filter())
    return r


async def show(target: Message | CallbackQuery, text: str, markup) -> Message | None:
    """Edit the message whose button was pressed (or send a new one); returns the shown message."""
    if isinstance(target, CallbackQuery):
        message = target.message
        if isinstance(message, Message) and message.text is not None:
            if message.html_text != text or message.reply_markup != markup:
                result = await message.edit_text(text, reply_markup=markup)
                return result if isinstance(result, Message) else message
            return message
        return await message.answer(text, reply_markup=markup)
    return await target.answer(text, reply_markup=markup)


async def _publish(target, app, session, ctx: EventContext, kind: str, ids, page, text, markup,
                   version: int | None = None) -> None:
    """Show ``text`` and remember the message as a live view.

    A pressed button's message is edited in place, so its id is known before the edit: the view
    is stored first and commits with the edit. A new message (a command) is remembered once
    Telegram has numbered it, and commits when the handler returns.
    """
    message = target.message if isinstance(target, CallbackQuery) else None
    if isinstance(message, Message) and message.text is not None:
        with live.answering(app, message.chat.id, message.message_id):
            await live.remember(app, session, event=ctx.event, chat_id=message.chat.id,
                                message_id=message.message_id, user_id=ctx.user.id, kind=kind, workshop_ids=ids,
                                page=page, text=text, markup=markup, seen_version=version)
            await show(target, text, markup)
        return
    shown = await show(target, text, markup)
    if shown is not None:
        await live.remember(app, session, event=ctx.event, chat_id=shown.chat.id, message_id=shown.message_id,
                            user_id=ctx.user.id, kind=kind, workshop_ids=ids, page=page, text=text, markup=markup)


async def _list(target, app, session, ctx: EventContext, page: int) -> None:
    text, markup, ids, page = await render.render_list(app, session, ctx.event, ctx.user.id, ctx.tr, page)
    await _publish(target, app, session, ctx, "list", ids, page, text, markup)


async def on_list_command(message: Message, app, session, event_ctx: EventContext) -> None:
    await _list(message, app, session, event_ctx, 0)


async def on_list(query: CallbackQuery, callback_data: WsList, app, session, event_ctx: EventContext) -> None:
    await _list(query, app, session, event_ctx, callback_data.page)


async def show_card(query: CallbackQuery, app, session, ctx: EventContext, workshop_id: int, *, page: int = 0,
                    notice: str | None = None, callback_answer=None) -> None:
    """Render the card for this user from the database and show it. What the caller decided is
    committed first: the card is never drawn inside the caller's transaction."""
    await commit_now(session)
    workshop = await queries.get_workshop(session, ctx.event.id, workshop_id)
    if workshop is None:
        if callback_answer is not None:
            callback_answer.text = ctx.tr("workshops-gone")
        await _list(query, app, session, ctx, page)
        return
    text, markup = await render.render_card(app, session, ctx.event, workshop, ctx.user.id, ctx.tr, page=page,
                                            notice=notice)
    await _publish(query, app, session, ctx, "card", [workshop.id], page, text, markup, workshop.version)


async def on_card(query: CallbackQuery, callback_data: WsCard, app, session, event_ctx: EventContext) -> None:
    await show_card(query, app, session, event_ctx, callback_data.id, page=callback_data.page)


def book_notice(tr, result, tz) -> tuple[str | None, str]:
    """(line on the card, short toast) telling the user exactly what happened."""
    title = hd.quote(result.workshop.title) if result.workshop is not None else ""
    status = result.status
    if status == "booked":
        line = tr("workshops-booked", title=title)
        if result.clash is not None:
            line += "\n" + tr("workshops-booked-clash-warning", **_clash_args(tr, result.clash, tz))
        return line, tr("workshops-toast-booked")
    if status == "already":
        return tr("workshops-already-booked", title=title), tr("workshops-toast-already")
    if status in ("queued", "already_queued"):
        key = "waitlist-queued" if status == "queued" else "waitlist-already-queued"
        return tr(key, title=title, position=result.position), tr("waitlist-toast-queued", position=result.position)
    if status == "offered":
        return tr("waitlist-offer-pending"), tr("waitlist-offer-pending")
    if status == "clash":
        return tr("workshops-clash", **_clash_args(tr, result.clash, tz)), tr("workshops-toast-clash")
    if status == "full":
        return tr("workshops-full"), tr("workshops-full")
    if status == "closed":
        return tr("workshops-booking-closed"), tr("workshops-booking-closed")
    if status == "started":
        return tr("workshops-started"), tr("workshops-started")
    return None, tr("workshops-gone")


def _clash_args(tr, clash, tz) -> dict:
    start, end = clash.starts_at.astimezone(tz), clash.ends_at.astimezone(tz)
    return dict(other=hd.quote(clash.title), day=formatting.format_day(tr, clash.starts_at, tz),
                start=f"{start:%H:%M}", end=f"{end:%H:%M}")


async def on_book(query: CallbackQuery, callback_data: WsBook, app, session, event_ctx: EventContext,
                  callback_answer=None, event_update=None) -> None:
    """Book or queue in the order of the taps (their update ids); the card is rendered after the
    commit from what was decided (no re-reading), then shown.

    Taps waiting behind one another for the same workshop are decided together
    (``sequencer.batched`` over plain ``taps.Tap`` items, ``taps.book_batch``): the tap whose turn
    it is locks the workshop once and, in one transaction, books or queues each of them in order and
    stores each one's card view. A rush for the last seats costs one commit per batch rather than
    one per tap, and each tap gets the answer it would have got alone."""
    ctx = event_ctx
    order_key = event_update.update_id if event_update is not None else None
    workshop_id = callback_data.id
    message = query.message
    editable = isinstance(message, Message) and message.text is not None
    tap = taps.Tap(ctx.user.id, order_key, (message.chat.id, message.message_id) if editable else None)
    # Its card view commits (in the batch) before its edit: the refresh leaves the card alone until then.
    answering = live.answering(app, message.chat.id, message.message_id) if editable else nullcontext()
    with answering:
        result = await app.sequencer.batched(order_key, ("workshops:book", ctx.event.id, workshop_id), tap,
                                             taps.book_batch, app, session, ctx.event, workshop_id)
        line, toast = book_notice(ctx.tr, result, settings.tz_of(ctx.event))
        if callback_answer is not None:
            callback_answer.text = toast
        if result.state is None or result.workshop is None:  # gone, started, closed: the ordinary card
            await show_card(query, app, session, ctx, workshop_id, notice=line)
            return
        # Rendered from the decision (no query), so any session will do: the batch's has committed.
        text, markup = await render.render_card(app, session, ctx.event, result.workshop, ctx.user.id, ctx.tr,
                                                notice=line, state=result.state)
        if editable:
            await show(query, text, markup)
        else:
            await _publish(query, app, session, ctx, "card", [result.workshop.id], 0, text, markup, result.version)


async def on_cancel(query: CallbackQuery, callback_data: WsCancel, app, session, event_ctx: EventContext,
                    callback_answer=None) -> None:
    ctx = event_ctx
    result = await booking.cancel(app, session, ctx.event, ctx.user.id, callback_data.id)
    key = {"cancelled": "workshops-cancelled", "not_booked": "workshops-not-booked",
           "started": "workshops-cancel-started"}.get(result.status, "workshops-gone")
    title = hd.quote(result.workshop.title) if result.workshop is not None else ""
    if callback_answer is not None:
        callback_answer.text = ctx.tr(key.replace("workshops-", "workshops-toast-", 1))
    await show_card(query, app, session, ctx, callback_data.id, notice=ctx.tr(key, title=title))
