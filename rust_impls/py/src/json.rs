//! `rust-json` bindings: each call converts numpy → `serde_json::Value`, runs freshly created
//! nodes as a task on the tokio executor, and converts the JSON result back to numpy: the
//! study's standard-node path, costs included. The GIL is released for all of it.

use std::sync::Mutex;

use audiobench_core::direct::vad::VadResult;
use audiobench_core::json::audio::{self, JsonSample};
use audiobench_core::json::executor::{run_chain, run_node, start_node, ChainOutput};
use audiobench_core::json::{NodeExecutor, NodeSpec};
use audiobench_core::{AudioError as CoreError, Result as CoreResult};
use numpy::{Element, Ix1, Ix2, PyArray1, PyArray2};
use pyo3::prelude::*;
use serde_json::{json, Value};

use crate::arrays::{input, planar_shape, slice, to_numpy_1d, to_numpy_2d, PipelineResultPy, VadResultPy};
use crate::direct::vad_params;
use crate::errors::PyAudioError;

const AUDIO: &str = "(channels, frames)";
const CALLER: &str = "caller";

fn samples_out<T: JsonSample>(v: &Value) -> CoreResult<(Vec<T>, usize)> {
    let a = audio::from_value::<T>(CALLER, v)?;
    Ok((a.samples, a.channels))
}

fn vad_side_output(out: &ChainOutput) -> CoreResult<VadResult> {
    let (_, report) = out.side_outputs.iter().find(|(id, _)| id == "vad").ok_or_else(|| CoreError::Json {
        node: CALLER,
        path: String::new(),
        reason: "the VAD node produced no report".into(),
    })?;
    audio::vad_from_value(CALLER, report)
}

fn vad_spec(sample_rate: u32, threshold: f32) -> NodeSpec {
    NodeSpec::new("vad", "VoiceActivityDetector", json!({"sample_rate": sample_rate, "threshold": threshold}))
}

/// Convert through an `AudioFormatConverter` node.
#[pyfunction]
pub fn json_convert<'py>(x: &Bound<'py, PyAny>, variant: &str) -> PyResult<Bound<'py, PyAny>> {
    let py = x.py();
    let conversion = audiobench_core::direct::convert::Conversion::parse(variant).map_err(PyAudioError)?;
    let spec = || vec![NodeSpec::new("convert", "AudioFormatConverter", json!({"variant": variant}))];
    fn run<T: JsonSample + Element>(py: Python<'_>, value: Value, specs: Vec<NodeSpec>) -> PyResult<Bound<'_, PyAny>> {
        let (samples, _) = py
            .detach(|| {
                let out = run_chain(specs, value)?;
                samples_out::<T>(&out.output)
            })
            .map_err(PyAudioError)?;
        Ok(to_numpy_1d(py, samples).into_any())
    }
    let value = match conversion.input_format() {
        "f32" => {
            let a = input::<f32, Ix1>(x, "x", "")?;
            let s = slice(&a, "x")?;
            py.detach(|| audio::to_value(s, 0, 1))
        }
        _ => {
            let a = input::<i16, Ix1>(x, "x", "")?;
            let s = slice(&a, "x")?;
            py.detach(|| audio::to_value(s, 0, 1))
        }
    };
    match conversion.output_format() {
        "i16" => run::<i16>(py, value, spec()),
        "f32" => run::<f32>(py, value, spec()),
        _ => run::<i32>(py, value, spec()),
    }
}

/// VAD through a `VoiceActivityDetector` node.
#[pyfunction]
#[pyo3(signature = (audio, sample_rate = 44_100, threshold = 0.02))]
pub fn json_vad<'py>(audio: &Bound<'py, PyAny>, sample_rate: u32, threshold: f32) -> PyResult<VadResultPy<'py>> {
    let py = audio.py();
    vad_params(sample_rate, threshold)?;
    let a = input::<f32, Ix2>(audio, "audio", AUDIO)?;
    let (channels, _) = planar_shape(&a);
    let s = slice(&a, "audio")?;
    let r = py
        .detach(|| {
            let value = audio::to_value(s, sample_rate, channels);
            let out = run_chain(vec![vad_spec(sample_rate, threshold)], value)?;
            vad_side_output(&out)
        })
        .map_err(PyAudioError)?;
    Ok((to_numpy_1d(py, r.energies), to_numpy_1d(py, r.flags), r.speech_ratio))
}

