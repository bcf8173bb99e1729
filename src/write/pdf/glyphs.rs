//! Glyphs no font covers. Typst draws them as empty boxes without a word
//! (and pdftotext still extracts the characters), so every compile walks
//! the laid-out frames for glyph id 0 itself.

use std::collections::BTreeSet;
use typst::layout::{Frame, FrameItem};
use typst_layout::PagedDocument;

/// Characters drawn with glyph id 0 (".notdef", an empty box).
pub(super) fn missing_glyphs(document: &PagedDocument) -> BTreeSet<char> {
    fn walk(frame: &Frame, out: &mut BTreeSet<char>) {
        for (_, item) in frame.items() {
            match item {
                FrameItem::Group(group) => walk(&group.frame, out),
                FrameItem::Text(text) => {
                    for glyph in text.glyphs.iter().filter(|g| g.id == 0) {
                        if let Some(s) = text.text.get(glyph.range()) {
                            out.extend(s.chars().filter(|c| !c.is_whitespace()));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    let mut out = BTreeSet::new();
    for page in document.pages() {
        walk(&page.frame, &mut out);
    }
    out
}
