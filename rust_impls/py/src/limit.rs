//! The limit probes (memcpy, read pass) over numpy byte views, GIL released.

use audiobench_core::limit;
use numpy::{Ix1, PyUntypedArrayMethods};
use pyo3::prelude::*;

use crate::arrays::{input, output, slice, slice_mut};
use crate::errors::PyAudioError;

/// Copy `src` into `dst`: two 1-D uint8 arrays of the same length.
#[pyfunction]
pub fn limit_memcpy(src: &Bound<'_, PyAny>, dst: &Bound<'_, PyAny>) -> PyResult<()> {
    let py = src.py();
    let s = input::<u8, Ix1>(src, "src", "")?;
    let mut d = output::<u8, Ix1>(dst, "dst", &[s.len()])?;
    let (a, b) = (slice(&s, "src")?, slice_mut(&mut d, "dst")?);
    py.detach(|| limit::memcpy(a, b)).map_err(PyAudioError)?;
    Ok(())
}

/// Read every byte of a 1-D uint8 array once; returns an XOR fold of its 8-byte words.
#[pyfunction]
pub fn limit_read(src: &Bound<'_, PyAny>) -> PyResult<u64> {
    let py = src.py();
    let s = input::<u8, Ix1>(src, "src", "")?;
    let a = slice(&s, "src")?;
    Ok(py.detach(|| limit::read(a)))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(limit_memcpy, m)?)?;
    m.add_function(wrap_pyfunction!(limit_read, m)?)?;
    Ok(())
}
