//! The generator's refusals: bad arguments and an unreachable server exit 2 with the reason on
//! stderr and write no result.

use std::net::TcpListener;
use std::process::Command;

fn run(args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_audiobench-loadgen")).args(args).output().expect("the generator runs");
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_duration_outside_its_range_exits_2() {
    let dir = std::env::temp_dir().join("audiobench-loadgen-duration");
    let out = dir.to_string_lossy().into_owned();
    let (code, err) = run(&["--port", "9", "--calls", "1", "--duration", "0", "--out", &out]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--duration 0 s is outside"), "{err}");
    assert!(!dir.exists());
}

#[test]
fn a_chunk_period_outside_10_to_100_ms_exits_2() {
    let (code, err) = run(&["--port", "9", "--calls", "1", "--chunk-ms", "5", "--out", "unused.json"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--chunk-ms"), "{err}");
}

#[test]
fn a_sample_rate_outside_8_to_48_khz_exits_2() {
    for rate in ["0", "96000", "-1"] {
        let arg = format!("--sample-rate={rate}"); // `=`: "-1" is a value, not a flag
        let (code, err) = run(&["--port", "9", "--calls", "1", &arg, "--out", "unused.json"]);
        assert_eq!(code, Some(2), "{rate}");
        assert!(err.contains("--sample-rate"), "{err}");
    }
}

#[test]
fn an_end_spread_outside_0_to_1_exits_2() {
    for spread in ["1.5", "-0.1", "NaN"] {
        let arg = format!("--end-spread={spread}");
        let (code, err) = run(&["--port", "9", "--calls", "1", &arg, "--out", "unused.json"]);
        assert_eq!(code, Some(2), "{spread}");
        assert!(err.contains("--end-spread"), "{err}");
    }
}

#[test]
fn a_server_that_is_not_there_exits_2_naming_it() {
    // A port just freed: nothing listens on it.
    let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
    let out = std::env::temp_dir().join(format!("audiobench-loadgen-{port}.json"));
    let (code, err) =
        run(&["--port", &port.to_string(), "--calls", "2", "--duration", "0.1", "--out", &out.to_string_lossy()]);
    assert_eq!(code, Some(2));
    assert!(err.contains(&format!("cannot connect to ws://127.0.0.1:{port}")), "{err}");
    assert!(!out.exists());
}
