//! The 160/441 polyphase FIR behind every Rust resampling preset: a Kaiser-windowed sinc,
//! evaluated at the exact output instants, as a dot product per output sample.
//!
//! Output frame `k` sits at input position `t = k·441/160`. With `n = ⌊t⌋` and phase
//! `p = k·441 mod 160`, it is `Σ_j x[n − W/2 + 1 + j] · h_p[j]` over `W` taps, where
//! `h_p[j] = h((j − W/2 + 1) − p/160)` and `h(d) = 2f_c·sinc(2f_c·d)·kaiser_β(2d/W)`
//! (windowed-sinc design: Oppenheim & Schafer, *Discrete-Time Signal Processing*, 3rd ed.,
//! §7.6, Kaiser window eq. 7.72). The filter is symmetric about `t`, so it has no delay to
//! remove: output `k` lines up with the analytic truth at `k / 16 000` s by construction.
//! Each phase's taps are scaled to sum to 1, so DC passes exactly at every phase.
//!
//! The cut-off is the output's Nyquist frequency (8 kHz, `f_c = 8000/44100` cycles per input
//! sample), the transition band runs from 7 to 9 kHz: the 0–7 kHz passband (the wideband
//! speech band of ITU-T G.722) is free of aliases above the stopband attenuation, and what
//! folds from 8–9 kHz lands in 7–8 kHz, outside it. A preset fixes the taps per output `W` (a
//! multiple of 8, the vector loop's width); Kaiser's formulas (same book, eqs. 7.74–7.76)
//! give the stopband attenuation that width buys, `A = 8 + 2.285 · 2π · Δf · W` with
//! `Δf = 2000/44100`, and the window's shape for it, `β = 0.1102(A − 8.7)`. The SNR each preset
//! reaches on the analytic multi-sine is measured by the tests and the README, never assumed
//! from `A`.
//!
//! Speed: one output is `W` multiply-adds over contiguous input and contiguous taps, so the
//! loop is bound by its loads. Outputs `NUM` apart share a phase (their windows lie `DEN`
//! frames apart), so four of them in each of two channels share every tap load: nine loads per
//! eight fused multiply-adds, where one output at a time takes two (and a channel pair three
//! per two). Each lane accumulates with `f32::mul_add` (one rounding, as IEEE 754 `fusedMultiplyAdd`),
//! which every body computes alike, the baseline through a correctly rounded `fmaf`; the
//! AVX-512 body runs the same 8-lane code with 32 vector registers instead of 16, so the eight
//! accumulators, tap and windows stop spilling to the stack. Measured, 1 s stereo: channel
//! pairs → shared phases 1.3–1.5× on AMD EPYC (AVX2 body); fused adds plus the AVX-512 body
//! 1.2–1.3× more on Intel Xeon (`high` 410–468 → 336–378 µs per call, interleaved builds).

use std::sync::OnceLock;

use crate::direct::vad::reduce;
use crate::simd::dispatch_kernel;

/// Output frames per `DEN` input frames.
pub(crate) const NUM: usize = 160;
/// Input frames per `NUM` output frames.
pub(crate) const DEN: usize = 441;
/// Accumulator lanes of every dot product: one AVX2 vector. Each output sums its taps in this
/// lane order and reduces the lanes pairwise, whichever group, block, chunk or thread renders it,
/// so every way of splitting a clip gives the same bits.
const LANES: usize = 8;

/// One filter design: taps per phase, and the stopband attenuation and Kaiser β they buy.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Design {
    /// Taps per phase (a multiple of [`LANES`]).
    pub width: usize,
    /// Kaiser window shape.
    pub beta: f64,
    /// Stopband attenuation in dB over the 7–9 kHz transition band.
    pub attenuation_db: f64,
}

