//! The fast-path nodes: convert, VAD, resample.

use crate::direct::convert::{self, Conversion};
use crate::direct::resample::{Preset, Resampler, INPUT_RATE, OUTPUT_RATE};
use crate::direct::vad::{self, VadParams, VadResult};
use crate::error::{AudioError, Result};
use crate::fast::{AudioBuffer, AudioData, FastAudioNode};

/// Sample-format conversion; allocates the output buffer on every call.
#[derive(Debug)]
pub struct FastConvertNode {
    conversion: Conversion,
}

impl FastConvertNode {
    /// A node performing `conversion`.
    pub fn new(conversion: Conversion) -> Self {
        Self { conversion }
    }
}

impl FastAudioNode for FastConvertNode {
    fn name(&self) -> &'static str {
        "FastConvertNode"
    }

    fn process_audio(&mut self, input: AudioData) -> Result<AudioData> {
        let node = self.name();
        let buffer = match self.conversion {
            Conversion::F32I16 => AudioBuffer::new_i16(convert::f32_to_i16(input.buffer.as_f32(node)?)?),
            Conversion::I16F32 => AudioBuffer::new_f32(convert::i16_to_f32(input.buffer.as_i16(node)?)?),
            Conversion::F32I32 => AudioBuffer::new_i32(convert::f32_to_i32(input.buffer.as_f32(node)?)?),
            Conversion::I16I32 => AudioBuffer::new_i32(convert::i16_to_i32(input.buffer.as_i16(node)?)?),
        };
        Ok(AudioData::new(buffer, input.sample_rate, input.channels))
    }
}

/// Energy VAD. Passes the audio through untouched (the same `Arc`) and keeps the result of
/// the last call in [`FastVadNode::last`].
#[derive(Debug)]
pub struct FastVadNode {
    params: VadParams,
    last: VadResult,
}

impl FastVadNode {
    /// A VAD node with validated parameters; `params.sample_rate` must match the audio.
    pub fn new(params: VadParams) -> Result<Self> {
        params.validate()?;
        Ok(Self { params, last: VadResult::default() })
    }

    /// Energies, flags and speech ratio from the last processed buffer.
    pub fn last(&self) -> &VadResult {
        &self.last
    }

    /// Move the last result out, leaving an empty one.
    pub fn take_last(&mut self) -> VadResult {
        std::mem::take(&mut self.last)
    }
}

impl FastAudioNode for FastVadNode {
    fn name(&self) -> &'static str {
        "FastVadNode"
    }

    fn process_audio(&mut self, input: AudioData) -> Result<AudioData> {
        if input.sample_rate != self.params.sample_rate {
            return Err(AudioError::SampleRate {
                actual: input.sample_rate as u64,
                reason: "the VAD node was built for another rate",
            });
        }
        let frames = input.frames()?;
        let samples = input.buffer.as_f32(self.name())?;
        let count = self.params.frame_count(frames);
        // Reuse the previous result's storage; it only grows.
        self.last.energies.resize(count, 0.0);
        self.last.flags.resize(count, false);
        let summary =
            vad::vad_into(samples, input.channels, &self.params, &mut self.last.energies, &mut self.last.flags)?;
        self.last.speech_ratio = summary.speech_ratio();
        Ok(input)
    }
}

/// 44.1 → 16 kHz resampling; the resampler is built once, the output allocated per call.
#[derive(Debug)]
pub struct FastResampleNode {
    resampler: Resampler,
}

impl FastResampleNode {
    /// A node for `channels` channels at `preset`.
    pub fn new(preset: Preset, channels: usize) -> Result<Self> {
        Ok(Self { resampler: Resampler::new(preset, channels)? })
    }
}

impl FastAudioNode for FastResampleNode {
    fn name(&self) -> &'static str {
        "FastResampleNode"
    }

    fn process_audio(&mut self, input: AudioData) -> Result<AudioData> {
        if input.sample_rate != INPUT_RATE {
            return Err(AudioError::SampleRate {
                actual: input.sample_rate as u64,
                reason: "resampling needs 44100 Hz input",
            });
        }
        if input.channels != self.resampler.channels() {
            return Err(AudioError::WrongNumberOfChannels {
                expected: self.resampler.channels(),
                actual: input.channels,
            });
        }
        let out = self.resampler.process(input.buffer.as_f32(self.name())?)?;
        Ok(AudioData::new(AudioBuffer::new_f32(out), OUTPUT_RATE, input.channels))
    }
}
