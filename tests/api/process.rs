//! The real `nhiemvu` binary under abuse over real sockets: bodies without end,
//! idle and trickling connections. Memory is read from `/proc/<pid>/status`.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// A `nhiemvu serve` process on a free port with a fresh SQLite file.
pub struct Served {
    pub port: u16,
    child: Child,
    _dir: Option<tempfile::TempDir>,
}

impl Served {
    /// Starts the binary with `env` overrides and waits until `/healthz` answers.
    pub fn start(env: &[(&str, &str)]) -> Served {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Served::start_in(dir.path(), &[], env);
        s._dir = Some(dir);
        s
    }

    /// Starts `nhiemvu serve ARGS` on the data folder `dir` (kept by the caller).
    pub fn start_in(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Served {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_nhiemvu"));
        cmd.arg("serve")
            .args(args)
            .env("APP__SERVER__PORT", port.to_string())
            .env("APP__STORAGE__DATA_DIR", dir)
            .env("APP__LOG__FILTER", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("start nhiemvu");
        let s = Served { port, child, _dir: None };
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

    /// One JSON call over its own connection: (status, body). `None` when the
    /// server is gone.
    pub fn call(&self, method: &str, path: &str, bearer: &str, body: Option<&Value>) -> Option<(u16, Value)> {
        call(self.port, method, path, bearer, body)
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills the process as a power cut would (SIGKILL: no shutdown, no flush).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
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

/// One JSON call to the server on `port` over its own connection.
pub fn call(port: u16, method: &str, path: &str, bearer: &str, body: Option<&Value>) -> Option<(u16, Value)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(60))).ok()?;
    let body = body.map(Value::to_string).unwrap_or_default();
    let auth = if bearer.is_empty() { String::new() } else { format!("Authorization: Bearer {bearer}\r\n") };
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).ok()?;
    s.write_all(body.as_bytes()).ok()?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).ok()?;
    let text = String::from_utf8_lossy(&raw);
    let status = text.split(' ').nth(1)?.parse().ok()?;
    let (_, payload) = text.split_once("\r\n\r\n")?;
    Some((status, serde_json::from_str(payload).unwrap_or(Value::Null)))
}

