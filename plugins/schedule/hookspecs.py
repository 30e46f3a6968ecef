"""Hooks the schedule plugin publishes (through ``add_hookspecs``).

Implement with ``@hookimpl(optionalhook=True)``: the schedule plugin may not be installed.
"""

from __future__ import annotations

from core.hookspecs import hookspec


@hookspec
def schedule_session_actions(app, event, member, session_id, tr):
    """Return ``[(label, callback_data), ...]``: extra buttons on a session card for ``member``
    (e.g. polls' "rate this talk", questions' "ask the speaker"). Labels through ``tr``;
    callback data is your plugin's own (≤ 64 bytes). May be async."""
