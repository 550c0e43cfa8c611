//! RFC 3161 timestamps (PAdES B-T): the SHA-256 of a signature value is sent to a
//! timestamp authority, whose signed token goes into the signature's unsigned
//! attributes, so the time of signing rests on a third party, not the server clock.
//!
//! The request is plain HTTP/1.1 over `std::net` (timestamp authorities serve
//! `http://`; the token is signed, so the channel needs no secrecy), bounded in time
//! and size. The answer is checked: status granted, the token's imprint is the hash
//! sent and its nonce the nonce sent.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use sha2::{Digest, Sha256};

use super::der::{read_tlv, read_tst_info, tlv};

/// Largest answer read from a timestamp authority.
const MAX_REPLY: u64 = 256 * 1024;
/// DER of the SHA-256 algorithm identifier (with NULL parameters).
const SHA256_ALG: &[u8] = &[0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00];

/// Why no timestamp could be had.
#[derive(Debug, thiserror::Error)]
#[error("Không lấy được dấu thời gian từ {url}: {reason} / no timestamp from {url}: {reason}")]
pub struct TsaError {
    /// The authority asked.
    pub url: String,
    /// What went wrong.
    pub reason: String,
}

/// A timestamp authority.
#[derive(Debug, Clone)]
pub struct Tsa {
    /// `http://host[:port]/path`.
    pub url: String,
    /// How long to wait to connect, and for each read and write.
    pub timeout: Duration,
}

/// The positive INTEGER content of `n`.
fn integer(n: u64) -> Vec<u8> {
    let mut bytes: Vec<u8> = n.to_be_bytes().into_iter().skip_while(|b| *b == 0).collect();
    if bytes.first().is_none_or(|b| *b >= 0x80) {
        bytes.insert(0, 0);
    }
    bytes
}

impl Tsa {
    fn fail(&self, reason: impl Into<String>) -> TsaError {
        TsaError { url: self.url.clone(), reason: reason.into() }
    }

    /// A timestamp token (CMS ContentInfo, DER) over SHA-256 of `signature`.
    pub fn stamp(&self, signature: &[u8]) -> Result<Vec<u8>, TsaError> {
        use aes_gcm::aead::rand_core::RngCore;
        let imprint = Sha256::digest(signature).to_vec();
        let nonce = integer(aes_gcm::aead::OsRng.next_u64() >> 1);
        let message_imprint = tlv(0x30, &[SHA256_ALG, &tlv(0x04, &imprint)].concat());
        let request = tlv(0x30, &[tlv(0x02, &[1]), message_imprint, tlv(0x02, &nonce), tlv(0x01, &[0xff])].concat());
        let reply = self.post(&request)?;
        let (0x30, body, _) =
            read_tlv(&reply).ok_or_else(|| self.fail("câu trả lời không đọc được / unreadable answer"))?
        else {
            return Err(self.fail("câu trả lời không đọc được / unreadable answer"));
        };
        let (_, status, rest) = read_tlv(body).ok_or_else(|| self.fail("thiếu trạng thái / no status"))?;
        let (_, code, _) = read_tlv(status).ok_or_else(|| self.fail("thiếu trạng thái / no status"))?;
        // 0 granted, 1 granted with modifications.
        if !matches!(code, [0] | [1]) {
            return Err(self.fail(format!("bị từ chối, mã {code:?} / refused, status {code:?}")));
        }
        let (_, _, after) = read_tlv(rest).ok_or_else(|| self.fail("không có dấu thời gian / no token"))?;
        let token = rest[..rest.len() - after.len()].to_vec();
        let info = super::cms::timestamp_content(&token)
            .and_then(|c| read_tst_info(&c))
            .ok_or_else(|| self.fail("dấu thời gian không đọc được / unreadable token"))?;
        if info.imprint != imprint || info.nonce.as_deref() != Some(&nonce[..]) {
            return Err(self.fail("dấu thời gian không khớp yêu cầu / the token does not match the request"));
        }
        Ok(token)
    }

    fn post(&self, body: &[u8]) -> Result<Vec<u8>, TsaError> {
        let rest = self
            .url
            .strip_prefix("http://")
            .ok_or_else(|| self.fail("chỉ hỗ trợ http:// / only http:// is supported"))?;
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let target = if authority.contains(':') { authority.to_owned() } else { format!("{authority}:80") };
        let addr = target
            .to_socket_addrs()
            .ok()
            .and_then(|mut a| a.next())
            .ok_or_else(|| self.fail(format!("không tìm thấy máy chủ {authority} / unknown host {authority}")))?;
        let io = |e: std::io::Error| self.fail(e.to_string());
        let mut s = TcpStream::connect_timeout(&addr, self.timeout).map_err(io)?;
        s.set_read_timeout(Some(self.timeout)).map_err(io)?;
        s.set_write_timeout(Some(self.timeout)).map_err(io)?;
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/timestamp-query\r\nAccept: application/timestamp-reply\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        s.write_all(head.as_bytes()).and_then(|_| s.write_all(body)).map_err(io)?;
        let mut reply = Vec::new();
        s.take(MAX_REPLY).read_to_end(&mut reply).map_err(io)?;
        let split = memchr::memmem::find(&reply, b"\r\n\r\n")
            .ok_or_else(|| self.fail("câu trả lời HTTP hỏng / broken HTTP answer"))?;
        let head = String::from_utf8_lossy(&reply[..split]).to_ascii_lowercase();
        let status = head.split_whitespace().nth(1).unwrap_or("");
        if status != "200" {
            return Err(self.fail(format!("HTTP {status}")));
        }
        let payload = &reply[split + 4..];
        if head.contains("transfer-encoding: chunked") {
            return dechunk(payload).ok_or_else(|| self.fail("câu trả lời HTTP hỏng / broken HTTP answer"));
        }
        Ok(payload.to_vec())
    }
}

/// The body of a chunked HTTP answer.
fn dechunk(mut b: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = memchr::memmem::find(b, b"\r\n")?;
        let size_text = std::str::from_utf8(&b[..line_end]).ok()?.split(';').next()?.trim();
        let size = usize::from_str_radix(size_text, 16).ok()?;
        b = &b[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(b.get(..size)?);
        b = b.get(size + 2..)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_minimal_and_positive_and_chunked_bodies_join() {
        assert_eq!(integer(0), vec![0]);
        assert_eq!(integer(0x7f), vec![0x7f]);
        assert_eq!(integer(0x80), vec![0, 0x80]);
        assert_eq!(integer(0x0102), vec![1, 2]);
        assert_eq!(dechunk(b"3\r\nabc\r\n2;x=1\r\nde\r\n0\r\n\r\n").unwrap(), b"abcde");
        assert!(dechunk(b"9\r\nabc").is_none());
        assert!(read_tlv(&[0x30, 0x85, 1, 1, 1, 1, 1]).is_none(), "no lengths beyond 4 bytes");
    }
}
