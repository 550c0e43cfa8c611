//! Just enough PDF to sign one: find a file's objects with hayro-syntax (classic
//! tables, cross-reference and object streams, damaged files), parse the few
//! dictionaries signing changes into values it can edit, and append an incremental
//! update — with a table or a cross-reference stream, like the section it follows.
//! Reading never panics on malformed input; it says why.

use std::collections::HashMap;
use std::fmt::Write as _;

/// A PDF object.
#[derive(Debug, Clone, PartialEq)]
pub enum Obj {
    Null,
    Bool(bool),
    Int(i64),
    Real(f64),
    Name(Vec<u8>),
    Str(Vec<u8>),
    Array(Vec<Obj>),
    Dict(Dict),
    Ref(u32, u16),
    /// A stream, by its dictionary (its data is never needed to sign).
    Stream(Dict),
}

/// A dictionary, in file order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dict(pub Vec<(Vec<u8>, Obj)>);

impl Dict {
    pub fn get(&self, key: &str) -> Option<&Obj> {
        self.0.iter().find(|(k, _)| k == key.as_bytes()).map(|(_, v)| v)
    }

    pub fn set(&mut self, key: &str, value: Obj) {
        match self.0.iter_mut().find(|(k, _)| k == key.as_bytes()) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key.as_bytes().to_vec(), value)),
        }
    }
}

impl Obj {
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Obj::Int(i) => Some(*i),
            Obj::Real(r) => Some(*r as i64),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Obj::Int(i) => Some(*i as f64),
            Obj::Real(r) => Some(*r),
            _ => None,
        }
    }

    pub fn as_dict(&self) -> Option<&Dict> {
        match self {
            Obj::Dict(d) | Obj::Stream(d) => Some(d),
            _ => None,
        }
    }

    pub fn as_name(&self) -> Option<&[u8]> {
        match self {
            Obj::Name(n) => Some(n),
            _ => None,
        }
    }

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

fn err<T>(msg: impl Into<String>) -> Result<T, PdfError> {
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
    pub pos: usize,
    max_depth: usize,
}

const MAX_DEPTH: usize = 64;

impl<'a> Parser<'a> {
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

    fn skip_ws(&mut self) {
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

    fn word(&mut self) -> &'a [u8] {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if is_white(c) || is_delim(c) {
                break;
            }
            self.pos += 1;
        }
        &self.b[start..self.pos]
    }

    fn eat(&mut self, token: &[u8]) -> bool {
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

/// A parsed file: its bytes, its objects (found by hayro-syntax, which reads
/// classic tables, cross-reference streams, object streams and damaged files), and
/// the newest trailer.
pub struct Document<'a> {
    pub bytes: &'a [u8],
    objects: hayro_syntax::Pdf,
    pub trailer: Dict,
    pub startxref: usize,
    /// The newest cross-reference section is a stream: an update must add one too.
    pub xref_stream: bool,
}

/// The offset after the last `startxref`.
fn find_startxref(b: &[u8]) -> Result<usize, PdfError> {
    let tail_from = b.len().saturating_sub(2048);
    let at = memchr::memmem::rfind(&b[tail_from..], b"startxref").ok_or_else(|| PdfError("no startxref".into()))?;
    let mut p = Parser::new(b, tail_from + at + 9);
    match p.object()? {
        Obj::Int(i) if i >= 0 && (i as usize) < b.len() => Ok(i as usize),
        _ => err("startxref does not point into the file"),
    }
}

