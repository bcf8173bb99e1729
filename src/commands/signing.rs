//! The build's signer (`[sign]`), loaded once before any work: the key
//! file read from inside the project (never through a symlink out of it),
//! the password from the environment variable `[sign] password_env`
//! names. A missing file, variable or wrong password stops the build with
//! a diagnostic (exit 2): a packet that should be signed is never written
//! unsigned. The password is dropped as soon as the key is open.

use crate::config::Config;
use crate::diag::{Diagnostic, quote};
use crate::sign::{LoadError, Settings, Signer};
use std::path::Path;
use std::sync::Arc;

/// A PKCS#12 file is a few kilobytes; this refuses a wrong file quickly.
const MAX_KEY_BYTES: u64 = 1024 * 1024;

/// The signer `[sign]` asks for (none without `[sign]`); `env` reads an
/// environment variable.
pub fn load(
    config: &Config,
    project_root: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<Arc<Signer>>, Diagnostic> {
    let Some(sign) = &config.sign else {
        return Ok(None);
    };
    let at_key = || {
        let d = Diagnostic::error("").in_file(config.file());
        match key_line(config) {
            Some(line) => d.at(line, None),
            None => d,
        }
    };
    let fail = |message: String| {
        let mut d = at_key();
        d.message = message;
        d
    };
    let root = crate::write::resources::canonical_dir(project_root)
        .ok_or_else(|| fail("the project folder cannot be opened".into()))?;
    let rest = sign.key.trim().trim_start_matches("./");
    let real = crate::write::resources::contained_file(&root, rest).map_err(|e| {
        use crate::write::resources::ContainedError;
        let why = match e {
            ContainedError::NotFound(_) => "no such file".to_string(),
            ContainedError::AccessDenied => {
                "it leads outside the project, or is not a regular file".to_string()
            }
            ContainedError::IsDirectory => "it is a folder".to_string(),
            ContainedError::Io(e, _) => format!("cannot open it: {e}"),
        };
        fail(format!("sign.key {}: {why}", quote(&sign.key))).with_hint(
            "make a key and certificate first (docs/configuration.md, \"[sign]\"), or remove [sign] to build unsigned packets",
        )
    })?;
    let bytes = crate::files::read_regular(&real, MAX_KEY_BYTES).map_err(|e| {
        fail(format!(
            "sign.key {}: cannot read it: {e}",
            quote(&sign.key)
        ))
    })?;
    let password = env(&sign.password_env).ok_or_else(|| {
        fail(format!(
            "[sign] needs the key's password in the environment variable {}, which is not set",
            sign.password_env
        ))
        .with_hint(format!(
            "export {}=… before building (the password is never read from a file of the project)",
            sign.password_env
        ))
    })?;
    let signer = Signer::from_pkcs12(
        &bytes,
        &password,
        Settings {
            reason: sign.reason.clone(),
            location: sign.location.clone(),
            briefs: sign.briefs,
            tsa_url: sign.tsa_url.clone(),
        },
    )
    .map_err(|e| {
        let hint = match e {
            LoadError::Key(_) => format!(
                "make a key of a supported type ({}), e.g. openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 …, then openssl pkcs12 -export (docs/configuration.md, \"[sign]\")",
                crate::sign::SUPPORTED_KEYS
            ),
            _ => format!(
                "check the password in {}; the file must hold a private key ({}) and its certificate (openssl pkcs12 -export)",
                sign.password_env,
                crate::sign::SUPPORTED_KEYS
            ),
        };
        fail(format!("sign.key {}: {e}", quote(&sign.key))).with_hint(hint)
    })?;
    drop(password);
    Ok(Some(Arc::new(signer)))
}

/// The line of `key = …` under `[sign]` in `brief.toml`, for the caret.
fn key_line(config: &Config) -> Option<usize> {
    let text = &config.origin.as_ref()?.text;
    let mut in_sign = false;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.starts_with('[') {
            in_sign = t == "[sign]";
        } else if in_sign && t.starts_with("key") {
            return Some(i + 1);
        }
    }
    None
}
