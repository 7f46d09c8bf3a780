//! The `rust-direct` tier: plain functions over slices that write into caller-provided
//! output (`*_into`), plus allocating wrappers. No nodes, no JSON, no `Arc`. [`parallel`]
//! splits the resampler and the pipeline across threads (`rust-direct-mt`).

pub mod b64;
pub mod convert;
pub mod parallel;
pub mod pipeline;
pub(crate) mod polyphase;
pub mod resample;
pub mod vad;

use crate::kernel::Entry;

/// The sample kernels ([`crate::kernel`]): one line each, beside its module.
pub const KERNELS: &[Entry] = &[convert::KERNEL];
