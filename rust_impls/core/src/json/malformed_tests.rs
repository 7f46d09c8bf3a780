//! Malformed input for every JSON-tier node: each case must come back as a typed error that
//! names the node and the offending path, never as a panic (or a stack overflow, which is
//! worse: it aborts the process).

use std::panic::{catch_unwind, AssertUnwindSafe};

use serde_json::{json, Map, Value};

use crate::direct::convert::KERNEL as CONVERT;
use crate::error::{AudioError, Result};
use crate::json::audio;
use crate::json::executor::run_chain;
use crate::json::nodes::{JsonChunkBufferNode, JsonResampleNode, JsonVadNode};
use crate::json::{create_node, NodeContext, NodeSpec};

/// Nesting used for the deep cases: far beyond serde_json's parse limit of 128, reachable only
/// by building the value in memory.
const DEEP: usize = 10_000;

/// Samples in the huge cases: large enough to matter, small enough for any test machine.
const HUGE: usize = 3_000_000;

/// Create, initialise and run one node on a current-thread runtime, outside the executor, so a
/// panic reaches the test instead of being turned into `AudioError::Executor` by the join.
fn run(node_type: &str, params: Value, input: Value) -> Result<Vec<Value>> {
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let spec = NodeSpec::new("n", node_type, params);
    let node = create_node(&spec);
    // The deep cases' params would overflow the stack in serde_json's recursive drop.
    audio::drop_value(spec.params);
    rt.block_on(async {
        let mut node = node?;
        node.initialize(&NodeContext::default()).await?;
        node.process(input).await
    })
}

/// Run a case, failing with its label if it panics.
fn no_panic(label: &str, node_type: &str, params: Value, input: Value) -> Result<Vec<Value>> {
    match catch_unwind(AssertUnwindSafe(|| run(node_type, params, input))) {
        Ok(result) => result,
        Err(_) => panic!("{node_type}: `{label}` panicked"),
    }
}

/// Assert a case is a `Json` error from `node_type` at exactly `path`, and that the message
/// names both.
fn expect_json_err(label: &str, node_type: &str, params: Value, input: Value, path: &str) {
    let err = match no_panic(label, node_type, params, input) {
        Err(err) => err,
        Ok(out) => panic!("{node_type}: `{label}` should fail at `{path}`, got {} outputs", out.len()),
    };
    match &err {
        AudioError::Json { node, path: p, .. } => {
            assert_eq!(*node, node_type, "{label}: {err}");
            assert_eq!(p, path, "{label}: {err}");
        }
        _ => panic!("{node_type}: `{label}` should fail at `{path}`, got {err:?}"),
    }
    let msg = err.to_string();
    assert!(msg.contains(node_type) && msg.contains(&format!("`{path}`")), "{label}: {msg}");
    // The message quotes the offending value only briefly, however large the input.
    assert!(msg.len() < 300, "{label}: message of {} bytes", msg.len());
}

/// `[[[...[]...]]]`, `depth` levels, built without recursion.
fn deep_array(depth: usize) -> Value {
    let mut v = Value::Array(Vec::new());
    for _ in 0..depth {
        v = Value::Array(vec![v]);
    }
    v
}

/// `{"a": {"a": ...}}`, `depth` levels.
fn deep_object(depth: usize) -> Value {
    let mut v = Value::Null;
    for _ in 0..depth {
        let mut m = Map::new();
        m.insert("a".into(), v);
        v = Value::Object(m);
    }
    v
}

/// A well-formed audio object with `key` replaced (or removed when `value` is `None`).
fn audio_with(format: &str, rate: u32, key: &str, value: Option<Value>) -> Value {
    let mut v = json!({"type": "audio", "format": format, "sample_rate": rate, "channels": 1,
                       "samples": [0.0, 0.5, -0.5, 0.25]});
    if format != "f32" {
        v["samples"] = json!([0, 1, -1, 2]);
    }
    let obj = v.as_object_mut().unwrap();
    match value {
        Some(x) => obj.insert(key.into(), x),
        None => obj.remove(key),
    };
    v
}

