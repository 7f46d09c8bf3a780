//! Sample-format conversion, stage by stage. This is the study's profiled case (1M f32→i16).

use audiobench_core::alloc::copied_vec;
use std::sync::Arc;

use audiobench_core::alloc::zeroed_vec;
use audiobench_core::direct::convert::{self, Conversion};
use audiobench_core::fast::nodes::FastConvertNode;
use audiobench_core::fast::{AudioBuffer, AudioData, FastAudioNode};
use audiobench_core::json::audio::{self, JsonSample};
use audiobench_core::json::calls::{self, Samples};
use audiobench_core::json::NodeSpec;
use audiobench_core::Result;
use bytemuck::Zeroable;
use serde_json::json;

use super::one_node_task;
use crate::inputs::Input;
use crate::measure::Profiler;

const PROCESS: &str = "processing (parse + work + output Value)";

/// The functions one conversion is made of, for input type `T` and output type `U`.
struct Kernels<T, U> {
    conv: Conversion,
    alloc: fn(&[T]) -> Result<Vec<U>>,
    into: fn(&[T], &mut [U]) -> Result<()>,
    wrap: fn(Vec<T>) -> AudioBuffer,
    json: fn(&[T], Conversion) -> Result<Samples>,
}

pub fn profile(p: &mut Profiler, variant: &str, input: &Input, tier: &str) -> Option<()> {
    let conv = Conversion::parse(variant).ok()?;
    let f32_in: fn(Vec<f32>) -> AudioBuffer = AudioBuffer::new_f32;
    let i16_in: fn(Vec<i16>) -> AudioBuffer = AudioBuffer::new_i16;
    match (conv, input) {
        (Conversion::F32I16, Input::F32(x)) => tier_of(
            p,
            tier,
            x,
            &Kernels {
                conv,
                alloc: convert::f32_to_i16,
                into: convert::f32_to_i16_into,
                wrap: f32_in,
                json: calls::convert_f32,
            },
        ),
        (Conversion::F32I32, Input::F32(x)) => tier_of(
            p,
            tier,
            x,
            &Kernels {
                conv,
                alloc: convert::f32_to_i32,
                into: convert::f32_to_i32_into,
                wrap: f32_in,
                json: calls::convert_f32,
            },
        ),
        (Conversion::I16F32, Input::I16(x)) => tier_of(
            p,
            tier,
            x,
            &Kernels {
                conv,
                alloc: convert::i16_to_f32,
                into: convert::i16_to_f32_into,
                wrap: i16_in,
                json: calls::convert_i16,
            },
        ),
        (Conversion::I16I32, Input::I16(x)) => tier_of(
            p,
            tier,
            x,
            &Kernels {
                conv,
                alloc: convert::i16_to_i32,
                into: convert::i16_to_i32_into,
                wrap: i16_in,
                json: calls::convert_i16,
            },
        ),
        _ => None,
    }
}

fn tier_of<T, U>(p: &mut Profiler, tier: &str, x: &[T], k: &Kernels<T, U>) -> Option<()>
where
    T: JsonSample + Clone,
    U: JsonSample + Zeroable + Copy,
{
    match tier {
        "rust-json" => json_tier(p, x, k),
        "rust-fast" => fast_tier(p, x, k),
        "rust-direct" => {
            let (mut a, mut b) = (vec![U::zeroed(); x.len()], vec![U::zeroed(); x.len()]);
            p.staged(
                || (k.into)(x, &mut a).expect("kernel"),
                |c| {
                    c.step("kernel into preallocated output", || (k.into)(x, &mut b).expect("kernel"));
                },
            );
        }
        "rust-direct-alloc" => {
            p.staged(
                || (k.alloc)(x).expect("kernel"),
                |c| {
                    let mut out =
                        c.step("allocate output (zeroed)", || zeroed_vec::<U>("out", x.len()).expect("alloc"));
                    c.step("kernel", || (k.into)(x, &mut out).expect("kernel"));
                },
            );
        }
        _ => return None,
    }
    Some(())
}

fn json_tier<T: JsonSample, U: JsonSample>(p: &mut Profiler, x: &[T], k: &Kernels<T, U>) {
    let spec = NodeSpec::new("convert", "AudioFormatConverter", json!({"variant": k.conv.name()}));
    p.staged(
        || (k.json)(x, k.conv).expect("json call"),
        |c| {
            let value =
                c.step("JSON creation (input Vec → Value)", || audio::to_value(x, 0, 1).expect("JSON creation"));
            let out = one_node_task(c, spec.clone(), "initialization", PROCESS, value);
            let samples = c.step("output serialization (Value → caller's Vec)", || {
                audio::from_value::<U>("caller", &out[0]).expect("parse")
            });
            c.step("drop output Value", || drop(out));
            drop(samples);
        },
    );
    p.part(
        PROCESS,
        "parse input Value → Vec",
        || audio::to_value(x, 0, 1).expect("JSON creation"),
        |v| {
            let parsed = audio::from_value::<T>("node", &v).expect("parse");
            (v, parsed)
        },
    );
    p.part(PROCESS, "work (allocating kernel)", || (), |_| (k.alloc)(x).expect("kernel"));
    p.part(
        PROCESS,
        "output Value (Vec → Value)",
        || (k.alloc)(x).expect("kernel"),
        |v| (audio::to_value(&v, 0, 1).expect("JSON creation"), v),
    );
    p.part(PROCESS, "drop input Value", || audio::to_value(x, 0, 1).expect("JSON creation"), drop);
}

fn fast_tier<T: Copy, U>(p: &mut Profiler, x: &[T], k: &Kernels<T, U>) {
    // Two equal nodes: the real call and the staged one each own one.
    let (mut a, mut b) = (FastConvertNode::new(k.conv), FastConvertNode::new(k.conv));
    let data = |v: Vec<T>| AudioData::new((k.wrap)(v), 0, 1);
    p.staged(
        || unwrap(a.process_audio(data(copied_vec("audio", x).expect("copy"))).expect("process").buffer),
        |c| {
            let v = c.step("copy input view → Vec", || copied_vec("audio", x).expect("copy"));
            let d = c.step("wrap Vec → Arc → AudioData", || data(v));
            let out = c.step("process_audio (drops the input buffer)", || b.process_audio(d).expect("process"));
            let samples = c.step("unwrap Arc → Vec", || unwrap(out.buffer));
            drop(samples);
        },
    );
    p.part(
        "process_audio (drops the input buffer)",
        "work (allocating kernel)",
        || (),
        |_| (k.alloc)(x).expect("kernel"),
    );
    p.part(
        "process_audio (drops the input buffer)",
        "drop input buffer",
        || data(copied_vec("audio", x).expect("copy")),
        drop,
    );
}

/// Take the samples out of a node's output as the binding does (`Arc::try_unwrap`, copying
/// only if the buffer is shared).
pub fn unwrap(buffer: AudioBuffer) -> Samples {
    match buffer {
        AudioBuffer::F32(a) => Samples::F32(Arc::try_unwrap(a).unwrap_or_else(|a| (*a).clone())),
        AudioBuffer::I16(a) => Samples::I16(Arc::try_unwrap(a).unwrap_or_else(|a| (*a).clone())),
        AudioBuffer::I32(a) => Samples::I32(Arc::try_unwrap(a).unwrap_or_else(|a| (*a).clone())),
    }
}
