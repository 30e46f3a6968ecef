"""A broken config lists every error at once, with its dotted path and source, and exits non-zero."""

import subprocess
import sys
from pathlib import Path

import pytest

from core import config as cfg
from core.plugins import PluginRegistry

BROKEN = """
[database]
url = "mysql://root@localhost/db"

[delivery]
global_rate = "fast"

[events.demo]
title = "Demo"
timezone = "Mars/Olympus"

[events.demo.plugins.nosuch]
enabled = true

[events.demo.plugins.faq]
colour = "red"
"""


def run_cli(*args, env=None, cwd=None):
    return subprocess.run([sys.executable, "-m", "core.cli", *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=120)


def test_broken_config_reports_every_error_with_path_and_file(tmp_path: Path):
    path = tmp_path / "broken.toml"
    path.write_text(BROKEN)
    result = run_cli("config", "check", "--config", str(path), env={"PATH": "/usr/bin:/bin"})
    assert result.returncode == 2
    err = result.stderr
    assert "5 error(s)" in err or "6 error(s)" in err, err
    assert "bot.token: required but missing; set it in your config file or as ORGANIZER_BOT__TOKEN" in err
    assert "database.url: unsupported backend 'mysql'" in err and str(path) in err
    assert "delivery.global_rate:" in err and "'fast'" in err
    assert "events.demo.timezone: expected an IANA timezone" in err
    assert "events.demo.plugins.nosuch: unknown plugin 'nosuch'" in err
    assert "events.demo.plugins.faq.colour: unknown key" in err


def test_env_overrides_win_and_are_named_as_the_source(tmp_path: Path):
    path = tmp_path / "ok.toml"
    path.write_text('[bot]\ntoken = "1:file"\n[events.demo]\ntitle = "Demo"\n')
    raw = cfg.load_raw(path, environ={"ORGANIZER_BOT__TOKEN": "2:env", "ORGANIZER_DELIVERY__GLOBAL_RATE": "oops",
                                      "ORGANIZER_DATABASE__URL": "postgresql://u@h/db"})
    with pytest.raises(cfg.ConfigError) as exc:
        cfg.validate(raw)
    (issue,) = exc.value.issues
    assert issue.path == "delivery.global_rate" and issue.source == "environment (ORGANIZER_*)"
    raw.data["delivery"]["global_rate"] = 30
    settings = cfg.validate(raw)
    assert settings.bot.token == "2:env" and settings.database.url == "postgresql://u@h/db"


def test_missing_config_file_is_a_clear_error(tmp_path: Path):
    result = run_cli("config", "check", "--config", str(tmp_path / "nope.toml"))
    assert result.returncode == 2 and "does not exist" in result.stderr


def test_plugin_dependency_off_for_an_event_is_a_config_error():
    raw = cfg.RawConfig({"bot": {"token": "1:x"}, "events": {"demo": {
        "title": "D", "plugins": {"base": {"enabled": False}, "child": {"enabled": True}}}}}, [])
    models = {"base": cfg_model(), "child": cfg_model()}
    with pytest.raises(cfg.ConfigError) as exc:
        cfg.validate(raw, models, {"child": ["base"]})
    assert "plugin 'child' needs 'base'" in str(exc.value)


def cfg_model():
    from core import PluginConfig

    return PluginConfig


def test_every_builtin_plugin_config_accepts_empty_section():
    registry = PluginRegistry.load(entry_points_enabled=False)
    for name, model in registry.config_models().items():
        assert model.model_validate({}).enabled is True, name


def test_the_shipped_defaults_read_without_dynaconf_as_dynaconf_reads_them():
    """load_raw reads config/settings.toml with tomllib (start-up skips dynaconf's import): only
    right while the file uses no dynaconf-only syntax (@format, @int, ...), which this checks."""
    from dynaconf import Dynaconf

    from core.config import DEFAULTS_FILE, _read_file, lower_keys

    by_dynaconf = Dynaconf(settings_files=[str(DEFAULTS_FILE)], loaders=[], environments=False).as_dict()
    assert lower_keys(_read_file(DEFAULTS_FILE)) == lower_keys(by_dynaconf)


def test_defaults_alone_do_not_import_dynaconf():
    code = ("import sys; from core.config import load_raw; raw = load_raw(None, {}); "
            "print('dynaconf' in sys.modules, raw.data['database']['context_cache_seconds'])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "10.0"]
