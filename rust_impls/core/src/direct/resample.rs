//! 44.1 kHz → 16 kHz resampling, aligned sample for sample with the other tiers.
//!
//! Every tier returns `ceil(n · 160/441)` frames per channel, output frame `k` at time
//! `k / 16000` s, the same instant as the analytic truth the quality tests compare against.
//! Every preset is the polyphase FIR of [`super::polyphase`] (a Kaiser-windowed sinc centred
//! on each output instant, so there is no delay to remove); the presets differ in taps per
//! output, i.e. in stopband attenuation and passband accuracy, each measured (README).
//!
//! Rendering goes block by block through a small scratch that stays in cache, so the fused
//! pipeline converts each block to i16 while it is hot; [`Resampler::process_into`] renders
//! straight into the caller's exact-size output and allocates nothing.

use std::sync::OnceLock;

use crate::alloc::zeroed_vec;
use crate::direct::polyphase::{self, Block, Clip, Design, Filter};
use crate::direct::vad::planar_frames;
use crate::error::{AudioError, Result};
use crate::simd::dispatch_kernel;

/// Input rate this operation is defined for.
pub const INPUT_RATE: u32 = 44_100;
/// Output rate this operation is defined for.
pub const OUTPUT_RATE: u32 = 16_000;
/// 16000/44100 reduced: output frames per `RATIO_DEN` input frames.
pub const RATIO_NUM: usize = polyphase::NUM;
/// 16000/44100 reduced.
pub const RATIO_DEN: usize = polyphase::DEN;
/// Largest sample magnitude resampling takes: 2^64. Each output is a weighted sum of at most
/// 160 samples with taps below 1, far from f32's 3.4 × 10^38 even at this bound; the limit is
/// the domain every tier shares (the FFT resampler this crate once used overflowed from about
/// 10^32), and far beyond any recorded audio (float WAVs hold ±1, integer-scaled ones ±2^31).
/// NaN and ±inf are outside too: a filter spreads one over every output whose window holds
/// it, differently per resampler, so no two tiers could agree.
pub const MAX_MAGNITUDE: f32 = 18_446_744_073_709_551_616.0;

/// Most channels one resampler takes: a count nobody records audio with (a transposed array,
/// a bad parameter) is refused up front rather than read as one enormous frame.
pub const MAX_CHANNELS: usize = 64;

/// Output frames per channel for `frames` input frames: exactly `ceil(frames · 160/441)`,
/// in integer arithmetic (a float ratio gets this wrong for some lengths).
pub fn output_frames(frames: usize) -> usize {
    // 160/441 < 1, so the product divided back fits whenever `frames` does.
    ((frames as u128 * RATIO_NUM as u128).div_ceil(RATIO_DEN as u128)) as usize
}

/// Quality/speed trade-off: taps per output sample of the polyphase filter. Kaiser's formula
/// gives the stopband attenuation each width buys over the 7–9 kHz transition band (see
/// [`super::polyphase`]); the SNR each reaches on the analytic multi-sine is measured and
/// listed in the README beside soxr's classes of the same names (LQ / MQ / HQ).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Preset {
    /// 64 taps per output: ≈ 50 dB stopband.
    Low,
    /// 96 taps per output: ≈ 70 dB stopband.
    Medium,
    /// 160 taps per output: ≈ 112 dB stopband.
    High,
}

impl Preset {
    /// All presets in catalogue order.
    pub const ALL: [Preset; 3] = [Preset::Low, Preset::Medium, Preset::High];

    /// The catalogue name.
    pub fn name(self) -> &'static str {
        match self {
            Preset::Low => "low",
            Preset::Medium => "medium",
            Preset::High => "high",
        }
    }

    /// Parse a catalogue name.
    pub fn parse(name: &str) -> Result<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name).ok_or_else(|| AudioError::InvalidParameter {
            name: "preset",
            reason: format!("unknown preset `{name}` (expected low, medium or high)"),
        })
    }

    /// Taps per output sample.
    pub fn taps(self) -> usize {
        match self {
            Preset::Low => 64,
            Preset::Medium => 96,
            Preset::High => 160,
        }
    }

    /// Stopband attenuation in dB that Kaiser's formula gives this preset's width.
    pub fn stopband_db(self) -> f64 {
        Design::for_width(self.taps()).attenuation_db
    }

    /// The filter, built on first use and shared by every resampler of this preset.
    fn filter(self) -> &'static Filter {
        static CELLS: [OnceLock<Filter>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
        Filter::shared(Design::for_width(self.taps()), &CELLS[self as usize])
    }
}

