//! PDF objects as the signer sees them: the values ([`Obj`], [`Dict`]), a parser that
//! reads one object from bytes and never panics on malformed input, and the writer
//! that puts an object back in PDF syntax; with text strings in and out.

/// A PDF object.
#[derive(Debug, Clone, PartialEq)]
pub enum Obj {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A real number.
    Real(f64),
    /// A name, without its `/` and with `#xx` escapes decoded.
    Name(Vec<u8>),
    /// A string's bytes, literal or hexadecimal, escapes decoded.
    Str(Vec<u8>),
    /// An array.
    Array(Vec<Obj>),
    /// A dictionary.
    Dict(Dict),
    /// An indirect reference: object number and generation.
    Ref(u32, u16),
    /// A stream, by its dictionary (its data is never needed to sign).
    Stream(Dict),
}

/// A dictionary, in file order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dict(pub Vec<(Vec<u8>, Obj)>);

impl Dict {
    /// The value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&Obj> {
        self.0.iter().find(|(k, _)| k == key.as_bytes()).map(|(_, v)| v)
    }

    /// Sets `key` to `value`, in place if present, else at the end.
    pub fn set(&mut self, key: &str, value: Obj) {
        match self.0.iter_mut().find(|(k, _)| k == key.as_bytes()) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key.as_bytes().to_vec(), value)),
        }
    }
}

