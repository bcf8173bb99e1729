//! `brief watch` through the real binary: start it, change a post and wait
//! for the new output, break the post and see the error with the old
//! output kept, fix it, stop it with Ctrl-C (SIGINT): exit status 0.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Waits until `done` holds, or fails naming `what` and what was printed.
fn wait_for(what: &str, log: &Arc<Mutex<String>>, mut done: impl FnMut(&str) -> bool) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        if done(&log.lock().unwrap()) {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!(
        "timed out waiting for {what}; brief watch printed:\n{}",
        log.lock().unwrap()
    );
}

#[cfg(unix)]
#[test]
fn watch_rebuilds_a_changed_post_reports_a_broken_one_and_stops_on_ctrl_c() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::create_dir_all(p.join("content")).unwrap();
    let post = p.join("content/note.md");
    std::fs::write(
        &post,
        "---\ntitle: Note\ndate: 2025-01-02\n---\nFirst version.\n",
    )
    .unwrap();
    let mut child = common::brief()
        .args(["watch", "--format", "pdf,email"])
        .current_dir(p)
        .env_remove("SOURCE_DATE_EPOCH")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let log = Arc::new(Mutex::new(String::new()));
    let reader = {
        let log = log.clone();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut log = log.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        })
    };
    let text = p.join("output/email/note.txt");
    let read = |path: &Path| std::fs::read_to_string(path).unwrap_or_default();
    wait_for("the first build", &log, |l| {
        l.contains("watching for changes")
    });
    assert!(read(&text).contains("First version."));
    let first_pdf = std::fs::read(p.join("output/pdf/note.pdf")).unwrap();

    // A change: the new output appears, with a line per rebuilt file (a
    // line after those the first build printed).
    const PDF_LINE: &str = "rendered output/pdf/note.pdf in";
    let before = log.lock().unwrap().matches(PDF_LINE).count();
    std::fs::write(
        &post,
        "---\ntitle: Note\ndate: 2025-01-02\n---\nSecond version.\n",
    )
    .unwrap();
    wait_for("the rebuilt text", &log, |_| {
        read(&text).contains("Second version.")
    });
    wait_for("the rebuilt PDF", &log, |l| {
        l.matches(PDF_LINE).count() > before
    });
    assert_ne!(
        std::fs::read(p.join("output/pdf/note.pdf")).unwrap(),
        first_pdf
    );
    let good_pdf = std::fs::read(p.join("output/pdf/note.pdf")).unwrap();

    // A broken post: the error is reported, the last good output stays,
    // watching goes on.
    std::fs::write(&post, "---\ntitle: [never closed\n---\nThird.\n").unwrap();
    wait_for("the error", &log, |l| {
        l.contains("error: content/note.md:") && l.contains("not valid YAML")
    });
    wait_for("watching again", &log, |l| {
        l.rsplit("error: content/note.md:")
            .next()
            .unwrap_or("")
            .contains("watching for changes")
    });
    assert!(read(&text).contains("Second version."));
    assert_eq!(
        std::fs::read(p.join("output/pdf/note.pdf")).unwrap(),
        good_pdf
    );

    // Fixed: built again.
    std::fs::write(
        &post,
        "---\ntitle: Note\ndate: 2025-01-02\n---\nFourth version.\n",
    )
    .unwrap();
    wait_for("the fixed post's text", &log, |_| {
        read(&text).contains("Fourth version.")
    });

    // Ctrl-C: exit status 0.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("brief watch did not stop on SIGINT");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    reader.join().unwrap();
    assert_eq!(status.code(), Some(0), "{}", log.lock().unwrap());
}
