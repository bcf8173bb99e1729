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
    /// An RFC 3161 time-stamping service (http:// or https://): each
    /// signature gets its timestamp (PAdES B-T). Off by default: it is a
    /// network request per signed PDF, and the build is then no longer
    /// byte-reproducible.
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
            if let Err(why) = tsa_url_problem(url) {
                return Err(fail(format!("sign.tsa_url {}: {why}", quote(url))).with_hint(
                    "give the service's address as its operator publishes it, e.g. \"https://freetsa.org/tsr\", or leave tsa_url out to sign with the packet's date only",
                ));
            }
        }
        Ok(())
    }
}

/// Why `url` cannot be a time-stamping service's address: only http://
/// and https://, with a host, and nothing a request line could not carry
/// (no spaces, no control characters, no credentials).
fn tsa_url_problem(url: &str) -> Result<(), &'static str> {
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .ok_or("a time-stamping service is reached by http:// or https:// only")?;
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("the address holds a space or a control character");
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        return Err(
            "the address holds a user name or password, and brief.toml is no place for a secret",
        );
    }
    if authority.is_empty() || authority.starts_with(':') {
        return Err("the address names no host");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::tsa_url_problem;

    #[test]
    fn a_tsa_url_is_http_or_https_with_a_host() {
        for ok in [
            "http://127.0.0.1:8080/",
            "https://freetsa.org/tsr",
            "HTTP://tsa.example/x?y=1",
        ] {
            assert!(tsa_url_problem(ok).is_ok(), "{ok}");
        }
        for bad in [
            "file:///etc/passwd",
            "ftp://tsa.example/",
            "tsa.example",
            "https://",
            "https://:80/",
            "https://user:pw@tsa.example/",
            "https://tsa.example/a b",
        ] {
            assert!(tsa_url_problem(bad).is_err(), "{bad}");
        }
    }
}
