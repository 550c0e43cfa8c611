//! Sending one message over SMTP with a pooled lettre transport. The Message-ID is
//! derived from the outbox row, so a resend after a crash is recognisable downstream.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart};
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::MailSettings;

/// A message ready to go.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// The outbox row (its id makes the Message-ID).
    pub id: uuid::Uuid,
    /// One address.
    pub to: String,
    /// Subject.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body.
    pub html: String,
    /// An attached file: (name, content type, bytes).
    pub attachment: Option<(String, String, Vec<u8>)>,
}

/// Why a message was not sent.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct SendError {
    /// The server refused for good (5xx, a bad address): do not retry.
    pub permanent: bool,
    /// What happened.
    pub message: String,
}

/// Something that sends messages (SMTP in production; a recorder in unit tests).
pub trait Mailer: Send + Sync {
    /// Sends one message.
    fn send<'a>(&'a self, msg: &'a Outgoing) -> Pin<Box<dyn Future<Output = Result<(), SendError>> + Send + 'a>>;
}

/// A mailer that keeps each message it is given instead of sending it, and answers
/// with the outcomes it was told to give, in order (then "sent"): the seam for
/// unit-testing mail logic without a mail server.
#[derive(Default)]
pub struct Recording {
    sent: std::sync::Mutex<Vec<Outgoing>>,
    outcomes: std::sync::Mutex<std::collections::VecDeque<Result<(), SendError>>>,
}

impl Recording {
    /// A recorder that answers with `outcomes` first, then takes every message.
    pub fn answering(outcomes: Vec<Result<(), SendError>>) -> Recording {
        Recording { sent: Default::default(), outcomes: std::sync::Mutex::new(outcomes.into()) }
    }

    /// The messages taken so far, in order.
    pub fn sent(&self) -> Vec<Outgoing> {
        self.sent.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

impl Mailer for Recording {
    fn send<'a>(&'a self, msg: &'a Outgoing) -> Pin<Box<dyn Future<Output = Result<(), SendError>> + Send + 'a>> {
        Box::pin(async move {
            let outcome = self.outcomes.lock().ok().and_then(|mut o| o.pop_front()).unwrap_or(Ok(()));
            if outcome.is_ok()
                && let Ok(mut sent) = self.sent.lock()
            {
                sent.push(msg.clone());
            }
            outcome
        })
    }
}

/// SMTP through a connection pool.
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    reply_to: Option<Mailbox>,
    domain: String,
}

fn permanent(message: String) -> SendError {
    SendError { permanent: true, message }
}

impl SmtpMailer {
    /// Builds the transport from `[mail]`; the password comes from the environment
    /// variable named by `mail.password_env`. Call it inside a Tokio runtime: the
    /// connection pool starts a task on it.
    pub fn new(s: &MailSettings) -> Result<SmtpMailer, String> {
        let mut b = match s.security.as_str() {
            "none" => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&s.host),
            "starttls" => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&s.host).map_err(|e| e.to_string())?,
            "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(&s.host).map_err(|e| e.to_string())?,
            other => return Err(format!("mail.security: unknown value {other:?}")),
        };
        b = b
            .port(s.port)
            .timeout(Some(Duration::from_secs(s.timeout_secs)))
            .pool_config(PoolConfig::new().max_size(s.pool_size));
        if !s.username.is_empty() {
            let password = std::env::var(&s.password_env).unwrap_or_default();
            b = b.credentials(Credentials::new(s.username.clone(), password));
        }
        let from: Mailbox = s.from.parse().map_err(|e| format!("mail.from: {e}"))?;
        let reply_to = if s.reply_to.is_empty() {
            None
        } else {
            Some(s.reply_to.parse().map_err(|e| format!("mail.reply_to: {e}"))?)
        };
        let domain = from.email.domain().to_owned();
        Ok(SmtpMailer { transport: b.build(), from, reply_to, domain })
    }

    fn build(&self, m: &Outgoing) -> Result<Message, SendError> {
        let to: Mailbox = m.to.parse().map_err(|e| permanent(format!("bad address {}: {e}", m.to)))?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(m.subject.clone())
            .message_id(Some(format!("<{}@{}>", m.id, self.domain)));
        if let Some(r) = &self.reply_to {
            builder = builder.reply_to(r.clone());
        }
        let body = MultiPart::alternative_plain_html(m.text.clone(), m.html.clone());
        let body = match &m.attachment {
            Some((name, ct, bytes)) => {
                let ct = ContentType::parse(ct).map_err(|e| permanent(e.to_string()))?;
                MultiPart::mixed().multipart(body).singlepart(Attachment::new(name.clone()).body(bytes.clone(), ct))
            }
            None => body,
        };
        builder.multipart(body).map_err(|e| permanent(e.to_string()))
    }
}

impl Mailer for SmtpMailer {
    fn send<'a>(&'a self, msg: &'a Outgoing) -> Pin<Box<dyn Future<Output = Result<(), SendError>> + Send + 'a>> {
        Box::pin(async move {
            let email = self.build(msg)?;
            self.transport
                .send(email)
                .await
                .map(|_| ())
                .map_err(|e| SendError { permanent: e.is_permanent(), message: e.to_string() })
        })
    }
}
