//! base64 chunk buffering over one stream, stage by stage. Every stage covers the whole stream
//! (all chunks), as the end-to-end time does; the JSON tier's per-chunk steps are grouped by
//! kind (all message creations, all node calls, all hand-offs).

use audiobench_core::direct::b64;
use audiobench_core::fast::processor::AudioProcessor;
use audiobench_core::json::audio;
use audiobench_core::json::calls::ChunkSession;
use audiobench_core::json::{create_node, NodeContext, NodeSpec};
use serde_json::{json, Value};

use super::in_task;
use crate::inputs::Input;
use crate::measure::Profiler;

struct Stream<'a> {
    chunks: Vec<&'a [u8]>,
    owners: &'a [u32],
    ids: Vec<&'a str>,
    capacity: usize,
}

impl Stream<'_> {
    fn id(&self, i: usize) -> &str {
        self.ids[self.owners[i] as usize]
    }
}

pub fn profile(p: &mut Profiler, input: &Input, tier: &str) -> Option<()> {
    let Input::Stream { chunks, chunk_len, owners, call_ids, threads, capacity } = input else { return None };
    if *threads > 1 {
        // Stage timing needs one thread; the two-thread streams are measured by the runner.
        return None;
    }
    let s = Stream {
        chunks: chunks.chunks_exact(*chunk_len).collect(),
        owners,
        ids: call_ids.iter().map(String::as_str).collect(),
        capacity: *capacity,
    };
    let decode = |outs: &mut [Vec<u8>], lens: &mut [usize]| {
        lens.fill(0);
        let mut slices: Vec<&mut [u8]> = outs.iter_mut().map(Vec::as_mut_slice).collect();
        b64::decode_stream_into(&s.chunks, s.owners, &s.ids, &mut slices, lens).expect("decode");
    };
    let buffers = || (vec![vec![0u8; s.capacity]; s.ids.len()], vec![0usize; s.ids.len()]);
    match tier {
        "rust-json" => json_tier(p, &s),
        "rust-fast" => fast_tier(p, &s),
        "rust-direct" => {
            let ((mut oa, mut la), (mut ob, mut lb)) = (buffers(), buffers());
            p.staged(|| decode(&mut oa, &mut la), |c| c.step("decode_stream_into", || decode(&mut ob, &mut lb)));
        }
        "rust-direct-alloc" => {
            p.staged(
                || {
                    let (mut o, mut l) = buffers();
                    decode(&mut o, &mut l);
                    o
                },
                |c| {
                    let (mut o, mut l) = c.step("allocate per-call buffers (zeroed)", buffers);
                    c.step("decode_stream_into", || decode(&mut o, &mut l));
                },
            );
        }
        _ => return None,
    }
    Some(())
}

fn fast_tier(p: &mut Profiler, s: &Stream<'_>) {
    let feed = |proc: &AudioProcessor| {
        for (i, c) in s.chunks.iter().enumerate() {
            proc.add_chunk(s.id(i), c).expect("decode");
        }
    };
    let take = |proc: &AudioProcessor| s.ids.iter().map(|id| proc.take(id).expect("take")).collect::<Vec<_>>();
    p.staged(
        || {
            let proc = AudioProcessor::new(s.capacity);
            feed(&proc);
            take(&proc)
        },
        |c| {
            let proc = c.step("processor creation", || AudioProcessor::new(s.capacity));
            c.step("add_chunk × all chunks (lock, lookup, decode, append)", || feed(&proc));
            let taken = c.step("take × calls", || take(&proc));
            drop(taken);
        },
    );
    p.part(
        "add_chunk × all chunks (lock, lookup, decode, append)",
        "decode alone × all chunks",
        || vec![0u8; 2048],
        |mut scratch| {
            for c in &s.chunks {
                b64::decode_into(c, &mut scratch).expect("decode");
            }
            scratch
        },
    );
}

fn json_tier(p: &mut Profiler, s: &Stream<'_>) {
    let spec = NodeSpec::new("buffer", "AudioChunkBuffer", json!({"capacity_per_call": s.capacity}));
    p.staged(
        || {
            let mut session = ChunkSession::new(s.capacity).expect("session");
            for (i, c) in s.chunks.iter().enumerate() {
                session.add_chunk(s.id(i), c).expect("append");
            }
            s.ids.iter().map(|id| session.take(id).expect("take")).collect::<Vec<_>>()
        },
        |c| {
            // As `ChunkSession`: the node is created in one task, then every message is its
            // own task; per-chunk steps add up into one stage each.
            let spec = spec.clone();
            let mut node = in_task(c, move |mut t| async move {
                let mut node = t.step("session node: creation", || create_node(&spec).expect("node"));
                t.step_async("session node: initialization", node.initialize(&NodeContext::default()))
                    .await
                    .expect("init");
                (t, node)
            });
            for (i, chunk) in s.chunks.iter().enumerate() {
                let message = c.step(
                    "JSON creation: one message per chunk",
                    || json!({"op": "append", "call_id": s.id(i), "data": std::str::from_utf8(chunk).expect("ascii")}),
                );
                let (back, reply) = in_task(c, move |mut t| async move {
                    let reply = t.step_async("node processing: append × chunks", node.process(message)).await;
                    (t, (node, reply))
                });
                node = back;
                c.step("reply parse and drop", || {
                    let reply = reply.expect("append");
                    let appended = reply[0].get("appended").and_then(Value::as_u64);
                    drop(reply);
                    appended
                });
            }
            let mut taken = Vec::new();
            for id in &s.ids {
                let message = c.step("JSON creation: take messages", || json!({"op": "take", "call_id": id}));
                let (back, reply) = in_task(c, move |mut t| async move {
                    let reply =
                        t.step_async("node processing: take × calls (bytes → JSON array)", node.process(message)).await;
                    (t, (node, reply))
                });
                node = back;
                let reply = reply.expect("take");
                let bytes = c.step("output serialization: JSON arrays → caller's bytes", || {
                    audio::from_value::<u8>("caller", &reply[0]).expect("parse").samples
                });
                c.step("drop output Values", || drop(reply));
                taken.push(bytes);
            }
            drop((node, taken));
        },
    );
}
