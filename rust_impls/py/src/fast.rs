//! `rust-fast` bindings: the study's `FastAudioNode`s and the `AudioProcessor`.
//!
//! A fast node owns its input as `Arc<Vec<T>>`, so entering this tier from numpy copies the
//! (zero-copy borrowed) view into a new `Vec` once: the "buffer wrap" stage the profiler
//! times. Outputs are unwrapped from their `Arc` and handed to numpy without copying.

use std::sync::{Arc, Mutex};

use audiobench_core::direct::convert::Conversion;
use audiobench_core::direct::resample::{Preset, INPUT_RATE};
use audiobench_core::direct::vad::vad_pcm16_completed;
use audiobench_core::fast::nodes::{convert_node, FastConvertNode, FastResampleNode, FastVadNode};
use audiobench_core::fast::pipeline::FastPipeline;
use audiobench_core::fast::processor::AudioProcessor;
use audiobench_core::fast::{AudioBuffer, AudioData, FastAudioNode};
use audiobench_core::kernel::Samples;
use numpy::{Ix1, PyArray1, PyArray2};
use pyo3::prelude::*;

use crate::args;
use crate::arrays::{
    audio_input, input, planar_shape, samples_to_numpy, slice, to_numpy_1d, to_numpy_2d, PipelineResultPy, VadResultPy,
};
use crate::direct::{check_channels, vad_params};
use crate::errors::PyAudioError;
use crate::lock;
use audiobench_core::alloc::copied_vec;

/// Take the samples out of an `Arc`, copying only if someone else still holds it.
fn unwrap_arc<T: Clone>(a: Arc<Vec<T>>) -> Vec<T> {
    Arc::try_unwrap(a).unwrap_or_else(|shared| (*shared).clone())
}

/// Copy planar audio into a node's buffer. `built_for` is the object and channel count of a node
/// fixed to one count, checked before anything is copied.
fn wrap_planar(
    audio: &Bound<'_, PyAny>,
    sample_rate: u32,
    built_for: Option<(&str, usize)>,
) -> PyResult<(AudioData, usize)> {
    let a = audio_input(audio, "audio")?;
    let (channels, _) = planar_shape(&a);
    if let Some((object, expected)) = built_for {
        check_channels(object, expected, channels)?;
    }
    let s = slice(&a, "audio")?;
    let copy = audio.py().detach(|| copied_vec("audio", s)).map_err(PyAudioError)?;
    let buffer = AudioBuffer::new_f32(copy);
    Ok((AudioData::new(buffer, sample_rate, channels), channels))
}

/// Sample-format conversion node.
#[pyclass(module = "audiobench._rust", name = "FastConvertNode", frozen)]
pub struct PyFastConvertNode {
    conversion: Conversion,
    node: Mutex<FastConvertNode>,
}

#[pymethods]
impl PyFastConvertNode {
    #[new]
    fn new(variant: &str) -> PyResult<Self> {
        let conversion = Conversion::parse(variant).map_err(PyAudioError)?;
        Ok(Self { conversion, node: Mutex::new(convert_node(conversion)) })
    }

    #[getter]
    fn variant(&self) -> &'static str {
        self.conversion.name()
    }

    fn process<'py>(&self, py: Python<'py>, x: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let data = match self.conversion.input_format() {
            "f32" => {
                let a = input::<f32, Ix1>(x, "x", "")?;
                let s = slice(&a, "x")?;
                let copy = py.detach(|| copied_vec("x", s)).map_err(PyAudioError)?;
                AudioData::new(AudioBuffer::new_f32(copy), 0, 1)
            }
            _ => {
                let a = input::<i16, Ix1>(x, "x", "")?;
                let s = slice(&a, "x")?;
                let copy = py.detach(|| copied_vec("x", s)).map_err(PyAudioError)?;
                AudioData::new(AudioBuffer::new_i16(copy), 0, 1)
            }
        };
        let out = py.detach(|| lock(&self.node).process_audio(data)).map_err(PyAudioError)?;
        Ok(samples_to_numpy(py, Samples::from_buffer(out.buffer)))
    }
}

