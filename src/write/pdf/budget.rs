//! How long one document may typeset: `[pdf] time_limit_seconds` counts the
//! CPU time of its typesetting thread, not the wall clock, so a machine
//! busy with other work (a CI runner, a shared server, the rest of a big
//! build) does not fail a document that is merely slow to be scheduled.
//! A wall-clock backstop, several times the limit, still ends a document
//! whose thread is stuck without using the CPU.
//!
//! The budget reads only the thread's CPU clock, never the time of day: no
//! output byte depends on it (the writers' rule against the clock is about
//! what a file holds).

use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

/// How much longer than the CPU limit a document may take by the wall
/// clock before it is given up as stuck.
const WALL_BACKSTOP: u32 = 10;
/// How often the waiting thread looks at the typesetter's CPU clock.
const SLICE: Duration = Duration::from_millis(200);

/// Why waiting for a document ended without its result.
#[derive(Debug, PartialEq, Eq)]
pub enum Ended {
    OutOfTime,
    /// The typesetting thread ended without sending (it crashed).
    Crashed,
}

/// The CPU clock of the thread that calls [`ThreadClock::current`], to be
/// read from another thread.
#[derive(Debug, Clone, Copy)]
pub struct ThreadClock(#[cfg(target_os = "linux")] libc::clockid_t);

impl ThreadClock {
    /// The calling thread's clock; `None` where the platform has none
    /// (then the limit is wall-clock time).
    pub fn current() -> Option<ThreadClock> {
        #[cfg(target_os = "linux")]
        {
            let mut id: libc::clockid_t = 0;
            // SAFETY: pthread_self is always valid for the calling thread,
            // and `id` is a valid place to write the clock id.
            let ok = unsafe { libc::pthread_getcpuclockid(libc::pthread_self(), &mut id) } == 0;
            ok.then_some(ThreadClock(id))
        }
        #[cfg(not(target_os = "linux"))]
        {
            None
        }
    }

    /// The CPU time the thread has used; `None` once it has ended.
    fn used(&self) -> Option<Duration> {
        #[cfg(target_os = "linux")]
        {
            let mut ts = libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            };
            // SAFETY: `ts` is a valid timespec to write; a clock id of an
            // ended thread makes the call fail, not misbehave.
            let ok = unsafe { libc::clock_gettime(self.0, &mut ts) } == 0;
            ok.then(|| Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32))
        }
        #[cfg(not(target_os = "linux"))]
        {
            None
        }
    }
}

/// Waits for the typesetter's result: at most `limit` of its CPU time (of
/// wall time when its clock cannot be read), and at most
/// [`WALL_BACKSTOP`] × `limit` of wall time in any case.
pub fn wait<T>(
    result: &Receiver<T>,
    limit: Duration,
    clock: Option<ThreadClock>,
) -> Result<T, Ended> {
    let backstop = limit.saturating_mul(WALL_BACKSTOP);
    let mut waited = Duration::ZERO;
    loop {
        let slice = SLICE.min(limit.saturating_sub(waited).max(Duration::from_millis(1)));
        match result.recv_timeout(slice) {
            Ok(value) => return Ok(value),
            Err(RecvTimeoutError::Disconnected) => return Err(Ended::Crashed),
            Err(RecvTimeoutError::Timeout) => {}
        }
        waited += slice;
        let used = clock.and_then(|c| c.used()).unwrap_or(waited);
        if used >= limit || waited >= backstop {
            // A last look: the result may have come with the last slice.
            return result.try_recv().map_err(|_| Ended::OutOfTime);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn a_sleeping_thread_uses_no_cpu_and_is_waited_for() {
        let (tx, rx) = mpsc::channel();
        let (clock_tx, clock_rx) = mpsc::channel();
        std::thread::spawn(move || {
            clock_tx.send(ThreadClock::current()).unwrap();
            // Longer than the limit by the wall clock, nothing by the CPU.
            std::thread::sleep(Duration::from_millis(600));
            tx.send(7).unwrap();
        });
        let clock = clock_rx.recv().unwrap();
        let limit = Duration::from_millis(300);
        match clock {
            Some(_) => assert_eq!(wait(&rx, limit, clock), Ok(7)),
            None => assert_eq!(wait(&rx, limit, clock), Err(Ended::OutOfTime)),
        }
    }

    #[test]
    fn a_busy_thread_runs_out_of_time() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicBool, Ordering};
        let (tx, rx) = mpsc::channel::<u64>();
        let (clock_tx, clock_rx) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        std::thread::spawn(move || {
            clock_tx.send(ThreadClock::current()).unwrap();
            let mut x = 0u64;
            while !stopped.load(Ordering::Relaxed) {
                x = std::hint::black_box(x.wrapping_add(1));
            }
            let _ = tx.send(x);
        });
        let clock = clock_rx.recv().unwrap();
        let waited = wait(&rx, Duration::from_millis(300), clock);
        stop.store(true, Ordering::Relaxed);
        assert_eq!(waited, Err(Ended::OutOfTime));
    }

    #[test]
    fn a_crashed_thread_is_told() {
        let (tx, rx) = mpsc::channel::<u8>();
        drop(tx);
        assert_eq!(wait(&rx, Duration::from_secs(1), None), Err(Ended::Crashed));
    }
}
