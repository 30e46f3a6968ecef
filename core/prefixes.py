"""Start-up check: what a plugin names in shared namespaces starts with the plugin's name.

Tables, text keys, callback data and FSM state groups live in namespaces every plugin shares (one
database, one Fluent bundle per language, one ``callback_data`` string, one FSM storage), so two
plugins that both call something "list" would silently step on each other. The rule, checked when
the dispatcher is built and reported all at once (``PluginLoadError``):

- tables: ``<name>_...`` (``workshops_bookings``);
- text keys in the plugin's ``locales/<lang>/*.ftl``: ``<name>-...`` (``workshops-menu``; terms ``-<name>-...``);
- ``CallbackData`` prefixes: ``<name>`` or ``<name>`` followed by ``.``, ``-`` or ``_``
  (``workshops.book``); plain ``callback_data`` strings: ``<name>:...`` by the same convention;
- ``StatesGroup`` classes: the plugin's name in CamelCase first (``WorkshopsCreate``,
  ``AdminChatReply`` for ``admin_chat``).

What belongs to a plugin is what its package defines (the module's ``__module__``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_FTL_ID = re.compile(r"^(-?[A-Za-z][A-Za-z0-9_-]*)\s*=", re.MULTILINE)


def camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def _subclasses(cls: type) -> Iterator[type]:
    seen: set[type] = set()
    stack = list(cls.__subclasses__())
    while stack:
        sub = stack.pop()
        if sub not in seen:
            seen.add(sub)
            yield sub
            stack.extend(sub.__subclasses__())


def _owner(module_name: str, roots: dict[str, str]) -> str | None:
    for root, plugin in roots.items():
        if module_name == root or module_name.startswith(root + "."):
            return plugin
    return None


def problems(plugins: dict[str, Any]) -> list[str]:
    """Every name of ``plugins`` ({name: LoadedPlugin}) that breaks the rule, as a readable line."""
    from aiogram.filters.callback_data import CallbackData
    from aiogram.fsm.state import StatesGroup

    from core.db import Base

    roots = {getattr(p.module, "__name__", type(p.module).__module__): name for name, p in plugins.items()}
    out: list[str] = []
    for mapper in Base.registry.mappers:
        plugin = _owner(mapper.class_.__module__, roots)
        if plugin is None:
            continue
        for table in mapper.tables:
            if not table.name.startswith(f"{plugin}_"):
                out.append(f"plugin {plugin!r}: table {table.name!r} ({mapper.class_.__name__}) "
                           f"must be named '{plugin}_...'")
    for name, plugin in plugins.items():
        folder = plugin.manifest.locales
        if folder is None:
            continue
        for ftl in sorted(Path(folder).glob("*/*.ftl")):
            for key in _FTL_ID.findall(ftl.read_text(encoding="utf-8")):
                bare = key.lstrip("-")
                if not bare.startswith(f"{name}-"):
                    out.append(f"plugin {name!r}: text key {key!r} in {ftl.parent.name}/{ftl.name} "
                               f"must start with '{name}-'")
    for cls in _subclasses(CallbackData):
        plugin = _owner(cls.__module__, roots)
        prefix = getattr(cls, "__prefix__", "")
        if plugin is not None and not re.fullmatch(rf"{re.escape(plugin)}([._-].*)?", prefix):
            out.append(f"plugin {plugin!r}: callback data {cls.__name__} has prefix {prefix!r}; "
                       f"use '{plugin}' or '{plugin}.<what>'")
    for cls in _subclasses(StatesGroup):
        plugin = _owner(cls.__module__, roots)
        if plugin is not None and not cls.__qualname__.startswith(camel(plugin)):
            out.append(f"plugin {plugin!r}: FSM state group {cls.__qualname__} must start with {camel(plugin)!r} "
                       "(state names are '<group>:<state>', shared by every plugin)")
    return out
