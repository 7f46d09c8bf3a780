//! `rust-direct` bindings: slice kernels, `*_into` variants writing into caller arrays, and
//! reusable `Resampler` / `Pipeline` objects. The GIL is released around every kernel.

use audiobench_core::direct::convert::Conversion;
use audiobench_core::direct::{b64, convert, pipeline, resample, vad};
use std::sync::Mutex;

use numpy::{Ix1, Ix2, PyArray1, PyArray2, PyUntypedArrayMethods};
use pyo3::prelude::*;

use crate::args;
use crate::arrays::{
    audio_input, input, output, planar_shape, slice, slice_mut, to_numpy_1d, to_numpy_2d, PipelineResultPy, VadResultPy,
};
use crate::errors::PyAudioError;
use crate::lock;

/// A reusable object built for `expected` channels refuses audio with another count, naming
/// the argument and the object.
pub(crate) fn check_channels(object: &str, expected: usize, actual: usize) -> PyResult<()> {
    if expected == actual {
        Ok(())
    } else {
        Err(crate::errors::AudioError::new_err(format!(
            "`audio` has {actual} channel(s) (rows); this {object} was built for {expected}"
        )))
    }
}

/// A reusable resampler behind a binding (`Resampler`, `ParallelResampler`).
pub(crate) trait ResampleInto: Send {
    fn channels(&self) -> usize;
    fn process_into(&mut self, input: &[f32], out: &mut [f32]) -> audiobench_core::Result<()>;
}

impl ResampleInto for resample::Resampler {
    fn channels(&self) -> usize {
        resample::Resampler::channels(self)
    }
    fn process_into(&mut self, input: &[f32], out: &mut [f32]) -> audiobench_core::Result<()> {
        resample::Resampler::process_into(self, input, out)
    }
}

/// `process_into(audio, out)` of a resampler binding named `object`: planar float32 `audio`
/// into `out` of shape (channels, output frames), the GIL released.
pub(crate) fn resample_into<R: ResampleInto>(
    py: Python<'_>,
    inner: &Mutex<R>,
    object: &str,
    audio: &Bound<'_, PyAny>,
    out: &Bound<'_, PyAny>,
) -> PyResult<()> {
    let a = audio_input(audio, "audio")?;
    let (channels, frames) = planar_shape(&a);
    check_channels(object, lock(inner).channels(), channels)?;
    let mut o = output::<f32, Ix2>(out, "out", &[channels, resample::output_frames(frames)])?;
    let (s, d) = (slice(&a, "audio")?, slice_mut(&mut o, "out")?);
    py.detach(|| lock(inner).process_into(s, d)).map_err(PyAudioError)?;
    Ok(())
}

/// A reusable pipeline behind a binding (`Pipeline`, `ParallelPipeline`).
pub(crate) trait PipelineInto: Send {
    fn channels(&self) -> usize;
    fn vad_params(&self) -> vad::VadParams;
    fn process_into(
        &mut self,
        audio: &[f32],
        out: &mut [i16],
        flags: &mut [bool],
    ) -> audiobench_core::Result<vad::VadSummary>;
}

impl PipelineInto for pipeline::Pipeline {
    fn channels(&self) -> usize {
        pipeline::Pipeline::channels(self)
    }
    fn vad_params(&self) -> vad::VadParams {
        pipeline::Pipeline::vad_params(self)
    }
    fn process_into(
        &mut self,
        audio: &[f32],
        out: &mut [i16],
        flags: &mut [bool],
    ) -> audiobench_core::Result<vad::VadSummary> {
        pipeline::Pipeline::process_into(self, audio, out, flags)
    }
}

/// `process_into(audio, out, flags)` of a pipeline binding named `object`: int16 `out` of shape
/// (channels, output frames) and one bool flag per whole 30 ms frame, the GIL released;
/// returns the share of frames flagged as speech.
pub(crate) fn pipeline_into<P: PipelineInto>(
    py: Python<'_>,
    inner: &Mutex<P>,
    object: &str,
    audio: &Bound<'_, PyAny>,
    out: &Bound<'_, PyAny>,
    flags: &Bound<'_, PyAny>,
) -> PyResult<f64> {
    let a = audio_input(audio, "audio")?;
    let (channels, frames) = planar_shape(&a);
    check_channels(object, lock(inner).channels(), channels)?;
    let count = lock(inner).vad_params().frame_count(frames);
    let mut o = output::<i16, Ix2>(out, "out", &[channels, resample::output_frames(frames)])?;
    let mut f = output::<bool, Ix1>(flags, "flags", &[count])?;
    let (s, d, fl) = (slice(&a, "audio")?, slice_mut(&mut o, "out")?, slice_mut(&mut f, "flags")?);
    let summary = py.detach(|| lock(inner).process_into(s, d, fl)).map_err(PyAudioError)?;
    Ok(summary.speech_ratio())
}

