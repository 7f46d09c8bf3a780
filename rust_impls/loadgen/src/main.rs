//! The load generator of `audiobench stream`: N concurrent calls, each one WebSocket connection
//! sending one media message per chunk period, every chunk timed from send to ack.
//!
//! Written in Rust so that the generator is not what limits a step: a Python client costs about
//! what the Python server does per message, so it would fall behind near the capacity it is
//! meant to find. One thread (a current-thread tokio runtime): `audiobench stream` pins it to
//! the CPU the server does not use.
//!
//! The messages are those of `audiobench/stream/protocol.py`. All calls connect and are
//! started first (each `start` answered, before the clock starts); then call `i` starts `i/N`
//! of a period after a common origin and sends chunk `seq` at `start + seq·period`; with
//! `--end-spread F` call `i` stops `F·i/N` of the duration early, so the calls' ends spread
//! over that share of the step (`Plan::stop_at`). Latency is ack arrival − the chunk's due
//! time on this process's monotonic clock: a chunk exists from its due time, so a server too
//! slow to read its socket (the send then waits) is late by that wait too; `rtt_ns` is ack −
//! the send's start (the server and the socket alone). `send_lag_ns` is how late each send
//! started.
//! A ticker waking every millisecond records how late it woke (`loop_lag_ns`): that is the
//! generator's own saturation, apart from any wait on a socket.
//!
//! Output (`--out`, JSON): the raw `latency_ns`, `rtt_ns`, `send_lag_ns` and `loop_lag_ns`, `sent`,
//! `errors` (error replies), `calls_equal`, `calls_unequal`, `calls_lost` (no `done` within
//! `DONE_TIMEOUT` after its `stop`, or the connection closed), and `cpu_s` / `wall_s` of the
//! generator over the calls. Exit 2 when the server cannot be reached, with the reason on stderr.

use std::cell::{Cell, RefCell};
use std::path::PathBuf;
use std::process::ExitCode;
use std::rc::Rc;
use std::time::Duration;

use base64::Engine;
use clap::Parser;
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tokio::time::{sleep_until, timeout, Instant};
use tokio_tungstenite::tungstenite::Message;

/// Distinct chunks a run draws from; call `i` sends chunk `(13·i + seq) mod POOL` as its `seq`-th,
/// so no two calls hold the same bytes.
const POOL: usize = 64;
/// How long a call waits for `done` after its last chunk before it counts as lost.
const DONE_TIMEOUT: Duration = Duration::from_secs(30);
/// Time given to the connects before the first chunk is due.
const LEAD: Duration = Duration::from_millis(50);
/// The ticker's period: tokio's timer resolution.
const TICK: Duration = Duration::from_millis(1);

#[derive(Parser)]
#[command(about = "N concurrent WebSocket calls sending 16-bit mono PCM media chunks in real time")]
struct Args {
    /// Loopback port of the server.
    #[arg(long)]
    port: u16,
    /// Concurrent calls (one connection each).
    #[arg(long)]
    calls: usize,
    /// Chunk period in ms (10-100).
    #[arg(long, default_value_t = 40, value_parser = clap::value_parser!(u64).range(10..=100))]
    chunk_ms: u64,
    /// Sample rate of the PCM, Hz (a chunk is this many samples per second, rounded down).
    #[arg(long, default_value_t = 16_000, value_parser = clap::value_parser!(u64).range(8_000..=48_000))]
    sample_rate: u64,
    /// Share of the duration over which the calls' ends are spread (0-1): call `i` of N sends
    /// `chunks · (1 − spread · i/N)` chunks, so a server's work at call end arrives spread out
    /// instead of in one period.
    #[arg(long, default_value_t = 0.0)]
    end_spread: f64,
    /// Seconds of audio each call sends.
    #[arg(long, default_value_t = 3.0)]
    duration: f64,
    /// Seed of the chunk bytes.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Number of the first call (its id); two generators on one server take disjoint ranges.
    #[arg(long, default_value_t = 0)]
    first_call: usize,
    /// Where the JSON result goes.
    #[arg(long)]
    out: PathBuf,
    /// Pin the generator to this CPU.
    #[arg(long)]
    cpu: Option<usize>,
}

