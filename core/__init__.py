"""Pocket Organizer core: the public API a plugin imports.

    from core import hookimpl, PluginManifest, PluginConfig, MenuItem, AdminItem

"""

from core.contributions import (
    AdminItem,
    BotCommand,
    JobSpec,
    MenuItem,
    PluginConfig,
    PluginManifest,
    ProfileSection,
    ProgramSection,
    ScheduleItem,
)
from core.hookspecs import hookimpl, hookspec

__version__ = "0.1.0"

__all__ = [
    "AdminItem",
    "BotCommand",
    "JobSpec",
    "MenuItem",
    "PluginConfig",
    "PluginManifest",
    "ProfileSection",
    "ProgramSection",
    "ScheduleItem",
    "hookimpl",
    "hookspec",
    "__version__",
]
