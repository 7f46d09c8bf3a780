//! The `rust-direct` tier: plain functions over slices that write into caller-provided
//! output (`*_into`), plus allocating wrappers. No nodes, no JSON, no `Arc`.

pub mod b64;
pub mod convert;
pub mod pipeline;
pub mod resample;
pub mod vad;
