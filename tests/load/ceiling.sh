#!/usr/bin/env bash
# Reads beside the framework's ceiling, in one run, on SQLite and on PostgreSQL:
# the reference plan's task list (and the same polled with If-None-Match), the
# plan, its dashboard figures, the dashboard page, /healthz, and a bare poem handler answering a body of the task
# list's size (benches/bare_poem.rs). Prints req/s and p99 of each and the ratio of
# the task list to the bare handler. Release builds; 127.0.0.1 only; bounded by -d.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tests/support/packages.sh "wrk:wrk" "python3:python3" "curl:curl" "postgresql:/usr/lib/postgresql/*/bin/initdb"
cargo build --release --locked
cargo bench --locked --bench bare_poem --no-run 2>/dev/null
target=${CARGO_TARGET_DIR:-target}
bare=$(ls -t "$target"/release/deps/bare_poem-* | grep -v '\.d$' | head -n 1)
work=$(mktemp -d)
pg_dir=$(mktemp -d)  # its own folder: the server runs as the postgres user
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  bash tests/support/postgres.sh stop "$pg_dir" || true
  rm -rf "$work" "$pg_dir"
}
trap cleanup EXIT
source tests/load/session.sh
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 150); do curl -sf "$1/healthz" >/dev/null && return 0; sleep 0.2; done; return 1; }
# "req/s p99" of one wrk run.
measure() {
  wrk "$@" --latency | awk '/Requests\/sec/ {r=$2} /^ +99%/ {p=$2} END {printf "%8.0f req/s  p99 %s", r, p}'
}

url_pg=$(bash tests/support/postgres.sh start "$pg_dir")
for db in sqlite postgres; do
  data="$work/data-$db"; port=$(free_port)
  env=(APP__STORAGE__DATA_DIR="$data" APP__SERVER__PORT="$port" APP__LOG__FILTER=warn APP__SERVER__SECURE_COOKIES=false)
  [ "$db" = postgres ] && env+=(APP__DATABASE__URL="$url_pg")
  env "${env[@]}" "$target/release/nhiemvu" serve --demo >"$work/server-$db.log" 2>&1 &
  server=$!; pids+=("$server")
  base="http://127.0.0.1:$port"
  wait_up "$base"
  sign_in "$base" "$work"
  plan=$(curl -sf -H "$auth" "$base/api/v1/plans" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
  list="$base/api/v1/tasks?plan_id=$plan&per_page=100"
  size=$(curl -sf -H "$auth" "$list" | wc -c)
  etag=$(curl -sf -D - -o /dev/null -H "$auth" "$list" | awk -F': ' 'tolower($1) == "etag" {print $2}' | tr -d '\r')
  bare_port=$(free_port)
  "$bare" "$bare_port" "$size" >/dev/null 2>&1 &
  bare_pid=$!; pids+=("$bare_pid")
  for _ in $(seq 150); do curl -sf "http://127.0.0.1:$bare_port/" >/dev/null && break; sleep 0.2; done

  echo "== $db (task list $size bytes; wrk -t2, 10 s each)"
  list_line=$(measure -t2 -c50 -d10s -H "$auth" "$list")
  bare_line=$(measure -t2 -c50 -d10s "http://127.0.0.1:$bare_port/")
  echo "task list, 50 connections           $list_line"
  echo "  same, If-None-Match (304)         $(measure -t2 -c50 -d10s -H "$auth" -H "If-None-Match: $etag" "$list")"
  echo "plan, 50 connections                $(measure -t2 -c50 -d10s -H "$auth" "$base/api/v1/plans/$plan")"
  echo "dashboard figures, 50 connections   $(measure -t2 -c50 -d10s -H "$auth" "$base/api/v1/plans/$plan/figures")"
  echo "dashboard page, 8 connections       $(measure -t2 -c8 -d10s -H "$cookie" "$base/")"
  echo "/healthz, 50 connections            $(measure -t2 -c50 -d10s "$base/healthz")"
  echo "bare poem, same body, 50 conns      $bare_line"
  python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print(f'task list / bare poem: {a/b:.0%}')" \
    "$(echo "$list_line" | awk '{print $1}')" "$(echo "$bare_line" | awk '{print $1}')"
  kill "$server" "$bare_pid" 2>/dev/null || true
done