/// The audio-input nodes, each with its params, its input format and its input rate.
fn audio_nodes() -> Vec<(&'static str, Value, &'static str, u32)> {
    vec![
        (CONVERT.json_node, json!({"variant": "f32_i16"}), "f32", 44_100),
        (CONVERT.json_node, json!({"variant": "i16_f32"}), "i16", 44_100),
        (CONVERT.json_node, json!({"variant": "f32_i32"}), "f32", 44_100),
        (CONVERT.json_node, json!({"variant": "i16_i32"}), "i16", 44_100),
        (JsonVadNode::TYPE, json!({"sample_rate": 16_000}), "f32", 16_000),
        (JsonResampleNode::TYPE, json!({"preset": "low", "channels": 1}), "f32", 44_100),
    ]
}

/// Values that are not numbers, and so never a sample, rate or channel count.
fn non_numbers() -> Vec<(&'static str, Value)> {
    vec![
        ("null", Value::Null),
        ("bool", json!(true)),
        ("string", json!("1")),
        ("long string", Value::from("x".repeat(1_000_000))),
        ("array", json!([1])),
        ("object", json!({"v": 1})),
        ("deep array", deep_array(DEEP)),
        ("deep object", deep_object(DEEP)),
    ]
}

#[test]
fn well_formed_audio_is_accepted_by_every_node() {
    // The baseline the malformed cases below depart from.
    for (node, params, format, rate) in audio_nodes() {
        let out = no_panic("valid", node, params, audio_with(format, rate, "type", Some(json!("audio"))));
        assert!(out.is_ok(), "{node}: {out:?}");
    }
}

#[test]
fn audio_input_that_is_not_an_object() {
    for (node, params, _, _) in audio_nodes() {
        for (label, input) in non_numbers().into_iter().chain([("number", json!(42))]) {
            // An object fails one step later, at its first missing field.
            let path = if input.is_object() { "/format" } else { "" };
            expect_json_err(label, node, params.clone(), input, path);
        }
    }
}

#[test]
fn audio_header_fields_missing_or_of_the_wrong_type() {
    for (node, params, format, rate) in audio_nodes() {
        for key in ["format", "sample_rate", "channels", "samples"] {
            expect_json_err("missing", node, params.clone(), audio_with(format, rate, key, None), &format!("/{key}"));
            for (label, bad) in non_numbers() {
                if key == "format" && label.contains("string") {
                    continue; // a string, just the wrong one: covered below
                }
                if key == "samples" && label == "array" {
                    continue; // a valid one-sample array
                }
                // A deep array as `samples` is an array whose first sample is not a number.
                let path =
                    if key == "samples" && label == "deep array" { "/samples/0".into() } else { format!("/{key}") };
                expect_json_err(label, node, params.clone(), audio_with(format, rate, key, Some(bad)), &path);
            }
        }
        let other_format = if format == "f32" { "i16" } else { "f32" };
        expect_json_err(
            "format",
            node,
            params.clone(),
            audio_with(format, rate, "format", Some(json!(other_format))),
            "/format",
        );
        for (label, bad) in
            [("negative", json!(-1)), ("float", json!(44_100.0)), ("2^40", json!(1u64 << 40)), ("1e300", json!(1e300))]
        {
            let input = audio_with(format, rate, "sample_rate", Some(bad));
            expect_json_err(label, node, params.clone(), input, "/sample_rate");
        }
        for (label, bad) in [
            ("zero", json!(0)),
            ("negative", json!(-2)),
            ("float", json!(1.5)),
            ("u64 max + 1", json!(1.8446744073709552e19)),
        ] {
            let input = audio_with(format, rate, "channels", Some(bad));
            expect_json_err(label, node, params.clone(), input, "/channels");
        }
        let ragged = audio_with(format, rate, "channels", Some(json!(3)));
        expect_json_err("ragged", node, params.clone(), ragged, "/samples");
    }
}

