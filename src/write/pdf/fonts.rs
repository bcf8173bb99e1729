//! Which fonts a PDF asks for, by language: the matching Noto Serif CJK
//! face first for Korean, Japanese and Simplified or Traditional Chinese
//! (fallback alone picks the Japanese face for Korean text, and Japanese
//! glyph shapes for Chinese), then Libertinus Serif; only installed
//! families are listed. A language whose faces are all missing is named in
//! a warning, before Typst silently draws empty boxes.

use crate::diag::Diagnostic;
use crate::write::resources::Fonts;

use super::model::split_lang;

/// The faces for a language's own script, best first, and its monospace
/// faces.
fn wanted(lang: &str) -> (&'static [&'static str], &'static [&'static str]) {
    let (primary, region) = split_lang(lang);
    let traditional = lang.to_ascii_lowercase().contains("hant")
        || matches!(region.as_deref(), Some("TW" | "HK" | "MO"));
    match primary.as_str() {
        "ko" => (
            &[
                "Noto Serif CJK KR",
                "Noto Sans CJK KR",
                "Noto Serif KR",
                "Noto Sans KR",
                "NanumMyeongjo",
                "UnBatang",
            ],
            &["Noto Sans Mono CJK KR"],
        ),
        "ja" => (
            &[
                "Noto Serif CJK JP",
                "Noto Sans CJK JP",
                "Noto Serif JP",
                "Noto Sans JP",
                "IPAMincho",
            ],
            &["Noto Sans Mono CJK JP"],
        ),
        "zh" if traditional => (
            &["Noto Serif CJK TC", "Noto Sans CJK TC", "Noto Serif TC"],
            &["Noto Sans Mono CJK TC"],
        ),
        "zh" => (
            &["Noto Serif CJK SC", "Noto Sans CJK SC", "Noto Serif SC"],
            &["Noto Sans Mono CJK SC"],
        ),
        _ => (&[], &[]),
    }
}

/// Font families in order of preference, keeping only those installed:
/// (body, monospace).
pub(crate) fn font_lists(fonts: &Fonts, lang: &str) -> (Vec<String>, Vec<String>) {
    let (cjk, cjk_mono) = wanted(lang);
    let available = |list: &[&str]| -> Vec<String> {
        list.iter()
            .filter(|f| fonts.has_family(f))
            .map(|f| f.to_string())
            .collect()
    };
    let mut body = available(cjk);
    body.extend(available(&["Libertinus Serif"]));
    let mut mono = available(&["DejaVu Sans Mono"]);
    mono.extend(available(cjk_mono));
    (body, mono)
}

/// A warning naming the face a language needs when none of its faces is
/// installed.
pub(crate) fn missing_face(fonts: &Fonts, lang: &str) -> Option<Diagnostic> {
    let (cjk, _) = wanted(lang);
    let first = cjk.first()?;
    if cjk.iter().any(|f| fonts.has_family(f)) {
        return None;
    }
    Some(
        Diagnostic::warning(format!(
            "the font for `lang: {lang}`, {first}, is not installed (nor {}); another font's glyphs \
             are used, or empty boxes where none has them",
            cjk[1..].join(", ")
        ))
        .with_hint(
            "install Debian's fonts-noto-cjk, or put the .otf/.ttc file in the project's fonts/ folder",
        ),
    )
}
