//! Build and CPU facts recorded with every result.

use audiobench_core::simd::SimdPath;
use pyo3::prelude::*;

/// The widest SIMD path this process may take (`avx512`, `avx2+fma` or `baseline`): the CPU's
/// best, capped by `AUDIOBENCH_SIMD`. Each kernel takes at most its own widest body:
/// [`simd_kernels`] says which.
#[pyfunction]
pub fn simd_path() -> &'static str {
    SimdPath::detect().name()
}

/// Each dispatching kernel (`module::function`) with the SIMD path it takes in this process.
#[pyfunction]
pub fn simd_kernels() -> Vec<(&'static str, &'static str)> {
    audiobench_core::simd::kernel_paths().into_iter().map(|(name, path)| (name, path.name())).collect()
}

/// Facts about how this extension was built.
#[pyfunction]
pub fn build_info() -> Vec<(&'static str, &'static str)> {
    vec![
        ("profile", if cfg!(debug_assertions) { "debug" } else { "release" }),
        ("rustc", env!("AUDIOBENCH_RUSTC_VERSION")),
        ("target", env!("AUDIOBENCH_TARGET")),
        ("core_version", env!("CARGO_PKG_VERSION")),
    ]
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // The rust-json tier's executor: how many worker threads it starts and what they are called.
    m.add("JSON_WORKER_THREADS", audiobench_core::json::executor::WORKER_THREADS)?;
    m.add("JSON_THREAD_NAME", audiobench_core::json::executor::THREAD_NAME)?;
    m.add_function(wrap_pyfunction!(simd_path, m)?)?;
    m.add_function(wrap_pyfunction!(simd_kernels, m)?)?;
    m.add_function(wrap_pyfunction!(build_info, m)?)?;
    Ok(())
}
