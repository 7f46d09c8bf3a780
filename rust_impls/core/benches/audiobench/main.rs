//! criterion benches of the three Rust tiers, natively (no Python), plus the limit probes.
//!
//! One group per operation/variant (`resample/high`, `convert/f32_i16`, ...), one
//! `BenchmarkId::new(tier, size)` per tier and catalogue size, `Throughput::Elements` in samples
//! (chunks for base64 streams). Sizes come from `benchmarks/catalogue.toml`; the input bytes from
//! `audiobench inputs`, checksum-verified, so these numbers and the runner's describe the same
//! inputs. `target/criterion/audiobench-inputs.json` records which checksum each id measured.
//!
//! `AUDIOBENCH_SUITE=quick` selects the quick sizes and short warm-up/measurement times (what
//! `make report` uses); the default is the full set with criterion's usual statistics.
//! Each tier is the call its binding makes, minus Python: the fast tier copies the input into a
//! fresh `AudioData` per call (as its binding does from a numpy view, and as the native profiler
//! times it), the direct tier writes into buffers allocated before timing, and the JSON tier
//! serialises per call.

mod inputs;
mod tiers;

use std::time::Duration;

use criterion::Criterion;
use serde_json::json;

use audiobench_core::simd::SimdPath;

/// One measured id and the input it measured.
pub struct Record {
    pub group: String,
    pub function: String,
    pub parameter: String,
    pub checksum: String,
    pub elements: u64,
}

fn criterion_for(suite: &str) -> Criterion {
    let base = Criterion::default();
    let base = if suite == "quick" {
        base.warm_up_time(Duration::from_millis(200)).measurement_time(Duration::from_millis(600)).sample_size(10)
    } else {
        base.warm_up_time(Duration::from_secs(2)).measurement_time(Duration::from_secs(5)).sample_size(50)
    };
    // Command-line flags (`cargo bench -- --measurement-time 10`) still win.
    base.configure_from_args()
}

fn write_sidecar(paths: &inputs::Paths, suite: &str, records: &[Record]) -> std::io::Result<()> {
    let dir = std::env::var_os("CRITERION_HOME").map(Into::into).unwrap_or_else(|| paths.target.join("criterion"));
    std::fs::create_dir_all(&dir)?;
    let doc = json!({
        "schema": "audiobench.criterion-inputs/1",
        "suite": suite,
        "simd_path": SimdPath::detect().name(),
        "benchmarks": records.iter().map(|r| json!({
            "group": r.group, "function": r.function, "parameter": r.parameter,
            "checksum": r.checksum, "elements": r.elements,
        })).collect::<Vec<_>>(),
    });
    // Write beside, then rename: a reader never sees half a file.
    let tmp = dir.join(".audiobench-inputs.json.tmp");
    std::fs::write(&tmp, serde_json::to_vec_pretty(&doc).unwrap_or_default())?;
    std::fs::rename(&tmp, dir.join("audiobench-inputs.json"))
}

fn main() {
    let suite = std::env::var("AUDIOBENCH_SUITE").unwrap_or_else(|_| "full".into());
    if suite != "quick" && suite != "full" {
        eprintln!("AUDIOBENCH_SUITE must be `quick` or `full`, not `{suite}`");
        std::process::exit(2);
    }
    let paths = inputs::Paths::from_env(&suite);
    let cases = match inputs::load(&paths, &suite) {
        Ok(cases) => cases,
        Err(message) => {
            eprintln!("audiobench benches: {message}");
            std::process::exit(2);
        }
    };
    let mut c = criterion_for(&suite);
    let mut records = Vec::new();
    for case in &cases {
        tiers::bench_case(&mut c, case, &mut records);
    }
    if let Err(e) = write_sidecar(&paths, &suite, &records) {
        eprintln!("audiobench benches: cannot write the input record: {e}");
        std::process::exit(1);
    }
    c.final_summary();
}