impl<'a> Document<'a> {
    pub fn parse(bytes: &'a [u8]) -> Result<Document<'a>, PdfError> {
        let startxref = find_startxref(bytes)?;
        let mut p = Parser::new(bytes, startxref);
        let (trailer, xref_stream) = if p.eat(b"xref") {
            // Past the table to its trailer: subsections of fixed 20-byte entries.
            loop {
                p.skip_ws();
                if p.eat(b"trailer") {
                    break;
                }
                let (Obj::Int(start), Obj::Int(count)) = (p.object()?, p.object()?) else {
                    return err("bad cross-reference subsection");
                };
                if start < 0 || !(0..=10_000_000).contains(&count) {
                    return err("bad cross-reference subsection");
                }
                for _ in 0..count * 3 {
                    p.skip_ws();
                    p.word();
                }
            }
            let Obj::Dict(t) = p.object()? else { return err("trailer is not a dictionary") };
            (t, false)
        } else {
            // A cross-reference stream: its dictionary is the trailer.
            let (Obj::Int(_), Obj::Int(_)) = (p.object()?, p.object()?) else {
                return err("startxref points at neither a table nor a stream");
            };
            if !p.eat(b"obj") {
                return err("startxref points at neither a table nor a stream");
            }
            match p.object()? {
                Obj::Dict(d) if d.get("Type").and_then(Obj::as_name) == Some(b"XRef") => (d, true),
                _ => return err("startxref points at neither a table nor a stream"),
            }
        };
        if trailer.get("Encrypt").is_some() {
            return err("encrypted files cannot be signed");
        }
        let objects = hayro_syntax::Pdf::new(std::sync::Arc::new(bytes.to_vec()))
            .map_err(|e| PdfError(format!("unreadable: {e:?}")))?;
        Ok(Document { bytes, objects, trailer, startxref, xref_stream })
    }

    /// The highest object number plus one.
    pub fn size(&self) -> u32 {
        let from_trailer = self.trailer.get("Size").and_then(Obj::as_int).unwrap_or(0).clamp(0, 8_388_607) as u32;
        from_trailer.max(self.objects.len().min(8_388_607) as u32)
    }

    /// Object `num` of generation 0.
    pub fn get(&self, num: u32) -> Result<Obj, PdfError> {
        self.get_gen(num, 0)
    }

    /// Object `num` of generation `generation`, wherever it is stored (in the file or
    /// in an object stream). Dictionaries and arrays are read from their own bytes.
    fn get_gen(&self, num: u32, generation: u16) -> Result<Obj, PdfError> {
        use hayro_syntax::object::{Object, ObjectIdentifier};
        let id = ObjectIdentifier::new(num.min(i32::MAX as u32) as i32, i32::from(generation));
        let parse = |raw: &[u8]| Parser::new(raw, 0).object();
        match self.objects.xref().get::<Object<'_>>(id) {
            None => err(format!("object {num} is missing")),
            Some(Object::Null(_)) => Ok(Obj::Null),
            Some(Object::Boolean(b)) => Ok(Obj::Bool(b)),
            Some(Object::Number(n)) => {
                let v = n.as_f64();
                Ok(if v.fract() == 0.0 && v.abs() < 9e15 { Obj::Int(v as i64) } else { Obj::Real(v) })
            }
            Some(Object::String(s)) => Ok(Obj::Str(s.as_ref().to_vec())),
            Some(Object::Name(n)) => Ok(Obj::Name(n.as_ref().to_vec())),
            Some(Object::Dict(d)) => parse(d.data()),
            Some(Object::Array(a)) => parse(a.data()),
            Some(Object::Stream(s)) => match parse(s.dict().data())? {
                Obj::Dict(d) => Ok(Obj::Stream(d)),
                _ => err(format!("object {num} is a stream without a dictionary")),
            },
        }
    }

    /// Follows a reference; other objects are returned as they are.
    pub fn resolve(&self, o: &Obj) -> Result<Obj, PdfError> {
        match o {
            Obj::Ref(n, g) => self.get_gen(*n, *g),
            other => Ok(other.clone()),
        }
    }

    /// The catalog's object number and dictionary.
    pub fn catalog(&self) -> Result<(u32, Dict), PdfError> {
        let Some(Obj::Ref(n, _)) = self.trailer.get("Root") else { return err("no document catalog") };
        match self.get(*n)? {
            Obj::Dict(d) => Ok((*n, d)),
            _ => err("the catalog is not a dictionary"),
        }
    }

    /// Page objects in order: (object number, dictionary).
    pub fn pages(&self) -> Result<Vec<(u32, Dict)>, PdfError> {
        let (_, cat) = self.catalog()?;
        let Some(Obj::Ref(root, _)) = cat.get("Pages") else { return err("no page tree") };
        let mut out = Vec::new();
        let mut stack = vec![*root];
        let mut visited = 0;
        while let Some(n) = stack.pop() {
            visited += 1;
            if visited > 100_000 {
                return err("page tree too large or cyclic");
            }
            let Obj::Dict(d) = self.get(n)? else { return err("page tree node is not a dictionary") };
            match d.get("Type").and_then(Obj::as_name) {
                Some(b"Pages") => {
                    if let Some(Obj::Array(kids)) = d.get("Kids") {
                        for k in kids.iter().rev() {
                            if let Obj::Ref(r, _) = k {
                                stack.push(*r);
                            }
                        }
                    }
                }
                _ => out.push((n, d)),
            }
        }
        Ok(out)
    }
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

/// New and replaced objects appended after the original bytes, with their own
/// cross-reference section pointing back to the previous one.
pub struct Update<'d, 'a> {
    doc: &'d Document<'a>,
    next: u32,
    objects: Vec<(u32, Vec<u8>)>,
}

impl<'d, 'a> Update<'d, 'a> {
    pub fn new(doc: &'d Document<'a>) -> Self {
        Update { doc, next: doc.size(), objects: Vec::new() }
    }

