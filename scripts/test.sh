#!/usr/bin/env bash
# One command: set everything up and run the whole test suite on SQLite and PostgreSQL.
# Extra arguments go to pytest, e.g. `bash scripts/test.sh tests/core -x`.
set -euo pipefail
cd "$(dirname "$0")/.."
WITH_BROWSER=1 bash scripts/setup.sh

# PostgreSQL is not optional: the suite runs every database test on it too.
PG_URL="${ORGANIZER_TEST_PG:-postgresql://postgres@127.0.0.1:5432/postgres}"
if ! .venv/bin/python - "$PG_URL" <<'PY'
import asyncio, sys, asyncpg
async def main():
    conn = await asyncpg.connect(sys.argv[1], timeout=5)
    await conn.close()
asyncio.run(main())
PY
then
  echo "==> PostgreSQL is not answering at $PG_URL; trying to start it"
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    sleep 2
  fi
fi
if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && command -v redis-server >/dev/null 2>&1; then
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null || true
fi

echo "==> Python: $(.venv/bin/python --version)"
set +e
# Four test processes on two cores: the tests mostly wait (on the emulator's pacing, jobs, the
# live-count refresh), so they overlap well; every test makes its own databases, ports and keys.
.venv/bin/python -m pytest --db "${ORGANIZER_TEST_DB:-sqlite,postgres}" -q -n "${ORGANIZER_TEST_PROCESSES:-4}" "$@"
status=$?
set -e
if [ $status -eq 5 ]; then
  echo "pytest collected no tests: that is a failure, not a pass" >&2
  exit 1
fi
exit $status
