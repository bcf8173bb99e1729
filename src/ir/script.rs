//! Which writing system a character or a text is in: the one place that
//! knows which characters a line may break between (Chinese and Japanese),
//! which only at spaces (Korean, keep-all), which text runs right to left,
//! and what language a post without `lang:` is most likely written in.
//! Built on `unicode-script` (already in the tree through Typst).

use unicode_script::{Script, UnicodeScript};

/// Hangul syllables and jamo: Korean breaks between words, never between
/// syllables (Korean readers take a word cut at a line end for an error).
pub fn is_hangul(c: char) -> bool {
    c.script() == Script::Hangul
}

/// Han and Kana, and the CJK punctuation and full-width forms between
/// them: Chinese and Japanese break between characters (with kinsoku
/// rules, which Typst applies when the text is left to it). A word that
/// holds one of these must never be set as one unbreakable box.
pub fn breaks_between_chars(c: char) -> bool {
    matches!(
        c.script(),
        Script::Han | Script::Hiragana | Script::Katakana | Script::Bopomofo
    ) || matches!(c, '\u{3000}'..='\u{303F}' | '\u{FF00}'..='\u{FFEF}' | '\u{30FC}')
}

/// Whether a word (text between spaces) holds Chinese or Japanese
/// characters.
pub fn has_cjk_run(word: &str) -> bool {
    word.chars().any(breaks_between_chars)
}

/// Whether a word holds Hangul (and so is kept whole on a line).
pub fn has_hangul(word: &str) -> bool {
    word.chars().any(is_hangul)
}

/// Whether a line break in the source between these inlines joins the
/// lines without a space: between two Chinese or Japanese characters,
/// which are written without spaces (CSS Text 3 removes such segment
/// breaks too). Korean is written with spaces: its line breaks stay one.
pub fn joins_lines(before: Option<&crate::ir::Inline>, after: Option<&crate::ir::Inline>) -> bool {
    let last = before.and_then(|i| {
        crate::ir::plain_text(std::slice::from_ref(i))
            .chars()
            .last()
    });
    let first = after.and_then(|i| {
        crate::ir::plain_text(std::slice::from_ref(i))
            .chars()
            .next()
    });
    last.is_some_and(breaks_between_chars) && first.is_some_and(breaks_between_chars)
}

/// Languages written right to left (their primary subtag).
pub fn is_rtl_lang(lang: &str) -> bool {
    let primary = lang
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    matches!(
        primary.as_str(),
        "ar" | "he" | "iw" | "fa" | "ur" | "yi" | "ps" | "sd" | "ug" | "dv" | "ckb"
    )
}

/// `rtl` or `ltr` for a language tag (HTML's `dir`).
pub fn direction(lang: &str) -> &'static str {
    if is_rtl_lang(lang) { "rtl" } else { "ltr" }
}

/// A language inferred from the script of a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Guess {
    /// A BCP 47 tag: `ko`, `ja`, `zh`, `ar`, `he`, `ru`, `uk`, `el`, `th`.
    pub lang: &'static str,
    /// The script (for the note that says what was inferred).
    pub script: &'static str,
    /// The share of the text's letters in that script, 0–1.
    pub share: f64,
}

/// The language the text's letters say it is written in, when they are
/// mostly in a script that names one language (or one language family we
/// print alike): Hangul is Korean; Kana, with or without Han, Japanese;
/// Han alone Chinese; Arabic script Arabic; Hebrew; Cyrillic Russian, or
/// Ukrainian when its own letters appear; Greek; Thai. Latin text names no
/// language: `None` (the project's default stands).
pub fn guess_language(text: &str) -> Option<Guess> {
    let mut counts = Counts::default();
    for c in text.chars().filter(|c| c.is_alphabetic()) {
        counts.total += 1;
        match c.script() {
            Script::Latin => counts.latin += 1,
            Script::Hangul => counts.hangul += 1,
            Script::Hiragana | Script::Katakana => counts.kana += 1,
            Script::Han => counts.han += 1,
            Script::Arabic => counts.arabic += 1,
            Script::Hebrew => counts.hebrew += 1,
            Script::Cyrillic => {
                counts.cyrillic += 1;
                if matches!(c, 'і' | 'ї' | 'є' | 'ґ' | 'І' | 'Ї' | 'Є' | 'Ґ') {
                    counts.ukrainian += 1;
                }
            }
            Script::Greek => counts.greek += 1,
            Script::Thai => counts.thai += 1,
            _ => {}
        }
    }
    if counts.total < 20 {
        return None;
    }
    // A CJK character carries about as much text as four letters of an
    // alphabet: weigh it so (a post of Korean prose with English names
    // and code is still Korean). The winner must outweigh the Latin text.
    let cjk = counts.hangul + counts.kana + counts.han;
    let share = |n: usize| n as f64 / counts.total as f64;
    let candidates = [
        (
            cjk * 4,
            if counts.hangul > counts.kana + counts.han {
                ("ko", "Hangul", counts.hangul)
            } else if counts.kana * 20 >= counts.kana + counts.han && counts.kana > 0 {
                ("ja", "Kana and Han", counts.kana + counts.han)
            } else {
                ("zh", "Han", counts.han)
            },
        ),
        (counts.arabic, ("ar", "Arabic", counts.arabic)),
        (counts.hebrew, ("he", "Hebrew", counts.hebrew)),
        (
            counts.cyrillic,
            if counts.ukrainian * 100 >= counts.cyrillic {
                ("uk", "Cyrillic", counts.cyrillic)
            } else {
                ("ru", "Cyrillic", counts.cyrillic)
            },
        ),
        (counts.greek, ("el", "Greek", counts.greek)),
        (counts.thai, ("th", "Thai", counts.thai)),
    ];
    let (weight, (lang, script, n)) = candidates.into_iter().max_by_key(|(w, _)| *w)?;
    (weight > counts.latin && n > 0).then(|| Guess {
        lang,
        script,
        share: share(n),
    })
}

#[derive(Default)]
struct Counts {
    total: usize,
    latin: usize,
    hangul: usize,
    kana: usize,
    han: usize,
    arabic: usize,
    hebrew: usize,
    cyrillic: usize,
    ukrainian: usize,
    greek: usize,
    thai: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_name_their_languages() {
        let ko = "한국은 아동 인신매매의 목적지이자 출발지 국가로 운영되고 있습니다. React 19";
        assert_eq!(guess_language(ko).map(|g| g.lang), Some("ko"));
        let ja = "サーバーアクションは、React 19 で安定版になりました。アプリの設計が変わります。";
        assert_eq!(guess_language(ja).map(|g| g.lang), Some("ja"));
        let zh = "我们很高兴地宣布，文档现已提供中文版本，欢迎大家阅读并提出建议。";
        assert_eq!(guess_language(zh).map(|g| g.lang), Some("zh"));
        let ar = "تعمل كوريا الجنوبية كبلد مقصد ومصدر للاتجار بالأطفال";
        assert_eq!(guess_language(ar).map(|g| g.lang), Some("ar"));
        let en = "South Korea operates as both a destination and source country, 韓国.";
        assert_eq!(guess_language(en), None);
        assert_eq!(guess_language("short"), None);
    }

    #[test]
    fn words_with_cjk_break_and_hangul_words_stay_whole() {
        assert!(has_cjk_run("アプリの"));
        assert!(has_cjk_run("「React」"));
        assert!(!has_cjk_run("한국은"));
        assert!(has_hangul("React의"));
        assert!(is_rtl_lang("ar-EG") && is_rtl_lang("he") && !is_rtl_lang("en"));
    }
}
