//! Energy voice-activity detection over planar slices.
//!
//! Semantics, shared by every tier: mono is the mean over channels (summed channel by channel,
//! then divided by the count, as numpy's `mean(axis=0)` does); frames are `round(sr · 0.030)`
//! samples, non-overlapping, the last partial frame dropped; energy is the true RMS
//! `sqrt(mean(mono²))`; a frame is speech when its energy is strictly above the threshold.
//!
//! The sum of squares uses 16 independent f32 accumulators so LLVM can vectorize it without
//! reassociating floating-point math on its own; the result differs from numpy's pairwise sum
//! only in the last bits (parity allows 1e-5 relative).

use crate::alloc::zeroed_vec;
use crate::error::{AudioError, Result};
use crate::simd::dispatch_kernel;

/// Default speech threshold on the RMS of full-scale (±1.0) float audio.
pub const DEFAULT_THRESHOLD: f32 = 0.02;

/// VAD parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VadParams {
    /// Sample rate of the input in Hz.
    pub sample_rate: u32,
    /// RMS above which a frame counts as speech.
    pub threshold: f32,
}

impl Default for VadParams {
    fn default() -> Self {
        Self { sample_rate: 44_100, threshold: DEFAULT_THRESHOLD }
    }
}

impl VadParams {
    /// Validated parameters.
    pub fn new(sample_rate: u32, threshold: f32) -> Result<Self> {
        let params = Self { sample_rate, threshold };
        params.validate()?;
        Ok(params)
    }

    /// Check the parameters; called by every entry point.
    pub fn validate(&self) -> Result<()> {
        if self.frame_len() == 0 {
            return Err(AudioError::SampleRate {
                actual: self.sample_rate as u64,
                reason: "a 30 ms frame would hold no samples",
            });
        }
        if !self.threshold.is_finite() || self.threshold < 0.0 {
            return Err(AudioError::InvalidParameter {
                name: "threshold",
                reason: format!("must be a finite number >= 0, got {}", self.threshold),
            });
        }
        Ok(())
    }

    /// Samples per frame: `round(sample_rate · 0.030)`, halves rounded up (1323 at 44.1 kHz).
    ///
    /// Computed as `(3·sr + 50) / 100` in integers so that every tier, in any language, gets
    /// the same length without float rounding or banker's rounding getting in the way.
    pub fn frame_len(&self) -> usize {
        ((self.sample_rate as u64 * 3 + 50) / 100) as usize
    }

    /// Whole frames in `frames` samples per channel (the partial tail is dropped).
    pub fn frame_count(&self, frames: usize) -> usize {
        match self.frame_len() {
            0 => 0,
            len => frames / len,
        }
    }
}

/// Per-call summary of a VAD pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VadSummary {
    /// Frames analysed.
    pub frames: usize,
    /// Frames flagged as speech.
    pub speech_frames: usize,
}

impl VadSummary {
    /// Fraction of frames flagged as speech; 0 when there are no frames.
    pub fn speech_ratio(&self) -> f64 {
        if self.frames == 0 {
            0.0
        } else {
            self.speech_frames as f64 / self.frames as f64
        }
    }
}

/// Owned VAD output (used by the allocating wrapper and the node tiers).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VadResult {
    /// RMS energy per frame.
    pub energies: Vec<f32>,
    /// Speech flag per frame.
    pub flags: Vec<bool>,
    /// Fraction of speech frames.
    pub speech_ratio: f64,
}

/// Independent accumulators of the main loop: eight AVX2 vectors (four AVX-512 ones). A
/// fused multiply-add takes 4 cycles and two can start per cycle, so 8 vectors in flight keep
/// the loop bound by its loads (two per cycle, as `limit:read`), not by the add chain; 16
/// lanes (2 vectors) ran at half the read rate.
const LANES: usize = 64;
/// Accumulators of the remainder loop, for the last `< LANES` samples of a frame (1323 is
/// 20·64 + 43): two vectors, so few samples are left for scalar code.
const TAIL_LANES: usize = 16;

