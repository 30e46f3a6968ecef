"""Loading plugins: built-ins first, then the ``organizer.plugins`` entry points, in dependency order.

The manager is pluggy's; this module adds the manifest, dependency resolution and the per-event
"which plugins are active" view used by every per-event hook call.
"""

from __future__ import annotations

import importlib
import inspect
import logging
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any

import pluggy

from core import hookspecs
from core.contributions import PluginManifest

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "organizer.plugins"


def builtin_plugins() -> list[str]:
    """Every package under ``plugins/`` is a built-in plugin (the repo's own features)."""
    import pkgutil

    import plugins

    return sorted(f"plugins.{m.name}" for m in pkgutil.iter_modules(plugins.__path__) if m.ispkg)


class PluginLoadError(Exception):
    pass


@dataclass
class LoadedPlugin:
    manifest: PluginManifest
    module: Any
    source: str  # "builtin" or "entry point <dist>"


class PluginRegistry:
    """pluggy's PluginManager plus manifests, sources and dependency order."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager("organizer")
        self.pm.add_hookspecs(hookspecs)
        self.plugins: dict[str, LoadedPlugin] = {}
        self.order: list[str] = []
        self._callers: dict[tuple[str, frozenset[str]], Any] = {}  # see caller()

    @classmethod
    def load(cls, builtins: list[str] | None = None, *, entry_points_enabled: bool = True,
             extra: list[Any] = (), blocked: list[str] = ()) -> PluginRegistry:
        registry = cls()
        for name in blocked:
            registry.pm.set_blocked(name)
        found: list[tuple[Any, str]] = []
        for module_path in builtin_plugins() if builtins is None else builtins:
            found.append((importlib.import_module(module_path), "builtin"))
        if entry_points_enabled:
            for ep in entry_points(group=ENTRY_POINT_GROUP):
                try:
                    found.append((ep.load(), f"entry point {ep.dist.name if ep.dist else ep.value}"))
                except Exception as exc:  # a broken third-party package must not take the bot down silently
                    raise PluginLoadError(f"cannot import plugin {ep.name!r} ({ep.value}): {exc}") from exc
        for module in extra:
            found.append((module, "extra"))
        registry._register_all(found, set(blocked))
        return registry

    def _register_all(self, found: list[tuple[Any, str]], blocked: set[str]) -> None:
        by_name: dict[str, LoadedPlugin] = {}
        for module, source in found:
            manifest = getattr(module, "manifest", None)
            if not isinstance(manifest, PluginManifest):
                raise PluginLoadError(f"{getattr(module, '__name__', module)!r} has no `manifest = PluginManifest(...)`")
            if manifest.name in blocked:
                continue
            if manifest.name in by_name:
                raise PluginLoadError(f"two plugins are named {manifest.name!r} "
                                      f"({by_name[manifest.name].source} and {source})")
            by_name[manifest.name] = LoadedPlugin(manifest, module, source)
        self.order = resolve_order({n: list(p.manifest.depends_on) for n, p in by_name.items()})
        # Historic: every plugin registered below gets add_hookspecs(pm) as it arrives, so a
        # plugin's own hooks exist before check_pending() looks for unknown implementations.
        self.pm.hook.add_hookspecs.call_historic(kwargs={"pm": self.pm})
        for name in self.order:  # dependencies register first, so they are called last (LIFO)
            plugin = by_name[name]
            self.pm.register(plugin.module, name=name)
            self.plugins[name] = plugin
        self._callers.clear()
        self.pm.check_pending()

    # --- views ---------------------------------------------------------------------------------

    def manifests(self) -> dict[str, PluginManifest]:
        return {name: self.plugins[name].manifest for name in self.order}

    def config_models(self) -> dict[str, type]:
        return {name: p.manifest.config_model for name, p in self.plugins.items()}

    def dependencies(self) -> dict[str, list[str]]:
        return {name: list(p.manifest.depends_on) for name, p in self.plugins.items()}

    def hooks_of(self, name: str) -> list[str]:
        plugin = self.plugins[name].module
        return sorted(impl.name for impl in self.pm.get_hookcallers(plugin) or [])

    def caller(self, hook: str, active: set[str] | None = None):
        """A hook caller restricted to ``active`` plugins (all when None)."""
        if active is None:
            return getattr(self.pm.hook, hook)
        # Asked per update (the main menu's items): the subset for a set of active plugins is
        # made once. pluggy's subset caller reads the hook's implementations at call time, so a
        # kept one stays right. Few keys: hooks × the events' active sets.
        key = (hook, frozenset(active))
        found = self._callers.get(key)
        if found is None:
            excluded = [self.plugins[n].module for n in self.plugins if n not in active]
            found = self.pm.subset_hook_caller(hook, excluded) if excluded else getattr(self.pm.hook, hook)
            if len(self._callers) >= 1024:
                self._callers.clear()
            self._callers[key] = found
        return found

    async def call(self, hook: str, active: set[str] | None = None, **kwargs) -> list[Any]:
        """Call a hook, await async results in call order, flatten lists, drop Nones."""
        results = self.caller(hook, active)(**kwargs)
        flat: list[Any] = []
        for result in results:
            # Most implementations are plain functions returning a list or None; only other
            # results are asked whether they are awaitable (that check is an ABC lookup, dearer
            # than the rest of this loop, and the main menu calls a hook per update).
            if result is not None and not isinstance(result, (list, tuple)) and inspect.isawaitable(result):
                result = await result
            if result is None:
                continue
            if isinstance(result, (list, tuple)):
                flat.extend(result)
            else:
                flat.append(result)
        return flat

    async def call_each(self, hook: str, active: set[str] | None = None, **kwargs) -> list[tuple[str, Any]]:
        """Call each implementation in dependency order, awaiting async ones; ``(plugin, result)``."""
        out = []
        for impl in getattr(self.pm.hook, hook).get_hookimpls():
            if active is not None and impl.plugin_name not in active:
                continue
            result = impl.function(**{k: v for k, v in kwargs.items() if k in impl.argnames})
            if inspect.isawaitable(result):
                result = await result
            out.append((impl.plugin_name, result))
        return out

    def call_with_names(self, hook: str, active: set[str] | None = None, **kwargs) -> list[tuple[str, Any]]:
        """Synchronous call in dependency order, attributing each result to its plugin (routers, jobs)."""
        out = []
        for impl in getattr(self.pm.hook, hook).get_hookimpls():  # registration = dependency order
            if active is not None and impl.plugin_name not in active:
                continue
            wanted = {k: v for k, v in kwargs.items() if k in impl.argnames}
            result = impl.function(**wanted)
            if result is None:
                continue
            for item in result if isinstance(result, (list, tuple)) else [result]:
                out.append((impl.plugin_name, item))
        return out


def resolve_order(deps: dict[str, list[str]]) -> list[str]:
    """Topological order, stable by name; clear errors for missing and cyclic dependencies."""
    for name, needs in deps.items():
        for dep in needs:
            if dep not in deps:
                raise PluginLoadError(f"plugin {name!r} depends on {dep!r}, which is not installed (or is blocked)")
    order: list[str] = []
    state: dict[str, str] = {}

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            cycle = path[path.index(name):] + [name]
            raise PluginLoadError("plugin dependency cycle: " + " -> ".join(cycle))
        state[name] = "visiting"
        for dep in sorted(deps[name]):
            visit(dep, path + [name])
        state[name] = "done"
        order.append(name)

    for name in sorted(deps):
        visit(name, [])
    return order
