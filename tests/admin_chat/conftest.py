"""The helpdesk tests share ac_helpers (an event, organizers, participants, a bound group)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
