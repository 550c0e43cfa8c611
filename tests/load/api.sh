#!/usr/bin/env bash
# Load test of the HTTP API: a release build on SQLite with the reference year,
# then with a 10,000-task plan. Prints wrk's latency distribution for:
#   1. GET /api/v1/tasks?plan_id=<reference plan>   (tasks with their targets), 50 connections,
#      then the same with If-None-Match (304), and /healthz for the framework's ceiling
#   2. GET /api/v1/tasks?plan_id=<10k plan>&unit_id=…&deadline_from=…&deadline_to=…&page=2 (of ~3: the unit leads or co-operates on ~130 tasks in range)
#   3. GET /api/v1/documents/<report>/pdf           (the report rendered on each request)
#   4. GET / and GET /tasks/<id>                     (web pages: dashboard, result form), browser cookie
# Traffic goes to 127.0.0.1 only; every run is bounded by -d.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tests/support/packages.sh "wrk:wrk" "python3:python3"
cargo build --release --locked
dir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
APP__STORAGE__DATA_DIR="$dir" APP__SERVER__PORT="$port" APP__LOG__FILTER=warn APP__SERVER__SECURE_COOKIES=false \
  ./target/release/nhiemvu serve --demo >"$dir/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$dir"' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 50); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.2; done

# Log in as the demo administrator and make an API token for the load.
source tests/load/session.sh
sign_in "$base" "$dir"

plan=$(curl -sf -H "$auth" "$base/api/v1/plans" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
doc=$(curl -sf -H "$auth" "$base/api/v1/documents" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
echo "== reference plan, tasks with targets, 50 connections"
wrk -t2 -c50 -d15s --latency -H "$auth" "$base/api/v1/tasks?plan_id=$plan&per_page=100"
etag=$(curl -sf -D - -o /dev/null -H "$auth" "$base/api/v1/tasks?plan_id=$plan&per_page=100" | awk -F': ' 'tolower($1) == "etag" {print $2}' | tr -d '\r')
echo "== the same list polled with If-None-Match ($etag: 304, no body), 50 connections"
wrk -t2 -c50 -d10s --latency -H "$auth" -H "If-None-Match: $etag" "$base/api/v1/tasks?plan_id=$plan&per_page=100"
echo "== /healthz (the framework's ceiling on this machine), 50 connections"
wrk -t2 -c50 -d10s --latency "$base/healthz"

echo "== web: dashboard of the reference plan (browser session), 8 connections"
cookie="Cookie: nhiemvu_session=$(awk '$6 == "nhiemvu_session" {print $7}' "$dir/cookies")"
wrk -t2 -c8 -d10s --latency -H "$cookie" "$base/"
task=$(curl -sf -H "$auth" "$base/api/v1/tasks?plan_id=$plan&per_page=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
echo "== web: a task's result page, 8 connections"
wrk -t2 -c8 -d10s --latency -H "$cookie" "$base/tasks/$task"

echo "== seeding a 10,000-task plan"
read -r big unit < <(python3 tests/load/seed.py "$base" 10000 "$token")
echo "== 10,000-task plan: its dashboard page (browser session), 8 connections"
wrk -t2 -c8 -d10s --latency -H "$cookie" "$base/?plan=$big"
echo "== 10,000-task plan: its figures over the API, 8 connections"
wrk -t2 -c8 -d10s --latency -H "$auth" "$base/api/v1/plans/$big/figures"
echo "== 10,000-task plan, filtered and paginated, 50 connections"
wrk -t2 -c50 -d15s --latency -H "$auth" "$base/api/v1/tasks?plan_id=$big&unit_id=$unit&deadline_from=2025-03-01&deadline_to=2025-10-31&per_page=50&page=2"

echo "== the same list, 4 connections (latency without queueing)"
wrk -t2 -c4 -d10s --latency -H "$auth" "$base/api/v1/tasks?plan_id=$big&unit_id=$unit&deadline_from=2025-03-01&deadline_to=2025-10-31&per_page=50&page=2"

echo "== report PDF on each request, 4 connections"
wrk -t2 -c4 -d10s --latency -H "$auth" "$base/api/v1/documents/$doc/pdf"