/// A bearer token for demo user `user` of a `serve --demo` process, made from a cookie session.
pub fn bearer(s: &Served, user: &str) -> String {
    let password = "bacson-2024-demo";
    let mut c = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    let body = json!({"username": user, "password": password}).to_string();
    write!(c, "POST /api/v1/auth/login HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len()).unwrap();
    let mut raw = String::new();
    c.read_to_string(&mut raw).unwrap();
    let cookie = raw
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: ").or_else(|| l.strip_prefix("Set-Cookie: ")))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let session: Value = serde_json::from_str(raw.split_once("\r\n\r\n").unwrap().1).unwrap();
    let csrf = session["csrf_token"].as_str().unwrap().to_owned();
    let mut c = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    let body = json!({"name": "test"}).to_string();
    write!(c, "POST /api/v1/auth/tokens HTTP/1.1\r\nHost: t\r\nConnection: close\r\nCookie: {cookie}\r\nX-CSRF-Token: {csrf}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len()).unwrap();
    let mut raw = String::new();
    c.read_to_string(&mut raw).unwrap();
    let made: Value = serde_json::from_str(raw.split_once("\r\n\r\n").unwrap().1).unwrap();
    made["token"].as_str().unwrap_or_else(|| panic!("no token: {raw}")).to_owned()
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
fn anonymous_multipart_to_the_login_and_forgot_forms_is_refused_before_it_is_read() {
    let server = Served::start(&[]);
    let _ = server.request("GET /login HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    let idle = server.rss_kib();
    let port = server.port;
    // 40 at once, 25 MiB each, as multipart: refused with 415 from the headers alone.
    let senders: Vec<_> = (0..40)
        .map(|n| {
            std::thread::spawn(move || {
                let path = if n % 2 == 0 { "/login" } else { "/forgot" };
                let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
                s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
                let len = 25 * 1024 * 1024;
                let head = format!(
                    "POST {path} HTTP/1.1\r\nHost: t\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: {len}\r\n\r\n"
                );
                s.write_all(head.as_bytes()).ok()?;
                let chunk = vec![b'x'; 256 * 1024];
                for _ in 0..100 {
                    if s.write_all(&chunk).is_err() {
                        break;
                    }
                }
                let mut buf = [0u8; 256];
                let n = s.read(&mut buf).unwrap_or(0);
                String::from_utf8_lossy(&buf[..n]).lines().next().map(str::to_owned)
            })
        })
        .collect();
    for t in senders {
        let line = t.join().unwrap();
        assert!(
            line.as_deref().is_some_and(|l| l.contains("415")),
            "refused as a kind of body it never reads: {line:?}"
        );
    }
    let grown = server.rss_kib().saturating_sub(idle);
    assert!(grown < 50 * 1024, "memory grew by {grown} KiB");
    // A login form posted the ordinary way still works (and is refused only for its password).
    let body = "username=khong-co&password=sai";
    let line = server.request(&format!(
        "POST /login HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    ));
    assert!(line.as_deref().is_some_and(|l| l.contains("401")), "{line:?}");
}

#[test]
fn two_thousand_idle_sockets_and_two_hundred_tricklers_shut_no_one_out() {
    let dir = tempfile::tempdir().unwrap();
    let server = Served::start_in(dir.path(), &["--demo"], &[("APP__SERVER__IDLE_TIMEOUT_SECS", "4")]);
    let port = server.port;
    let token = bearer(&server, "vanphong");
    // 200 clients sending a header byte a second, and 2,000 that open and say nothing.
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    let tricklers: Vec<_> = (0..200)
        .map(|_| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else { return };
                let _ = s.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: ");
                while !stop.load(Ordering::Relaxed) && s.write_all(b"a").is_ok() {
                    std::thread::sleep(Duration::from_secs(1));
                }
            })
        })
        .collect();
    let mut idle: Vec<TcpStream> = (0..2000).filter_map(|_| TcpStream::connect(("127.0.0.1", port)).ok()).collect();
    assert_eq!(idle.len(), 2000, "every connection is taken at once (the accept loop never waits)");
    // Everyone else is still served, at once: the health check and a logged-in task list.
    let answered = |path: &str, auth: &str| {
        let started = Instant::now();
        let reply = call(port, "GET", path, auth, None);
        (reply.map(|(status, _)| status), started.elapsed())
    };
    for _ in 0..5 {
        let (status, took) = answered("/healthz", "");
        assert_eq!(status, Some(200), "the health check answers");
        assert!(took < Duration::from_secs(2), "without waiting for a slot: {took:?}");
        let (status, took) = answered("/api/v1/tasks?per_page=5", &token);
        assert_eq!(status, Some(200), "a logged-in list answers");
        assert!(took < Duration::from_secs(2), "without waiting for a slot: {took:?}");
    }
    // The idle ones are closed: to make room, or by their own timer.
    let closed = idle
        .iter_mut()
        .map(|s| {
            s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            let mut b = [0u8; 1];
            // Closed by the server: end of stream or a reset; a read timeout is not.
            match s.read(&mut b) {
                Ok(n) => n == 0,
                Err(e) => !matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut),
            }
        })
        .filter(|closed| *closed)
        .count();
    assert_eq!(closed, 2000, "every idle socket is closed");
    stop.store(true, Ordering::Relaxed);
    for t in tricklers {
        t.join().unwrap();
    }
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

fn items(v: &Value) -> &Vec<Value> {
    v.get("items").unwrap_or(v).as_array().expect("a list")
}

/// The reference plan's first group and the TC-KH unit of a `serve --demo` process.
fn first_group_and_tckh(s: &Served, office: &str) -> (String, String) {
    let (_, plans) = s.call("GET", "/api/v1/plans", office, None).unwrap();
    let plan = items(&plans)[0]["id"].as_str().unwrap().to_owned();
    let (_, groups) = s.call("GET", &format!("/api/v1/groups?plan_id={plan}"), office, None).unwrap();
    let group = items(&groups)[0]["id"].as_str().unwrap().to_owned();
    let (_, units) = s.call("GET", "/api/v1/units?per_page=100", office, None).unwrap();
    let unit = items(&units).iter().find(|u| u["short_name"] == "TC-KH").unwrap()["id"].as_str().unwrap().to_owned();
    (group, unit)
}

/// A burst of result saves (narrative and a target's value, one transaction each)
/// from eight writers, and the server killed with SIGKILL in the middle of it:
/// after a restart every acknowledged save is there, whole, and the audit chain
/// verifies.
#[test]
fn every_acknowledged_save_survives_a_kill_in_the_middle_of_a_burst() {
    let dir = tempfile::tempdir().unwrap();
    let mut first = Served::start_in(dir.path(), &["--demo"], &[]);
    let office = bearer(&first, "vanphong");
    let (group, unit) = first_group_and_tckh(&first, &office);
    let mut tasks = Vec::new();
    for i in 0..8 {
        let input = json!({"group_id": group, "code": format!("9.{}", i + 1), "text": format!("Nhiệm vụ thử số {}", i + 1),
            "lead_unit_id": unit, "deadline": "2024-12-20",
            "set_targets": [{"description": "Tỷ lệ hoàn thành", "measure_unit": "%", "goal_value": 100.0}]});
        let (status, task) = first.call("POST", "/api/v1/tasks", &office, Some(&input)).unwrap();
        assert_eq!(status, 201, "{task}");
        tasks.push((task["id"].as_str().unwrap().to_owned(), task["targets"][0]["id"].as_str().unwrap().to_owned()));
    }
    let unit_token = bearer(&first, "tckh");
    let port = first.port;
    let writers: Vec<_> = tasks
        .iter()
        .cloned()
        .map(|(task, target)| {
            let bearer = unit_token.clone();
            std::thread::spawn(move || {
                let mut acked = 0u32;
                for n in 1.. {
                    let report = json!({"narrative": format!("Lượt lưu số {n}."), "self_score": 90,
                        "actuals": [{"target_id": target, "value": f64::from(n)}]});
                    match call(port, "PUT", &format!("/api/v1/tasks/{task}/report"), &bearer, Some(&report)) {
                        Some((200, _)) => acked = n,
                        Some((status, body)) => panic!("save refused: {status} {body}"),
                        None => break,
                    }
                }
                (task, acked)
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(2500));
    first.kill();
    let acked: Vec<(String, u32)> = writers.into_iter().map(|w| w.join().unwrap()).collect();
    let total: u32 = acked.iter().map(|(_, n)| n).sum();
    assert!(total > 8, "the burst was under way when the server died ({total} saves acknowledged)");

    let again = Served::start_in(dir.path(), &[], &[]);
    for (task, n) in &acked {
        let (_, results) = again.call("GET", &format!("/api/v1/results?task_id={task}"), &office, None).unwrap();
        let r = &items(&results)[0];
        let narrative = r["narrative"].as_str().unwrap();
        let stored: u32 = narrative.trim_start_matches("Lượt lưu số ").trim_end_matches('.').parse().unwrap();
        // The acknowledged save, or the one in flight when the server died — never older.
        assert!(stored == *n || stored == n + 1, "task {task}: acknowledged save {n}, found {narrative:?}");
        let (_, task_now) = again.call("GET", &format!("/api/v1/tasks/{task}"), &office, None).unwrap();
        assert_eq!(task_now["targets"][0]["actual_value"], json!(f64::from(stored)), "the value saved with the text");
    }
    drop(again);
    let verify = Command::new(env!("CARGO_BIN_EXE_nhiemvu"))
        .args(["audit", "verify"])
        .env("APP__STORAGE__DATA_DIR", dir.path())
        .env("APP__LOG__FILTER", "warn")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&verify.stdout);
    assert!(verify.status.success() && said.contains("toàn vẹn"), "audit verify: {said}");
    eprintln!("{total} saves acknowledged by 8 writers before SIGKILL; all there after restart");
}

#[test]
fn a_second_server_on_the_same_sqlite_file_refuses_to_start_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let mut first = Served::start_in(dir.path(), &[], &[]);
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let second = Command::new(env!("CARGO_BIN_EXE_nhiemvu"))
        .arg("serve")
        .env("APP__SERVER__PORT", port.to_string())
        .env("APP__STORAGE__DATA_DIR", dir.path())
        .env("APP__LOG__FILTER", "warn")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&second.stderr);
    assert!(!second.status.success(), "{said}");
    assert!(said.contains("Đã có một máy chủ nhiemvu khác") && said.contains("nhiemvu.sqlite"), "{said}");
    assert_eq!(first.call("GET", "/healthz", "", None).map(|r| r.0), Some(200), "the first goes on");
    // Killed without a word, the first leaves the file free for the next start.
    first.kill();
    let mut again = Served::start_in(dir.path(), &[], &[]);
    assert_eq!(again.call("GET", "/healthz", "", None).map(|r| r.0), Some(200));
    again.kill();
}

/// Uploads `bytes` as evidence of `task` over its own connection: (status, body).
fn upload(port: u16, task: &str, bearer: &str, name: &str, bytes: &[u8]) -> Option<(u16, Value)> {
    let boundary = "nhiemvu-process-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/pdf\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(60))).ok()?;
    let head = format!(
        "POST /api/v1/tasks/{task}/evidence HTTP/1.1\r\nHost: t\r\nConnection: close\r\nAuthorization: Bearer {bearer}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).ok()?;
    s.write_all(&body).ok()?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).ok()?;
    let text = String::from_utf8_lossy(&raw);
    let status = text.split(' ').nth(1)?.parse().ok()?;
    let (_, payload) = text.split_once("\r\n\r\n")?;
    Some((status, serde_json::from_str(payload).unwrap_or(Value::Null)))
}

/// What one writer saw acknowledged, and when.
type Acked = Vec<(String, Instant)>;

fn nhiemvu(args: &[&str], data_dir: &std::path::Path) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_nhiemvu"))
        .args(args)
        .env("APP__STORAGE__DATA_DIR", data_dir)
        .env("APP__LOG__FILTER", "warn")
        .output()
        .unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// A backup taken while eight writers save results and upload evidence restores
/// into a new folder: the audit chain verifies, every save acknowledged before the
/// backup began is there, every evidence file matches the SHA-256 on its record,
/// and the restored server serves them. The server also writes its own scheduled
/// backups into `backup.dir`.
#[test]
fn a_backup_taken_during_a_write_burst_restores_every_acknowledged_write_and_file() {
    let dir = tempfile::tempdir().unwrap();
    let scheduled = dir.path().join("scheduled");
    let scheduled_env = scheduled.to_str().unwrap().to_owned();
    let server = Served::start_in(dir.path(), &["--demo"], &[("APP__BACKUP__DIR", &scheduled_env)]);
    let office = bearer(&server, "vanphong");
    let unit_token = bearer(&server, "tckh");
    let (group, unit) = first_group_and_tckh(&server, &office);
    let tasks: Vec<String> = (0..4)
        .map(|i| {
            let input = json!({"group_id": group, "code": format!("8.{}", i + 1), "text": format!("Nhiệm vụ sao lưu {}", i + 1),
                "lead_unit_id": unit, "deadline": "2024-12-20"});
            let (status, task) = server.call("POST", "/api/v1/tasks", &office, Some(&input)).unwrap();
            assert_eq!(status, 201, "{task}");
            task["id"].as_str().unwrap().to_owned()
        })
        .collect();

    let port = server.port;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // Each writer records (what, when acknowledged) for its saves and uploads.
    let writers: Vec<_> = tasks
        .iter()
        .enumerate()
        .flat_map(|(i, task)| [(i, task.clone(), false), (i, task.clone(), true)])
        .map(|(i, task, uploads)| {
            let (bearer, stop) = (unit_token.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut acked: Vec<(String, Instant)> = Vec::new();
                for n in 1.. {
                    if stop.load(std::sync::atomic::Ordering::Relaxed) {
                        break;
                    }
                    if uploads {
                        let name = format!("minh-chung-{i}-{n}.pdf");
                        let bytes = format!("%PDF-1.7\n% {name}\n%%EOF\n").into_bytes();
                        match upload(port, &task, &bearer, &name, &bytes) {
                            Some((201, _)) => acked.push((name, Instant::now())),
                            other => panic!("upload refused: {other:?}"),
                        }
                    } else {
                        let narrative = format!("Lượt lưu {i}-{n}.");
                        let report = json!({"narrative": narrative, "self_score": 90});
                        match call(port, "PUT", &format!("/api/v1/tasks/{task}/report"), &bearer, Some(&report)) {
                            Some((200, _)) => acked.push((narrative, Instant::now())),
                            other => panic!("save refused: {other:?}"),
                        }
                    }
                }
                (task, uploads, acked)
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(1500));
    let backup_started = Instant::now();
    let archive = dir.path().join("out/backup.tar");
    let (ok, said) = nhiemvu(&["backup", "-o", archive.to_str().unwrap()], dir.path());
    assert!(ok && said.contains("Đã sao lưu"), "backup: {said}");
    std::thread::sleep(Duration::from_millis(500));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let done: Vec<(String, bool, Acked)> = writers.into_iter().map(|w| w.join().unwrap()).collect();
    let before: usize = done.iter().map(|(_, _, a)| a.iter().filter(|(_, t)| *t < backup_started).count()).sum();
    let after: usize = done.iter().map(|(_, _, a)| a.iter().filter(|(_, t)| *t >= backup_started).count()).sum();
    assert!(before > 8 && after > 0, "the backup ran in the middle of the burst ({before} before, {after} after)");

    // The scheduled backup was written at start.
    let taken = std::fs::read_dir(&scheduled).map(|d| d.count()).unwrap_or(0);
    assert_eq!(taken, 1, "one scheduled backup in backup.dir");
    drop(server);

    // Restore into a new, empty data folder; a second restore there is refused.
    let new = tempfile::tempdir().unwrap();
    let (ok, said) = nhiemvu(&["restore", archive.to_str().unwrap()], new.path());
    assert!(ok && said.contains("chuỗi nhật ký toàn vẹn"), "restore: {said}");
    let (ok, said) = nhiemvu(&["restore", archive.to_str().unwrap()], new.path());
    assert!(!ok && said.contains("thư mục dữ liệu trống"), "a second restore: {said}");
    let (ok, said) = nhiemvu(&["audit", "verify"], new.path());
    assert!(ok && said.contains("toàn vẹn"), "audit verify: {said}");

    let restored = Served::start_in(new.path(), &[], &[]);
    for (task, uploads, acked) in &done {
        let acked_before: Vec<&String> = acked.iter().filter(|(_, t)| *t < backup_started).map(|(w, _)| w).collect();
        if *uploads {
            let (_, files) = restored.call("GET", &format!("/api/v1/tasks/{task}/evidence"), &office, None).unwrap();
            let names: Vec<&str> = items(&files).iter().map(|e| e["file_name"].as_str().unwrap()).collect();
            for name in &acked_before {
                assert!(names.contains(&name.as_str()), "{name} acknowledged before the backup, missing after restore");
            }
            for e in items(&files) {
                let id = e["id"].as_str().unwrap();
                let raw = restored
                    .request(&format!("GET /api/v1/evidence/{id}/file HTTP/1.1\r\nHost: t\r\nConnection: close\r\nAuthorization: Bearer {office}\r\n\r\n"));
                assert!(raw.is_some_and(|l| l.contains(" 200")), "evidence {id} is served after restore");
                let on_disk = std::fs::read(new.path().join("files").join(format!("evidence/{id}"))).expect("the file");
                use sha2::Digest;
                assert_eq!(hex::encode(sha2::Sha256::digest(&on_disk)), e["sha256"].as_str().unwrap(), "{id}");
            }
        } else if let Some(last) = acked_before.last() {
            let (_, results) = restored.call("GET", &format!("/api/v1/results?task_id={task}"), &office, None).unwrap();
            let narrative = items(&results)[0]["narrative"].as_str().unwrap().to_owned();
            let n = |s: &str| s.rsplit('-').next().unwrap().trim_end_matches('.').parse::<u32>().unwrap();
            assert!(
                n(&narrative) >= n(last),
                "task {task}: {last:?} acknowledged before the backup, found {narrative:?}"
            );
        }
    }
    eprintln!("backup during a burst: {before} writes acknowledged before it, {after} after; restored and verified");
}

/// A throwaway PostgreSQL server of the test's own (tests/support/postgres.sh).
struct Postgres {
    url: String,
    dir: tempfile::TempDir,
}

impl Postgres {
    fn start() -> Option<Postgres> {
        if std::fs::read_dir("/usr/lib/postgresql").map(|d| d.count()).unwrap_or(0) == 0 {
            crate::helpers::skip("PostgreSQL server binaries; tests/run.sh installs them");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/postgres.sh");
        let out = Command::new("bash").arg(&script).arg("start").arg(dir.path().join("pg")).output().unwrap();
        assert!(out.status.success(), "postgres: {}", String::from_utf8_lossy(&out.stderr));
        Some(Postgres { url: String::from_utf8(out.stdout).unwrap().trim().to_owned(), dir })
    }

    /// The instance holding a claim on a message being sent, if any.
    fn claim_holder(&self) -> Option<String> {
        use sea_orm::{ConnectionTrait, Database, Statement};
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let db = Database::connect(&self.url).await.unwrap();
            let st = Statement::from_string(
                db.get_database_backend(),
                "SELECT claimed_by FROM outbox WHERE state = 'sending' AND claimed_by IS NOT NULL LIMIT 1",
            );
            let row = db.query_one_raw(st).await.unwrap()?;
            row.try_get::<String>("", "claimed_by").ok()
        })
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/postgres.sh");
        let _ = Command::new("bash").arg(script).arg("stop").arg(self.dir.path().join("pg")).output();
    }
}

/// GET `path` over its own connection: (status, body bytes).
fn get_bytes(port: u16, path: &str, bearer: &str) -> (u16, Vec<u8>) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\nAuthorization: Bearer {bearer}\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let mut body = raw[split + 4..].to_vec();
    if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        body = dechunk(&body);
    }
    (status, body)
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = b.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&b[..eol]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + size]);
        b = &b[eol + 2 + size + 2..];
    }
    out
}

