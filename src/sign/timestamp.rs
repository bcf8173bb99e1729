//! RFC 3161 signature timestamps (PAdES B-T, `[sign] tsa_url`): asking
//! the time-stamping authority for a token over the signature value and
//! adding it to the SignerInfo as the unsigned attribute
//! id-aa-signatureTimeStampToken ([`stamped`]), and reading one back for
//! `brief verify` ([`read`]).
//!
//! The request is the only network use besides SMTP. It sends the
//! SHA-256 of the signature value and a random nonce, nothing of the
//! packet. tsp-ltv's client checks the answer before it is used: status
//! granted, the token's own CMS signature (over a TSTInfo whose digest
//! it signs), a critical timeStamping key usage, the message imprint and
//! the nonce; anything else is an error of that PDF's build, never an
//! unstamped PDF. The client is async (reqwest); it runs on a
//! current-thread tokio runtime made for the one request, so nothing of
//! tokio outlives the call or is shared between the build's PDF threads.

use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfos};
use der::asn1::{ObjectIdentifier, SetOfVec};
use der::{Any, Decode, Encode};
use sha2::{Digest, Sha256};
use std::time::Duration;
use x509_cert::attr::Attribute;

/// id-aa-signatureTimeStampToken (RFC 3161, appendix A).
const SIGNATURE_TIME_STAMP_TOKEN: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");

/// How long one request may take, connecting included: public TSAs answer
/// in well under a second; a dead one must not hang the build.
const TIMEOUT: Duration = Duration::from_secs(20);

/// `cms` (a ContentInfo holding one SignerInfo, as the builder made it)
/// with a timestamp token from the TSA at `url` added to its SignerInfo.
/// Only the unsigned attributes change: the signed ones, and so the
/// signature, are re-encoded as they were.
pub fn stamped(cms: &[u8], url: &str) -> Result<Vec<u8>, String> {
    let broken = |e: der::Error| format!("cannot add the timestamp to the signature: {e}");
    let info = ContentInfo::from_der(cms).map_err(broken)?;
    let mut data: SignedData = info.content.decode_as().map_err(broken)?;
    let mut signer = match data.signer_infos.0.as_slice() {
        [one] => one.clone(),
        _ => return Err("cannot add the timestamp: the signature has no single signer".into()),
    };
    let token = request(url, &Sha256::digest(signer.signature.as_bytes()))?;
    let attribute = Attribute {
        oid: SIGNATURE_TIME_STAMP_TOKEN,
        values: SetOfVec::try_from(vec![Any::from_der(&token).map_err(broken)?]).map_err(broken)?,
    };
    signer.unsigned_attrs = Some(SetOfVec::try_from(vec![attribute]).map_err(broken)?);
    data.signer_infos = SignerInfos(SetOfVec::try_from(vec![signer]).map_err(broken)?);
    ContentInfo {
        content_type: info.content_type,
        content: Any::encode_from(&data).map_err(broken)?,
    }
    .to_der()
    .map_err(broken)
}

/// A token for `hash` (SHA-256) from the TSA at `url`, checked.
fn request(url: &str, hash: &[u8]) -> Result<Vec<u8>, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot ask {url} for a timestamp: {e}"))?;
    let client = underskrift::tsp::TsaClient::new(url).timeout(TIMEOUT);
    runtime.block_on(client.timestamp(hash)).map_err(|e| {
        use underskrift::error::TspError;
        let why = match e {
            TspError::HttpError(e) => format!("it could not be reached or answered with an HTTP error ({e})"),
            TspError::TsaError(e) => format!("it refused to stamp ({e})"),
            TspError::InvalidResponse(e) | TspError::VerificationFailed(e) => {
                format!("its answer does not hold ({e})")
            }
        };
        format!(
            "the time-stamping service sign.tsa_url \"{url}\" gave no timestamp: {why}; the PDF was not written (remove tsa_url to sign with the packet's date only)"
        )
    })
}

/// A timestamp that holds, as `brief verify` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    /// The token's genTime, `YYYY-MM-DD HH:MM:SS UTC`.
    pub time: String,
    /// The TSA certificate's subject (`CN=…,O=…`).
    pub tsa: String,
    /// The TSA certificate's SHA-256, lower-case hex.
    pub tsa_certificate_sha256: String,
}

/// The timestamp `token` (the attribute's value) over `signature_value`
/// (the SignerInfo's signature), or why it does not hold: its own
/// signature must verify (tsp-ltv: the TSA's CMS signature over a TSTInfo
/// it digests, a critical timeStamping key usage, genTime within the
/// TSA certificate's validity), and its message imprint must be the
/// digest of this signature value (a token moved from another signature
/// fails). Whether the TSA is trusted is the reader's call, as for the
/// signer: its subject and fingerprint are reported.
pub fn read(token: &[u8], signature_value: &[u8]) -> Result<Stamp, String> {
    let claimed = underskrift::tsp::extract_tst_info(token)
        .map_err(|e| format!("its timestamp cannot be read: {e}"))?;
    // Its own signature first, against the imprint it claims.
    let info = underskrift::tsp::verify_timestamp_token(
        token,
        &claimed.message_hash,
        claimed.hash_algorithm,
        None,
        None,
        None,
        &[],
    )
    .map_err(|e| format!("its timestamp's own signature does not verify: {e}"))?;
    if info.message_hash != info.hash_algorithm.digest(signature_value) {
        return Err(
            "its timestamp is for other data: the token's message imprint is not the digest of this signature (a timestamp taken from another signature)"
                .into(),
        );
    }
    let (tsa, tsa_certificate_sha256) = tsa_certificate(token)
        .ok_or("its timestamp names no certificate of the authority that made it")?;
    Ok(Stamp {
        time: gen_time(&info.gen_time_der).ok_or("its timestamp's time cannot be read")?,
        tsa,
        tsa_certificate_sha256,
    })
}

/// The subject and SHA-256 of the certificate that signed `token`.
fn tsa_certificate(token: &[u8]) -> Option<(String, String)> {
    let info = ContentInfo::from_der(token).ok()?;
    let data: SignedData = info.content.decode_as().ok()?;
    let signer = data.signer_infos.0.as_slice().first()?;
    let certs = data.certificates.as_ref()?;
    certs.0.iter().find_map(|choice| {
        let cms::cert::CertificateChoices::Certificate(cert) = choice else {
            return None;
        };
        let tbs = &cert.tbs_certificate;
        let matches = match &signer.sid {
            SignerIdentifier::IssuerAndSerialNumber(id) => {
                tbs.issuer == id.issuer && tbs.serial_number == id.serial_number
            }
            SignerIdentifier::SubjectKeyIdentifier(_) => certs.0.len() == 1,
        };
        let der = cert.to_der().ok()?;
        matches.then(|| {
            (
                tbs.subject.to_string(),
                crate::ir::hex(&Sha256::digest(&der)),
            )
        })
    })
}

/// `YYYYMMDDHHMMSS[.f…]Z` (a GeneralizedTime's body) as
/// `YYYY-MM-DD HH:MM:SS UTC`.
fn gen_time(raw: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(raw).ok()?;
    let time = chrono::NaiveDateTime::parse_from_str(text.get(..14)?, "%Y%m%d%H%M%S").ok()?;
    Some(time.format("%Y-%m-%d %H:%M:%S UTC").to_string())
}