/// Output frames rendered per block for a sink: 2 channels × 1280 × 4 B stay in L1, and 1280 is
/// a whole number of the renderer's same-phase runs (`NUM` × 4 for channel pairs, × 8 for one),
/// so no block ends in a short run that shares fewer tap loads.
pub(crate) const BLOCK_FRAMES: usize = 8 * RATIO_NUM;

/// A reusable resampler for one preset and channel count: build once, then
/// [`process_into`](Resampler::process_into) any number of clips without allocating.
pub struct Resampler {
    preset: Preset,
    channels: usize,
    filter: &'static Filter,
    /// Planar `channels × BLOCK_FRAMES` block for [`process_chunks`](Resampler::process_chunks).
    scratch: Vec<f32>,
}

impl std::fmt::Debug for Resampler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resampler").field("preset", &self.preset).field("channels", &self.channels).finish()
    }
}

impl Resampler {
    /// Build the resampler for `channels` channels (the preset's taps are computed once per
    /// process and shared).
    ///
    /// Errors: `InvalidParameter` for 0 or more than [`MAX_CHANNELS`] channels.
    pub fn new(preset: Preset, channels: usize) -> Result<Self> {
        if channels == 0 {
            return Err(AudioError::InvalidParameter { name: "channels", reason: "must be at least 1, got 0".into() });
        }
        if channels > MAX_CHANNELS {
            return Err(AudioError::InvalidParameter {
                name: "channels",
                reason: format!("at most {MAX_CHANNELS} channels can be resampled, got {channels}"),
            });
        }
        let scratch = zeroed_vec("resampler scratch", channels * BLOCK_FRAMES)?;
        Ok(Self { preset, channels, filter: preset.filter(), scratch })
    }

    /// The preset this resampler was built with.
    pub fn preset(&self) -> Preset {
        self.preset
    }

    /// Channel count this resampler was built for.
    pub fn channels(&self) -> usize {
        self.channels
    }

    /// Output frames dropped from the front of every clip to remove the group delay: none,
    /// the filter is centred on each output instant.
    pub fn delay(&self) -> usize {
        0
    }

    /// Resample planar `input` (`channels × frames`) into planar `out`
    /// (`channels × output_frames(frames)`), allocating nothing.
    ///
    /// Refuses (`AudioError::OutOfRange`, naming the first such sample) input with NaN, ±inf
    /// or a magnitude above [`MAX_MAGNITUDE`], before writing anything.
    pub fn process_into(&mut self, input: &[f32], out: &mut [f32]) -> Result<()> {
        let frames = planar_frames("audio", input, self.channels)?;
        check_range("audio", "resampling", input, frames)?;
        let out_frames = output_frames(frames);
        let expected = out_frames * self.channels;
        if out.len() != expected {
            return Err(AudioError::OutputLength { name: "out", expected, actual: out.len() });
        }
        let clip = Clip { input, channels: self.channels, frames };
        polyphase::render(
            &clip,
            &self.filter.taps,
            self.filter.width,
            &mut Block { out, stride: out_frames, first: 0, count: out_frames },
        );
        Ok(())
    }

    /// Allocating variant of [`process_into`](Resampler::process_into).
    pub fn process(&mut self, input: &[f32]) -> Result<Vec<f32>> {
        let frames = planar_frames("audio", input, self.channels)?;
        let mut out = zeroed_vec("out", output_frames(frames).saturating_mul(self.channels))?;
        self.process_into(input, &mut out)?;
        Ok(out)
    }

    /// Render output frames `range` of the clip block by block, handing each block to
    /// `sink(block, stride, dst_frame, n)`: channel `c`'s `n` frames are `block[c·stride..][..n]`,
    /// output frames `dst_frame..`.
    ///
    /// Used by the fused pipeline (convert to i16 while the block is in cache) and by the
    /// multi-threaded tier (one range per thread). `input.len()` must be `channels × frames`,
    /// every sample within [`check_range`], and `range` within `0..output_frames(frames)`
    /// (all checked by the callers).
    pub(crate) fn process_chunks(
        &mut self,
        input: &[f32],
        frames: usize,
        range: std::ops::Range<usize>,
        mut sink: impl FnMut(&[f32], usize, usize, usize),
    ) {
        let clip = Clip { input: &input[..frames * self.channels], channels: self.channels, frames };
        let mut first = range.start;
        while first < range.end {
            let count = BLOCK_FRAMES.min(range.end - first);
            let mut block = Block { out: &mut self.scratch, stride: BLOCK_FRAMES, first, count };
            polyphase::render(&clip, &self.filter.taps, self.filter.width, &mut block);
            sink(&self.scratch, BLOCK_FRAMES, first, count);
            first += count;
        }
    }
}

