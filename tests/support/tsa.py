#!/usr/bin/env python3
"""A local RFC 3161 timestamp authority for the tests: answers each POSTed
timestamp query with `openssl ts -reply`, signed with the test TSA key.

Usage: tsa.py PKI_DIR  — prints "ready PORT" once it listens on 127.0.0.1."""
import http.server
import os
import subprocess
import sys
import tempfile
import threading

PKI = os.path.abspath(sys.argv[1])
WORK = tempfile.mkdtemp(prefix="nhiemvu-tsa-")
CONFIG = os.path.join(WORK, "ts.cnf")
with open(CONFIG, "w") as f:
    f.write(f"""[tsa]
default_tsa = tsa_config
[tsa_config]
serial = {WORK}/serial
crypto_device = builtin
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
""")
with open(os.path.join(WORK, "serial"), "w") as f:
    f.write("01\n")
LOCK = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        query = self.rfile.read(length)
        with LOCK, tempfile.TemporaryDirectory(dir=WORK) as d:
            q, r = os.path.join(d, "q.tsq"), os.path.join(d, "r.tsr")
            with open(q, "wb") as f:
                f.write(query)
            out = subprocess.run(
                ["openssl", "ts", "-reply", "-config", CONFIG, "-queryfile", q,
                 "-signer", os.path.join(PKI, "tsa.crt.pem"), "-inkey", os.path.join(PKI, "tsa.key.pem"),
                 "-chain", os.path.join(PKI, "root-ca.pem"), "-out", r],
                capture_output=True)
            if out.returncode != 0:
                self.send_response(500)
                self.end_headers()
                self.wfile.write(out.stderr)
                return
            with open(r, "rb") as f:
                reply = f.read()
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"ready {server.server_address[1]}", flush=True)
server.serve_forever()
