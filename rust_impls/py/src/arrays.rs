//! Checked, zero-copy access to numpy arrays.
//!
//! Inputs are borrowed read-only, outputs read-write, through rust-numpy's borrow tracking, so
//! passing one array (or overlapping views of it) as both input and output is refused instead
//! of aliasing. Nothing is ever copied or cast behind the caller's back: a wrong dtype is a
//! `TypeError`, a wrong shape or a non-contiguous layout a `ValueError`, each naming the
//! argument and what was expected.

use audiobench_core::kernel::Samples;
use numpy::ndarray::{Array2, Dimension, Ix2};
use numpy::{
    dtype, Element, PyArray, PyArray1, PyArray2, PyArrayDescrMethods, PyArrayMethods, PyReadonlyArray,
    PyReadwriteArray, PyUntypedArray, PyUntypedArrayMethods,
};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;

fn shape_str(shape: &[usize]) -> String {
    match shape {
        [n] => format!("({n},)"),
        _ => format!("({})", shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ")),
    }
}

/// Check `obj` is a C-contiguous ndarray of element `T` with `ndim` dimensions and return the
/// typed array. `what` describes the expected layout in messages, e.g. "(channels, frames)".
fn typed<'py, T: Element, D: Dimension>(
    obj: &Bound<'py, PyAny>,
    name: &str,
    what: &str,
) -> PyResult<Bound<'py, PyArray<T, D>>> {
    let py = obj.py();
    let expected = dtype::<T>(py);
    let untyped = obj.cast::<PyUntypedArray>().map_err(|_| {
        let ty = obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into());
        PyTypeError::new_err(format!("`{name}` must be a numpy.ndarray of {expected}, got {ty}"))
    })?;
    let actual = untyped.dtype();
    if !actual.is_equiv_to(&expected) {
        return Err(PyTypeError::new_err(format!(
            "`{name}` must have dtype {expected}, got {actual} (convert explicitly, e.g. .astype(np.{expected}))"
        )));
    }
    let ndim = D::NDIM.unwrap_or(untyped.ndim());
    if untyped.ndim() != ndim {
        let what = if what.is_empty() { String::new() } else { format!(" {what}") };
        return Err(PyValueError::new_err(format!(
            "`{name}` must be {ndim}-D{what}, got shape {}",
            shape_str(untyped.shape())
        )));
    }
    if !untyped.is_c_contiguous() {
        return Err(PyValueError::new_err(format!(
            "`{name}` must be C-contiguous, got a strided or Fortran-ordered array of shape {} \
             (pass np.ascontiguousarray({name}))",
            shape_str(untyped.shape())
        )));
    }
    Ok(obj.cast::<PyArray<T, D>>()?.clone())
}

/// Borrow an input read-only.
pub fn input<'py, T: Element, D: Dimension>(
    obj: &Bound<'py, PyAny>,
    name: &str,
    what: &str,
) -> PyResult<PyReadonlyArray<'py, T, D>> {
    typed::<T, D>(obj, name, what)?
        .try_readonly()
        .map_err(|e| PyValueError::new_err(format!("`{name}` cannot be read: {e} (is it also passed as an output?)")))
}

/// Borrow planar float32 audio `(channels, frames)` read-only; at least one channel.
pub fn audio_input<'py>(obj: &Bound<'py, PyAny>, name: &str) -> PyResult<PyReadonlyArray<'py, f32, Ix2>> {
    let a = input::<f32, Ix2>(obj, name, "(channels, frames)")?;
    if a.shape()[0] == 0 {
        return Err(PyValueError::new_err(format!(
            "`{name}` must have at least one channel (rows are channels), got shape {}",
            shape_str(a.shape())
        )));
    }
    Ok(a)
}

/// Borrow an output read-write and check its shape.
pub fn output<'py, T: Element, D: Dimension>(
    obj: &Bound<'py, PyAny>,
    name: &str,
    expected_shape: &[usize],
) -> PyResult<PyReadwriteArray<'py, T, D>> {
    let what = shape_str(expected_shape);
    let array = typed::<T, D>(obj, name, &what)?;
    if array.shape() != expected_shape {
        return Err(PyValueError::new_err(format!(
            "`{name}` must have shape {what}, got {}",
            shape_str(array.shape())
        )));
    }
    array.try_readwrite().map_err(|e| {
        PyValueError::new_err(format!("`{name}` cannot be written: {e} (read-only, or the same memory as an input)"))
    })
}

/// A contiguous slice of a borrowed input (always succeeds after [`input`]'s checks).
pub fn slice<'a, T: Element, D: Dimension>(a: &'a PyReadonlyArray<'_, T, D>, name: &str) -> PyResult<&'a [T]> {
    a.as_slice().map_err(|e| PyValueError::new_err(format!("`{name}`: {e}")))
}

/// A contiguous mutable slice of a borrowed output.
pub fn slice_mut<'a, T: Element, D: Dimension>(
    a: &'a mut PyReadwriteArray<'_, T, D>,
    name: &str,
) -> PyResult<&'a mut [T]> {
    a.as_slice_mut().map_err(|e| PyValueError::new_err(format!("`{name}`: {e}")))
}

/// Hand a Vec to numpy as a 1-D array without copying.
pub fn to_numpy_1d<T: Element>(py: Python<'_>, v: Vec<T>) -> Bound<'_, PyArray1<T>> {
    PyArray1::from_vec(py, v)
}

/// Hand owned samples of any kernel format to numpy as a 1-D array without copying.
pub fn samples_to_numpy(py: Python<'_>, s: Samples) -> Bound<'_, PyAny> {
    match s {
        Samples::F32(v) => to_numpy_1d(py, v).into_any(),
        Samples::I16(v) => to_numpy_1d(py, v).into_any(),
        Samples::I32(v) => to_numpy_1d(py, v).into_any(),
    }
}

/// Hand a planar Vec to numpy as a `(channels, frames)` array without copying.
pub fn to_numpy_2d<T: Element>(py: Python<'_>, v: Vec<T>, channels: usize) -> PyResult<Bound<'_, PyArray2<T>>> {
    let frames = v.len().checked_div(channels).unwrap_or(0);
    let array = Array2::from_shape_vec((channels, frames), v)
        .map_err(|e| PyValueError::new_err(format!("internal shape error: {e}")))?;
    Ok(PyArray2::from_owned_array(py, array))
}

/// `(channels, frames)` of a 2-D audio input.
pub fn planar_shape<T: Element>(a: &PyReadonlyArray<'_, T, numpy::Ix2>) -> (usize, usize) {
    let s = a.shape();
    (s[0], s[1])
}

/// What every VAD entry point returns: `(energies, flags, speech_ratio)`.
pub type VadResultPy<'py> = (Bound<'py, PyArray1<f32>>, Bound<'py, PyArray1<bool>>, f64);

/// What every pipeline entry point returns: `(int16 audio, flags, speech_ratio)`.
pub type PipelineResultPy<'py> = (Bound<'py, PyArray2<i16>>, Bound<'py, PyArray1<bool>>, f64);
