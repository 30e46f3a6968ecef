"""The polls tests use the workshops tests' helpers (ws_helpers) for a workshop audience."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "workshops"))
