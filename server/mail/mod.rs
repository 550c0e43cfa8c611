//! E-mail: rendering messages from `templates/email/` and sending them over SMTP
//! (lettre only here). Messages are stored in the outbox before they are sent;
//! see `services::outbox`.

mod templates;
mod transport;

pub use templates::{Rendered, render};
pub use transport::{Mailer, Outgoing, Recording, SendError, SmtpMailer};

/// Whether `s` is a mailbox ("Name <address>" or an address).
pub fn valid_mailbox(s: &str) -> bool {
    s.parse::<lettre::message::Mailbox>().is_ok()
}
