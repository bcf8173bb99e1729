//! What joins the body's tagged structure, outline and names to the
//! front's. In the structure it is the front that moves, since its
//! objects are the copy's own already while the body's are shared and
//! left as written: the front's elements go first into the body's
//! Document element, its parent-tree keys after the body's (its pages'
//! keys with them), its element IDs beside the body's (renamed where they
//! clash). The body's outline entries follow the front's; its named
//! destinations join the front's. Typst writes flat trees (no kids): a
//! tree with kids is an error here, never half joined.

use super::layers::{Layers, e};
use lopdf::{Dictionary, Object, ObjectId};
use std::collections::BTreeMap;

pub(super) fn join_structure(
    doc: &mut Layers,
    body_catalog: &Dictionary,
    stamp_key: Option<i64>,
) -> Result<(), String> {
    let catalog = doc.catalog_id()?;
    let front_root = doc
        .dict(catalog)?
        .get(b"StructTreeRoot")
        .and_then(Object::as_reference);
    let body_root = body_catalog
        .get(b"StructTreeRoot")
        .and_then(Object::as_reference);
    let (front_root, body_root) = match (front_root, body_root) {
        (Ok(f), Ok(b)) => (f, b),
        (Err(_), Err(_)) => return Ok(()),
        _ => return Err("one part is tagged and the other not".into()),
    };
    let front = doc.dict(front_root)?.clone();
    let body = doc.dict(body_root)?.clone();
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

    // Parent tree: the body's keys as they are, then the front's (less
    // the stamp page's) moved past them.
    let mut front_nums = flat_nums(doc, &front)?;
    if let Some(at) = front_nums.iter().position(|(k, _)| Some(*k) == stamp_key)
        && let (_, Object::Reference(id)) = front_nums.remove(at)
    {
        doc.remove(id);
    }
    let next_key = |root: &Dictionary, nums: &[(i64, Object)]| {
        root.get(b"ParentTreeNextKey")
            .and_then(Object::as_i64)
            .unwrap_or_else(|_| nums.last().map_or(0, |(k, _)| k + 1))
    };
    let mut nums = flat_nums(doc, &body)?;
    let offset = next_key(&body, &nums);
    let front_next = next_key(&front, &front_nums);
    nums.extend(front_nums.into_iter().map(|(k, v)| (k + offset, v)));
    let keyed: Vec<ObjectId> = doc
        .top
        .objects
        .iter()
        .filter(|(id, o)| {
            let d = match o {
                Object::Dictionary(d) => d,
                Object::Stream(s) => &s.dict,
                _ => return false,
            };
            !doc.base.objects.contains_key(id)
                && (d.has(b"StructParents") || d.has(b"StructParent"))
        })
        .map(|(id, _)| *id)
        .collect();
    for id in keyed {
        let d = doc.dict_mut(id)?;
        for key in [b"StructParents".as_slice(), b"StructParent".as_slice()] {
            if let Ok(n) = d.get(key).and_then(Object::as_i64) {
                d.set(key, n + offset);
            }
        }
    }

    // Elements: the front's top ones go first into the body's Document
    // element (or the root's kids, when either part has none).
    let (parent, moved) = match (document_of(doc, &body), document_of(doc, &front)) {
        (Some(b), Some(f)) => {
            let moved = kids(doc.dict(f)?);
            doc.remove(f);
            (b, moved)
        }
        _ => (body_root, kids(&front)),
    };
    for kid in &moved {
        if let Ok(id) = kid.as_reference()
            && doc.dict(id).is_ok_and(|d| d.has(b"P"))
        {
            doc.dict_mut(id)?.set("P", Object::Reference(parent));
        }
    }
    let mut joined = moved;
    joined.extend(if parent == body_root {
        kids(&body)
    } else {
        kids(doc.dict(parent)?)
    });

    // IDs: the front's beside the body's; one the body has already is
    // renamed in the front (in its element too).
    let mut ids = flat_names(doc, body.get(b"IDTree").ok())?;
    for (name, target) in flat_names(doc, front.get(b"IDTree").ok())? {
        let mut unique = name.clone();
        let mut n = 2;
        while ids.contains_key(&unique) {
            unique = [name.as_slice(), format!(" ({n})").as_bytes()].concat();
            n += 1;
        }
        if unique != name
            && let Ok(id) = target.as_reference()
        {
            doc.dict_mut(id)?
                .set("ID", Object::string_literal(unique.clone()));
        }
        ids.insert(unique, target);
    }

    // The joined root takes the front's place (the catalog names it).
    let mut root = body.clone();
    if parent == body_root {
        root.set("K", joined);
    } else {
        doc.dict_mut(parent)?.set("K", joined);
        doc.dict_mut(parent)?
            .set("P", Object::Reference(front_root));
    }
    let mut tree = Dictionary::new();
    tree.set(
        "Nums",
        nums.into_iter()
            .flat_map(|(k, v)| [Object::Integer(k), v])
            .collect::<Vec<_>>(),
    );
    root.set("ParentTree", tree);
    root.set("ParentTreeNextKey", offset + front_next);
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
        if let Ok(theirs) = front.get(key) {
            let mut merged = match body.get(key) {
                Ok(ours) => doc.deref_dict(ours)?,
                Err(_) => Dictionary::new(),
            };
            for (k, v) in doc.deref_dict(theirs)? {
                if !merged.has(&k) {
                    merged.set(k, v);
                }
            }
            root.set(key, merged);
        }
    }
    *doc.dict_mut(front_root)? = root;
    // Elements whose parent was the body's root now have the joined root.
    if parent == body_root {
        for kid in kids(doc.dict(front_root)?) {
            if let Ok(id) = kid.as_reference()
                && doc
                    .dict(id)
                    .is_ok_and(|d| d.get(b"P").ok() == Some(&Object::Reference(body_root)))
            {
                doc.dict_mut(id)?.set("P", Object::Reference(front_root));
            }
        }
    }
    doc.remove(body_root);
    Ok(())
}

