//! The package metadata epub-builder 0.8.2 cannot write, as OPF XML that
//! `package::finish_package` puts into `content.opf`: creators with their
//! roles (its own `dc:creator` is always "aut"), the publisher, the
//! collection a packet's books belong to, and the other languages of a
//! book that holds more than one.
//!
//! Roles are MARC relator codes, what reading systems and library
//! catalogues read: a front-matter `role:` may give the code itself or
//! one of the common words (`editor` → `edt`).

use crate::diag::Diagnostic;
use crate::ir::Author;
use crate::write::epub::xhtml::{Out, xml_clean};
use std::path::Path;

/// The words a `role:` may be written as, and their MARC relator codes.
const ROLES: &[(&str, &str)] = &[
    ("author", "aut"),
    ("editor", "edt"),
    ("translator", "trl"),
    ("contributor", "ctb"),
    ("illustrator", "ill"),
    ("compiler", "com"),
    ("reviewer", "rev"),
    ("researcher", "res"),
    ("publisher", "pbl"),
];

/// A person or body credited in the book, with a MARC relator code.
#[derive(Debug, Clone, PartialEq)]
pub struct Creator {
    pub name: String,
    pub role: &'static str,
}

/// One collection the book is part of: a packet, and the book's place in it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Collection {
    pub title: String,
    /// 1-based place of the brief among the packet's briefs; `None` for
    /// the packet's own book.
    pub position: Option<usize>,
}

/// What goes into the OPF besides epub-builder's own metadata.
#[derive(Debug, Clone, Default)]
pub struct BookMetadata {
    pub creators: Vec<Creator>,
    pub publisher: Option<String>,
    pub collections: Vec<Collection>,
    /// Languages of the book's documents besides the package's own.
    pub other_languages: Vec<String>,
}

/// The creators of a post's book from its authors. A role that is neither
/// a known word nor a relator code is a warning (naming `source`), and
/// the person is credited as a contributor.
pub fn creators(authors: &[Author], source: &Path, warnings: &mut Vec<Diagnostic>) -> Vec<Creator> {
    let mut out: Vec<Creator> = Vec::new();
    for a in authors {
        let (name, _) = xml_clean(a.name.trim());
        if name.is_empty() {
            continue;
        }
        let role = match a.role.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            None => "aut",
            Some(r) => relator(r).unwrap_or_else(|| {
                warnings.push(
                    Diagnostic::warning(format!(
                        "role {} of {name} is not one brief knows; the EPUB credits {name} as a contributor",
                        crate::diag::quote(r)
                    ))
                    .in_file(source)
                    .with_hint(format!(
                        "use one of {} or a MARC relator code",
                        ROLES.iter().map(|(w, _)| *w).collect::<Vec<_>>().join(", ")
                    )),
                );
                "ctb"
            }),
        };
        let creator = Creator { name, role };
        if !out.contains(&creator) {
            out.push(creator);
        }
    }
    out
}

/// The relator code of a role written as a word or as a code.
fn relator(role: &str) -> Option<&'static str> {
    let role = role.to_lowercase();
    ROLES
        .iter()
        .find(|(word, code)| *word == role || *code == role)
        .map(|(_, code)| *code)
}

impl BookMetadata {
    /// The OPF elements, one per line, indented like epub-builder's.
    pub fn opf(&self) -> String {
        let mut out = String::new();
        for (i, c) in self.creators.iter().enumerate() {
            let id = format!("creator-{}", i + 1);
            out.push_str(&format!(
                "    <dc:creator id=\"{id}\">{}</dc:creator>\n    <meta refines=\"#{id}\" property=\"role\" scheme=\"marc:relators\">{}</meta>\n",
                escape(&c.name),
                c.role
            ));
            out.push_str(&format!(
                "    <meta refines=\"#{id}\" property=\"display-seq\">{}</meta>\n",
                i + 1
            ));
        }
        if let Some(p) = self.publisher.as_deref().map(|p| xml_clean(p.trim()).0) {
            if !p.is_empty() {
                out.push_str(&format!(
                    "    <dc:publisher>{}</dc:publisher>\n",
                    escape(&p)
                ));
            }
        }
        for lang in &self.other_languages {
            out.push_str(&format!(
                "    <dc:language>{}</dc:language>\n",
                escape(lang)
            ));
        }
        for (i, c) in self.collections.iter().enumerate() {
            let (title, _) = xml_clean(c.title.trim());
            if title.is_empty() {
                continue;
            }
            let id = format!("collection-{}", i + 1);
            out.push_str(&format!(
                "    <meta property=\"belongs-to-collection\" id=\"{id}\">{}</meta>\n    <meta refines=\"#{id}\" property=\"collection-type\">set</meta>\n",
                escape(&title)
            ));
            if let Some(n) = c.position {
                out.push_str(&format!(
                    "    <meta refines=\"#{id}\" property=\"group-position\">{n}</meta>\n"
                ));
            }
        }
        out
    }
}

/// Character data for an OPF element.
fn escape(s: &str) -> String {
    let mut out = Out::default();
    out.text(s);
    out.buf
}

#[cfg(test)]
mod tests {
    use super::*;

    fn author(name: &str, role: Option<&str>) -> Author {
        Author {
            name: name.into(),
            email: None,
            role: role.map(String::from),
        }
    }

    #[test]
    fn roles_by_word_or_code_and_unknown_ones_warned() {
        let mut warnings = Vec::new();
        let c = creators(
            &[
                author("Ann", None),
                author("Bo", Some("Editor")),
                author("Cy", Some("trl")),
                author("Di", Some("sidekick")),
                author("Ann", None),
            ],
            Path::new("content/a.md"),
            &mut warnings,
        );
        let roles: Vec<(&str, &str)> = c.iter().map(|c| (c.name.as_str(), c.role)).collect();
        assert_eq!(
            roles,
            [("Ann", "aut"), ("Bo", "edt"), ("Cy", "trl"), ("Di", "ctb")]
        );
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].message.contains("sidekick"));
    }

    #[test]
    fn opf_escapes_and_refines_each_creator() {
        let m = BookMetadata {
            creators: vec![Creator {
                name: "A & B".into(),
                role: "aut",
            }],
            publisher: Some("Office <x>".into()),
            collections: vec![Collection {
                title: "Packet".into(),
                position: Some(2),
            }],
            other_languages: vec!["ko".into()],
        };
        let opf = m.opf();
        assert!(opf.contains("<dc:creator id=\"creator-1\">A &amp; B</dc:creator>"));
        assert!(
            opf.contains("refines=\"#creator-1\" property=\"role\" scheme=\"marc:relators\">aut<")
        );
        assert!(opf.contains("<dc:publisher>Office &lt;x&gt;</dc:publisher>"));
        assert!(opf.contains("property=\"belongs-to-collection\" id=\"collection-1\">Packet<"));
        assert!(opf.contains("property=\"group-position\">2<"));
        assert!(opf.contains("<dc:language>ko</dc:language>"));
    }
}
