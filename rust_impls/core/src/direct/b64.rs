//! Base64 chunk decoding into per-call buffers, over slices.
//!
//! Decoding uses `base64-simd` (runtime-detected AVX2/SSE4.1 paths, never AVX-512). Its error
//! type says only "invalid", so on failure the chunk is decoded again with the `base64` crate,
//! whose error names the offending byte and offset; the happy path never pays for that.
//!
//! **The contract every tier follows** (RFC 4648, padded standard alphabet): padding is required
//! and canonical, no character outside the alphabet (whitespace included) is allowed, an empty
//! chunk is zero bytes — and the bits after the last whole byte need not be zero. §3.5 lets a
//! decoder reject such "non-canonical" chunks or take them; Python's `base64.b64decode` (even
//! with `validate=True`) and pybase64 take them, and `base64-simd` rejects them. audiobench takes
//! them in every tier, so moving a server from Python to Rust does not start refusing chunks it
//! used to accept: the pad bits carry no data, and the bytes are the same. A chunk `base64-simd`
//! rejects is decoded again by the `base64` crate with trailing bits allowed ([`LENIENT`]); only
//! if that also fails is the chunk refused.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use base64_simd::{Out, STANDARD};

use crate::error::{AudioError, Result};

/// The contract's decoder (see the module docs): padded standard alphabet, canonical padding,
/// non-zero bits after the last byte allowed. The slow path, for chunks `base64-simd` rejects.
pub const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

/// Human-readable reason a chunk does not decode (slow path, errors only).
pub fn describe_invalid(chunk: &[u8]) -> String {
    match LENIENT.decode(chunk) {
        Err(e) => e.to_string(),
        // The contract's decoder takes it; say so if this is ever asked of such a chunk.
        Ok(_) => format!("rejected by the SIMD decoder ({} bytes of input)", chunk.len()),
    }
}

/// Exact decoded size of a padded base64 chunk, or a description of why it is invalid.
pub fn decoded_len(chunk: &[u8]) -> std::result::Result<usize, String> {
    STANDARD.decoded_length(chunk).map_err(|_| describe_invalid(chunk))
}

/// The slow path into a slice: the contract's decoder, for a chunk `base64-simd` rejected.
fn decode_lenient(chunk: &[u8], out: &mut [u8]) -> std::result::Result<usize, DecodeFailure> {
    LENIENT.decode_slice(chunk, out).map_err(|_| DecodeFailure::Invalid(describe_invalid(chunk)))
}

/// Decode one chunk into the front of `out`, returning the bytes written.
///
/// On error nothing meaningful is written and the caller's length bookkeeping is untouched.
pub fn decode_into(chunk: &[u8], out: &mut [u8]) -> std::result::Result<usize, DecodeFailure> {
    let needed = decoded_len(chunk).map_err(DecodeFailure::Invalid)?;
    if needed > out.len() {
        return Err(DecodeFailure::Full { needed });
    }
    match STANDARD.decode(chunk, Out::from_slice(&mut out[..needed])) {
        Ok(s) => Ok(s.len()),
        Err(_) => decode_lenient(chunk, &mut out[..needed]),
    }
}

/// Decode one chunk and append it to `out`, growing it if needed.
///
/// Returns `(bytes appended, reallocated)`; `reallocated` is true when the vector's capacity
/// changed, which is what the reallocation counters count. On error `out` is unchanged.
pub fn decode_append(chunk: &[u8], out: &mut Vec<u8>) -> std::result::Result<(usize, bool), DecodeFailure> {
    let needed = decoded_len(chunk).map_err(DecodeFailure::Invalid)?;
    let capacity = out.capacity();
    out.try_reserve(needed).map_err(|_| DecodeFailure::Alloc { bytes: out.len().saturating_add(needed) })?;
    let reallocated = out.capacity() != capacity;
    let spare = &mut out.spare_capacity_mut()[..needed];
    match STANDARD.decode(chunk, Out::from_uninit_slice(spare)) {
        Ok(s) => {
            let written = s.len();
            // SAFETY: `decode` initialised exactly `written` bytes of the spare capacity, which
            // starts at `out.len()`; `written <= needed <= spare capacity`.
            unsafe { out.set_len(out.len() + written) };
            Ok((written, reallocated))
        }
        Err(_) => {
            // Capacity for `needed` more bytes is reserved, so this appends without growing.
            let before = out.len();
            if LENIENT.decode_vec(chunk, out).is_err() {
                out.truncate(before); // whatever it wrote before failing is not the call's
                return Err(DecodeFailure::Invalid(describe_invalid(chunk)));
            }
            Ok((out.len() - before, reallocated))
        }
    }
}

