#!/usr/bin/env python3
"""Idle flood: how fast /healthz answers while 2,000 idle sockets and 200 that send a
header byte a second are open (127.0.0.1 only; bounded: 50 requests, then it stops).

Usage: idle_flood.py path/to/nhiemvu   (starts `serve` on a fresh data folder)
"""
binary = sys.argv[1]
work = tempfile.mkdtemp()
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
env = dict(os.environ, APP__SERVER__PORT=str(port), APP__STORAGE__DATA_DIR=work, APP__LOG__FILTER="warn")
p = subprocess.Popen([binary, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
base = f"http://127.0.0.1:{port}"
for _ in range(300):
    try:
        urllib.request.urlopen(base + "/healthz", timeout=1); break
    except Exception: time.sleep(0.1)
def hz():
    t = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port)) as c:
        c.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        c.settimeout(60); c.recv(100)
    return (time.perf_counter() - t) * 1000
before = [hz() for _ in range(20)]
idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(2000)]
stop = False
def trickle():
    c = socket.create_connection(("127.0.0.1", port)); c.sendall(b"GET / HTTP/1.1\r\nHost: t\r\nX: ")
    while not stop:
        try: c.sendall(b"a")
        except Exception: return
        time.sleep(1)
ts = [threading.Thread(target=trickle, daemon=True) for _ in range(200)]
[t.start() for t in ts]
time.sleep(1)
during = [hz() for _ in range(50)]
stop = True
print(f"healthz before: median {statistics.median(before):.2f} ms; with 2000 idle + 200 trickling: median {statistics.median(during):.2f} ms, max {max(during):.2f} ms")
p.kill()
