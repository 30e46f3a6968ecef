"""Per-event settings of the schedule plugin (``events.<slug>.plugins.schedule``)."""

from __future__ import annotations

from pydantic import Field, field_validator

from core.contributions import PluginConfig

REMINDER_MAX_MINUTES = 7 * 24 * 60


class ScheduleConfig(PluginConfig):
    reminder_minutes: list[int] = Field(
        default=[10], description="remind this many minutes before a bookmarked session (participants may pick one)")
    drafts: bool = Field(default=True, description="edits wait for 'Publish changes'; false: each edit is published")
    page_size: int = Field(default=8, ge=1, le=20, description="sessions per page of a list")
    workshop_hold_minutes: int = Field(
        default=30, ge=0, le=24 * 60,
        description="with drafts on, a change to a booked workshop waits up to this long for 'Publish changes' "
                    "to join the same digest (sent alone after that, or at once if the workshop is near); "
                    "0: workshops notify at once")

    @field_validator("reminder_minutes")
    @classmethod
    def _distinct_lead_times(cls, value: list[int]) -> list[int]:
        if any(not 1 <= minutes <= REMINDER_MAX_MINUTES for minutes in value):
            raise ValueError(f"each lead time must be 1..{REMINDER_MAX_MINUTES} minutes, e.g. [60, 10]")
        if len(set(value)) != len(value):
            raise ValueError("the same lead time is listed twice")
        return sorted(value, reverse=True)
