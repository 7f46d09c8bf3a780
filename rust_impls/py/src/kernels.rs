//! Every sample kernel of the core's registry (`audiobench_core::kernel`) at its three Rust
//! tiers, through one set of bindings: [`PyKernel`] (`rust-direct`: `process_into` a
//! caller-provided array, or `process`), [`PyFastKernelNode`] (`rust-fast`) and
//! [`json_kernel`] (`rust-json`). A kernel added to the registry needs no code here.

use std::sync::Mutex;

use audiobench_core::fast::{AudioData, FastAudioNode};
use audiobench_core::json::kernel_node as json;
use audiobench_core::kernel::fast::FastKernelNode;
use audiobench_core::kernel::registry::{self, KERNELS};
use audiobench_core::kernel::{DynKernel, Format, Params, Samples, SliceMut, SliceRef};
use numpy::{
    dtype, Ix1, PyArrayDescrMethods, PyReadonlyArray1, PyReadwriteArray1, PyUntypedArray, PyUntypedArrayMethods,
};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyString};
use serde_json::Value;

use crate::arrays::{input, output, samples_to_numpy, slice, slice_mut};
use crate::errors::PyAudioError;
use crate::lock;

/// A borrowed 1-D input of a kernel's input format.
enum In<'py> {
    F32(PyReadonlyArray1<'py, f32>),
    I16(PyReadonlyArray1<'py, i16>),
    I32(PyReadonlyArray1<'py, i32>),
}

impl<'py> In<'py> {
    fn borrow(x: &Bound<'py, PyAny>, format: Format) -> PyResult<Self> {
        Ok(match format {
            Format::F32 => Self::F32(input::<f32, Ix1>(x, "x", "")?),
            Format::I16 => Self::I16(input::<i16, Ix1>(x, "x", "")?),
            Format::I32 => Self::I32(input::<i32, Ix1>(x, "x", "")?),
        })
    }

    /// The kernel format of `x`'s dtype, or a `TypeError` naming the accepted ones.
    fn format_of(x: &Bound<'py, PyAny>) -> PyResult<Format> {
        let actual = x
            .cast::<PyUntypedArray>()
            .map_err(|_| PyTypeError::new_err("`x` must be a numpy.ndarray of float32, int16 or int32"))?
            .dtype();
        let py = x.py();
        let known = [(Format::F32, dtype::<f32>(py)), (Format::I16, dtype::<i16>(py)), (Format::I32, dtype::<i32>(py))];
        known
            .into_iter()
            .find(|(_, d)| actual.is_equiv_to(d))
            .map(|(format, _)| format)
            .ok_or_else(|| PyTypeError::new_err(format!("`x` must have dtype float32, int16 or int32, got {actual}")))
    }

    fn samples(&self) -> PyResult<SliceRef<'_>> {
        Ok(match self {
            Self::F32(a) => SliceRef::F32(slice(a, "x")?),
            Self::I16(a) => SliceRef::I16(slice(a, "x")?),
            Self::I32(a) => SliceRef::I32(slice(a, "x")?),
        })
    }
}

/// A borrowed 1-D output of a kernel's output format and length.
enum Out<'py> {
    F32(PyReadwriteArray1<'py, f32>),
    I16(PyReadwriteArray1<'py, i16>),
    I32(PyReadwriteArray1<'py, i32>),
}

impl<'py> Out<'py> {
    fn borrow(out: &Bound<'py, PyAny>, format: Format, len: usize) -> PyResult<Self> {
        Ok(match format {
            Format::F32 => Self::F32(output::<f32, Ix1>(out, "out", &[len])?),
            Format::I16 => Self::I16(output::<i16, Ix1>(out, "out", &[len])?),
            Format::I32 => Self::I32(output::<i32, Ix1>(out, "out", &[len])?),
        })
    }

    fn samples(&mut self) -> PyResult<SliceMut<'_>> {
        Ok(match self {
            Self::F32(a) => SliceMut::F32(slice_mut(a, "out")?),
            Self::I16(a) => SliceMut::I16(slice_mut(a, "out")?),
            Self::I32(a) => SliceMut::I32(slice_mut(a, "out")?),
        })
    }
}

/// A kernel's parameters from a dict of numbers, strings and booleans (`None`: none).
fn params(d: Option<&Bound<'_, PyDict>>) -> PyResult<Params> {
    let mut out = Params::new();
    for (k, v) in d.into_iter().flat_map(|d| d.iter()) {
        let key: String = k.extract().map_err(|_| PyTypeError::new_err("`params` keys must be strings"))?;
        let value = if v.is_instance_of::<PyBool>() {
            Value::from(v.extract::<bool>()?)
        } else if v.is_instance_of::<PyInt>() {
            let i: i64 = v
                .extract()
                .map_err(|_| PyValueError::new_err(format!("`params[{key:?}]` must fit a 64-bit integer, got {v}")))?;
            Value::from(i)
        } else if v.is_instance_of::<PyFloat>() {
            let x: f64 = v.extract()?;
            serde_json::Number::from_f64(x)
                .map(Value::Number)
                .ok_or_else(|| PyValueError::new_err(format!("`params[{key:?}]` must be finite, got {x}")))?
        } else if v.is_instance_of::<PyString>() {
            Value::from(v.extract::<String>()?)
        } else {
            let ty = v.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into());
            return Err(PyTypeError::new_err(format!("`params[{key:?}]` must be a number, string or bool, got {ty}")));
        };
        out.insert(key, value);
    }
    Ok(out)
}

/// One sample kernel, built once: `rust-direct`.
#[pyclass(module = "audiobench._rust", name = "Kernel", frozen)]
pub struct PyKernel {
    op: String,
    variant: String,
    /// Input and output formats, fixed when the kernel is built.
    formats: (Format, Format),
    kernel: Mutex<Box<dyn DynKernel>>,
}

impl PyKernel {
    fn formats(&self) -> (Format, Format) {
        self.formats
    }
}

#[pymethods]
impl PyKernel {
    #[new]
    #[pyo3(signature = (op, variant, params = None))]
    fn new(op: &str, variant: &str, params: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let kernel = registry::build(op, variant, &self::params(params)?).map_err(PyAudioError)?;
        let formats = (kernel.input_format(), kernel.output_format());
        Ok(Self { op: op.to_owned(), variant: variant.to_owned(), formats, kernel: Mutex::new(kernel) })
    }

    #[getter]
    fn op(&self) -> &str {
        &self.op
    }

    #[getter]
    fn variant(&self) -> &str {
        &self.variant
    }

    #[getter]
    fn input_dtype(&self) -> &'static str {
        dtype_name(self.formats.0)
    }

    #[getter]
    fn output_dtype(&self) -> &'static str {
        dtype_name(self.formats.1)
    }

    fn output_len(&self, n: usize) -> usize {
        lock(&self.kernel).output_len(n)
    }

    fn process_into(&self, py: Python<'_>, x: &Bound<'_, PyAny>, out: &Bound<'_, PyAny>) -> PyResult<()> {
        let (in_format, out_format) = self.formats();
        let a = In::borrow(x, in_format)?;
        let samples = a.samples()?;
        let len = lock(&self.kernel).output_len(samples.len());
        let mut o = Out::borrow(out, out_format, len)?;
        let dest = o.samples()?;
        let kernel = &self.kernel;
        py.detach(|| lock(kernel).process_into_dyn(samples, dest)).map_err(PyAudioError)?;
        Ok(())
    }

    fn process<'py>(&self, py: Python<'py>, x: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let a = In::borrow(x, self.formats().0)?;
        let samples = a.samples()?;
        let kernel = &self.kernel;
        let out = py.detach(|| lock(kernel).process_dyn(samples)).map_err(PyAudioError)?;
        Ok(samples_to_numpy(py, out))
    }

    fn __repr__(&self) -> String {
        format!("Kernel({:?}, {:?})", self.op, self.variant)
    }
}

