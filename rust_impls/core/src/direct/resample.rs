//! 44.1 kHz → 16 kHz resampling with rubato, aligned sample for sample with the other tiers.
//!
//! Every tier returns `ceil(n · 160/441)` frames per channel with the resampler's group delay
//! removed, so output frame `k` sits at time `k / 16000` s, the same instant as the analytic
//! truth the quality tests compare against. rubato reports its delay in output frames
//! ([`rubato::Resampler::output_delay`]); we drop that many leading frames and keep pumping
//! silence through the filter until the tail is complete.
//!
//! The chunk loop is ours rather than rubato's `process_all_into_buffer` because that one
//! writes into a buffer longer than the result; here each chunk lands in a small scratch block
//! that stays in cache and is copied (or, in the fused pipeline, converted) straight into the
//! caller's exact-size output, so the `_into` path allocates nothing.

use rubato::audioadapter::Adapter;
use rubato::audioadapter_buffers::direct::SequentialSlice;
use rubato::{Async, Fft, FixedAsync, FixedSync, Indexing, PolynomialDegree, WindowFunction};

use crate::alloc::zeroed_vec;
use crate::direct::vad::planar_frames;
use crate::error::{AudioError, Result};
use crate::simd::dispatch_kernel;

/// Input rate this operation is defined for.
pub const INPUT_RATE: u32 = 44_100;
/// Output rate this operation is defined for.
pub const OUTPUT_RATE: u32 = 16_000;
/// 16000/44100 reduced: output frames per `RATIO_DEN` input frames.
pub const RATIO_NUM: usize = 160;
/// 16000/44100 reduced.
pub const RATIO_DEN: usize = 441;
/// Largest sample magnitude resampling takes: 2^64. rubato's FFT resampler sums up to
/// ~1.1 × 10^6 weighted samples per output (a 1764-point FFT, then a 640-point inverse); from
/// about 10^32 those sums overflow f32 to ±inf, the spectrum turns NaN and rubato panics (its
/// real inverse FFT unwraps a check on the NaN bin; measured from 10^36 on a constant block).
/// 2^64 keeps every sum below 10^26 and is far beyond any recorded audio (float WAVs hold ±1,
/// integer-scaled ones ±2^31). NaN and ±inf are outside too: the FFT spreads one across every
/// output sample of its block, differently per resampler, so no two tiers could agree.
pub const MAX_MAGNITUDE: f32 = 18_446_744_073_709_551_616.0;

/// Most channels one resampler takes. rubato allocates its per-channel state infallibly, so a
/// count nobody records audio with (a transposed array, a bad parameter) is refused up front
/// rather than aborting the process when the allocation fails.
pub const MAX_CHANNELS: usize = 64;

/// Output frames per channel for `frames` input frames: exactly `ceil(frames · 160/441)`,
/// in integer arithmetic (a float ratio gets this wrong for some lengths).
pub fn output_frames(frames: usize) -> usize {
    // 160/441 < 1, so the product divided back fits whenever `frames` does.
    ((frames as u128 * RATIO_NUM as u128).div_ceil(RATIO_DEN as u128)) as usize
}

