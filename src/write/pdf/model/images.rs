//! Images of the PDF data: the sandbox decides what is embedded; anything
//! refused prints a placeholder with its alt text and address.

use std::path::Path;

use serde_json::{Value, json};

use super::{Converter, MAX_PRINTED_URL};
use crate::diag::quote;
use crate::write::resources::{ImageLookup, Resources};
use crate::write::shared::breaking::{address_parts, line_parts, shorten_chars};
use crate::write::shared::clean::clean;

impl Converter<'_> {
    pub(super) fn image(
        &mut self,
        src: &str,
        title: Option<&str>,
        alt: &str,
        line: usize,
    ) -> Value {
        let src = clean(src);
        let mut alt = clean(alt).trim().to_string();
        let file_name = src
            .rsplit(['/', '\\'])
            .find(|s| !s.is_empty())
            .unwrap_or("image")
            .to_string();
        if alt.is_empty() {
            alt = title
                .map(clean)
                .filter(|t| !t.trim().is_empty())
                .unwrap_or(file_name);
            self.warn(
                format!(
                    "image {} has no alt text; using {} for screen readers",
                    quote(&src),
                    quote(&alt)
                ),
                Some(line),
            );
        }
        let resolved = if self.opts.no_images {
            Err("not embedded after an image failed to load".to_string())
        } else {
            resolve_image(
                self.opts.resources,
                &src,
                self.opts.post_dir,
                self.opts.image_root,
            )
        };
        match resolved {
            Ok(path) => {
                self.embedded_images += 1;
                json!({"k": "img", "path": path, "alt": alt, "src": src})
            }
            Err(reason) => {
                self.warnings.push(
                    crate::write::shared::image_not_embedded(&src, &reason)
                        .in_file(&self.post.source)
                        .at(line, None),
                );
                json!({"k": "img", "path": null, "alt": alt, "alt_parts": line_parts(&alt), "src": address_parts(&shorten_chars(&src, MAX_PRINTED_URL), self.limit), "reason": reason})
            }
        }
    }
}

/// Applies the image policy ([`Resources::image`]) and returns the
/// image's virtual path (`{root}/…`, served by the World from the post's
/// folder) or why it is refused.
fn resolve_image(
    resources: &Resources,
    src: &str,
    post_dir: Option<&Path>,
    root: &str,
) -> Result<String, String> {
    match resources.image(src, post_dir) {
        ImageLookup::Local(image) => Ok(format!("{root}/{}", image.relative)),
        ImageLookup::Remote(_) => Err("remote images are never fetched".into()),
        ImageLookup::Refused(reason) => Err(reason),
    }
}
