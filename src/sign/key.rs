//! The organisation's private key as the CMS builder uses it: RSA
//! (PKCS#1 v1.5, SHA-256), ECDSA P-256 (SHA-256) or ECDSA P-384
//! (SHA-384), read from the PKCS#8 bytes a PKCS#12 file holds. Every
//! other key type is refused by name, with what is supported.
//!
//! RSA signs through underskrift's `SoftwareSigner`. EC keys do not:
//! its EC path calls `Signer::sign` on the digest the CMS builder hands
//! it, which hashes that digest a second time, so the signature would
//! not verify anywhere. Here the digest is signed as a prehash
//! (`PrehashSigner::sign_prehash`) and DER-encoded, as CMS wants
//! (RFC 5753). RustCrypto's ECDSA is deterministic (RFC 6979), like
//! PKCS#1 v1.5, so the same input signs to the same bytes.

use p256::ecdsa::signature::hazmat::PrehashSigner;
use underskrift::crypto::algorithm::{DigestAlgorithm, SignatureAlgorithm};
use underskrift::error::CryptoError;

/// What brief signs with, as a sentence for the error that refuses the rest.
pub const SUPPORTED: &str = "RSA, ECDSA P-256 or ECDSA P-384";

pub struct Key {
    kind: Kind,
    /// The certificate chain, the signer's own first.
    chain: Vec<Vec<u8>>,
}

enum Kind {
    Rsa(underskrift::SoftwareSigner),
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
}

const RSA: &str = "1.2.840.113549.1.1.1";
const EC: &str = "1.2.840.10045.2.1";
const P256: &str = "1.2.840.10045.3.1.7";
const P384: &str = "1.3.132.0.34";

impl Key {
    /// The key in the PKCS#8 bytes `der`, signing with the certificates
    /// `chain` (the signer's first). `Err` names the key's type when it
    /// is not one brief signs with.
    pub fn from_pkcs8(der: &[u8], chain: Vec<Vec<u8>>) -> Result<Key, String> {
        use p256::pkcs8::DecodePrivateKey;
        let info = p256::pkcs8::PrivateKeyInfo::try_from(der)
            .map_err(|e| format!("its private key cannot be read ({e})"))?;
        let algorithm = info.algorithm.oid.to_string();
        let curve = info.algorithm.parameters_oid().ok().map(|o| o.to_string());
        let unreadable = |e: String| {
            format!(
                "its {} key cannot be read ({e})",
                name(&algorithm, curve.as_deref())
            )
        };
        let kind = match (algorithm.as_str(), curve.as_deref()) {
            (RSA, _) => Kind::Rsa(
                underskrift::SoftwareSigner::from_rsa_der(der, chain.clone())
                    .map_err(|e| unreadable(e.to_string()))?,
            ),
            (EC, Some(P256)) => Kind::P256(
                p256::ecdsa::SigningKey::from_pkcs8_der(der)
                    .map_err(|e| unreadable(e.to_string()))?,
            ),
            (EC, Some(P384)) => Kind::P384(
                p384::ecdsa::SigningKey::from_pkcs8_der(der)
                    .map_err(|e| unreadable(e.to_string()))?,
            ),
            _ => {
                return Err(format!(
                    "its private key is {}, which brief does not sign with; it signs with {SUPPORTED}",
                    name(&algorithm, curve.as_deref())
                ));
            }
        };
        Ok(Key { kind, chain })
    }
}

/// A key type as people name it, from its PKCS#8 algorithm (and curve).
fn name(algorithm: &str, curve: Option<&str>) -> String {
    match (algorithm, curve) {
        (RSA, _) => "an RSA key".into(),
        ("1.2.840.113549.1.1.10", _) => "an RSA-PSS key".into(),
        (EC, Some(P256)) => "an ECDSA P-256 key".into(),
        (EC, Some(P384)) => "an ECDSA P-384 key".into(),
        (EC, Some("1.3.132.0.35")) => "an ECDSA P-521 key".into(),
        (EC, Some("1.3.132.0.10")) => "an ECDSA secp256k1 key".into(),
        (EC, Some(other)) => format!("an EC key on the curve {other}"),
        (EC, None) => "an EC key with no named curve".into(),
        ("1.3.101.112", _) => "an Ed25519 key".into(),
        ("1.3.101.113", _) => "an Ed448 key".into(),
        ("1.2.840.10040.4.1", _) => "a DSA key".into(),
        (other, _) => format!("a key of the algorithm {other}"),
    }
}

impl underskrift::CryptoSigner for Key {
    /// `hash` is the digest of the signed attributes, made by the CMS
    /// builder with [`Self::digest_algorithm`].
    fn sign_hash(&self, hash: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let failed = |e: p256::ecdsa::Error| CryptoError::SigningFailed(e.to_string());
        match &self.kind {
            Kind::Rsa(rsa) => rsa.sign_hash(hash),
            Kind::P256(key) => {
                let sig: p256::ecdsa::Signature = key.sign_prehash(hash).map_err(failed)?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            Kind::P384(key) => {
                let sig: p384::ecdsa::Signature = key.sign_prehash(hash).map_err(failed)?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
        }
    }

    fn certificate_der(&self) -> &[u8] {
        &self.chain[0]
    }

    fn certificate_chain_der(&self) -> Vec<&[u8]> {
        self.chain.iter().map(Vec::as_slice).collect()
    }

    /// SHA-384 with P-384 (the hash that matches the curve's strength,
    /// and what `ecdsa-with-SHA384` names); SHA-256 otherwise.
    fn digest_algorithm(&self) -> DigestAlgorithm {
        match self.kind {
            Kind::P384(_) => DigestAlgorithm::Sha384,
            _ => DigestAlgorithm::Sha256,
        }
    }

    fn signature_algorithm(&self) -> SignatureAlgorithm {
        match self.kind {
            Kind::Rsa(_) => SignatureAlgorithm::RsaPkcs1v15,
            Kind::P256(_) => SignatureAlgorithm::EcdsaP256,
            Kind::P384(_) => SignatureAlgorithm::EcdsaP384,
        }
    }
}