/// Whether one sample is in resampling's domain; false for NaN (every comparison with NaN is).
#[inline(always)]
fn in_domain(v: f32) -> bool {
    v.abs() <= MAX_MAGNITUDE
}

#[inline(always)]
fn in_range_body(x: &[f32]) -> bool {
    // One compare per sample: vectorises, and the fold has no early exit.
    x.iter().fold(true, |ok, &v| ok & in_domain(v))
}

dispatch_kernel!(fn in_range, in_range_on(x: &[f32]) -> bool => in_range_body);

/// Refuse planar `input` (`frames` per channel) holding a sample resampling is not defined for
/// (NaN, ±inf, magnitude above [`MAX_MAGNITUDE`]), naming the first one by channel and frame.
/// Scans in blocks so a clean clip costs one vectorised pass.
pub fn check_range(name: &'static str, op: &'static str, input: &[f32], frames: usize) -> Result<()> {
    const BLOCK: usize = 4096;
    for (b, block) in input.chunks(BLOCK).enumerate() {
        if in_range(block) {
            continue;
        }
        let first = b * BLOCK + block.iter().position(|&v| !in_domain(v)).unwrap_or(0);
        let count = input[b * BLOCK..].iter().filter(|&&v| !in_domain(v)).count();
        let frames = frames.max(1);
        return Err(AudioError::OutOfRange {
            name,
            op,
            channel: first / frames,
            frame: first % frames,
            value: input[first],
            count,
        });
    }
    Ok(())
}