impl Design {
    /// Kaiser's design for `width` taps per phase (Oppenheim & Schafer eq. 7.75 solved for the
    /// attenuation: `A = 8 + 2.285 · 2π · Δf · W`, `Δf = 2000/44100`; eq. 7.76 for β).
    pub(crate) const fn for_width(width: usize) -> Self {
        let transition = 2000.0 / super::resample::INPUT_RATE as f64;
        let attenuation_db = 8.0 + 2.285 * 2.0 * std::f64::consts::PI * transition * width as f64;
        // Eq. 7.76's A > 50 dB line; its 21–50 dB branch, 0.5842·(A − 21)^0.4 + 0.07886·(A − 21),
        // gives 4.51 at the low preset's 49.7 dB, within 0.01 of this line there.
        Self { width, beta: 0.1102 * (attenuation_db - 8.7), attenuation_db }
    }
}

/// The taps of one design: `NUM` phases × `width`, phase-major.
pub(crate) struct Filter {
    pub width: usize,
    pub taps: Vec<f32>,
}

/// Zeroth-order modified Bessel function of the first kind, by its power series
/// `Σ ((x/2)^k / k!)²` (Abramowitz & Stegun 9.6.12), summed until a term no longer changes the
/// total; converges for every β used here (≤ 15) in under 40 terms.
fn bessel_i0(x: f64) -> f64 {
    let (mut sum, mut term, mut k) = (1.0f64, 1.0f64, 1.0f64);
    loop {
        term *= (x / (2.0 * k)) * (x / (2.0 * k));
        if term < sum * 1e-17 {
            return sum;
        }
        sum += term;
        k += 1.0;
    }
}

impl Filter {
    /// Evaluate the design's taps in f64, normalise each phase to unit sum, store as f32.
    fn build(design: Design) -> Self {
        let width = design.width;
        let half = (width / 2) as f64;
        let fc = super::resample::OUTPUT_RATE as f64 / 2.0 / super::resample::INPUT_RATE as f64;
        let norm = bessel_i0(design.beta);
        let mut taps = Vec::with_capacity(NUM * width);
        let mut phase = vec![0.0f64; width];
        for p in 0..NUM {
            for (j, h) in phase.iter_mut().enumerate() {
                let d = (j as f64 - half + 1.0) - p as f64 / NUM as f64;
                let x = d / half;
                let window = if x.abs() < 1.0 { bessel_i0(design.beta * (1.0 - x * x).sqrt()) / norm } else { 0.0 };
                let arg = std::f64::consts::PI * 2.0 * fc * d;
                let sinc = if arg == 0.0 { 1.0 } else { arg.sin() / arg };
                *h = 2.0 * fc * sinc * window;
            }
            let sum: f64 = phase.iter().sum();
            taps.extend(phase.iter().map(|&h| (h / sum) as f32));
        }
        Self { width, taps }
    }

    /// The taps of `design`, built once per process and shared by every resampler.
    pub(crate) fn shared(design: Design, cell: &'static OnceLock<Filter>) -> &'static Filter {
        cell.get_or_init(|| Self::build(design))
    }
}

/// Input position of output `k`: `(n, p)` with `k·441 = 160·n + p`.
#[inline(always)]
fn position(k: usize) -> (usize, usize) {
    let q = k * DEN;
    (q / NUM, q % NUM)
}

/// Dot products of `M` windows × `C` channels with one phase's taps `h`: every tap vector is
/// loaded once and feeds `M·C` products. Each window is as long as `h`.
#[inline(always)]
fn dot_group<const M: usize, const C: usize>(w: [[&[[f32; LANES]]; C]; M], h: &[[f32; LANES]]) -> [[f32; C]; M] {
    // Equal lengths, stated once, let the compiler drop the bounds checks from the loop.
    for row in &w {
        for x in row {
            assert_eq!(x.len(), h.len());
        }
    }
    let mut acc = [[[0.0f32; LANES]; C]; M];
    for (t, hs) in h.iter().enumerate() {
        for m in 0..M {
            for c in 0..C {
                let xs = &w[m][c][t];
                for l in 0..LANES {
                    acc[m][c][l] = xs[l].mul_add(hs[l], acc[m][c][l]);
                }
            }
        }
    }
    acc.map(|row| row.map(reduce))
}

/// `x` as vectors of [`LANES`] samples. Its length is a multiple of [`LANES`]: every window
/// and phase is a design's `width` long, a multiple of it by construction.
#[inline(always)]
fn lanes(x: &[f32]) -> &[[f32; LANES]] {
    bytemuck::cast_slice(x)
}

/// The `width` input samples of channel `x` under the window starting at `lo` (negative or
/// running past the end near the clip's edges), zero-padded, copied into `pad`.
#[inline(always)]
fn padded<'a>(x: &[f32], lo: isize, width: usize, pad: &'a mut [f32; MAX_WIDTH]) -> &'a [f32] {
    for (j, slot) in pad[..width].iter_mut().enumerate() {
        let i = lo + j as isize;
        *slot = if i >= 0 && (i as usize) < x.len() { x[i as usize] } else { 0.0 };
    }
    &pad[..width]
}

