//! `AudioBuffer` / `AudioData`: shared, typed sample buffers.

use std::sync::Arc;

use crate::error::{AudioError, Result};

/// Samples in one of the three formats the operations use, shared by reference count.
#[derive(Clone, Debug, PartialEq)]
pub enum AudioBuffer {
    /// float32 samples.
    F32(Arc<Vec<f32>>),
    /// int16 samples.
    I16(Arc<Vec<i16>>),
    /// int32 samples.
    I32(Arc<Vec<i32>>),
}

impl AudioBuffer {
    /// Wrap owned f32 samples.
    pub fn new_f32(samples: Vec<f32>) -> Self {
        Self::F32(Arc::new(samples))
    }

    /// Wrap owned i16 samples.
    pub fn new_i16(samples: Vec<i16>) -> Self {
        Self::I16(Arc::new(samples))
    }

    /// Wrap owned i32 samples.
    pub fn new_i32(samples: Vec<i32>) -> Self {
        Self::I32(Arc::new(samples))
    }

    /// Format name (`f32`, `i16`, `i32`).
    pub fn format(&self) -> &'static str {
        match self {
            Self::F32(_) => "f32",
            Self::I16(_) => "i16",
            Self::I32(_) => "i32",
        }
    }

    /// Number of samples (all channels).
    pub fn len(&self) -> usize {
        match self {
            Self::F32(v) => v.len(),
            Self::I16(v) => v.len(),
            Self::I32(v) => v.len(),
        }
    }

    /// True when there are no samples.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The f32 samples, or an error naming the node that needed them.
    pub fn as_f32(&self, node: &'static str) -> Result<&[f32]> {
        match self {
            Self::F32(v) => Ok(v),
            other => Err(AudioError::SampleFormat { node, expected: "f32", actual: other.format() }),
        }
    }

    /// The i16 samples, or an error naming the node that needed them.
    pub fn as_i16(&self, node: &'static str) -> Result<&[i16]> {
        match self {
            Self::I16(v) => Ok(v),
            other => Err(AudioError::SampleFormat { node, expected: "i16", actual: other.format() }),
        }
    }
}

/// Audio plus the metadata nodes need.
#[derive(Clone, Debug, PartialEq)]
pub struct AudioData {
    /// Planar samples, `channels × frames`.
    pub buffer: AudioBuffer,
    /// Sample rate in Hz.
    pub sample_rate: u32,
    /// Channel count.
    pub channels: usize,
}

impl AudioData {
    /// Bundle a buffer with its metadata.
    pub fn new(buffer: AudioBuffer, sample_rate: u32, channels: usize) -> Self {
        Self { buffer, sample_rate, channels }
    }

    /// Frames per channel, checking that the buffer splits evenly.
    pub fn frames(&self) -> Result<usize> {
        if self.channels == 0 {
            return Err(AudioError::InvalidParameter { name: "channels", reason: "must be at least 1, got 0".into() });
        }
        let len = self.buffer.len();
        if len % self.channels != 0 {
            return Err(AudioError::RaggedBuffer { name: "buffer", len, channels: self.channels });
        }
        Ok(len / self.channels)
    }
}
