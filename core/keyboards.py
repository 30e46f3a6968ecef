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


# Cached as tuples of (frozen) buttons, never as a markup: a markup's rows are lists, and a caller
# that appended to a shared one grew the menu of every user who was shown it afterwards.
_menus: dict[tuple, tuple[tuple[InlineKeyboardButton, ...], ...]] = {}


def menu_keyboard(items: list[MenuItem], tr,
                  extra_rows: Iterable[Iterable[InlineKeyboardButton]] = ()) -> InlineKeyboardMarkup:
    """Two buttons a row, then ``extra_rows``. The menu is the most shown message and its buttons
    depend only on the items and the language, so each distinct set is built once; every call
    returns a fresh markup the caller owns."""
    key = (tuple(items), id(tr.catalogs), tr.lang)
    cached = _menus.get(key)
    if cached is None:
        buttons = [button(tr(i.text_key), i.callback_data) for i in items]
        cached = tuple(tuple(buttons[i:i + 2]) for i in range(0, len(buttons), 2))
        if len(_menus) >= 1024:  # events × languages × roles × plugin sets: small; bound it anyway
            _menus.clear()
        _menus[key] = cached
    return InlineKeyboardMarkup(inline_keyboard=[list(r) for r in cached] + [list(r) for r in extra_rows])


def back_to_menu(tr) -> InlineKeyboardMarkup:
    return column([button(tr("btn-menu"), "core:menu")])


def contact_keyboard(tr) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text=tr("btn-share-phone"), request_contact=True)]],
                               resize_keyboard=True, one_time_keyboard=True)
