"""Plugin loading: dependency order, clear errors, misspelled hooks caught at start-up."""

import types

import pytest

from core import PluginManifest, hookimpl
from core.plugins import PluginLoadError, PluginRegistry, resolve_order


def plugin(name, depends_on=(), **hooks):
    module = types.ModuleType(f"fake_{name}")
    module.manifest = PluginManifest(name=name, version="1.0", depends_on=tuple(depends_on))
    for hook_name, fn in hooks.items():
        setattr(module, hook_name, hookimpl(fn))
    return module


def test_dependencies_come_first_whatever_the_install_order():
    assert resolve_order({"waitlist": ["workshops"], "workshops": [], "faq": []}) == ["faq", "workshops", "waitlist"]


def test_missing_dependency_is_named():
    with pytest.raises(PluginLoadError, match="'waitlist' depends on 'workshops', which is not installed"):
        PluginRegistry.load([], entry_points_enabled=False, extra=[plugin("waitlist", ["workshops"])])


def test_dependency_cycle_is_shown():
    with pytest.raises(PluginLoadError, match="cycle: a -> b -> a"):
        PluginRegistry.load([], entry_points_enabled=False, extra=[plugin("a", ["b"]), plugin("b", ["a"])])


def test_misspelled_hook_fails_at_start_up():
    with pytest.raises(Exception, match="menu_itemz"):
        PluginRegistry.load([], entry_points_enabled=False, extra=[plugin("typo", menu_itemz=lambda: [])])


def test_duplicate_plugin_names_are_refused():
    with pytest.raises(PluginLoadError, match="two plugins are named 'x'"):
        PluginRegistry.load([], entry_points_enabled=False, extra=[plugin("x"), plugin("x")])


def test_blocked_plugin_is_not_loaded():
    registry = PluginRegistry.load(["plugins.faq"], entry_points_enabled=False, blocked=["faq"])
    assert "faq" not in registry.plugins


async def test_plugin_can_publish_its_own_hook_for_others():
    import pluggy

    spec = pluggy.HookspecMarker("organizer")

    class Specs:
        @spec
        def seat_released(self, workshop_id): ...

    calls = []
    publisher = plugin("publisher", add_hookspecs=lambda pm: pm.add_hookspecs(Specs))
    listener = plugin("listener", ["publisher"], seat_released=lambda workshop_id: calls.append(workshop_id))
    registry = PluginRegistry.load([], entry_points_enabled=False, extra=[publisher, listener])
    registry.pm.hook.seat_released(workshop_id=7)
    assert calls == [7]
