//! A copy as the shared body with the copy's own objects laid over it:
//! the front's objects (numbered after the body's) and every body object
//! the copy changes (copied on first change). Nothing of the body is
//! cloned or written again but those: [`Layers::write`] copies the bytes
//! of the body's other objects as the body was written once
//! ([`Written`]), and writes the rest.

use lopdf::{Dictionary, Document, Object, ObjectId};
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

pub(super) fn e(err: lopdf::Error) -> String {
    err.to_string()
}

/// A document as lopdf wrote it, with where each object's bytes lie.
#[derive(Debug)]
pub struct Written {
    pub bytes: Vec<u8>,
    /// Object number → its `N G obj … endobj` bytes in `bytes`.
    pub spans: BTreeMap<u32, Range<usize>>,
}

impl Written {
    /// `doc` written (classic cross-reference table, every object at top
    /// level), and its objects found through that table.
    pub fn of(doc: &mut Document) -> Result<Written, String> {
        let mut bytes = Vec::new();
        doc.save_to(&mut bytes).map_err(|err| err.to_string())?;
        let spans = spans(&bytes)?;
        Ok(Written { bytes, spans })
    }
}

/// Each object's byte range, from the last cross-reference table: from its
/// offset to the next object's (or the table's).
fn spans(bytes: &[u8]) -> Result<BTreeMap<u32, Range<usize>>, String> {
    let bad = || "cannot read the cross-reference table it wrote".to_string();
    let tail = &bytes[bytes.len().saturating_sub(64)..];
    let tail = std::str::from_utf8(tail).map_err(|_| bad())?;
    let xref: usize = tail
        .rsplit("startxref")
        .next()
        .and_then(|t| t.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .ok_or_else(bad)?;
    let table = std::str::from_utf8(bytes.get(xref..).ok_or_else(bad)?).map_err(|_| bad())?;
    let mut lines = table.lines();
    if lines.next().map(str::trim) != Some("xref") {
        return Err(bad());
    }
    let mut offsets: Vec<(usize, u32)> = Vec::new();
    while let Some(line) = lines.next() {
        let line = line.trim();
        if line.starts_with("trailer") {
            break;
        }
        let mut head = line.split_whitespace();
        let (Some(Ok(first)), Some(Ok(count))) = (
            head.next().map(str::parse::<u32>),
            head.next().map(str::parse::<u32>),
        ) else {
            return Err(bad());
        };
        for n in first..first + count {
            let entry = lines.next().ok_or_else(bad)?;
            let mut f = entry.split_whitespace();
            let (Some(offset), Some(_), Some(kind)) = (f.next(), f.next(), f.next()) else {
                return Err(bad());
            };
            if kind == "n" {
                offsets.push((offset.parse().map_err(|_| bad())?, n));
            }
        }
    }
    offsets.sort_unstable();
    let mut spans = BTreeMap::new();
    for (i, &(start, n)) in offsets.iter().enumerate() {
        let end = offsets.get(i + 1).map_or(xref, |&(next, _)| next);
        spans.insert(n, start..end);
    }
    Ok(spans)
}

/// The body (read only) under the copy's own objects.
pub struct Layers<'a> {
    pub base: &'a Document,
    base_bytes: &'a [u8],
    base_spans: &'a BTreeMap<u32, Range<usize>>,
    pub top: Document,
    gone: BTreeSet<ObjectId>,
}

