//! A real SMTP server (aiosmtpd, started by tests/support/smtp_server.py) that
//! stores what it accepts, so tests read the mail back as a recipient would.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use nhiemvu::config::MailSettings;
use nhiemvu::mail::SmtpMailer;

pub struct SmtpServer {
    pub port: u16,
    pub dir: tempfile::TempDir,
    child: Option<Child>,
    /// Seconds spent before accepting each recipient (a slow relay).
    delay: f64,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl SmtpServer {
    /// Starts the server, or says why it cannot and returns `None` (tests/run.sh installs it).
    pub fn start() -> Option<SmtpServer> {
        let ok = Command::new("python3").args(["-c", "import aiosmtpd"]).status().is_ok_and(|s| s.success());
        if !ok {
            crate::helpers::skip("python3 with aiosmtpd; tests/run.sh installs it");
            return None;
        }
        let mut s = SmtpServer { port: free_port(), dir: tempfile::tempdir().unwrap(), child: None, delay: 0.0 };
        s.resume();
        Some(s)
    }

    /// A server that takes `delay` seconds over each recipient.
    pub fn start_slow(delay: f64) -> Option<SmtpServer> {
        let mut s = SmtpServer::start()?;
        s.stop();
        s.delay = delay;
        s.resume();
        Some(s)
    }

    /// Starts (again) on the same port and folder.
    pub fn resume(&mut self) {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_server.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(self.port.to_string())
            .arg(self.dir.path())
            .arg(self.delay.to_string())
            .stdout(Stdio::piped())
            .spawn()
            .expect("smtp server");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "ready");
        self.child = Some(child);
    }

    /// Stops the server (an outage).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Every stored message, oldest first, as raw bytes.
    pub fn messages(&self) -> Vec<Vec<u8>> {
        let mut names: Vec<_> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        names.sort();
        names.into_iter().map(|p| std::fs::read(p).unwrap()).collect()
    }

    /// A mailer pointed at this server.
    pub fn mailer(&self) -> SmtpMailer {
        let s = MailSettings {
            enabled: true,
            host: "127.0.0.1".into(),
            port: self.port,
            security: "none".into(),
            username: String::new(),
            password_env: "UNSET_FOR_TESTS".into(),
            from: "Văn phòng UBND huyện Bắc Sơn <vanphong@bacson.example.vn>".into(),
            reply_to: "vanphong@bacson.example.vn".into(),
            pool_size: 4,
            timeout_secs: 5,
            dispatch_every_secs: 1,
            claim_secs: 120,
        };
        SmtpMailer::new(&s).expect("mailer")
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}
