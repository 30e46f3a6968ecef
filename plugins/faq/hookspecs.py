"""Hooks the FAQ plugin publishes (through ``add_hookspecs``).

When a typed question finds nothing (or the participant says the answers did not help), the FAQ
asks other plugins what to offer instead — the helpdesk of ``admin_chat`` offers "ask the
organizers", keeping the typed text as a draft so one tap turns it into a ticket. Implement it with
``@hookimpl(optionalhook=True)``: the FAQ plugin may not be installed.
"""

from __future__ import annotations

from core.hookspecs import hookspec


@hookspec
def faq_unanswered(app, session, event, member, question, tr):
    """Return ``[(label, callback_data), ...]``: buttons to show under "nothing found" / "didn't
    help" for ``question`` (the participant's own words, as typed). ``label`` in the member's
    language (``tr``); callback data ≤ 64 bytes, handled by your own router. May be async."""