/// Quality/speed trade-off. Each preset is a different rubato resampler, chosen to sit at or
/// above the SNR of the soxr quality class of the same name (LQ / MQ / HQ); the measured
/// floors are in the README.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Preset {
    /// `Async` cubic polynomial interpolation. No anti-aliasing filter: content above 8 kHz
    /// folds back, which the multi-sine SNR (all tones below 7 kHz) does not see.
    Low,
    /// `Async` quintic polynomial interpolation; same caveat as `Low`.
    Medium,
    /// Synchronous `Fft` resampler with a Blackman-Harris anti-aliasing filter: the exact
    /// 160/441 ratio, highest SNR, and at this fixed ratio also the fastest rubato offers.
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

    fn build(self, channels: usize) -> Result<(Box<dyn rubato::Resampler<f32>>, Alignment)> {
        let wrap = |source| AudioError::ResamplerConstruction { preset: self.name(), source };
        let poly = |degree: PolynomialDegree| -> Result<(Box<dyn rubato::Resampler<f32>>, Alignment)> {
            let ratio = OUTPUT_RATE as f64 / INPUT_RATE as f64;
            let r =
                Async::<f32>::new_poly(ratio, 1.0, degree, POLY_CHUNK, channels, FixedAsync::Input).map_err(wrap)?;
            Ok((Box::new(r), Alignment::polynomial(degree.nbr_points())))
        };
        match self {
            Preset::Low => poly(PolynomialDegree::Cubic),
            Preset::Medium => poly(PolynomialDegree::Quintic),
            Preset::High => {
                let r = Fft::<f32>::new_custom(
                    INPUT_RATE as usize,
                    OUTPUT_RATE as usize,
                    FFT_CHUNK,
                    FFT_SUB_CHUNKS,
                    channels,
                    WindowFunction::BlackmanHarris2,
                    FixedSync::Input,
                )
                .map_err(wrap)?;
                let skip = rubato::Resampler::output_delay(&r);
                Ok((Box::new(r), Alignment { lead: 0, skip }))
            }
        }
    }
}

/// Input frames per call of the polynomial resamplers.
const POLY_CHUNK: usize = 2048;
/// Input frames per call of the FFT resampler, split into `FFT_SUB_CHUNKS` FFT blocks of 1764
/// frames (4 × 441): blocks must be an even multiple of 441 for the FFT resampler's half-block
/// delay to be a whole number of output frames, and 1764 was the fastest such size measured.
const FFT_CHUNK: usize = 441 * 8;
const FFT_SUB_CHUNKS: usize = 2;

/// How to line a resampler's output up with the input clock.
///
/// The FFT resampler delays by a whole number of output frames, which we drop (`skip`).
/// The polynomial ones place output `k` at input position `(k+1)·441/160 − points/2`,
/// a fractional offset; feeding `lead = 441 − points/2` zero frames first moves that to
/// exactly 160 output frames, of which `skip = 159` lead the clip.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Alignment {
    lead: usize,
    skip: usize,
}

impl Alignment {
    fn polynomial(points: usize) -> Self {
        let lead = RATIO_DEN - points / 2;
        Self { lead, skip: (lead + points / 2) * RATIO_NUM / RATIO_DEN - 1 }
    }
}

/// Planar input seen through `lead` frames of leading silence, without copying it.
struct LeadIn<'a> {
    data: &'a [f32],
    channels: usize,
    frames: usize,
    lead: usize,
}

// SAFETY: `read_sample_unchecked` reads `data[channel * frames + frame - lead]` only for
// `frame >= lead`, which is in bounds whenever the caller honours `channel < channels` and
// `frame < lead + frames` as the trait requires; `data.len() == channels * frames` is checked
// where a `LeadIn` is built.
unsafe impl Adapter<f32> for LeadIn<'_> {
    unsafe fn read_sample_unchecked(&self, channel: usize, frame: usize) -> f32 {
        if frame < self.lead {
            0.0
        } else {
            // SAFETY: see the impl comment.
            unsafe { *self.data.get_unchecked(channel * self.frames + frame - self.lead) }
        }
    }

    fn channels(&self) -> usize {
        self.channels
    }

    fn frames(&self) -> usize {
        self.lead + self.frames
    }

    fn copy_from_channel_to_slice(&self, channel: usize, skip: usize, slice: &mut [f32]) -> usize {
        if channel >= self.channels || skip >= self.frames() {
            return 0;
        }
        let n = slice.len().min(self.frames() - skip);
        let zeros = self.lead.saturating_sub(skip).min(n);
        slice[..zeros].fill(0.0);
        let start = channel * self.frames + (skip + zeros - self.lead);
        slice[zeros..n].copy_from_slice(&self.data[start..start + n - zeros]);
        n
    }
}

/// A reusable resampler for one preset and channel count: build once, then
/// [`process_into`](Resampler::process_into) any number of clips without allocating.
pub struct Resampler {
    preset: Preset,
    channels: usize,
    inner: Box<dyn rubato::Resampler<f32>>,
    alignment: Alignment,
    /// Planar `channels × scratch_frames` block receiving one rubato output chunk.
    scratch: Vec<f32>,
    scratch_frames: usize,
}