/// Most taps a design may have: the padded edge windows live on the stack.
pub(crate) const MAX_WIDTH: usize = 256;

/// First output index at or after `first` whose window starts at input 0 or later, and the
/// first whose window runs past `frames`: outputs between them read the clip directly.
#[inline(always)]
fn interior(width: usize, frames: usize, first: usize, end: usize) -> (usize, usize) {
    let back = width / 2 - 1;
    // Window of output k: n − back .. n − back + width, with n = ⌊k·441/160⌋.
    let start = (back * NUM).div_ceil(DEN).clamp(first, end);
    let mut stop = start;
    if frames + back >= width {
        // Largest n with n − back + width ≤ frames, then the first k whose n exceeds it.
        let last_n = frames + back - width;
        stop = ((last_n + 1) * NUM).div_ceil(DEN).clamp(start, end);
    }
    (start, stop)
}

/// Planar input: `channels × frames` samples, channel after channel.
#[derive(Clone, Copy)]
pub(crate) struct Clip<'a> {
    pub input: &'a [f32],
    pub channels: usize,
    pub frames: usize,
}

impl Clip<'_> {
    fn channel(&self, c: usize) -> &[f32] {
        &self.input[c * self.frames..(c + 1) * self.frames]
    }
}

/// Where rendered outputs go: outputs `first..first + count` of channel `c` at
/// `out[c·stride..][..count]`.
pub(crate) struct Block<'a> {
    pub out: &'a mut [f32],
    pub stride: usize,
    pub first: usize,
    pub count: usize,
}

/// Output `k` of every channel from padded windows (near the edges).
#[inline(always)]
fn edge_output(clip: &Clip<'_>, taps: &[f32], width: usize, k: usize, block: &mut Block<'_>) {
    let mut pad = [0.0f32; MAX_WIDTH];
    let (n, p) = position(k);
    let lo = n as isize - (width / 2 - 1) as isize;
    let h = &taps[p * width..(p + 1) * width];
    for c in 0..clip.channels {
        let [[y]] = dot_group::<1, 1>([[lanes(padded(clip.channel(c), lo, width, &mut pad))]], lanes(h));
        block.out[c * block.stride + k - block.first] = y;
    }
}

/// Outputs `k0 + NUM·m` (`m < M`) of channels `ch`: one phase, windows `DEN` frames apart, so
/// every tap load feeds `M·C` dot products. All `M` windows lie inside the clip.
#[inline(always)]
fn render_group<const M: usize, const C: usize>(
    ch: [&[f32]; C],
    taps: &[f32],
    width: usize,
    k0: usize,
    block: &mut Block<'_>,
    c0: usize,
) {
    let (n, p) = position(k0);
    let lo = n - (width / 2 - 1);
    let w: [[&[[f32; LANES]]; C]; M] =
        std::array::from_fn(|m| ch.map(|x| lanes(&x[lo + DEN * m..lo + DEN * m + width])));
    let y = dot_group(w, lanes(&taps[p * width..(p + 1) * width]));
    for (m, row) in y.iter().enumerate() {
        for (c, &v) in row.iter().enumerate() {
            block.out[(c0 + c) * block.stride + k0 + NUM * m - block.first] = v;
        }
    }
}

