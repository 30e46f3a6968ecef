"""Calling the hooks this plugin publishes (declared in ``hookspecs.py``) on the plugins active
for an event."""

from __future__ import annotations

from typing import Any

from core.models import Event


def active(app, event: Event) -> set[str]:
    return set(app.active_plugins(event.slug))


async def call(app, event: Event, name: str, /, **kwargs) -> list[Any]:
    """Call one of our published hooks on the plugins active for ``event`` (positional: several
    hooks take an ``event`` argument of their own)."""
    return await app.registry.call(name, active=active(app, event), app=app, **kwargs)
