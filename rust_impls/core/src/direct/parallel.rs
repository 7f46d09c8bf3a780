//! The direct kernels on several threads (`rust-direct-mt`): one call's output frames split
//! into contiguous chunks that the calling thread and a pool of its own (`threads − 1` workers,
//! parked between calls) claim one at a time until none is left. Claiming, rather than one
//! fixed share per thread, keeps a late worker from holding the call up: on a VM an idle vCPU
//! can take a few hundred µs to run again, and meanwhile the caller renders what it has not
//! claimed. A call waits only for chunks already being rendered, and for each worker to look.
//!
//! Every range is rendered by the same single-thread kernel as `rust-direct`
//! ([`Resampler`], the fused [`Pipeline`] stage), so outputs are bit-identical to it; only
//! the split differs. A separate tier: its times are never one of the single-thread ratios.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use rayon::{ThreadPool, ThreadPoolBuilder};

use crate::direct::pipeline::Pipeline;
use crate::direct::resample::{check_range, output_frames, Preset, Resampler, BLOCK_FRAMES};
use crate::direct::vad::{planar_frames, VadParams, VadSummary};
use crate::error::{AudioError, Result};

/// Name prefix of the pool's workers (`audiobench-mt_0`, ...): the runner's thread census
/// counts their CPU as the row's own work, and its placement keeps them off the timing CPU.
pub const THREAD_NAME_PREFIX: &str = "audiobench-mt";

/// Most threads a call may be split across (a bound on the pool a binding can ask for).
pub const MAX_THREADS: usize = 64;

/// The pool a parallel object owns: `threads − 1` workers, none for one thread.
#[derive(Debug)]
struct Pool {
    threads: usize,
    workers: Option<ThreadPool>,
}

impl Pool {
    fn new(threads: usize) -> Result<Self> {
        if threads == 0 || threads > MAX_THREADS {
            return Err(AudioError::InvalidParameter {
                name: "threads",
                reason: format!("must be 1 to {MAX_THREADS}, got {threads}"),
            });
        }
        let workers = if threads == 1 {
            None
        } else {
            let built = ThreadPoolBuilder::new()
                .num_threads(threads - 1)
                .thread_name(|i| format!("{THREAD_NAME_PREFIX}_{i}"))
                .build()
                .map_err(|e| AudioError::Executor(format!("cannot start {} worker thread(s): {e}", threads - 1)))?;
            // Return once every worker runs under its name: whoever looks for the threads next
            // (the runner's census places them on their CPUs) finds them all, named.
            built.broadcast(|_| ());
            Some(built)
        };
        Ok(Self { threads, workers })
    }

    /// Render every part: each thread, with its own entry of `states` (the calling thread the
    /// first, after `lead`), claims parts in order until none is left; returns when all are done.
    fn run<P: Send, S: Send>(
        &self,
        parts: Vec<P>,
        states: &mut [S],
        lead: impl FnOnce(&mut S),
        work: impl Fn(&mut S, P) + Sync,
    ) {
        let slots: Vec<Mutex<Option<P>>> = parts.into_iter().map(|p| Mutex::new(Some(p))).collect();
        let next = AtomicUsize::new(0);
        let drain = |state: &mut S| {
            while let Some(slot) = slots.get(next.fetch_add(1, Ordering::Relaxed)) {
                // Each slot is claimed once (the counter hands every index out once); the lock
                // only moves the part to the thread that claimed it.
                if let Some(part) = slot.lock().unwrap_or_else(|e| e.into_inner()).take() {
                    work(state, part);
                }
            }
        };
        let Some((mine, others)) = states.split_first_mut() else { return };
        let finished = AtomicUsize::new(0);
        match &self.workers {
            Some(pool) => pool.in_place_scope(|s| {
                let (drain, finished) = (&drain, &finished);
                let spawned = others.len();
                for state in others {
                    s.spawn(move |_| {
                        drain(state);
                        finished.fetch_add(1, Ordering::Release);
                    });
                }
                lead(mine);
                drain(mine);
                await_workers(finished, spawned);
            }),
            None => {
                lead(mine);
                drain(mine);
            }
        }
    }
}

