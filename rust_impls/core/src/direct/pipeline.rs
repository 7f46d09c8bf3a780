//! The fused direct pipeline: VAD → resample (`high`) → f32→i16, with preallocated scratch.
//!
//! VAD annotates and passes the audio through (it gates nothing), as the study's nodes did;
//! the resampled audio is converted to i16 block by block while each rendered block is
//! still in cache, so no full-length f32 intermediate is ever written.

use crate::direct::convert::f32_to_i16_into;
use crate::direct::resample::{check_range, output_frames, Preset, Resampler};
use crate::direct::vad::{planar_frames, vad_into, VadParams, VadSummary};
use crate::error::{AudioError, Result};

/// Owned pipeline output.
#[derive(Clone, Debug, PartialEq)]
pub struct PipelineOutput {
    /// Planar `(channels, ceil(frames·160/441))` int16 audio at 16 kHz.
    pub audio: Vec<i16>,
    /// VAD flag per 30 ms input frame.
    pub flags: Vec<bool>,
    /// Fraction of speech frames.
    pub speech_ratio: f64,
}

/// A reusable pipeline for one channel count.
#[derive(Debug)]
pub struct Pipeline {
    vad: VadParams,
    resampler: Resampler,
    /// Per-frame energies; the pipeline reports only flags, so this is scratch that grows to
    /// the longest clip seen and is then reused.
    energies: Vec<f32>,
}

impl Pipeline {
    /// Build the pipeline (the `high` resampler and VAD parameters).
    pub fn new(channels: usize, vad: VadParams) -> Result<Self> {
        vad.validate()?;
        Ok(Self { vad, resampler: Resampler::new(Preset::High, channels)?, energies: Vec::new() })
    }

    /// Channels this pipeline was built for.
    pub fn channels(&self) -> usize {
        self.resampler.channels()
    }

    /// VAD parameters in use.
    pub fn vad_params(&self) -> VadParams {
        self.vad
    }

    /// Run the pipeline into caller-provided outputs: `out` is planar
    /// `channels × output_frames(frames)`, `flags` has one entry per whole 30 ms frame.
    pub fn process_into(&mut self, audio: &[f32], out: &mut [i16], flags: &mut [bool]) -> Result<VadSummary> {
        // Check both outputs before either stage writes, so a bad call changes nothing.
        let frames = planar_frames("audio", audio, self.channels())?;
        let expected = output_frames(frames) * self.channels();
        if out.len() != expected {
            return Err(AudioError::OutputLength { name: "out", expected, actual: out.len() });
        }
        let count = self.vad.frame_count(frames);
        if flags.len() != count {
            return Err(AudioError::OutputLength { name: "flags", expected: count, actual: flags.len() });
        }
        // The resampler's domain, checked once for both stages: a refused clip changes nothing.
        check_range("audio", "the pipeline (resampling)", audio, frames)?;
        let summary = self.vad_stage(audio, flags)?;
        self.resample_convert_checked(audio, frames, out)?;
        Ok(summary)
    }

    /// First stage of [`process_into`](Pipeline::process_into): VAD flags (energies kept as
    /// scratch). Public so the profiler can time the stages on their own.
    pub fn vad_stage(&mut self, audio: &[f32], flags: &mut [bool]) -> Result<VadSummary> {
        let channels = self.channels();
        let frames = planar_frames("audio", audio, channels)?;
        let count = self.vad.frame_count(frames);
        if self.energies.len() < count {
            self.energies
                .try_reserve(count - self.energies.len())
                .map_err(|_| AudioError::Allocation { name: "energies", bytes: count * std::mem::size_of::<f32>() })?;
            self.energies.resize(count, 0.0);
        }
        vad_into(audio, channels, &self.vad, &mut self.energies[..count], flags)
    }

    /// Second stage: resample (`high`) and convert each output block to i16 while it is in
    /// cache (fused, so it cannot be split further without changing what it measures).
    /// Refuses what resampling refuses ([`check_range`]).
    pub fn resample_convert_stage(&mut self, audio: &[f32], out: &mut [i16]) -> Result<()> {
        let channels = self.channels();
        let frames = planar_frames("audio", audio, channels)?;
        let out_frames = output_frames(frames);
        if out.len() != out_frames * channels {
            return Err(AudioError::OutputLength { name: "out", expected: out_frames * channels, actual: out.len() });
        }
        check_range("audio", "the pipeline (resampling)", audio, frames)?;
        self.resample_convert_checked(audio, frames, out)
    }

    /// The fused stage on input already checked (length, output length, range).
    fn resample_convert_checked(&mut self, audio: &[f32], frames: usize, out: &mut [i16]) -> Result<()> {
        let channels = self.channels();
        let out_frames = output_frames(frames);
        self.resampler.process_chunks(audio, frames, 0..out_frames, |block, stride, dst, n| {
            for c in 0..channels {
                let from = &block[c * stride..c * stride + n];
                let to = &mut out[c * out_frames + dst..c * out_frames + dst + n];
                // Lengths are equal by construction, so this cannot fail.
                let _ = f32_to_i16_into(from, to);
            }
        });
        Ok(())
    }

    /// The fused stage's output frames `range`, channel `c`'s written to
    /// `rows[c][frame − range.start]` (the multi-threaded tier gives each thread one range and
    /// its columns of `out`). Input already checked, `range` within the output, every row
    /// `range.len()` long.
    pub(crate) fn resample_convert_columns(
        &mut self,
        audio: &[f32],
        frames: usize,
        range: std::ops::Range<usize>,
        rows: &mut [&mut [i16]],
    ) {
        let first = range.start;
        self.resampler.process_chunks(audio, frames, range, |block, stride, dst, n| {
            for (c, row) in rows.iter_mut().enumerate() {
                // Lengths are equal by construction, so this cannot fail.
                let _ = f32_to_i16_into(&block[c * stride..][..n], &mut row[dst - first..][..n]);
            }
        });
    }

    /// Allocating variant of [`process_into`](Pipeline::process_into).
    pub fn process(&mut self, audio: &[f32]) -> Result<PipelineOutput> {
        let channels = self.channels();
        let frames = planar_frames("audio", audio, channels)?;
        let mut out = crate::alloc::zeroed_vec("out", output_frames(frames).saturating_mul(channels))?;
        let mut flags = crate::alloc::zeroed_vec("flags", self.vad.frame_count(frames))?;
        let summary = self.process_into(audio, &mut out, &mut flags)?;
        Ok(PipelineOutput { audio: out, flags, speech_ratio: summary.speech_ratio() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clip_outside_the_resampling_domain_changes_nothing() {
        let frames = 1323 * 3;
        let mut x = vec![0.5f32; 2 * frames];
        x[7] = f32::INFINITY;
        let mut p = Pipeline::new(2, VadParams::default()).unwrap();
        let mut out = vec![9i16; 2 * output_frames(frames)];
        let mut flags = vec![false; 3];
        let err = p.process_into(&x, &mut out, &mut flags).unwrap_err();
        assert!(matches!(err, AudioError::OutOfRange { channel: 0, frame: 7, .. }), "{err}");
        assert!(out.iter().all(|&v| v == 9) && flags.iter().all(|&f| !f), "nothing written");
        assert!(p.resample_convert_stage(&x, &mut out).is_err());
    }
}
