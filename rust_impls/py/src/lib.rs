//! `audiobench._rust`: the Python face of audiobench-core.
//!
//! One module; thin wrappers only. Tier prefixes tell the tiers apart: plain names are
//! `rust-direct`, `Parallel*` classes `rust-direct-mt`, `Fast*` classes and `AudioProcessor` are `rust-fast`, `json_*` functions and
//! `JsonChunkBuffer` are `rust-json`. Every kernel runs with the GIL released; every core error
//! becomes an exception from [`errors`]; inputs are zero-copy read-only numpy views.

mod args;
mod arrays;
mod direct;
mod errors;
mod fast;
mod info;
mod json;
mod kernels;
mod limit;
mod panics;
mod parallel;
mod probe;

use std::sync::{Mutex, MutexGuard};

use pyo3::prelude::*;

/// Lock a per-object mutex. Kernels hold no invariants across a panic (and none panics on
/// input), so a poisoned lock is taken over rather than turned into a second failure.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[pymodule]
fn _rust(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    direct::register(m)?;
    parallel::register(m)?;
    fast::register(m)?;
    json::register(m)?;
    kernels::register(m)?;
    info::register(m)?;
    limit::register(m)?;
    probe::register(m)?;
    panics::register(m)?;
    Ok(())
}
