//! Measuring the stages of one call: time, exact allocation counts and (under callgrind)
//! instructions per stage.
//!
//! A tier's call is written once as a *staged sequence*: the same steps the real call performs,
//! in the same order and on the same data, each wrapped in [`Clock::step`]. Running that
//! sequence many times times every stage on its own, in the allocation and cache state the real
//! call leaves for it (stages timed in isolation were found to differ from the call by 30 % and
//! more, because a freshly mapped 32 MB JSON tree costs page faults that a warm heap does not).
//! The unstaged call is timed alongside, alternating with the staged runs, so the sum of the
//! stages can be checked against it. Parts of a stage that cannot be separated inside the real
//! call (the work inside a node's `process`) are measured alone with [`Profiler::part`] and
//! shown beneath their stage, not added to the sum.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::callgrind;
use crate::counting::Counts;

/// Set in instruction mode: executor tasks then run on the calling thread (see
/// `stages::in_task`), because callgrind is read for the main thread only and worker threads
/// spinning between tasks would otherwise leak scheduling-dependent counts into every stage.
pub static INLINE_TASKS: AtomicBool = AtomicBool::new(false);

/// True in instruction mode (see [`INLINE_TASKS`]).
pub fn inline_tasks() -> bool {
    INLINE_TASKS.load(Ordering::Relaxed)
}

/// What the profiler measures in this process.
#[derive(Clone, Copy, Debug)]
pub enum Mode {
    /// Wall time (as many staged runs as fit in `budget`, at least `min_runs`) and allocations;
    /// with `stages` false only the end-to-end call is timed (the PyO3 side's native reference).
    Timing { budget: Duration, min_runs: usize, max_runs: usize, stages: bool },
    /// Instructions under callgrind: per stage, `iterations` staged runs collecting only inside
    /// that stage, then one dump.
    Instructions { iterations: usize },
}

/// Results of one stage.
#[derive(Debug, Default)]
pub struct Record {
    pub name: String,
    pub parent: Option<String>,
    pub kind: &'static str,
    pub samples_ns: Vec<f64>,
    pub batch: usize,
    pub counts: Option<Counts>,
    pub counts_repeat: bool,
    pub dump_label: Option<String>,
    pub iterations: usize,
}

impl Record {
    fn new(name: &str, parent: Option<&str>, kind: &'static str) -> Self {
        Self { name: name.to_owned(), parent: parent.map(str::to_owned), kind, batch: 1, ..Default::default() }
    }

    pub fn to_json(&self) -> Value {
        json!({
            "name": self.name,
            "parent": self.parent,
            "kind": self.kind,
            "samples_ns": self.samples_ns,
            "batch": self.batch,
            "allocs": self.counts.map(|c| c.allocs),
            "deallocs": self.counts.map(|c| c.deallocs),
            "reallocs": self.counts.map(|c| c.reallocs),
            "alloc_bytes": self.counts.map(|c| c.bytes),
            "counts_repeatable": self.counts.map(|_| self.counts_repeat),
            "dump_label": self.dump_label,
            "iterations": self.iterations,
        })
    }
}

/// Passed to a staged sequence; times, counts or collects each step. Steps with the same name
/// in one run accumulate into one stage (per-chunk steps of a stream, for instance).
pub struct Clock {
    collect: Option<&'static str>,
    overhead_ns: f64,
    /// (name, ns, allocation counts) per stage of the current run, in first-seen order.
    pub steps: Vec<(&'static str, f64, Counts)>,
}

impl Clock {
    pub fn new(collect: Option<&'static str>, overhead_ns: f64) -> Self {
        Self { collect, overhead_ns, steps: Vec::new() }
    }

    /// A clock for the part of the call that runs elsewhere (inside an executor task); its
    /// steps are merged back with [`Clock::merge`].
    pub fn child(&self) -> Self {
        Self::new(self.collect, self.overhead_ns)
    }

    /// Whether callgrind should collect during stage `name`.
    pub fn collects(&self, name: &'static str) -> bool {
        self.collect == Some(name)
    }

    /// Add a measurement to stage `name`.
    pub fn record(&mut self, name: &'static str, ns: f64, counts: Counts) {
        match self.steps.iter_mut().find(|s| s.0 == name) {
            Some(s) => {
                s.1 += ns;
                s.2 = s.2.plus(counts);
            }
            None => self.steps.push((name, ns, counts)),
        }
    }

