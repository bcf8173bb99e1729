//! Signing one PDF: an invisible signature field on the first page and a
//! `/Type /Sig` dictionary (`/SubFilter /ETSI.CAdES.detached`) appended as
//! an incremental update, then the CMS SignedData (messageDigest over the
//! `/ByteRange`, signing-certificate-v2, no signingTime: PAdES B-B keeps
//! the time in `/M`) written into `/Contents`.
//!
//! The steps are underskrift's own `PdfSigner::sign`, minus what we do
//! not use (visible appearances, timestamps, its async wrapper), plus the
//! `/M` entry, which that function never writes and which we take from
//! the packet's date so that two builds sign alike. With a TSA the
//! token is added to the finished CMS (`timestamp`), before it is
//! written into `/Contents`.

use super::Signer;
use lopdf::{Document, Object, StringFormat};
use underskrift::cms::builder::{CmsProfile, PdfCmsBuilder};
use underskrift::core::incremental::IncrementalWriter;
use underskrift::core::sig_dict::{self, SigSubFilter};
use underskrift::core::sig_field::{self, SignatureFieldOptions};
use underskrift::core::{acroform, parser};

/// Bytes reserved for the CMS structure in `/Contents`: a 4096-bit RSA
/// signature with a chain of a few certificates fits.
const CONTENTS_BYTES: usize = 16 * 1024;
/// With a timestamp: the token adds the TSA's signature and usually its
/// certificate chain (3–8 KB from public TSAs).
const STAMPED_CONTENTS_BYTES: usize = 32 * 1024;

/// Changes whenever this module's output changes for the same input, so
/// cached signed outputs are made again.
pub const FORMAT_VERSION: u32 = 1;

const FIELD_NAME: &str = "Signature1";

pub fn sign(
    signer: &Signer,
    pdf: &[u8],
    day: Option<chrono::NaiveDate>,
) -> Result<Vec<u8>, String> {
    let mut doc =
        Document::load_mem(pdf).map_err(|e| format!("cannot read the PDF to sign it: {e}"))?;
    let meta = parser::extract_metadata(&doc).map_err(|e| format!("cannot sign this PDF: {e}"))?;

    let reserved = match signer.tsa_url {
        Some(_) => STAMPED_CONTENTS_BYTES,
        None => CONTENTS_BYTES,
    };
    let mut sig = sig_dict::build_sig_dict(SigSubFilter::EtsiCadesDetached, reserved);
    let text = |s: &str| Object::String(s.as_bytes().to_vec(), StringFormat::Literal);
    if let Some(reason) = &signer.reason {
        sig.set("Reason", text(reason));
    }
    if let Some(location) = &signer.location {
        sig.set("Location", text(location));
    }
    if let Some(day) = day {
        sig.set("M", text(&day.format("D:%Y%m%d000000Z").to_string()));
    }
    let sig_id = doc.add_object(Object::Dictionary(sig));
    let field = sig_field::build_sig_field(
        &SignatureFieldOptions {
            name: FIELD_NAME.to_string(),
            page: 0,
            rect: [0.0, 0.0, 0.0, 0.0],
        },
        sig_id,
    );
    let field_id = doc.add_object(Object::Dictionary(field));
    acroform::ensure_acroform(&mut doc, field_id, 0)
        .map_err(|e| format!("cannot sign this PDF: {e}"))?;

    let mut writer = IncrementalWriter::new(
        pdf.to_vec(),
        meta.trailer_size,
        meta.xref_offset,
        meta.root_id,
        reserved * 2,
    );
    writer.set_sig_dict_id(sig_id);
    let mut changed = vec![sig_id, field_id, meta.root_id];
    let form_id = match doc
        .get_object(meta.root_id)
        .and_then(|o| o.as_dict())
        .and_then(|d| d.get(b"AcroForm"))
    {
        Ok(Object::Reference(form)) => Some(*form),
        _ => None,
    };
    changed.extend(form_id);
    if let Some(page) = doc.get_pages().get(&1) {
        changed.push(*page);
    }
    for id in changed {
        if let Ok(object) = doc.get_object(id) {
            writer.add_object(id, object.clone());
        }
    }
    let (out, range) = writer
        .write()
        .map_err(|e| format!("cannot sign this PDF: {e}"))?;
    let size = [sig_id, field_id, form_id.unwrap_or(sig_id)]
        .iter()
        .map(|id| id.0 + 1)
        .max()
        .unwrap_or(0)
        .max(meta.trailer_size);
    let mut out = full_trailer(
        out,
        range.contents_offset,
        &trailer_entries(&doc, size, meta.root_id, meta.xref_offset),
    )
    .ok_or("cannot sign this PDF: the update's trailer was not where it was written")?;
    let len = out.len();
    range
        .backpatch(&mut out, len)
        .map_err(|e| format!("cannot sign this PDF: {e}"))?;

    let [a, a_len, b, b_len] = range.compute(out.len());
    // The key's own digest (SHA-384 for P-384), which the CMS names.
    use underskrift::CryptoSigner;
    let mut hash = signer.key.digest_algorithm().new_hasher();
    hash.update(&out[a..a + a_len]);
    hash.update(&out[b..b + b_len]);
    let cms = PdfCmsBuilder::new(&signer.key)
        .profile(CmsProfile::Pades)
        .build(&hash.finalize())
        .map_err(|e| format!("cannot sign: {e}"))?;
    let cms = match &signer.tsa_url {
        Some(url) => super::timestamp::stamped(&cms, url)?,
        None => cms,
    };
    if cms.len() > reserved {
        return Err(format!(
            "the signature ({} bytes) does not fit the {reserved} bytes reserved for it: is the certificate chain (or the TSA's) very long?",
            cms.len()
        ));
    }
    let hex = underskrift_hex(&cms);
    let start = range.contents_offset;
    out[start..start + hex.len()].copy_from_slice(hex.as_bytes());
    Ok(out)
}

