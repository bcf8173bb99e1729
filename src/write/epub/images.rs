//! Images for the EPUB: which ones may be embedded and with what media type.
//!
//! Which files may be read is the image policy of
//! [`Resources::image`](crate::write::resources::Resources::image), the
//! same for every edition; this module names each embedded file in the
//! package, once per file.

use crate::write::resources::{ImageLookup, Resources};
use crate::write::shared::links::{Target, link_target};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// What became of one image reference.
#[derive(Debug, Clone, PartialEq)]
pub enum Image {
    /// Embedded at `href` (relative to the content documents).
    Embedded { href: String },
    /// Not embedded; `link` is where a reader can see it, when we have an
    /// address that is safe to link to. `reason` goes into the warning.
    Unavailable {
        link: Option<String>,
        reason: String,
    },
}

/// A file to add to the package.
#[derive(Debug)]
pub struct Resource {
    pub href: String,
    pub bytes: Vec<u8>,
    pub media_type: &'static str,
}

/// Resolves image references once each and collects the files to embed.
#[derive(Debug)]
pub struct Images<'r> {
    resources: &'r Resources,
    /// The canonical folder of the post; images come from here only.
    post_dir: Option<PathBuf>,
    by_src: BTreeMap<String, Image>,
    by_path: BTreeMap<PathBuf, String>,
    /// The files to add to the package.
    pub embedded: Vec<Resource>,
    /// Prefix of embedded file names, unique per brief in a packet.
    pub prefix: String,
}

impl<'r> Images<'r> {
    /// `post_dir` is the canonical folder of the post's source file.
    pub fn new(resources: &'r Resources, post_dir: Option<PathBuf>) -> Images<'r> {
        Images {
            resources,
            post_dir,
            by_src: BTreeMap::new(),
            by_path: BTreeMap::new(),
            embedded: Vec::new(),
            prefix: String::new(),
        }
    }

    pub fn resolve(&mut self, src: &str) -> Image {
        if let Some(known) = self.by_src.get(src) {
            return known.clone();
        }
        let image = self.resolve_new(src);
        self.by_src.insert(src.to_string(), image.clone());
        image
    }

    fn resolve_new(&mut self, src: &str) -> Image {
        let unavailable = |link: Option<String>, reason: &str| Image::Unavailable {
            link,
            reason: reason.to_string(),
        };
        let local = match self.resources.image(src, self.post_dir.as_deref()) {
            ImageLookup::Local(local) => local,
            ImageLookup::Remote(address) => {
                return match link_target(&address, None) {
                    Target::External(url) => {
                        unavailable(Some(url), "remote images are never fetched")
                    }
                    // (Resources::image only calls web addresses remote.)
                    _ => unavailable(
                        None,
                        "its address is not a file of the post's folder or a web address",
                    ),
                };
            }
            ImageLookup::Refused(reason) => return unavailable(None, &reason),
        };
        if let Some(href) = self.by_path.get(&local.file) {
            return Image::Embedded { href: href.clone() };
        }
        let href = format!(
            "images/{}image-{}.{}",
            self.prefix,
            self.embedded.len() + 1,
            local.extension
        );
        self.by_path.insert(local.file, href.clone());
        self.embedded.push(Resource {
            href: href.clone(),
            bytes: local.bytes,
            media_type: local.media_type,
        });
        Image::Embedded { href }
    }
}