pub(crate) fn vad_params(sample_rate: u32, threshold: f32) -> PyResult<vad::VadParams> {
    Ok(vad::VadParams::new(sample_rate, threshold).map_err(PyAudioError)?)
}

/// Allocating conversion of a 1-D array; the dtype must match the variant's input format.
#[pyfunction(name = "convert")]
pub fn convert_py<'py>(x: &Bound<'py, PyAny>, variant: &str) -> PyResult<Bound<'py, PyAny>> {
    let py = x.py();
    let conversion = Conversion::parse(variant).map_err(PyAudioError)?;
    Ok(match conversion {
        Conversion::F32I16 => {
            let a = input::<f32, Ix1>(x, "x", "")?;
            let s = slice(&a, "x")?;
            to_numpy_1d(py, py.detach(|| convert::f32_to_i16(s)).map_err(PyAudioError)?).into_any()
        }
        Conversion::I16F32 => {
            let a = input::<i16, Ix1>(x, "x", "")?;
            let s = slice(&a, "x")?;
            to_numpy_1d(py, py.detach(|| convert::i16_to_f32(s)).map_err(PyAudioError)?).into_any()
        }
        Conversion::F32I32 => {
            let a = input::<f32, Ix1>(x, "x", "")?;
            let s = slice(&a, "x")?;
            to_numpy_1d(py, py.detach(|| convert::f32_to_i32(s)).map_err(PyAudioError)?).into_any()
        }
        Conversion::I16I32 => {
            let a = input::<i16, Ix1>(x, "x", "")?;
            let s = slice(&a, "x")?;
            to_numpy_1d(py, py.detach(|| convert::i16_to_i32(s)).map_err(PyAudioError)?).into_any()
        }
    })
}

/// Conversion into a preallocated 1-D `out` of the variant's output dtype and `x`'s length.
#[pyfunction]
pub fn convert_into(x: &Bound<'_, PyAny>, out: &Bound<'_, PyAny>, variant: &str) -> PyResult<()> {
    let py = x.py();
    let conversion = Conversion::parse(variant).map_err(PyAudioError)?;
    macro_rules! run {
        ($tin:ty, $tout:ty, $kernel:path) => {{
            let a = input::<$tin, Ix1>(x, "x", "")?;
            let mut o = output::<$tout, Ix1>(out, "out", &[a.len()])?;
            let (s, d) = (slice(&a, "x")?, slice_mut(&mut o, "out")?);
            py.detach(|| $kernel(s, d)).map_err(PyAudioError)?
        }};
    }
    match conversion {
        Conversion::F32I16 => run!(f32, i16, convert::f32_to_i16_into),
        Conversion::I16F32 => run!(i16, f32, convert::i16_to_f32_into),
        Conversion::F32I32 => run!(f32, i32, convert::f32_to_i32_into),
        Conversion::I16I32 => run!(i16, i32, convert::i16_to_i32_into),
    }
    Ok(())
}

/// Number of whole 30 ms frames in `frames` samples per channel.
#[pyfunction]
#[pyo3(signature = (frames, sample_rate = 44_100))]
pub fn vad_frame_count(
    #[pyo3(from_py_with = args::frames)] frames: usize,
    #[pyo3(from_py_with = args::sample_rate)] sample_rate: u32,
) -> PyResult<usize> {
    Ok(vad_params(sample_rate, vad::DEFAULT_THRESHOLD)?.frame_count(frames))
}

/// Allocating energy VAD over planar float32 audio.
#[pyfunction(name = "vad")]
#[pyo3(signature = (audio, sample_rate = 44_100, threshold = 0.02))]
pub fn vad_py<'py>(
    audio: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = args::sample_rate)] sample_rate: u32,
    threshold: f32,
) -> PyResult<VadResultPy<'py>> {
    let py = audio.py();
    let params = vad_params(sample_rate, threshold)?;
    let a = audio_input(audio, "audio")?;
    let (channels, _) = planar_shape(&a);
    let s = slice(&a, "audio")?;
    let r = py.detach(|| vad::vad(s, channels, &params)).map_err(PyAudioError)?;
    Ok((to_numpy_1d(py, r.energies), to_numpy_1d(py, r.flags), r.speech_ratio))
}