/// Two servers on one PostgreSQL database, each with its own (empty) data folder
/// and both sending mail: evidence uploaded through one is read through the other,
/// a document issued through one downloads byte-identical from the other, and when
/// the instance sending its mail is killed (SIGKILL) half-way, the other sends the
/// rest: every recipient gets the document once.
#[test]
fn two_instances_on_one_postgresql_share_files_and_finish_each_others_mail() {
    let Some(pg) = Postgres::start() else { return };
    let Some(smtp) = crate::smtp::SmtpServer::start_slow(1.0) else { return };
    let smtp_port = smtp.port.to_string();
    let env = [
        ("APP__DATABASE__URL", pg.url.as_str()),
        ("APP__MAIL__ENABLED", "true"),
        ("APP__MAIL__PORT", smtp_port.as_str()),
        ("APP__MAIL__DISPATCH_EVERY_SECS", "1"),
        ("APP__MAIL__CLAIM_SECS", "3"),
        ("APP__MAIL__POOL_SIZE", "1"),
    ];
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut a = Served::start_in(dir_a.path(), &["--demo"], &env);
    let mut b = Served::start_in(dir_b.path(), &["--demo"], &env);
    let office = bearer(&a, "vanphong");
    let unit_token = bearer(&a, "tckh");

    // Evidence uploaded through A is read through B, whose data folder is empty.
    let (group, unit) = first_group_and_tckh(&a, &office);
    let input = json!({"group_id": group, "code": "7.1", "text": "Nhiệm vụ hai máy chủ", "lead_unit_id": unit, "deadline": "2024-12-20"});
    let (status, task) = a.call("POST", "/api/v1/tasks", &office, Some(&input)).unwrap();
    assert_eq!(status, 201, "{task}");
    let task = task["id"].as_str().unwrap().to_owned();
    let evidence = b"%PDF-1.7\n% bien ban nghiem thu qua may chu A\n%%EOF\n";
    let (status, ev) = upload(a.port, &task, &unit_token, "Biên bản.pdf", evidence).unwrap();
    assert_eq!(status, 201, "{ev}");
    let (_, list) = b.call("GET", &format!("/api/v1/tasks/{task}/evidence"), &office, None).unwrap();
    assert_eq!(items(&list).len(), 1);
    let (status, bytes) = get_bytes(b.port, &format!("/api/v1/evidence/{}/file", ev["id"].as_str().unwrap()), &office);
    assert_eq!((status, bytes.as_slice()), (200, &evidence[..]), "B serves the file A received");
    for dir in [&dir_a, &dir_b] {
        assert!(!dir.path().join("files/evidence").exists(), "no instance keeps the file on its own disk");
    }

    // The chairman approves through A, the office issues through B; the PDF is the same from both.
    let (_, docs) = a.call("GET", "/api/v1/documents", &office, None).unwrap();
    let doc = items(&docs)[0]["id"].as_str().unwrap().to_owned();
    let chairman = bearer(&a, "chutich");
    let (status, body) = a.call("POST", &format!("/api/v1/documents/{doc}/submit"), &office, Some(&json!({}))).unwrap();
    assert_eq!(status, 200, "{body}");
    let (status, body) =
        a.call("POST", &format!("/api/v1/documents/{doc}/approve"), &chairman, Some(&json!({}))).unwrap();
    assert_eq!(status, 200, "{body}");
    let (status, body) = b.call("POST", &format!("/api/v1/documents/{doc}/issue"), &office, Some(&json!({}))).unwrap();
    assert_eq!(status, 200, "{body}");
    let (s1, from_a) = get_bytes(a.port, &format!("/api/v1/documents/{doc}/pdf"), &office);
    let (s2, from_b) = get_bytes(b.port, &format!("/api/v1/documents/{doc}/pdf"), &office);
    assert_eq!((s1, s2), (200, 200));
    assert!(from_a.starts_with(b"%PDF") && from_a == from_b, "the issued PDF is the same through A and B");

    // Mail: kill whichever instance is sending once the first copy has arrived.
    let (_, deliveries) = a.call("GET", &format!("/api/v1/documents/{doc}/deliveries"), &office, None).unwrap();
    let addresses: Vec<String> = items(&deliveries).iter().map(|m| m["to_addr"].as_str().unwrap().to_owned()).collect();
    assert!(addresses.len() >= 3, "the report goes to several addresses: {addresses:?}");
    let with_pdf = |smtp: &crate::smtp::SmtpServer| -> Vec<String> {
        use mail_parser::MessageParser;
        smtp.messages()
            .iter()
            .filter_map(|raw| MessageParser::default().parse(raw))
            .filter(|m| m.attachment_count() > 0)
            .flat_map(|m| m.to().map(|t| t.iter().filter_map(|a| a.address()).map(str::to_owned).collect::<Vec<_>>()))
            .flatten()
            .collect()
    };
    let started = Instant::now();
    while with_pdf(&smtp).is_empty() {
        assert!(started.elapsed() < Duration::from_secs(60), "no mail arrived");
        std::thread::sleep(Duration::from_millis(20));
    }
    // Let the sender record the first delivery, then kill it while it waits on the next.
    std::thread::sleep(Duration::from_millis(300));
    let holder = pg.claim_holder().unwrap_or_else(|| {
        let (_, d) = a.call("GET", &format!("/api/v1/documents/{doc}/deliveries"), &office, None).unwrap();
        panic!("no instance is sending; arrived {:?}; deliveries {d}", with_pdf(&smtp))
    });
    let killed = if holder.ends_with(&format!("-{}", a.pid())) {
        a.kill();
        "A"
    } else {
        assert!(holder.ends_with(&format!("-{}", b.pid())), "claimed by {holder}");
        b.kill();
        "B"
    };
    let survivor = if killed == "A" { &b } else { &a };
    let started = Instant::now();
    loop {
        let (_, d) = survivor.call("GET", &format!("/api/v1/documents/{doc}/deliveries"), &office, None).unwrap();
        if items(&d).iter().all(|m| m["state"] == "sent") {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(90), "the survivor did not finish: {d}");
        std::thread::sleep(Duration::from_millis(200));
    }
    let mut got = with_pdf(&smtp);
    got.sort();
    let mut want = addresses.clone();
    want.sort();
    assert_eq!(got, want, "every recipient got the document once ({killed} killed mid-dispatch)");
    eprintln!("{killed} killed mid-dispatch; the other delivered the rest: {} messages, one each", got.len());
}