/// One-shot allocating resample: builds a resampler, runs it, drops it.
/// Use [`Resampler`] to amortise construction over many clips.
pub fn resample(input: &[f32], channels: usize, preset: Preset) -> Result<Vec<f32>> {
    Resampler::new(preset, channels)?.process(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_outside_the_domain_are_refused_naming_the_first() {
        let frames = 4410;
        let above = f32::from_bits(MAX_MAGNITUDE.to_bits() + 1);
        for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, above, -above, f32::MAX, 1e36] {
            for preset in Preset::ALL {
                let mut x = vec![0.0f32; 2 * frames];
                x[frames + 100] = bad; // channel 1, frame 100
                x[frames + 200] = bad;
                let mut r = Resampler::new(preset, 2).unwrap();
                let mut out = vec![7.0f32; 2 * output_frames(frames)];
                let err = r.process_into(&x, &mut out).unwrap_err();
                match err {
                    AudioError::OutOfRange { channel: 1, frame: 100, count: 2, .. } => {}
                    other => panic!("{preset:?} {bad}: {other}"),
                }
                assert!(out.iter().all(|&v| v == 7.0), "a refused clip writes nothing");
            }
        }
        let err = resample(&[0.0, f32::NAN, 0.0], 1, Preset::High).unwrap_err().to_string();
        assert!(err.contains("sample 1 of channel 0 is NaN"), "{err}");
    }

    #[test]
    fn the_largest_accepted_magnitude_resamples_to_finite_output() {
        // The whole block at the edge of the domain: the FFT sums stay far below f32::MAX.
        for preset in Preset::ALL {
            let x: Vec<f32> = (0..8820).map(|i| if i % 2 == 0 { MAX_MAGNITUDE } else { -MAX_MAGNITUDE }).collect();
            let y = resample(&x, 2, preset).unwrap();
            assert!(y.iter().all(|v| v.is_finite()), "{preset:?}");
            let x = vec![MAX_MAGNITUDE; 8820];
            assert!(resample(&x, 1, preset).unwrap().iter().all(|v| v.is_finite()), "{preset:?}");
        }
    }

    fn multisine(rate: f64, frames: usize, channels: usize) -> Vec<f32> {
        let tones = [(440.0, 0.3), (1234.5, 0.2), (3000.0, 0.15), (6500.0, 0.1)];
        let mut out = Vec::with_capacity(frames * channels);
        for c in 0..channels {
            for i in 0..frames {
                let t = i as f64 / rate;
                let v: f64 =
                    tones.iter().map(|&(f, a)| a * (2.0 * std::f64::consts::PI * f * t + c as f64).sin()).sum();
                out.push(v as f32);
            }
        }
        out
    }

    fn snr_db(got: &[f32], want: &[f32]) -> f64 {
        let (mut s, mut e) = (0.0f64, 0.0f64);
        for (&g, &w) in got.iter().zip(want) {
            s += (w as f64).powi(2);
            e += (g as f64 - w as f64).powi(2);
        }
        10.0 * (s / e).log10()
    }

    #[test]
    fn output_length_is_exact_ceiling() {
        assert_eq!(output_frames(44_100), 16_000);
        assert_eq!(output_frames(441), 160);
        assert_eq!(output_frames(442), 161);
        assert_eq!(output_frames(1), 1);
        assert_eq!(output_frames(0), 0);
    }

    #[test]
    fn every_preset_is_aligned_and_accurate() {
        let frames = 44_100;
        let input = multisine(44_100.0, frames, 2);
        let truth = multisine(16_000.0, output_frames(frames), 2);
        for preset in Preset::ALL {
            let out = resample(&input, 2, preset).unwrap();
            assert_eq!(out.len(), 2 * 16_000);
            // Interior only: both clip edges see the filter ramp.
            for c in 0..2 {
                let range = c * 16_000 + 400..c * 16_000 + 15_600;
                let snr = snr_db(&out[range.clone()], &truth[range]);
                assert!(snr > 40.0, "{preset:?} channel {c}: SNR {snr:.1} dB");
            }
        }
    }

    #[test]
    fn every_preset_attenuates_what_would_alias_by_its_stopband() {
        // Tones from the stopband edge (9 kHz: its alias lands at 7 kHz, the passband's edge)
        // to 21 kHz: each comes out the preset's Kaiser attenuation below its level, within the
        // 1 dB Kaiser's width formula is good for (measured: low 49.0 dB at 9 kHz for 49.7).
        let frames = 44_100;
        for preset in Preset::ALL {
            for hz in [9_000.0, 9_700.0, 12_345.0, 16_000.0, 21_000.0] {
                let x: Vec<f32> =
                    (0..frames).map(|i| (2.0 * std::f64::consts::PI * hz * i as f64 / 44_100.0).sin() as f32).collect();
                let y = resample(&x, 1, preset).unwrap();
                let interior = &y[400..y.len() - 400];
                let rms = (interior.iter().map(|&v| (v as f64).powi(2)).sum::<f64>() / interior.len() as f64).sqrt();
                let level_db = 20.0 * (rms * 2f64.sqrt()).log10();
                assert!(level_db < 1.0 - preset.stopband_db(), "{preset:?} {hz} Hz: {level_db:.1} dB");
            }
        }
    }

    #[test]
    fn block_rendering_equals_the_whole_clip() {
        // The fused pipeline renders in blocks; every output must be the one process_into gives.
        for frames in [1, 100, 441, 5_000, 44_100] {
            let input = multisine(44_100.0, frames, 3);
            for preset in Preset::ALL {
                let mut r = Resampler::new(preset, 3).unwrap();
                let whole = r.process(&input).unwrap();
                let out_frames = output_frames(frames);
                let mut blocks = vec![f32::NAN; whole.len()];
                r.process_chunks(&input, frames, 0..output_frames(frames), |block, stride, dst, n| {
                    for c in 0..3 {
                        blocks[c * out_frames + dst..][..n].copy_from_slice(&block[c * stride..][..n]);
                    }
                });
                assert_eq!(whole, blocks, "{preset:?}, {frames} frames");
            }
        }
    }

    #[test]
    fn reuse_gives_identical_output() {
        let input = multisine(44_100.0, 10_000, 1);
        let mut r = Resampler::new(Preset::High, 1).unwrap();
        let a = r.process(&input).unwrap();
        let b = r.process(&input).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn tiny_and_empty_inputs() {
        for preset in Preset::ALL {
            assert!(resample(&[], 1, preset).unwrap().is_empty());
            assert_eq!(resample(&[0.5; 3], 1, preset).unwrap().len(), 2);
        }
    }

    #[test]
    fn shape_errors() {
        let mut r = Resampler::new(Preset::Low, 2).unwrap();
        assert!(r.process(&[0.0; 5]).is_err());
        let mut out = vec![0.0; 3];
        assert!(r.process_into(&[0.0; 882], &mut out).is_err());
        assert!(Resampler::new(Preset::Low, 0).is_err());
        // An absurd count (a transposed array) is refused, not read as one huge frame.
        let Err(err) = Resampler::new(Preset::High, 1 << 40) else { panic!("2^40 channels accepted") };
        assert!(err.to_string().contains("at most 64 channels"), "{err}");
        assert!(Preset::parse("ultra").is_err());
    }
}
