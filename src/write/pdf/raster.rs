//! A laid-out page as PNG bytes (the EPUB cover), drawn by typst-render.
//! Deterministic: the same page gives the same pixels and the PNG encoder
//! writes no time or other varying chunk.
//!
//! An opaque page (a cover always is) is written as RGB with the `png`
//! crate's fast compression: tiny-skia's own encoder (RGBA, alpha
//! un-premultiplied, default compression) was about 60% of the EPUB
//! edition's CPU time (perf, 100 generated posts).

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
    let pixmap = typst_render::render(page, &options);
    let rgba = pixmap.data();
    if !rgba.chunks_exact(4).all(|p| p[3] == 255) {
        return pixmap.encode_png().map_err(|e| e.to_string());
    }
    // Opaque: premultiplied and straight colours are the same.
    let rgb: Vec<u8> = rgba
        .chunks_exact(4)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect();
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
    writer.write_image_data(&rgb).map_err(|e| e.to_string())?;
    writer.finish().map_err(|e| e.to_string())?;
    Ok(out)
}
