"""What a plugin declares and contributes: its manifest and the items it adds to menus and views.

These are plain data classes so that the core can validate each contribution as it arrives and
tests can compare them; nothing here imports aiogram.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class PluginConfig(BaseModel):
    """Base of every plugin's per-event config model. ``{}`` must be valid (defaults everywhere)."""

    model_config = ConfigDict(extra="forbid")
    enabled: bool = True


@dataclass(frozen=True)
class PluginManifest:
    name: str
    version: str
    description: str = ""
    depends_on: tuple[str, ...] = ()
    config_model: type[PluginConfig] = PluginConfig
    migrations: Path | None = None  # folder of Alembic revisions; first one has branch_labels=(name,)
    locales: Path | None = None  # folder with <lang>/*.ftl
    core_version: str = ">=0.1"


@dataclass(frozen=True)
class MenuItem:
    """A button in the participant's main menu (or, as ``AdminItem``, in the admin menu).

    ``callback_data`` is handled by the plugin's own router; ``text_key`` is a locale key.
    """

    text_key: str
    callback_data: str
    order: int = 100


@dataclass(frozen=True)
class AdminItem(MenuItem):
    pass


@dataclass(frozen=True)
class ProfileSection:
    """A block of text the personal cabinet shows, rendered by the plugin for one user."""

    title_key: str
    lines: tuple[str, ...]
    order: int = 100
    buttons: tuple[tuple[str, str], ...] = ()  # (label, callback_data) under the cabinet


@dataclass(frozen=True)
class ScheduleItem:
    """One entry of a user's personal schedule (a session, a booked workshop, ...)."""

    starts_at: dt.datetime
    ends_at: dt.datetime | None
    title: str
    place: str | None = None
    kind: str = "session"


@dataclass(frozen=True)
class BotCommand:
    command: str
    description_key: str


@dataclass(frozen=True)
class JobSpec:
    """A job a plugin declares. ``await func(ctx, session, payload)`` (ctx: ``core.jobs.JobContext``)
    is referenced by name, never pickled.

    ``interval``: seconds between runs (periodic). Otherwise the job is due-time work scheduled by
    key with ``core.jobs.schedule``; ``misfire`` says what happens to work that fell due while the
    bot was down: "run" late, or "drop" (logged).
    """

    name: str
    func: Callable[..., Awaitable[Any]]
    interval: float | None = None
    misfire: Literal["run", "drop"] = "run"
    misfire_grace: float | None = None  # seconds late after which "drop" applies


@dataclass
class ProgramSection:
    """What a plugin read from (or will write to) the event program file."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