#[test]
fn bad_samples_are_reported_at_their_index() {
    for (node, params, format, rate) in audio_nodes() {
        let mut bad_values = non_numbers();
        bad_values.retain(|(label, _)| *label != "string"); // kept: "1" stands for every string
        bad_values.push(("string", json!("x")));
        if format == "f32" {
            bad_values.extend([("1e300", json!(1e300)), ("-1e300", json!(-1e300)), ("f64 max", json!(f64::MAX))]);
        } else {
            bad_values.extend([
                ("70000", json!(70_000)),
                ("-40000", json!(-40_000)),
                ("i64 min", json!(i64::MIN)),
                ("u64 max", json!(u64::MAX)),
                ("float", json!(1.5)),
                ("integral float", json!(2.0)),
            ]);
        }
        for (label, bad) in bad_values {
            let mut input = audio_with(format, rate, "type", Some(json!("audio")));
            input["samples"][3] = bad;
            expect_json_err(label, node, params.clone(), input, "/samples/3");
        }
    }
}

#[test]
fn limits_of_each_sample_type_are_inclusive() {
    // The edges just inside the ranges refused above still parse.
    let f =
        json!({"format": "f32", "sample_rate": 1, "channels": 1, "samples": [3.4028234663852886e38, -3.4e38, 1e-300]});
    assert_eq!(audio::from_value::<f32>("t", &f).unwrap().samples, [f32::MAX, -3.4e38, 0.0]);
    let i = json!({"format": "i16", "sample_rate": 1, "channels": 1, "samples": [-32768, 32767]});
    assert_eq!(audio::from_value::<i16>("t", &i).unwrap().samples, [i16::MIN, i16::MAX]);
    for (bad, path) in [(json!([0, -1]), "/samples/1"), (json!([256]), "/samples/0"), (json!([0.5]), "/samples/0")] {
        let v = json!({"format": "u8", "sample_rate": 1, "channels": 1, "samples": bad});
        match audio::from_value::<u8>("t", &v) {
            Err(AudioError::Json { path: p, .. }) => assert_eq!(p, path),
            other => panic!("{v}: {other:?}"),
        }
    }
    let v = json!({"format": "i32", "sample_rate": 1, "channels": 1, "samples": [2_147_483_648u64]});
    assert!(audio::from_value::<i32>("t", &v).is_err());
}

#[test]
fn deep_values_are_refused_or_ignored_without_overflowing_the_stack() {
    // Processing, formatting the error and dropping a 10k-deep value must all stay off the
    // recursion path. The test thread's 2 MiB stack is smaller than a main thread's.
    for (node, params, format, rate) in audio_nodes() {
        let mut input = audio_with(format, rate, "type", Some(json!("audio")));
        input["samples"] = deep_array(DEEP);
        expect_json_err("samples deep", node, params.clone(), input, "/samples/0");
        let mut input = audio_with(format, rate, "type", Some(json!("audio")));
        input["extra"] = deep_object(DEEP);
        input["type"] = deep_array(DEEP);
        input["longer"] = deep_array(10 * DEEP);
        // Unknown and unread fields are ignored; the node drops the value, or passes it on
        // (the VAD node), and then the receiver must drop it without recursion as well.
        let out = no_panic("extra deep", node, params.clone(), input);
        assert!(out.is_ok(), "{node}");
        out.unwrap().into_iter().for_each(audio::drop_value);
    }
    // Not `json!`: it copies its values by serialising them, which recurses.
    let mut deep_params = json!({});
    deep_params["sample_rate"] = deep_array(DEEP);
    expect_json_err("params deep", JsonVadNode::TYPE, deep_params, json!(null), "params/sample_rate");
}

#[test]
fn huge_sample_arrays() {
    // Valid: a few million samples go through.
    let samples: Vec<f32> = (0..HUGE).map(|i| (i % 100) as f32 / 100.0).collect();
    let out = no_panic(
        "huge",
        CONVERT.json_node,
        json!({"variant": "f32_i16"}),
        audio::to_value(&samples, 44_100, 2).unwrap(),
    )
    .unwrap();
    assert_eq!(audio::from_value::<i16>("t", &out[0]).unwrap().samples.len(), HUGE);
    // Invalid at the very end: the index is exact, and no node processes a partial buffer.
    for (node, params, format, rate) in audio_nodes() {
        let mut input = if format == "f32" {
            audio::to_value(&samples, rate, 1).unwrap()
        } else {
            audio::to_value(&vec![1i16; HUGE], rate, 1).unwrap()
        };
        input["samples"][HUGE - 1] = json!("x");
        expect_json_err("huge, last bad", node, params, input, &format!("/samples/{}", HUGE - 1));
    }
}

