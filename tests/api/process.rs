//! The real `nhiemvu` binary under abuse over real sockets: bodies without end,
//! idle and trickling connections. Memory is read from `/proc/<pid>/status`.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `nhiemvu serve` process on a free port with a fresh SQLite file.
pub struct Served {
    pub port: u16,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Served {
    /// Starts the binary with `env` overrides and waits until `/healthz` answers.
    pub fn start(env: &[(&str, &str)]) -> Served {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_nhiemvu"));
        cmd.arg("serve")
            .env("APP__SERVER__PORT", port.to_string())
            .env("APP__STORAGE__DATA_DIR", dir.path())
            .env("APP__LOG__FILTER", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("start nhiemvu");
        let s = Served { port, child, _dir: dir };
        let started = Instant::now();
        while s.request("GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").is_none() {
            assert!(started.elapsed() < Duration::from_secs(60), "server did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        s
    }

    /// Sends a whole request and returns the response's status line.
    pub fn request(&self, raw: &str) -> Option<String> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
        s.write_all(raw.as_bytes()).ok()?;
        let mut buf = [0u8; 512];
        let n = s.read(&mut buf).ok()?;
        String::from_utf8_lossy(&buf[..n]).lines().next().map(str::to_owned)
    }

    /// Resident memory of the process, in KiB.
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Streams up to `total` bytes of a chunked body to `path`; returns the status line
/// the server answered with, if any.
fn stream_body(port: u16, path: &str, total: u64) -> Option<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    s.write_all(head.as_bytes()).ok()?;
    let chunk = vec![b'a'; 64 * 1024];
    let mut sent = 0;
    while sent < total {
        let framed = [format!("{:x}\r\n", chunk.len()).as_bytes(), &chunk, b"\r\n"].concat();
        if s.write_all(&framed).is_err() {
            break;
        }
        sent += chunk.len() as u64;
    }
    let _ = s.write_all(b"0\r\n\r\n");
    let mut buf = [0u8; 256];
    let n = s.read(&mut buf).unwrap_or(0);
    String::from_utf8_lossy(&buf[..n]).lines().next().map(str::to_owned)
}

#[test]
fn a_gigabyte_posted_to_the_login_page_costs_no_memory() {
    let server = Served::start(&[]);
    let _ = server.request("GET /login HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    let idle = server.rss_kib();
    let port = server.port;
    let peak = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(idle));
    let sampler = {
        let peak = peak.clone();
        let pid_status = format!("/proc/{}/status", server.child.id());
        std::thread::spawn(move || {
            for _ in 0..200 {
                let rss = std::fs::read_to_string(&pid_status)
                    .ok()
                    .and_then(|s| s.lines().find_map(|l| l.strip_prefix("VmRSS:")).map(str::to_owned))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                    .unwrap_or(0);
                peak.fetch_max(rss, std::sync::atomic::Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    // Two at once, streamed without a length, plus one that declares a gigabyte.
    let a = std::thread::spawn(move || stream_body(port, "/login", 1 << 30));
    let b = std::thread::spawn(move || stream_body(port, "/login", 1 << 30));
    let declared = server.request(
        "POST /login HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1073741824\r\n\r\nusername=a",
    );
    assert!(
        declared.as_deref().is_some_and(|l| l.contains("413")),
        "a declared gigabyte is refused at once: {declared:?}"
    );
    // A streamed body is cut off: the answer, when the client still reads one, is 413.
    for line in [a.join().unwrap(), b.join().unwrap()].into_iter().flatten() {
        assert!(line.contains("413"), "refused as too large: {line}");
    }
    sampler.join().unwrap();
    let grown = peak.load(std::sync::atomic::Ordering::SeqCst).saturating_sub(idle);
    assert!(grown < 100 * 1024, "memory grew by {grown} KiB while a gigabyte was offered");
    let after = server.rss_kib().saturating_sub(idle);
    assert!(after < 100 * 1024, "{after} KiB kept afterwards");
    assert!(server.request("GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").unwrap().contains("200"));
}

#[test]
fn idle_and_trickling_connections_are_closed_and_the_cap_holds() {
    let server = Served::start(&[
        ("APP__SERVER__IDLE_TIMEOUT_SECS", "2"),
        ("APP__SERVER__REQUEST_GRACE_SECS", "2"),
        ("APP__SERVER__MAX_CONNECTIONS", "64"),
    ]);
    let port = server.port;
    let started = Instant::now();
    let mut idle: Vec<TcpStream> = (0..30).map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap()).collect();
    let tricklers: Vec<_> = (0..30)
        .map(|_| {
            std::thread::spawn(move || {
                let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
                s.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
                let _ = s.write_all(b"GET / HTTP/1.1\r\nHost: t\r\nX-Slow: ");
                // One byte a second, well under the pace a request must keep.
                for _ in 0..30 {
                    std::thread::sleep(Duration::from_secs(1));
                    if s.write_all(b"a").is_err() {
                        return Some(Instant::now());
                    }
                    let mut b = [0u8; 1];
                    if matches!(s.read(&mut b), Ok(0)) {
                        return Some(Instant::now());
                    }
                }
                None
            })
        })
        .collect();
    for s in &mut idle {
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let mut b = [0u8; 1];
        let closed = matches!(s.read(&mut b), Ok(0) | Err(_));
        assert!(closed, "an idle connection is closed");
    }
    assert!(started.elapsed() < Duration::from_secs(15), "idle connections closed within the timeout");
    for t in tricklers {
        let cut = t.join().unwrap().expect("a trickling request is cut off");
        assert!(cut.duration_since(started) < Duration::from_secs(20));
    }
    // The server still answers.
    assert!(server.request("GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").unwrap().contains("200"));
    // More connections than the cap: the extra request waits for a slot, then is answered.
    let held: Vec<TcpStream> = (0..64).map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap()).collect();
    let late = server.request("GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    assert!(late.unwrap().contains("200"), "answered once idle slots were freed");
    drop(held);
}
