"""A plugin's tables, text keys, callback data and FSM groups start with its name, or the bot does
not start and says which names to change."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

BAD_PLUGIN = '''
from pathlib import Path

from aiogram import Router
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.state import State, StatesGroup
from sqlalchemy.orm import Mapped, mapped_column

from core import PluginManifest, hookimpl
from core.db import Base

manifest = PluginManifest(name="greeter", version="0.1", locales=Path(__file__).parent / "locales")


class Greeting(Base):
    __tablename__ = "greetings"
    id: Mapped[int] = mapped_column(primary_key=True)


class Wave(CallbackData, prefix="wave"):
    n: int


class Compose(StatesGroup):
    text = State()


class GreeterReply(StatesGroup):  # fine: starts with the plugin's name
    text = State()


@hookimpl
def register_routers(app):
    return [Router()]
'''

CHECK = '''
import sys
sys.path.insert(0, sys.argv[1])
import greeter
from core.app import OrganizerApp
from core.plugins import PluginLoadError, PluginRegistry

registry = PluginRegistry.load([], entry_points_enabled=False, extra=[greeter])
app = OrganizerApp.from_config(None, environ={}, registry=registry, overrides={
    "bot": {"token": "1:x"}, "database": {"url": "sqlite+aiosqlite:///" + sys.argv[2]},
    "events": {"demo": {"title": "Demo"}}})
try:
    app.build_dispatcher()
except PluginLoadError as exc:
    print(exc)
else:
    print("STARTED")
'''


def test_names_outside_the_plugin_namespace_stop_the_start_with_a_list(tmp_path):
    package = tmp_path / "site" / "greeter"
    (package / "locales" / "ru").mkdir(parents=True)
    (package / "__init__.py").write_text(textwrap.dedent(BAD_PLUGIN), encoding="utf-8")
    (package / "locales" / "ru" / "greeter.ftl").write_text(
        "greeter-ok = Привет\nmenu-hello = Помахать\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", CHECK, str(tmp_path / "site"), str(tmp_path / "o.db")],
                          capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    report = done.stdout
    assert "STARTED" not in report
    assert "table 'greetings' (Greeting) must be named 'greeter_...'" in report
    assert "text key 'menu-hello' in ru/greeter.ftl must start with 'greeter-'" in report
    assert "callback data Wave has prefix 'wave'; use 'greeter' or 'greeter.<what>'" in report
    assert "FSM state group Compose must start with 'Greeter'" in report
    assert "greeter-ok" not in report and "GreeterReply" not in report


def test_the_built_in_plugins_keep_to_their_namespaces():
    from core.plugins import PluginRegistry
    from core.prefixes import problems

    registry = PluginRegistry.load(entry_points_enabled=False)
    for name in registry.order:  # import what the routers would import
        registry.plugins[name].module.register_routers(app=None)
    assert problems(registry.plugins) == []