/// Longest the calling thread polls for its workers before it leaves the wait to the pool's
/// scope, which sleeps: measured here, a parked rayon worker starts ~30 µs after it is handed a
/// job (p90 ~50 µs) and a caller asleep in the scope wakes as late again after the last job
/// ends, so a poll this long covers a late worker without the second wake-up.
const POLL_WORKERS: std::time::Duration = std::time::Duration::from_micros(500);

/// Wait until `spawned` workers have counted themselves `finished` (each is then at most
/// returning from its job), yielding the CPU between looks so a worker sharing it can run;
/// gives up after [`POLL_WORKERS`], when the scope's own (sleeping) wait takes over.
fn await_workers(finished: &AtomicUsize, spawned: usize) {
    let start = std::time::Instant::now();
    while finished.load(Ordering::Acquire) < spawned && start.elapsed() < POLL_WORKERS {
        std::thread::yield_now();
    }
}

/// Output frames per claimed chunk, at least: one of the resampler's blocks, so a claim costs
/// far less than the chunk's rendering.
const MIN_CHUNK_FRAMES: usize = BLOCK_FRAMES;

/// Chunk boundaries fall on multiples of this many output frames: every chunk then starts a
/// whole block of the resampler, whose same-phase runs share the most tap loads.
const CHUNK_ALIGN: usize = BLOCK_FRAMES;

/// Chunks per thread when the clip is long enough: enough that a late thread's share is taken
/// over in small pieces, few enough that claims stay rare.
const CHUNKS_PER_THREAD: usize = 8;

/// How many chunks `frames` output frames are split into on `threads` threads.
fn chunk_count(frames: usize, threads: usize) -> usize {
    (threads * CHUNKS_PER_THREAD).min(frames / MIN_CHUNK_FRAMES).max(1)
}

/// Output frame ranges `[bounds[i], bounds[i + 1])`, `parts` of them, as equal as whole
/// multiples of `align` frames allow, the first taking the rest (fewer parts than `parts` when
/// there are fewer frames). The first is the largest because it is claimed first, by the
/// calling thread while the workers wake: the call ends on small parts, evenly.
fn bounds(frames: usize, parts: usize, align: usize) -> Vec<usize> {
    let parts = parts.min(frames).max(1);
    // Each bound's distance from the end, rounded down to a whole multiple of `align`.
    let mut b: Vec<usize> = (1..parts).map(|i| frames - (parts - i) * frames / parts / align * align).collect();
    b.insert(0, 0);
    b.push(frames);
    b.dedup();
    b
}

/// One chunk of a planar output: frames `first..end` of every channel, one slice per channel.
struct Columns<'a, T> {
    first: usize,
    end: usize,
    rows: Vec<&'a mut [T]>,
}

/// Split planar `out` (`channels × row` samples) at the frame `bounds` into one
/// [`Columns`] per range; disjoint borrows, so each part can go to its own thread.
fn columns<'a, T>(out: &'a mut [T], row: usize, bounds: &[usize]) -> Vec<Columns<'a, T>> {
    let mut parts: Vec<Columns<'a, T>> =
        bounds.windows(2).map(|w| Columns { first: w[0], end: w[1], rows: Vec::new() }).collect();
    for mut rest in out.chunks_mut(row.max(1)) {
        for (part, w) in parts.iter_mut().zip(bounds.windows(2)) {
            let (mine, tail) = std::mem::take(&mut rest).split_at_mut(w[1] - w[0]);
            part.rows.push(mine);
            rest = tail;
        }
    }
    parts
}

/// Planar `out` for `frames` input frames of `channels` channels, checked and split into the
/// chunks `threads` threads claim.
///
/// Errors: `OutputLength` when `out` is not `channels × output_frames(frames)` long.
fn output_chunks<T>(out: &mut [T], channels: usize, frames: usize, threads: usize) -> Result<Vec<Columns<'_, T>>> {
    let out_frames = output_frames(frames);
    if out.len() != out_frames * channels {
        return Err(AudioError::OutputLength { name: "out", expected: out_frames * channels, actual: out.len() });
    }
    Ok(columns(out, out_frames, &bounds(out_frames, chunk_count(out_frames, threads), CHUNK_ALIGN)))
}

