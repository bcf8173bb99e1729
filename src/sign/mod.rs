//! PAdES signatures (issue 14): the [`Signer`] a build loads once (the
//! organisation's key and certificate from a PKCS#12 file, and the
//! `[sign]` settings), signing a finished PDF's bytes (`pdf`), and
//! checking a signed PDF for `brief verify` (`check`).
//!
//! Signing is one step after the PDF bytes exist, never inside a writer:
//! `write::Job::render` hands the rendered bytes to [`Signer::sign`]. It
//! reads no file, no environment and no clock: the key was loaded by the
//! command (`commands::signing`), and the signing time is the packet's
//! date. With `[sign] tsa_url` it also asks that RFC 3161 service for a
//! timestamp of the signature (`timestamp`), whose time is the TSA's, so
//! such builds are not byte-reproducible. RSA PKCS#1 v1.5 and ECDSA (RFC 6979) signatures are
//! deterministic, so the same PDF signed twice gives the same bytes. The
//! key is RSA, ECDSA P-256 or P-384 (`key`).
//!
//! The library is `underskrift` (BSD-2-Clause, RustCrypto `cms`/`rsa`,
//! `lopdf`); `pdf_signer` is GPL-3.0 and would make brief GPL. The
//! PKCS#12 file is read by `p12-keystore`, which reads what OpenSSL 3
//! writes by default (PBES2, AES-256) as well as the legacy formats.

pub mod check;
mod key;
mod pdf;
mod timestamp;

pub use timestamp::Stamp;

pub use key::SUPPORTED as SUPPORTED_KEYS;

use sha2::{Digest, Sha256};

/// The organisation's signing identity, loaded once per build. Its
/// `Debug` form names the certificate only: the key never reaches a log,
/// a cache key or an output.
pub struct Signer {
    key: key::Key,
    /// The signer's certificate as its subject reads (`CN=…, O=…`).
    pub subject: String,
    /// The SHA-256 of the certificate's DER bytes, lower-case hex.
    pub fingerprint: String,
    /// Why and where, shown by PDF readers beside the signature.
    pub reason: Option<String>,
    pub location: Option<String>,
    /// Also sign single briefs' PDFs (`[sign] briefs`).
    pub briefs: bool,
    /// The RFC 3161 time-stamping service (`[sign] tsa_url`), when the
    /// signatures are timestamped (PAdES B-T).
    pub tsa_url: Option<String>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("subject", &self.subject)
            .field("fingerprint", &self.fingerprint)
            .field("reason", &self.reason)
            .field("location", &self.location)
            .field("briefs", &self.briefs)
            .field("tsa_url", &self.tsa_url)
            .finish_non_exhaustive()
    }
}

/// Why a key file could not be used; the message names no secret.
#[derive(Debug)]
pub enum LoadError {
    /// The password is wrong, or the file is not PKCS#12 at all (the two
    /// look alike: the integrity check fails).
    Unreadable(String),
    NoKey,
    /// The key is of a type brief does not sign with, or unreadable; the
    /// sentence names its type.
    Key(String),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Unreadable(e) => write!(
                f,
                "cannot open the key file: the password is wrong or it is not a PKCS#12 file ({e})"
            ),
            LoadError::NoKey => write!(f, "the key file holds no private key with its certificate"),
            LoadError::Key(e) => write!(f, "the key file cannot be used: {e}"),
        }
    }
}

/// A certificate's subject as RFC 4514 writes it (`CN=…,O=…`), the form
/// `check` reads back from a signed PDF.
fn subject(der: &[u8]) -> Option<String> {
    use der::Decode;
    let cert = x509_cert::Certificate::from_der(der).ok()?;
    Some(cert.tbs_certificate.subject.to_string())
}

/// What `[sign]` says besides the key, for [`Signer::from_pkcs12`].
pub struct Settings {
    pub reason: Option<String>,
    pub location: Option<String>,
    pub briefs: bool,
    pub tsa_url: Option<String>,
}

impl Signer {
    /// The signer in the PKCS#12 bytes `p12`, opened with `password`.
    pub fn from_pkcs12(
        p12: &[u8],
        password: &str,
        settings: Settings,
    ) -> Result<Signer, LoadError> {
        use p12_keystore::{KeyStore, Pkcs12ImportPolicy};
        let store = KeyStore::from_pkcs12(p12, password, Pkcs12ImportPolicy::Strict)
            .map_err(|e| LoadError::Unreadable(e.to_string()))?;
        let (_, chain) = store.private_key_chain().ok_or(LoadError::NoKey)?;
        let certs: Vec<Vec<u8>> = chain.certs().iter().map(|c| c.as_der().to_vec()).collect();
        let first = chain.certs().first().ok_or(LoadError::NoKey)?;
        let key = key::Key::from_pkcs8(chain.key().as_der(), certs).map_err(LoadError::Key)?;
        Ok(Signer {
            key,
            subject: subject(first.as_der()).unwrap_or_else(|| first.subject().to_string()),
            fingerprint: crate::ir::hex(&Sha256::digest(first.as_der())),
            reason: settings.reason,
            location: settings.location,
            briefs: settings.briefs,
            tsa_url: settings.tsa_url,
        })
    }

    /// What a signed output's cache key covers: the certificate and every
    /// setting that changes the signature's bytes, the TSA too (adding or
    /// removing it signs again; the same TSA reuses the stamped PDF until
    /// its inputs change). Never the key or the password.
    pub fn cache_material(&self) -> String {
        let tsa = match &self.tsa_url {
            Some(url) => format!(" tsa {url:?}"),
            None => String::new(),
        };
        format!(
            "certificate {} reason {:?} location {:?} format {}{tsa}",
            self.fingerprint,
            self.reason,
            self.location,
            pdf::FORMAT_VERSION
        )
    }

    /// `pdf` with a PAdES B-B signature appended as an incremental update
    /// (B-T, timestamped, with `tsa_url`: the one step here that uses the
    /// network). `day` is the signing time the signature claims (`/M`),
    /// never the clock; `None` claims none.
    pub fn sign(&self, pdf: &[u8], day: Option<chrono::NaiveDate>) -> Result<Vec<u8>, String> {
        pdf::sign(self, pdf, day)
    }
}
