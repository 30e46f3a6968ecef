#!/usr/bin/env bash
# Sets up everything Pocket Organizer needs on a Debian machine: system libraries (zbar for QR
# scanning; Chromium for the browser test when WITH_BROWSER=1), a Python >= 3.11 virtualenv in
# .venv (3.13 preferred), and the package with its test extras. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "==> installing system packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

packages=(libzbar0)
[ "${WITH_BROWSER:-0}" = "1" ] && packages+=(chromium)
apt_install "${packages[@]}"

pick_python() {
  local candidates=()
  if command -v pyenv >/dev/null 2>&1 || [ -d "${PYENV_ROOT:-$HOME/.pyenv}/versions" ]; then
    candidates+=( $(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.13*/bin/python 2>/dev/null | sort -V -r) )
  fi
  candidates+=(python3.13 python3.12 python3.11 python3)
  for py in "${candidates[@]}"; do
    if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$py"; return 0
    fi
  done
  echo "No Python >= 3.11 found: install python3.13 (or 3.11+) and run again." >&2
  return 1
}

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  PY=$(pick_python)
  echo "==> creating .venv with $($PY --version)"
  rm -rf .venv
  "$PY" -m venv .venv
fi
echo "==> installing pocket-organizer into .venv ($(.venv/bin/python --version))"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]' 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -c 'import core, aiogram, pyzbar.pyzbar' || { echo "setup failed: the package or zbar does not import" >&2; exit 1; }
