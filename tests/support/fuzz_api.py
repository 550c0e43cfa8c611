#!/usr/bin/env python3
"""Fuzzes the JSON API with schemathesis against the server binary on SQLite.

Starts `target/release/nhiemvu serve --demo` on a free port with a fresh data
folder, logs in as the demo administrator, makes an API token, and runs every
schemathesis check (tests/support/schemathesis.toml turns them all on; examples,
coverage, fuzzing and stateful phases, a fixed
seed, a time budget). Fails on any 5xx, dropped connection or response that
does not match the OpenAPI document (schemathesis's own exit code), and on a
server that died or logged a panic along the way.

Usage: fuzz_api.py [SECONDS]   (default 240)
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The binary to fuzz: NHIEMVU_BINARY, else the release build.
BINARY = os.environ.get("NHIEMVU_BINARY") or os.path.join(ROOT, "target", "release", "nhiemvu")
CONFIG = os.path.join(ROOT, "tests", "support", "schemathesis.toml")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def call(base, method, path, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers or {})
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.status, r.headers, r.read()


def main():
    budget = int(sys.argv[1]) if len(sys.argv) > 1 else 240
    if not os.path.exists(BINARY):
        sys.exit(f"{BINARY} is missing: run `cargo build --release` first")
    work = tempfile.mkdtemp(prefix="nhiemvu-fuzz-")
    port = free_port()
    env = dict(os.environ, APP__SERVER__PORT=str(port), APP__STORAGE__DATA_DIR=work, APP__LOG__FILTER="warn")
    log_path = os.path.join(work, "server.log")
    log = open(log_path, "w")
    server = subprocess.Popen([BINARY, "serve", "--demo"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if call(base, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            sys.exit("the server did not start:\n" + open(log_path).read())
        with open(os.path.join(ROOT, "config", "demo", "bac-son-2024.toml"), encoding="utf-8") as f:
            password = next(l.split('"')[1] for l in f if l.startswith("demo_password"))
        _, headers, body = call(base, "POST", "/api/v1/auth/login", {"username": "admin", "password": password})
        csrf = json.loads(body)["csrf_token"]
        cookie = headers.get("Set-Cookie").split(";")[0]
        _, _, body = call(
            base, "POST", "/api/v1/auth/tokens", {"name": "schemathesis"}, {"Cookie": cookie, "X-CSRF-Token": csrf}
        )
        token = json.loads(body)["token"]
        cmd = [
            "schemathesis", "--config-file", CONFIG, "run", f"{base}/api/openapi.json",
            "--phases", "examples,coverage,fuzzing,stateful",
            "--seed", "20261127",
            "--max-time", str(budget),
            "--max-examples", "40",
            # One worker: CPython 3.11 before 3.11.8 corrupts ast's recursion counter
            # when two threads parse at once (gh-106905), which hypothesis does.
            "--workers", "1",
            "--request-timeout", "30",
            "-H", f"Authorization: Bearer {token}",
            # Ending the fuzzer's own session would only make the rest of the run 401.
            "--exclude-path", "/auth/logout",
            "--exclude-path", "/auth/tokens/{id}",
        ]
        # FUZZ_REPORT_DIR keeps the run's requests and answers (a VCR cassette), e.g. to
        # count what the server refused of what the document allows.
        if os.environ.get("FUZZ_REPORT_DIR"):
            cmd += ["--report", "vcr", "--report-dir", os.environ["FUZZ_REPORT_DIR"]]
        print("$", " ".join(c if "Bearer" not in c else "Authorization: Bearer …" for c in cmd), flush=True)
        result = subprocess.run(cmd, cwd=ROOT)
        alive = server.poll() is None
        log.flush()
        server_log = open(log_path, encoding="utf-8", errors="replace").read()
        panicked = "panicked" in server_log or "overflowed its stack" in server_log
        if not alive or panicked:
            print("server log:\n" + server_log[-20000:])
            sys.exit("the server died or panicked under fuzzing")
        if result.returncode != 0:
            sys.exit(f"schemathesis found problems (exit {result.returncode})")
        print("fuzzing: no 5xx, no dropped connection, every response matched the OpenAPI document")
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()
