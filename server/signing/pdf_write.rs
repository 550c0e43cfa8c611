//! Writing a PDF incrementally: new and replaced objects appended after the
//! original bytes, with a cross-reference table or stream like the section it follows.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::pdf_read::Document;
use super::pdf_syntax::{Dict, Obj, name, write_dict, write_obj};

/// New and replaced objects appended after the original bytes, with their own
/// cross-reference section pointing back to the previous one.
pub struct Update<'d, 'a> {
    doc: &'d Document<'a>,
    next: u32,
    objects: Vec<(u32, Vec<u8>)>,
}

impl<'d, 'a> Update<'d, 'a> {
    /// An empty update to `doc`; new objects are numbered from its size.
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

    /// Sets object `num` to `o`.
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
