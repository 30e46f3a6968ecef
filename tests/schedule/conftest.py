"""The schedule tests share the workshops tests' helpers (ws_helpers) and their own (sch_helpers)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "workshops"))
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(autouse=True)
def system_clock():
    """Each test starts on the real clock and leaves it there, whatever it fixed."""
    from plugins.schedule import clock

    previous = clock.use(None)
    yield
    clock.use(previous)
