"""Inline keyboards the core shows. Texts come from the catalogs via ``tr``."""

from __future__ import annotations

from collections.abc import Iterable

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from core.contributions import MenuItem


def button(text: str, data: str) -> InlineKeyboardButton:
    if len(data.encode()) > 64:
        raise ValueError(f"callback data over 64 bytes: {data!r}")
    return InlineKeyboardButton(text=text, callback_data=data)


def rows(*rows_: list[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    """One keyboard row per argument; empty rows (a button that does not apply) are left out."""
    return InlineKeyboardMarkup(inline_keyboard=[list(r) for r in rows_ if r])


def column(buttons: Iterable[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[b] for b in buttons])


_menus: dict[tuple, InlineKeyboardMarkup] = {}


def menu_keyboard(items: list[MenuItem], tr) -> InlineKeyboardMarkup:
    """Two buttons a row. The menu is the most shown message and its keyboard depends only on
    the items and the language, so each distinct one is built once (pydantic models, ~10)."""
    key = (tuple(items), id(tr.catalogs), tr.lang)
    markup = _menus.get(key)
    if markup is None:
        buttons = [button(tr(i.text_key), i.callback_data) for i in items]
        rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
        markup = InlineKeyboardMarkup(inline_keyboard=rows)
        if len(_menus) >= 1024:  # events × languages × roles × plugin sets: small; bound it anyway
            _menus.clear()
        _menus[key] = markup
    return markup


def back_to_menu(tr) -> InlineKeyboardMarkup:
    return column([button(tr("btn-menu"), "core:menu")])


def contact_keyboard(tr) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text=tr("btn-share-phone"), request_contact=True)]],
                               resize_keyboard=True, one_time_keyboard=True)