    /// Reserves an object number.
    pub fn reserve(&mut self) -> u32 {
        let n = self.next;
        self.next += 1;
        n
    }

    /// Sets the body of object `num` (new or replacing an old one).
    pub fn put(&mut self, num: u32, body: Vec<u8>) {
        self.objects.retain(|(n, _)| *n != num);
        self.objects.push((num, body));
    }

    pub fn put_obj(&mut self, num: u32, o: &Obj) {
        let mut b = Vec::new();
        write_obj(&mut b, o);
        self.put(num, b);
    }

    /// A stream object with `dict` (its /Length is set here) and `data`.
    pub fn put_stream(&mut self, num: u32, mut dict: Dict, data: &[u8]) {
        dict.set("Length", Obj::Int(data.len() as i64));
        let mut b = Vec::new();
        write_dict(&mut b, &dict);
        b.extend_from_slice(b"\nstream\n");
        b.extend_from_slice(data);
        b.extend_from_slice(b"\nendstream");
        self.put(num, b);
    }

    /// The whole new file, and where each new object starts in it.
    pub fn finish(mut self) -> (Vec<u8>, HashMap<u32, usize>) {
        let mut out = self.doc.bytes.to_vec();
        if !out.ends_with(b"\n") {
            out.push(b'\n');
        }
        self.objects.sort_by_key(|(n, _)| *n);
        let mut at = HashMap::new();
        for (n, body) in &self.objects {
            at.insert(*n, out.len());
            out.extend_from_slice(format!("{n} 0 obj\n").as_bytes());
            out.extend_from_slice(body);
            out.extend_from_slice(b"\nendobj\n");
        }
        let xref = out.len();
        // A file whose newest section is a stream gets a stream, which lists itself.
        let stream_num = self.doc.xref_stream.then(|| self.reserve());
        let mut nums: Vec<u32> = self.objects.iter().map(|(n, _)| *n).collect();
        if let Some(n) = stream_num {
            at.insert(n, xref);
            nums.push(n);
        }
        // One subsection per run of consecutive numbers.
        let mut runs = Vec::new();
        let mut i = 0;
        while i < nums.len() {
            let mut j = i;
            while j + 1 < nums.len() && nums[j + 1] == nums[j] + 1 {
                j += 1;
            }
            runs.push(&nums[i..=j]);
            i = j + 1;
        }
        let mut trailer = Dict::default();
        trailer.set("Size", Obj::Int(self.next as i64));
        for key in ["Root", "Info", "ID"] {
            if let Some(v) = self.doc.trailer.get(key) {
                trailer.set(key, v.clone());
            }
        }
        trailer.set("Prev", Obj::Int(self.doc.startxref as i64));
        match stream_num {
            Some(n) => {
                // Uncompressed entries: type 1, an 8-byte offset, generation 0.
                let mut data = Vec::with_capacity(nums.len() * 11);
                let mut index = Vec::new();
                for run in &runs {
                    index.extend([Obj::Int(i64::from(run[0])), Obj::Int(run.len() as i64)]);
                    for num in *run {
                        data.push(1);
                        data.extend_from_slice(&(at[num] as u64).to_be_bytes());
                        data.extend_from_slice(&[0, 0]);
                    }
                }
                trailer.set("Type", name("XRef"));
                trailer.set("W", Obj::Array(vec![Obj::Int(1), Obj::Int(8), Obj::Int(2)]));
                trailer.set("Index", Obj::Array(index));
                trailer.set("Length", Obj::Int(data.len() as i64));
                out.extend_from_slice(format!("{n} 0 obj\n").as_bytes());
                write_dict(&mut out, &trailer);
                out.extend_from_slice(b"\nstream\n");
                out.extend_from_slice(&data);
                out.extend_from_slice(b"\nendstream\nendobj\n");
            }
            None => {
                let mut table = String::from("xref\n0 1\n0000000000 65535 f \n");
                for run in &runs {
                    let _ = writeln!(table, "{} {}", run[0], run.len());
                    for num in *run {
                        // Each entry is exactly 20 bytes, ending in space + newline.
                        table.push_str(&format!("{:010} 00000 n \n", at[num]));
                    }
                }
                out.extend_from_slice(table.as_bytes());
                out.extend_from_slice(b"trailer\n");
                write_dict(&mut out, &trailer);
            }
        }
        out.extend_from_slice(format!("\nstartxref\n{xref}\n%%EOF\n").as_bytes());
        if let Some(n) = stream_num {
            at.remove(&n);
        }
        (out, at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_read_back_as_written() {
        let src = b"<</A [1 2.5 (a\\(b\\)) <414243> /N#20x 3 0 R true null] /B<</C -4>>>>";
        let o = Parser::new(src, 0).object().unwrap();
        let d = o.as_dict().unwrap();
        let Obj::Array(a) = d.get("A").unwrap() else { panic!() };
        assert_eq!(a[2], Obj::Str(b"a(b)".to_vec()));
        assert_eq!(a[3], Obj::Str(b"ABC".to_vec()));
        assert_eq!(a[4], Obj::Name(b"N x".to_vec()));
        assert_eq!(a[5], Obj::Ref(3, 0));
        let mut out = Vec::new();
        write_obj(&mut out, &o);
        assert_eq!(Parser::new(&out, 0).object().unwrap(), o);
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_parse_to_an_error_or_a_document_never_a_panic(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2048),
            tokens in proptest::collection::vec(
                proptest::sample::select(vec![
                    "<<", ">>", "[", "]", "(", ")", "/N", "1 0 obj", "endobj", "1 0 R", "xref\n0 2\n", "trailer",
                    "startxref\n0\n%%EOF", "stream\n", "endstream", "/ByteRange [0 1 2 3]", "/Contents <00>",
                    "%PDF-1.7\n", "9999999999", "-1", "\\", "#", "/Type /XRef /W [1 2 1] /Index [0 3]",
                    "/Type /ObjStm /N 2 /First 8", "/Filter /FlateDecode", "/XRefStm 0", "/Prev 0",
                ]),
                0..64,
            ),
        ) {
            let _ = Document::parse(&bytes);
            let _ = Parser::new(&bytes, 0).object();
            let joined = tokens.concat();
            let _ = Document::parse(joined.as_bytes());
            let _ = Parser::new(joined.as_bytes(), 0).object();
            let _ = crate::signing::verify(joined.as_bytes(), &crate::signing::keys::TrustStore::default());
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn a_damaged_libreoffice_file_is_an_error_or_a_document_never_a_panic(
            flips in proptest::collection::vec((0usize..31_172, proptest::prelude::any::<u8>()), 1..16),
            cut in 0usize..31_172,
        ) {
            let mut bytes = include_bytes!("../../tests/fixtures/libreoffice/phu-luc.pdf").to_vec();
            for (at, b) in flips {
                if let Some(slot) = bytes.get_mut(at) {
                    *slot = b;
                }
            }
            for candidate in [&bytes[..], &bytes[..cut.min(bytes.len())]] {
                if let Ok(doc) = Document::parse(candidate) {
                    let _ = doc.pages();
                    let _ = doc.catalog();
                }
                let _ = crate::signing::verify(candidate, &crate::signing::keys::TrustStore::default());
            }
        }
    }

    #[test]
    fn a_file_made_of_signature_lookalikes_reports_at_most_the_cap() {
        let trust = crate::signing::keys::TrustStore::default();
        let dicts = b"1 0 obj << /ByteRange [0 1 2 3] >>\nendobj\n".repeat(20_000);
        let reports = crate::signing::verify(&dicts, &trust);
        assert_eq!(reports.len(), crate::signing::MAX_SIGNATURES);
        assert!(reports.iter().all(|r| !r.intact && r.problem.is_some()));
        assert!(crate::signing::verify(&b"/ByteRange ".repeat(50_000), &trust).is_empty());
        for hostile in [&b"<< /A [1 2 3] /ByteRange "[..], b"<< /ByteRange (", b"<< /ByteRange <0"] {
            assert!(crate::signing::verify(&hostile.repeat(20_000), &trust).len() <= crate::signing::MAX_SIGNATURES);
        }
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for b in [&b""[..], b"%PDF-1.7\n", b"startxref\n99999\n%%EOF", b"<<", b"[[[[", b"(unterminated", b"xref\n0 1"] {
            let _ = Document::parse(b);
            let _ = Parser::new(b, 0).object();
        }
        let deep = "[".repeat(10_000);
        assert!(Parser::new(deep.as_bytes(), 0).object().is_err());
    }

    #[test]
    fn vietnamese_text_strings_are_utf16_with_a_bom() {
        let Obj::Str(b) = text("Phê duyệt") else { panic!() };
        assert_eq!(&b[..2], &[0xFE, 0xFF]);
        assert_eq!(decode_text(&b), "Phê duyệt");
        assert_eq!(decode_text(b"plain"), "plain");
    }
}
