//! `[sign]`: PAdES signatures of the PDFs a build writes (every packet
//! copy; single briefs with `briefs = true`). Checked here without
//! touching the disk or the environment: the key file and its password are
//! read once, by the command that builds (`commands::signing`).

use crate::diag::{Diagnostic, quote};
use serde::Deserialize;
use std::path::Path;

/// The environment variable holding the key's password, unless
/// `password_env` names another.
pub const PASSWORD_ENV: &str = "BRIEF_SIGN_PASSWORD";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignSettings {
    /// The PKCS#12 file (`.p12`/`.pfx`) with the private key and its
    /// certificate, relative to the project; never outside it.
    pub key: String,
    /// The environment variable holding the key's password. The password
    /// is never read from a file of the project.
    #[serde(default = "default_password_env")]
    pub password_env: String,
    /// Also sign each single brief's PDF (`output/pdf/<slug>.pdf`).
    #[serde(default)]
    pub briefs: bool,
    /// Why the signer signs, shown by PDF readers beside the signature.
    pub reason: Option<String>,
    /// Where it was signed, shown by PDF readers.
    pub location: Option<String>,
    /// An RFC 3161 time-stamping service. Not built yet: a setting that
    /// would silently do nothing is refused instead.
    pub tsa_url: Option<String>,
}

fn default_password_env() -> String {
    PASSWORD_ENV.to_string()
}

impl SignSettings {
    pub fn validate(&self, file: &Path) -> Result<(), Diagnostic> {
        let fail = |m: String| Diagnostic::error(m).in_file(file);
        if !super::packet::is_inside_relative(&self.key) {
            return Err(
                fail(format!("sign.key {} is outside the project", quote(&self.key))).with_hint(
                    "name the .p12 file inside the project folder, relative to brief.toml (e.g. keys/desk.p12), and keep it out of version control",
                ),
            );
        }
        let env_ok = !self.password_env.is_empty()
            && self
                .password_env
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !env_ok {
            return Err(fail(format!(
                "sign.password_env {} is not the name of an environment variable",
                quote(&self.password_env)
            ))
            .with_hint(format!(
                "name the variable that holds the password, e.g. \"{PASSWORD_ENV}\"; never the password itself"
            )));
        }
        for (key, value) in [("reason", &self.reason), ("location", &self.location)] {
            if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
                return Err(fail(format!("sign.{key} is empty")).with_hint(format!(
                    "leave sign.{key} out, or write what readers should see"
                )));
            }
        }
        if let Some(url) = &self.tsa_url {
            return Err(fail(format!(
                "sign.tsa_url {}: RFC 3161 timestamps are not built in this version of brief",
                quote(url)
            ))
            .with_hint(
                "leave tsa_url out: packets are then signed with the packet's date (PAdES B-B), reproducibly",
            ));
        }
        Ok(())
    }
}
