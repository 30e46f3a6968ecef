"""Pocket Organizer core: the public API a plugin imports.

    from core import hookimpl, PluginManifest, PluginConfig, MenuItem, AdminItem

"""

# First, before anything imports aiogram: its ~470 pydantic schemas are built on first use, not at import.
from core import lazy_aiogram

lazy_aiogram.install()

from core.contributions import (  # noqa: E402
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
from core.hookspecs import hookimpl, hookspec  # noqa: E402

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