#[inline(always)]
pub(crate) fn reduce<const N: usize>(acc: [f32; N]) -> f32 {
    // Fixed pairwise order, so the result does not depend on the SIMD path.
    let mut width = N;
    let mut a = acc;
    while width > 1 {
        width /= 2;
        for k in 0..width {
            a[k] += a[k + width];
        }
    }
    a[0]
}

/// Square-sum `l` (or, with `r`, the channel sum `l + r`) block by block: the main loop in
/// [`LANES`] accumulators, the rest in [`TAIL_LANES`], then a fixed reduction. Slices of
/// exact block length, so every index is provably in bounds and the loops vectorise.
#[inline(always)]
fn sum_squares(l: &[f32], r: Option<&[f32]>) -> f32 {
    #[inline(always)]
    fn block<const N: usize>(acc: &mut [f32; N], l: &[f32], r: Option<&[f32]>) {
        let l: &[f32; N] = l.try_into().expect("block length");
        match r {
            Some(r) => {
                let r: &[f32; N] = r.try_into().expect("block length");
                for k in 0..N {
                    let v = l[k] + r[k];
                    acc[k] += v * v;
                }
            }
            None => {
                for k in 0..N {
                    acc[k] += l[k] * l[k];
                }
            }
        }
    }
    let len = l.len();
    let r = r.map(|r| &r[..len]);
    let main = len - len % LANES;
    let mut acc = [0.0f32; LANES];
    for i in (0..main).step_by(LANES) {
        block(&mut acc, &l[i..i + LANES], r.map(|r| &r[i..i + LANES]));
    }
    let mut tail = [0.0f32; TAIL_LANES];
    let rest = main + (len - main) / TAIL_LANES * TAIL_LANES;
    for i in (main..rest).step_by(TAIL_LANES) {
        block(&mut tail, &l[i..i + TAIL_LANES], r.map(|r| &r[i..i + TAIL_LANES]));
    }
    for (k, i) in (rest..len).enumerate() {
        let v = l[i] + r.map_or(0.0, |r| r[i]);
        tail[k] += v * v;
    }
    reduce(acc) + reduce(tail)
}

#[inline(always)]
fn sum_squares_mono(x: &[f32]) -> f32 {
    sum_squares(x, None)
}

#[inline(always)]
fn sum_squares_stereo(l: &[f32], r: &[f32]) -> f32 {
    // ((a+b)/2)² = (a+b)²/4 exactly (scaling by a power of two), so the halving moves out of
    // the loop: one add and one fused multiply-add per frame sample.
    sum_squares(l, Some(r)) * 0.25
}

/// Any channel count: mix a block at a time into a stack buffer, then square-sum it.
#[inline(always)]
fn sum_squares_multi(audio: &[f32], channels: usize, frames: usize, start: usize, len: usize) -> f32 {
    let mut acc = [0.0f32; LANES];
    let mut block = [0.0f32; LANES];
    let mut i = start;
    let end = start + len;
    let divisor = channels as f32;
    while i < end {
        let n = LANES.min(end - i);
        for (k, slot) in block.iter_mut().enumerate().take(n) {
            let mut s = audio[i + k];
            for c in 1..channels {
                s += audio[c * frames + i + k];
            }
            *slot = s / divisor;
        }
        for k in 0..n {
            acc[k] += block[k] * block[k];
        }
        i += n;
    }
    reduce(acc)
}

#[inline(always)]
fn energies_body(audio: &[f32], channels: usize, frames: usize, frame_len: usize, energies: &mut [f32]) {
    let n = frame_len as f32;
    for (f, e) in energies.iter_mut().enumerate() {
        let start = f * frame_len;
        let sum = match channels {
            1 => sum_squares_mono(&audio[start..start + frame_len]),
            2 => {
                sum_squares_stereo(&audio[start..start + frame_len], &audio[frames + start..frames + start + frame_len])
            }
            _ => sum_squares_multi(audio, channels, frames, start, frame_len),
        };
        *e = (sum / n).sqrt();
    }
}

dispatch_kernel!(fn energies_dispatch, energies_on(
    audio: &[f32], channels: usize, frames: usize, frame_len: usize, energies: &mut [f32]
) => energies_body);

