//! `byo_tier._native`: a user's own Rust kernel for audiobench's `convert`/`f32_i16`.
//!
//! audiobench's semantics: trunc(clamp(x · 32768, −32768, 32767)), computed in f32. The
//! function writes into a caller-provided array, as audiobench's `rust-direct` tier does, and
//! releases the GIL while it runs.

use numpy::{PyReadonlyArray1, PyReadwriteArray1};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// The conversion of one sample (a scalar loop the compiler vectorises).
fn to_i16(x: f32) -> i16 {
    (x * 32768.0).clamp(-32768.0, 32767.0) as i16
}

/// Convert float32 samples `x` (1-D) into int16 `out` (1-D, the same length).
///
/// Raises `ValueError` when the lengths differ, `TypeError` when a dtype is not the one
/// named, and when either array is not C-contiguous.
#[pyfunction]
fn f32_to_i16_into(py: Python<'_>, x: PyReadonlyArray1<'_, f32>, mut out: PyReadwriteArray1<'_, i16>) -> PyResult<()> {
    let x = x.as_slice()?;
    let out = out.as_slice_mut()?;
    if x.len() != out.len() {
        return Err(PyValueError::new_err(format!("out has {} samples, x has {}", out.len(), x.len())));
    }
    py.detach(|| {
        for (o, &v) in out.iter_mut().zip(x) {
            *o = to_i16(v);
        }
    });
    Ok(())
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(f32_to_i16_into, m)?)
}
