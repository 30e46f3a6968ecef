"""Per-event settings of the workshops plugin (``events.<slug>.plugins.workshops``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from core.contributions import PluginConfig

REMINDER_MAX_MINUTES = 7 * 24 * 60


class WorkshopsConfig(PluginConfig):
    booking_cutoff_minutes: int = Field(
        default=10, ge=0, le=7 * 24 * 60, description="booking and cancelling close this long before the start")
    overlap: Literal["refuse", "warn"] = Field(
        default="refuse", description="a booking overlapping another of the user's: refuse it, or book and warn")
    page_size: int = Field(default=6, ge=1, le=20, description="workshops per page of the list")
    live_updates: bool = Field(default=True, description="edit opened lists and cards when seats change")
    live_window_minutes: int = Field(default=30, ge=1, le=24 * 60,
                                     description="a list or card opened this recently is kept up to date")
    live_min_interval_seconds: float = Field(default=3.0, ge=1.0,
                                             description="at most one edit per message this often (coalesced)")
    live_edits_per_run: int = Field(default=20, ge=1, le=200, description="edits per refresh run, all chats")
    reminder_minutes: list[int] = Field(
        default=[15], description="remind attendees this many minutes before the start (several allowed; [] = off)")

    @field_validator("reminder_minutes")
    @classmethod
    def _reminders_are_distinct_lead_times(cls, value: list[int]) -> list[int]:
        if any(not 1 <= minutes <= REMINDER_MAX_MINUTES for minutes in value):
            raise ValueError(f"each lead time must be 1..{REMINDER_MAX_MINUTES} minutes, e.g. [1440, 15]")
        if len(set(value)) != len(value):
            raise ValueError("the same lead time is listed twice")
        return sorted(value, reverse=True)
