//! The JSON-tier nodes: VAD, resample, and the base64 chunk buffer (convert's node is the
//! kernel registry's: [`crate::json::kernel_node`]).

use async_trait::async_trait;
use serde_json::{json, Map, Value};

use crate::direct::resample::{Preset, Resampler, INPUT_RATE, OUTPUT_RATE};
use crate::direct::vad::{self, VadParams, DEFAULT_THRESHOLD};
use crate::error::{AudioError, Result};
use crate::fast::processor::{AudioProcessor, DEFAULT_CAPACITY_PER_CALL};
use crate::json::audio::{self, as_object, field_str, NodeInput};
use crate::json::{NodeContext, NodeExecutor};

fn param_error(node: &'static str, key: &str, reason: impl Into<String>) -> AudioError {
    AudioError::Json { node, path: format!("params/{key}"), reason: reason.into() }
}

pub(crate) fn params_object<'a>(
    node: &'static str,
    params: &'a Value,
) -> Result<std::borrow::Cow<'a, Map<String, Value>>> {
    match params {
        Value::Null => Ok(std::borrow::Cow::Owned(Map::new())),
        Value::Object(m) => Ok(std::borrow::Cow::Borrowed(m)),
        other => Err(param_error(node, "", format!("expected an object, got {}", audio::describe(other)))),
    }
}

pub(crate) fn opt_str<'a>(
    node: &'static str,
    p: &'a Map<String, Value>,
    key: &str,
    default: &'a str,
) -> Result<&'a str> {
    match p.get(key) {
        None => Ok(default),
        Some(v) => v.as_str().ok_or_else(|| param_error(node, key, "expected a string")),
    }
}

fn opt_u64(node: &'static str, p: &Map<String, Value>, key: &str, default: u64) -> Result<u64> {
    match p.get(key) {
        None => Ok(default),
        Some(v) => v.as_u64().ok_or_else(|| param_error(node, key, "expected an unsigned integer")),
    }
}

fn opt_f64(node: &'static str, p: &Map<String, Value>, key: &str, default: f64) -> Result<f64> {
    match p.get(key) {
        None => Ok(default),
        Some(v) => v.as_f64().ok_or_else(|| param_error(node, key, "expected a number")),
    }
}

/// Energy VAD node. Params: `{"sample_rate": 44100, "threshold": 0.02}`.
/// Outputs `[audio passed through, {"type": "vad", "energies", "flags", "speech_ratio"}]`.
#[derive(Debug)]
pub struct JsonVadNode {
    params: VadParams,
    initialized: bool,
}

impl JsonVadNode {
    /// Registered type name.
    pub const TYPE: &'static str = "VoiceActivityDetector";

    /// Parse parameters.
    pub fn from_params(params: &Value) -> Result<Self> {
        let p = params_object(Self::TYPE, params)?;
        let rate = opt_u64(Self::TYPE, &p, "sample_rate", INPUT_RATE as u64)?;
        let rate =
            u32::try_from(rate).map_err(|_| param_error(Self::TYPE, "sample_rate", "does not fit in 32 bits"))?;
        let threshold = opt_f64(Self::TYPE, &p, "threshold", DEFAULT_THRESHOLD as f64)? as f32;
        Ok(Self { params: VadParams::new(rate, threshold)?, initialized: false })
    }
}

#[async_trait]
impl NodeExecutor for JsonVadNode {
    fn node_type(&self) -> &'static str {
        Self::TYPE
    }

    async fn initialize(&mut self, _ctx: &NodeContext) -> Result<()> {
        self.initialized = true;
        Ok(())
    }

    async fn process(&mut self, input: Value) -> Result<Vec<Value>> {
        let input = NodeInput::new(input);
        if !self.initialized {
            return Err(AudioError::NotInitialized { node: Self::TYPE });
        }
        let a = input.audio::<f32>(Self::TYPE)?;
        if a.sample_rate != self.params.sample_rate {
            return Err(AudioError::SampleRate {
                actual: a.sample_rate as u64,
                reason: "the VAD node was configured for another rate",
            });
        }
        let result = vad::vad(&a.samples, a.channels, &self.params)?;
        let report = json!({
            "type": "vad",
            "energies": result.energies.iter().map(|&e| Value::from(e as f64)).collect::<Vec<_>>(),
            "flags": result.flags,
            "speech_ratio": result.speech_ratio,
        });
        Ok(vec![input.into_inner(), report])
    }
}

/// Resampling node. Params: `{"preset": "high", "channels": 2}`; the resampler (its
/// scratch; the preset's filter is shared) is built in `initialize`.
pub struct JsonResampleNode {
    preset: Preset,
    channels: usize,
    resampler: Option<Resampler>,
}

impl std::fmt::Debug for JsonResampleNode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JsonResampleNode").field("preset", &self.preset).field("channels", &self.channels).finish()
    }
}

