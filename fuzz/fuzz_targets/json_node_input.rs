//! Arbitrary bytes as the JSON input of a `rust-json` node.
//!
//! The first byte picks the node (and its parameters); the rest is parsed as JSON and, if it
//! parses, given to the node's `process`. The node may return `Ok` or any `Err`; a panic, an
//! abort or a stack overflow is a finding. The chunk buffer is sent the same input twice, so
//! an `append` followed by a `take` of the same call exercises its state too.
#![no_main]

use std::sync::OnceLock;

use audiobench_core::json::{create_node, NodeContext, NodeSpec};
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};
use tokio::runtime::Runtime;

fn runtime() -> &'static Runtime {
    static RT: OnceLock<Runtime> = OnceLock::new();
    RT.get_or_init(|| tokio::runtime::Builder::new_current_thread().build().expect("tokio runtime"))
}

/// Node type and parameters for a selector byte. Every parameter set here is valid; the
/// parameter parsers are covered by the unit tests.
fn spec(selector: u8) -> NodeSpec {
    let (node_type, params) = match selector % 12 {
        0 => ("AudioFormatConverter", json!({"variant": "f32_i16"})),
        1 => ("AudioFormatConverter", json!({"variant": "i16_f32"})),
        2 => ("AudioFormatConverter", json!({"variant": "f32_i32"})),
        3 => ("AudioFormatConverter", json!({"variant": "i16_i32"})),
        4 => ("VoiceActivityDetector", json!({"sample_rate": 44_100, "threshold": 0.02})),
        5 => ("VoiceActivityDetector", json!({"sample_rate": 100, "threshold": 0.0})),
        6 => ("AudioResampler", json!({"preset": "low", "channels": 1})),
        7 => ("AudioResampler", json!({"preset": "medium", "channels": 2})),
        8 => ("AudioResampler", json!({"preset": "high", "channels": 1})),
        9 => ("AudioResampler", json!({"preset": "high", "channels": 3})),
        10 => ("AudioChunkBuffer", json!({"capacity_per_call": 64, "sample_rate": 16_000})),
        _ => ("AudioChunkBuffer", json!({"capacity_per_call": 0})),
    };
    NodeSpec::new("fuzz", node_type, params)
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, json_bytes)) = data.split_first() else { return };
    let Ok(input) = serde_json::from_slice::<Value>(json_bytes) else { return };
    let spec = spec(selector);
    runtime().block_on(async {
        let mut node = create_node(&spec).expect("fixed parameters are valid");
        node.initialize(&NodeContext { node_id: spec.id.clone(), session_id: "fuzz".into() })
            .await
            .expect("fixed parameters initialise");
        let again = (spec.node_type == "AudioChunkBuffer").then(|| input.clone());
        let _ = node.process(input).await;
        if let Some(input) = again {
            let _ = node.process(input).await;
            let _ = node.process(json!({"op": "take", "call_id": "a"})).await;
        }
    });
});
