//! The async executor the JSON tier runs on.
//!
//! A process-wide tokio multi-thread runtime; each execution is spawned as a task and the
//! caller blocks on its `JoinHandle`, as a pipeline engine hands work to its runtime. The
//! task creates, initialises and runs the nodes, so node creation, initialisation and the
//! executor hand-off are all part of every JSON-tier call, as they were in the study.
//!
//! The runtime is built on the first JSON-tier call and lives until the process exits; its
//! threads are the only ones any tier leaves behind. Between calls its worker is parked (no
//! CPU time: the runner's thread census checks this in every run), so it cannot slow the rows
//! measured beside it.

use std::sync::OnceLock;

use serde_json::Value;
use tokio::runtime::Runtime;

use crate::error::{AudioError, Result};
use crate::json::{create_node, NodeContext, NodeExecutor, NodeSpec};

/// Worker threads of the shared runtime: one, chosen rather than defaulted to the vCPU count.
///
/// Every JSON-tier call blocks its caller until its one task is done, and the chunk-buffer
/// session serialises its messages behind a mutex, so at most one task is ever runnable: a
/// second worker has nothing to run and only wakes to search for work. On a 2-vCPU VM a
/// runtime with one worker per vCPU slowed every other row of the same process by up to 55 %
/// (the same rows alone, or beside a one-worker runtime, were unchanged). The executor
/// hand-off the study paid is still in every call: spawn on a worker, block on the handle.
pub const WORKER_THREADS: usize = 1;

/// Name of the runtime's worker threads, as the runner's thread census shows them.
pub const THREAD_NAME: &str = "audiobench-json";

static RUNTIME: OnceLock<std::result::Result<Runtime, String>> = OnceLock::new();

/// The shared runtime, built on first use.
pub fn runtime() -> Result<&'static Runtime> {
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(WORKER_THREADS)
                .thread_name(THREAD_NAME)
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| AudioError::Executor(format!("cannot start the tokio runtime: {e}")))
}

fn join<T: Send + 'static>(task: impl std::future::Future<Output = T> + Send + 'static) -> Result<T> {
    let rt = runtime()?;
    let handle = rt.spawn(task);
    rt.block_on(handle).map_err(|e| AudioError::Executor(format!("node task failed: {e}")))
}

/// Result of running a chain of nodes.
#[derive(Clone, Debug)]
pub struct ChainOutput {
    /// `outputs[0]` of the last node.
    pub output: Value,
    /// Every other output, tagged with the id of the node that produced it.
    pub side_outputs: Vec<(String, Value)>,
}

/// Create, initialise and run `specs` in order as one executor task: each node's
/// `outputs[0]` feeds the next node; the remaining outputs are collected.
pub fn run_chain(specs: Vec<NodeSpec>, input: Value) -> Result<ChainOutput> {
    join(async move {
        let mut value = input;
        let mut side_outputs = Vec::new();
        for spec in &specs {
            let mut node = create_node(spec)?;
            let ctx = NodeContext { node_id: spec.id.clone(), session_id: String::new() };
            node.initialize(&ctx).await?;
            let mut outputs = node.process(value).await?.into_iter();
            value = outputs.next().ok_or_else(|| AudioError::Json {
                node: node.node_type(),
                path: String::new(),
                reason: "node produced no output".into(),
            })?;
            side_outputs.extend(outputs.map(|v| (spec.id.clone(), v)));
        }
        Ok(ChainOutput { output: value, side_outputs })
    })?
}

/// Create and initialise a long-lived node (a stateful session such as the chunk buffer).
pub fn start_node(spec: NodeSpec) -> Result<Box<dyn NodeExecutor>> {
    join(async move {
        let mut node = create_node(&spec)?;
        let ctx = NodeContext { node_id: spec.id.clone(), session_id: spec.id.clone() };
        node.initialize(&ctx).await?;
        Ok(node)
    })?
}

/// A long-lived node handed back by [`run_node`] together with what it produced.
pub type NodeRun = (Box<dyn NodeExecutor>, Result<Vec<Value>>);

/// Run one input through a long-lived node as an executor task; the node comes back with the
/// result so the caller can keep its state. The outer error is the executor's, the inner one
/// the node's.
pub fn run_node(mut node: Box<dyn NodeExecutor>, input: Value) -> Result<NodeRun> {
    join(async move {
        let result = node.process(input).await;
        (node, result)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::audio;
    use serde_json::json;

    #[test]
    fn chain_forwards_first_output_and_collects_the_rest() {
        let frames = 1323 * 4;
        let samples: Vec<f32> = (0..frames * 2).map(|i| ((i as f32) * 0.05).sin() * 0.5).collect();
        let specs = vec![
            NodeSpec::new("vad", "VoiceActivityDetector", json!({"threshold": 0.01})),
            NodeSpec::new("resample", "AudioResampler", json!({"preset": "high", "channels": 2})),
            NodeSpec::new("convert", "AudioFormatConverter", json!({"variant": "f32_i16"})),
        ];
        let out = run_chain(specs, audio::to_value(&samples, 44_100, 2).unwrap()).unwrap();
        let pcm = audio::from_value::<i16>("test", &out.output).unwrap();
        assert_eq!(pcm.channels, 2);
        assert_eq!(pcm.samples.len(), 2 * crate::direct::resample::output_frames(frames));
        assert_eq!(out.side_outputs.len(), 1);
        assert_eq!(out.side_outputs[0].0, "vad");
        assert_eq!(out.side_outputs[0].1["flags"].as_array().unwrap().len(), 4);
    }

    #[test]
    fn errors_travel_back_through_the_executor() {
        let err = run_chain(vec![NodeSpec::new("x", "NoSuchNode", Value::Null)], json!({})).unwrap_err();
        assert!(matches!(err, AudioError::UnknownNode(_)));
        let err = run_chain(vec![NodeSpec::new("c", "AudioFormatConverter", Value::Null)], json!("nope")).unwrap_err();
        assert!(err.to_string().contains("expected an object"), "{err}");
    }

    #[test]
    fn session_node_keeps_state_between_runs() {
        let node = start_node(NodeSpec::new("buf", "AudioChunkBuffer", json!({"capacity_per_call": 64}))).unwrap();
        let (node, r) = run_node(node, json!({"op": "append", "call_id": "a", "data": "aGVsbG8="})).unwrap();
        assert_eq!(r.unwrap()[0]["appended"], 5);
        let (node, r) = run_node(node, json!({"op": "take", "call_id": "a"})).unwrap();
        let bytes = audio::from_value::<u8>("t", &r.unwrap()[0]).unwrap().samples;
        assert_eq!(bytes, b"hello");
        let (_, r) = run_node(node, json!({"op": "take", "call_id": "a"})).unwrap();
        assert!(matches!(r, Err(AudioError::UnknownCall { .. })));
    }

    #[test]
    fn process_before_initialize_is_refused() {
        let mut node = create_node(&NodeSpec::new("c", "AudioFormatConverter", Value::Null)).unwrap();
        let rt = runtime().unwrap();
        let err = rt.block_on(node.process(json!({}))).unwrap_err();
        assert!(matches!(err, AudioError::NotInitialized { .. }));
    }
}
