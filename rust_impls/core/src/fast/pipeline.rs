//! The fast-path pipeline: three `FastAudioNode`s chained, passing `AudioBuffer`s.

use crate::direct::convert::Conversion;
use crate::direct::resample::Preset;
use crate::direct::vad::{VadParams, VadResult};
use crate::error::Result;
use crate::fast::nodes::{convert_node, FastConvertNode, FastResampleNode, FastVadNode};
use crate::fast::{AudioData, FastAudioNode};

/// VAD → resample (`high`) → f32→i16, each a node, as a fast-path executor would chain them.
#[derive(Debug)]
pub struct FastPipeline {
    vad: FastVadNode,
    resample: FastResampleNode,
    convert: FastConvertNode,
}

impl FastPipeline {
    /// Build the three nodes once.
    pub fn new(channels: usize, vad: VadParams) -> Result<Self> {
        Ok(Self {
            vad: FastVadNode::new(vad)?,
            resample: FastResampleNode::new(Preset::High, channels)?,
            convert: convert_node(Conversion::F32I16),
        })
    }

    /// Run the chain: returns the i16 audio and the VAD result.
    pub fn process(&mut self, input: AudioData) -> Result<(AudioData, VadResult)> {
        let audio = self.vad.process_audio(input)?;
        let audio = self.resample.process_audio(audio)?;
        let audio = self.convert.process_audio(audio)?;
        Ok((audio, self.vad.take_last()))
    }
}