/// Why one chunk could not be decoded (the caller adds which call and chunk).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeFailure {
    /// Not valid padded standard base64.
    Invalid(String),
    /// The fixed output buffer has no room for `needed` more bytes.
    Full {
        /// Bytes the chunk decodes to.
        needed: usize,
    },
    /// The growing buffer could not be enlarged to `bytes`.
    Alloc {
        /// Total size asked for.
        bytes: usize,
    },
}

impl DecodeFailure {
    /// Attach the call and chunk position.
    pub fn at(self, call_id: &str, chunk: u64, capacity: usize) -> AudioError {
        match self {
            DecodeFailure::Invalid(detail) => AudioError::Base64 { call_id: call_id.to_owned(), chunk, detail },
            DecodeFailure::Full { needed } => {
                AudioError::BufferFull { call_id: call_id.to_owned(), chunk, capacity, needed }
            }
            DecodeFailure::Alloc { bytes } => AudioError::Allocation { name: "call buffer", bytes },
        }
    }
}

/// Decode a tagged stream into caller-provided per-call buffers.
///
/// `chunks[i]` belongs to call `owners[i]` (an index into `call_ids` and `outs`); its bytes are
/// appended to `outs[owner]` at `lens[owner]`, which is advanced. `lens` must start at the
/// fill level of each buffer (usually zero). Nothing is allocated.
///
/// On error, the chunks before the bad one are decoded and counted in `lens`, the bad one is
/// not, and the error names its call and its position within that call.
pub fn decode_stream_into(
    chunks: &[&[u8]],
    owners: &[u32],
    call_ids: &[&str],
    outs: &mut [&mut [u8]],
    lens: &mut [usize],
) -> Result<()> {
    if owners.len() != chunks.len() {
        return Err(AudioError::InvalidParameter {
            name: "owners",
            reason: format!("{} entries, expected one per chunk ({})", owners.len(), chunks.len()),
        });
    }
    if outs.len() != call_ids.len() {
        return Err(AudioError::InvalidParameter {
            name: "outs",
            reason: format!("{} buffers, expected one per call id ({})", outs.len(), call_ids.len()),
        });
    }
    if lens.len() != call_ids.len() {
        return Err(AudioError::OutputLength { name: "lens", expected: call_ids.len(), actual: lens.len() });
    }
    if let Some(&bad) = owners.iter().find(|&&o| o as usize >= call_ids.len()) {
        return Err(AudioError::InvalidParameter {
            name: "owners",
            reason: format!("call index {bad} out of range for {} calls", call_ids.len()),
        });
    }
    if let Some((i, (len, out))) = lens.iter().zip(outs.iter()).enumerate().find(|(_, (&len, out))| len > out.len()) {
        return Err(AudioError::InvalidParameter {
            name: "lens",
            reason: format!("call {i} is filled to {len} bytes, beyond its buffer of {}", out.len()),
        });
    }
    for (i, (&chunk, &owner)) in chunks.iter().zip(owners).enumerate() {
        let call = owner as usize;
        let (out, len) = (&mut outs[call], &mut lens[call]);
        // Within `out` (checked above, and only ever advanced by what fits); the `min` keeps the
        // slice below panic-free by construction and costs nothing measurable per chunk.
        let start = (*len).min(out.len());
        match decode_into(chunk, &mut out[start..]) {
            Ok(n) => *len = start + n,
            Err(failure) => {
                // Position within the call, computed only on the error path.
                let nth = owners[..i].iter().filter(|&&o| o == owner).count() as u64;
                return Err(failure.at(call_ids[call], nth, out.len()));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_zero_bits_after_the_last_byte_are_taken_as_python_takes_them() {
        // "...VGVhbW==": the `W` carries 2 bits past the last byte, set.
        let chunk = b"UG9ydGFsZSBIYWNraW5nVGVhbW==";
        let mut out = vec![0u8; 64];
        let n = decode_into(chunk, &mut out).unwrap();
        assert_eq!(&out[..n], b"Portale HackingTeam");
        let mut grown = b"x".to_vec();
        assert_eq!(decode_append(chunk, &mut grown).unwrap().0, 19);
        assert_eq!(&grown[1..], b"Portale HackingTeam");
        assert_eq!(decode_into(b"aGVsbG9=", &mut out).unwrap(), 5);
    }

    #[test]
    fn a_fill_level_beyond_its_buffer_is_refused_before_decoding() {
        let mut a = [0u8; 4];
        let mut outs: Vec<&mut [u8]> = vec![&mut a];
        let mut lens = [5usize];
        let err = decode_stream_into(&[b"aGk="], &[0], &["a"], &mut outs, &mut lens).unwrap_err();
        assert!(err.to_string().contains("call 0 is filled to 5 bytes, beyond its buffer of 4"), "{err}");
        assert_eq!(lens, [5]);
    }

    #[test]
    fn everything_else_the_contract_refuses_stays_refused_and_changes_nothing() {
        for bad in [&b"aGVsbG8"[..], b"aGVsbG8==", b"====", b"aG=sbG8=", b"aGVsbG8=\n", b"aGVs bG8=", b"-_-_", b"a"] {
            let mut grown = b"keep".to_vec();
            assert!(matches!(decode_append(bad, &mut grown), Err(DecodeFailure::Invalid(_))), "{bad:?}");
            assert_eq!(grown, b"keep", "{bad:?}");
            assert!(decode_into(bad, &mut [0u8; 16]).is_err(), "{bad:?}");
        }
        assert_eq!(decode_into(b"", &mut []).unwrap(), 0);
    }

    fn encode(bytes: &[u8]) -> Vec<u8> {
        base64::engine::general_purpose::STANDARD.encode(bytes).into_bytes()
    }

    #[test]
    fn append_round_trips_and_counts_growth() {
        let raw: Vec<u8> = (0..1280u32).map(|i| (i * 7 % 251) as u8).collect();
        let chunk = encode(&raw);
        let mut buf = Vec::new();
        let (n, grew) = decode_append(&chunk, &mut buf).unwrap();
        assert_eq!((n, grew), (1280, true));
        assert_eq!(buf, raw);
        let mut roomy = Vec::with_capacity(4096);
        assert_eq!(decode_append(&chunk, &mut roomy).unwrap(), (1280, false));
    }

    #[test]
    fn invalid_chunk_leaves_buffer_untouched_and_says_where() {
        let mut buf = vec![1, 2, 3];
        let err = decode_append(b"QUJD!EVG", &mut buf).unwrap_err();
        assert_eq!(buf, [1, 2, 3]);
        match err {
            DecodeFailure::Invalid(msg) => assert!(msg.contains("offset 4"), "{msg}"),
            other => panic!("unexpected {other:?}"),
        }
        assert!(matches!(decode_append(b"QUJ", &mut buf), Err(DecodeFailure::Invalid(_))));
    }

    #[test]
    fn stream_decodes_interleaved_calls() {
        let a = encode(b"hello ");
        let b = encode(b"other");
        let c = encode(b"world");
        let chunks: Vec<&[u8]> = vec![&a, &b, &c];
        let owners = [0u32, 1, 0];
        let mut out0 = [0u8; 32];
        let mut out1 = [0u8; 32];
        let mut lens = [0usize; 2];
        {
            let mut outs: Vec<&mut [u8]> = vec![&mut out0, &mut out1];
            decode_stream_into(&chunks, &owners, &["a", "b"], &mut outs, &mut lens).unwrap();
        }
        assert_eq!(&out0[..lens[0]], b"hello world");
        assert_eq!(&out1[..lens[1]], b"other");
    }

    #[test]
    fn stream_errors_name_call_and_chunk() {
        let good = encode(b"abc");
        let chunks: Vec<&[u8]> = vec![&good, &good, b"####"];
        let owners = [1u32, 1, 1];
        let mut o0 = [0u8; 8];
        let mut o1 = [0u8; 8];
        let mut lens = [0usize; 2];
        let mut outs: Vec<&mut [u8]> = vec![&mut o0, &mut o1];
        let err = decode_stream_into(&chunks, &owners, &["x", "call-7"], &mut outs, &mut lens).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("call-7") && msg.contains("chunk 2"), "{msg}");
        assert_eq!(lens, [0, 6]);
    }

    #[test]
    fn full_buffer_is_an_error_not_a_truncation() {
        let chunk = encode(&[9u8; 12]);
        let mut small = [0u8; 8];
        let mut lens = [0usize];
        let mut outs: Vec<&mut [u8]> = vec![&mut small];
        let err = decode_stream_into(&[&chunk], &[0], &["c"], &mut outs, &mut lens).unwrap_err();
        assert!(matches!(err, AudioError::BufferFull { needed: 12, capacity: 8, .. }));
    }
}
