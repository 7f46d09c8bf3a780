//! `rust-direct-mt` bindings: the resampler and the pipeline with each call split across
//! threads (`audiobench_core::direct::parallel`). The GIL is released around every call.

use audiobench_core::direct::parallel::{self, ParallelPipeline, ParallelResampler};
use audiobench_core::direct::resample;
use std::sync::Mutex;

use audiobench_core::direct::vad::{VadParams, VadSummary};
use pyo3::prelude::*;

use crate::args;
use crate::direct::{pipeline_into, resample_into, vad_params, PipelineInto, ResampleInto};
use crate::errors::PyAudioError;
use crate::lock;

impl ResampleInto for ParallelResampler {
    fn channels(&self) -> usize {
        ParallelResampler::channels(self)
    }
    fn process_into(&mut self, input: &[f32], out: &mut [f32]) -> audiobench_core::Result<()> {
        ParallelResampler::process_into(self, input, out)
    }
}

impl PipelineInto for ParallelPipeline {
    fn channels(&self) -> usize {
        ParallelPipeline::channels(self)
    }
    fn vad_params(&self) -> VadParams {
        ParallelPipeline::vad_params(self)
    }
    fn process_into(
        &mut self,
        audio: &[f32],
        out: &mut [i16],
        flags: &mut [bool],
    ) -> audiobench_core::Result<VadSummary> {
        ParallelPipeline::process_into(self, audio, out, flags)
    }
}

/// A 44.1 → 16 kHz resampler whose every call renders its output frames on `threads` threads:
/// the caller and `threads − 1` workers it starts when built (named `audiobench-mt_N`, parked
/// between calls). Output equal to `Resampler`'s bit for bit.
///
/// Methods may be called from several threads; calls on one object take turns.
#[pyclass(module = "audiobench._rust", name = "ParallelResampler", frozen)]
pub struct PyParallelResampler {
    inner: Mutex<ParallelResampler>,
    preset: &'static str,
}

#[pymethods]
impl PyParallelResampler {
    #[new]
    #[pyo3(signature = (preset = "high", channels = 2, threads = 2))]
    fn new(
        preset: &str,
        #[pyo3(from_py_with = args::channels)] channels: usize,
        #[pyo3(from_py_with = args::threads)] threads: usize,
    ) -> PyResult<Self> {
        let p = resample::Preset::parse(preset).map_err(PyAudioError)?;
        let inner = ParallelResampler::new(p, channels, threads).map_err(PyAudioError)?;
        Ok(Self { inner: Mutex::new(inner), preset: p.name() })
    }

    #[getter]
    fn preset(&self) -> &'static str {
        self.preset
    }

    #[getter]
    fn channels(&self) -> usize {
        lock(&self.inner).channels()
    }

    #[getter]
    fn threads(&self) -> usize {
        lock(&self.inner).threads()
    }

    /// Resample planar float32 `audio` (channels, frames) into `out` (channels, output frames).
    fn process_into(&self, py: Python<'_>, audio: &Bound<'_, PyAny>, out: &Bound<'_, PyAny>) -> PyResult<()> {
        resample_into(py, &self.inner, "ParallelResampler", audio, out)
    }

    fn __repr__(&self) -> String {
        let inner = lock(&self.inner);
        format!(
            "ParallelResampler(preset={:?}, channels={}, threads={})",
            self.preset,
            inner.channels(),
            inner.threads()
        )
    }
}

/// The fused VAD → resample(high) → f32→i16 pipeline with its resample → int16 stage split
/// across `threads` threads (the caller runs VAD and the first range). Output equal to
/// `Pipeline`'s.
///
/// Methods may be called from several threads; calls on one object take turns.
#[pyclass(module = "audiobench._rust", name = "ParallelPipeline", frozen)]
pub struct PyParallelPipeline {
    inner: Mutex<ParallelPipeline>,
}

#[pymethods]
impl PyParallelPipeline {
    #[new]
    #[pyo3(signature = (channels = 2, threads = 2, sample_rate = 44_100, threshold = 0.02))]
    fn new(
        #[pyo3(from_py_with = args::channels)] channels: usize,
        #[pyo3(from_py_with = args::threads)] threads: usize,
        #[pyo3(from_py_with = args::sample_rate)] sample_rate: u32,
        threshold: f32,
    ) -> PyResult<Self> {
        let params = vad_params(sample_rate, threshold)?;
        let inner = ParallelPipeline::new(channels, params, threads).map_err(PyAudioError)?;
        Ok(Self { inner: Mutex::new(inner) })
    }

    #[getter]
    fn channels(&self) -> usize {
        lock(&self.inner).channels()
    }

    #[getter]
    fn threads(&self) -> usize {
        lock(&self.inner).threads()
    }

    /// Run the pipeline into int16 `out` (channels, output frames) and bool `flags` (one per
    /// whole 30 ms frame); returns the share of frames flagged as speech.
    fn process_into(
        &self,
        py: Python<'_>,
        audio: &Bound<'_, PyAny>,
        out: &Bound<'_, PyAny>,
        flags: &Bound<'_, PyAny>,
    ) -> PyResult<f64> {
        pipeline_into(py, &self.inner, "ParallelPipeline", audio, out, flags)
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("PARALLEL_THREAD_PREFIX", parallel::THREAD_NAME_PREFIX)?;
    m.add("PARALLEL_MAX_THREADS", parallel::MAX_THREADS)?;
    m.add_class::<PyParallelResampler>()?;
    m.add_class::<PyParallelPipeline>()?;
    Ok(())
}
