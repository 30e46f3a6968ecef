"""Callback data and inline keyboards of the workshops plugin (prefixes workshops.*, all ≤ 64 bytes)."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton

from core.callback_types import Action, Page, RowId
from core.keyboards import button


class WsList(CallbackData, prefix="workshops.list"):
    page: Page


class WsCard(CallbackData, prefix="workshops.card"):
    id: RowId
    page: Page = 0


class WsBook(CallbackData, prefix="workshops.book"):
    id: RowId


class WsCancel(CallbackData, prefix="workshops.cancel"):
    id: RowId


class WsAdmin(CallbackData, prefix="workshops.admin"):
    action: Action
    id: RowId = 0
    page: Page = 0


def nav_row(tr, page: int, pages: int, make) -> list[InlineKeyboardButton]:
    """‹ 2/5 › — only the arrows that lead somewhere."""
    if pages <= 1:
        return []
    row = []
    if page > 0:
        row.append(button(tr("workshops-btn-prev"), make(page - 1)))
    row.append(button(tr("workshops-page", page=page + 1, pages=pages), make(page)))
    if page < pages - 1:
        row.append(button(tr("workshops-btn-next"), make(page + 1)))
    return row


def admin(action: str, id_: int = 0, page: int = 0) -> str:
    return WsAdmin(action=action, id=id_, page=page).pack()
