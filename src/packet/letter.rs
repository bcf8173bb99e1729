//! The cover letter as a template: `letters/cover.md` may write
//! `{{ recipient.salutation }}`, `{{ recipient.name }}`, `{{ date }}`,
//! `{{ organisation }}`, `{{ signatory.name }}`, `{{ ref }}` … and is
//! rendered once per copy (the general copy and each recipient's) before
//! it is read as Markdown, so every addressed letter opens with its own
//! salutation.
//!
//! MiniJinja, kept small and closed: no loader (a letter can include,
//! import or extend no file), no functions beyond the built-in filters,
//! bounded fuel (a letter's loop ends) and strict undefined values (a
//! misspelt `{{ recipient.nmae }}` is an error with its line, never an
//! empty gap in a letter to an embassy). Every value is printed as text:
//! its Markdown punctuation is escaped, so a recipient named `*X*` or
//! `<b>` prints those characters and formats nothing.

use crate::config::recipient::Recipient;
use crate::diag::Diagnostic;
use crate::ir::{Meta, Post};
use minijinja::{Environment, UndefinedBehavior, value::Value};
use serde_json::json;
use std::path::Path;
use std::path::PathBuf;

/// Enough for any letter; a runaway loop stops here with an error.
const FUEL: u64 = 200_000;

/// What a letter's template may name, for one copy.
pub struct LetterData<'a> {
    pub organisation: Option<&'a str>,
    pub signatory: Option<&'a crate::config::official::Signatory>,
    pub title: &'a str,
    pub reference: Option<&'a str>,
    pub marking: Option<&'a str>,
}

/// What differs between copies: the recipient, its copy number ("Copy n
/// of N") and the date written in its language.
pub struct CopyData<'a> {
    pub recipient: Option<&'a Recipient>,
    pub copy: Option<(usize, usize)>,
    pub date: String,
}

/// The letter file as read: its template text and where it came from.
#[derive(Debug, Clone)]
pub struct LetterFile {
    /// Relative to the project, as `cover_letter` names it.
    pub source: PathBuf,
    /// The file itself, to name in errors.
    pub shown: PathBuf,
    pub sha256: String,
    pub text: String,
}

/// The general copy's letter and each recipient's, rendered and read as
/// Markdown. A template error (syntax, a name no copy has, a runaway
/// loop) names the letter's file and line.
pub fn render_all(
    file: &LetterFile,
    recipients: &[Recipient],
    data: &LetterData,
    date: impl Fn(Option<&str>) -> String,
) -> Result<(Post, Vec<Post>), Diagnostic> {
    let template = LetterTemplate::new(&file.text, &file.shown)?;
    let general = CopyData {
        recipient: None,
        copy: None,
        date: date(None),
    };
    let general = template.render(data, &general, &file.shown)?;
    let total: usize = recipients.iter().map(|r| r.copies).sum();
    let mut before = 0;
    let mut each = Vec::new();
    for r in recipients {
        let copy = CopyData {
            recipient: Some(r),
            copy: Some((before + 1, total)),
            date: date(r.lang.as_deref()),
        };
        let text = template.render(data, &copy, &file.shown)?;
        before += r.copies;
        each.push(letter_post(&text, file, r.lang.as_deref())?);
    }
    Ok((letter_post(&general, file, None)?, each))
}

/// A rendered letter as a post: no title (the writers title it in the
/// packet's language), no date, the recipient's language when it has one.
/// Its `[[redact: …]]` markers are read as a post's are (a malformed one
/// is an error naming the letter's file), after the template ran, so a
/// marker may hold template values.
fn letter_post(markdown: &str, file: &LetterFile, lang: Option<&str>) -> Result<Post, Diagnostic> {
    let parsed = crate::read::markdown::parse(markdown, 1);
    let (body, footnotes) =
        crate::read::redaction::group(parsed.body, parsed.footnotes, markdown, 1)
            .map_err(|d| d.in_file(&file.shown))?;
    let post = Post {
        source: file.source.clone(),
        source_sha256: file.sha256.clone(),
        meta: Meta {
            title: String::new(),
            slug: "cover-letter".to_string(),
            date: None,
            lang: lang.unwrap_or_default().to_string(),
            authors: Vec::new(),
            tags: Vec::new(),
            summary: None,
            subtitle: None,
            marking: None,
            draft: false,
            extra: Vec::new(),
        },
        body,
        footnotes,
    };
    crate::read::redaction::check_post(&post).map_err(|d| d.in_file(&file.shown))?;
    Ok(post)
}

/// A letter's template, checked once.
pub struct LetterTemplate {
    env: Environment<'static>,
}

