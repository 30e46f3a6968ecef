"""Hooks the news plugin publishes (through ``add_hookspecs``): who else news can be addressed to.

Everyone in the event is always offered. A plugin adds groups of its own — the workshops plugin
offers "booked for workshop X". Keys are the plugin's name, a colon and anything (≤ 40
characters in all), so the news plugin asks the same plugin for the people when the news is sent.
Implement them with ``@hookimpl(optionalhook=True)``: the news plugin may not be installed.
"""

from __future__ import annotations

from core.hookspecs import hookspec


@hookspec
def news_audiences(app, session, event, tr):
    """Return ``[public.NewsAudience(key, label, count), ...]``: groups worth addressing right now (``label``
    in the organizer's language, through ``tr``; ``count`` people). May be async."""


@hookspec
def news_recipients(app, session, event, key):
    """Return the user ids of your audience ``key`` (as it is now), or None if ``key`` is not one
    of yours any more. May be async."""