impl JsonResampleNode {
    /// Registered type name.
    pub const TYPE: &'static str = "AudioResampler";

    /// Parse parameters.
    pub fn from_params(params: &Value) -> Result<Self> {
        let p = params_object(Self::TYPE, params)?;
        let preset = Preset::parse(opt_str(Self::TYPE, &p, "preset", "high")?)?;
        let channels = opt_u64(Self::TYPE, &p, "channels", 2)?;
        let channels = usize::try_from(channels).map_err(|_| param_error(Self::TYPE, "channels", "too large"))?;
        Ok(Self { preset, channels, resampler: None })
    }
}

#[async_trait]
impl NodeExecutor for JsonResampleNode {
    fn node_type(&self) -> &'static str {
        Self::TYPE
    }

    async fn initialize(&mut self, _ctx: &NodeContext) -> Result<()> {
        self.resampler = Some(Resampler::new(self.preset, self.channels)?);
        Ok(())
    }

    async fn process(&mut self, input: Value) -> Result<Vec<Value>> {
        let input = NodeInput::new(input);
        let resampler = self.resampler.as_mut().ok_or(AudioError::NotInitialized { node: Self::TYPE })?;
        let a = input.audio::<f32>(Self::TYPE)?;
        if a.sample_rate != INPUT_RATE {
            return Err(AudioError::SampleRate {
                actual: a.sample_rate as u64,
                reason: "resampling needs 44100 Hz input",
            });
        }
        if a.channels != resampler.channels() {
            return Err(AudioError::WrongNumberOfChannels { expected: resampler.channels(), actual: a.channels });
        }
        let out = resampler.process(&a.samples)?;
        Ok(vec![audio::to_value(&out, OUTPUT_RATE, a.channels)?])
    }
}

/// Base64 chunk buffer node: the CallBot buffer manager behind the JSON interface.
/// Params: `{"capacity_per_call": 10485760, "sample_rate": 16000}`.
/// Inputs: `{"op": "append", "call_id", "data": "<base64>"}` → `[{"call_id", "appended"}]`;
/// `{"op": "take", "call_id"}` → `[audio object of format "u8"]`;
/// `{"op": "stats"}` → `[{"reallocations"}]`.
#[derive(Debug)]
pub struct JsonChunkBufferNode {
    capacity_per_call: usize,
    sample_rate: u32,
    processor: Option<AudioProcessor>,
}

impl JsonChunkBufferNode {
    /// Registered type name.
    pub const TYPE: &'static str = "AudioChunkBuffer";

    /// Parse parameters.
    pub fn from_params(params: &Value) -> Result<Self> {
        let p = params_object(Self::TYPE, params)?;
        let capacity = opt_u64(Self::TYPE, &p, "capacity_per_call", DEFAULT_CAPACITY_PER_CALL as u64)?;
        let capacity_per_call =
            usize::try_from(capacity).map_err(|_| param_error(Self::TYPE, "capacity_per_call", "too large"))?;
        let rate = opt_u64(Self::TYPE, &p, "sample_rate", OUTPUT_RATE as u64)?;
        let sample_rate = u32::try_from(rate).map_err(|_| param_error(Self::TYPE, "sample_rate", "too large"))?;
        Ok(Self { capacity_per_call, sample_rate, processor: None })
    }
}

#[async_trait]
impl NodeExecutor for JsonChunkBufferNode {
    fn node_type(&self) -> &'static str {
        Self::TYPE
    }

    async fn initialize(&mut self, _ctx: &NodeContext) -> Result<()> {
        self.processor = Some(AudioProcessor::new(self.capacity_per_call));
        Ok(())
    }

    async fn process(&mut self, input: Value) -> Result<Vec<Value>> {
        let node = Self::TYPE;
        let input = NodeInput::new(input);
        let processor = self.processor.as_ref().ok_or(AudioError::NotInitialized { node })?;
        let obj = as_object(node, &input)?;
        match field_str(node, obj, "op")? {
            "append" => {
                let call_id = field_str(node, obj, "call_id")?;
                let data = field_str(node, obj, "data")?;
                let appended = processor.add_chunk(call_id, data.as_bytes())?;
                Ok(vec![json!({"call_id": call_id, "appended": appended})])
            }
            "take" => {
                let call_id = field_str(node, obj, "call_id")?;
                let bytes = processor.take(call_id)?;
                Ok(vec![audio::to_value(&bytes, self.sample_rate, 1)?])
            }
            "stats" => Ok(vec![json!({"reallocations": processor.reallocations()})]),
            _ => Err(AudioError::Json {
                node,
                path: "/op".into(),
                reason: format!("unknown op {} (expected append, take or stats)", audio::describe(&obj["op"])),
            }),
        }
    }
}
