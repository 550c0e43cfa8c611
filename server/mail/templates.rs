//! Message templates (minijinja), compiled into the binary. Each template has three
//! blocks: the subject, the text body, and the HTML body (escaped with autoescape).

use std::sync::OnceLock;

use minijinja::Environment;
use serde::Serialize;

/// A rendered message.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    /// One line.
    pub subject: String,
    /// Plain text.
    pub text: String,
    /// HTML, every value escaped.
    pub html: String,
}

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
        env.add_template("document.j2", include_str!("../../templates/email/document.j2")).expect("document.j2 parses");
        env.add_template("reminder.j2", include_str!("../../templates/email/reminder.j2")).expect("reminder.j2 parses");
        env.add_template("key_expiry.j2", include_str!("../../templates/email/key_expiry.j2"))
            .expect("key_expiry.j2 parses");
        env.add_template("follow_up.j2", include_str!("../../templates/email/follow_up.j2"))
            .expect("follow_up.j2 parses");
        env.add_template("account_link.j2", include_str!("../../templates/email/account_link.j2"))
            .expect("account_link.j2 parses");
        env
    })
}

/// Renders the three blocks of `template` ("document.j2", "reminder.j2") with `ctx`.
pub fn render(template: &str, ctx: impl Serialize) -> Result<Rendered, minijinja::Error> {
    let tmpl = env().get_template(template)?;
    let mut captured = tmpl.render_captured(minijinja::value::Serde(ctx))?;
    let mut block = |name: &str| captured.with_state_mut(|s| s.render_block(name));
    let subject = block("subject")?.split_whitespace().collect::<Vec<_>>().join(" ");
    let text = block("text")?.trim().to_owned() + "\n";
    let html = block("html")?.trim().to_owned();
    Ok(Rendered { subject, text, html })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_in_html_only_and_the_subject_is_one_line() {
        let r = render(
            "reminder.j2",
            serde_json::json!({
                "unit": "Phòng <Tài chính> & Kế hoạch", "issuer": "UBND huyện", "date": "05/12/2024",
                "tasks": [{"code": "1.1", "text": "Thu <b>NSNN</b>", "deadline": "15/12/2024", "when": "còn 3 ngày"}]
            }),
        )
        .unwrap();
        assert_eq!(
            r.subject,
            "Nhắc hạn nhiệm vụ trọng tâm ngày 05/12/2024: 1 nhiệm vụ của Phòng <Tài chính> & Kế hoạch"
        );
        assert!(r.text.contains("Thu <b>NSNN</b>"));
        assert!(r.html.contains("Thu &lt;b&gt;NSNN&lt;&#x2f;b&gt;"), "{}", r.html);
        assert!(r.html.contains("Phòng &lt;Tài chính&gt; &amp; Kế hoạch"));
        assert!(!r.html.contains("<b>NSNN"));
    }
}
