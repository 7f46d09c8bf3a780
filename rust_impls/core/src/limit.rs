//! The physical floor: reference probes over the same bytes an operation reads.
//!
//! `memcpy` copies the input into a preallocated buffer of the same size (read + write
//! bandwidth); `read` touches every byte once and folds it into a checksum (read bandwidth).
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
}
