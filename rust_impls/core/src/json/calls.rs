//! The JSON tier as a caller uses it: plain buffers in, plain buffers out.
//!
//! Each function does what an application calling the standard node does on every call:
//! serialise the audio into a `serde_json::Value` ("JSON creation"), run freshly created and
//! initialised nodes as an executor task, and parse the JSON result back into the caller's
//! form ("output serialisation"). The Python binding and the criterion benches both call these,
//! so both measure the same path.

use serde_json::{json, Value};

use crate::direct::convert::Conversion;
use crate::direct::resample::{Preset, INPUT_RATE};
use crate::direct::vad::{VadParams, VadResult};
use crate::error::{AudioError, Result};
use crate::json::audio::{self, JsonSample};
use crate::json::executor::{run_chain, run_node, start_node, ChainOutput};
use crate::json::kernel_node;
use crate::json::{NodeExecutor, NodeSpec};
use crate::kernel::{Params, SliceRef};

const CALLER: &str = "caller";

pub use crate::kernel::Samples;

fn parse<T: JsonSample>(v: &Value) -> Result<Vec<T>> {
    Ok(audio::from_value::<T>(CALLER, v)?.samples)
}

fn vad_report(out: &ChainOutput) -> Result<VadResult> {
    let (_, report) = out.side_outputs.iter().find(|(id, _)| id == "vad").ok_or_else(|| AudioError::Json {
        node: CALLER,
        path: String::new(),
        reason: "the VAD node produced no report".into(),
    })?;
    audio::vad_from_value(CALLER, report)
}

fn vad_spec(params: &VadParams) -> NodeSpec {
    NodeSpec::new(
        "vad",
        "VoiceActivityDetector",
        json!({"sample_rate": params.sample_rate, "threshold": params.threshold}),
    )
}

/// Convert float32 samples (`f32_i16` or `f32_i32`).
pub fn convert_f32(input: &[f32], conversion: Conversion) -> Result<Samples> {
    expect_format(conversion, "f32")?;
    kernel_node::call("convert", conversion.name(), &Params::new(), SliceRef::F32(input))
}

/// Convert int16 samples (`i16_f32` or `i16_i32`).
pub fn convert_i16(input: &[i16], conversion: Conversion) -> Result<Samples> {
    expect_format(conversion, "i16")?;
    kernel_node::call("convert", conversion.name(), &Params::new(), SliceRef::I16(input))
}

fn expect_format(conversion: Conversion, format: &'static str) -> Result<()> {
    if conversion.input_format() == format {
        Ok(())
    } else {
        Err(AudioError::SampleFormat {
            node: "AudioFormatConverter",
            expected: conversion.input_format(),
            actual: format,
        })
    }
}

/// VAD over planar audio.
pub fn vad(audio_in: &[f32], channels: usize, params: &VadParams) -> Result<VadResult> {
    let value = audio::to_value(audio_in, params.sample_rate, channels)?;
    vad_report(&run_chain(vec![vad_spec(params)], value)?)
}

/// Resample planar 44.1 kHz audio.
pub fn resample(audio_in: &[f32], channels: usize, preset: Preset) -> Result<Vec<f32>> {
    let value = audio::to_value(audio_in, INPUT_RATE, channels)?;
    let spec = NodeSpec::new("resample", "AudioResampler", json!({"preset": preset.name(), "channels": channels}));
    parse(&run_chain(vec![spec], value)?.output)
}

/// VAD → resample(high) → f32→i16 as three nodes chained by the executor.
pub fn pipeline(audio_in: &[f32], channels: usize, params: &VadParams) -> Result<(Vec<i16>, VadResult)> {
    let value = audio::to_value(audio_in, params.sample_rate, channels)?;
    let specs = vec![
        vad_spec(params),
        NodeSpec::new("resample", "AudioResampler", json!({"preset": "high", "channels": channels})),
        NodeSpec::new("convert", "AudioFormatConverter", json!({"variant": Conversion::F32I16.name()})),
    ];
    let out = run_chain(specs, value)?;
    Ok((parse(&out.output)?, vad_report(&out)?))
}

/// A long-lived `AudioChunkBuffer` node fed one JSON message per chunk.
pub struct ChunkSession {
    // Moved into each executor task and back; `None` only if a task was lost.
    node: Option<Box<dyn NodeExecutor>>,
}

impl std::fmt::Debug for ChunkSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChunkSession").field("alive", &self.node.is_some()).finish()
    }
}

impl ChunkSession {
    /// Create and initialise the node.
    pub fn new(capacity_per_call: usize) -> Result<Self> {
        let spec = NodeSpec::new("buffer", "AudioChunkBuffer", json!({"capacity_per_call": capacity_per_call}));
        Ok(Self { node: Some(start_node(spec)?) })
    }

    fn call(&mut self, message: Value) -> Result<Value> {
        let node = self.node.take().ok_or_else(|| AudioError::Executor("the node was lost by a failed task".into()))?;
        let (node, result) = run_node(node, message)?;
        self.node = Some(node);
        result?.into_iter().next().ok_or_else(|| AudioError::Json {
            node: CALLER,
            path: String::new(),
            reason: "no output".into(),
        })
    }

    /// Send one chunk (ASCII base64) for `call_id`; returns the bytes appended.
    pub fn add_chunk(&mut self, call_id: &str, chunk: &[u8]) -> Result<usize> {
        // JSON carries the chunk as a string, so it must be text.
        let data = std::str::from_utf8(chunk).map_err(|e| AudioError::Base64 {
            call_id: call_id.into(),
            chunk: 0,
            detail: format!("not ASCII text: {e}"),
        })?;
        let out = self.call(json!({"op": "append", "call_id": call_id, "data": data}))?;
        Ok(out.get("appended").and_then(Value::as_u64).unwrap_or(0) as usize)
    }

    /// Take `call_id`'s bytes (parsed from the node's JSON byte array).
    pub fn take(&mut self, call_id: &str) -> Result<Vec<u8>> {
        let out = self.call(json!({"op": "take", "call_id": call_id}))?;
        parse(&out)
    }

    /// Capacity changes so far, as the node reports them.
    pub fn reallocations(&mut self) -> Result<u64> {
        Ok(self.call(json!({"op": "stats"}))?.get("reallocations").and_then(Value::as_u64).unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::direct;

    #[test]
    fn json_calls_match_direct_results() {
        let frames = 1323 * 5 + 17;
        let audio_in: Vec<f32> = (0..frames * 2).map(|i| ((i as f32) * 0.01).sin() * 0.4).collect();
        let params = VadParams::default();
        let v = vad(&audio_in, 2, &params).unwrap();
        assert_eq!(v, direct::vad::vad(&audio_in, 2, &params).unwrap());
        let r = resample(&audio_in, 2, Preset::High).unwrap();
        assert_eq!(r, direct::resample::resample(&audio_in, 2, Preset::High).unwrap());
        match convert_f32(&audio_in, Conversion::F32I16).unwrap() {
            Samples::I16(s) => assert_eq!(s, direct::convert::f32_to_i16(&audio_in).unwrap()),
            other => panic!("{other:?}"),
        }
        assert!(convert_i16(&[1, 2], Conversion::F32I16).is_err());
    }

    #[test]
    fn chunk_session_round_trip() {
        let mut s = ChunkSession::new(16).unwrap();
        assert_eq!(s.add_chunk("a", b"aGVsbG8=").unwrap(), 5);
        assert_eq!(s.take("a").unwrap(), b"hello");
        assert_eq!(s.reallocations().unwrap(), 0);
        assert!(s.take("a").is_err());
    }
}
