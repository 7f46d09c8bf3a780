use serde_json::json;

use super::fast::FastKernelNode;
use super::registry::{self, KERNELS};
use super::*;
use crate::direct::convert;
use crate::fast::{AudioData, FastAudioNode};
use crate::json::executor::run_chain;
use crate::json::kernel_node::{call, JsonKernelNode};
use crate::json::NodeSpec;

const X: [f32; 5] = [0.0, 0.5, -1.0, 1.0, 0.25];

/// A kernel that is not in the registry: its adapters come from the trait alone.
struct Gain(f32);

impl Kernel for Gain {
    type In = f32;
    type Out = f32;
    fn process_into(&mut self, input: &[f32], output: &mut [f32]) -> Result<()> {
        for (o, &x) in output.iter_mut().zip(input) {
            *o = x * self.0;
        }
        Ok(())
    }
}

#[test]
fn process_is_process_into_on_a_new_buffer() {
    let mut k = Gain(0.5);
    let mut out = [0.0; 5];
    k.process_into(&X, &mut out).unwrap();
    assert_eq!(k.process(&X).unwrap(), out.to_vec());
}

#[test]
fn the_dynamic_kernel_checks_formats_and_lengths() {
    let mut k: Box<dyn DynKernel> = Box::new(Gain(2.0));
    assert_eq!((k.input_format(), k.output_format()), (Format::F32, Format::F32));
    let mut short = [0.0f32; 4];
    let e = k.process_into_dyn(SliceRef::F32(&X), SliceMut::F32(&mut short)).unwrap_err();
    assert!(matches!(e, AudioError::OutputLength { expected: 5, actual: 4, .. }), "{e}");
    let e = k.process_dyn(SliceRef::I16(&[1, 2])).unwrap_err();
    assert!(matches!(e, AudioError::SampleFormat { expected: "f32", actual: "i16", .. }), "{e}");
    let mut ints = [0i16; 5];
    assert!(k.process_into_dyn(SliceRef::F32(&X), SliceMut::I16(&mut ints)).is_err());
    assert_eq!(k.process_dyn(SliceRef::F32(&X)).unwrap(), Samples::F32(X.iter().map(|x| x * 2.0).collect()));
}

#[test]
fn every_tier_of_a_registered_kernel_gives_the_direct_result() {
    for e in KERNELS {
        for &variant in e.variants {
            let mut k = registry::build(e.op, variant, &Params::new()).unwrap();
            let input = match k.input_format() {
                Format::F32 => SliceRef::F32(&X),
                Format::I16 => SliceRef::I16(&[0, 1, -32768, 32767, 1000]),
                Format::I32 => SliceRef::I32(&[0, 1, -5, 7, 9]),
            };
            let direct = k.process_dyn(input).unwrap();
            let json = call(e.op, variant, &Params::new(), input).unwrap();
            assert_eq!(json, direct, "{}/{variant} rust-json", e.op);
            let mut node = FastKernelNode::new(e.op, variant, &Params::new()).unwrap();
            let buffer = match input {
                SliceRef::F32(x) => AudioBuffer::new_f32(x.to_vec()),
                SliceRef::I16(x) => AudioBuffer::new_i16(x.to_vec()),
                SliceRef::I32(x) => AudioBuffer::new_i32(x.to_vec()),
            };
            let out = node.process_audio(AudioData::new(buffer, 44_100, 1)).unwrap();
            assert_eq!((out.sample_rate, out.channels, out.buffer.len()), (44_100, 1, input.len()));
            assert_eq!(node.name(), e.fast_node);
        }
    }
}

#[test]
fn convert_through_the_registry_is_the_direct_kernel() {
    let mut k = registry::build("convert", "f32_i16", &Params::new()).unwrap();
    assert_eq!(k.process_dyn(SliceRef::F32(&X)).unwrap(), Samples::I16(convert::f32_to_i16(&X).unwrap()));
}

#[test]
fn unknown_kernels_and_variants_are_refused_by_name() {
    let e = registry::build("gain", "default", &Params::new()).err().unwrap().to_string();
    assert!(e.contains("no sample kernel `gain`") && e.contains("convert"), "{e}");
    let e = registry::build("convert", "f64_u8", &Params::new()).err().unwrap().to_string();
    assert!(e.contains("f64_u8"), "{e}");
    assert!(FastKernelNode::new("nope", "x", &Params::new()).is_err());
}

#[test]
fn the_json_node_is_created_by_its_registered_type_and_checks_its_params() {
    let node = JsonKernelNode::from_params("AudioFormatConverter", &json!({"variant": "i16_i32"})).unwrap();
    assert!(format!("{node:?}").contains("AudioFormatConverter"));
    for (params, path) in [(json!(3), "params/"), (json!({"variant": 1}), "params/variant")] {
        match JsonKernelNode::from_params("AudioFormatConverter", &params).unwrap_err() {
            AudioError::Json { path: p, .. } => assert_eq!(p, path),
            other => panic!("{other}"),
        }
    }
    let spec = NodeSpec::new("c", "AudioFormatConverter", json!({"variant": "f32_i16"}));
    let out = run_chain(vec![spec], crate::json::audio::to_value(&X, 16_000, 1).unwrap()).unwrap().output;
    assert_eq!(out["sample_rate"], 16_000);
    assert_eq!(out["format"], "i16");
}

#[test]
fn number_parameters_are_finite_float32() {
    let p = |v: serde_json::Value| json!({ "gain": v }).as_object().unwrap().clone();
    assert_eq!(param_f32(&p(json!(2)), "gain").unwrap(), 2.0);
    assert_eq!(param_f32(&p(json!(0.5)), "gain").unwrap(), 0.5);
    for bad in [json!("x"), json!(1e300), json!(null)] {
        assert!(param_f32(&p(bad), "gain").is_err());
    }
    assert!(param_f32(&Params::new(), "gain").unwrap_err().to_string().contains("gain"));
}