/// Split a planar buffer into its frame count, checking the shape.
pub(crate) fn planar_frames(name: &'static str, audio: &[f32], channels: usize) -> Result<usize> {
    if channels == 0 {
        return Err(AudioError::InvalidParameter { name: "channels", reason: "must be at least 1, got 0".into() });
    }
    if audio.len() % channels != 0 {
        return Err(AudioError::RaggedBuffer { name, len: audio.len(), channels });
    }
    Ok(audio.len() / channels)
}

/// VAD into caller-provided outputs, which must hold exactly `params.frame_count(frames)`
/// entries. `audio` is planar `(channels, frames)`.
pub fn vad_into(
    audio: &[f32],
    channels: usize,
    params: &VadParams,
    energies: &mut [f32],
    flags: &mut [bool],
) -> Result<VadSummary> {
    params.validate()?;
    let frames = planar_frames("audio", audio, channels)?;
    let count = params.frame_count(frames);
    if energies.len() != count {
        return Err(AudioError::OutputLength { name: "energies", expected: count, actual: energies.len() });
    }
    if flags.len() != count {
        return Err(AudioError::OutputLength { name: "flags", expected: count, actual: flags.len() });
    }
    energies_dispatch(audio, channels, frames, params.frame_len(), energies);
    let mut speech_frames = 0;
    for (flag, &e) in flags.iter_mut().zip(energies.iter()) {
        *flag = e > params.threshold;
        speech_frames += usize::from(*flag);
    }
    Ok(VadSummary { frames: count, speech_frames })
}

/// Flags of the VAD frames of a stream of 16-bit little-endian mono PCM that end within
/// `pcm[from..]`, the bytes one chunk added. Frame `k` holds samples `[k·len, (k+1)·len)` of
/// the whole stream, so a stream run chunk by chunk gets the flags a batch [`vad`] of its whole
/// audio gets, however the chunks fall on frames. Samples read as `x / 32768` (the `i16_f32`
/// conversion); an odd trailing byte is not a sample yet.
pub fn vad_pcm16_completed(pcm: &[u8], from: usize, params: &VadParams) -> Result<Vec<bool>> {
    params.validate()?;
    let len = params.frame_len();
    let first = from.min(pcm.len()) / 2 / len;
    let end = pcm.len() / 2 / len;
    if end <= first {
        return Ok(Vec::new());
    }
    let bytes = &pcm[first * len * 2..end * len * 2];
    let mut audio = zeroed_vec::<f32>("audio", bytes.len() / 2)?;
    for (x, b) in audio.iter_mut().zip(bytes.chunks_exact(2)) {
        *x = f32::from(i16::from_le_bytes([b[0], b[1]])) / 32768.0;
    }
    Ok(vad(&audio, 1, params)?.flags)
}