#[test]
fn extreme_but_well_formed_headers_do_not_panic() {
    // A channel count no buffer can match, with no samples at all; a rate the node was not
    // configured for. Errors are fine (they are typed), panics are not.
    for (node, params, format, rate) in audio_nodes() {
        let mut input = audio_with(format, rate, "samples", Some(json!([])));
        input["channels"] = json!(u64::MAX);
        let _ = no_panic("u64::MAX channels", node, params.clone(), input);
        let input = audio_with(format, u32::MAX, "type", Some(json!("audio")));
        let _ = no_panic("u32::MAX rate", node, params.clone(), input);
    }
    let input = audio_with("f32", 44_100, "channels", Some(json!(2)));
    let err = no_panic("channels", JsonResampleNode::TYPE, json!({"channels": 1}), input).unwrap_err();
    assert!(matches!(err, AudioError::WrongNumberOfChannels { expected: 1, actual: 2 }), "{err}");
    let err =
        no_panic("rate", JsonVadNode::TYPE, json!({"sample_rate": 16_000}), audio_with("f32", 8_000, "type", None))
            .unwrap_err();
    assert!(matches!(err, AudioError::SampleRate { actual: 8_000, .. }), "{err}");
}

#[test]
fn malformed_params_are_refused_when_the_node_is_created() {
    let cases: Vec<(&str, Value, &str)> = vec![
        (CONVERT.json_node, json!("f32_i16"), "params/"),
        (CONVERT.json_node, json!([1, 2]), "params/"),
        (CONVERT.json_node, deep_array(DEEP), "params/"),
        (CONVERT.json_node, json!({"variant": 5}), "params/variant"),
        (JsonVadNode::TYPE, json!(true), "params/"),
        (JsonVadNode::TYPE, json!({"sample_rate": -1}), "params/sample_rate"),
        (JsonVadNode::TYPE, json!({"sample_rate": 1u64 << 40}), "params/sample_rate"),
        (JsonVadNode::TYPE, json!({"sample_rate": "16000"}), "params/sample_rate"),
        (JsonVadNode::TYPE, json!({"threshold": "high"}), "params/threshold"),
        (JsonResampleNode::TYPE, json!({"preset": null}), "params/preset"),
        (JsonResampleNode::TYPE, json!({"channels": -1}), "params/channels"),
        (JsonResampleNode::TYPE, json!({"channels": 1.5}), "params/channels"),
        (JsonChunkBufferNode::TYPE, json!({"capacity_per_call": -1}), "params/capacity_per_call"),
        (JsonChunkBufferNode::TYPE, json!({"sample_rate": 1u64 << 33}), "params/sample_rate"),
    ];
    for (node, params, path) in cases {
        let spec = NodeSpec::new("n", node, params);
        match create_node(&spec) {
            Err(AudioError::Json { node: n, path: p, .. }) => {
                assert_eq!((n, p.as_str()), (node, path), "{}", audio::describe(&spec.params))
            }
            Err(e) => panic!("{node}: {e}"),
            Ok(_) => panic!("{node}: accepted {}", audio::describe(&spec.params)),
        }
        audio::drop_value(spec.params);
    }
    // Well-typed but out of domain: refused by the kernels' own checks, at creation or
    // initialisation, as `InvalidParameter` / `SampleRate` / `WrongNumberOfChannels`.
    let domain: Vec<(&str, Value)> = vec![
        (CONVERT.json_node, json!({"variant": "f64_u8"})),
        (JsonVadNode::TYPE, json!({"sample_rate": 0})),
        (JsonVadNode::TYPE, json!({"threshold": -1})),
        (JsonVadNode::TYPE, json!({"threshold": 1e300})),
        (JsonResampleNode::TYPE, json!({"preset": "ultra"})),
        (JsonResampleNode::TYPE, json!({"channels": 0})),
        (JsonResampleNode::TYPE, json!({"channels": 1_000_000_000_000u64})),
    ];
    for (node, params) in domain {
        let err = no_panic("domain", node, params.clone(), json!({})).unwrap_err();
        assert!(!matches!(err, AudioError::Json { .. }), "{node} {params}: {err}");
        assert!(err.to_string().len() < 300, "{err}");
    }
}

