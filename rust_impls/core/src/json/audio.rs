//! Audio as JSON: `{"type": "audio", "format": "f32", "sample_rate": 44100, "channels": 2,
//! "samples": [...]}` with `samples` a flat planar number array (channel after channel).
//!
//! Building and parsing these arrays one `Value` per sample is the serialization cost the
//! study measured; it is kept as it was.

use serde_json::{Map, Value};

use crate::direct::vad::VadResult;
use crate::error::{AudioError, Result};

/// A sample type that can travel as a JSON number.
pub trait JsonSample: Copy + Sized {
    /// Format tag written to `"format"`.
    const FORMAT: &'static str;
    /// The sample as a JSON value.
    fn to_json(self) -> Value;
    /// The sample back from a JSON value, `None` if it is not a number in range.
    fn from_json(v: &Value) -> Option<Self>;
    /// Index of the first parsed sample the JSON number could not be represented by, if any.
    fn first_out_of_range(_samples: &[Self]) -> Option<usize> {
        None
    }
}

impl JsonSample for f32 {
    const FORMAT: &'static str = "f32";
    fn to_json(self) -> Value {
        // serde_json cannot carry NaN or ±inf; they become `null` and are refused on parse.
        Value::from(self as f64)
    }
    fn from_json(v: &Value) -> Option<Self> {
        v.as_f64().map(|x| x as f32)
    }
    fn first_out_of_range(samples: &[Self]) -> Option<usize> {
        // A finite JSON number beyond f32's range (1e300) becomes ±inf under `as`; it is refused
        // like any other out-of-range sample instead of reaching the kernels. Checked in a
        // separate pass over the parsed samples so the per-element parse loop stays as it was.
        // Blocks without an early exit inside, so the compiler vectorises the test.
        const BLOCK: usize = 256;
        let bad = |x: &f32| !x.is_finite();
        let block = samples.chunks(BLOCK).position(|c| c.iter().fold(false, |any, x| any | bad(x)))?;
        let start = block * BLOCK;
        samples[start..].iter().position(bad).map(|i| start + i)
    }
}

impl JsonSample for i16 {
    const FORMAT: &'static str = "i16";
    fn to_json(self) -> Value {
        Value::from(self)
    }
    fn from_json(v: &Value) -> Option<Self> {
        v.as_i64().and_then(|x| i16::try_from(x).ok())
    }
}

impl JsonSample for i32 {
    const FORMAT: &'static str = "i32";
    fn to_json(self) -> Value {
        Value::from(self)
    }
    fn from_json(v: &Value) -> Option<Self> {
        v.as_i64().and_then(|x| i32::try_from(x).ok())
    }
}

impl JsonSample for u8 {
    const FORMAT: &'static str = "u8";
    fn to_json(self) -> Value {
        Value::from(self)
    }
    fn from_json(v: &Value) -> Option<Self> {
        v.as_u64().and_then(|x| u8::try_from(x).ok())
    }
}

/// Audio parsed back out of JSON.
#[derive(Clone, Debug, PartialEq)]
pub struct JsonAudio<T> {
    /// Planar samples.
    pub samples: Vec<T>,
    /// Sample rate in Hz.
    pub sample_rate: u32,
    /// Channel count.
    pub channels: usize,
}

/// Build the JSON audio object for planar `samples`; a sample array too large to allocate is
/// an [`AudioError::Allocation`], not an abort.
pub fn to_value<T: JsonSample>(samples: &[T], sample_rate: u32, channels: usize) -> Result<Value> {
    let mut array: Vec<Value> = Vec::new();
    array.try_reserve_exact(samples.len()).map_err(|_| AudioError::Allocation {
        name: "JSON samples",
        bytes: samples.len().saturating_mul(std::mem::size_of::<Value>()),
    })?;
    array.extend(samples.iter().map(|&s| s.to_json()));
    let mut obj = Map::with_capacity(5);
    obj.insert("type".into(), Value::from("audio"));
    obj.insert("format".into(), Value::from(T::FORMAT));
    obj.insert("sample_rate".into(), Value::from(sample_rate));
    obj.insert("channels".into(), Value::from(channels));
    obj.insert("samples".into(), Value::Array(array));
    Ok(Value::Object(obj))
}

fn bad(node: &'static str, path: impl Into<String>, reason: impl Into<String>) -> AudioError {
    AudioError::Json { node, path: path.into(), reason: reason.into() }
}

/// Read a required unsigned integer field.
pub fn field_u64(node: &'static str, obj: &Map<String, Value>, key: &str) -> Result<u64> {
    match obj.get(key) {
        None => Err(bad(node, format!("/{key}"), "missing field")),
        Some(v) => v
            .as_u64()
            .ok_or_else(|| bad(node, format!("/{key}"), format!("expected an unsigned integer, got {}", describe(v)))),
    }
}

