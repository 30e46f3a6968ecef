"""`organizer program import/export`: idempotent by key, --dry-run writes nothing, errors undo all."""

import os
import subprocess
import sys
from pathlib import Path

import yaml

PROGRAM = {
    "faq": [
        {"key": "wifi", "question": "Какой пароль от Wi-Fi?", "answer": "conf2026"},
        {"key": "food", "question": "Будет ли обед?", "answer": "Да, в 13:00."},
    ]
}


def cli(*args, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORGANIZER_")}
    return subprocess.run([sys.executable, "-m", "core.cli", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=120)


def setup_config(tmp_path: Path, db_url: str) -> Path:
    config = tmp_path / "organizer.toml"
    config.write_text(f'[bot]\ntoken = "1:x"\n[database]\nurl = "{db_url}"\n[events.demo]\ntitle = "Demo"\n')
    return config


def test_import_is_idempotent_dry_run_writes_nothing_and_export_round_trips(tmp_path, db_url):
    config = setup_config(tmp_path, db_url)
    program = tmp_path / "program.yaml"
    program.write_text(yaml.safe_dump(PROGRAM, allow_unicode=True))

    dry = cli("program", "import", "demo", str(program), "--dry-run", "-c", str(config), cwd=tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert "faq: 2 new" in dry.stdout and "Dry run: nothing was written." in dry.stdout
    exported = cli("program", "export", "demo", "-c", str(config), cwd=tmp_path)
    assert yaml.safe_load(exported.stdout).get("faq") == []

    first = cli("program", "import", "demo", str(program), "-c", str(config), cwd=tmp_path)
    assert first.returncode == 0 and "faq: 2 new, 0 changed, 0 unchanged" in first.stdout
    again = cli("program", "import", "demo", str(program), "-c", str(config), cwd=tmp_path)
    assert "faq: 0 new, 0 changed, 2 unchanged" in again.stdout

    exported = cli("program", "export", "demo", "-c", str(config), cwd=tmp_path)
    assert yaml.safe_load(exported.stdout)["faq"] == PROGRAM["faq"]


def test_a_bad_item_undoes_the_whole_import(tmp_path, db_url):
    config = setup_config(tmp_path, db_url)
    program = tmp_path / "program.yaml"
    program.write_text(yaml.safe_dump({"faq": [PROGRAM["faq"][0], {"key": "x", "question": "?" * 300,
                                                                   "answer": "a"}], "nonsense": [1]}))
    result = cli("program", "import", "demo", str(program), "-c", str(config), cwd=tmp_path)
    assert result.returncode == 2
    assert "faq[1] (x): `question` must be 1–200 characters" in result.stdout
    assert "unknown section(s) ['nonsense']" in result.stdout
    assert "Nothing was imported" in result.stderr
    exported = cli("program", "export", "demo", "-c", str(config), cwd=tmp_path)
    assert yaml.safe_load(exported.stdout).get("faq") == []


def test_unreadable_file_is_a_clear_error(tmp_path, db_url):
    config = setup_config(tmp_path, db_url)
    bad = tmp_path / "bad.yaml"
    bad.write_text("faq: [unclosed")
    result = cli("program", "import", "demo", str(bad), "-c", str(config), cwd=tmp_path)
    assert result.returncode == 2 and "not valid YAML" in result.stderr
