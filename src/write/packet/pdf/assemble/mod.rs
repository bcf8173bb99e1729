//! Puts one copy of a packet's PDF together from its two typeset parts:
//! the copy's own *front* (cover, letter and, for an addressed copy, a
//! last "stamp" page whose only ink is its copy line) and the *body* every
//! copy of one language shares (contents, briefs, appendices), typeset
//! once per packet (`write::packet::pdf`). The front's pages come first,
//! then the body's, each with the stamp page drawn over it as a form
//! XObject, so every page of the copy carries its copy line.
//!
//! The copy is the front's document (its catalog, metadata, language,
//! information and ID); the body's pages join it with their tags (its
//! structure elements under the front's Document element, its
//! parent-tree entries renumbered after the front's), its outline entries
//! after the front's, and its link annotations and named destinations
//! ([`tags`]). Anything in the body's catalog this does not know how to
//! join is an error, never dropped. The body is written once; a copy
//! reuses the bytes of every body object it does not change ([`layers`]).
//! Object numbers are assigned in order, so the same parts give the same
//! bytes.

mod layers;
mod tags;

use layers::{Layers, e};
use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

pub use layers::Written;

/// The name the stamp takes in each body page's resources.
const STAMP: &[u8] = b"BriefCopyLine";

/// A copy's front, read: how many of its pages belong to the copy (all
/// but the stamp page).
pub struct Front {
    doc: Document,
    pub pages: usize,
}

impl Front {
    pub fn read(bytes: &[u8], stamped: bool) -> Result<Front, String> {
        let doc = Document::load_mem(bytes).map_err(|e| format!("cannot read the front: {e}"))?;
        let pages = doc.get_pages().len().saturating_sub(usize::from(stamped));
        Ok(Front { doc, pages })
    }
}

/// The body's PDF, read and written once for every copy's front.
pub fn read_body(bytes: &[u8]) -> Result<(Document, Written), String> {
    let mut doc = Document::load_mem(bytes).map_err(|e| format!("cannot read the body: {e}"))?;
    let written = Written::of(&mut doc)?;
    Ok((doc, written))
}

/// The copy: `front`'s pages, less its last (the stamp page) when
/// `stamped`, then `body`'s, each stamped.
pub fn assemble(
    front: Front,
    body: &crate::packet::Body,
    stamped: bool,
) -> Result<Vec<u8>, String> {
    let (written, spans, body) = (&body.written, &body.spans, &body.pdf);
    let body_root = body
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(e)?;
    let body_catalog = body.get_dictionary(body_root).map_err(e)?.clone();
    for key in body_catalog.as_hashmap().keys() {
        let known: &[&[u8]] = &[
            b"Type",
            b"Pages",
            b"StructTreeRoot",
            b"Outlines",
            b"Names",
            b"Lang",
            b"MarkInfo",
            b"ViewerPreferences",
            b"Metadata",
            b"OutputIntents",
            b"PageMode",
        ];
        if !known.contains(&key.as_slice()) {
            return Err(format!(
                "the body's catalog has /{}, which is not joined",
                String::from_utf8_lossy(key)
            ));
        }
    }
    // The body keeps its numbers; the small front is numbered after them.
    let mut top = front.doc;
    top.renumber_objects_with(body.max_id + 1);
    let mut doc = Layers::new(body, written, spans, top);
    let body_pages: Vec<ObjectId> = body.page_iter().collect();

    let catalog = doc.catalog_id()?;
    let pages_root = doc
        .dict(catalog)?
        .get(b"Pages")
        .and_then(Object::as_reference)
        .map_err(e)?;
    let stamp = if stamped {
        let page = doc
            .top
            .page_iter()
            .last()
            .ok_or("the front has no stamp page")?;
        Some(take_stamp(&mut doc, page, pages_root)?)
    } else {
        None
    };

    // Pages: the body's after the front's, each stamped.
    if let Some(stamp) = &stamp {
        let head = doc.add(Stream::new(Dictionary::new(), b"q\n".to_vec()));
        let draw = format!(
            "\nQ\n/Artifact<</Attached[/Bottom]/Subtype/Footer/Type/Pagination>>BDC q /{} Do Q EMC\n",
            String::from_utf8_lossy(STAMP)
        );
        let tail = doc.add(Stream::new(Dictionary::new(), draw.into_bytes()));
        for &page in &body_pages {
            add_stamp(&mut doc, page, stamp.xobject)?;
            let dict = doc.dict_mut(page)?;
            let mut parts = vec![Object::Reference(head)];
            match dict.get(b"Contents").ok().cloned() {
                Some(Object::Array(items)) => parts.extend(items),
                Some(one) => parts.push(one),
                None => {}
            }
            parts.push(Object::Reference(tail));
            dict.set("Contents", parts);
        }
    }
    for &page in &body_pages {
        doc.dict_mut(page)?.set("Parent", pages_root);
    }
    let pages = edit_kids(&mut doc, pages_root, |kids| {
        kids.extend(body_pages.iter().map(|&p| Object::Reference(p)))
    })?;
    doc.remove(
        body_catalog
            .get(b"Pages")
            .and_then(Object::as_reference)
            .map_err(e)?,
    );

    let stamp_key = stamp.as_ref().and_then(|s| s.struct_parents);
    tags::join_structure(&mut doc, &body_catalog, stamp_key)?;
    tags::join_outlines(&mut doc, &body_catalog)?;
    tags::join_names(&mut doc, &body_catalog)?;
    set_page_count(&mut doc, pages)?;

    doc.remove(body_root);
    if let Ok(info) = body.trailer.get(b"Info").and_then(Object::as_reference) {
        doc.remove(info);
    }
    if let Ok(meta) = body_catalog.get(b"Metadata").and_then(Object::as_reference) {
        doc.remove(meta);
    }
    doc.write()
}