/// [`Resampler`] with each call's output frames split across `threads` threads.
#[derive(Debug)]
pub struct ParallelResampler {
    /// One resampler (its own block scratch) per thread.
    parts: Vec<Resampler>,
    pool: Pool,
}

impl ParallelResampler {
    /// Build the resampler for `channels` channels on `threads` threads (the caller and
    /// `threads − 1` pool workers, started now).
    ///
    /// Errors: `InvalidParameter` for a channel count [`Resampler::new`] refuses or `threads`
    /// outside `1..=MAX_THREADS`; `Executor` when the workers cannot be started.
    pub fn new(preset: Preset, channels: usize, threads: usize) -> Result<Self> {
        let pool = Pool::new(threads)?;
        let parts = (0..threads).map(|_| Resampler::new(preset, channels)).collect::<Result<Vec<_>>>()?;
        Ok(Self { parts, pool })
    }

    /// Threads a call is split across.
    pub fn threads(&self) -> usize {
        self.pool.threads
    }

    /// Channel count this resampler was built for.
    pub fn channels(&self) -> usize {
        self.parts[0].channels()
    }

    /// What [`Resampler::process_into`] does, with the same checks and errors (nothing is
    /// written when one fails), the output frames rendered by all threads at once.
    pub fn process_into(&mut self, input: &[f32], out: &mut [f32]) -> Result<()> {
        let frames = planar_frames("audio", input, self.channels())?;
        check_range("audio", "resampling", input, frames)?;
        let chunks = output_chunks(out, self.channels(), frames, self.pool.threads)?;
        self.pool.run(
            chunks,
            &mut self.parts,
            |_| (),
            |resampler, mut cols| {
                resampler.process_chunks(input, frames, cols.first..cols.end, |block, stride, dst, n| {
                    for (c, row) in cols.rows.iter_mut().enumerate() {
                        row[dst - cols.first..][..n].copy_from_slice(&block[c * stride..][..n]);
                    }
                });
            },
        );
        Ok(())
    }
}

/// [`Pipeline`] with the fused resample → int16 stage split across `threads` threads; the
/// calling thread also runs the VAD stage (a few µs) while the workers start rendering.
#[derive(Debug)]
pub struct ParallelPipeline {
    /// One pipeline (its own resampler scratch) per thread; the calling thread's also runs VAD.
    parts: Vec<Pipeline>,
    pool: Pool,
}

impl ParallelPipeline {
    /// Build the pipeline for `channels` channels on `threads` threads.
    ///
    /// Errors: as [`Pipeline::new`], plus `InvalidParameter` for `threads` outside
    /// `1..=MAX_THREADS` and `Executor` when the workers cannot be started.
    pub fn new(channels: usize, vad: VadParams, threads: usize) -> Result<Self> {
        let pool = Pool::new(threads)?;
        let parts = (0..threads).map(|_| Pipeline::new(channels, vad)).collect::<Result<Vec<_>>>()?;
        Ok(Self { parts, pool })
    }

    /// Threads a call is split across.
    pub fn threads(&self) -> usize {
        self.pool.threads
    }

    /// Channels this pipeline was built for.
    pub fn channels(&self) -> usize {
        self.parts[0].channels()
    }

    /// VAD parameters in use.
    pub fn vad_params(&self) -> VadParams {
        self.parts[0].vad_params()
    }

