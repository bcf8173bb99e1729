//! Front-matter keys: the ones brief reads, the ones other site engines
//! use (known, kept as data, never warned about), and the warning for a
//! key that looks like a misspelt brief key (`titel:` → `title`), which
//! would otherwise be kept silently as data while the brief is titled
//! after its file name.

use crate::diag::{Diagnostic, did_you_mean};

/// Every key `read::meta` gives a meaning to.
pub const BRIEF_KEYS: &[&str] = &[
    "title",
    "slug",
    "date",
    "lang",
    "language",
    "author",
    "authors",
    "by",
    "tags",
    "categories",
    "category",
    "keywords",
    "summary",
    "description",
    "excerpt",
    "subtitle",
    "marking",
    "classification",
    "draft",
    "published",
    // Read by the EPUB edition (its cover image).
    "cover",
];

/// Keys of Jekyll, Hugo, Zola, Docusaurus, Astro (and the Go blog) that
/// brief does not use: posts moved from those engines carry them.
pub const SITE_ENGINE_KEYS: &[&str] = &[
    // Jekyll
    "layout",
    "permalink",
    "excerpt_separator",
    "redirect_from",
    "redirect_to",
    "sitemap",
    "comments",
    "image",
    "toc",
    "render_with_liquid",
    "last_modified_at",
    // Hugo
    "aliases",
    "weight",
    "linkTitle",
    "expiryDate",
    "publishDate",
    "lastmod",
    "type",
    "url",
    "series",
    "images",
    "menu",
    "outputs",
    "params",
    "resources",
    "cascade",
    "build",
    "markup",
    "headless",
    "isCJKLanguage",
    "translationKey",
    "videos",
    "audio",
    "expirydate",
    "publishdate",
    "linktitle",
    "toc_hide",
    "hide_summary",
    // Zola
    "template",
    "path",
    "in_search_index",
    "extra",
    "taxonomies",
    "updated",
    "render",
    "insert_anchor_links",
    // Docusaurus
    "id",
    "sidebar_label",
    "sidebar_position",
    "sidebar_class_name",
    "sidebar_custom_props",
    "hide_title",
    "hide_table_of_contents",
    "toc_min_heading_level",
    "toc_max_heading_level",
    "pagination_label",
    "pagination_next",
    "pagination_prev",
    "custom_edit_url",
    "parse_number_prefixes",
    "unlisted",
    "last_update",
    "hide_reading_time",
    "displayed_sidebar",
    // Astro
    "pubDate",
    "updatedDate",
    "heroImage",
    "setup",
    "canonical_url",
    "canonicalURL",
];

/// A warning for `key` when brief does not know it, no site engine uses
/// it, and it is a few letters away from a key brief reads. Other unknown
/// keys are data (kept in `extra`), without a word: corpora carry tool
/// keys of their own (`cSpell`, `default_lang_commit`) and a warning for
/// each would bury the typos.
pub fn misspelt(key: &str) -> Option<Diagnostic> {
    if BRIEF_KEYS.contains(&key) || SITE_ENGINE_KEYS.contains(&key) {
        return None;
    }
    let near = did_you_mean(key, BRIEF_KEYS)?;
    Some(
        Diagnostic::warning(format!(
            "unknown front-matter key `{}`: kept as data, not read",
            crate::diag::one_line(key)
        ))
        .with_hint(near),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_are_caught_and_site_engine_keys_are_not() {
        for (typo, meant) in [("titel", "title"), ("sumary", "summary"), ("dat", "date")] {
            let w = misspelt(typo).unwrap_or_else(|| panic!("{typo}"));
            assert_eq!(
                w.hint.as_deref(),
                Some(format!("did you mean \"{meant}\"?").as_str())
            );
        }
        for quiet in [
            "layout",
            "permalink",
            "aliases",
            "weight",
            "sidebar_position",
            "cSpell",
            "title",
        ] {
            assert!(misspelt(quiet).is_none(), "{quiet}");
        }
    }
}
