//! A laid-out page as PNG bytes (the EPUB cover), drawn by typst-render.
//! Deterministic: the same page gives the same pixels and the PNG encoder
//! writes no time or other varying chunk.

use typst::utils::Scalar;
use typst_layout::PagedDocument;
use typst_render::RenderOptions;

/// The first page of `document`, scaled so its longer side is `long_side`
/// pixels.
pub(super) fn first_page_png(document: &PagedDocument, long_side: u32) -> Result<Vec<u8>, String> {
    let page = document
        .pages()
        .first()
        .ok_or("the cover template made no page")?;
    let size = page.frame.size();
    let longer = size.x.to_pt().max(size.y.to_pt());
    if !(longer.is_finite() && longer >= 1.0) {
        return Err("the cover page has no size".into());
    }
    let options = RenderOptions {
        pixel_per_pt: Scalar::new(f64::from(long_side) / longer),
        render_bleed: false,
    };
    typst_render::render(page, &options)
        .encode_png()
        .map_err(|e| e.to_string())
}