    /// What [`Pipeline::process_into`] does, with the same checks and errors (nothing is
    /// written when one fails).
    pub fn process_into(&mut self, audio: &[f32], out: &mut [i16], flags: &mut [bool]) -> Result<VadSummary> {
        let frames = planar_frames("audio", audio, self.channels())?;
        let chunks = output_chunks(out, self.channels(), frames, self.pool.threads)?;
        let count = self.vad_params().frame_count(frames);
        if flags.len() != count {
            return Err(AudioError::OutputLength { name: "flags", expected: count, actual: flags.len() });
        }
        check_range("audio", "the pipeline (resampling)", audio, frames)?;
        // The calling thread runs VAD while the workers start on the first chunks.
        let mut summary = None;
        let lead = |pipeline: &mut Pipeline| summary = Some(pipeline.vad_stage(audio, flags));
        self.pool.run(chunks, &mut self.parts, lead, |pipeline, mut cols| {
            pipeline.resample_convert_columns(audio, frames, cols.first..cols.end, &mut cols.rows);
        });
        summary.unwrap_or_else(|| Err(AudioError::Executor("the VAD stage did not run".into())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::direct::resample::resample;

    fn noise(len: usize, seed: u32) -> Vec<f32> {
        let mut s = seed;
        (0..len)
            .map(|_| {
                s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (s >> 8) as f32 / (1u32 << 24) as f32 - 0.5
            })
            .collect()
    }

    #[test]
    fn bounds_cover_every_frame_once() {
        assert_eq!(bounds(10, 3, 1), vec![0, 4, 7, 10]);
        assert_eq!(bounds(1, 4, 1), vec![0, 1]);
        assert_eq!(bounds(0, 2, 1), vec![0]);
        assert_eq!(bounds(10, 3, 4), vec![0, 6, 10]);
        assert_eq!(bounds(3, 2, 4), vec![0, 3]);
        let b = bounds(16_000, 12, 1280);
        assert_eq!(b[..3], [0, 1920, 3200]);
        assert!(b.windows(2).skip(1).all(|w| w[1] - w[0] == 1280), "{b:?}");
        assert_eq!(chunk_count(16_000, 2), 12);
        assert_eq!(chunk_count(160_000, 2), 16);
        assert_eq!(chunk_count(100, 2), 1);
    }

    #[test]
    fn every_thread_count_gives_the_single_thread_output() {
        for (frames, channels) in [(44_100, 2), (441, 1), (3, 3), (0, 2), (100_003, 1)] {
            let input = noise(frames * channels, frames as u32);
            let want = resample(&input, channels, Preset::High).unwrap();
            for threads in [1, 2, 3] {
                let mut r = ParallelResampler::new(Preset::High, channels, threads).unwrap();
                let mut out = vec![f32::NAN; want.len()];
                r.process_into(&input, &mut out).unwrap();
                assert_eq!(out, want, "{frames} frames, {channels} channels, {threads} threads");
            }
        }
    }

    #[test]
    fn the_parallel_pipeline_equals_the_pipeline() {
        let (frames, channels) = (88_200, 2);
        let input = noise(frames * channels, 9);
        let want = Pipeline::new(channels, VadParams::default()).unwrap().process(&input).unwrap();
        for threads in [1, 2, 4] {
            let mut p = ParallelPipeline::new(channels, VadParams::default(), threads).unwrap();
            let mut out = vec![0i16; want.audio.len()];
            let mut flags = vec![false; want.flags.len()];
            let summary = p.process_into(&input, &mut out, &mut flags).unwrap();
            assert_eq!((out.as_slice(), flags.as_slice()), (want.audio.as_slice(), want.flags.as_slice()));
            assert_eq!(summary.speech_ratio(), want.speech_ratio);
        }
    }

    #[test]
    fn bad_calls_are_refused_and_write_nothing() {
        assert!(ParallelResampler::new(Preset::Low, 2, 0).is_err());
        assert!(ParallelResampler::new(Preset::Low, 2, MAX_THREADS + 1).is_err());
        let mut r = ParallelResampler::new(Preset::Low, 2, 2).unwrap();
        let mut input = noise(2 * 4410, 3);
        input[7] = f32::NAN;
        let mut out = vec![1.0f32; 2 * output_frames(4410)];
        assert!(r.process_into(&input, &mut out).is_err());
        assert!(r.process_into(&input[..5], &mut out).is_err());
        assert!(out.iter().all(|&v| v == 1.0));
    }
}