/// Energy VAD node (passes audio through; returns its analysis).
#[pyclass(module = "audiobench._rust", name = "FastVadNode", frozen)]
pub struct PyFastVadNode {
    node: Mutex<FastVadNode>,
    sample_rate: u32,
}

#[pymethods]
impl PyFastVadNode {
    #[new]
    #[pyo3(signature = (sample_rate = 44_100, threshold = 0.02))]
    fn new(#[pyo3(from_py_with = args::sample_rate)] sample_rate: u32, threshold: f32) -> PyResult<Self> {
        let node = FastVadNode::new(vad_params(sample_rate, threshold)?).map_err(PyAudioError)?;
        Ok(Self { node: Mutex::new(node), sample_rate })
    }

    fn process<'py>(&self, py: Python<'py>, audio: &Bound<'py, PyAny>) -> PyResult<VadResultPy<'py>> {
        let (data, _) = wrap_planar(audio, self.sample_rate, None)?;
        let r = py
            .detach(|| {
                let mut node = lock(&self.node);
                node.process_audio(data)?;
                Ok::<_, audiobench_core::AudioError>(node.take_last())
            })
            .map_err(PyAudioError)?;
        Ok((to_numpy_1d(py, r.energies), to_numpy_1d(py, r.flags), r.speech_ratio))
    }
}

/// Resampling node (resampler built once, output allocated per call).
#[pyclass(module = "audiobench._rust", name = "FastResampleNode", frozen)]
pub struct PyFastResampleNode {
    node: Mutex<FastResampleNode>,
    channels: usize,
}

#[pymethods]
impl PyFastResampleNode {
    #[new]
    #[pyo3(signature = (preset = "high", channels = 2))]
    fn new(preset: &str, #[pyo3(from_py_with = args::channels)] channels: usize) -> PyResult<Self> {
        let preset = Preset::parse(preset).map_err(PyAudioError)?;
        Ok(Self { node: Mutex::new(FastResampleNode::new(preset, channels).map_err(PyAudioError)?), channels })
    }

    fn process<'py>(&self, py: Python<'py>, audio: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyArray2<f32>>> {
        let (data, channels) = wrap_planar(audio, INPUT_RATE, Some(("FastResampleNode", self.channels)))?;
        let out = py.detach(|| lock(&self.node).process_audio(data)).map_err(PyAudioError)?;
        let samples = match out.buffer {
            AudioBuffer::F32(v) => unwrap_arc(v),
            other => {
                return Err(PyAudioError(audiobench_core::AudioError::SampleFormat {
                    node: "FastResampleNode",
                    expected: "f32",
                    actual: other.format(),
                })
                .into())
            }
        };
        to_numpy_2d(py, samples, channels)
    }
}

/// VAD → resample(high) → f32→i16 as three chained fast nodes.
#[pyclass(module = "audiobench._rust", name = "FastPipeline", frozen)]
pub struct PyFastPipeline {
    pipeline: Mutex<FastPipeline>,
    sample_rate: u32,
    channels: usize,
}

#[pymethods]
impl PyFastPipeline {
    #[new]
    #[pyo3(signature = (channels = 2, sample_rate = 44_100, threshold = 0.02))]
    fn new(
        #[pyo3(from_py_with = args::channels)] channels: usize,
        #[pyo3(from_py_with = args::sample_rate)] sample_rate: u32,
        threshold: f32,
    ) -> PyResult<Self> {
        let pipeline = FastPipeline::new(channels, vad_params(sample_rate, threshold)?).map_err(PyAudioError)?;
        Ok(Self { pipeline: Mutex::new(pipeline), sample_rate, channels })
    }

