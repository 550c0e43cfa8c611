//! The few DER shapes the signature code builds and reads by hand: a
//! tag-length-value, and the TSTInfo a timestamp token signs. Shared by [`super::cms`]
//! and [`super::tsa`], which otherwise would import each other.

use chrono::{DateTime, NaiveDateTime, Utc};

/// DER of a tag-length-value.
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n.to_be_bytes().into_iter().skip_while(|b| *b == 0).collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

/// Reads one DER element: its tag, its content and what follows it.
pub fn read_tlv(b: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let tag = *b.first()?;
    let first = *b.get(1)?;
    let (len, head) = if first < 0x80 {
        (first as usize, 2)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | *b.get(2 + i)? as usize;
        }
        (len, 2 + n)
    };
    let end = head.checked_add(len)?;
    Some((tag, b.get(head..end)?, &b[end..]))
}

/// What a timestamp token says.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenInfo {
    /// When the authority stamped it.
    pub time: DateTime<Utc>,
    /// The hash it stamps (SHA-256 of the signature value).
    pub imprint: Vec<u8>,
    /// The nonce, as INTEGER content bytes.
    pub nonce: Option<Vec<u8>>,
}

/// Reads a TSTInfo (the content a timestamp token signs).
pub fn read_tst_info(der: &[u8]) -> Option<TokenInfo> {
    let (0x30, body, _) = read_tlv(der)? else { return None };
    let (_, _version, rest) = read_tlv(body)?;
    let (_, _policy, rest) = read_tlv(rest)?;
    let (0x30, imprint, rest) = read_tlv(rest)? else { return None };
    let (_, _alg, hashed) = read_tlv(imprint)?;
    let (0x04, hashed, _) = read_tlv(hashed)? else { return None };
    let (_, _serial, rest) = read_tlv(rest)?;
    let (0x18, gen_time, mut rest) = read_tlv(rest)? else { return None };
    let text = std::str::from_utf8(gen_time).ok()?;
    let time = NaiveDateTime::parse_from_str(text.get(..14)?, "%Y%m%d%H%M%S").ok()?.and_utc();
    let mut nonce = None;
    // accuracy (SEQUENCE), ordering (BOOLEAN), nonce (INTEGER), tsa [0], extensions [1].
    while let Some((tag, content, next)) = read_tlv(rest) {
        if tag == 0x02 {
            nonce = Some(content.to_vec());
        }
        rest = next;
    }
    Some(TokenInfo { time, imprint: hashed.to_vec(), nonce })
}
