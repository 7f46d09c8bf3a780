//! The study's `AudioProcessor`: many calls' base64 chunk buffers behind one lock.
//!
//! Each call gets a buffer pre-allocated to `capacity_per_call` bytes when its first chunk
//! arrives; every capacity change afterwards is counted as a reallocation, which is how the
//! "zero reallocations" claim becomes a measured number. The processor is `Sync`: several
//! threads may push and take at once; a poisoned lock is recovered rather than propagated,
//! because a buffer map is still consistent after any panic in this module (there are none
//! on user input, but a lock must never turn one bug into a crash everywhere).

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use crate::direct::b64::decode_append;
use crate::error::{AudioError, Result};

/// Default per-call pre-allocation: the study's 10 MiB.
pub const DEFAULT_CAPACITY_PER_CALL: usize = 10 * 1024 * 1024;

#[derive(Debug, Default)]
struct CallBuffer {
    data: Vec<u8>,
    chunks: u64,
}

#[derive(Debug, Default)]
struct State {
    calls: HashMap<String, CallBuffer>,
    reallocations: u64,
}

/// Thread-safe manager of per-call byte buffers fed with base64 chunks.
#[derive(Debug)]
pub struct AudioProcessor {
    state: Mutex<State>,
    capacity_per_call: usize,
}

impl Default for AudioProcessor {
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY_PER_CALL)
    }
}

impl AudioProcessor {
    /// A processor whose call buffers start with `capacity_per_call` bytes of capacity.
    pub fn new(capacity_per_call: usize) -> Self {
        Self { state: Mutex::new(State::default()), capacity_per_call }
    }

    /// Pre-allocation per call.
    pub fn capacity_per_call(&self) -> usize {
        self.capacity_per_call
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Decode `chunk` and append it to `call_id`'s buffer (created on first use).
    /// Returns the bytes appended. On error the buffer is unchanged, and a call whose first
    /// chunk fails is not created.
    pub fn add_chunk(&self, call_id: &str, chunk: &[u8]) -> Result<usize> {
        self.add_chunk_then(call_id, chunk, |_, _| ()).map(|(written, ())| written)
    }

    /// [`add_chunk`](Self::add_chunk), then `then(buffer, before)` on the call's whole buffer and
    /// its length before this chunk, under the same lock: no other chunk of the call lands in
    /// between, so per-chunk analysis (a VAD of the frames this chunk completed) sees exactly
    /// the bytes the chunk added. `then` does not run when the chunk is refused.
    pub fn add_chunk_then<R>(
        &self,
        call_id: &str,
        chunk: &[u8],
        then: impl FnOnce(&[u8], usize) -> R,
    ) -> Result<(usize, R)> {
        let mut state = self.lock();
        let state = &mut *state;
        let new_call = !state.calls.contains_key(call_id);
        if new_call {
            let mut data = Vec::new();
            data.try_reserve_exact(self.capacity_per_call)
                .map_err(|_| AudioError::Allocation { name: "call buffer", bytes: self.capacity_per_call })?;
            state.calls.insert(call_id.to_owned(), CallBuffer { data, chunks: 0 });
        }
        let buffer = state.calls.get_mut(call_id).expect("inserted above");
        let capacity = buffer.data.capacity();
        match decode_append(chunk, &mut buffer.data) {
            Ok((written, reallocated)) => {
                buffer.chunks += 1;
                state.reallocations += u64::from(reallocated);
                let before = buffer.data.len() - written;
                Ok((written, then(&buffer.data, before)))
            }
            Err(failure) => {
                let error = failure.at(call_id, buffer.chunks, capacity);
                if new_call {
                    state.calls.remove(call_id);
                }
                Err(error)
            }
        }
    }

    /// Remove `call_id`'s buffer and return its bytes. Taking an unknown (or already taken)
    /// call is an error that leaves every other buffer untouched.
    pub fn take(&self, call_id: &str) -> Result<Vec<u8>> {
        self.lock()
            .calls
            .remove(call_id)
            .map(|b| b.data)
            .ok_or_else(|| AudioError::UnknownCall { call_id: call_id.to_owned() })
    }

    /// Bytes currently buffered for `call_id`.
    pub fn buffered(&self, call_id: &str) -> Result<usize> {
        self.lock()
            .calls
            .get(call_id)
            .map(|b| b.data.len())
            .ok_or_else(|| AudioError::UnknownCall { call_id: call_id.to_owned() })
    }

    /// Calls currently held.
    pub fn call_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.lock().calls.keys().cloned().collect();
        ids.sort();
        ids
    }

    /// Capacity changes since the processor was created, over all calls.
    pub fn reallocations(&self) -> u64 {
        self.lock().reallocations
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;

    fn chunk(fill: u8, len: usize) -> Vec<u8> {
        base64::engine::general_purpose::STANDARD.encode(vec![fill; len]).into_bytes()
    }

    #[test]
    fn preallocated_buffers_never_reallocate() {
        let p = AudioProcessor::new(1280 * 10);
        for i in 0..10 {
            p.add_chunk(if i % 2 == 0 { "a" } else { "b" }, &chunk(i, 1280)).unwrap();
        }
        assert_eq!(p.reallocations(), 0);
        assert_eq!(p.take("a").unwrap().len(), 1280 * 5);
        assert!(p.take("a").is_err(), "a call cannot be taken twice");
        assert_eq!(p.buffered("b").unwrap(), 1280 * 5);
    }

    #[test]
    fn small_capacity_counts_growth() {
        let p = AudioProcessor::new(0);
        for _ in 0..64 {
            p.add_chunk("x", &chunk(1, 1280)).unwrap();
        }
        let r = p.reallocations();
        assert!((3..64).contains(&r), "{r} reallocations");
    }

    #[test]
    fn bad_chunk_names_call_and_position_and_keeps_data() {
        let p = AudioProcessor::new(64);
        p.add_chunk("c1", &chunk(7, 3)).unwrap();
        let err = p.add_chunk("c1", b"no!!").unwrap_err().to_string();
        assert!(err.contains("c1") && err.contains("chunk 1"), "{err}");
        assert_eq!(p.take("c1").unwrap(), vec![7; 3]);
    }

    #[test]
    fn concurrent_pushes_lose_nothing() {
        let p = std::sync::Arc::new(AudioProcessor::new(1 << 16));
        let handles: Vec<_> = (0..4u8)
            .map(|t| {
                let p = p.clone();
                std::thread::spawn(move || {
                    for i in 0..200u8 {
                        p.add_chunk(&format!("call{}", i % 3), &chunk(t, 30)).unwrap();
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        let total: usize = (0..3).map(|i| p.take(&format!("call{i}")).unwrap().len()).sum();
        assert_eq!(total, 4 * 200 * 30);
    }
}
