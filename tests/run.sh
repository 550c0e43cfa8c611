#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what the tests need, checks
# style and licences, runs every test on SQLite, then again on a throwaway
# PostgreSQL server. Called by .ci/run; the README shows it as the test command.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
pg_dir=$(mktemp -d)  # its own folder: the server runs as the postgres user
cleanup() { bash "$root/tests/support/postgres.sh" stop "$pg_dir" || true; rm -rf "$pg_dir"; }
trap cleanup EXIT

# Each stage's time, printed again at the end.
times=()
began=$SECONDS
stage_start=$SECONDS
stage_name=""
step() {
  if [ -n "$stage_name" ]; then times+=("$(printf '%5ds  %s' $((SECONDS - stage_start)) "$stage_name")"); fi
  stage_name="$*"; stage_start=$SECONDS
  printf '\n==> %s\n' "$*"
}

step "system packages"
bash tests/support/packages.sh \
  "postgresql:/usr/lib/postgresql/*/bin/initdb" \
  "poppler-utils:pdftotext" \
  "qpdf:qpdf" \
  "libnss3-tools:certutil" \
  "curl:curl" \
  "openssl:openssl" \
  "python3:python3" \
  "chromium:chromium" \
  "fonts-liberation2:/usr/share/fonts/truetype/liberation2" \
  "nodejs:node" \
  "npm:npm"

step "python packages"
python3 -c "import aiosmtpd" 2>/dev/null || python3 -m pip install --quiet --disable-pip-version-check aiosmtpd
python3 -m pip show schemathesis 2>/dev/null | grep -q "^Version: 4.32.5$" \
  || python3 -m pip install --quiet --disable-pip-version-check "schemathesis==4.32.5"
# Spreadsheets and calendars as other programs write and read them (browser journey).
python3 -c "import openpyxl, icalendar" 2>/dev/null \
  || python3 -m pip install --quiet --disable-pip-version-check "openpyxl==3.1.5" "icalendar==7.3.2"

step "browser test packages"
(cd tests/web && npm ci --no-audit --no-fund --silent)

step "licences"
python3 tests/support/licences.py

step "format and lints"
cargo fmt --all -- --check
cargo clippy --locked --all-targets -- -D warnings

rm -f target/skipped-tests.txt
step "tests on SQLite"
cargo test --locked --no-fail-fast

step "browser journeys (Chromium): the year, a new office from an empty database, deadlines"
cargo build --locked
node tests/web/journey.mjs
node tests/web/setup_journey.mjs
node tests/web/mail_off_journey.mjs
node tests/web/deadline_journey.mjs

# The same build the journeys served: a second, release compile would cost a
# quarter of an hour for no other use.
step "fuzzing the API (schemathesis, the test build, SQLite)"
NHIEMVU_BINARY=target/debug/nhiemvu python3 tests/support/fuzz_api.py 180

step "tests on PostgreSQL"
url=$(bash tests/support/postgres.sh start "$pg_dir")
echo "server: $url"
TEST_DATABASE_URL="$url" cargo test --locked --no-fail-fast --test api

step "done"
echo "Time per stage:"; printf '%s\n' "${times[@]}"; echo "$((SECONDS - began))s in all"
if [ -s target/skipped-tests.txt ]; then
  echo "Tests that skipped for a missing program:"; cat target/skipped-tests.txt
fi