/// The update's trailer as it should be: underskrift's writer counts
/// `/Size` from the objects it wrote, the replaced ones included (qpdf
/// warns), and drops `/Info` and `/ID`, which the last trailer must carry
/// (readers take the document information from it).
fn trailer_entries(doc: &Document, size: u32, root: lopdf::ObjectId, prev: usize) -> String {
    let mut t = format!("<</Size {size}/Root {} {} R/Prev {prev}", root.0, root.1);
    if let Ok(Object::Reference((n, g))) = doc.trailer.get(b"Info") {
        t.push_str(&format!("/Info {n} {g} R"));
    }
    if let Ok(Object::Array(ids)) = doc.trailer.get(b"ID") {
        let strings: Vec<String> = ids
            .iter()
            .filter_map(|o| match o {
                Object::String(bytes, _) => Some(format!("<{}>", underskrift_hex(bytes))),
                _ => None,
            })
            .collect();
        if strings.len() == 2 {
            t.push_str(&format!("/ID[{}]", strings.concat()));
        }
    }
    t.push_str(">>");
    t
}

/// `out` with the dictionary of its last trailer (after `/Contents`)
/// replaced by `entries`. Nothing an offset points at moves: the
/// trailer follows the cross-reference section, and `startxref` points
/// at that section.
fn full_trailer(out: Vec<u8>, after: usize, entries: &str) -> Option<Vec<u8>> {
    let find = |from: usize, needle: &[u8]| {
        out[from..]
            .windows(needle.len())
            .rposition(|w| w == needle)
            .map(|i| i + from)
    };
    let start = find(after, b"\ntrailer\n")? + b"\ntrailer\n".len();
    let end = find(start, b"\nstartxref\n")?;
    let mut fixed = Vec::with_capacity(out.len() + entries.len());
    fixed.extend_from_slice(&out[..start]);
    fixed.extend_from_slice(entries.as_bytes());
    fixed.extend_from_slice(&out[end..]);
    Some(fixed)
}

/// Upper-case hex, as `/Contents` is written.
fn underskrift_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}
