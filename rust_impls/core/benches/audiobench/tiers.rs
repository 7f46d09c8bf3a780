//! The measured bodies: each Rust tier of each operation, and the limit probes.

use std::hint::black_box;
use std::sync::{Arc, Mutex};

use criterion::{BenchmarkGroup, BenchmarkId, Criterion, Throughput};
use rayon::{ThreadPool, ThreadPoolBuilder};

use audiobench_core::direct::pipeline::Pipeline;
use audiobench_core::direct::resample::{output_frames, Preset, Resampler, INPUT_RATE};
use audiobench_core::direct::{b64, vad};
use audiobench_core::fast::nodes::{FastResampleNode, FastVadNode};
use audiobench_core::fast::pipeline::FastPipeline;
use audiobench_core::fast::processor::AudioProcessor;
use audiobench_core::fast::{AudioBuffer, AudioData, FastAudioNode};
use audiobench_core::json::calls::{self, ChunkSession};
use audiobench_core::json::kernel_node as kernel_json;
use audiobench_core::kernel::fast::FastKernelNode;
use audiobench_core::kernel::{registry, Samples, SliceRef};
use audiobench_core::limit;

use crate::inputs::{Case, Input};
use crate::Record;

type Group<'a> = BenchmarkGroup<'a, criterion::measurement::WallTime>;

struct Ctx<'c, 'g> {
    group: Group<'g>,
    case: &'c Case,
    records: &'c mut Vec<Record>,
}

impl Ctx<'_, '_> {
    fn bench(&mut self, tier: &str, mut body: impl FnMut()) {
        self.group.bench_function(BenchmarkId::new(tier, &self.case.size), |b| b.iter(&mut body));
        self.records.push(Record {
            group: format!("{}/{}", self.case.op, self.case.variant),
            function: tier.to_owned(),
            parameter: self.case.size.clone(),
            checksum: self.case.checksum.clone(),
            elements: self.case.elements(),
        });
    }

    fn limits(&mut self) {
        let src = self.case.bytes.clone();
        let mut dst = vec![0u8; src.len()];
        self.bench("limit:memcpy", || limit::memcpy(black_box(&src), &mut dst).expect("same length"));
        self.bench("limit:read", || {
            black_box(limit::read(black_box(&src)));
        });
        if let Some(written) = self.case.written {
            let mut out = vec![0u8; written];
            self.bench("limit:read-write", || {
                black_box(limit::read_write(black_box(&src), &mut out));
            });
        }
    }
}

pub fn bench_case(c: &mut Criterion, case: &Case, records: &mut Vec<Record>) {
    let mut group = c.benchmark_group(format!("{}/{}", case.op, case.variant));
    group.throughput(Throughput::Elements(case.elements()));
    // The JSON tier's base64 session takes ~0.2 s a pass; fewer samples keep it bounded.
    if case.op == "b64_buffer" {
        group.sample_size(10);
    }
    let mut ctx = Ctx { group, case, records };
    match (case.op.as_str(), &case.input) {
        ("resample", Input::Audio { samples, channels }) => resample(&mut ctx, samples, *channels),
        ("vad", Input::Audio { samples, channels }) => vad_case(&mut ctx, samples, *channels),
        ("pipeline", Input::Audio { samples, channels }) => pipeline(&mut ctx, samples, *channels),
        (op, Input::F32(x)) if registry::entry(op).is_ok() => kernel(&mut ctx, SliceRef::F32(x)),
        (op, Input::I16(x)) if registry::entry(op).is_ok() => kernel(&mut ctx, SliceRef::I16(x)),
        ("b64_buffer", Input::Stream { .. }) => stream(&mut ctx),
        (op, _) => {
            // An operation with no Rust tier here (Python only, or a kernel of a shape this
            // bench does not drive) is skipped, not an error: criterion measures what exists.
            eprintln!("criterion: no Rust tier of {op}/{} to bench; skipped", case.variant);
            ctx.group.finish();
            return;
        }
    }
    ctx.limits();
    ctx.group.finish();
}

