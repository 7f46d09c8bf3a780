//! The physical floor: reference probes over the same bytes an operation reads.
//!
//! `memcpy` copies the input into a preallocated buffer of the same size (read + write
//! bandwidth); `read` touches every byte once and folds it into a checksum (read bandwidth);
//! `read_write` reads the input once and writes an output of another size once (the traffic of
//! a kernel whose output is narrower or wider than its input, e.g. a sample-format conversion).
//! An operation can be no faster than reading its input, so "% of limit" tells how much
//! headroom a kernel has left.

use crate::error::{AudioError, Result};
use crate::simd::dispatch_kernel;

/// Copy `src` into `dst` (same length).
pub fn memcpy(src: &[u8], dst: &mut [u8]) -> Result<()> {
    if src.len() != dst.len() {
        return Err(AudioError::OutputLength { name: "dst", expected: src.len(), actual: dst.len() });
    }
    dst.copy_from_slice(src);
    Ok(())
}

#[inline(always)]
fn read_body(src: &[u8]) -> u64 {
    // XOR of 8-byte words in 4 lanes: one load and one xor per word, which LLVM vectorizes;
    // the result depends on every byte, so the loads cannot be elided.
    let mut acc = [0u64; 4];
    let words = src.chunks_exact(32);
    let tail = words.remainder();
    for w in words {
        for (k, a) in acc.iter_mut().enumerate() {
            let mut b = [0u8; 8];
            b.copy_from_slice(&w[k * 8..k * 8 + 8]);
            *a ^= u64::from_le_bytes(b);
        }
    }
    let mut folded = acc[0] ^ acc[1] ^ acc[2] ^ acc[3];
    for (i, &byte) in tail.iter().enumerate() {
        folded ^= (byte as u64) << ((i % 8) * 8);
    }
    folded
}

dispatch_kernel!(
    /// Read every byte of `src` once; returns an XOR fold so the work is observable.
    pub fn read, read_on(src: &[u8]) -> u64 => read_body
);

/// Bytes per step of the two-to-one and one-to-two passes: one 32-byte vector on the narrow side.
const LANE: usize = 32;

/// `dst` twice as long as `src`: every 32 input bytes stored twice, side by side (one load, two
/// stores, the traffic of a widening conversion such as int16 → float32).
#[inline(always)]
fn widen2(src: &[u8], dst: &mut [u8]) {
    let mut out = dst.chunks_exact_mut(2 * LANE);
    for (o, x) in (&mut out).zip(src.chunks_exact(LANE)) {
        o[..LANE].copy_from_slice(x);
        o[LANE..].copy_from_slice(x);
    }
    let tail = src.len() / LANE * LANE;
    for (i, o) in out.into_remainder().iter_mut().enumerate() {
        *o = src[tail + i / 2];
    }
}

/// `src` twice as long as `dst`: every 32 output bytes the XOR of 64 input bytes (two loads,
/// one store, the traffic of a narrowing conversion such as float32 → int16).
#[inline(always)]
fn narrow2(src: &[u8], dst: &mut [u8]) {
    let tail = dst.len() / LANE * LANE;
    let mut out = dst.chunks_exact_mut(LANE);
    for (o, x) in (&mut out).zip(src.chunks_exact(2 * LANE)) {
        for i in 0..LANE {
            o[i] = x[i] ^ x[LANE + i];
        }
    }
    for (i, o) in out.into_remainder().iter_mut().enumerate() {
        *o = src[2 * (tail + i)] ^ src[2 * (tail + i) + 1];
    }
}

#[inline(always)]
fn read_write_body(src: &[u8], dst: &mut [u8]) -> u64 {
    let (ls, ld) = (src.len(), dst.len());
    // The sample-format conversions' ratios, each one pass with no bytes read twice.
    if ls == ld {
        dst.copy_from_slice(src);
        return 0;
    }
    if ld == 2 * ls {
        widen2(src, dst);
        return 0;
    }
    if ls == 2 * ld {
        narrow2(src, dst);
        return 0;
    }
    // Any other pair of lengths (VAD's few output bytes per 30 ms frame): copy what the two
    // share, read the rest of the input in one pass, and fill the rest of the output by copying
    // its own start. Every input byte is loaded once and every output byte stored once; only VAD
    // comes here among the memory-bound operations, whose output is a few bytes per frame.
    let n = ls.min(ld);
    dst[..n].copy_from_slice(&src[..n]);
    let folded = read_body(&src[n..]);
    if n == 0 {
        dst.fill(0);
        return folded;
    }
    let mut filled = n;
    while filled < ld {
        let m = filled.min(ld - filled);
        dst.copy_within(..m, filled);
        filled += m;
    }
    folded
}

dispatch_kernel!(
    /// Read every byte of `src` once and write every byte of `dst` once with plain copies, or
    /// XORs where the input is twice the output (lengths may differ; either may be empty).
    /// Returns an XOR fold of the input bytes that reach no output byte.
    pub fn read_write, read_write_on(src: &[u8], dst: &mut [u8]) -> u64 => read_write_body
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memcpy_copies_and_checks_length() {
        let src: Vec<u8> = (0..1000u32).map(|i| i as u8).collect();
        let mut dst = vec![0u8; 1000];
        memcpy(&src, &mut dst).unwrap();
        assert_eq!(src, dst);
        assert!(memcpy(&src, &mut dst[..10]).is_err());
    }

    #[test]
    fn read_depends_on_every_byte() {
        let mut data = vec![0u8; 4099];
        let base = read(&data);
        for i in [0, 31, 32, 4095, 4098] {
            data[i] ^= 1;
            assert_ne!(read(&data), base, "byte {i} ignored");
            data[i] ^= 1;
        }
    }

    #[test]
    fn read_write_stores_every_output_byte_and_reads_every_input_byte() {
        let src: Vec<u8> = (0..10_001u32).map(|i| (i % 251) as u8 + 1).collect();
        for (ls, ld) in [(10_001, 20_002), (10_000, 5_000), (10_000, 10_000), (0, 100), (100, 0), (4097, 3), (70, 35)] {
            let mut dst = vec![0u8; ld];
            let fold = read_write(&src[..ls], &mut dst);
            if ls == 2 * ld {
                // Each output byte is the XOR of two input bytes: changing either changes it.
                let mut changed = src[..ls].to_vec();
                changed[ls - 1] ^= 0x40;
                let mut other = vec![0u8; ld];
                read_write(&changed, &mut other);
                assert_ne!(other, dst, "({ls}, {ld}): last input byte ignored");
                continue;
            }
            assert!(dst.iter().all(|&b| b != 0) || ls == 0, "({ls}, {ld}): an output byte was not written");
            if ld < ls {
                // The input bytes beyond the copied ones decide the fold.
                let mut changed = src[..ls].to_vec();
                changed[ls - 1] ^= 0x40;
                assert_ne!(read_write(&changed, &mut dst), fold, "({ls}, {ld}): last input byte ignored");
            }
        }
    }
}
