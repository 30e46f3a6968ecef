"""Per-event settings of the waitlist plugin (``events.<slug>.plugins.waitlist``)."""

from __future__ import annotations

from pydantic import Field

from core.contributions import PluginConfig


class WaitlistConfig(PluginConfig):
    offer_minutes: int = Field(default=120, ge=1, le=7 * 24 * 60,
                               description="how long a freed seat is held for the next person in line")
    offer_minutes_near_start: int = Field(default=30, ge=1, le=24 * 60,
                                          description="the shorter hold used close to the start")
    near_start_hours: int = Field(default=24, ge=0, le=30 * 24,
                                  description="'close to the start' means fewer than this many hours before it")
    offer_cutoff_minutes: int = Field(default=60, ge=0, le=7 * 24 * 60,
                                      description="no offers (and no queueing) this long before the start")
    sweep_seconds: float = Field(default=15.0, ge=1.0, le=3600.0,
                                 description="how often lapsed offers are passed on to the next person")