/// Interior outputs `start..stop` of channels `ch` (starting at channel `c0`), in runs of up to
/// `G·NUM` outputs: output `k0 + i` of a run is rendered with the run's outputs of the same
/// phase, `k0 + i + NUM·m`. `G·C` vectors accumulate at once: 8 keeps the fused adds' latency
/// (4 cycles, two per cycle) covered and, with the tap and window vectors, nearly fits AVX2's 16
/// registers (AVX-512's 32 hold them all).
#[inline(always)]
fn render_channels<const C: usize>(
    ch: [&[f32]; C],
    taps: &[f32],
    width: usize,
    (start, stop): (usize, usize),
    block: &mut Block<'_>,
    c0: usize,
) {
    let group = 8 / C;
    let mut k0 = start;
    while k0 < stop {
        let run = (stop - k0).min(group * NUM);
        for i in 0..run.min(NUM) {
            let k = k0 + i;
            match (run - i).div_ceil(NUM) {
                1 => render_group::<1, C>(ch, taps, width, k, block, c0),
                2 => render_group::<2, C>(ch, taps, width, k, block, c0),
                3 => render_group::<3, C>(ch, taps, width, k, block, c0),
                4 => render_group::<4, C>(ch, taps, width, k, block, c0),
                5 => render_group::<5, C>(ch, taps, width, k, block, c0),
                6 => render_group::<6, C>(ch, taps, width, k, block, c0),
                7 => render_group::<7, C>(ch, taps, width, k, block, c0),
                _ => render_group::<8, C>(ch, taps, width, k, block, c0),
            }
        }
        k0 += run;
    }
}

/// The block's outputs of every channel: windows inside the clip read it directly, channel
/// pairs and outputs of one phase sharing each tap load; the few at the clip's edges go through
/// zero-padded copies.
#[inline(always)]
fn render_body(clip: &Clip<'_>, taps: &[f32], width: usize, block: &mut Block<'_>) {
    let end = block.first + block.count;
    let (start, stop) = interior(width, clip.frames, block.first, end);
    for k in (block.first..start).chain(stop..end) {
        edge_output(clip, taps, width, k, block);
    }
    let mut c = 0;
    while c < clip.channels {
        if c + 2 <= clip.channels {
            render_channels::<2>([clip.channel(c), clip.channel(c + 1)], taps, width, (start, stop), block, c);
            c += 2;
        } else {
            render_channels::<1>([clip.channel(c)], taps, width, (start, stop), block, c);
            c += 1;
        }
    }
}

dispatch_kernel!(
    /// Render the block's outputs of every channel of `clip` through `taps` (`NUM` phases ×
    /// `width`); see [`render_body`].
    avx512 pub(crate) fn render, render_on(clip: &Clip<'_>, taps: &[f32], width: usize, block: &mut Block<'_>) => render_body
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bessel_i0_matches_tabulated_values() {
        // Abramowitz & Stegun table 9.8: I0(1) = 1.266065878, I0(5) = 27.23987182.
        assert!((bessel_i0(0.0) - 1.0).abs() < 1e-15);
        assert!((bessel_i0(1.0) - 1.266_065_878).abs() < 1e-9);
        assert!((bessel_i0(5.0) - 27.239_871_82).abs() < 1e-7);
    }

    #[test]
    fn every_phase_sums_to_one_and_is_symmetric_about_its_instant() {
        let f = Filter::build(Design::for_width(64));
        for p in 0..NUM {
            let s: f64 = f.taps[p * 64..(p + 1) * 64].iter().map(|&v| v as f64).sum();
            assert!((s - 1.0).abs() < 1e-6, "phase {p}: {s}");
        }
        // Phase 0 is centred on a sample: taps j and 62 − j mirror each other.
        for j in 0..63 {
            assert!((f.taps[j] - f.taps[62 - j]).abs() < 1e-7, "tap {j}");
        }
    }

    #[test]
    fn positions_follow_the_ratio() {
        assert_eq!(position(0), (0, 0));
        assert_eq!(position(1), (2, 121));
        assert_eq!(position(160), (441, 0));
    }
}