fn dtype_name(f: Format) -> &'static str {
    match f {
        Format::F32 => "float32",
        Format::I16 => "int16",
        Format::I32 => "int32",
    }
}

/// A sample kernel's fast-path node: `rust-fast`. Each call copies the input view into an
/// `Arc`-shared buffer (the tier's "buffer wrap"), runs the node, hands the output to numpy.
#[pyclass(module = "audiobench._rust", name = "FastKernelNode", frozen)]
pub struct PyFastKernelNode {
    input_format: Format,
    node: Mutex<FastKernelNode>,
}

#[pymethods]
impl PyFastKernelNode {
    #[new]
    #[pyo3(signature = (op, variant, params = None))]
    fn new(op: &str, variant: &str, params: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let node = FastKernelNode::new(op, variant, &self::params(params)?).map_err(PyAudioError)?;
        Ok(Self { input_format: node.kernel().input_format(), node: Mutex::new(node) })
    }

    fn process<'py>(&self, py: Python<'py>, x: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let a = In::borrow(x, self.input_format)?;
        let samples = a.samples()?;
        let data = AudioData::new(py.detach(|| Samples::copied(samples)).map_err(PyAudioError)?.into_buffer(), 0, 1);
        let node = &self.node;
        let out = py.detach(|| lock(node).process_audio(data)).map_err(PyAudioError)?;
        Ok(samples_to_numpy(py, Samples::from_buffer(out.buffer)))
    }
}

/// A sample kernel through its JSON node: `rust-json`.
#[pyfunction]
#[pyo3(signature = (op, variant, x, params = None))]
pub fn json_kernel<'py>(
    op: &str,
    variant: &str,
    x: &Bound<'py, PyAny>,
    params: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = x.py();
    let p = self::params(params)?;
    // The node checks the format it was given (as every JSON node does), so the array's own
    // dtype picks the borrow: no kernel is built on the caller's side.
    let a = In::borrow(x, In::format_of(x)?)?;
    let samples = a.samples()?;
    let out = py.detach(|| json::call(op, variant, &p, samples)).map_err(PyAudioError)?;
    Ok(samples_to_numpy(py, out))
}

/// Every sample kernel: `[(op, [variants])]`.
#[pyfunction]
pub fn kernels() -> Vec<(&'static str, Vec<&'static str>)> {
    KERNELS.iter().map(|e| (e.op, e.variants.to_vec())).collect()
}

/// Register the kernel bindings on the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyKernel>()?;
    m.add_class::<PyFastKernelNode>()?;
    m.add_function(wrap_pyfunction!(json_kernel, m)?)?;
    m.add_function(wrap_pyfunction!(kernels, m)?)?;
    Ok(())
}
