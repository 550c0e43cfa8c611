#!/usr/bin/env bash
# Soak test: a release build on SQLite with the reference year under mixed reads and
# writes (tests/load/mixed.lua) at 50 connections for SOAK_SECS (default 600), with
# the server's resident memory sampled every 10 s. Prints the samples and fails if
# memory after warm-up (the first fifth of the run) grows by more than 15 %, or if
# any request failed.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${SOAK_SECS:-600}
bash tests/support/packages.sh "wrk:wrk" "python3:python3" "curl:curl"
cargo build --release --locked
dir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
APP__STORAGE__DATA_DIR="$dir" APP__SERVER__PORT="$port" APP__LOG__FILTER=warn APP__SERVER__SECURE_COOKIES=false \
  ./target/release/nhiemvu serve --demo >"$dir/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$dir"' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 100); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.2; done

source tests/load/session.sh
sign_in "$base" "$dir"
SOAK_TOKEN=$token
SOAK_COOKIE=${cookie#Cookie: }
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
SOAK_PLAN=$(curl -sf -H "Authorization: Bearer $SOAK_TOKEN" "$base/api/v1/plans" | json '["items"][0]["id"]')
issuer=$(curl -sf -H "Authorization: Bearer $SOAK_TOKEN" "$base/api/v1/plans" | json '["items"][0]["issuer_id"]')
post() { curl -sf -H "Authorization: Bearer $SOAK_TOKEN" -H 'content-type: application/json' -d "$2" "$base/api/v1/$1"; }
open_plan=$(post plans "{\"issuer_id\":\"$issuer\",\"year\":2031,\"title\":\"Kế hoạch thử tải\"}" | json '["id"]')
group=$(post groups "{\"plan_id\":\"$open_plan\",\"title\":\"Nhóm thử tải\"}" | json '["id"]')
SOAK_TASK=$(post tasks "{\"group_id\":\"$group\",\"code\":\"1.1\",\"text\":\"Nhiệm vụ thử tải\"}" | json '["id"]')
SOAK_RESULT=$(post results "{\"task_id\":\"$SOAK_TASK\",\"narrative\":\"Bắt đầu\"}" | json '["id"]')
export SOAK_TOKEN SOAK_COOKIE SOAK_PLAN SOAK_TASK SOAK_RESULT

rss() { awk '/VmRSS/ {print $2}' "/proc/$server/status"; }
( while kill -0 "$server" 2>/dev/null; do echo "$(date +%s) $(rss)"; sleep 10; done ) >"$dir/rss" &
sampler=$!
echo "== soak: $secs s of mixed reads and writes, 50 connections"
wrk -t2 -c50 -d"${secs}s" --latency -s tests/load/mixed.lua "$base" | tee "$dir/wrk"
kill $sampler 2>/dev/null || true
echo "== resident memory (KiB) every 10 s"
awk '{print $2}' "$dir/rss" | paste -sd' '
python3 - "$dir/rss" "$dir/wrk" <<'PY'
import re, sys
samples = [int(l.split()[1]) for l in open(sys.argv[1]) if len(l.split()) == 2]
warm = samples[max(1, len(samples) // 5):]
base, peak, last = warm[0], max(warm), warm[-1]
print(f"after warm-up: {base} KiB, peak {peak} KiB, last {last} KiB ({(peak - base) / base:+.1%})")
wrk = open(sys.argv[2]).read()
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", wrk)
errors = re.search(r"Socket errors: (.*)", wrk)
if bad or errors:
    sys.exit(f"failed requests: {bad.group(0) if bad else ''} {errors.group(0) if errors else ''}")
if peak > base * 1.15:
    sys.exit("memory grew after warm-up")
print("soak: no errors, memory flat")
PY