/// The fast tier's input as its binding builds it from a borrowed numpy view: one copy into an
/// `Arc<Vec>`. Made inside every measured call, as the binding and the native profiler do, so
/// criterion's rust-fast is the same call the runner and the profiler time (sharing one `Arc`
/// across iterations would leave out the copy every caller holding a slice pays).
fn audio(samples: &[f32], channels: usize) -> AudioData {
    AudioData::new(AudioBuffer::new_f32(samples.to_vec()), INPUT_RATE, channels)
}

fn resample(ctx: &mut Ctx<'_, '_>, samples: &[f32], channels: usize) {
    let preset = Preset::parse(&ctx.case.variant).expect("catalogue preset");
    let mut direct = Resampler::new(preset, channels).expect("resampler");
    let mut out = vec![0f32; channels * output_frames(samples.len() / channels)];
    ctx.bench("rust-direct", || direct.process_into(black_box(samples), &mut out).expect("resample"));
    let mut node = FastResampleNode::new(preset, channels).expect("node");
    ctx.bench("rust-fast", || {
        black_box(node.process_audio(audio(black_box(samples), channels)).expect("resample"));
    });
    ctx.bench("rust-json", || {
        black_box(calls::resample(black_box(samples), channels, preset).expect("resample"));
    });
}

fn vad_case(ctx: &mut Ctx<'_, '_>, samples: &[f32], channels: usize) {
    let params = vad::VadParams::default();
    let count = params.frame_count(samples.len() / channels);
    let (mut energies, mut flags) = (vec![0f32; count], vec![false; count]);
    ctx.bench("rust-direct", || {
        black_box(vad::vad_into(black_box(samples), channels, &params, &mut energies, &mut flags).expect("vad"));
    });
    let mut node = FastVadNode::new(params).expect("node");
    ctx.bench("rust-fast", || {
        node.process_audio(audio(black_box(samples), channels)).expect("vad");
        black_box(node.take_last());
    });
    ctx.bench("rust-json", || {
        black_box(calls::vad(black_box(samples), channels, &params).expect("vad"));
    });
}

fn pipeline(ctx: &mut Ctx<'_, '_>, samples: &[f32], channels: usize) {
    let params = vad::VadParams::default();
    let frames = samples.len() / channels;
    let mut direct = Pipeline::new(channels, params).expect("pipeline");
    let mut out = vec![0i16; channels * output_frames(frames)];
    let mut flags = vec![false; params.frame_count(frames)];
    ctx.bench("rust-direct", || {
        black_box(direct.process_into(black_box(samples), &mut out, &mut flags).expect("pipeline"));
    });
    let mut fast = FastPipeline::new(channels, params).expect("pipeline");
    ctx.bench("rust-fast", || {
        black_box(fast.process(audio(black_box(samples), channels)).expect("pipeline"));
    });
    ctx.bench("rust-json", || {
        black_box(calls::pipeline(black_box(samples), channels, &params).expect("pipeline"));
    });
}

/// Every sample kernel of the registry, from the kernel trait alone (`audiobench_core::kernel`).
fn kernel(ctx: &mut Ctx<'_, '_>, x: SliceRef<'_>) {
    let (op, variant, params) = (ctx.case.op.clone(), ctx.case.variant.clone(), ctx.case.params.clone());
    let mut k = registry::build(&op, &variant, &params).expect("catalogue kernel");
    let mut out = Samples::zeroed(k.output_format(), k.output_len(x.len())).expect("alloc");
    ctx.bench("rust-direct", || k.process_into_dyn(black_box(x), out.as_mut()).expect("len"));
    // The fast tier's entry copy of the input is part of every call (see [`audio`]).
    let mut node = FastKernelNode::new(&op, &variant, &params).expect("node");
    ctx.bench("rust-fast", || {
        let copy = Samples::copied(black_box(x)).expect("copy").into_buffer();
        black_box(node.process_audio(AudioData::new(copy, 0, 1)).expect("kernel"));
    });
    ctx.bench("rust-json", || {
        black_box(kernel_json::call(&op, &variant, &params, black_box(x)).expect("kernel"));
    });
}

