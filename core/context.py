"""Per-update context handed to every handler as ``event_ctx``."""

from __future__ import annotations

from dataclasses import dataclass

from core.i18n import Translator
from core.models import Event, Member, User


@dataclass
class EventContext:
    user: User | None
    event: Event | None
    member: Member | None
    active: frozenset[str]
    is_admin: bool
    lang: str
    tr: Translator

    @property
    def slug(self) -> str | None:
        return self.event.slug if self.event else None
