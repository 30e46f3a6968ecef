"""Waitlist taps: accept or decline an offer, leave the queue. Thin: the service decides."""

from __future__ import annotations

from typing import Literal

from aiogram import Router
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.text_decorations import html_decoration as hd

from core import dates
from core.callback_types import RowId
from core.context import EventContext
from core.keyboards import button
from plugins.waitlist import service
from plugins.workshops import public as workshops
from plugins.workshops.keyboards import WsCard


class WlOffer(CallbackData, prefix="waitlist.offer"):
    entry_id: RowId
    action: Literal["a", "d"]  # accept, decline


class WlLeave(CallbackData, prefix="waitlist.leave"):
    workshop_id: RowId


def router() -> Router:
    r = Router(name="waitlist")
    r.callback_query.register(on_offer, WlOffer.filter())
    r.callback_query.register(on_leave, WlLeave.filter())
    return r


ANSWER_KEYS = {
    ("a", "booked"): "waitlist-accepted",
    ("a", "already"): "workshops-already-booked",
    ("a", "expired"): "waitlist-offer-expired",
    ("a", "declined"): "waitlist-offer-was-declined",
    ("d", "declined"): "waitlist-declined",
    ("d", "already"): "waitlist-decline-already-booked",
    ("d", "expired"): "waitlist-offer-expired",
}


async def on_offer(query: CallbackQuery, callback_data: WlOffer, app, session, event_ctx: EventContext,
                   callback_answer=None) -> None:
    ctx = event_ctx
    act = service.accept if callback_data.action == "a" else service.decline
    answer = await act(app, session, ctx.event, ctx.user.id, callback_data.entry_id)
    if answer.status == "not_found" or answer.workshop is None:
        if callback_answer is not None:
            callback_answer.text = ctx.tr("workshops-gone")
        return
    title = hd.quote(answer.workshop.title)
    if answer.status == "clash":
        text = ctx.tr("waitlist-accept-clash", **clash_args(ctx.tr, answer.clash, workshops.tz_of(ctx.event)))
    else:
        text = ctx.tr(ANSWER_KEYS.get((callback_data.action, answer.status), "waitlist-offer-expired"), title=title)
    if callback_answer is not None:
        callback_answer.text = ctx.tr(f"waitlist-toast-{answer.status}")
        callback_answer.show_alert = answer.status in ("expired", "clash")
    message = query.message
    if isinstance(message, Message) and message.text is not None and not _is_card(message):
        # The offer notice itself: replace its buttons with the outcome (keeps the chat honest).
        markup = InlineKeyboardMarkup(inline_keyboard=[[button(ctx.tr("waitlist-btn-open-card"),
                                                               WsCard(id=answer.workshop.id).pack())]])
        if answer.status == "clash":
            markup.inline_keyboard.insert(0, [button(ctx.tr("waitlist-btn-accept"), query.data),
                                              button(ctx.tr("waitlist-btn-decline"),
                                                     service.offer_callback(callback_data.entry_id, "d"))])
        new_text = message.html_text + "\n\n" + text
        if new_text != message.html_text or message.reply_markup != markup:
            await message.edit_text(new_text, reply_markup=markup)
        return
    await workshops.show_card(query, app, session, ctx, answer.workshop.id, notice=text)


def clash_args(tr, clash, tz) -> dict:
    """The overlapping booking named in ``waitlist-accept-clash``: its title, day and hours."""
    start, end = clash.starts_at.astimezone(tz), clash.ends_at.astimezone(tz)
    return dict(other=hd.quote(clash.title), day=dates.format_day(tr, clash.starts_at, tz),
                start=f"{start:%H:%M}", end=f"{end:%H:%M}")


def _is_card(message: Message) -> bool:
    """A workshop card has the "back to the list" button; the offer notice does not."""
    markup = message.reply_markup
    return bool(markup) and any((b.callback_data or "").startswith("workshops.list:") for row in markup.inline_keyboard
                                for b in row)


async def on_leave(query: CallbackQuery, callback_data: WlLeave, app, session, event_ctx: EventContext,
                   callback_answer=None) -> None:
    ctx = event_ctx
    result = await service.leave(app, session, ctx.event, ctx.user.id, callback_data.workshop_id)
    key = {"left": "waitlist-left", "not_queued": "waitlist-not-queued"}.get(result.status, "workshops-gone")
    if callback_answer is not None:
        callback_answer.text = ctx.tr(f"{key}-toast") if result.status in ("left", "not_queued") else ctx.tr(key)
    if result.workshop is not None:
        await workshops.show_card(query, app, session, ctx, result.workshop.id,
                                  notice=ctx.tr(key, title=hd.quote(result.workshop.title)))