/// Energy VAD into preallocated `energies` (float32) and `flags` (bool); returns the ratio.
#[pyfunction]
#[pyo3(signature = (audio, energies, flags, sample_rate = 44_100, threshold = 0.02))]
pub fn vad_into(
    audio: &Bound<'_, PyAny>,
    energies: &Bound<'_, PyAny>,
    flags: &Bound<'_, PyAny>,
    #[pyo3(from_py_with = args::sample_rate)] sample_rate: u32,
    threshold: f32,
) -> PyResult<f64> {
    let py = audio.py();
    let params = vad_params(sample_rate, threshold)?;
    let a = audio_input(audio, "audio")?;
    let (channels, frames) = planar_shape(&a);
    let count = params.frame_count(frames);
    let mut e = output::<f32, Ix1>(energies, "energies", &[count])?;
    let mut f = output::<bool, Ix1>(flags, "flags", &[count])?;
    let (s, es, fs) = (slice(&a, "audio")?, slice_mut(&mut e, "energies")?, slice_mut(&mut f, "flags")?);
    let summary = py.detach(|| vad::vad_into(s, channels, &params, es, fs)).map_err(PyAudioError)?;
    Ok(summary.speech_ratio())
}

/// `ceil(frames · 160/441)`: output frames per channel of any resampling tier.
#[pyfunction]
pub fn resample_output_frames(#[pyo3(from_py_with = args::frames)] frames: usize) -> usize {
    resample::output_frames(frames)
}

/// One-shot allocating resample (builds and drops a resampler per call).
#[pyfunction(name = "resample")]
pub fn resample_py<'py>(audio: &Bound<'py, PyAny>, preset: &str) -> PyResult<Bound<'py, PyArray2<f32>>> {
    let py = audio.py();
    let preset = resample::Preset::parse(preset).map_err(PyAudioError)?;
    let a = audio_input(audio, "audio")?;
    let (channels, _) = planar_shape(&a);
    let s = slice(&a, "audio")?;
    let out = py.detach(|| resample::resample(s, channels, preset)).map_err(PyAudioError)?;
    to_numpy_2d(py, out, channels)
}

/// A reusable 44.1 → 16 kHz resampler for one preset and channel count.
///
/// Methods may be called from several threads; calls on one object take turns.
#[pyclass(module = "audiobench._rust", name = "Resampler", frozen)]
pub struct PyResampler {
    inner: Mutex<resample::Resampler>,
}

#[pymethods]
impl PyResampler {
    #[new]
    #[pyo3(signature = (preset = "high", channels = 2))]
    fn new(preset: &str, #[pyo3(from_py_with = args::channels)] channels: usize) -> PyResult<Self> {
        let preset = resample::Preset::parse(preset).map_err(PyAudioError)?;
        Ok(Self { inner: Mutex::new(resample::Resampler::new(preset, channels).map_err(PyAudioError)?) })
    }

    #[getter]
    fn preset(&self) -> &'static str {
        lock(&self.inner).preset().name()
    }

    #[getter]
    fn channels(&self) -> usize {
        lock(&self.inner).channels()
    }

    #[getter]
    fn delay(&self) -> usize {
        lock(&self.inner).delay()
    }

    fn process<'py>(&self, py: Python<'py>, audio: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyArray2<f32>>> {
        let a = audio_input(audio, "audio")?;
        let (channels, _) = planar_shape(&a);
        check_channels("Resampler", lock(&self.inner).channels(), channels)?;
        let s = slice(&a, "audio")?;
        let out = py.detach(|| lock(&self.inner).process(s)).map_err(PyAudioError)?;
        to_numpy_2d(py, out, channels)
    }

    fn process_into(&self, py: Python<'_>, audio: &Bound<'_, PyAny>, out: &Bound<'_, PyAny>) -> PyResult<()> {
        resample_into(py, &self.inner, "Resampler", audio, out)
    }

    fn __repr__(&self) -> String {
        format!("Resampler(preset={:?}, channels={})", lock(&self.inner).preset().name(), lock(&self.inner).channels())
    }
}

/// The fused VAD → resample(high) → f32→i16 pipeline with preallocated scratch.
///
/// Methods may be called from several threads; calls on one object take turns.
#[pyclass(module = "audiobench._rust", name = "Pipeline", frozen)]
pub struct PyPipeline {
    inner: Mutex<pipeline::Pipeline>,
}

#[pymethods]
impl PyPipeline {
    #[new]
    #[pyo3(signature = (channels = 2, sample_rate = 44_100, threshold = 0.02))]
    fn new(
        #[pyo3(from_py_with = args::channels)] channels: usize,
        #[pyo3(from_py_with = args::sample_rate)] sample_rate: u32,
        threshold: f32,
    ) -> PyResult<Self> {
        let params = vad_params(sample_rate, threshold)?;
        Ok(Self { inner: Mutex::new(pipeline::Pipeline::new(channels, params).map_err(PyAudioError)?) })
    }

