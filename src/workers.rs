//! The build's worker threads: `--jobs N` is N plain OS threads pulling
//! every job of a build (typesetting or not) from one queue in plan order,
//! so a build keeps N cores busy and no more. Each document a worker
//! typesets runs on that worker's own typesetting thread
//! (`write::pdf::typesetter`), which is also where the rayon work Typst
//! and krilla do inside the document goes.
//!
//! Plain threads, not a rayon pool: Typst must not be called from a task
//! of a pool that other documents are queued on. A worker waiting inside
//! one compile would steal and start another document on the same stack,
//! and at a few hundred posts the process dies of a stack overflow
//! (DESIGN.md).

use std::sync::atomic::{AtomicUsize, Ordering};

/// Runs `work` for every item on `threads` workers (clamped to the number
/// of items) pulling from a shared queue in order, evicting Typst's
/// caches after each item so memory stays bounded (a result unused for
/// ten documents is dropped, see docs/scale.md).
pub fn run_each<T: Sync>(items: &[T], threads: usize, work: &(dyn Fn(usize, &T) + Sync)) {
    let next = AtomicUsize::new(0);
    let threads = threads.clamp(1, items.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let worker = || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                work(i, item);
                typst::comemo::evict(10);
            };
            // The writers walk nested content recursively (an EPUB was
            // always written on a thread this size): give them room.
            std::thread::Builder::new()
                .name("brief-worker".into())
                .stack_size(64 << 20)
                .spawn_scoped(scope, worker)
                .expect("cannot start a worker thread");
        }
    });
}
