//! Every sample kernel of the registry (`convert`, and any kernel added there), stage by stage,
//! from the kernel trait alone. The study's profiled case is convert's (1M f32→i16).

use audiobench_core::fast::{AudioData, FastAudioNode};
use audiobench_core::json::kernel_node as json;
use audiobench_core::kernel::fast::FastKernelNode;
use audiobench_core::kernel::{registry, DynKernel, Params, Samples, SliceRef};

use super::one_node_task;
use crate::inputs::Input;
use crate::measure::Profiler;

const PROCESS: &str = "processing (parse + work + output Value)";
const FAST_PROCESS: &str = "process_audio (drops the input buffer)";

/// Whether `op` is a registry kernel (profiled here).
pub fn handles(op: &str) -> bool {
    registry::entry(op).is_ok()
}

pub fn profile(p: &mut Profiler, op: &str, variant: &str, params: &Params, input: &Input, tier: &str) -> Option<()> {
    let x = match input {
        Input::F32(x) => SliceRef::F32(x),
        Input::I16(x) => SliceRef::I16(x),
        _ => return None,
    };
    let build = || registry::build(op, variant, params).expect("kernel");
    if build().input_format() != x.format() {
        return None;
    }
    match tier {
        "rust-json" => json_tier(p, op, variant, params, x, build),
        "rust-fast" => fast_tier(p, op, variant, params, x, build),
        "rust-direct" => {
            let (mut ka, mut kb) = (build(), build());
            let len = ka.output_len(x.len());
            let (mut a, mut b) = (out(ka.as_ref(), len), out(kb.as_ref(), len));
            p.staged(
                || ka.process_into_dyn(x, a.as_mut()).expect("kernel"),
                |c| {
                    c.step("kernel into preallocated output", || kb.process_into_dyn(x, b.as_mut()).expect("kernel"));
                },
            );
        }
        "rust-direct-alloc" => {
            let (mut ka, mut kb) = (build(), build());
            let len = ka.output_len(x.len());
            let format = kb.output_format();
            p.staged(
                || ka.process_dyn(x).expect("kernel"),
                |c| {
                    let mut o = c.step("allocate output (zeroed)", || Samples::zeroed(format, len).expect("alloc"));
                    c.step("kernel", || kb.process_into_dyn(x, o.as_mut()).expect("kernel"));
                },
            );
        }
        _ => return None,
    }
    Some(())
}

fn out(k: &dyn DynKernel, len: usize) -> Samples {
    Samples::zeroed(k.output_format(), len).expect("alloc")
}

fn json_tier(
    p: &mut Profiler,
    op: &str,
    variant: &str,
    params: &Params,
    x: SliceRef<'_>,
    build: impl Fn() -> Box<dyn DynKernel>,
) {
    let spec = json::spec(op, variant, params).expect("spec");
    p.staged(
        || json::call(op, variant, params, x).expect("json call"),
        |c| {
            let value =
                c.step("JSON creation (input Vec → Value)", || json::to_value(x, 0, 1).expect("JSON creation"));
            let out = one_node_task(c, spec.clone(), "initialization", PROCESS, value);
            let samples =
                c.step("output serialization (Value → caller's Vec)", || json::parse(&out[0]).expect("parse"));
            c.step("drop output Value", || drop(out));
            drop(samples);
        },
    );
    p.part(
        PROCESS,
        "parse input Value → Vec",
        || json::to_value(x, 0, 1).expect("JSON creation"),
        |v| {
            let parsed = json::parse(&v).expect("parse");
            (v, parsed)
        },
    );
    let mut k = build();
    p.part(PROCESS, "work (allocating kernel)", || (), |_| k.process_dyn(x).expect("kernel"));
    let mut k = build();
    p.part(
        PROCESS,
        "output Value (Vec → Value)",
        || k.process_dyn(x).expect("kernel"),
        |v| (json::to_value(v.as_ref(), 0, 1).expect("JSON creation"), v),
    );
    p.part(PROCESS, "drop input Value", || json::to_value(x, 0, 1).expect("JSON creation"), drop);
}

fn fast_tier(
    p: &mut Profiler,
    op: &str,
    variant: &str,
    params: &Params,
    x: SliceRef<'_>,
    build: impl Fn() -> Box<dyn DynKernel>,
) {
    // Two equal nodes: the real call and the staged one each own one.
    let node = || FastKernelNode::new(op, variant, params).expect("node");
    let (mut a, mut b) = (node(), node());
    let data = |s: Samples| AudioData::new(s.into_buffer(), 0, 1);
    p.staged(
        || Samples::from_buffer(a.process_audio(data(Samples::copied(x).expect("copy"))).expect("process").buffer),
        |c| {
            let v = c.step("copy input view → Vec", || Samples::copied(x).expect("copy"));
            let d = c.step("wrap Vec → Arc → AudioData", || data(v));
            let out = c.step(FAST_PROCESS, || b.process_audio(d).expect("process"));
            let samples = c.step("unwrap Arc → Vec", || Samples::from_buffer(out.buffer));
            drop(samples);
        },
    );
    let mut k = build();
    p.part(FAST_PROCESS, "work (allocating kernel)", || (), |_| k.process_dyn(x).expect("kernel"));
    p.part(FAST_PROCESS, "drop input buffer", || data(Samples::copied(x).expect("copy")), drop);
}
