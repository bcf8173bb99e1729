//! Checking a PDF's signature, for `brief verify`: the CMS signature is
//! valid over the bytes its `/ByteRange` names (messageDigest matches,
//! the RSA or ECDSA signature verifies against the embedded
//! certificate, with the digest the signature names), the
//! `/ByteRange` covers the whole file (anything appended after signing,
//! such as an incremental update, is a change after signing), and who
//! signed (the certificate's subject and SHA-256). Whether the certificate
//! is trusted is not decided here: brief's keys are self-signed unless the
//! organisation has one from a CA, so the fingerprint is what a recipient
//! compares (the Integrity page and the manifest print it). A signature
//! timestamp (RFC 3161), when there is one, must hold too
//! (`timestamp::read`): its time and its authority are reported.

use sha2::{Digest, Sha256};
use underskrift::verify::{cms_verify, extractor, integrity};

/// What a PDF's signature says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signature {
    /// No signature field at all.
    NotSigned,
    /// One signature, valid over the whole file.
    Valid(Signed),
    /// Signed, but the signature does not hold; the reason in a sentence.
    Invalid {
        reason: String,
        signer: Option<Signed>,
    },
}

/// Who signed: the certificate's subject and SHA-256 (lower-case hex),
/// and the RFC 3161 timestamp when the signature has one that holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    pub subject: String,
    pub certificate_sha256: String,
    pub timestamp: Option<super::Stamp>,
}

/// The signature of the PDF `bytes` (`bytes` not being a PDF at all is
/// an invalid signature only when it looks signed).
pub fn check(bytes: &[u8]) -> Signature {
    let invalid = |reason: String, signer: Option<Signed>| Signature::Invalid { reason, signer };
    let signatures = match extractor::extract_signatures(bytes) {
        Ok(s) => s,
        // A PDF too damaged to read its form fields: if it ever held a
        // signature, the damage came after.
        Err(e) if looks_signed(bytes) => {
            return invalid(format!("its signature cannot be read: {e}"), None);
        }
        Err(_) => return Signature::NotSigned,
    };
    let sig = match signatures.as_slice() {
        [] if looks_signed(bytes) => {
            return invalid(
                "it holds a signature dictionary that no signature field names: it was changed after signing"
                    .into(),
                None,
            );
        }
        [] => return Signature::NotSigned,
        [one] => one,
        more => {
            return invalid(
                format!(
                    "it holds {} signatures where brief wrote one: something was added after signing",
                    more.len()
                ),
                None,
            );
        }
    };
    let sha256 = underskrift::DigestAlgorithm::Sha256;
    let range = integrity::verify_byte_range(bytes, &sig.byte_range, sha256);
    let cms = match cms_verify::verify_cms(&sig.cms_bytes, &range.data_hash) {
        Ok(c) => c,
        Err(e) => return invalid(format!("its signature is damaged: {e}"), None),
    };
    // The digest the signature names (SHA-384 with a P-384 key): the
    // range is hashed again with it (only when the range is sound, as
    // hashing reads the ranges it names).
    let cms = match cms.digest_algorithm {
        Some(digest) if digest != sha256 && range.valid => {
            let hash = integrity::compute_byte_range_hash(bytes, &sig.byte_range, digest);
            match cms_verify::verify_cms(&sig.cms_bytes, &hash) {
                Ok(c) => c,
                Err(e) => return invalid(format!("its signature is damaged: {e}"), None),
            }
        }
        _ => cms,
    };
    let signer = cms.signer_certificate.as_ref().and_then(|c| {
        use der::Encode;
        let der = c.to_der().ok()?;
        Some(Signed {
            subject: c.tbs_certificate.subject.to_string(),
            certificate_sha256: crate::ir::hex(&Sha256::digest(&der)),
            timestamp: None,
        })
    });
    if !range.valid {
        return invalid(
            format!("its /ByteRange is not sound: {}", range.issues.join("; ")),
            signer,
        );
    }
    if !padding_is_zero(&sig.cms_bytes) {
        return invalid(
            "the bytes after its signature in /Contents were changed".into(),
            signer,
        );
    }
    if !cms.digest_matches {
        return invalid(
            "the signed bytes do not match the signature's digest: the file was changed after signing"
                .into(),
            signer,
        );
    }
    if !cms.signature_valid || !cms.algorithm_protection_ok {
        return invalid(
            "the signature does not verify with its certificate: it was altered".into(),
            signer,
        );
    }
    if !range.covers_whole_file {
        let end = sig.byte_range[2].saturating_add(sig.byte_range[3]);
        return invalid(
            format!(
                "changed after signing: {} bytes were appended after the signed range (such as an incremental update)",
                bytes.len().saturating_sub(end)
            ),
            signer,
        );
    }
    let Some(mut signer) = signer else {
        return invalid("the signature names no certificate".into(), None);
    };
    // A timestamp that is there must hold: one that does not is a change
    // after signing (the token sits outside the signed bytes).
    if let Some(token) = &cms.signature_timestamp_token {
        match super::timestamp::read(token, &cms.signature_value) {
            Ok(stamp) => signer.timestamp = Some(stamp),
            Err(reason) => return invalid(reason, Some(signer)),
        }
    }
    Signature::Valid(signer)
}

/// Whether the bytes hold a signature dictionary at all, found without
/// parsing (so a file damaged after signing is not taken for unsigned).
fn looks_signed(bytes: &[u8]) -> bool {
    const NEEDLE: &[u8] = b"/ETSI.CAdES.detached";
    bytes.windows(NEEDLE.len()).any(|w| w == NEEDLE) || bytes.windows(9).any(|w| w == b"/ByteRange")
}

/// `/Contents` is reserved larger than the CMS structure; the rest must
/// still be the zeros brief wrote (a change there would pass the CMS
/// check, which reads only the DER structure).
fn padding_is_zero(contents: &[u8]) -> bool {
    match der_length(contents) {
        Some(len) if len <= contents.len() => contents[len..].iter().all(|&b| b == 0),
        _ => false,
    }
}

/// The length of the DER element at the start of `bytes`, header included.
fn der_length(bytes: &[u8]) -> Option<usize> {
    let first = *bytes.get(1)?;
    if first < 0x80 {
        return Some(2 + first as usize);
    }
    let n = (first & 0x7f) as usize;
    if n == 0 || n > 4 {
        return None;
    }
    let len = bytes
        .get(2..2 + n)?
        .iter()
        .fold(0usize, |acc, &b| (acc << 8) | b as usize);
    Some(2 + n + len)
}
