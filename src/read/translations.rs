//! Which posts are translations of one another: the same
//! `translation_key:` (or Hugo's `translationKey:`) in the front matter,
//! or, as Hugo names them, the same file name but for a language suffix
//! (`post.md`, `post.ko.md`). Packets use it to set a brief in several
//! languages.

use crate::ir::{Post, is_language_tag};

/// The key a post shares with its translations.
pub fn key(post: &Post) -> String {
    let declared = post
        .meta
        .extra
        .iter()
        .find(|(k, _)| k == "translation_key" || k == "translationKey")
        .and_then(|(_, v)| v.as_str())
        .map(str::trim)
        .filter(|k| !k.is_empty());
    if let Some(k) = declared {
        return format!("key:{k}");
    }
    let stem = super::file_stem_for_slug(&post.source);
    let base = match stem.rsplit_once('.') {
        Some((base, suffix)) if is_language_tag(suffix) && suffix.len() <= 8 => base,
        _ => stem.as_str(),
    };
    let folder = post
        .source
        .parent()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!("file:{folder}/{base}")
}

/// Whether a post is written in `lang` (`ko` matches `ko-KR`).
pub fn is_in(post: &Post, lang: &str) -> bool {
    let primary = |t: &str| {
        t.split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase()
    };
    post.meta.lang.eq_ignore_ascii_case(lang)
        || (!lang.contains('-') && primary(&post.meta.lang) == primary(lang))
}

/// The version of `post` in `lang` among `posts`: the post itself when it
/// is in that language, else a translation.
pub fn in_language<'p>(post: &'p Post, lang: &str, posts: &'p [Post]) -> Option<&'p Post> {
    if is_in(post, lang) {
        return Some(post);
    }
    let k = key(post);
    posts.iter().find(|p| is_in(p, lang) && key(p) == k)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn post(path: &str, lang: &str, extra: &[(&str, &str)]) -> Post {
        let md = format!(
            "---\ntitle: T\nlang: {lang}\n{}---\nText.\n",
            extra
                .iter()
                .map(|(k, v)| format!("{k}: {v}\n"))
                .collect::<String>()
        );
        crate::read::parse_post(Path::new(path), md.as_bytes(), "en")
            .unwrap()
            .post
    }

    #[test]
    fn hugo_suffixes_and_keys_link_translations() {
        let posts = vec![
            post("content/a.md", "en", &[]),
            post("content/a.ko.md", "ko", &[]),
            post("content/b.md", "en", &[("translation_key", "bee")]),
            post("content/b-japanese.md", "ja", &[("translation_key", "bee")]),
            post("content/c.md", "en", &[]),
        ];
        assert_eq!(
            in_language(&posts[0], "ko", &posts).map(|p| &p.source),
            Some(&posts[1].source)
        );
        assert_eq!(
            in_language(&posts[1], "en", &posts).map(|p| &p.source),
            Some(&posts[0].source)
        );
        assert_eq!(
            in_language(&posts[2], "ja", &posts).map(|p| &p.source),
            Some(&posts[3].source)
        );
        assert!(in_language(&posts[4], "ko", &posts).is_none());
        assert!(in_language(&posts[0], "ja", &posts).is_none());
    }
}
