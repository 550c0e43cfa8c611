//! Times as signatures carry and show them: ISO 8601 and PDF dates, in Vietnam (UTC+7).

use chrono::{DateTime, FixedOffset, Utc};

/// `2024-12-20T09:15:30+07:00`: a time as printed and shown in Vietnam.
pub fn iso_vn(t: DateTime<Utc>) -> String {
    let vn = FixedOffset::east_opt(7 * 3600).expect("UTC+7");
    t.with_timezone(&vn).format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// PDF date string: `D:20241220091530+07'00'`.
pub fn pdf_date(t: DateTime<Utc>) -> String {
    let vn = FixedOffset::east_opt(7 * 3600).expect("UTC+7");
    t.with_timezone(&vn).format("D:%Y%m%d%H%M%S+07'00'").to_string()
}
