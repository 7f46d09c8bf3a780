//! `rust-json` bindings: thin wrappers over `audiobench_core::json::calls`, which serialise to
//! `serde_json::Value`, run freshly created nodes as a task on the tokio executor and parse the
//! JSON result back: the study's standard-node path, costs included. The GIL is released for
//! all of it.

use std::sync::Mutex;

use audiobench_core::direct::convert::Conversion;
use audiobench_core::direct::resample::Preset;
use audiobench_core::json::calls::{self, ChunkSession};
use numpy::{Ix1, PyArray1, PyArray2};
use pyo3::prelude::*;

use crate::args;
use crate::arrays::{
    audio_input, input, planar_shape, samples_to_numpy, slice, to_numpy_1d, to_numpy_2d, PipelineResultPy, VadResultPy,
};
use crate::direct::vad_params;
use crate::errors::PyAudioError;
use crate::lock;

/// Convert through an `AudioFormatConverter` node.
#[pyfunction]
pub fn json_convert<'py>(x: &Bound<'py, PyAny>, variant: &str) -> PyResult<Bound<'py, PyAny>> {
    let py = x.py();
    let conversion = Conversion::parse(variant).map_err(PyAudioError)?;
    let out = match conversion.input_format() {
        "f32" => {
            let a = input::<f32, Ix1>(x, "x", "")?;
            let s = slice(&a, "x")?;
            py.detach(|| calls::convert_f32(s, conversion))
        }
        _ => {
            let a = input::<i16, Ix1>(x, "x", "")?;
            let s = slice(&a, "x")?;
            py.detach(|| calls::convert_i16(s, conversion))
        }
    }
    .map_err(PyAudioError)?;
    Ok(samples_to_numpy(py, out))
}

/// VAD through a `VoiceActivityDetector` node.
#[pyfunction]
#[pyo3(signature = (audio, sample_rate = 44_100, threshold = 0.02))]
pub fn json_vad<'py>(
    audio: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = args::sample_rate)] sample_rate: u32,
    threshold: f32,
) -> PyResult<VadResultPy<'py>> {
    let py = audio.py();
    let params = vad_params(sample_rate, threshold)?;
    let a = audio_input(audio, "audio")?;
    let (channels, _) = planar_shape(&a);
    let s = slice(&a, "audio")?;
    let r = py.detach(|| calls::vad(s, channels, &params)).map_err(PyAudioError)?;
    Ok((to_numpy_1d(py, r.energies), to_numpy_1d(py, r.flags), r.speech_ratio))
}

/// Resample through an `AudioResampler` node (created and initialised per call).
#[pyfunction]
pub fn json_resample<'py>(audio: &Bound<'py, PyAny>, preset: &str) -> PyResult<Bound<'py, PyArray2<f32>>> {
    let py = audio.py();
    let preset = Preset::parse(preset).map_err(PyAudioError)?;
    let a = audio_input(audio, "audio")?;
    let (channels, _) = planar_shape(&a);
    let s = slice(&a, "audio")?;
    let out = py.detach(|| calls::resample(s, channels, preset)).map_err(PyAudioError)?;
    to_numpy_2d(py, out, channels)
}

/// VAD → resample(high) → f32→i16 as three JSON nodes chained by the executor.
#[pyfunction]
#[pyo3(signature = (audio, sample_rate = 44_100, threshold = 0.02))]
pub fn json_pipeline<'py>(
    audio: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = args::sample_rate)] sample_rate: u32,
    threshold: f32,
) -> PyResult<PipelineResultPy<'py>> {
    let py = audio.py();
    let params = vad_params(sample_rate, threshold)?;
    let a = audio_input(audio, "audio")?;
    let (channels, _) = planar_shape(&a);
    let s = slice(&a, "audio")?;
    let (pcm, vad) = py.detach(|| calls::pipeline(s, channels, &params)).map_err(PyAudioError)?;
    Ok((to_numpy_2d(py, pcm, channels)?, to_numpy_1d(py, vad.flags), vad.speech_ratio))
}

/// A long-lived `AudioChunkBuffer` node fed one JSON message per chunk.
#[pyclass(module = "audiobench._rust", name = "JsonChunkBuffer", frozen)]
pub struct PyJsonChunkBuffer {
    // The node's `process` takes `&mut self`, so concurrent callers take turns.
    session: Mutex<ChunkSession>,
}

#[pymethods]
impl PyJsonChunkBuffer {
    #[new]
    #[pyo3(signature = (capacity_per_call = 10_485_760))]
    fn new(py: Python<'_>, #[pyo3(from_py_with = args::capacity_per_call)] capacity_per_call: usize) -> PyResult<Self> {
        let session = py.detach(|| ChunkSession::new(capacity_per_call)).map_err(PyAudioError)?;
        Ok(Self { session: Mutex::new(session) })
    }

    fn add_chunk(&self, py: Python<'_>, call_id: &Bound<'_, PyAny>, chunk: &Bound<'_, PyAny>) -> PyResult<usize> {
        let (call_id, chunk) = (args::str_of(call_id, "call_id")?, args::bytes_of(chunk, "chunk")?);
        let call_id: &str = &call_id;
        Ok(py.detach(|| lock(&self.session).add_chunk(call_id, chunk)).map_err(PyAudioError)?)
    }

    fn take<'py>(&self, py: Python<'py>, call_id: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyArray1<u8>>> {
        let call_id = args::str_of(call_id, "call_id")?;
        let call_id: &str = &call_id;
        let bytes = py.detach(|| lock(&self.session).take(call_id)).map_err(PyAudioError)?;
        Ok(to_numpy_1d(py, bytes))
    }

    #[getter]
    fn reallocations(&self, py: Python<'_>) -> PyResult<u64> {
        Ok(py.detach(|| lock(&self.session).reallocations()).map_err(PyAudioError)?)
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(json_convert, m)?)?;
    m.add_function(wrap_pyfunction!(json_vad, m)?)?;
    m.add_function(wrap_pyfunction!(json_resample, m)?)?;
    m.add_function(wrap_pyfunction!(json_pipeline, m)?)?;
    m.add_class::<PyJsonChunkBuffer>()?;
    Ok(())
}
