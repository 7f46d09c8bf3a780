//! Gain: every float32 sample multiplied by a constant, `y = x · gain` (IEEE-754 single
//! precision, one rounding, bit-exact across tiers).

use crate::error::{AudioError, Result};
use crate::kernel::{param_f32, DynKernel, Entry, Kernel, Params};

/// Multiply by `gain`.
pub struct Gain {
    gain: f32,
}

impl Kernel for Gain {
    type In = f32;
    type Out = f32;

    fn process_into(&mut self, input: &[f32], output: &mut [f32]) -> Result<()> {
        for (o, &x) in output.iter_mut().zip(input) {
            *o = x * self.gain;
        }
        Ok(())
    }
}

fn build(_variant: &str, params: &Params) -> Result<Box<dyn DynKernel>> {
    let gain = param_f32(params, "gain")?;
    if gain.abs() > 1e6 {
        return Err(AudioError::InvalidParameter { name: "gain", reason: format!("{gain} is beyond ±1e6") });
    }
    Ok(Box::new(Gain { gain }))
}

/// `gain` in the kernel registry.
pub const KERNEL: Entry =
    Entry { op: "gain", variants: &["default"], json_node: "AudioGain", fast_node: "FastGainNode", build };