/// Pin this (single-threaded) process to `cpu`.
fn pin(cpu: usize) -> Result<(), String> {
    if cpu >= libc::CPU_SETSIZE as usize {
        return Err(format!("--cpu {cpu} is beyond this system's CPU set"));
    }
    // SAFETY: `set` is a plain bitmask zeroed and filled by the libc macros' equivalents, and
    // sched_setaffinity only reads `size_of::<cpu_set_t>()` bytes of it.
    let rc = unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set)
    };
    if rc != 0 {
        return Err(format!("cannot pin to CPU {cpu}: {}", std::io::Error::last_os_error()));
    }
    Ok(())
}

#[derive(Default)]
struct Record {
    latency_ns: Vec<u64>,
    rtt_ns: Vec<u64>,
    send_lag_ns: Vec<u64>,
    loop_lag_ns: Vec<u64>,
    sent: u64,
    errors: u64,
    calls_equal: u64,
    calls_unequal: Vec<String>,
    calls_lost: Vec<String>,
    cpu_s: f64,
    wall_s: f64,
}

/// User + system CPU time of this process, s.
fn cpu_seconds() -> f64 {
    // SAFETY: getrusage fills the zeroed struct it is given; RUSAGE_SELF is always valid.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

#[derive(Deserialize)]
struct Reply {
    event: String,
    seq: Option<u64>,
    bytes: Option<u64>,
    sha256: Option<String>,
}

/// `POOL` chunks of seeded bytes (splitmix64: Steele, Lea & Flood, OOPSLA 2014) and their base64.
fn pool(chunk_bytes: usize, seed: u64) -> Vec<(Vec<u8>, String)> {
    let mut state = seed ^ 0x6a09_e667_f3bc_c909;
    let mut next = move || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    (0..POOL)
        .map(|_| {
            let raw: Vec<u8> = (0..chunk_bytes).map(|_| next() as u8).collect();
            let text = base64::engine::general_purpose::STANDARD.encode(&raw);
            (raw, text)
        })
        .collect()
}

fn message(event: &str, call: &str, extra: Option<(u64, &str)>) -> Message {
    // Call ids and base64 need no JSON escaping; serde_json quotes them anyway, once per string.
    let quoted = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let text = match extra {
        Some((seq, payload)) => format!(
            r#"{{"event":{},"call":{},"seq":{seq},"payload":{}}}"#,
            quoted(event),
            quoted(call),
            quoted(payload)
        ),
        None => format!(r#"{{"event":{},"call":{}}}"#, quoted(event), quoted(call)),
    };
    Message::text(text)
}

/// A chunk's due time and when its send started.
type Sent = (Instant, Instant);

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

struct Plan {
    calls: usize,
    chunks: u64,
    end_spread: f64,
    period: Duration,
    origin: Instant,
}

impl Plan {
    /// When call `call` sends `stop`. With no end spread every call stops together one period
    /// after the last chunk of any call was due: the server's work at `stop` (the digest that
    /// checks the bytes) falls outside the window in which chunks are timed, not into the
    /// last chunks' acks. With a spread, one period after the call's own last chunk: its end
    /// (and the server's work there) is part of the load.
    fn stop_at(&self, call: usize) -> Instant {
        if self.end_spread == 0.0 {
            self.due(self.calls - 1, self.chunks)
        } else {
            self.due(call, self.chunks_of(call))
        }
    }

    /// Chunks call `call` sends: the whole duration less its share of the end spread, at least one.
    fn chunks_of(&self, call: usize) -> u64 {
        let cut = (self.chunks as f64 * self.end_spread * call as f64 / self.calls as f64).floor() as u64;
        self.chunks.saturating_sub(cut).max(1)
    }

    fn due(&self, call: usize, seq: u64) -> Instant {
        let offset = self.period.mul_f64(call as f64 / self.calls as f64);
        self.origin + offset + self.period * seq as u32
    }
}

async fn call(
    i: usize,
    id: String,
    ws: Socket,
    pool: Rc<Vec<(Vec<u8>, String)>>,
    plan: Rc<Plan>,
    rec: Rc<RefCell<Record>>,
) {
    let (mut tx, mut rx) = ws.split();
    let chunks = plan.chunks_of(i);
    let due_at: Rc<RefCell<Vec<Option<Sent>>>> = Rc::new(RefCell::new(vec![None; chunks as usize]));
    let reader = {
        let (due_at, rec) = (Rc::clone(&due_at), Rc::clone(&rec));
        async move {
            while let Some(Ok(msg)) = rx.next().await {
                let now = Instant::now();
                let Message::Text(text) = msg else { continue };
                let Ok(reply) = serde_json::from_str::<Reply>(&text) else { continue };
                match reply.event.as_str() {
                    "ack" => {
                        let at = reply.seq.and_then(|s| due_at.borrow().get(s as usize).copied().flatten());
                        if let Some((due, sent)) = at {
                            let mut rec = rec.borrow_mut();
                            rec.latency_ns.push((now - due).as_nanos() as u64);
                            rec.rtt_ns.push((now - sent).as_nanos() as u64);
                        }
                    }
                    "done" => return Some(reply),
                    "error" => rec.borrow_mut().errors += 1,
                    _ => {}
                }
            }
            None
        }
    };
    let writer = async {
        let mut digest = Sha256::new();
        let mut length = 0u64;
        for seq in 0..chunks {
            let due = plan.due(i, seq);
            sleep_until(due).await;
            let (raw, text) = &pool[(13 * i + seq as usize) % POOL];
            digest.update(raw);
            length += raw.len() as u64;
            let msg = message("media", &id, Some((seq, text)));
            let now = Instant::now();
            rec.borrow_mut().send_lag_ns.push((now - due).as_nanos() as u64);
            due_at.borrow_mut()[seq as usize] = Some((due, now));
            tx.send(msg).await?;
            rec.borrow_mut().sent += 1;
        }
        sleep_until(plan.stop_at(i)).await;
        tx.send(message("stop", &id, None)).await?;
        Ok::<_, tokio_tungstenite::tungstenite::Error>((length, digest.finalize()))
    };
    let last = plan.stop_at(i) + DONE_TIMEOUT;
    let (done, sent) = tokio::join!(async { timeout(last - Instant::now(), reader).await.ok().flatten() }, writer);
    let mut rec = rec.borrow_mut();
    match (done, sent) {
        (Some(reply), Ok((length, digest))) => {
            let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            if reply.bytes == Some(length) && reply.sha256.as_deref() == Some(hex.as_str()) {
                rec.calls_equal += 1;
            } else {
                rec.calls_unequal.push(id);
            }
        }
        _ => rec.calls_lost.push(id),
    }
}

/// Send `start` for `id` and wait for the server's `started`.
async fn start(ws: &mut Socket, id: &str) -> Result<(), String> {
    ws.send(message("start", id, None)).await.map_err(|e| format!("{id}: start not sent: {e}"))?;
    while let Some(msg) = ws.next().await {
        let msg = msg.map_err(|e| format!("{id}: no answer to start: {e}"))?;
        let Message::Text(text) = msg else { continue };
        match serde_json::from_str::<Reply>(&text) {
            Ok(reply) if reply.event == "started" => return Ok(()),
            _ => return Err(format!("{id}: the server answered start with {text}")),
        }
    }
    Err(format!("{id}: the server closed the connection before answering start"))
}

async fn generate(args: &Args) -> Result<Record, String> {
    let chunk_bytes = (args.sample_rate * args.chunk_ms / 1000 * 2) as usize;
    let pool = Rc::new(pool(chunk_bytes, args.seed));
    let url = format!("ws://127.0.0.1:{}", args.port);
    let mut sockets = Vec::with_capacity(args.calls);
    // TCP_NODELAY, as asyncio sets on the server's side: a media stream's small writes must
    // never wait for Nagle's algorithm.
    let connects = (0..args.calls).map(|_| tokio_tungstenite::connect_async_with_config(url.as_str(), None, true));
    for result in futures_util::future::join_all(connects).await {
        sockets.push(result.map_err(|e| format!("cannot connect to {url}: {e}"))?.0);
    }
    // Every call is started, and the server has said so, before the clock starts: N starts at
    // once are a burst of the harness's making (measured: 26 ms of this generator's loop at 320
    // calls), which must not land in the first period's chunks.
    let ids: Vec<String> = (0..args.calls).map(|i| format!("call-{:05}", args.first_call + i)).collect();
    let starts = sockets.iter_mut().zip(&ids).map(|(ws, id)| start(ws, id));
    for result in futures_util::future::join_all(starts).await {
        result?;
    }
    let chunks = (args.duration * 1000.0 / args.chunk_ms as f64).round().max(1.0) as u64;
    let period = Duration::from_millis(args.chunk_ms);
    let plan =
        Rc::new(Plan { calls: args.calls, chunks, end_spread: args.end_spread, period, origin: Instant::now() + LEAD });
    let rec = Rc::new(RefCell::new(Record::default()));
    let tasks = sockets
        .into_iter()
        .zip(ids)
        .enumerate()
        .map(|(i, (ws, id))| call(i, id, ws, Rc::clone(&pool), Rc::clone(&plan), Rc::clone(&rec)));
    let finished = Cell::new(false);
    let calls = async {
        futures_util::future::join_all(tasks).await;
        finished.set(true);
    };
    let ticker = async {
        let mut next = plan.origin;
        sleep_until(next).await;
        while !finished.get() {
            next += TICK;
            sleep_until(next).await;
            let now = Instant::now();
            rec.borrow_mut().loop_lag_ns.push((now - next).as_nanos() as u64);
            next = next.max(now - TICK); // one sample per wake, never a burst of catch-up ticks
        }
    };
    sleep_until(plan.origin).await;
    let (cpu0, wall0) = (cpu_seconds(), Instant::now());
    tokio::join!(calls, ticker);
    let (cpu, wall) = (cpu_seconds() - cpu0, wall0.elapsed().as_secs_f64());
    let mut rec = Rc::try_unwrap(rec).map_err(|_| "calls still running".to_string())?.into_inner();
    rec.cpu_s = cpu;
    rec.wall_s = wall;
    Ok(rec)
}

fn main() -> ExitCode {
    let args = Args::parse();
    if !(0.01..=600.0).contains(&args.duration) {
        eprintln!("audiobench-loadgen: --duration {} s is outside 0.01-600 s", args.duration);
        return ExitCode::from(2);
    }
    if !(0.0..=1.0).contains(&args.end_spread) {
        eprintln!("audiobench-loadgen: --end-spread {} is outside 0-1", args.end_spread);
        return ExitCode::from(2);
    }
    if let Some(cpu) = args.cpu {
        if let Err(e) = pin(cpu) {
            eprintln!("audiobench-loadgen: {e}");
            return ExitCode::from(2);
        }
    }
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("audiobench-loadgen: no runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let rec = match runtime.block_on(generate(&args)) {
        Ok(rec) => rec,
        Err(e) => {
            eprintln!("audiobench-loadgen: {e}");
            return ExitCode::from(2);
        }
    };
    let doc = serde_json::json!({
        "latency_ns": rec.latency_ns,
        "rtt_ns": rec.rtt_ns,
        "send_lag_ns": rec.send_lag_ns,
        "loop_lag_ns": rec.loop_lag_ns,
        "cpu_s": rec.cpu_s,
        "wall_s": rec.wall_s,
        "sent": rec.sent,
        "errors": rec.errors,
        "calls_equal": rec.calls_equal,
        "calls_unequal": rec.calls_unequal,
        "calls_lost": rec.calls_lost,
    });
    if let Err(e) = std::fs::write(&args.out, doc.to_string()) {
        eprintln!("audiobench-loadgen: cannot write {}: {e}", args.out.display());
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}
