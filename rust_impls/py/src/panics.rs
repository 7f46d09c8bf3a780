//! Panic accounting, so the test suite can prove that no panic happened behind its back.
//!
//! The crate is built with `panic = "unwind"` (the default; nothing sets `abort`), so PyO3 turns
//! a panic inside any `#[pyfunction]` into `pyo3_runtime.PanicException` instead of aborting the
//! interpreter. A caller could still catch that exception (it derives from `BaseException`), so
//! the module also installs a panic hook that counts every panic in the process — including ones
//! on worker threads whose result is turned into an error — before chaining to the previous hook
//! (which prints the message). `_panic_count()` reads the counter; `_probe_panic()` panics on
//! purpose so a test can check that both the exception and the count work.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Once;

use pyo3::prelude::*;

static PANICS: AtomicU64 = AtomicU64::new(0);
static INSTALL: Once = Once::new();

fn install_hook() {
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICS.fetch_add(1, Ordering::SeqCst);
            previous(info);
        }));
    });
}

/// Panics seen in this process since the module was loaded.
#[pyfunction]
pub fn _panic_count() -> u64 {
    PANICS.load(Ordering::SeqCst)
}

/// Panic on purpose (tests only): must surface as `PanicException` and add one to the count.
#[pyfunction]
pub fn _probe_panic() {
    panic!("deliberate panic from _probe_panic");
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    install_hook();
    m.add_function(wrap_pyfunction!(_panic_count, m)?)?;
    m.add_function(wrap_pyfunction!(_probe_panic, m)?)?;
    Ok(())
}