    #[getter]
    fn channels(&self) -> usize {
        lock(&self.inner).channels()
    }

    fn process<'py>(&self, py: Python<'py>, audio: &Bound<'py, PyAny>) -> PyResult<PipelineResultPy<'py>> {
        let a = audio_input(audio, "audio")?;
        let (channels, _) = planar_shape(&a);
        check_channels("Pipeline", lock(&self.inner).channels(), channels)?;
        let s = slice(&a, "audio")?;
        let r = py.detach(|| lock(&self.inner).process(s)).map_err(PyAudioError)?;
        Ok((to_numpy_2d(py, r.audio, channels)?, to_numpy_1d(py, r.flags), r.speech_ratio))
    }

    fn process_into(
        &self,
        py: Python<'_>,
        audio: &Bound<'_, PyAny>,
        out: &Bound<'_, PyAny>,
        flags: &Bound<'_, PyAny>,
    ) -> PyResult<f64> {
        pipeline_into(py, &self.inner, "Pipeline", audio, out, flags)
    }
}

/// Decode a tagged base64 chunk stream into preallocated per-call uint8 buffers.
///
/// `chunks[i]` (bytes) belongs to call `owners[i]`, an index into `call_ids` and `outs`.
/// Returns the bytes held per call. With `lens` (uint64, one per call, writable) each call's
/// bytes are appended at `lens[i]` and `lens` is updated in place — also when a chunk is
/// refused, so the chunks decoded before it stay counted (nothing already decoded is lost).
/// One GIL release for the whole stream.
#[pyfunction]
#[pyo3(signature = (chunks, owners, call_ids, outs, lens = None))]
pub fn b64_decode_stream_into<'py>(
    py: Python<'py>,
    chunks: Vec<Bound<'py, PyAny>>,
    owners: &Bound<'py, PyAny>,
    call_ids: Vec<Bound<'py, PyAny>>,
    outs: Vec<Bound<'py, PyAny>>,
    lens: Option<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyArray1<u64>>> {
    let owners = input::<u32, Ix1>(owners, "owners", "")?;
    let owner_slice = slice(&owners, "owners")?;
    let chunk_slices = args::bytes_items(&chunks, "chunks")?;
    let call_ids = args::str_items(&call_ids, "call_ids")?;
    let mut borrowed = Vec::with_capacity(outs.len());
    for (i, o) in outs.iter().enumerate() {
        let shape = o.cast::<numpy::PyUntypedArray>().map(|a| numpy::PyUntypedArrayMethods::shape(a).to_vec());
        let len = shape.ok().and_then(|s| s.first().copied()).unwrap_or(0);
        borrowed.push(output::<u8, Ix1>(o, &format!("outs[{i}]"), &[len])?);
    }
    let mut out_slices: Vec<&mut [u8]> = Vec::with_capacity(borrowed.len());
    for (i, b) in borrowed.iter_mut().enumerate() {
        out_slices.push(slice_mut(b, &format!("outs[{i}]"))?);
    }
    let ids: Vec<&str> = call_ids.iter().map(|c| c.as_ref()).collect();
    // Checked like every output (dtype, shape, writable): one uint64 per call.
    let array = lens.unwrap_or_else(|| to_numpy_1d(py, vec![0u64; ids.len()]).into_any());
    let mut fill = output::<u64, Ix1>(&array, "lens", &[ids.len()])?;
    let fill = slice_mut(&mut fill, "lens")?;
    let mut counts: Vec<usize> = fill.iter().map(|&n| usize::try_from(n).unwrap_or(usize::MAX)).collect();
    let result = py.detach(|| b64::decode_stream_into(&chunk_slices, owner_slice, &ids, &mut out_slices, &mut counts));
    // Written back whatever happened: on a refused chunk the ones before it stay counted.
    for (dst, n) in fill.iter_mut().zip(&counts) {
        *dst = *n as u64;
    }
    result.map_err(PyAudioError)?;
    Ok(array.cast_into::<PyArray1<u64>>()?)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(convert_py, m)?)?;
    m.add_function(wrap_pyfunction!(convert_into, m)?)?;
    m.add_function(wrap_pyfunction!(vad_frame_count, m)?)?;
    m.add_function(wrap_pyfunction!(vad_py, m)?)?;
    m.add_function(wrap_pyfunction!(vad_into, m)?)?;
    m.add_function(wrap_pyfunction!(resample_output_frames, m)?)?;
    m.add_function(wrap_pyfunction!(resample_py, m)?)?;
    m.add_function(wrap_pyfunction!(b64_decode_stream_into, m)?)?;
    m.add_class::<PyResampler>()?;
    m.add_class::<PyPipeline>()?;
    Ok(())
}
