//! A laid-out page as PNG bytes (the EPUB cover), drawn by typst-render.
//! Deterministic: the same page gives the same pixels and the PNG encoder
//! writes no time or other varying chunk.
//!
//! An opaque page (a cover always is) is written as RGB with the `png`
//! crate's fast compression: tiny-skia's own encoder (RGBA, alpha
//! un-premultiplied, default compression) was about 60% of the EPUB
//! edition's CPU time (perf, 100 generated posts). The fast compressor
//! leaves runs an LZ coder finds, and the EPUB's zip deflates the PNG to
//! about half; the two together cost less than one strong compression
//! (6 + 4 ms against 14 ms a cover, measured on a typeset cover).

use std::io::Write;
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
    match opaque_png(pixmap.data(), pixmap.width(), pixmap.height())? {
        Some(png) => Ok(png),
        None => pixmap.encode_png().map_err(|e| e.to_string()),
    }
}

/// `rgba` (premultiplied, `width` × `height`) as an RGB PNG, or `None`
/// when a pixel is not opaque. Rows are converted one at a time into the
/// encoder's stream, so the ~11 MB RGB copy of a cover is never made; the
/// opacity check rides along (for an opaque pixel, premultiplied and
/// straight colours are the same).
fn opaque_png(rgba: &[u8], width: u32, height: u32) -> Result<Option<Vec<u8>>, String> {
    let err = |e: png::EncodingError| e.to_string();
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    // One filter for every row instead of the best of five per row: a
    // third less encoding time, and the book (whose zip deflates the PNG
    // again) is within 0.3% of the size (a typeset cover, 1600 × 2400).
    encoder.set_filter(png::Filter::Sub);
    let mut writer = encoder.write_header().map_err(err)?;
    let mut stream = writer.stream_writer().map_err(err)?;
    let mut row = vec![0u8; width as usize * 3];
    for pixels in rgba.chunks_exact(width as usize * 4) {
        let mut alpha = 255u8;
        for (to, from) in row.chunks_exact_mut(3).zip(pixels.chunks_exact(4)) {
            to.copy_from_slice(&from[..3]);
            alpha &= from[3];
        }
        if alpha != 255 {
            return Ok(None);
        }
        stream.write_all(&row).map_err(|e| e.to_string())?;
    }
    stream.finish().map_err(err)?;
    writer.finish().map_err(err)?;
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(png: &[u8]) -> (png::OutputInfo, Vec<u8>) {
        let mut reader = png::Decoder::new(std::io::Cursor::new(png))
            .read_info()
            .unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut pixels).unwrap();
        pixels.truncate(info.buffer_size());
        (info, pixels)
    }

    #[test]
    fn an_opaque_image_is_written_as_rgb_with_every_pixel() {
        let (w, h) = (5u32, 3u32);
        let rgba: Vec<u8> = (0..w * h)
            .flat_map(|i| [i as u8, (i * 7) as u8, (i * 13) as u8, 255])
            .collect();
        let png = opaque_png(&rgba, w, h).unwrap().expect("opaque");
        let (info, pixels) = decode(&png);
        assert_eq!((info.width, info.height), (w, h));
        assert_eq!(info.color_type, png::ColorType::Rgb);
        let rgb: Vec<u8> = rgba
            .chunks_exact(4)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect();
        assert_eq!(pixels, rgb);
    }

    #[test]
    fn one_translucent_pixel_in_the_last_row_refuses_rgb() {
        let (w, h) = (4u32, 4u32);
        let mut rgba = vec![255u8; (w * h * 4) as usize];
        rgba[(w * h * 4 - 1) as usize] = 254;
        assert!(opaque_png(&rgba, w, h).unwrap().is_none());
    }
}