#[test]
fn a_server_on_an_empty_database_prints_a_setup_link_that_opens_the_setup_page() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_nhiemvu"))
        .arg("serve")
        .env("APP__SERVER__PORT", port.to_string())
        .env("APP__SERVER__PUBLIC_URL", "https://nhiemvu.xa-tan-huong.example.vn/")
        .env("APP__STORAGE__DATA_DIR", dir.path())
        .env("APP__LOG__FILTER", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start nhiemvu");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let line = rx.recv_timeout(Duration::from_secs(60)).expect("the server prints the setup link");
    let start = "https://nhiemvu.xa-tan-huong.example.vn/setup/";
    let at = line.find(start).unwrap_or_else(|| panic!("no link in {line:?}")) + start.len();
    let secret: String = line[at..].chars().take_while(char::is_ascii_hexdigit).collect();
    assert_eq!(secret.len(), 64, "{line}");
    let s = Served { port, child, _dir: Some(dir) };
    let started = Instant::now();
    let get = |path: &str| s.request(&format!("GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"));
    while get("/healthz").is_none() {
        assert!(started.elapsed() < Duration::from_secs(60), "server did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(get(&format!("/setup/{secret}")).as_deref(), Some("HTTP/1.1 200 OK"));
    assert_eq!(get(&format!("/setup/{}", "0".repeat(64))).as_deref(), Some("HTTP/1.1 410 Gone"));
}

/// `nhiemvu user add --server-admin` makes a server administrator from the command
/// line: it may sign in and create an office, and reads none of an office's tasks.
#[test]
fn the_command_line_makes_a_server_administrator() {
    let dir = tempfile::tempdir().unwrap();
    let add = |extra: &[&str]| {
        let mut args = vec![
            "user",
            "add",
            "--issuer",
            "tinh",
            "--username",
            "quantri",
            "--name",
            "Quản trị",
            "--email",
            "qt@example.vn",
        ];
        args.extend(extra);
        Command::new(env!("CARGO_BIN_EXE_nhiemvu"))
            .args(&args)
            .env("APP__STORAGE__DATA_DIR", dir.path())
            .env("APP__LOG__FILTER", "warn")
            .env("NHIEMVU_PASSWORD", "mật khẩu quản trị máy chủ")
            .output()
            .unwrap()
    };
    let refused = add(&[]);
    assert!(!refused.status.success(), "a role or --server-admin is needed");
    let made = add(&["--server-admin"]);
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("nhiemvu.sqlite").display());
        let db = nhiemvu::storage::Db::connect(&url, 2, Duration::from_secs(5)).await.unwrap();
        let user = nhiemvu::storage::users::by_username(&db.conn, "quantri").await.unwrap().expect("made");
        assert_eq!(user.role, nhiemvu::domain::Role::ServerAdmin);
        assert!(user.server_admin);
    });
}
