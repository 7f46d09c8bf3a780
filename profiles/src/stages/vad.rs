//! Energy VAD, stage by stage.

use audiobench_core::alloc::{copied_vec, zeroed_vec};
use audiobench_core::direct::resample::INPUT_RATE;
use audiobench_core::direct::vad::{self, VadParams};
use audiobench_core::fast::nodes::FastVadNode;
use audiobench_core::fast::{AudioBuffer, AudioData, FastAudioNode};
use audiobench_core::json::audio;
use audiobench_core::json::calls;
use audiobench_core::json::NodeSpec;
use serde_json::{json, Value};

use super::one_node_task;
use crate::measure::Profiler;

const PROCESS: &str = "processing (parse + work + report Value)";

pub fn profile(p: &mut Profiler, x: &[f32], channels: usize, tier: &str) -> Option<()> {
    let params = VadParams::default();
    let count = params.frame_count(x.len() / channels);
    match tier {
        "rust-json" => json_tier(p, x, channels, &params),
        "rust-fast" => {
            let (mut a, mut b) = (FastVadNode::new(params).expect("node"), FastVadNode::new(params).expect("node"));
            let data = |v: Vec<f32>| AudioData::new(AudioBuffer::new_f32(v), INPUT_RATE, channels);
            p.staged(
                || {
                    drop(a.process_audio(data(copied_vec("audio", x).expect("copy"))).expect("vad"));
                    a.take_last()
                },
                |c| {
                    let v = c.step("copy input view → Vec", || copied_vec("audio", x).expect("copy"));
                    let d = c.step("wrap Vec → Arc → AudioData", || data(v));
                    let passed = c.step("process_audio (VAD into node buffers)", || b.process_audio(d).expect("vad"));
                    c.step("drop passed-through buffer", || drop(passed));
                    let result = c.step("take result", || b.take_last());
                    drop(result);
                },
            );
        }
        "rust-direct" => {
            let (mut e1, mut f1) = (vec![0f32; count], vec![false; count]);
            let (mut e2, mut f2) = (vec![0f32; count], vec![false; count]);
            p.staged(
                || vad::vad_into(x, channels, &params, &mut e1, &mut f1).expect("vad"),
                |c| {
                    c.step("kernel into preallocated outputs", || {
                        vad::vad_into(x, channels, &params, &mut e2, &mut f2).expect("vad")
                    });
                },
            );
        }
        "rust-direct-alloc" => {
            p.staged(
                || vad::vad(x, channels, &params).expect("vad"),
                |c| {
                    let (mut e, mut f) = c.step("allocate outputs (zeroed)", || {
                        (
                            zeroed_vec::<f32>("energies", count).expect("alloc"),
                            zeroed_vec::<bool>("flags", count).expect("alloc"),
                        )
                    });
                    c.step("kernel", || vad::vad_into(x, channels, &params, &mut e, &mut f).expect("vad"));
                },
            );
        }
        _ => return None,
    }
    Some(())
}

fn report_value(r: &vad::VadResult) -> Value {
    json!({
        "type": "vad",
        "energies": r.energies.iter().map(|&e| Value::from(e as f64)).collect::<Vec<_>>(),
        "flags": r.flags,
        "speech_ratio": r.speech_ratio,
    })
}

fn json_tier(p: &mut Profiler, x: &[f32], channels: usize, params: &VadParams) {
    let spec = NodeSpec::new(
        "vad",
        "VoiceActivityDetector",
        json!({"sample_rate": params.sample_rate, "threshold": params.threshold}),
    );
    let input = || audio::to_value(x, params.sample_rate, channels).expect("JSON creation");
    p.staged(
        || calls::vad(x, channels, params).expect("json vad"),
        |c| {
            let value = c.step("JSON creation (input Vec → Value)", input);
            let out = one_node_task(c, spec.clone(), "initialization", PROCESS, value);
            let result = c.step("output serialization (report Value → caller's arrays)", || {
                audio::vad_from_value("caller", &out[1]).expect("parse")
            });
            c.step("drop output Values (passed-through audio + report)", || drop(out));
            drop(result);
        },
    );
    p.part(PROCESS, "parse input Value → Vec", input, |v| {
        let parsed = audio::from_value::<f32>("node", &v).expect("parse");
        (v, parsed)
    });
    p.part(PROCESS, "work (allocating VAD)", || (), |_| vad::vad(x, channels, params).expect("vad"));
    p.part(
        PROCESS,
        "report Value (energies, flags → Value)",
        || vad::vad(x, channels, params).expect("vad"),
        |r| (report_value(&r), r),
    );
}