/// The stamp page, made a form XObject and taken out of the page tree.
struct StampPage {
    xobject: ObjectId,
    /// Its key in the parent tree, dropped with it.
    struct_parents: Option<i64>,
}

fn take_stamp(doc: &mut Layers, page: ObjectId, pages_root: ObjectId) -> Result<StampPage, String> {
    let dict = doc.dict(page)?.clone();
    let content = doc.top.get_page_content(page).map_err(e)?;
    // A stamp page holds only the copy line, an artifact: a page with
    // tagged content is a page of the copy a template failed to end with
    // the stamp page, and must not be dropped.
    if content.windows(5).any(|w| w == b"/MCID") {
        return Err(
            "the front's last page is not a stamp page: an addressed copy's front must end with the page marked <copy-stamp>"
                .into(),
        );
    }
    let mut form = Dictionary::new();
    form.set("Type", Object::Name(b"XObject".to_vec()));
    form.set("Subtype", Object::Name(b"Form".to_vec()));
    form.set("BBox", dict.get(b"MediaBox").map_err(e)?.clone());
    form.set("Resources", dict.get(b"Resources").map_err(e)?.clone());
    let mut stream = Stream::new(form, content);
    stream.compress().map_err(e)?;
    let xobject = doc.add(stream);
    // The page and its content streams go.
    for id in doc.top.get_page_contents(page) {
        doc.remove(id);
    }
    doc.remove(page);
    edit_kids(doc, pages_root, |kids| {
        kids.retain(|k| k.as_reference().ok() != Some(page))
    })?;
    Ok(StampPage {
        xobject,
        struct_parents: dict.get(b"StructParents").and_then(Object::as_i64).ok(),
    })
}

/// The page tree's kids changed by `edit`, and its count with them; how
/// many there are now.
fn edit_kids(
    doc: &mut Layers,
    pages_root: ObjectId,
    edit: impl FnOnce(&mut Vec<Object>),
) -> Result<usize, String> {
    let tree = doc.dict_mut(pages_root)?;
    let mut kids = tree
        .get(b"Kids")
        .and_then(Object::as_array)
        .map_err(e)?
        .clone();
    edit(&mut kids);
    let count = kids.len();
    tree.set("Count", count as i64);
    tree.set("Kids", kids);
    Ok(count)
}

/// The stamp named among a body page's XObjects. Pages may share their
/// resources: every body page gets the same stamp, so a shared
/// dictionary is changed once for all.
fn add_stamp(doc: &mut Layers, page: ObjectId, stamp: ObjectId) -> Result<(), String> {
    let stamp = Object::Reference(stamp);
    let name = |x: &mut Dictionary| -> Result<(), String> {
        match x.get(STAMP) {
            Ok(o) if *o != stamp => Err("a body page already names the stamp".into()),
            _ => {
                x.set(STAMP, stamp.clone());
                Ok(())
            }
        }
    };
    // The dictionary holding the XObject names: the page's resources,
    // inline or an object of their own.
    let resources = doc.dict(page)?.get(b"Resources").ok().cloned();
    let (holder, mut res) = match resources {
        Some(Object::Reference(id)) => (Some(id), doc.dict(id)?.clone()),
        Some(Object::Dictionary(d)) => (None, d),
        _ => (None, Dictionary::new()),
    };
    match res.get(b"XObject").ok().cloned() {
        Some(Object::Reference(id)) => return name(doc.dict_mut(id)?),
        Some(Object::Dictionary(mut x)) => {
            name(&mut x)?;
            res.set("XObject", x);
        }
        _ => {
            let mut x = Dictionary::new();
            name(&mut x)?;
            res.set("XObject", x);
        }
    }
    match holder {
        Some(id) => *doc.dict_mut(id)? = res,
        None => doc.dict_mut(page)?.set("Resources", res),
    }
    Ok(())
}

/// The XMP metadata's page count (`xmpTPg:NPages`) made the copy's.
fn set_page_count(doc: &mut Layers, pages: usize) -> Result<(), String> {
    let catalog = doc.catalog_id()?;
    let Ok(meta) = doc
        .dict(catalog)?
        .get(b"Metadata")
        .and_then(Object::as_reference)
    else {
        return Ok(());
    };
    let stream = doc.get_mut(meta)?.as_stream_mut().map_err(e)?;
    let xml = stream.get_plain_content().map_err(e)?;
    let text = String::from_utf8(xml).map_err(|_| "the XMP metadata is not UTF-8".to_string())?;
    let (open, close) = ("<xmpTPg:NPages>", "</xmpTPg:NPages>");
    let Some(start) = text.find(open).map(|i| i + open.len()) else {
        return Ok(());
    };
    let Some(end) = text[start..].find(close).map(|i| i + start) else {
        return Err("the XMP page count is not closed".into());
    };
    let fixed = format!("{}{pages}{}", &text[..start], &text[end..]);
    stream.set_plain_content(fixed.into_bytes());
    Ok(())
}