    /// Fold a child clock's stages into this one.
    pub fn merge(&mut self, child: Clock) {
        for (name, ns, counts) in child.steps {
            self.record(name, ns, counts);
        }
    }

    /// Run one stage of the call.
    pub fn step<O>(&mut self, name: &'static str, f: impl FnOnce() -> O) -> O {
        let open = self.open(name);
        let out = f();
        self.close(name, open);
        out
    }

    /// Await one stage of the call (inside an executor task).
    pub async fn step_async<F: std::future::Future>(&mut self, name: &'static str, fut: F) -> F::Output {
        let open = self.open(name);
        let out = fut.await;
        self.close(name, open);
        out
    }

    fn open(&self, name: &'static str) -> Open {
        // Collection brackets only the stage, so the clock's own instructions are not counted.
        let collect = self.collects(name);
        let open = Open { collect, before: Counts::this_thread(), started: Instant::now() };
        if collect {
            callgrind::toggle_collect();
        }
        open
    }

    fn close(&mut self, name: &'static str, open: Open) {
        if open.collect {
            callgrind::toggle_collect();
        }
        let ns = open.started.elapsed().as_nanos() as f64;
        let counts = Counts::this_thread().since(open.before);
        // The clock's own cost (measured per process) is not the stage's.
        self.record(name, (ns - self.overhead_ns).max(0.0), counts);
    }
}

/// A stage in progress: whether callgrind collects it, and the counters and clock at its start.
struct Open {
    collect: bool,
    before: Counts,
    started: Instant,
}

/// Collects the records of one (case, tier).
pub struct Profiler {
    mode: Mode,
    label: String,
    pub records: Vec<Record>,
    dumps: usize,
    overhead_ns: f64,
    /// The real call runs work on executor threads, so its main-thread instruction count would
    /// miss that work: its end-to-end instructions are not recorded.
    pub multithreaded_call: bool,
}

const BATCH_TARGET: Duration = Duration::from_micros(20);

fn clock_overhead_ns() -> f64 {
    let mut samples: Vec<f64> = (0..2001)
        .map(|_| {
            let mut c = Clock::new(None, 0.0);
            c.step("empty", || ());
            c.steps[0].1
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

impl Profiler {
    pub fn new(mode: Mode, label: String) -> Self {
        let overhead_ns = if matches!(mode, Mode::Timing { .. }) { clock_overhead_ns() } else { 0.0 };
        Self { mode, label, records: Vec::new(), dumps: 0, overhead_ns, multithreaded_call: false }
    }

    /// Clock cost subtracted from every step (nanoseconds).
    pub fn overhead_ns(&self) -> f64 {
        self.overhead_ns
    }

    fn dump(&mut self, stage: &str) -> String {
        self.dumps += 1;
        let label = format!("audiobench#{}#{}#{}", self.dumps, self.label, stage);
        callgrind::dump_stats_at(&label);
        label
    }

    /// Measure a call: `call` is the real, unstaged call (end to end); `seq` the same call
    /// split into steps with [`Clock::step`].
    pub fn staged<O>(&mut self, mut call: impl FnMut() -> O, mut seq: impl FnMut(&mut Clock)) {
        match self.mode {
            Mode::Instructions { iterations } => {
                let mut probe = Clock::new(None, 0.0);
                seq(&mut probe);
                let names: Vec<&'static str> = probe.steps.iter().map(|s| s.0).collect();
                callgrind::zero_stats(); // the probe run collected nothing, but be sure
                let mut e2e = Record::new("end to end", None, "e2e");
                if !self.multithreaded_call {
                    for _ in 0..iterations {
                        callgrind::toggle_collect();
                        let out = call();
                        callgrind::toggle_collect();
                        drop(out);
                    }
                    e2e.dump_label = Some(self.dump("end to end"));
                }
                e2e.iterations = iterations;
                self.records.push(e2e);
                for name in names {
                    let mut r = Record::new(name, None, "stage");
                    for _ in 0..iterations {
                        seq(&mut Clock::new(Some(name), 0.0));
                    }
                    r.dump_label = Some(self.dump(name));
                    r.iterations = iterations;
                    self.records.push(r);
                }
            }
            Mode::Timing { budget, min_runs, max_runs, stages: false } => {
                drop(call());
                let mut e2e = Record::new("end to end", None, "e2e");
                let start = Instant::now();
                while e2e.samples_ns.len() < min_runs || (start.elapsed() < budget && e2e.samples_ns.len() < max_runs) {
                    let t = Instant::now();
                    let out = call();
                    e2e.samples_ns.push(t.elapsed().as_nanos() as f64);
                    drop(out);
                }
                e2e.iterations = e2e.samples_ns.len();
                self.records.push(e2e);
            }
            Mode::Timing { budget, min_runs, max_runs, stages: true } => {
                drop(call()); // first-touch costs belong to neither
                seq(&mut Clock::new(None, self.overhead_ns));
                let mut e2e = Record::new("end to end", None, "e2e");
                let mut stages: Vec<Record> = Vec::new();
                let start = Instant::now();
                let mut runs = 0;
                while runs < min_runs || (start.elapsed() < budget && runs < max_runs) {
                    // Alternate the real call and the staged one, so both see the same drift.
                    let t = Instant::now();
                    let out = call();
                    e2e.samples_ns.push(t.elapsed().as_nanos() as f64);
                    drop(out);
                    let mut clock = Clock::new(None, self.overhead_ns);
                    seq(&mut clock);
                    if stages.is_empty() {
                        stages = clock.steps.iter().map(|s| Record::new(s.0, None, "stage")).collect();
                    }
                    for (record, (_, ns, counts)) in stages.iter_mut().zip(&clock.steps) {
                        record.samples_ns.push(*ns);
                        match runs {
                            0 => record.counts = Some(*counts),
                            1 => record.counts_repeat = record.counts == Some(*counts),
                            _ => {}
                        }
                    }
                    runs += 1;
                }
                let count_e2e = |f: &mut dyn FnMut() -> Counts| [f(), f()];
                let [a, b] = count_e2e(&mut || {
                    let before = Counts::now();
                    let out = call();
                    let after = Counts::now();
                    drop(out);
                    after.since(before)
                });
                e2e.counts = Some(a);
                e2e.counts_repeat = a == b;
                e2e.iterations = runs;
                for r in &mut stages {
                    r.iterations = runs;
                }
                self.records.push(e2e);
                self.records.extend(stages);
            }
        }
    }

    /// A part of stage `parent` measured alone (setup untimed, output dropped untimed).
    pub fn part<I, O>(&mut self, parent: &str, name: &str, mut setup: impl FnMut() -> I, mut run: impl FnMut(I) -> O) {
        let mut record = Record::new(name, Some(parent), "part");
        match self.mode {
            Mode::Instructions { iterations } => {
                for _ in 0..iterations {
                    let input = setup();
                    callgrind::toggle_collect();
                    let out = run(input);
                    callgrind::toggle_collect();
                    drop(out);
                }
                record.dump_label = Some(self.dump(name));
                record.iterations = iterations;
            }
            Mode::Timing { stages: false, .. } => return,
            Mode::Timing { budget, min_runs, max_runs, stages: true } => {
                drop(run(setup()));
                let counts = [0, 1].map(|_| {
                    let input = setup();
                    let before = Counts::now();
                    let out = run(input);
                    let after = Counts::now();
                    drop(out);
                    after.since(before)
                });
                record.counts = Some(counts[0]);
                record.counts_repeat = counts[0] == counts[1];
                let pilot = {
                    let input = setup();
                    let t = Instant::now();
                    let out = run(input);
                    let d = t.elapsed();
                    drop(out);
                    d
                };
                let batch = if pilot >= BATCH_TARGET {
                    1
                } else {
                    (BATCH_TARGET.as_nanos() / pilot.as_nanos().max(1)).clamp(1, 10_000) as usize
                };
                let start = Instant::now();
                let mut outs: Vec<O> = Vec::with_capacity(batch);
                while record.samples_ns.len() < min_runs
                    || (start.elapsed() < budget && record.samples_ns.len() < max_runs)
                {
                    let inputs: Vec<I> = (0..batch).map(|_| setup()).collect();
                    let t = Instant::now();
                    for input in inputs {
                        outs.push(run(input));
                    }
                    let elapsed = t.elapsed();
                    outs.clear();
                    record.samples_ns.push(elapsed.as_nanos() as f64 / batch as f64);
                }
                record.batch = batch;
                record.iterations = record.samples_ns.len() * batch;
            }
        }
        self.records.push(record);
    }
}
