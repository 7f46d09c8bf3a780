//! The VAD → resample(high) → f32→i16 pipeline, stage by stage.

use audiobench_core::alloc::{copied_vec, zeroed_vec};
use audiobench_core::direct::convert::Conversion;
use audiobench_core::direct::pipeline::Pipeline;
use audiobench_core::direct::resample::{output_frames, Preset, INPUT_RATE};
use audiobench_core::direct::vad::VadParams;
use audiobench_core::fast::nodes::{convert_node, FastResampleNode, FastVadNode};
use audiobench_core::fast::pipeline::FastPipeline;
use audiobench_core::fast::{AudioBuffer, AudioData, FastAudioNode};
use audiobench_core::json::audio;
use audiobench_core::json::calls;
use audiobench_core::json::{create_node, NodeContext, NodeSpec};
use audiobench_core::kernel::Samples;
use serde_json::json;

use super::in_task;
use crate::measure::{Clock, Profiler};

pub fn profile(p: &mut Profiler, x: &[f32], channels: usize, tier: &str) -> Option<()> {
    let params = VadParams::default();
    let frames = x.len() / channels;
    let (out_len, count) = (channels * output_frames(frames), params.frame_count(frames));
    let pipeline = || Pipeline::new(channels, params).expect("pipeline");
    match tier {
        "rust-json" => json_tier(p, x, channels, &params),
        "rust-fast" => {
            let mut a = FastPipeline::new(channels, params).expect("pipeline");
            let mut vad = FastVadNode::new(params).expect("node");
            let mut res = FastResampleNode::new(Preset::High, channels).expect("node");
            let mut conv = convert_node(Conversion::F32I16);
            let data = |v: Vec<f32>| AudioData::new(AudioBuffer::new_f32(v), INPUT_RATE, channels);
            p.staged(
                || {
                    let (out, result) = a.process(data(copied_vec("audio", x).expect("copy"))).expect("pipeline");
                    (Samples::from_buffer(out.buffer), result)
                },
                |c| {
                    let v = c.step("copy input view → Vec", || copied_vec("audio", x).expect("copy"));
                    let d = c.step("wrap Vec → Arc → AudioData", || data(v));
                    let d = c.step("VAD node (passes the buffer on)", || vad.process_audio(d).expect("vad"));
                    let d =
                        c.step("resample node (drops the 44.1 kHz buffer)", || res.process_audio(d).expect("resample"));
                    let d = c
                        .step("convert node (drops the 16 kHz f32 buffer)", || conv.process_audio(d).expect("convert"));
                    let samples = c.step("unwrap Arc → Vec", || Samples::from_buffer(d.buffer));
                    let result = c.step("take VAD result", || vad.take_last());
                    drop((samples, result));
                },
            );
        }
        "rust-direct" => {
            let (mut pa, mut pb) = (pipeline(), pipeline());
            let (mut oa, mut fa) = (vec![0i16; out_len], vec![false; count]);
            let (mut ob, mut fb) = (vec![0i16; out_len], vec![false; count]);
            p.staged(
                || pa.process_into(x, &mut oa, &mut fa).expect("pipeline"),
                |c| {
                    c.step("VAD stage", || pb.vad_stage(x, &mut fb).expect("vad"));
                    c.step("resample → i16 (fused)", || pb.resample_convert_stage(x, &mut ob).expect("resample"));
                },
            );
        }
        "rust-direct-alloc" => {
            let (mut pa, mut pb) = (pipeline(), pipeline());
            p.staged(
                || pa.process(x).expect("pipeline"),
                |c| {
                    let (mut o, mut f) = c.step("allocate outputs (zeroed)", || {
                        (
                            zeroed_vec::<i16>("out", out_len).expect("alloc"),
                            zeroed_vec::<bool>("flags", count).expect("alloc"),
                        )
                    });
                    c.step("VAD stage", || pb.vad_stage(x, &mut f).expect("vad"));
                    c.step("resample → i16 (fused)", || pb.resample_convert_stage(x, &mut o).expect("resample"));
                },
            );
        }
        _ => return None,
    }
    Some(())
}

const NODES: [[&str; 3]; 3] = [
    ["VAD node: creation", "VAD node: initialization", "VAD node: processing"],
    ["resample node: creation", "resample node: initialization", "resample node: processing"],
    ["convert node: creation", "convert node: initialization", "convert node: processing"],
];

fn json_tier(p: &mut Profiler, x: &[f32], channels: usize, params: &VadParams) {
    let specs = vec![
        NodeSpec::new(
            "vad",
            "VoiceActivityDetector",
            json!({"sample_rate": params.sample_rate, "threshold": params.threshold}),
        ),
        NodeSpec::new("resample", "AudioResampler", json!({"preset": "high", "channels": channels})),
        NodeSpec::new("convert", "AudioFormatConverter", json!({"variant": "f32_i16"})),
    ];
    p.staged(
        || calls::pipeline(x, channels, params).expect("json pipeline"),
        |c: &mut Clock| {
            let value = c.step("JSON creation (input Vec → Value)", || {
                audio::to_value(x, params.sample_rate, channels).expect("JSON creation")
            });
            let specs = specs.clone();
            // As `run_chain`: one task runs the chain; outputs[0] feeds the next node.
            let (value, side) = in_task(c, move |mut t| async move {
                let (mut value, mut side) = (value, Vec::new());
                for (spec, names) in specs.iter().zip(NODES) {
                    let mut node = t.step(names[0], || create_node(spec).expect("node"));
                    t.step_async(names[1], node.initialize(&NodeContext::default())).await.expect("init");
                    let mut outputs = t.step_async(names[2], node.process(value)).await.expect("process").into_iter();
                    value = outputs.next().expect("main output");
                    side.extend(outputs);
                }
                (t, (value, side))
            });
            let parsed = c.step("output serialization (Values → caller's audio and flags)", || {
                (
                    audio::from_value::<i16>("caller", &value).expect("parse"),
                    audio::vad_from_value("caller", &side[0]).expect("parse"),
                )
            });
            c.step("drop output Values", || drop((value, side)));
            drop(parsed);
        },
    );
}
