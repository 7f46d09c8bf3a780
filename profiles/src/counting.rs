//! A counting global allocator: every allocation, reallocation and free in the process, with
//! bytes, so a stage's allocation profile is an exact number rather than an estimate.
//!
//! Two sets of counters: process-wide atomics, read around a whole call (the JSON tier also
//! allocates on executor threads), and per-thread ones, read around one stage, so that a
//! worker thread finishing the previous task cannot leak its allocations into the caller's
//! next stage (with global counters those per-stage counts were found to vary run to run).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

thread_local! {
    // `const` and without a destructor: safe to touch from inside the allocator at any point
    // of a thread's life.
    static LOCAL: Cell<[u64; 4]> = const { Cell::new([0; 4]) };
}

fn local_add(index: usize, n: u64) {
    LOCAL.with(|c| {
        let mut v = c.get();
        v[index] += n;
        c.set(v);
    });
}

/// Wraps the system allocator and counts.
pub struct Counting;

static ALLOCS: AtomicU64 = AtomicU64::new(0);
static DEALLOCS: AtomicU64 = AtomicU64::new(0);
static REALLOCS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);

// SAFETY: every method forwards to `System` unchanged; the counters have no effect on memory.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        BYTES.fetch_add(layout.size() as u64, Relaxed);
        local_add(0, 1);
        local_add(3, layout.size() as u64);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        BYTES.fetch_add(layout.size() as u64, Relaxed);
        local_add(0, 1);
        local_add(3, layout.size() as u64);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        DEALLOCS.fetch_add(1, Relaxed);
        local_add(1, 1);
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        REALLOCS.fetch_add(1, Relaxed);
        BYTES.fetch_add(new_size.saturating_sub(layout.size()) as u64, Relaxed);
        local_add(2, 1);
        local_add(3, new_size.saturating_sub(layout.size()) as u64);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// A reading of the counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub allocs: u64,
    pub deallocs: u64,
    pub reallocs: u64,
    /// Bytes requested by allocations plus growth requested by reallocations.
    pub bytes: u64,
}

impl Counts {
    /// This thread's counters.
    pub fn this_thread() -> Self {
        let [allocs, deallocs, reallocs, bytes] = LOCAL.with(Cell::get);
        Self { allocs, deallocs, reallocs, bytes }
    }

    /// The process's counters.
    pub fn now() -> Self {
        Self {
            allocs: ALLOCS.load(Relaxed),
            deallocs: DEALLOCS.load(Relaxed),
            reallocs: REALLOCS.load(Relaxed),
            bytes: BYTES.load(Relaxed),
        }
    }

    pub fn plus(self, other: Counts) -> Counts {
        Counts {
            allocs: self.allocs + other.allocs,
            deallocs: self.deallocs + other.deallocs,
            reallocs: self.reallocs + other.reallocs,
            bytes: self.bytes + other.bytes,
        }
    }

    pub fn since(self, before: Counts) -> Counts {
        Counts {
            allocs: self.allocs - before.allocs,
            deallocs: self.deallocs - before.deallocs,
            reallocs: self.reallocs - before.reallocs,
            bytes: self.bytes - before.bytes,
        }
    }
}
