//! `rust-direct-mt` bindings: the resampler and the pipeline with each call split across
//! threads (`audiobench_core::direct::parallel`). The GIL is released around every call.

use audiobench_core::direct::parallel::{self, ParallelPipeline, ParallelResampler};
use audiobench_core::direct::resample;
use std::sync::Mutex;

use numpy::{Ix1, Ix2};
use pyo3::prelude::*;

use crate::args;
use crate::arrays::{audio_input, output, planar_shape, slice, slice_mut};
use crate::direct::{check_channels, vad_params};
use crate::errors::PyAudioError;
use crate::lock;

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
        let a = audio_input(audio, "audio")?;
        let (channels, frames) = planar_shape(&a);
        check_channels("ParallelResampler", lock(&self.inner).channels(), channels)?;
        let mut o = output::<f32, Ix2>(out, "out", &[channels, resample::output_frames(frames)])?;
        let (s, d) = (slice(&a, "audio")?, slice_mut(&mut o, "out")?);
        py.detach(|| lock(&self.inner).process_into(s, d)).map_err(PyAudioError)?;
        Ok(())
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
    vad: audiobench_core::direct::vad::VadParams,
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
        Ok(Self { inner: Mutex::new(inner), vad: params })
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
        let a = audio_input(audio, "audio")?;
        let (channels, frames) = planar_shape(&a);
        check_channels("ParallelPipeline", lock(&self.inner).channels(), channels)?;
        let count = self.vad.frame_count(frames);
        let mut o = output::<i16, Ix2>(out, "out", &[channels, resample::output_frames(frames)])?;
        let mut f = output::<bool, Ix1>(flags, "flags", &[count])?;
        let (s, d, fl) = (slice(&a, "audio")?, slice_mut(&mut o, "out")?, slice_mut(&mut f, "flags")?);
        let summary = py.detach(|| lock(&self.inner).process_into(s, d, fl)).map_err(PyAudioError)?;
        Ok(summary.speech_ratio())
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("PARALLEL_THREAD_PREFIX", parallel::THREAD_NAME_PREFIX)?;
    m.add("PARALLEL_MAX_THREADS", parallel::MAX_THREADS)?;
    m.add_class::<PyParallelResampler>()?;
    m.add_class::<PyParallelPipeline>()?;
    Ok(())
}