impl<'a> Layers<'a> {
    /// `top` over `base`, which was written as `base_bytes`, its objects
    /// at `base_spans` ([`Written`]).
    pub fn new(
        base: &'a Document,
        base_bytes: &'a [u8],
        base_spans: &'a BTreeMap<u32, Range<usize>>,
        top: Document,
    ) -> Layers<'a> {
        Layers {
            base,
            base_bytes,
            base_spans,
            top,
            gone: BTreeSet::new(),
        }
    }

    pub fn get(&self, id: ObjectId) -> Result<&Object, String> {
        if self.gone.contains(&id) {
            return Err(format!("object {} was removed", id.0));
        }
        self.top
            .objects
            .get(&id)
            .or_else(|| self.base.objects.get(&id))
            .ok_or_else(|| format!("object {} is missing", id.0))
    }

    /// A dictionary object (a stream's dictionary too).
    pub fn dict(&self, id: ObjectId) -> Result<&Dictionary, String> {
        match self.get(id)? {
            Object::Stream(s) => Ok(&s.dict),
            o => o.as_dict().map_err(e),
        }
    }

    /// The object, copied into the copy's layer the first time.
    pub fn get_mut(&mut self, id: ObjectId) -> Result<&mut Object, String> {
        if !self.top.objects.contains_key(&id) {
            let object = self.get(id)?.clone();
            self.top.objects.insert(id, object);
        }
        Ok(self.top.objects.get_mut(&id).expect("just inserted"))
    }

    pub fn dict_mut(&mut self, id: ObjectId) -> Result<&mut Dictionary, String> {
        match self.get_mut(id)? {
            Object::Stream(s) => Ok(&mut s.dict),
            o => o.as_dict_mut().map_err(e),
        }
    }

    /// `o`, or what it refers to.
    pub fn deref<'b>(&'b self, o: &'b Object) -> Result<&'b Object, String> {
        match o {
            Object::Reference(id) => self.get(*id),
            o => Ok(o),
        }
    }

    pub fn deref_dict(&self, o: &Object) -> Result<Dictionary, String> {
        self.deref(o)?.as_dict().cloned().map_err(e)
    }

    pub fn add(&mut self, object: impl Into<Object>) -> ObjectId {
        self.top.add_object(object)
    }

    pub fn remove(&mut self, id: ObjectId) {
        self.top.objects.remove(&id);
        self.gone.insert(id);
    }

    /// The catalog (the front's).
    pub fn catalog_id(&self) -> Result<ObjectId, String> {
        self.top
            .trailer
            .get(b"Root")
            .and_then(Object::as_reference)
            .map_err(e)
    }

    /// The copy: the body's bytes for every body object the copy left as
    /// it was, the copy's own objects written anew, one cross-reference
    /// table, the front's trailer.
    pub fn write(mut self) -> Result<Vec<u8>, String> {
        for id in &self.gone {
            self.top.objects.remove(id);
        }
        let max = self.top.max_id.max(self.base.max_id);
        self.top.max_id = max;
        let own = Written::of(&mut self.top)?;
        let header_end = own.spans.values().map(|r| r.start).min().unwrap_or(0);
        let mut out = Vec::with_capacity(self.base_bytes.len() + own.bytes.len());
        out.extend_from_slice(&own.bytes[..header_end]);
        let mut offsets: Vec<Option<usize>> = vec![None; max as usize + 1];
        for n in 1..=max {
            let span = if let Some(span) = own.spans.get(&n) {
                &own.bytes[span.clone()]
            } else if !self.gone.contains(&(n, 0))
                && let Some(span) = self.base_spans.get(&n)
            {
                &self.base_bytes[span.clone()]
            } else {
                continue;
            };
            offsets[n as usize] = Some(out.len());
            out.extend_from_slice(span);
        }
        let xref = out.len();
        out.extend_from_slice(format!("xref\n0 {}\n", max + 1).as_bytes());
        for (n, offset) in offsets.iter().enumerate() {
            let entry = match offset {
                Some(at) if n > 0 => format!("{at:010} 00000 n\r\n"),
                _ => "0000000000 65535 f\r\n".to_string(),
            };
            out.extend_from_slice(entry.as_bytes());
        }
        // The front's trailer, as lopdf wrote it (its /Size is the copy's).
        let text = &own.bytes;
        let start = find_last(text, b"trailer").ok_or("the copy's trailer is missing")?;
        let end = find_last(text, b"startxref").ok_or("the copy's trailer is missing")?;
        out.extend_from_slice(&text[start..end]);
        out.extend_from_slice(format!("startxref\n{xref}\n%%EOF").as_bytes());
        Ok(out)
    }
}

fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}
