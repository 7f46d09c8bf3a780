//! The cases to measure: the catalogue's sizes for the suite (read with the `toml` crate) and
//! the input bytes `audiobench inputs` wrote for them, verified against their checksums.
//!
//! Shared by the criterion benches and the stage profiler (`profiles/`, which includes this
//! file by path), so both read exactly the same bytes the same way.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;
use sha2::{Digest, Sha256};

/// Everything that can stop the benches before they start, as one printable message.
pub type Fail = String;

/// The bytes of one case, decoded.
pub enum Input {
    Audio {
        samples: Vec<f32>,
        channels: usize,
    },
    F32(Vec<f32>),
    I16(Vec<i16>),
    Stream {
        chunks: Vec<u8>,
        chunk_len: usize,
        owners: Vec<u32>,
        call_ids: Vec<String>,
        threads: usize,
        capacity: usize,
    },
}

pub struct Case {
    pub op: String,
    pub variant: String,
    pub size: String,
    pub checksum: String,
    pub input: Input,
    /// A sample kernel's parameters (`audiobench_core::kernel`), as the manifest gives them.
    pub params: serde_json::Map<String, Value>,
    /// Bytes the operation reads (for the limit probes).
    pub bytes: Vec<u8>,
    /// Bytes one call writes, for `limit:read-write`: given for memory-bound operations only.
    pub written: Option<usize>,
}

impl Case {
    /// Elements for `Throughput::Elements`: samples for audio, chunks for streams.
    pub fn elements(&self) -> u64 {
        match &self.input {
            Input::Audio { samples, .. } | Input::F32(samples) => samples.len() as u64,
            Input::I16(s) => s.len() as u64,
            Input::Stream { owners, .. } => owners.len() as u64,
        }
    }
}

/// Workspace paths, overridable by environment variables.
pub struct Paths {
    pub catalogue: PathBuf,
    pub inputs: PathBuf,
    pub target: PathBuf,
}

impl Paths {
    pub fn from_env(suite: &str) -> Self {
        // The workspace root is the nearest ancestor of the working directory holding the
        // catalogue (`cargo bench` runs in the package directory, the profiler in the root).
        // It is looked up at run time, never compiled in: the checkout's path in the binary's
        // data would shift the alignment of every constant after it, and with it the
        // instruction counts of copies from them. Found only when a variable is missing: the
        // instruction profiler passes every path relative to the root, so that no allocation's
        // size depends on where the checkout lives either.
        let root = || {
            let here = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
            here.ancestors().find(|d| d.join("benchmarks/catalogue.toml").is_file()).unwrap_or(&here).to_path_buf()
        };
        let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"));
        let catalogue = std::env::var_os("AUDIOBENCH_CATALOGUE")
            .map(PathBuf::from)
            .unwrap_or_else(|| root().join("benchmarks/catalogue.toml"));
        let inputs = std::env::var_os("AUDIOBENCH_INPUTS")
            .map(PathBuf::from)
            .unwrap_or_else(|| target.join("audiobench-inputs").join(suite));
        Self { catalogue, inputs, target }
    }
}

/// Size labels exactly as `audiobench.catalogue.Size.label` spells them.
fn size_label(kind: &str, raw: &toml::Value) -> Result<String, Fail> {
    match (kind, raw) {
        (_, toml::Value::String(s)) if s == "frame" => Ok("frame".into()),
        ("seconds", v) => {
            let s = v.as_float().or_else(|| v.as_integer().map(|i| i as f64)).ok_or(format!("bad seconds {v}"))?;
            Ok(if s.fract() == 0.0 { format!("{}s", s as i64) } else { format!("{s}s") })
        }
        ("samples", toml::Value::Integer(n)) => {
            Ok(if n % 1_000_000 == 0 { format!("{}M", n / 1_000_000) } else { n.to_string() })
        }
        ("stream", toml::Value::Table(t)) => {
            let get = |k: &str| t.get(k).and_then(toml::Value::as_integer).ok_or(format!("stream size lacks {k}"));
            Ok(format!("{}ch-{}calls-{}thr", get("chunks")?, get("calls")?, get("threads")?))
        }
        _ => Err(format!("unsupported size {raw} for kind {kind}")),
    }
}

/// (operation, variant, size label).
pub type CaseKey = (String, String, String);