/// A structure element's kids, as an array.
fn kids(d: &Dictionary) -> Vec<Object> {
    match d.get(b"K") {
        Ok(Object::Array(a)) => a.clone(),
        Ok(o) => vec![o.clone()],
        Err(_) => Vec::new(),
    }
}

/// The root's one Document element, if that is what it holds.
fn document_of(doc: &Layers, root: &Dictionary) -> Option<ObjectId> {
    match kids(root).as_slice() {
        [Object::Reference(id)] => {
            let d = doc.dict(*id).ok()?;
            (d.get(b"S").and_then(Object::as_name).ok() == Some(b"Document".as_slice()))
                .then_some(*id)
        }
        _ => None,
    }
}

/// A number tree's pairs, in order.
fn flat_nums(doc: &Layers, root: &Dictionary) -> Result<Vec<(i64, Object)>, String> {
    let Ok(tree) = root.get(b"ParentTree") else {
        return Ok(Vec::new());
    };
    let tree = doc.deref_dict(tree)?;
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

/// A name tree's pairs, by name.
fn flat_names(doc: &Layers, tree: Option<&Object>) -> Result<BTreeMap<Vec<u8>, Object>, String> {
    let Some(tree) = tree else {
        return Ok(BTreeMap::new());
    };
    let tree = doc.deref_dict(tree)?;
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
pub(super) fn join_outlines(doc: &mut Layers, body_catalog: &Dictionary) -> Result<(), String> {
    let Ok(body) = body_catalog.get(b"Outlines").and_then(Object::as_reference) else {
        return Ok(());
    };
    let catalog = doc.catalog_id()?;
    let Ok(front) = doc
        .dict(catalog)?
        .get(b"Outlines")
        .and_then(Object::as_reference)
    else {
        doc.dict_mut(catalog)?.set("Outlines", body);
        return Ok(());
    };
    let b = doc.dict(body)?.clone();
    let (Ok(first), Ok(last)) = (
        b.get(b"First").and_then(Object::as_reference),
        b.get(b"Last").and_then(Object::as_reference),
    ) else {
        doc.remove(body);
        return Ok(());
    };
    let f = doc.dict(front)?.clone();
    let count = |d: &Dictionary| d.get(b"Count").and_then(Object::as_i64).unwrap_or(0).max(0);
    let mut item = Some(first);
    while let Some(id) = item {
        let d = doc.dict_mut(id)?;
        d.set("Parent", front);
        item = d.get(b"Next").and_then(Object::as_reference).ok();
    }
    let mut root = f.clone();
    match f.get(b"Last").and_then(Object::as_reference) {
        Ok(front_last) => {
            doc.dict_mut(front_last)?.set("Next", first);
            doc.dict_mut(first)?.set("Prev", front_last);
        }
        Err(_) => root.set("First", first),
    }
    root.set("Last", last);
    root.set("Count", count(&f) + count(&b));
    *doc.dict_mut(front)? = root;
    doc.remove(body);
    Ok(())
}

/// The body's named destinations beside the front's.
pub(super) fn join_names(doc: &mut Layers, body_catalog: &Dictionary) -> Result<(), String> {
    let Ok(names) = body_catalog.get(b"Names") else {
        return Ok(());
    };
    let body = doc.deref_dict(names)?;
    for key in body.as_hashmap().keys() {
        if key.as_slice() != b"Dests" {
            return Err(format!(
                "the body's names have /{}, which are not joined",
                String::from_utf8_lossy(key)
            ));
        }
    }
    let catalog = doc.catalog_id()?;
    let mut front = match doc.dict(catalog)?.get(b"Names") {
        Ok(n) => doc.deref_dict(n)?,
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
    doc.dict_mut(catalog)?.set("Names", front);
    Ok(())
}
