"""Run-time plugin switches (``OrganizerApp.set_plugin_override``): they win over the config until
reset, take dependants along, never revive a blocked plugin, and apply from the next update."""

from __future__ import annotations

import pytest

from core.app import OrganizerApp
from core.plugins import PluginRegistry

EVENTS = {"demo": {"title": "Demo", "plugins": {"faq": {"enabled": False}}},
          "other": {"title": "Other"}}


def make_app(tmp, blocked=()):
    registry = PluginRegistry.load(["plugins.faq", "plugins.workshops", "plugins.waitlist", "plugins.news"],
                                   entry_points_enabled=False, blocked=list(blocked))
    return OrganizerApp.from_config(None, environ={}, registry=registry, overrides={
        "bot": {"token": "1:x"}, "database": {"url": f"sqlite+aiosqlite:///{tmp}/x.db"},
        "blocked_plugins": list(blocked), "events": EVENTS})


def test_a_switch_wins_over_the_config_until_reset_and_only_for_its_event(tmp_path):
    app = make_app(tmp_path)
    assert "faq" not in app.active_plugins("demo")
    app.set_plugin_override("demo", "faq", True)
    assert "faq" in app.active_plugins("demo") and app.plugin_override("demo", "faq") is True
    app.set_plugin_override("demo", "news", False)
    assert "news" not in app.active_plugins("demo") and "news" in app.active_plugins("other")
    app.set_plugin_override("demo", "faq", None)
    app.set_plugin_override("demo", "news", None)
    assert "faq" not in app.active_plugins("demo") and "news" in app.active_plugins("demo")


def test_switching_off_a_dependency_takes_its_dependants_along(tmp_path):
    app = make_app(tmp_path)
    app.set_plugin_override("demo", "workshops", False)
    active = app.active_plugins("demo")
    assert "workshops" not in active and "waitlist" not in active
    assert app.plugin_switched_on("demo", "waitlist")  # its own switch is still on


def test_a_blocked_plugin_stays_off_and_unknown_names_are_refused(tmp_path):
    app = make_app(tmp_path, blocked=["news"])
    with pytest.raises(KeyError):
        app.set_plugin_override("demo", "news", True)  # not loaded at all
    with pytest.raises(KeyError):
        app.set_plugin_override("demo", "nosuch", True)