#[test]
fn chunk_buffer_messages() {
    let node = JsonChunkBufferNode::TYPE;
    let params = json!({"capacity_per_call": 64});
    for (label, input) in non_numbers().into_iter().chain([("number", json!(1))]) {
        let path = if input.is_object() { "/op" } else { "" };
        expect_json_err(label, node, params.clone(), input, path);
    }
    let append = |key: &str, value: Option<Value>| {
        let mut v = json!({"op": "append", "call_id": "a", "data": "aGVsbG8="});
        match value {
            Some(x) => v[key] = x,
            None => drop(v.as_object_mut().unwrap().remove(key)),
        }
        v
    };
    for key in ["op", "call_id", "data"] {
        expect_json_err("missing", node, params.clone(), append(key, None), &format!("/{key}"));
        for (label, bad) in non_numbers() {
            if label.contains("string") {
                continue;
            }
            expect_json_err(label, node, params.clone(), append(key, Some(bad)), &format!("/{key}"));
        }
    }
    expect_json_err("unknown op", node, params.clone(), append("op", Some(json!("APPEND"))), "/op");
    expect_json_err("long op", node, params.clone(), append("op", Some(Value::from("x".repeat(1_000_000)))), "/op");
    // Strings that are not base64: a typed decode error naming the call.
    for data in ["!!!!", "aGVsbG8", "aGVsbG8=aGVsbG8=", "\u{e9}\u{e9}\u{e9}\u{e9}"] {
        let err = no_panic("base64", node, params.clone(), append("data", Some(json!(data)))).unwrap_err();
        assert!(matches!(&err, AudioError::Base64 { call_id, .. } if call_id == "a"), "{data}: {err}");
    }
    let err = no_panic("take", node, params.clone(), json!({"op": "take", "call_id": "nobody"})).unwrap_err();
    assert!(matches!(err, AudioError::UnknownCall { .. }), "{err}");
    // A buffer that can never be allocated is an error at the first append, not an abort.
    let err = no_panic("capacity", node, json!({"capacity_per_call": u64::MAX}), append("op", Some(json!("append"))))
        .unwrap_err();
    assert!(matches!(err, AudioError::Allocation { .. }), "{err}");
}

#[test]
fn pipeline_chain_reports_the_failing_node() {
    // The study's pipeline (VAD → resample → convert) through the executor. A panic inside a
    // task would surface as `AudioError::Executor`, so that variant is refused here.
    let specs = || {
        vec![
            NodeSpec::new("vad", JsonVadNode::TYPE, json!({"threshold": 0.01})),
            NodeSpec::new("resample", JsonResampleNode::TYPE, json!({"preset": "high", "channels": 1})),
            NodeSpec::new("convert", CONVERT.json_node, json!({"variant": "f32_i16"})),
        ]
    };
    let mut bad_sample = audio_with("f32", 44_100, "type", None);
    bad_sample["samples"][3] = json!(1e300);
    let mut deep = audio_with("f32", 44_100, "type", None);
    deep["samples"][2] = deep_array(DEEP);
    let cases = [
        (json!(null), ""),
        (json!("audio"), ""),
        (audio_with("f32", 44_100, "samples", None), "/samples"),
        (audio_with("f32", 44_100, "samples", Some(json!({"0": 1}))), "/samples"),
        (audio_with("f32", 44_100, "channels", Some(json!(-1))), "/channels"),
        (bad_sample, "/samples/3"),
        (deep, "/samples/2"),
    ];
    for (input, path) in cases {
        match run_chain(specs(), input) {
            Err(AudioError::Json { node, path: p, .. }) => assert_eq!((node, p.as_str()), (JsonVadNode::TYPE, path)),
            other => panic!("pipeline, {path}: {other:?}"),
        }
    }
    // A rate the resampler refuses passes the VAD (configured for it) and fails one node later.
    let specs_at_16k = vec![
        NodeSpec::new("vad", JsonVadNode::TYPE, json!({"sample_rate": 16_000})),
        NodeSpec::new("resample", JsonResampleNode::TYPE, json!({"channels": 1})),
    ];
    let err = run_chain(specs_at_16k, audio_with("f32", 16_000, "type", None)).unwrap_err();
    assert!(matches!(err, AudioError::SampleRate { actual: 16_000, .. }), "{err}");
}
