"""Router filters the core and plugins share."""

from __future__ import annotations

from typing import Any

from aiogram.filters import Filter
from aiogram.types import TelegramObject


class PluginEnabled(Filter):
    """Root filter of a plugin's wrapper router: skip the whole subtree when the plugin is off
    for the update's event. Injects the plugin's validated per-event config as ``plugin_config``."""

    def __init__(self, plugin: str):
        self.plugin = plugin

    async def __call__(self, event: TelegramObject, event_ctx=None, app=None, **data: Any) -> bool | dict:
        if event_ctx is None or event_ctx.event is None or self.plugin not in event_ctx.active:
            return False
        return {"plugin_config": app.plugin_config(event_ctx.event.slug, self.plugin)}