/// Read a required string field.
pub fn field_str<'a>(node: &'static str, obj: &'a Map<String, Value>, key: &str) -> Result<&'a str> {
    match obj.get(key) {
        None => Err(bad(node, format!("/{key}"), "missing field")),
        Some(v) => v.as_str().ok_or_else(|| bad(node, format!("/{key}"), "expected a string")),
    }
}

/// The input as a JSON object, or an error naming the node.
pub fn as_object<'a>(node: &'static str, v: &'a Value) -> Result<&'a Map<String, Value>> {
    v.as_object().ok_or_else(|| bad(node, "", format!("expected an object, got {}", kind(v))))
}

/// `v` as an error message shows it: scalars as written (long strings cut short), arrays and
/// objects by kind and size. Printing a container itself would copy an arbitrarily large input
/// into the message, and serialising it recurses once per nesting level, which overflows the
/// stack on a deeply nested value built in memory (only text parsing has a depth limit).
pub(crate) fn describe(v: &Value) -> String {
    const MAX_CHARS: usize = 40;
    match v {
        Value::String(s) if s.chars().count() > MAX_CHARS => {
            format!("a string starting {}...", Value::from(s.chars().take(MAX_CHARS).collect::<String>()))
        }
        Value::Array(a) => format!("an array of {} elements", a.len()),
        Value::Object(o) => format!("an object with {} keys", o.len()),
        scalar => scalar.to_string(),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Drop `v` with bounded recursion. serde_json's own drop recurses once per nesting level,
/// so a deeply nested value built in memory (text parsing stops at 128 levels, `Value`
/// construction does not) overflows the stack and aborts the process: 5 000 levels are
/// enough on a 2 MiB thread in a debug build. Here nested children are dropped first, by
/// recursion down to [`RECURSION_LIMIT`] levels and with an explicit stack below that, so
/// serde's drop only ever sees containers of scalars. On a flat sample array that adds one
/// tag test per element to serde's own pass.
pub fn drop_value(v: Value) {
    drop_at(v, 0);
}

/// Nesting depth handled by recursion; each level is one small frame.
const RECURSION_LIMIT: u32 = 64;

fn drop_at(mut v: Value, depth: u32) {
    let child = |x: &mut Value| {
        if nested(x) {
            let x = std::mem::take(x);
            if depth < RECURSION_LIMIT {
                drop_at(x, depth + 1)
            } else {
                drop_with_stack(x)
            }
        }
    };
    match &mut v {
        Value::Array(a) => a.iter_mut().for_each(child),
        Value::Object(o) => o.values_mut().for_each(child),
        _ => {}
    }
    drop(v);
}

/// Drop without recursion: containers go on an explicit stack, emptied one at a time.
fn drop_with_stack(v: Value) {
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Value::Array(a) => stack.extend(a.into_iter().filter(nested)),
            Value::Object(o) => stack.extend(o.into_iter().map(|(_, x)| x).filter(nested)),
            scalar => drop(scalar),
        }
    }
}

fn nested(v: &Value) -> bool {
    matches!(v, Value::Array(_) | Value::Object(_))
}

/// A node's input, dropped with [`drop_value`] whichever way `process` returns. Dereferences to
/// the value; [`NodeInput::into_inner`] hands it on (the VAD node passes its input through).
#[derive(Debug)]
pub struct NodeInput {
    value: Value,
    /// Set once [`NodeInput::audio`] has parsed `samples`: every element is then known to be a
    /// number, so that array is left to serde's drop and only the rest is walked.
    samples_are_numbers: std::cell::Cell<bool>,
}

impl NodeInput {
    /// Wrap the value a node received.
    pub fn new(value: Value) -> Self {
        Self { value, samples_are_numbers: std::cell::Cell::new(false) }
    }

    /// The input parsed as audio of sample type `T` (see [`from_value`]).
    pub fn audio<T: JsonSample>(&self, node: &'static str) -> Result<JsonAudio<T>> {
        let audio = from_value::<T>(node, &self.value)?;
        self.samples_are_numbers.set(true);
        Ok(audio)
    }

    /// The value, for a node that passes its input on; dropping it is then the receiver's job.
    pub(crate) fn into_inner(mut self) -> Value {
        std::mem::take(&mut self.value)
    }
}

impl std::ops::Deref for NodeInput {
    type Target = Value;
    fn deref(&self) -> &Value {
        &self.value
    }
}

impl Drop for NodeInput {
    fn drop(&mut self) {
        let mut value = std::mem::take(&mut self.value);
        if self.samples_are_numbers.get() {
            if let Some(samples) = value.as_object_mut().and_then(|o| o.remove("samples")) {
                // Flat: serde's drop walks it once without recursing, as it did before the
                // guard against deep nesting existed.
                drop(samples);
            }
        }
        drop_value(value);
    }
}

