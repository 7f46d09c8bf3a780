//! The fast-path nodes: convert (the kernel registry's node), VAD, resample.

use crate::direct::convert::{self, Conversion};
use crate::direct::resample::{Preset, Resampler, INPUT_RATE, OUTPUT_RATE};
use crate::direct::vad::{self, VadParams, VadResult};
use crate::error::{AudioError, Result};
use crate::fast::{AudioBuffer, AudioData, FastAudioNode};
use crate::kernel::fast::FastKernelNode;

/// Sample-format conversion: the convert kernel's fast node, which allocates its output on
/// every call.
pub type FastConvertNode = FastKernelNode;

/// The fast node of `conversion`.
pub fn convert_node(conversion: Conversion) -> FastConvertNode {
    FastKernelNode::from_kernel(&convert::KERNEL, convert::kernel_of(conversion))
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
