//! Resampling, stage by stage.

use audiobench_core::alloc::{copied_vec, zeroed_vec};
use audiobench_core::direct::resample::{output_frames, Preset, Resampler, INPUT_RATE, OUTPUT_RATE};
use audiobench_core::fast::nodes::FastResampleNode;
use audiobench_core::fast::{AudioBuffer, AudioData, FastAudioNode};
use audiobench_core::json::audio;
use audiobench_core::json::calls;
use audiobench_core::json::NodeSpec;
use audiobench_core::kernel::Samples;
use serde_json::json;

use super::one_node_task;
use crate::measure::Profiler;

const PROCESS: &str = "processing (parse + work + output Value)";

pub fn profile(p: &mut Profiler, variant: &str, x: &[f32], channels: usize, tier: &str) -> Option<()> {
    let preset = Preset::parse(variant).ok()?;
    let out_len = channels * output_frames(x.len() / channels);
    let resampler = || Resampler::new(preset, channels).expect("resampler");
    match tier {
        "rust-json" => json_tier(p, preset, x, channels),
        "rust-fast" => {
            let node = || FastResampleNode::new(preset, channels).expect("node");
            let (mut a, mut b) = (node(), node());
            let data = |v: Vec<f32>| AudioData::new(AudioBuffer::new_f32(v), INPUT_RATE, channels);
            p.staged(
                || {
                    Samples::from_buffer(
                        a.process_audio(data(copied_vec("audio", x).expect("copy"))).expect("resample").buffer,
                    )
                },
                |c| {
                    let v = c.step("copy input view → Vec", || copied_vec("audio", x).expect("copy"));
                    let d = c.step("wrap Vec → Arc → AudioData", || data(v));
                    let out =
                        c.step("process_audio (drops the input buffer)", || b.process_audio(d).expect("resample"));
                    let samples = c.step("unwrap Arc → Vec", || Samples::from_buffer(out.buffer));
                    drop(samples);
                },
            );
            let mut r = resampler();
            p.part(
                "process_audio (drops the input buffer)",
                "work (allocating resample)",
                || (),
                |_| r.process(x).expect("resample"),
            );
        }
        "rust-direct" => {
            let (mut ra, mut rb) = (resampler(), resampler());
            let (mut oa, mut ob) = (vec![0f32; out_len], vec![0f32; out_len]);
            p.staged(
                || ra.process_into(x, &mut oa).expect("resample"),
                |c| {
                    c.step("resample into preallocated output", || rb.process_into(x, &mut ob).expect("resample"));
                },
            );
        }
        "rust-direct-alloc" => {
            // The one-shot wrapper builds its resampler on every call.
            p.staged(
                || audiobench_core::direct::resample::resample(x, channels, preset).expect("resample"),
                |c| {
                    let mut r = c.step("build resampler (filters, FFT plans, scratch)", resampler);
                    let mut out =
                        c.step("allocate output (zeroed)", || zeroed_vec::<f32>("out", out_len).expect("alloc"));
                    c.step("resample", || r.process_into(x, &mut out).expect("resample"));
                },
            );
        }
        _ => return None,
    }
    Some(())
}

fn json_tier(p: &mut Profiler, preset: Preset, x: &[f32], channels: usize) {
    let spec = NodeSpec::new("resample", "AudioResampler", json!({"preset": preset.name(), "channels": channels}));
    let input = || audio::to_value(x, INPUT_RATE, channels).expect("JSON creation");
    p.staged(
        || calls::resample(x, channels, preset).expect("json resample"),
        |c| {
            let value = c.step("JSON creation (input Vec → Value)", input);
            let out = one_node_task(c, spec.clone(), "initialization (builds the resampler)", PROCESS, value);
            let samples = c.step("output serialization (Value → caller's Vec)", || {
                audio::from_value::<f32>("caller", &out[0]).expect("parse")
            });
            c.step("drop output Value", || drop(out));
            drop(samples);
        },
    );
    let mut r = Resampler::new(preset, channels).expect("resampler");
    let resampled = r.process(x).expect("resample");
    p.part(PROCESS, "parse input Value → Vec", input, |v| {
        let parsed = audio::from_value::<f32>("node", &v).expect("parse");
        (v, parsed)
    });
    p.part(PROCESS, "work (allocating resample)", || (), |_| r.process(x).expect("resample"));
    p.part(
        PROCESS,
        "output Value (Vec → Value)",
        || (),
        |_| audio::to_value(&resampled, OUTPUT_RATE, channels).expect("JSON creation"),
    );
    p.part(PROCESS, "drop input Value", input, drop);
}
