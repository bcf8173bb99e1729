//! Renders posts to PDF with timing, for looking at pages and measuring:
//! `cargo run --release --example pdf_one -- OUT_DIR FILE...`
fn main() {
    let mut args = std::env::args().skip(1);
    let out = std::path::PathBuf::from(args.next().expect("out dir"));
    std::fs::create_dir_all(&out).unwrap();
    let ctx = brief::write::Context::new(
        brief::config::Config::default(),
        &std::env::current_dir().unwrap(),
        None,
        0,
    );
    for path in args {
        let post = match brief::read::read_post(std::path::Path::new(&path), "en") {
            Ok(r) => r.post,
            Err(d) => {
                eprintln!("{d}");
                continue;
            }
        };
        let t = std::time::Instant::now();
        let r = brief::write::pdf::render(&post, &ctx);
        let el = t.elapsed();
        typst::comemo::evict(10);
        match r {
            Ok(r) => {
                println!(
                    "{:>8.1} ms {:>8} B {:>3} warnings {path}",
                    el.as_secs_f64() * 1e3,
                    r.bytes.len(),
                    r.warnings.len()
                );
                std::fs::write(out.join(format!("{}.pdf", post.meta.slug)), &r.bytes).unwrap();
            }
            Err(d) => println!("{:>8.1} ms ERROR {path}: {d}", el.as_secs_f64() * 1e3),
        }
    }
}