/// Allocating VAD.
pub fn vad(audio: &[f32], channels: usize, params: &VadParams) -> Result<VadResult> {
    params.validate()?;
    let frames = planar_frames("audio", audio, channels)?;
    let count = params.frame_count(frames);
    let mut energies = zeroed_vec("energies", count)?;
    let mut flags = zeroed_vec::<bool>("flags", count)?;
    let summary = vad_into(audio, channels, params, &mut energies, &mut flags)?;
    Ok(VadResult { energies, flags, speech_ratio: summary.speech_ratio() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pcm16_chunk_by_chunk_equals_batch() {
        // quiet and loud stretches, so the flags are not all one value
        let samples: Vec<i16> =
            (0..16_000 * 2).map(|i: i32| ((i * 7919 % 2001 - 1000) * (1 + (i / 3000) % 3 * 12)) as i16).collect();
        let pcm: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
        let params = VadParams::new(16_000, 0.05).unwrap();
        let audio: Vec<f32> = samples.iter().map(|&s| f32::from(s) / 32768.0).collect();
        let batch = vad(&audio, 1, &params).unwrap().flags;
        assert!(batch.contains(&true) && batch.contains(&false), "{batch:?}");
        for chunk in [1, 640, 1280, 1001, 5000] {
            let mut flags = Vec::new();
            for start in (0..pcm.len()).step_by(chunk) {
                let end = (start + chunk).min(pcm.len());
                flags.extend(vad_pcm16_completed(&pcm[..end], start, &params).unwrap());
            }
            assert_eq!(flags, batch, "chunks of {chunk} bytes");
        }
        assert!(vad_pcm16_completed(&pcm, pcm.len(), &params).unwrap().is_empty());
        assert!(vad_pcm16_completed(&pcm, 0, &VadParams { sample_rate: 10, threshold: 0.1 }).is_err());
    }

    fn reference_energy(frame_l: &[f32], frame_r: &[f32]) -> f64 {
        let s: f64 = frame_l
            .iter()
            .zip(frame_r)
            .map(|(&a, &b)| {
                let m = ((a + b) / 2.0) as f64;
                m * m
            })
            .sum();
        (s / frame_l.len() as f64).sqrt()
    }

    #[test]
    fn frame_length_is_rounded_30ms() {
        assert_eq!(VadParams::default().frame_len(), 1323);
        assert_eq!(VadParams::new(16_000, 0.01).unwrap().frame_len(), 480);
        assert_eq!(VadParams::new(22_050, 0.01).unwrap().frame_len(), 662); // 661.5 rounds up
    }

    #[test]
    fn energies_are_true_rms_of_the_mono_mix() {
        let frames = 1323 * 3 + 100; // the partial tail must be dropped
        let l: Vec<f32> = (0..frames).map(|i| (i as f32 * 0.01).sin() * 0.5).collect();
        let r: Vec<f32> = (0..frames).map(|i| (i as f32 * 0.013).cos() * 0.25).collect();
        let audio = [l.clone(), r.clone()].concat();
        let out = vad(&audio, 2, &VadParams::default()).unwrap();
        assert_eq!(out.energies.len(), 3);
        for f in 0..3 {
            let range = f * 1323..(f + 1) * 1323;
            let want = reference_energy(&l[range.clone()], &r[range]);
            let got = out.energies[f] as f64;
            assert!((got - want).abs() <= 1e-6 * want, "frame {f}: {got} vs {want}");
        }
    }

    #[test]
    fn constant_signal_gives_its_magnitude() {
        let audio = vec![0.5f32; 1323 * 2];
        let out = vad(&audio, 1, &VadParams::new(44_100, 0.4).unwrap()).unwrap();
        assert_eq!(out.energies.len(), 2);
        assert!(out.energies.iter().all(|&e| (e - 0.5).abs() < 1e-6));
        assert_eq!(out.flags, [true, true]);
        assert_eq!(out.speech_ratio, 1.0);
    }

    #[test]
    fn threshold_is_strict() {
        let audio = vec![0.25f32; 1323];
        let out = vad(&audio, 1, &VadParams::new(44_100, 0.25).unwrap()).unwrap();
        assert_eq!(out.flags, [false]);
    }

    #[test]
    fn many_channels_match_the_mean() {
        let frames = 1323;
        let audio: Vec<f32> = (0..frames * 3).map(|i| ((i % 7) as f32 - 3.0) * 0.1).collect();
        let out = vad(&audio, 3, &VadParams::default()).unwrap();
        let mut s = 0.0f64;
        for i in 0..frames {
            let m = (audio[i] + audio[frames + i] + audio[2 * frames + i]) / 3.0;
            s += (m as f64) * (m as f64);
        }
        let want = (s / frames as f64).sqrt();
        assert!((out.energies[0] as f64 - want).abs() <= 1e-6 * want.max(1e-12));
    }

    #[test]
    fn short_input_has_no_frames_and_zero_ratio() {
        let out = vad(&[0.1f32; 100], 1, &VadParams::default()).unwrap();
        assert!(out.energies.is_empty());
        assert_eq!(out.speech_ratio, 0.0);
    }

    #[test]
    fn bad_shapes_and_params_are_errors() {
        assert!(vad(&[0.0; 5], 2, &VadParams::default()).is_err());
        assert!(vad(&[0.0; 4], 0, &VadParams::default()).is_err());
        assert!(VadParams::new(10, 0.1).is_err());
        assert!(VadParams::new(44_100, f32::NAN).is_err());
        let mut e = [0.0f32; 1];
        let mut f = [false; 2];
        assert!(vad_into(&[0.0; 1323], 1, &VadParams::default(), &mut e, &mut f).is_err());
    }
}
