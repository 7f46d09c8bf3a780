//! The `rust-fast` tier: the study's fast path.
//!
//! A synchronous [`FastAudioNode`] trait over [`AudioData`], whose [`AudioBuffer`] shares its
//! samples through `Arc<Vec<T>>`: nodes pass buffers along without copying and without JSON.
//! Nodes are built once and reused across calls, which is the point of this tier.

mod buffer;
pub mod nodes;
pub mod pipeline;
pub mod processor;

pub use buffer::{AudioBuffer, AudioData};

use crate::error::Result;

/// A synchronous audio node: takes audio, returns audio.
pub trait FastAudioNode: Send {
    /// Node name for errors and reports.
    fn name(&self) -> &'static str;

    /// Process one buffer. Nodes that only observe the audio return the input `Arc` as is.
    fn process_audio(&mut self, input: AudioData) -> Result<AudioData>;
}
