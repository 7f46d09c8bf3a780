//! Probes of the PyO3 boundary, for the stage profiler: each does one boundary step the real
//! functions do and returns how long that step took, timed inside Rust (nanoseconds).
//!
//! They exist so the profiler can time "numpy → Rust view", "GIL release and re-acquire" and
//! "Rust → numpy" on their own; the real functions perform exactly these steps around their
//! kernels. Steps of tens of nanoseconds are repeated `repeat` times under one clock reading and
//! the total returned: around a single step, the clock itself would be a third of the figure.

use std::time::Instant;

use numpy::{Ix1, Ix2, PyUntypedArray, PyUntypedArrayMethods};
use pyo3::prelude::*;

use crate::arrays::{input, output, slice, slice_mut, to_numpy_1d};
use crate::errors::PyAudioError;

/// An empty function: what calling into the extension costs by itself.
#[pyfunction]
pub fn _probe_noop() {}

/// Borrow `x` as the kernels do (dtype, layout and borrow checks, then the slice). Inputs are
/// borrowed read-only; with `writable=True` the array is borrowed as an output.
#[pyfunction]
#[pyo3(signature = (x, writable = false, repeat = 1))]
pub fn _probe_view(x: &Bound<'_, PyAny>, writable: bool, repeat: usize) -> PyResult<u64> {
    let arr = x.cast::<PyUntypedArray>()?;
    let (ndim, kind) = (arr.ndim(), arr.dtype().to_string());
    let shape = arr.shape().to_vec();
    let t = Instant::now();
    for _ in 0..repeat.max(1) {
        std::hint::black_box(borrow_once(x, writable, ndim, &kind, &shape)?);
    }
    Ok(t.elapsed().as_nanos() as u64)
}

fn borrow_once(x: &Bound<'_, PyAny>, writable: bool, ndim: usize, kind: &str, shape: &[usize]) -> PyResult<usize> {
    Ok(match (writable, ndim, kind) {
        (false, 1, "float32") => slice(&input::<f32, Ix1>(x, "x", "")?, "x")?.len(),
        (false, 1, "int16") => slice(&input::<i16, Ix1>(x, "x", "")?, "x")?.len(),
        (false, 2, "float32") => slice(&input::<f32, Ix2>(x, "x", "")?, "x")?.len(),
        (false, 1, "uint32") => slice(&input::<u32, Ix1>(x, "x", "")?, "x")?.len(),
        (true, 1, "uint8") => slice_mut(&mut output::<u8, Ix1>(x, "x", shape)?, "x")?.len(),
        (true, 1, "float32") => slice_mut(&mut output::<f32, Ix1>(x, "x", shape)?, "x")?.len(),
        (true, 1, "int16") => slice_mut(&mut output::<i16, Ix1>(x, "x", shape)?, "x")?.len(),
        (true, 1, "int32") => slice_mut(&mut output::<i32, Ix1>(x, "x", shape)?, "x")?.len(),
        (true, 1, "bool") => slice_mut(&mut output::<bool, Ix1>(x, "x", shape)?, "x")?.len(),
        (true, 2, "float32") => slice_mut(&mut output::<f32, Ix2>(x, "x", shape)?, "x")?.len(),
        (true, 2, "int16") => slice_mut(&mut output::<i16, Ix2>(x, "x", shape)?, "x")?.len(),
        _ => return Err(pyo3::exceptions::PyTypeError::new_err(format!("no probe for {ndim}-D {kind}"))),
    })
}

/// Release the GIL and take it back, doing nothing in between, `repeat` times.
#[pyfunction]
#[pyo3(signature = (repeat = 1))]
pub fn _probe_detach(py: Python<'_>, repeat: usize) -> u64 {
    let t = Instant::now();
    for _ in 0..repeat.max(1) {
        py.detach(|| std::hint::black_box(()));
    }
    t.elapsed().as_nanos() as u64
}

/// Hand `repeat` `n`-element Vecs (allocated before the clock starts, freed after it stops) to
/// numpy without copying.
#[pyfunction]
#[pyo3(signature = (n, dtype, repeat = 1))]
pub fn _probe_to_numpy(py: Python<'_>, n: usize, dtype: &str, repeat: usize) -> PyResult<u64> {
    macro_rules! hand_over {
        ($t:ty) => {{
            let vecs = (0..repeat.max(1))
                .map(|_| audiobench_core::alloc::zeroed_vec::<$t>("probe", n))
                .collect::<Result<Vec<_>, _>>()
                .map_err(PyAudioError)?;
            let mut arrays = Vec::with_capacity(vecs.len());
            let t = Instant::now();
            for v in vecs {
                arrays.push(to_numpy_1d(py, v));
            }
            let ns = t.elapsed().as_nanos() as u64;
            drop(arrays);
            ns
        }};
    }
    Ok(match dtype {
        "float32" => hand_over!(f32),
        "int16" => hand_over!(i16),
        "int32" => hand_over!(i32),
        "uint8" => hand_over!(u8),
        "uint64" => hand_over!(u64),
        "bool" => hand_over!(bool),
        other => return Err(pyo3::exceptions::PyTypeError::new_err(format!("no probe for {other}"))),
    })
}

/// Extract a list of bytes objects into slices, as `b64_decode_stream_into` does.
#[pyfunction]
pub fn _probe_chunk_list(chunks: &Bound<'_, PyAny>) -> PyResult<u64> {
    let t = Instant::now();
    let list: Vec<Bound<'_, PyAny>> = chunks.extract()?;
    let slices = crate::args::bytes_items(&list, "chunks")?;
    let ns = t.elapsed().as_nanos() as u64;
    std::hint::black_box(slices.len());
    Ok(ns)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_probe_noop, m)?)?;
    m.add_function(wrap_pyfunction!(_probe_view, m)?)?;
    m.add_function(wrap_pyfunction!(_probe_detach, m)?)?;
    m.add_function(wrap_pyfunction!(_probe_to_numpy, m)?)?;
    m.add_function(wrap_pyfunction!(_probe_chunk_list, m)?)?;
    Ok(())
}