/// Parse a JSON audio object of sample type `T`.
pub fn from_value<T: JsonSample>(node: &'static str, v: &Value) -> Result<JsonAudio<T>> {
    let obj = as_object(node, v)?;
    let format = field_str(node, obj, "format")?;
    if format != T::FORMAT {
        return Err(bad(node, "/format", format!("expected \"{}\", got \"{format}\"", T::FORMAT)));
    }
    let sample_rate = u32::try_from(field_u64(node, obj, "sample_rate")?)
        .map_err(|_| bad(node, "/sample_rate", "does not fit in 32 bits"))?;
    let channels = usize::try_from(field_u64(node, obj, "channels")?)
        .map_err(|_| bad(node, "/channels", "does not fit in usize"))?;
    if channels == 0 {
        return Err(bad(node, "/channels", "must be at least 1"));
    }
    let array = match obj.get("samples") {
        None => return Err(bad(node, "/samples", "missing field")),
        Some(Value::Array(a)) => a,
        Some(other) => return Err(bad(node, "/samples", format!("expected an array, got {}", kind(other)))),
    };
    if array.len() % channels != 0 {
        return Err(bad(node, "/samples", format!("{} samples do not split into {channels} channels", array.len())));
    }
    let mut samples = Vec::new();
    samples
        .try_reserve_exact(array.len())
        .map_err(|_| AudioError::Allocation { name: "samples", bytes: array.len() * std::mem::size_of::<T>() })?;
    for (i, v) in array.iter().enumerate() {
        match T::from_json(v) {
            Some(s) => samples.push(s),
            None => {
                return Err(bad(
                    node,
                    format!("/samples/{i}"),
                    format!("expected a {} sample, got {}", T::FORMAT, describe(v)),
                ))
            }
        }
    }
    // The same message as in the loop, written out again on purpose: a shared closure or a
    // cold helper both cost the loop 4–5 instructions per sample under callgrind.
    if let Some(i) = T::first_out_of_range(&samples) {
        return Err(bad(
            node,
            format!("/samples/{i}"),
            format!("expected a {} sample, got {}", T::FORMAT, describe(&array[i])),
        ));
    }
    Ok(JsonAudio { samples, sample_rate, channels })
}

/// Parse a VAD node's report (`{"type": "vad", "energies", "flags", "speech_ratio"}`).
pub fn vad_from_value(node: &'static str, v: &Value) -> Result<VadResult> {
    let obj = as_object(node, v)?;
    let array = |key: &str| match obj.get(key) {
        Some(Value::Array(a)) => Ok(a),
        Some(other) => Err(bad(node, format!("/{key}"), format!("expected an array, got {}", kind(other)))),
        None => Err(bad(node, format!("/{key}"), "missing field")),
    };
    let energies = array("energies")?
        .iter()
        .enumerate()
        .map(|(i, e)| {
            e.as_f64().map(|x| x as f32).ok_or_else(|| bad(node, format!("/energies/{i}"), "expected a number"))
        })
        .collect::<Result<Vec<f32>>>()?;
    let flags = array("flags")?
        .iter()
        .enumerate()
        .map(|(i, f)| f.as_bool().ok_or_else(|| bad(node, format!("/flags/{i}"), "expected a boolean")))
        .collect::<Result<Vec<bool>>>()?;
    let speech_ratio = obj
        .get("speech_ratio")
        .and_then(Value::as_f64)
        .ok_or_else(|| bad(node, "/speech_ratio", "expected a number"))?;
    Ok(VadResult { energies, flags, speech_ratio })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trip_is_exact_for_every_format() {
        let f = [0.1f32, -1.0, 1.0, 3.4e38];
        assert_eq!(from_value::<f32>("t", &to_value(&f, 44_100, 2).unwrap()).unwrap().samples, f);
        let i = [i16::MIN, 0, i16::MAX];
        assert_eq!(from_value::<i16>("t", &to_value(&i, 16_000, 1).unwrap()).unwrap().samples, i);
    }

    #[test]
    fn malformed_inputs_are_typed_errors_with_paths() {
        let cases = [
            (json!([1, 2]), ""),
            (json!({"format": "f32", "sample_rate": 1, "channels": 1}), "/samples"),
            (json!({"format": "i16", "sample_rate": 1, "channels": 1, "samples": []}), "/format"),
            (json!({"format": "f32", "sample_rate": -5, "channels": 1, "samples": []}), "/sample_rate"),
            (json!({"format": "f32", "sample_rate": 1, "channels": 0, "samples": []}), "/channels"),
            (json!({"format": "f32", "sample_rate": 1, "channels": 2, "samples": [1.0]}), "/samples"),
            (json!({"format": "f32", "sample_rate": 1, "channels": 1, "samples": [1.0, "x"]}), "/samples/1"),
            (json!({"format": "f32", "sample_rate": 1, "channels": 1, "samples": [null]}), "/samples/0"),
        ];
        for (input, path) in cases {
            match from_value::<f32>("node", &input) {
                Err(AudioError::Json { path: p, .. }) => assert_eq!(p, path, "{input}"),
                other => panic!("{input}: {other:?}"),
            }
        }
    }

    #[test]
    fn out_of_range_integers_are_refused() {
        let v = json!({"format": "i16", "sample_rate": 1, "channels": 1, "samples": [40000]});
        assert!(from_value::<i16>("n", &v).is_err());
    }
}