    fn process<'py>(&self, py: Python<'py>, audio: &Bound<'py, PyAny>) -> PyResult<PipelineResultPy<'py>> {
        let (data, channels) = wrap_planar(audio, self.sample_rate, Some(("FastPipeline", self.channels)))?;
        let (out, vad) = py.detach(|| lock(&self.pipeline).process(data)).map_err(PyAudioError)?;
        let samples = match out.buffer {
            AudioBuffer::I16(v) => unwrap_arc(v),
            other => {
                return Err(PyAudioError(audiobench_core::AudioError::SampleFormat {
                    node: "FastPipeline",
                    expected: "i16",
                    actual: other.format(),
                })
                .into())
            }
        };
        Ok((to_numpy_2d(py, samples, channels)?, to_numpy_1d(py, vad.flags), vad.speech_ratio))
    }
}

/// Thread-safe per-call base64 chunk buffers (the CallBot `AudioProcessor`).
#[pyclass(module = "audiobench._rust", name = "AudioProcessor", frozen)]
pub struct PyAudioProcessor {
    inner: AudioProcessor,
}

#[pymethods]
impl PyAudioProcessor {
    #[new]
    #[pyo3(signature = (capacity_per_call = 10_485_760))]
    fn new(#[pyo3(from_py_with = args::capacity_per_call)] capacity_per_call: usize) -> Self {
        Self { inner: AudioProcessor::new(capacity_per_call) }
    }

    #[getter]
    fn capacity_per_call(&self) -> usize {
        self.inner.capacity_per_call()
    }

    #[getter]
    fn reallocations(&self) -> u64 {
        self.inner.reallocations()
    }

    fn add_chunk(&self, py: Python<'_>, call_id: &Bound<'_, PyAny>, chunk: &Bound<'_, PyAny>) -> PyResult<usize> {
        let (call_id, chunk) = (args::str_of(call_id, "call_id")?, args::bytes_of(chunk, "chunk")?);
        let call_id: &str = &call_id;
        let inner = &self.inner;
        Ok(py.detach(|| inner.add_chunk(call_id, chunk)).map_err(PyAudioError)?)
    }

    #[pyo3(signature = (call_id, chunk, sample_rate = 16_000, threshold = 0.02))]
    fn add_chunk_vad<'py>(
        &self,
        py: Python<'py>,
        call_id: &Bound<'py, PyAny>,
        chunk: &Bound<'py, PyAny>,
        #[pyo3(from_py_with = args::sample_rate)] sample_rate: u32,
        threshold: f32,
    ) -> PyResult<(usize, Bound<'py, PyArray1<bool>>)> {
        let params = vad_params(sample_rate, threshold)?;
        let (call_id, chunk) = (args::str_of(call_id, "call_id")?, args::bytes_of(chunk, "chunk")?);
        let call_id: &str = &call_id;
        let inner = &self.inner;
        let (written, flags) = py
            .detach(|| inner.add_chunk_then(call_id, chunk, |pcm, before| vad_pcm16_completed(pcm, before, &params)))
            .map_err(PyAudioError)?;
        Ok((written, to_numpy_1d(py, flags.map_err(PyAudioError)?)))
    }

    fn take<'py>(&self, py: Python<'py>, call_id: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyArray1<u8>>> {
        let call_id = args::str_of(call_id, "call_id")?;
        let call_id: &str = &call_id;
        let inner = &self.inner;
        let bytes = py.detach(|| inner.take(call_id)).map_err(PyAudioError)?;
        Ok(to_numpy_1d(py, bytes))
    }

    fn buffered(&self, call_id: &Bound<'_, PyAny>) -> PyResult<usize> {
        Ok(self.inner.buffered(&args::str_of(call_id, "call_id")?).map_err(PyAudioError)?)
    }

    fn call_ids(&self) -> Vec<String> {
        self.inner.call_ids()
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyFastConvertNode>()?;
    m.add_class::<PyFastVadNode>()?;
    m.add_class::<PyFastResampleNode>()?;
    m.add_class::<PyFastPipeline>()?;
    m.add_class::<PyAudioProcessor>()?;
    Ok(())
}