/// Resample through an `AudioResampler` node (created and initialised per call).
#[pyfunction]
pub fn json_resample<'py>(audio: &Bound<'py, PyAny>, preset: &str) -> PyResult<Bound<'py, PyArray2<f32>>> {
    let py = audio.py();
    audiobench_core::direct::resample::Preset::parse(preset).map_err(PyAudioError)?;
    let a = input::<f32, Ix2>(audio, "audio", AUDIO)?;
    let (channels, _) = planar_shape(&a);
    let s = slice(&a, "audio")?;
    let (samples, _) = py
        .detach(|| {
            let value = audio::to_value(s, audiobench_core::direct::resample::INPUT_RATE, channels);
            let spec = NodeSpec::new("resample", "AudioResampler", json!({"preset": preset, "channels": channels}));
            samples_out::<f32>(&run_chain(vec![spec], value)?.output)
        })
        .map_err(PyAudioError)?;
    to_numpy_2d(py, samples, channels)
}

/// VAD → resample(high) → f32→i16 as three JSON nodes chained by the executor.
#[pyfunction]
#[pyo3(signature = (audio, sample_rate = 44_100, threshold = 0.02))]
pub fn json_pipeline<'py>(
    audio: &Bound<'py, PyAny>,
    sample_rate: u32,
    threshold: f32,
) -> PyResult<PipelineResultPy<'py>> {
    let py = audio.py();
    vad_params(sample_rate, threshold)?;
    let a = input::<f32, Ix2>(audio, "audio", AUDIO)?;
    let (channels, _) = planar_shape(&a);
    let s = slice(&a, "audio")?;
    let (samples, vad) = py
        .detach(|| {
            let value = audio::to_value(s, sample_rate, channels);
            let specs = vec![
                vad_spec(sample_rate, threshold),
                NodeSpec::new("resample", "AudioResampler", json!({"preset": "high", "channels": channels})),
                NodeSpec::new("convert", "AudioFormatConverter", json!({"variant": "f32_i16"})),
            ];
            let out = run_chain(specs, value)?;
            Ok::<_, CoreError>((samples_out::<i16>(&out.output)?.0, vad_side_output(&out)?))
        })
        .map_err(PyAudioError)?;
    Ok((to_numpy_2d(py, samples, channels)?, to_numpy_1d(py, vad.flags), vad.speech_ratio))
}

/// A long-lived `AudioChunkBuffer` node fed one JSON message per chunk.
#[pyclass(module = "audiobench._rust", name = "JsonChunkBuffer", frozen)]
pub struct PyJsonChunkBuffer {
    // The node is `&mut self` in its trait, so concurrent callers take turns; it is moved
    // into each executor task and back, hence the Option.
    node: Mutex<Option<Box<dyn NodeExecutor>>>,
}

impl PyJsonChunkBuffer {
    fn call(&self, py: Python<'_>, message: Value) -> PyResult<Value> {
        py.detach(|| {
            let mut slot = self.node.lock().unwrap_or_else(|p| p.into_inner());
            let node = slot.take().ok_or_else(|| CoreError::Executor("the node was lost by a failed task".into()))?;
            let (node, result) = run_node(node, message)?;
            *slot = Some(node);
            let mut outputs = result?;
            if outputs.is_empty() {
                return Err(CoreError::Json { node: CALLER, path: String::new(), reason: "no output".into() });
            }
            Ok(outputs.swap_remove(0))
        })
        .map_err(|e| PyAudioError(e).into())
    }
}

#[pymethods]
impl PyJsonChunkBuffer {
    #[new]
    #[pyo3(signature = (capacity_per_call = 10_485_760))]
    fn new(py: Python<'_>, capacity_per_call: usize) -> PyResult<Self> {
        let spec = NodeSpec::new("buffer", "AudioChunkBuffer", json!({"capacity_per_call": capacity_per_call}));
        let node = py.detach(|| start_node(spec)).map_err(PyAudioError)?;
        Ok(Self { node: Mutex::new(Some(node)) })
    }

    fn add_chunk(&self, py: Python<'_>, call_id: &str, chunk: &[u8]) -> PyResult<usize> {
        // JSON carries the chunk as a string, so it must be text.
        let data = std::str::from_utf8(chunk).map_err(|e| {
            PyAudioError(CoreError::Base64 { call_id: call_id.into(), chunk: 0, detail: format!("not ASCII: {e}") })
        })?;
        let out = self.call(py, json!({"op": "append", "call_id": call_id, "data": data}))?;
        Ok(out.get("appended").and_then(Value::as_u64).unwrap_or(0) as usize)
    }

    fn take<'py>(&self, py: Python<'py>, call_id: &str) -> PyResult<Bound<'py, PyArray1<u8>>> {
        let out = self.call(py, json!({"op": "take", "call_id": call_id}))?;
        let (bytes, _) = py.detach(|| samples_out::<u8>(&out)).map_err(PyAudioError)?;
        Ok(to_numpy_1d(py, bytes))
    }

    #[getter]
    fn reallocations(&self, py: Python<'_>) -> PyResult<u64> {
        let out = self.call(py, json!({"op": "stats"}))?;
        Ok(out.get("reallocations").and_then(Value::as_u64).unwrap_or(0))
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