impl LetterTemplate {
    /// Compiles `text` (the letter file `file`); a syntax error names its
    /// line.
    pub fn new(text: &str, file: &Path) -> Result<LetterTemplate, Diagnostic> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_fuel(Some(FUEL));
        env.set_recursion_limit(20);
        env.set_formatter(|out, _state, value| {
            if value.is_none() || value.is_undefined() {
                return Ok(());
            }
            let text = value.to_string();
            let printed = if value.is_safe() {
                text
            } else {
                markdown_text(&text)
            };
            out.write_str(&printed)
                .map_err(|_| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, "write"))
        });
        env.add_template_owned("letter", text.to_string())
            .map_err(|e| template_error(&e, file))?;
        Ok(LetterTemplate { env })
    }

    /// The letter for one copy, as Markdown.
    pub fn render(
        &self,
        data: &LetterData,
        copy: &CopyData,
        file: &Path,
    ) -> Result<String, Diagnostic> {
        let recipient = match copy.recipient {
            Some(r) => json!({
                "name": r.name,
                "salutation": r.salutation.as_deref().unwrap_or(""),
                "address": r.address,
                "email": r.email,
                "lang": r.lang,
            }),
            None => json!({
                "name": "",
                "salutation": "",
                "address": [],
                "email": null,
                "lang": null,
            }),
        };
        let context = json!({
            "recipient": recipient,
            "date": copy.date,
            "organisation": data.organisation.unwrap_or(""),
            "signatory": {
                "name": data.signatory.map_or("", |s| s.name.as_str()),
                "title": data.signatory.and_then(|s| s.title.as_deref()).unwrap_or(""),
            },
            "title": data.title,
            "ref": data.reference.unwrap_or(""),
            "marking": data.marking.unwrap_or(""),
            "copy": copy.copy.map(|(n, total)| json!({"n": n, "total": total})),
        });
        let template = self
            .env
            .get_template("letter")
            .map_err(|e| template_error(&e, file))?;
        template
            .render(Value::from(minijinja::value::Serde(context)))
            .map_err(|e| template_error(&e, file))
    }
}

fn template_error(e: &minijinja::Error, file: &Path) -> Diagnostic {
    let what = match e.detail() {
        Some(detail) => format!("{}: {detail}", e.kind()),
        None => e.kind().to_string(),
    };
    let d = Diagnostic::error(format!("cover letter template: {what}"))
        .in_file(file)
        .with_hint(
            "a letter may use {{ recipient.name }}, {{ recipient.salutation }}, {{ recipient.address }}, {{ date }}, {{ organisation }}, {{ signatory.name }}, {{ signatory.title }}, {{ title }}, {{ ref }}, {{ marking }}, {{ copy.n }}",
        );
    match e.line() {
        Some(line) => d.at(line, None),
        None => d,
    }
}

/// A value as Markdown that prints it verbatim: every ASCII punctuation
/// character backslash-escaped (CommonMark allows it before any of them),
/// line breaks as spaces.
pub fn markdown_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATA: LetterData<'static> = LetterData {
        organisation: Some("Office"),
        signatory: None,
        title: "T",
        reference: Some("BO/1"),
        marking: None,
    };

    fn data(r: Option<&Recipient>) -> CopyData<'_> {
        CopyData {
            recipient: r,
            copy: None,
            date: "2 September 2025".into(),
        }
    }

    fn embassy() -> Recipient {
        Recipient {
            name: "Embassy of *X* <b>".into(),
            salutation: Some("Your Excellency".into()),
            address: vec!["1 Road".into()],
            email: None,
            lang: None,
            copies: 1,
            redact: false,
        }
    }

    #[test]
    fn each_copy_gets_its_salutation_and_values_stay_text() {
        let t = LetterTemplate::new(
            "{{ recipient.salutation or \"Excellencies\" }},\n\nTo {{ recipient.name }}, ref {{ ref }}.",
            Path::new("l.md"),
        )
        .unwrap();
        let r = embassy();
        let out = t.render(&DATA, &data(Some(&r)), Path::new("l.md")).unwrap();
        assert_eq!(
            out,
            "Your Excellency,\n\nTo Embassy of \\*X\\* \\<b\\>, ref BO\\/1."
        );
        let general = t.render(&DATA, &data(None), Path::new("l.md")).unwrap();
        assert!(general.starts_with("Excellencies,"), "{general}");
    }

    #[test]
    fn a_misspelt_name_or_a_file_include_is_an_error_with_its_line() {
        let t = LetterTemplate::new("Dear\n{{ recipient.nmae.first }}", Path::new("l.md")).unwrap();
        let e = t.render(&DATA, &data(None), Path::new("l.md")).unwrap_err();
        assert_eq!(e.line, Some(2), "{e:?}");
        // No loader and no include statement: a letter reads no file.
        assert!(LetterTemplate::new("{% include \"/etc/passwd\" %}", Path::new("l.md")).is_err());
        let e = LetterTemplate::new("a\n{% if %}", Path::new("l.md"))
            .err()
            .unwrap();
        assert_eq!(e.line, Some(2), "{e:?}");
        let t = LetterTemplate::new(
            "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
            Path::new("l.md"),
        )
        .unwrap();
        assert!(
            t.render(&DATA, &data(None), Path::new("l.md")).is_err(),
            "fuel ends a runaway loop"
        );
    }
}
