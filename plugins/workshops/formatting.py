"""Pieces of text every workshops message uses: a quoted title or place, a day, a workshop's hours."""

from __future__ import annotations

import datetime as dt
from html import escape

from core import dates
from plugins.workshops.models import Workshop


def quote(text: str | None) -> str:
    """A title or place typed by an organizer, safe inside a message's HTML."""
    return escape(text or "", quote=False)


def format_day(tr, moment: dt.datetime, tz) -> str:
    """The day of ``moment`` in ``tz``, in the reader's language."""
    return dates.format_day(tr, moment, tz)


def format_when(tr, workshop: Workshop, tz) -> str:
    """The workshop's day and hours in ``tz``, in the reader's language."""
    return dates.format_span(tr, workshop.starts_at, workshop.ends_at, tz)
