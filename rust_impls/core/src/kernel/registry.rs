//! Every sample kernel, declared once: its operation, variants and constructor.
//!
//! The bindings, the JSON node factory, the criterion groups and the native profiler look
//! kernels up here by operation and variant; adding a kernel is its module in `direct/` and
//! one line in `direct::KERNELS`.

use crate::error::{AudioError, Result};
use crate::kernel::{DynKernel, Entry, Params};

/// Every sample kernel, as `direct` declares them beside their modules.
pub const KERNELS: &[Entry] = crate::direct::KERNELS;

/// The entry of operation `op`.
pub fn entry(op: &str) -> Result<&'static Entry> {
    KERNELS.iter().find(|e| e.op == op).ok_or_else(|| AudioError::InvalidParameter {
        name: "op",
        reason: format!(
            "no sample kernel `{op}` (known: {})",
            KERNELS.iter().map(|e| e.op).collect::<Vec<_>>().join(", ")
        ),
    })
}

/// The entry whose JSON node is registered as `node_type`, if any.
pub fn by_json_node(node_type: &str) -> Option<&'static Entry> {
    KERNELS.iter().find(|e| e.json_node == node_type)
}

/// The kernel of `op`/`variant` built from `params`.
pub fn build(op: &str, variant: &str, params: &Params) -> Result<Box<dyn DynKernel>> {
    let e = entry(op)?;
    if !e.variants.contains(&variant) {
        return Err(AudioError::InvalidParameter {
            name: "variant",
            reason: format!("{op} has no variant `{variant}` (expected one of {})", e.variants.join(", ")),
        });
    }
    (e.build)(variant, params)
}