/// The catalogue's seed and (op, variant, size label) for every case of `suite`, in order.
pub fn catalogue_cases(path: &Path, suite: &str) -> Result<(i64, Vec<CaseKey>), Fail> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let doc: toml::Table = text.parse().map_err(|e| format!("{}: not valid TOML: {e}", path.display()))?;
    let seed = doc.get("signals").and_then(|s| s.get("seed")).and_then(toml::Value::as_integer);
    let seed = seed.ok_or(format!("{}: no signals.seed", path.display()))?;
    let ops =
        doc.get("operations").and_then(toml::Value::as_table).ok_or(format!("{}: no operations", path.display()))?;
    let mut out = Vec::new();
    for (op, spec) in ops {
        let kind = spec.get("size_kind").and_then(toml::Value::as_str).ok_or(format!("{op}: no size_kind"))?;
        let variants = spec.get("variants").and_then(toml::Value::as_array).ok_or(format!("{op}: no variants"))?;
        let sizes = spec.get(suite).and_then(toml::Value::as_array).ok_or(format!("{op}: no `{suite}` sizes"))?;
        for v in variants {
            let v = v.as_str().ok_or(format!("{op}: variant {v} is not a string"))?;
            for size in sizes {
                out.push((op.clone(), v.to_owned(), size_label(kind, size)?));
            }
        }
    }
    Ok((seed, out))
}

fn hex16(bytes: &[u8]) -> String {
    bytes.iter().take(8).fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn read(dir: &Path, entry: &Value, key: &str) -> Result<Vec<u8>, Fail> {
    let name = entry[key].as_str().ok_or(format!("manifest entry lacks {key}"))?;
    let path = dir.join(name);
    std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))
}

fn decode(dir: &Path, e: &Value) -> Result<(Input, Vec<u8>, Vec<u8>), Fail> {
    let num = |k: &str| e[k].as_u64().map(|v| v as usize).ok_or(format!("manifest entry lacks {k}"));
    let data = read(dir, e, "file")?;
    Ok(match e["kind"].as_str().unwrap_or("") {
        "audio" => {
            let samples = data.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
            (Input::Audio { samples, channels: num("channels")? }, data.clone(), data)
        }
        "samples" if e["dtype"] == "f32" => {
            let samples = data.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
            (Input::F32(samples), data.clone(), data)
        }
        "samples" => {
            let samples = data.chunks_exact(2).map(|b| i16::from_le_bytes([b[0], b[1]])).collect();
            (Input::I16(samples), data.clone(), data)
        }
        "stream" => {
            let owners_raw = read(dir, e, "owners_file")?;
            let owners = owners_raw.chunks_exact(4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
            let call_ids = e["call_ids"]
                .as_array()
                .ok_or("stream entry lacks call_ids")?
                .iter()
                .map(|v| v.as_str().unwrap_or("").to_owned())
                .collect();
            let mut hashed = data.clone();
            hashed.extend_from_slice(&owners_raw);
            let input = Input::Stream {
                chunks: data.clone(),
                chunk_len: num("chunk_len")?,
                owners,
                call_ids,
                threads: num("threads")?,
                capacity: num("capacity_per_call")?,
            };
            (input, hashed, data)
        }
        other => return Err(format!("manifest entry of unknown kind {other:?}")),
    })
}

/// Load every case of the suite, refusing missing files and checksum mismatches.
pub fn load(paths: &Paths, suite: &str) -> Result<Vec<Case>, Fail> {
    let hint = format!("run `audiobench inputs --suite {suite}` (or `make bench-inputs`) first");
    let (seed, wanted) = catalogue_cases(&paths.catalogue, suite)?;
    let manifest_path = paths.inputs.join("manifest.json");
    let text =
        std::fs::read_to_string(&manifest_path).map_err(|e| format!("{}: {e}; {hint}", manifest_path.display()))?;
    let manifest: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", manifest_path.display()))?;
    if manifest["seed"].as_i64() != Some(seed) {
        return Err(format!(
            "{}: written for seed {}, the catalogue says {seed}; {hint}",
            manifest_path.display(),
            manifest["seed"]
        ));
    }
    // Ordered, not hashed: a randomly seeded map would free its keys in a different order each
    // run, and the heap layout that leaves changes the allocator's instruction counts later.
    let mut by_key: BTreeMap<CaseKey, &Value> = BTreeMap::new();
    for e in manifest["cases"].as_array().ok_or("manifest has no cases")? {
        let key = |k: &str| e[k].as_str().unwrap_or("").to_owned();
        by_key.insert((key("op"), key("variant"), key("size")), e);
    }
    let mut cases = Vec::new();
    for (op, variant, size) in wanted {
        let e = by_key
            .get(&(op.clone(), variant.clone(), size.clone()))
            .ok_or(format!("{}: no input for {op}/{variant} {size}; {hint}", manifest_path.display()))?;
        let (input, hashed, bytes) = decode(&paths.inputs, e)?;
        let checksum = e["checksum"].as_str().unwrap_or("").to_owned();
        let actual = hex16(&Sha256::digest(&hashed));
        if actual != checksum {
            return Err(format!("{op}/{variant} {size}: input checksum {actual} != manifest {checksum}; {hint}"));
        }
        let params = e["params"].as_object().cloned().unwrap_or_default();
        let written = e["output_bytes"].as_u64().map(|n| n as usize);
        cases.push(Case { op, variant, size, checksum, input, params, bytes, written });
    }
    Ok(cases)
}