impl Obj {
    /// The number as an integer (a real truncated).
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Obj::Int(i) => Some(*i),
            Obj::Real(r) => Some(*r as i64),
            _ => None,
        }
    }

    /// The number as a float.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Obj::Int(i) => Some(*i as f64),
            Obj::Real(r) => Some(*r),
            _ => None,
        }
    }

    /// The dictionary, or a stream's dictionary.
    pub fn as_dict(&self) -> Option<&Dict> {
        match self {
            Obj::Dict(d) | Obj::Stream(d) => Some(d),
            _ => None,
        }
    }

    /// The name's bytes.
    pub fn as_name(&self) -> Option<&[u8]> {
        match self {
            Obj::Name(n) => Some(n),
            _ => None,
        }
    }

    /// The string's bytes.
    pub fn as_str(&self) -> Option<&[u8]> {
        match self {
            Obj::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// Why a file could not be read as a PDF.
#[derive(Debug, thiserror::Error)]
#[error("PDF: {0}")]
pub struct PdfError(pub String);

pub(super) fn err<T>(msg: impl Into<String>) -> Result<T, PdfError> {
    Err(PdfError(msg.into()))
}

fn is_white(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0')
}

fn is_delim(c: u8) -> bool {
    matches!(c, b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%')
}

/// A cursor over the bytes of a file.
pub struct Parser<'a> {
    b: &'a [u8],
    /// Offset of the next byte to read.
    pub pos: usize,
    max_depth: usize,
}

const MAX_DEPTH: usize = 64;

impl<'a> Parser<'a> {
    /// A parser reading from offset `pos` of `b`.
    pub fn new(b: &'a [u8], pos: usize) -> Parser<'a> {
        Parser { b, pos, max_depth: MAX_DEPTH }
    }

    /// A parser that refuses objects nested deeper than `max_depth`: for looking at
    /// dictionaries of a known, flat shape without following whatever follows them.
    pub fn shallow(b: &'a [u8], pos: usize, max_depth: usize) -> Parser<'a> {
        Parser { b, pos, max_depth }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    pub(super) fn skip_ws(&mut self) {
        while let Some(c) = self.peek() {
            if is_white(c) {
                self.pos += 1;
            } else if c == b'%' {
                while let Some(c) = self.peek() {
                    if c == b'\n' || c == b'\r' {
                        break;
                    }
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    pub(super) fn word(&mut self) -> &'a [u8] {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if is_white(c) || is_delim(c) {
                break;
            }
            self.pos += 1;
        }
        &self.b[start..self.pos]
    }

    pub(super) fn eat(&mut self, token: &[u8]) -> bool {
        self.skip_ws();
        if self.b[self.pos.min(self.b.len())..].starts_with(token) {
            self.pos += token.len();
            true
        } else {
            false
        }
    }

    /// Reads one object; `n g R` becomes a reference.
    pub fn object(&mut self) -> Result<Obj, PdfError> {
        self.object_at_depth(0)
    }

    fn object_at_depth(&mut self, depth: usize) -> Result<Obj, PdfError> {
        if depth > self.max_depth {
            return err("objects nested too deeply");
        }
        self.skip_ws();
        let Some(c) = self.peek() else { return err("unexpected end of file") };
        match c {
            b'/' => {
                self.pos += 1;
                let raw = self.word();
                Ok(Obj::Name(unescape_name(raw)))
            }
            b'(' => self.literal_string().map(Obj::Str),
            b'<' if self.b.get(self.pos + 1) == Some(&b'<') => {
                self.pos += 2;
                let mut d = Dict::default();
                loop {
                    self.skip_ws();
                    if self.eat(b">>") {
                        break;
                    }
                    let key = match self.object_at_depth(depth + 1)? {
                        Obj::Name(n) => n,
                        _ => return err("a dictionary key is not a name"),
                    };
                    let value = self.object_at_depth(depth + 1)?;
                    d.0.push((key, value));
                }
                Ok(Obj::Dict(d))
            }
            b'<' => {
                self.pos += 1;
                let start = self.pos;
                while let Some(c) = self.peek() {
                    if c == b'>' {
                        break;
                    }
                    self.pos += 1;
                }
                let hex: Vec<u8> = self.b[start..self.pos].iter().copied().filter(|c| !is_white(*c)).collect();
                if !self.eat(b">") {
                    return err("unterminated hex string");
                }
                Ok(Obj::Str(unhex(&hex)))
            }
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_ws();
                    if self.eat(b"]") {
                        break;
                    }
                    if self.peek().is_none() {
                        return err("unterminated array");
                    }
                    items.push(self.object_at_depth(depth + 1)?);
                }
                Ok(Obj::Array(items))
            }
            _ => {
                let w = self.word();
                match w {
                    b"" => err(format!("unexpected byte {:?} at {}", c as char, self.pos)),
                    b"null" => Ok(Obj::Null),
                    b"true" => Ok(Obj::Bool(true)),
                    b"false" => Ok(Obj::Bool(false)),
                    _ => {
                        let s = std::str::from_utf8(w).map_err(|_| PdfError("bad number".into()))?;
                        if let Ok(i) = s.parse::<i64>() {
                            // `n g R`?
                            let save = self.pos;
                            self.skip_ws();
                            let g = self.word();
                            if let Ok(g) = std::str::from_utf8(g).unwrap_or("x").parse::<u16>() {
                                self.skip_ws();
                                if self.peek() == Some(b'R') {
                                    self.pos += 1;
                                    return Ok(Obj::Ref(i as u32, g));
                                }
                            }
                            self.pos = save;
                            Ok(Obj::Int(i))
                        } else if let Ok(r) = s.parse::<f64>() {
                            Ok(Obj::Real(r))
                        } else {
                            err(format!("unexpected token {s:?}"))
                        }
                    }
                }
            }
        }
    }

    fn literal_string(&mut self) -> Result<Vec<u8>, PdfError> {
        self.pos += 1;
        let mut out = Vec::new();
        let mut depth = 1;
        while let Some(c) = self.peek() {
            self.pos += 1;
            match c {
                b'(' => {
                    depth += 1;
                    out.push(c);
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(out);
                    }
                    out.push(c);
                }
                b'\\' => {
                    let Some(e) = self.peek() else { break };
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'\r' => {
                            if self.peek() == Some(b'\n') {
                                self.pos += 1;
                            }
                        }
                        b'\n' => {}
                        b'0'..=b'7' => {
                            let mut v = (e - b'0') as u32;
                            for _ in 0..2 {
                                match self.peek() {
                                    Some(d @ b'0'..=b'7') => {
                                        v = v * 8 + (d - b'0') as u32;
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push(v as u8);
                        }
                        other => out.push(other),
                    }
                }
                _ => out.push(c),
            }
        }
        err("unterminated string")
    }
}

fn unescape_name(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'#'
            && i + 2 < raw.len()
            && let Ok(v) = u8::from_str_radix(std::str::from_utf8(&raw[i + 1..i + 3]).unwrap_or("zz"), 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(raw[i]);
        i += 1;
    }
    out
}

fn unhex(hex: &[u8]) -> Vec<u8> {
    let val = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
    hex.chunks(2).map(|p| (val(p[0]) << 4) | p.get(1).map(|c| val(*c)).unwrap_or(0)).collect()
}

/// Writes `o` in PDF syntax. Strings are always hexadecimal: nothing to escape.
pub fn write_obj(out: &mut Vec<u8>, o: &Obj) {
    match o {
        Obj::Null => out.extend_from_slice(b"null"),
        Obj::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Obj::Int(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Obj::Real(r) => out.extend_from_slice(format!("{r:.4}").as_bytes()),
        Obj::Name(n) => write_name(out, n),
        Obj::Str(s) => {
            out.push(b'<');
            out.extend_from_slice(hex::encode_upper(s).as_bytes());
            out.push(b'>');
        }
        Obj::Array(items) => {
            out.push(b'[');
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                write_obj(out, it);
            }
            out.push(b']');
        }
        Obj::Dict(d) | Obj::Stream(d) => write_dict(out, d),
        Obj::Ref(n, g) => out.extend_from_slice(format!("{n} {g} R").as_bytes()),
    }
}

fn write_name(out: &mut Vec<u8>, n: &[u8]) {
    out.push(b'/');
    for &c in n {
        if c.is_ascii_graphic() && !is_delim(c) && c != b'#' {
            out.push(c);
        } else {
            out.extend_from_slice(format!("#{c:02X}").as_bytes());
        }
    }
}

/// Writes `d` in PDF syntax, keys in their order.
pub fn write_dict(out: &mut Vec<u8>, d: &Dict) {
    out.extend_from_slice(b"<<");
    for (k, v) in &d.0 {
        write_name(out, k);
        out.push(b' ');
        write_obj(out, v);
    }
    out.extend_from_slice(b">>");
}

/// A name object.
pub fn name(n: &str) -> Obj {
    Obj::Name(n.as_bytes().to_vec())
}

/// A text string: PDFDocEncoding for ASCII, UTF-16BE with a byte-order mark otherwise,
/// so viewers show Vietnamese exactly.
pub fn text(s: &str) -> Obj {
    if s.is_ascii() {
        return Obj::Str(s.as_bytes().to_vec());
    }
    let mut v = vec![0xFE, 0xFF];
    for u in s.encode_utf16() {
        v.extend_from_slice(&u.to_be_bytes());
    }
    Obj::Str(v)
}

/// Decodes a PDF text string (UTF-16BE with BOM, UTF-8 with BOM, or PDFDocEncoding ≈ Latin-1).
pub fn decode_text(b: &[u8]) -> String {
    if let Some(rest) = b.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest.chunks(2).map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])).collect();
        return String::from_utf16_lossy(&units);
    }
    if let Some(rest) = b.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    b.iter().map(|&c| c as char).collect()
}