impl std::fmt::Debug for Resampler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resampler")
            .field("preset", &self.preset)
            .field("channels", &self.channels)
            .field("alignment", &self.alignment)
            .finish()
    }
}

impl Resampler {
    /// Build the resampler (filter tables, FFT plans, scratch) for `channels` channels.
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
        let (inner, alignment) = preset.build(channels)?;
        let scratch_frames = inner.output_frames_max();
        let scratch = zeroed_vec("resampler scratch", channels.saturating_mul(scratch_frames))?;
        Ok(Self { preset, channels, inner, alignment, scratch, scratch_frames })
    }

    /// The preset this resampler was built with.
    pub fn preset(&self) -> Preset {
        self.preset
    }

    /// Channel count this resampler was built for.
    pub fn channels(&self) -> usize {
        self.channels
    }

    /// Output frames dropped from the front of every clip to remove the group delay.
    pub fn delay(&self) -> usize {
        self.alignment.skip
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
        self.process_chunks(input, frames, |block, stride, src, dst, n| {
            for c in 0..block.len() / stride {
                out[c * out_frames + dst..c * out_frames + dst + n]
                    .copy_from_slice(&block[c * stride + src..c * stride + src + n]);
            }
        })
    }

    /// Allocating variant of [`process_into`](Resampler::process_into).
    pub fn process(&mut self, input: &[f32]) -> Result<Vec<f32>> {
        let frames = planar_frames("audio", input, self.channels)?;
        let mut out = zeroed_vec("out", output_frames(frames).saturating_mul(self.channels))?;
        self.process_into(input, &mut out)?;
        Ok(out)
    }

    /// Run the clip through rubato chunk by chunk, handing each aligned block of output to
    /// `sink(block, stride, src_frame, dst_frame, n)`: copy `n` frames of every channel
    /// `c` from `block[c·stride + src_frame..]` to output frame `dst_frame`.
    ///
    /// Used by [`process_into`](Resampler::process_into) (copy) and by the fused pipeline
    /// (convert to i16 while the block is in cache). `input.len()` must be
    /// `channels × frames`, and every sample within [`check_range`] (both checked by the
    /// callers: rubato panics on what the range excludes).
    pub(crate) fn process_chunks(
        &mut self,
        input: &[f32],
        frames: usize,
        mut sink: impl FnMut(&[f32], usize, usize, usize, usize),
    ) -> Result<()> {
        let out_frames = output_frames(frames);
        self.inner.reset();
        let source = LeadIn {
            data: &input[..frames * self.channels],
            channels: self.channels,
            frames,
            lead: self.alignment.lead,
        };
        let total = source.frames();
        let mut skip = self.alignment.skip;
        let mut consumed = 0usize;
        let mut written = 0usize;
        while written < out_frames {
            let need = self.inner.input_frames_next();
            let available = total - consumed;
            let indexing = Indexing {
                input_offset: consumed,
                output_offset: 0,
                // Past the end, rubato pads with silence: that flushes the filter tail.
                partial_len: (available < need).then_some(available),
                active_channels_mask: None,
            };
            let mut adapter_out = SequentialSlice::new_mut(&mut self.scratch, self.channels, self.scratch_frames)
                .map_err(|e| AudioError::InvalidParameter { name: "out", reason: e.to_string() })?;
            let (_, produced) = self.inner.process_into_buffer(&source, &mut adapter_out, Some(&indexing))?;
            consumed += need.min(available);
            let dropped = skip.min(produced);
            skip -= dropped;
            let n = (produced - dropped).min(out_frames - written);
            if n > 0 {
                sink(&self.scratch, self.scratch_frames, dropped, written, n);
                written += n;
            }
        }
        Ok(())
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
        // rubato allocates per channel without a fallible path: an absurd count must be refused
        // before it gets there, not abort the process on allocation failure.
        let Err(err) = Resampler::new(Preset::High, 1 << 40) else { panic!("2^40 channels accepted") };
        assert!(err.to_string().contains("at most 64 channels"), "{err}");
        assert!(Preset::parse("ultra").is_err());
    }
}
