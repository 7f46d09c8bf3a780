//! Stage definitions: what each tier does for each operation, split into the steps that can
//! each run on their own.

mod b64;
mod kernel;
mod pipeline;
mod resample;
mod vad;

use std::future::Future;
use std::time::Instant;

use audiobench_core::json::executor::runtime;
use audiobench_core::json::{create_node, NodeContext, NodeSpec};
use serde_json::Value;

use crate::callgrind;
use crate::counting::Counts;
use crate::inputs::{Case, Input};
use crate::measure::{Clock, Profiler};

thread_local! {
    static INLINE_RUNTIME: tokio::runtime::Runtime =
        tokio::runtime::Builder::new_current_thread().build().expect("current-thread runtime");
}

/// Time from `spawn` until the task's first instruction runs on a worker thread.
pub const HANDOFF_IN: &str = "executor: hand-off in (spawn → task starts)";
/// Time from the task's last instruction until the caller's `block_on` returns.
pub const HANDOFF_OUT: &str = "executor: hand-off out (task ends → caller resumes)";

/// The tiers this profiler knows; `rust-direct-alloc` is the direct tier's allocating wrapper.
pub const TIERS: [&str; 4] = ["rust-json", "rust-fast", "rust-direct", "rust-direct-alloc"];

/// Run part of a JSON-tier call as one executor task, exactly as `run_chain` does, with the
/// task's own stages timed on the worker thread (through a child clock) and the two hand-offs
/// timed from timestamps taken on both sides: spawn → task start, task end → caller resumes.
pub fn in_task<T, F>(c: &mut Clock, make: impl FnOnce(Clock) -> F) -> T
where
    F: Future<Output = (Clock, T)> + Send + 'static,
    T: Send + 'static,
{
    if crate::measure::inline_tasks() {
        // Instruction mode: the same node code, on this thread, on a current-thread runtime,
        // so the process stays single-threaded and its allocation sequence (hence every
        // malloc path callgrind counts) is the same from run to run. Hand-offs are not counted.
        let (child, out) = INLINE_RUNTIME.with(|rt| rt.block_on(make(c.child())));
        c.merge(child);
        return out;
    }
    let rt = runtime().expect("tokio runtime");
    let fut = make(c.child());
    let (collect_in, collect_out) = (c.collects(HANDOFF_IN), c.collects(HANDOFF_OUT));
    // Allocations are counted on the caller's thread (spawning allocates the task there);
    // what the executor does on its worker threads shows only in the end-to-end count.
    let before = Counts::this_thread();
    if collect_in {
        callgrind::toggle_collect();
    }
    let spawned = Instant::now();
    let handle = rt.spawn(async move {
        let started = Instant::now();
        if collect_in {
            callgrind::toggle_collect();
        }
        let (clock, out) = fut.await;
        if collect_out {
            callgrind::toggle_collect();
        }
        (clock, out, started, Instant::now())
    });
    let spawn_counts = Counts::this_thread().since(before);
    let (child, out, started, ended) = rt.block_on(handle).expect("join");
    let resumed = Instant::now();
    if collect_out {
        callgrind::toggle_collect();
    }
    let join_counts = Counts::this_thread().since(before).since(spawn_counts);
    c.record(HANDOFF_IN, (started - spawned).as_nanos() as f64, spawn_counts);
    c.merge(child);
    c.record(HANDOFF_OUT, (resumed - ended).as_nanos() as f64, join_counts);
    out
}

/// A one-node JSON-tier call's task, stage by stage, as `run_chain` runs it: node creation,
/// initialisation (named by the caller: some nodes do real work there) and processing.
pub fn one_node_task(
    c: &mut Clock,
    spec: NodeSpec,
    init: &'static str,
    process: &'static str,
    input: Value,
) -> Vec<Value> {
    in_task(c, move |mut t| async move {
        let mut node = t.step("node creation", || create_node(&spec).expect("node"));
        t.step_async(init, node.initialize(&NodeContext::default())).await.expect("init");
        let out = t.step_async(process, node.process(input)).await.expect("process");
        (t, out)
    })
}

/// Profile `tier` on `case`; `None` when this tier has no such case (e.g. a direct
/// allocating wrapper that does not exist for streams).
pub fn profile(p: &mut Profiler, case: &Case, tier: &str) -> Option<()> {
    match (case.op.as_str(), &case.input) {
        (op, input) if kernel::handles(op) => kernel::profile(p, op, &case.variant, &case.params, input, tier),
        ("vad", Input::Audio { samples, channels }) => vad::profile(p, samples, *channels, tier),
        ("resample", Input::Audio { samples, channels }) => {
            resample::profile(p, &case.variant, samples, *channels, tier)
        }
        ("pipeline", Input::Audio { samples, channels }) => pipeline::profile(p, samples, *channels, tier),
        ("b64_buffer", Input::Stream { .. }) => b64::profile(p, &case.input, tier),
        _ => None,
    }
}
