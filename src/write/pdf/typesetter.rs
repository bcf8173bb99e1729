//! The thread a document is typeset on. Typst cannot be interrupted, so a
//! compile runs on a thread other than its caller's, which waits at most
//! the document's time limit (`budget`) and gives up on it after that.
//!
//! Each calling thread (a build's worker) keeps one typesetting thread for
//! all its documents instead of starting one per document: a one-thread
//! rayon pool. Being a pool, it is also where the rayon work Typst and
//! krilla do inside the document runs (page runs laid out in parallel,
//! each page's content compressed by `rayon::spawn`), so that work is
//! counted in the document's time budget and a build with `--jobs N` keeps
//! N cores busy: from a plain thread, that work went to rayon's global
//! pool, sized by the machine's cores whatever `--jobs` said. Only the
//! caller ever gives the pool work, one document at a time, so no document
//! can start inside another's (DESIGN.md). A thread whose document ran out
//! of time is still at work on it: it is let go, detached, and the next
//! document gets a new one.

use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;
use std::time::Duration;

use super::budget::{self, Ended, ThreadClock};

/// Typst recurses deeply on nested content: give it room.
const STACK_SIZE: usize = 64 << 20;

thread_local! {
    /// This thread's typesetter, between two documents.
    static OWN: RefCell<Option<rayon::ThreadPool>> = const { RefCell::new(None) };
}

/// Why a document has no result.
pub enum Stopped {
    /// `budget::wait` gave up, or the document's thread ended without one.
    Ended(Ended),
    /// No typesetting thread could be started.
    NoThread(String),
}

/// Runs `work` on this thread's typesetter and waits for it: at most
/// `limit` of the typesetter's CPU time (`budget::wait`) when a limit is
/// set. A panic in `work` is caught: `Ended::Crashed`.
pub fn run<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
    limit: Option<Duration>,
) -> Result<T, Stopped> {
    let pool = match OWN.with(|own| own.borrow_mut().take()) {
        Some(pool) => pool,
        None => rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .stack_size(STACK_SIZE)
            .thread_name(|_| "brief-typeset".into())
            .build()
            .map_err(|e| Stopped::NoThread(e.to_string()))?,
    };
    let (done, result) = mpsc::channel();
    let (clock_tx, clock_rx) = mpsc::channel();
    pool.spawn(move || {
        let _ = clock_tx.send(ThreadClock::current());
        let _ = done.send(catch_unwind(AssertUnwindSafe(work)).ok());
    });
    let outcome = match limit {
        Some(limit) => budget::wait(&result, limit, clock_rx.recv().ok().flatten()),
        None => result.recv().map_err(|_| Ended::Crashed),
    };
    // Kept only when it finished: one that ran out of time is still busy
    // with the document given up on (dropping the pool lets its thread end
    // once it is done).
    if outcome.is_ok() {
        OWN.with(|own| *own.borrow_mut() = Some(pool));
    }
    match outcome {
        Ok(Some(value)) => Ok(value),
        Ok(None) => Err(Stopped::Ended(Ended::Crashed)),
        Err(ended) => Err(Stopped::Ended(ended)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    /// Burns about `cpu` of this thread's CPU time.
    fn burn(cpu: Duration) {
        // Counted from a reading of its own, so that the burn does not
        // lean on the rule under test.
        let clock = ThreadClock::current().expect("a CPU clock on Linux");
        let start = clock.used().unwrap_or_default();
        let mut x = 0u64;
        while clock
            .used()
            .is_some_and(|used| used.saturating_sub(start) < cpu)
        {
            x = std::hint::black_box(x.wrapping_add(1));
        }
    }

    #[test]
    fn rayon_work_inside_a_document_stays_on_its_one_thread() {
        let seen = run(
            || {
                use rayon::prelude::*;
                let on = (0..64)
                    .into_par_iter()
                    .map(|_| rayon::current_thread_index())
                    .collect::<Vec<_>>();
                (rayon::current_num_threads(), on)
            },
            None,
        );
        let Ok((threads, on)) = seen else {
            panic!("the document did not typeset")
        };
        assert_eq!(threads, 1);
        assert!(on.iter().all(|i| *i == Some(0)), "{on:?}");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn each_document_is_charged_only_its_own_time_on_a_kept_thread() {
        // Three documents of 450 ms each on the same typesetter, limit
        // 1 s (looked at every 200 ms): the third would be over it if the
        // clock counted from the thread's start.
        for n in 0..3 {
            let ran = run(
                || burn(Duration::from_millis(450)),
                Some(Duration::from_secs(1)),
            );
            assert!(ran.is_ok(), "document {n} ran out of time");
        }
    }

    #[test]
    fn after_a_document_runs_out_of_time_the_next_gets_a_new_thread() {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let endless = run(
            move || {
                while !stopped.load(Ordering::Relaxed) {
                    std::hint::spin_loop();
                }
            },
            Some(Duration::from_millis(200)),
        );
        assert!(matches!(endless, Err(Stopped::Ended(Ended::OutOfTime))));
        // The first typesetter is still spinning: this one must not wait
        // behind it.
        let next = run(|| 7, Some(Duration::from_millis(2000)));
        stop.store(true, Ordering::Relaxed);
        assert!(matches!(next, Ok(7)));
    }

    #[test]
    fn a_panic_is_a_crash_and_the_thread_is_kept_usable() {
        let crashed = run(|| -> u8 { panic!("typst bug") }, None);
        assert!(matches!(crashed, Err(Stopped::Ended(Ended::Crashed))));
        assert!(matches!(run(|| 1, None), Ok(1)));
    }
}
