//! One slug per post, so no two posts write the same output files.
//!
//! A slug a post *declares* (`slug:` in its front matter) is the author's
//! choice: two posts that declare the same one are both refused, each
//! error naming the other. A slug *derived* from a file name is a guess:
//! when it collides (Jekyll's `2014-09-15-Rust-1.0.md` and
//! `2015-05-15-Rust-1.0.md`, or one post in two folders), every post of the
//! collision that did not declare it gets a longer, readable slug — its
//! file name with the date kept, else its folder names before it — with a
//! warning, so both build, as Jekyll and Hugo build both. A slug counts as
//! derived when it is exactly what the file name gives (a declared slug
//! equal to its own file name is renamed like a derived one).

use crate::diag::{Diagnostic, quote};
use crate::ir::{Post, safe_slug};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Settles the slugs of `posts` (in path order). Returns the posts that
/// build, with their final slugs, and the diagnostics: a warning for each
/// renamed post, an error for each post refused.
pub fn settle(mut posts: Vec<Post>) -> (Vec<Post>, Vec<Diagnostic>) {
    let mut by_slug: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, post) in posts.iter().enumerate() {
        by_slug.entry(post.meta.slug.clone()).or_default().push(i);
    }
    let mut taken: BTreeSet<String> = by_slug.keys().cloned().collect();
    let mut refused = BTreeSet::new();
    let mut diagnostics = Vec::new();
    for (slug, members) in by_slug.iter().filter(|(_, m)| m.len() > 1) {
        let (derived, declared): (Vec<usize>, Vec<usize>) = members
            .iter()
            .partition(|&&i| derived_slug(&posts[i].source) == *slug);
        if declared.len() > 1 {
            for &i in &declared {
                let others: Vec<String> = declared
                    .iter()
                    .filter(|&&j| j != i)
                    .map(|&j| posts[j].source.display().to_string())
                    .collect();
                diagnostics.push(
                    Diagnostic::error(format!(
                        "slug {} is also declared by {}; neither is built",
                        quote(slug),
                        others.join(", ")
                    ))
                    .in_file(&posts[i].source)
                    .with_hint("give each post its own `slug:` in the front matter"),
                );
                refused.insert(i);
            }
        }
        for &i in &derived {
            let others: Vec<String> = members
                .iter()
                .filter(|&&j| j != i)
                .map(|&j| posts[j].source.display().to_string())
                .collect();
            let renamed = longer_slug(&posts[i].source, slug, &taken);
            taken.insert(renamed.clone());
            diagnostics.push(
                Diagnostic::warning(format!(
                    "slug {} is also the slug of {}; this post is built as {}",
                    quote(slug),
                    others.join(", "),
                    quote(&renamed)
                ))
                .in_file(&posts[i].source)
                .with_hint("give the post its own `slug:` in the front matter to choose its name"),
            );
            posts[i].meta.slug = renamed;
        }
    }
    let kept = posts
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !refused.contains(i))
        .map(|(_, p)| p)
        .collect();
    (kept, diagnostics)
}

/// The slug a file name gives (see `read::read_post`).
fn derived_slug(path: &Path) -> String {
    let stem = super::file_stem_for_slug(path);
    let source = match super::dates::from_file_stem(&stem) {
        Some((_, rest)) => rest.to_string(),
        None => stem,
    };
    safe_slug(&source)
}

/// A slug for the post at `path` that is not in `taken`: the whole file
/// name (with a Jekyll date) when that differs, else the folder names
/// before it, nearest first, until it is unique; a number as a last resort.
fn longer_slug(path: &Path, slug: &str, taken: &BTreeSet<String>) -> String {
    let stem = safe_slug(&super::file_stem_for_slug(path));
    if stem != slug && !taken.contains(&stem) {
        return stem;
    }
    // For a bundle (`check-cfg/index.md`) the folder is the name already.
    let mut folder: Option<PathBuf> = path.parent().map(Path::to_path_buf);
    if super::file_stem_for_slug(path) != path.file_stem().unwrap_or_default().to_string_lossy() {
        folder = folder.and_then(|f| f.parent().map(Path::to_path_buf));
    }
    let mut candidate = slug.to_string();
    while let Some(dir) = folder {
        let Some(name) = dir.file_name() else {
            break;
        };
        candidate = safe_slug(&format!("{}-{candidate}", name.to_string_lossy()));
        if !taken.contains(&candidate) {
            return candidate;
        }
        folder = dir.parent().map(Path::to_path_buf);
    }
    (2..)
        .map(|n| format!("{slug}-{n}"))
        .find(|c| !taken.contains(c))
        .unwrap_or_else(|| slug.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(path: &str, slug: &str) -> Post {
        let mut read = crate::read::parse_post(Path::new(path), b"Text.\n", "en").unwrap();
        read.post.meta.slug = slug.to_string();
        read.post
    }

    #[test]
    fn derived_collisions_both_build_with_readable_slugs() {
        let (posts, diagnostics) = settle(vec![
            post("content/rust/2014-09-15-Rust-1.0.md", "Rust-1.0"),
            post("content/rust/2015-05-15-Rust-1.0.md", "Rust-1.0"),
            post("content/a/inside/check-cfg.md", "check-cfg"),
            post("content/b/check-cfg/index.md", "check-cfg"),
        ]);
        let slugs: Vec<&str> = posts.iter().map(|p| p.meta.slug.as_str()).collect();
        assert_eq!(
            slugs,
            [
                "2014-09-15-Rust-1.0",
                "2015-05-15-Rust-1.0",
                "inside-check-cfg",
                "b-check-cfg"
            ]
        );
        assert_eq!(diagnostics.len(), 4);
        assert!(diagnostics.iter().all(|d| !d.is_error()));
    }

    #[test]
    fn two_declared_slugs_that_collide_are_refused() {
        let (posts, diagnostics) = settle(vec![
            post("content/one.md", "same"),
            post("content/two.md", "same"),
            post("content/same.md", "same"),
        ]);
        assert_eq!(posts.len(), 1);
        assert_eq!(posts[0].meta.slug, "content-same");
        assert_eq!(diagnostics.iter().filter(|d| d.is_error()).count(), 2);
    }
}