/// One thread's share of a stream: call `i` goes to part `i % threads`, as in Python.
struct Part<'a> {
    chunks: Vec<&'a [u8]>,
    owners: Vec<u32>,
    call_ids: Vec<&'a str>,
}

fn split<'a>(
    chunks: &'a [u8],
    chunk_len: usize,
    owners: &[u32],
    call_ids: &'a [String],
    threads: usize,
) -> Vec<Part<'a>> {
    (0..threads)
        .map(|p| {
            let mine: Vec<usize> = (0..call_ids.len()).filter(|i| i % threads == p).collect();
            let remap = |o: u32| mine.iter().position(|&m| m == o as usize);
            let mut part = Part {
                chunks: Vec::new(),
                owners: Vec::new(),
                call_ids: mine.iter().map(|&i| call_ids[i].as_str()).collect(),
            };
            for (i, &o) in owners.iter().enumerate() {
                if let Some(new) = remap(o) {
                    part.chunks.push(&chunks[i * chunk_len..(i + 1) * chunk_len]);
                    part.owners.push(new as u32);
                }
            }
            part
        })
        .collect()
}

fn on_threads<'a>(pool: &Option<ThreadPool>, parts: &'a [Part<'a>], feed: impl Fn(&'a Part<'a>) + Sync) {
    match pool {
        None => feed(&parts[0]),
        Some(pool) => pool.scope(|s| {
            for part in parts {
                let feed = &feed;
                s.spawn(move |_| feed(part));
            }
        }),
    }
}

fn stream(ctx: &mut Ctx<'_, '_>) {
    let Input::Stream { chunks, chunk_len, owners, call_ids, threads, capacity } = &ctx.case.input else {
        unreachable!("stream() is only called for stream inputs")
    };
    let parts = split(chunks, *chunk_len, owners, call_ids, *threads);
    // Built once: a run measures task hand-off, not thread start-up (as the Python pool).
    let pool = (*threads > 1).then(|| ThreadPoolBuilder::new().num_threads(*threads).build().expect("thread pool"));

    // rust-direct: each part decodes into its own preallocated per-call buffers.
    type Buffers = (Vec<Vec<u8>>, Vec<usize>);
    let outs: Vec<Mutex<Buffers>> = parts
        .iter()
        .map(|p| Mutex::new((vec![vec![0u8; *capacity]; p.call_ids.len()], vec![0usize; p.call_ids.len()])))
        .collect();
    ctx.bench("rust-direct", || {
        on_threads(&pool, &parts, |part| {
            let index = parts.iter().position(|p| std::ptr::eq(p, part)).expect("own part");
            let mut guard = outs[index].lock().expect("unpoisoned");
            let (bufs, lens) = &mut *guard;
            lens.fill(0);
            let mut slices: Vec<&mut [u8]> = bufs.iter_mut().map(Vec::as_mut_slice).collect();
            b64::decode_stream_into(&part.chunks, &part.owners, &part.call_ids, &mut slices, lens).expect("decode");
        });
    });

    // rust-fast: one shared AudioProcessor per pass, fed per chunk, then every call taken.
    ctx.bench("rust-fast", || {
        let processor = AudioProcessor::new(*capacity);
        on_threads(&pool, &parts, |part| {
            for (chunk, &o) in part.chunks.iter().zip(&part.owners) {
                processor.add_chunk(part.call_ids[o as usize], chunk).expect("decode");
            }
        });
        for id in call_ids {
            black_box(processor.take(id).expect("take"));
        }
    });

    // rust-json: one session node per pass, one JSON message per chunk.
    ctx.bench("rust-json", || {
        let session = Arc::new(Mutex::new(ChunkSession::new(*capacity).expect("node")));
        on_threads(&pool, &parts, |part| {
            for (chunk, &o) in part.chunks.iter().zip(&part.owners) {
                session.lock().expect("unpoisoned").add_chunk(part.call_ids[o as usize], chunk).expect("decode");
            }
        });
        let mut session = session.lock().expect("unpoisoned");
        for id in call_ids {
            black_box(session.take(id).expect("take"));
        }
    });
}
