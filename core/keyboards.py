"""Inline keyboards the core shows. Texts come from the catalogs via ``tr``."""

from __future__ import annotations

from collections.abc import Iterable

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from core.contributions import MenuItem


def button(text: str, data: str) -> InlineKeyboardButton:
    if len(data.encode()) > 64:
        raise ValueError(f"callback data over 64 bytes: {data!r}")
    return InlineKeyboardButton(text=text, callback_data=data)


def column(buttons: Iterable[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[b] for b in buttons])


def menu_keyboard(items: list[MenuItem], tr) -> InlineKeyboardMarkup:
    buttons = [button(tr(i.text_key), i.callback_data) for i in items]
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def back_to_menu(tr) -> InlineKeyboardMarkup:
    return column([button(tr("btn-menu"), "core:menu")])


def contact_keyboard(tr) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text=tr("btn-share-phone"), request_contact=True)]],
                               resize_keyboard=True, one_time_keyboard=True)
