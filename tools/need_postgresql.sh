#!/usr/bin/env bash
# Before the tests: the PostgreSQL store tests start a throwaway server of their own (tests/pgserver.py)
# and need Debian's postgresql package (initdb, pg_ctl, postgres). Install it where we can (root with
# apt-get). Otherwise say plainly which tests will not run and why: they are skipped, and named again
# at the end of the test run (under KLOE_REQUIRE_POSTGRESQL=1, as in CI, they fail instead).
set -euo pipefail
found() { command -v initdb >/dev/null 2>&1 || compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; }
found && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "make test: installing Debian's postgresql for the PostgreSQL store tests (apt-get install postgresql)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  found && exit 0
fi
echo "make test: PostgreSQL is not installed, so the PostgreSQL store tests (tests/test_store_postgres.py, tests/test_cli_postgres.py and the postgresql half of tests/test_store.py) will NOT run; install it (Debian: sudo apt-get install -y postgresql) to run them" >&2
if [ "${KLOE_REQUIRE_POSTGRESQL:-}" = "1" ]; then
  echo "make test: KLOE_REQUIRE_POSTGRESQL=1: stopping" >&2
  exit 1
fi
exit 0
