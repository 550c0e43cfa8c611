#!/usr/bin/env bash
# Tells a change from noise: serves the reference year with each of two release
# binaries in turn (SQLite) and loads the reads pages and the API use most, as
# ceiling.sh does (wrk -t2, 10 s each), alternating the two `rounds` times.
#   bash tests/load/ab.sh /path/to/old/nhiemvu target/release/nhiemvu [rounds]
set -euo pipefail
old=$1; new=$2; rounds=${3:-2}
bash "$(dirname "$0")/../support/packages.sh" "wrk:wrk" "python3:python3" "curl:curl"
source "$(dirname "$0")/session.sh"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
measure() { wrk "$@" --latency | awk '/Requests\/sec/ {r=$2} /^ +99%/ {p=$2} END {printf "%8.0f req/s  p99 %s", r, p}'; }
one() {
  local bin=$1 label=$2 work port server base token auth cookie plan list task
  work=$(mktemp -d); port=$(free_port)
  APP__STORAGE__DATA_DIR="$work/data" APP__SERVER__PORT="$port" APP__LOG__FILTER=warn \
    APP__SERVER__SECURE_COOKIES=false "$bin" serve --demo >"$work/log" 2>&1 &
  server=$!
  base="http://127.0.0.1:$port"
  for _ in $(seq 300); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.2; done
  sign_in "$base" "$work"
  plan=$(curl -sf -H "$auth" "$base/api/v1/plans" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
  list="$base/api/v1/tasks?plan_id=$plan&per_page=100"
  task=$(curl -sf -H "$auth" "$list" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
  echo "$label task list API, 50 conns    $(measure -t2 -c50 -d10s -H "$auth" "$list")"
  echo "$label dashboard page, 8 conns    $(measure -t2 -c8 -d10s -H "$cookie" "$base/")"
  echo "$label task page, 8 conns         $(measure -t2 -c8 -d10s -H "$cookie" "$base/tasks/$task")"
  echo "$label task list page, 8 conns    $(measure -t2 -c8 -d10s -H "$cookie" "$base/tasks?plan=$plan")"
  kill "$server" 2>/dev/null || true
  rm -rf "$work"
}
for _ in $(seq "$rounds"); do
  one "$old" old
  one "$new" new
done
