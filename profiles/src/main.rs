//! `audiobench-profile`: stage-by-stage cost of the Rust tiers.
//!
//! For every case of the suite (the inputs `audiobench inputs` wrote, checksum-verified) and every
//! requested tier, each stage of the tier's call runs on its own: wall time per invocation (many
//! samples), exact allocation counts from a counting global allocator, and, when the process runs
//! under `valgrind --tool=callgrind --collect-atstart=no`, one callgrind dump per stage whose
//! instruction count the caller reads. The same call end to end is measured alongside, so the
//! stages' sum can be checked against it. Output: one JSON document (stdout or `--out`).
//!
//! Usually driven by `audiobench profile`, which adds the PyO3 boundary and the Python tiers,
//! the statistics and the attribution.

#[path = "../../rust_impls/core/benches/audiobench/inputs.rs"]
#[allow(dead_code)]
mod inputs;

mod callgrind;
mod counting;
mod measure;
mod stages;

use std::time::Duration;

use audiobench_core::simd::SimdPath;
use serde_json::{json, Value};

use crate::measure::{Mode, Profiler};

#[global_allocator]
static ALLOCATOR: counting::Counting = counting::Counting;

struct Args {
    suite: String,
    ops: Option<Vec<String>>,
    tiers: Vec<String>,
    budget_ms: u64,
    instructions: bool,
    iterations: usize,
    out: Option<String>,
    case: Option<String>,
    e2e_only: bool,
}

const USAGE: &str = "usage: audiobench-profile [--suite quick|full] [--ops a,b] [--case op/variant/size] \
[--tiers t1,t2] [--budget-ms N] [--e2e-only] [--instructions [--iterations N]] [--out FILE]";

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        suite: "quick".into(),
        ops: None,
        tiers: stages::TIERS.iter().map(|t| t.to_string()).collect(),
        budget_ms: 250,
        instructions: false,
        iterations: 3,
        out: None,
        case: None,
        e2e_only: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"));
        match flag.as_str() {
            "--suite" => args.suite = value()?,
            "--ops" => args.ops = Some(value()?.split(',').map(str::to_owned).collect()),
            "--tiers" => args.tiers = value()?.split(',').map(str::to_owned).collect(),
            "--budget-ms" => args.budget_ms = value()?.parse().map_err(|e| format!("--budget-ms: {e}"))?,
            "--iterations" => args.iterations = value()?.parse().map_err(|e| format!("--iterations: {e}"))?,
            "--instructions" => args.instructions = true,
            "--out" => args.out = Some(value()?),
            "--case" => args.case = Some(value()?),
            "--e2e-only" => args.e2e_only = true,
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    if let Some(bad) = args.tiers.iter().find(|t| !stages::TIERS.contains(&t.as_str())) {
        return Err(format!("unknown tier {bad} (known: {})", stages::TIERS.join(", ")));
    }
    Ok(args)
}

/// Reset the peak-RSS high-water mark (Linux: writing 5 to clear_refs), so each case's peak is
/// its own.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let under_valgrind = callgrind::running_on_valgrind();
    if args.instructions && !under_valgrind {
        eprintln!("--instructions must run under `valgrind --tool=callgrind --collect-atstart=no`");
        std::process::exit(2);
    }
    let paths = inputs::Paths::from_env(&args.suite);
    let cases = match inputs::load(&paths, &args.suite) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("audiobench-profile: {e}");
            std::process::exit(2);
        }
    };
    let mode = if args.instructions {
        measure::INLINE_TASKS.store(true, std::sync::atomic::Ordering::Relaxed);
        callgrind::zero_stats();
        Mode::Instructions { iterations: args.iterations.max(1) }
    } else {
        Mode::Timing {
            budget: Duration::from_millis(args.budget_ms),
            min_runs: 7,
            max_runs: 400,
            stages: !args.e2e_only,
        }
    };
    let mut results: Vec<Value> = Vec::new();
    for case in &cases {
        if args.ops.as_ref().is_some_and(|ops| !ops.contains(&case.op)) {
            continue;
        }
        let id = format!("{}/{}/{}", case.op, case.variant, case.size);
        if args.case.as_ref().is_some_and(|c| *c != id) {
            continue;
        }
        for tier in &args.tiers {
            reset_peak_rss();
            let label = format!("{}/{}/{}/{}", case.op, case.variant, case.size, tier);
            let mut p = Profiler::new(mode, label);
            // The JSON tier's real call hands its work to executor threads.
            p.multithreaded_call = tier == "rust-json";
            if stages::profile(&mut p, case, tier).is_none() {
                continue;
            }
            results.push(json!({
                "op": case.op, "variant": case.variant, "size": case.size, "tier": tier,
                "input_checksum": case.checksum,
                "clock_overhead_ns": p.overhead_ns(),
                "peak_rss_kib": peak_rss_kib(),
                "stages": p.records.iter().map(|r| r.to_json()).collect::<Vec<_>>(),
            }));
        }
    }
    let doc = json!({
        "schema": "audiobench.profile-native/1",
        "suite": args.suite,
        "mode": if args.instructions { "instructions" } else { "timing" },
        "under_valgrind": under_valgrind,
        "simd_path": SimdPath::detect().name(),
        "simd_kernels": audiobench_core::simd::kernel_paths()
            .into_iter()
            .map(|(name, path)| (name, path.name()))
            .collect::<std::collections::BTreeMap<_, _>>(),
        "cases": results,
    });
    let text = serde_json::to_string(&doc).unwrap_or_default();
    match args.out {
        Some(path) => {
            if let Err(e) = std::fs::write(&path, text) {
                eprintln!("{path}: {e}");
                std::process::exit(1);
            }
        }
        None => println!("{text}"),
    }
}
