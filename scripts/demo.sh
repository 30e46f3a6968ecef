#!/usr/bin/env bash
# One command: set everything up and start the demo (emulator + bot + sample event) in the browser.
# Arguments go to `organizer demo`, e.g. `bash scripts/demo.sh --port 8090 --reset`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/organizer demo "$@"
