//! The limit probes (memcpy, read pass, read-write pass) over numpy byte views, GIL released.

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

/// Read every byte of `src` once and write every byte of `dst` once (two 1-D uint8 arrays of any
/// lengths); returns an XOR fold of the input bytes not copied into `dst`.
#[pyfunction]
pub fn limit_read_write(src: &Bound<'_, PyAny>, dst: &Bound<'_, PyAny>) -> PyResult<u64> {
    let py = src.py();
    let s = input::<u8, Ix1>(src, "src", "")?;
    // Any length: the expected shape is the array's own (a non-array fails the type check).
    let n = dst.len().unwrap_or(0);
    let mut d = output::<u8, Ix1>(dst, "dst", &[n])?;
    let (a, b) = (slice(&s, "src")?, slice_mut(&mut d, "dst")?);
    Ok(py.detach(|| limit::read_write(a, b)))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(limit_memcpy, m)?)?;
    m.add_function(wrap_pyfunction!(limit_read, m)?)?;
    m.add_function(wrap_pyfunction!(limit_read_write, m)?)?;
    Ok(())
}
