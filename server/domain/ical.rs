//! iCalendar (RFC 5545) text for deadline feeds: all-day events with alarms. Text
//! values are escaped (backslash, semicolon, comma, newline) and lines folded at 75
//! octets without splitting a character.

use chrono::{DateTime, NaiveDate, Utc};

/// One all-day event.
#[derive(Debug, Clone)]
pub struct Event {
    /// Stable id (the same task gives the same event in every download).
    pub uid: String,
    /// The day.
    pub date: NaiveDate,
    /// The title.
    pub summary: String,
    /// The details.
    pub description: String,
    /// Where to open it.
    pub url: String,
    /// Alarms: days before the day (0: 08:00 on the day itself).
    pub alarms_days_before: Vec<i64>,
    /// When it last changed.
    pub stamp: DateTime<Utc>,
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Appends `line` folded at 75 octets, CRLF-terminated.
fn push_folded(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

/// A whole calendar named `name` holding `events`.
pub fn calendar(name: &str, events: &[Event]) -> String {
    let mut out = String::new();
    let mut line = |s: String| push_folded(&mut out, &s);
    line("BEGIN:VCALENDAR".into());
    line("VERSION:2.0".into());
    line("PRODID:-//nhiemvu//Han nhiem vu//VI".into());
    line("CALSCALE:GREGORIAN".into());
    line("METHOD:PUBLISH".into());
    line(format!("X-WR-CALNAME:{}", escape(name)));
    line("X-WR-TIMEZONE:Asia/Ho_Chi_Minh".into());
    for e in events {
        line("BEGIN:VEVENT".into());
        line(format!("UID:{}", escape(&e.uid)));
        line(format!("DTSTAMP:{}", e.stamp.format("%Y%m%dT%H%M%SZ")));
        line(format!("DTSTART;VALUE=DATE:{}", e.date.format("%Y%m%d")));
        line(format!("DTEND;VALUE=DATE:{}", e.date.succ_opt().unwrap_or(e.date).format("%Y%m%d")));
        line(format!("SUMMARY:{}", escape(&e.summary)));
        line(format!("DESCRIPTION:{}", escape(&e.description)));
        line(format!("URL:{}", e.url));
        line("TRANSP:TRANSPARENT".into());
        for d in &e.alarms_days_before {
            line("BEGIN:VALARM".into());
            line("ACTION:DISPLAY".into());
            line(format!("DESCRIPTION:{}", escape(&e.summary)));
            line(if *d <= 0 { "TRIGGER:PT8H".into() } else { format!("TRIGGER:-P{d}D") });
            line("END:VALARM".into());
        }
        line("END:VEVENT".into());
    }
    line("END:VCALENDAR".into());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_long_lines_fold_between_characters() {
        let e = Event {
            uid: "t1@nhiemvu".into(),
            date: NaiveDate::from_ymd_opt(2025, 12, 15).unwrap(),
            summary: "1.1; Trồng rừng, chăm sóc\nrừng".into(),
            description: "Đơn vị chủ trì: Phòng Nông nghiệp và Môi trường — hạn 15/12/2025, còn nhiều việc phải làm"
                .into(),
            url: "https://example.vn/tasks/1".into(),
            alarms_days_before: vec![7, 0],
            stamp: DateTime::from_timestamp(0, 0).unwrap(),
        };
        let cal = calendar("Hạn nhiệm vụ", &[e]);
        assert!(cal.contains("SUMMARY:1.1\\; Trồng rừng\\, chăm sóc\\nrừng\r\n"));
        assert!(cal.contains("DTSTART;VALUE=DATE:20251215\r\nDTEND;VALUE=DATE:20251216\r\n"));
        assert!(cal.contains("TRIGGER:-P7D\r\n") && cal.contains("TRIGGER:PT8H\r\n"));
        for l in cal.split("\r\n") {
            assert!(l.len() <= 75, "{l:?} is {} octets", l.len());
        }
        let unfolded = cal.replace("\r\n ", "");
        assert!(unfolded.contains("DESCRIPTION:Đơn vị chủ trì: Phòng Nông nghiệp và Môi trường — hạn 15/12/2025\\, còn nhiều việc phải làm\r\n"));
    }
}
