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
//! after the front's, and its link annotations and named destinations.
//! Anything in the body's catalog this does not know how to join is an
//! error, never dropped. Object numbers are assigned in order, so the same
//! parts give the same bytes.

use lopdf::{Dictionary, Document, Object, ObjectId, Stream};
use std::collections::BTreeMap;

/// The name the stamp takes in each body page's resources.
const STAMP: &[u8] = b"BriefCopyLine";

/// What a copy's front tells: its bytes and how many of its pages belong
/// to the copy (all but the stamp page).
pub struct Front {
    pub doc: Document,
    pub pages: usize,
}

impl Front {
    pub fn read(bytes: &[u8], stamped: bool) -> Result<Front, String> {
        let doc = Document::load_mem(bytes).map_err(|e| format!("cannot read the front: {e}"))?;
        let pages = doc.get_pages().len().saturating_sub(usize::from(stamped));
        Ok(Front { doc, pages })
    }
}

/// The body's PDF, read once and joined to every copy's front.
pub fn read_body(bytes: &[u8]) -> Result<Document, String> {
    Document::load_mem(bytes).map_err(|e| format!("cannot read the body: {e}"))
}

/// The copy: `front`'s pages, less its last (the stamp page) when
/// `stamped`, then `body`'s, each stamped.
pub fn assemble(front: Front, body: &Document, stamped: bool) -> Result<Vec<u8>, String> {
    // The body keeps its numbers (it is read once, for every copy); the
    // small front is numbered after it and gives the copy its catalog,
    // information, metadata and ID.
    let mut doc = body.clone();
    let body_root = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(e)?;
    let body_catalog = doc.get_dictionary(body_root).map_err(e)?.clone();
    let body_info = doc.trailer.get(b"Info").and_then(Object::as_reference).ok();
    let body_pages: Vec<ObjectId> = doc.page_iter().collect();
    let body_ids: Vec<ObjectId> = doc.objects.keys().copied().collect();
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
    let mut front_doc = front.doc;
    front_doc.renumber_objects_with(doc.max_id + 1);
    doc.max_id = front_doc.max_id;
    doc.trailer = front_doc.trailer.clone();
    doc.objects.append(&mut front_doc.objects);

    let pages_root = doc
        .catalog()
        .and_then(|c| c.get(b"Pages"))
        .and_then(Object::as_reference)
        .map_err(e)?;
    let stamp = if stamped {
        let page = doc
            .page_iter()
            .last()
            .ok_or("the front has no stamp page")?;
        Some(take_stamp(&mut doc, page, pages_root)?)
    } else {
        None
    };

    // Pages: the body's after the front's, each stamped.
    let body_pages_root = body_catalog
        .get(b"Pages")
        .and_then(Object::as_reference)
        .map_err(e)?;
    if let Some(stamp) = &stamp {
        let head = doc.add_object(Stream::new(Dictionary::new(), b"q\n".to_vec()));
        let draw = format!(
            "\nQ\n/Artifact<</Attached[/Bottom]/Subtype/Footer/Type/Pagination>>BDC q /{} Do Q EMC\n",
            String::from_utf8_lossy(STAMP)
        );
        let tail = doc.add_object(Stream::new(Dictionary::new(), draw.into_bytes()));
        for &page in &body_pages {
            add_stamp(&mut doc, page, stamp.xobject)?;
            let dict = doc.get_dictionary_mut(page).map_err(e)?;
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
        doc.get_dictionary_mut(page)
            .map_err(e)?
            .set("Parent", pages_root);
    }
    let tree = doc.get_dictionary_mut(pages_root).map_err(e)?;
    let mut kids = tree
        .get(b"Kids")
        .and_then(Object::as_array)
        .map_err(e)?
        .clone();
    kids.extend(body_pages.iter().map(|&p| Object::Reference(p)));
    tree.set("Count", kids.len() as i64);
    tree.set("Kids", kids);
    doc.objects.remove(&body_pages_root);

    let stamp_key = stamp.as_ref().and_then(|s| s.struct_parents);
    join_structure(&mut doc, &body_catalog, &body_ids, stamp_key)?;
    join_outlines(&mut doc, &body_catalog)?;
    join_names(&mut doc, &body_catalog)?;
    let pages = doc.get_pages().len();
    set_page_count(&mut doc, pages)?;

    doc.objects.remove(&body_root);
    if let Some(info) = body_info {
        doc.objects.remove(&info);
    }
    if let Ok(meta) = body_catalog.get(b"Metadata").and_then(Object::as_reference) {
        doc.objects.remove(&meta);
    }
    let mut out = Vec::new();
    doc.save_to(&mut out).map_err(|err| err.to_string())?;
    Ok(out)
}

fn e(err: lopdf::Error) -> String {
    err.to_string()
}

/// The stamp page, made a form XObject and taken out of the page tree.
struct StampPage {
    xobject: ObjectId,
    /// Its key in the parent tree, dropped with it.
    struct_parents: Option<i64>,
}

fn take_stamp(
    doc: &mut Document,
    page: ObjectId,
    pages_root: ObjectId,
) -> Result<StampPage, String> {
    let dict = doc.get_dictionary(page).map_err(e)?.clone();
    let content = doc.get_page_content(page).map_err(e)?;
    let mut form = Dictionary::new();
    form.set("Type", Object::Name(b"XObject".to_vec()));
    form.set("Subtype", Object::Name(b"Form".to_vec()));
    form.set("BBox", dict.get(b"MediaBox").map_err(e)?.clone());
    form.set("Resources", dict.get(b"Resources").map_err(e)?.clone());
    let mut stream = Stream::new(form, content);
    stream.compress().map_err(e)?;
    let xobject = doc.add_object(stream);
    // The page and its content streams go.
    for id in doc.get_page_contents(page) {
        doc.objects.remove(&id);
    }
    doc.objects.remove(&page);
    let tree = doc.get_dictionary_mut(pages_root).map_err(e)?;
    let mut kids = tree
        .get(b"Kids")
        .and_then(Object::as_array)
        .map_err(e)?
        .clone();
    kids.retain(|k| k.as_reference().ok() != Some(page));
    tree.set("Count", kids.len() as i64);
    tree.set("Kids", kids);
    Ok(StampPage {
        xobject,
        struct_parents: dict.get(b"StructParents").and_then(Object::as_i64).ok(),
    })
}

/// The stamp named among a body page's XObjects. Pages may share their
/// resources: every body page gets the same stamp, so a shared
/// dictionary is changed once for all.
fn add_stamp(doc: &mut Document, page: ObjectId, stamp: ObjectId) -> Result<(), String> {
    let stamp_ref = Object::Reference(stamp);
    let resources = doc
        .get_dictionary(page)
        .map_err(e)?
        .get(b"Resources")
        .ok()
        .cloned();
    let xobjects = |doc: &mut Document, res: &mut Dictionary| -> Result<(), String> {
        match res.get(b"XObject").ok().cloned() {
            Some(Object::Reference(id)) => {
                let x = doc.get_dictionary_mut(id).map_err(e)?;
                name_stamp(x, &stamp_ref)
            }
            Some(Object::Dictionary(mut x)) => {
                name_stamp(&mut x, &stamp_ref)?;
                res.set("XObject", x);
                Ok(())
            }
            _ => {
                let mut x = Dictionary::new();
                name_stamp(&mut x, &stamp_ref)?;
                res.set("XObject", x);
                Ok(())
            }
        }
    };
    match resources {
        Some(Object::Reference(id)) => {
            let mut res = doc.get_dictionary(id).map_err(e)?.clone();
            xobjects(doc, &mut res)?;
            doc.objects.insert(id, Object::Dictionary(res));
        }
        other => {
            let mut res = match other {
                Some(Object::Dictionary(d)) => d,
                _ => Dictionary::new(),
            };
            xobjects(doc, &mut res)?;
            doc.get_dictionary_mut(page)
                .map_err(e)?
                .set("Resources", res);
        }
    }
    Ok(())
}

fn name_stamp(xobjects: &mut Dictionary, stamp: &Object) -> Result<(), String> {
    match xobjects.get(STAMP) {
        Ok(o) if o != stamp => Err("a body page already names the stamp".into()),
        _ => {
            xobjects.set(STAMP, stamp.clone());
            Ok(())
        }
    }
}

fn resolved_dict(doc: &Document, o: &Object) -> Result<Dictionary, String> {
    doc.dereference(o)
        .and_then(|(_, o)| o.as_dict().cloned())
        .map_err(e)
}

/// The body's structure elements under the front's Document element, its
/// parent-tree keys after the front's, its IDs beside the front's.
fn join_structure(
    doc: &mut Document,
    body_catalog: &Dictionary,
    body_ids: &[ObjectId],
    stamp_key: Option<i64>,
) -> Result<(), String> {
    let front_root = doc
        .catalog()
        .and_then(|c| c.get(b"StructTreeRoot"))
        .and_then(Object::as_reference);
    let body_root = body_catalog
        .get(b"StructTreeRoot")
        .and_then(Object::as_reference);
    let (front_root, body_root) = match (front_root, body_root) {
        (Ok(f), Ok(b)) => (f, b),
        (Err(_), Err(_)) => return Ok(()),
        _ => return Err("one part is tagged and the other not".into()),
    };
    let front = doc.get_dictionary(front_root).map_err(e)?.clone();
    let body = doc.get_dictionary(body_root).map_err(e)?.clone();

    // Parent tree: the front's keys (less the stamp page's), then the
    // body's moved past them.
    let mut nums = flat_nums(doc, &front)?;
    if let Some(at) = nums.iter().position(|(k, _)| Some(*k) == stamp_key) {
        if let (_, Object::Reference(id)) = nums.remove(at) {
            doc.objects.remove(&id);
        }
    }
    let offset = front
        .get(b"ParentTreeNextKey")
        .and_then(Object::as_i64)
        .unwrap_or_else(|_| nums.last().map_or(0, |(k, _)| k + 1));
    let body_nums = flat_nums(doc, &body)?;
    let body_next = body
        .get(b"ParentTreeNextKey")
        .and_then(Object::as_i64)
        .unwrap_or_else(|_| body_nums.last().map_or(0, |(k, _)| k + 1));
    nums.extend(body_nums.into_iter().map(|(k, v)| (k + offset, v)));
    for id in body_ids {
        let d = match doc.objects.get_mut(id) {
            Some(Object::Dictionary(d)) => d,
            Some(Object::Stream(s)) => &mut s.dict,
            _ => continue,
        };
        {
            for key in [b"StructParents".as_slice(), b"StructParent".as_slice()] {
                if let Ok(n) = d.get(key).and_then(Object::as_i64) {
                    d.set(key, n + offset);
                }
            }
        }
    }

    // Elements: the body's top ones join the front's Document element (or
    // the root's kids, when either part has none).
    let kids = |d: &Dictionary| -> Vec<Object> {
        match d.get(b"K") {
            Ok(Object::Array(a)) => a.clone(),
            Ok(o) => vec![o.clone()],
            Err(_) => Vec::new(),
        }
    };
    let document_of = |doc: &Document, root: &Dictionary| -> Option<ObjectId> {
        match kids(root).as_slice() {
            [Object::Reference(id)] => {
                let d = doc.get_dictionary(*id).ok()?;
                (d.get(b"S").and_then(Object::as_name).ok() == Some(b"Document".as_slice()))
                    .then_some(*id)
            }
            _ => None,
        }
    };
    let (parent, moved) = match (document_of(doc, &front), document_of(doc, &body)) {
        (Some(f), Some(b)) => {
            let moved = kids(doc.get_dictionary(b).map_err(e)?);
            doc.objects.remove(&b);
            (f, moved)
        }
        _ => (front_root, kids(&body)),
    };
    for kid in &moved {
        if let Ok(id) = kid.as_reference()
            && let Ok(d) = doc.get_dictionary_mut(id)
            && d.has(b"P")
        {
            d.set("P", Object::Reference(parent));
        }
    }
    let mut joined = kids(doc.get_dictionary(parent).map_err(e)?);
    joined.extend(moved);

    // IDs: the body's beside the front's; one the front has already is
    // renamed (in its element too).
    let mut ids = flat_names(doc, front.get(b"IDTree").ok())?;
    for (name, target) in flat_names(doc, body.get(b"IDTree").ok())? {
        let mut unique = name.clone();
        let mut n = 2;
        while ids.contains_key(&unique) {
            unique = [name.as_slice(), format!(" ({n})").as_bytes()].concat();
            n += 1;
        }
        if unique != name
            && let Ok(id) = target.as_reference()
            && let Ok(d) = doc.get_dictionary_mut(id)
        {
            d.set("ID", Object::string_literal(unique.clone()));
        }
        ids.insert(unique, target);
    }

    let mut root = front;
    if parent == front_root {
        root.set("K", joined);
    } else {
        doc.get_dictionary_mut(parent).map_err(e)?.set("K", joined);
    }
    let mut tree = Dictionary::new();
    tree.set(
        "Nums",
        nums.into_iter()
            .flat_map(|(k, v)| [Object::Integer(k), v])
            .collect::<Vec<_>>(),
    );
    root.set("ParentTree", tree);
    root.set("ParentTreeNextKey", offset + body_next);
    if !ids.is_empty() {
        let mut tree = Dictionary::new();
        tree.set(
            "Names",
            ids.into_iter()
                .flat_map(|(k, v)| [Object::string_literal(k), v])
                .collect::<Vec<_>>(),
        );
        root.set("IDTree", tree);
    }
    for key in [b"RoleMap".as_slice(), b"ClassMap".as_slice()] {
        if let Ok(theirs) = body.get(key) {
            let mut merged = match root.get(key) {
                Ok(ours) => resolved_dict(doc, ours)?,
                Err(_) => Dictionary::new(),
            };
            for (k, v) in resolved_dict(doc, theirs)?.into_iter() {
                if !merged.has(&k) {
                    merged.set(k, v);
                }
            }
            root.set(key, merged);
        }
    }
    for key in body.as_hashmap().keys() {
        let known: &[&[u8]] = &[
            b"Type",
            b"K",
            b"ParentTree",
            b"ParentTreeNextKey",
            b"IDTree",
            b"RoleMap",
            b"ClassMap",
        ];
        if !known.contains(&key.as_slice()) {
            return Err(format!(
                "the body's structure tree has /{}, which is not joined",
                String::from_utf8_lossy(key)
            ));
        }
    }
    doc.objects.insert(front_root, Object::Dictionary(root));
    doc.objects.remove(&body_root);
    Ok(())
}

/// A number tree's pairs, in order (one level: Typst writes no kids).
fn flat_nums(doc: &Document, root: &Dictionary) -> Result<Vec<(i64, Object)>, String> {
    let Ok(tree) = root.get(b"ParentTree") else {
        return Ok(Vec::new());
    };
    let tree = resolved_dict(doc, tree)?;
    if tree.has(b"Kids") {
        return Err("a parent tree with kids is not joined".into());
    }
    let nums = tree.get(b"Nums").and_then(Object::as_array).map_err(e)?;
    let mut out = Vec::new();
    for pair in nums.chunks(2) {
        if let [k, v] = pair {
            out.push((k.as_i64().map_err(e)?, v.clone()));
        }
    }
    Ok(out)
}

/// A name tree's pairs (one level), by name.
fn flat_names(doc: &Document, tree: Option<&Object>) -> Result<BTreeMap<Vec<u8>, Object>, String> {
    let Some(tree) = tree else {
        return Ok(BTreeMap::new());
    };
    let tree = resolved_dict(doc, tree)?;
    if tree.has(b"Kids") {
        return Err("a name tree with kids is not joined".into());
    }
    let mut out = BTreeMap::new();
    if let Ok(names) = tree.get(b"Names").and_then(Object::as_array) {
        for pair in names.chunks(2) {
            if let [k, v] = pair {
                out.insert(k.as_str().map_err(e)?.to_vec(), v.clone());
            }
        }
    }
    Ok(out)
}

/// The body's outline entries after the front's, at the top level.
fn join_outlines(doc: &mut Document, body_catalog: &Dictionary) -> Result<(), String> {
    let Ok(body) = body_catalog.get(b"Outlines").and_then(Object::as_reference) else {
        return Ok(());
    };
    let front = doc
        .catalog()
        .and_then(|c| c.get(b"Outlines"))
        .and_then(Object::as_reference);
    let Ok(front) = front else {
        doc.catalog_mut().map_err(e)?.set("Outlines", body);
        return Ok(());
    };
    let b = doc.get_dictionary(body).map_err(e)?.clone();
    let (Ok(first), Ok(last)) = (
        b.get(b"First").and_then(Object::as_reference),
        b.get(b"Last").and_then(Object::as_reference),
    ) else {
        doc.objects.remove(&body);
        return Ok(());
    };
    let f = doc.get_dictionary(front).map_err(e)?.clone();
    let count = |d: &Dictionary| d.get(b"Count").and_then(Object::as_i64).unwrap_or(0).max(0);
    let mut item = Some(first);
    while let Some(id) = item {
        let d = doc.get_dictionary_mut(id).map_err(e)?;
        d.set("Parent", front);
        item = d.get(b"Next").and_then(Object::as_reference).ok();
    }
    let mut root = f.clone();
    match f.get(b"Last").and_then(Object::as_reference) {
        Ok(front_last) => {
            doc.get_dictionary_mut(front_last)
                .map_err(e)?
                .set("Next", first);
            doc.get_dictionary_mut(first)
                .map_err(e)?
                .set("Prev", front_last);
        }
        Err(_) => root.set("First", first),
    }
    root.set("Last", last);
    root.set("Count", count(&f) + count(&b));
    doc.objects.insert(front, Object::Dictionary(root));
    doc.objects.remove(&body);
    Ok(())
}

/// The body's named destinations beside the front's.
fn join_names(doc: &mut Document, body_catalog: &Dictionary) -> Result<(), String> {
    let Ok(names) = body_catalog.get(b"Names") else {
        return Ok(());
    };
    let body = resolved_dict(doc, names)?;
    for key in body.as_hashmap().keys() {
        if key.as_slice() != b"Dests" {
            return Err(format!(
                "the body's names have /{}, which are not joined",
                String::from_utf8_lossy(key)
            ));
        }
    }
    let mut front = match doc.catalog().map_err(e)?.get(b"Names") {
        Ok(n) => resolved_dict(doc, n)?,
        Err(_) => Dictionary::new(),
    };
    let mut dests = flat_names(doc, front.get(b"Dests").ok())?;
    for (name, dest) in flat_names(doc, body.get(b"Dests").ok())? {
        if dests.contains_key(&name) {
            return Err(format!(
                "both parts name the destination {:?}",
                String::from_utf8_lossy(&name)
            ));
        }
        dests.insert(name, dest);
    }
    let mut tree = Dictionary::new();
    tree.set(
        "Names",
        dests
            .into_iter()
            .flat_map(|(k, v)| [Object::string_literal(k), v])
            .collect::<Vec<_>>(),
    );
    front.set("Dests", tree);
    doc.catalog_mut().map_err(e)?.set("Names", front);
    Ok(())
}

/// The XMP metadata's page count (`xmpTPg:NPages`) made the copy's.
fn set_page_count(doc: &mut Document, pages: usize) -> Result<(), String> {
    let Ok(meta) = doc
        .catalog()
        .and_then(|c| c.get(b"Metadata"))
        .and_then(Object::as_reference)
    else {
        return Ok(());
    };
    let stream = doc
        .get_object_mut(meta)
        .and_then(Object::as_stream_mut)
        .map_err(e)?;
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
