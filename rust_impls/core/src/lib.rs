//! audiobench-core: the same audio operations at three Rust tiers.
//!
//! * [`direct`] — functions over slices writing into caller-provided buffers (`rust-direct`);
//! * [`fast`] — the study's `FastAudioNode` fast path over `Arc`-shared buffers (`rust-fast`);
//! * [`json`] — the study's standard `NodeExecutor` nodes carrying audio as JSON number
//!   arrays on a tokio executor (`rust-json`), kept deliberately as costly as the original.
//!
//! * [`kernel`] — the one trait of the sample kernels, and the nodes every kernel gets from it.
//!
//! The crate knows nothing of Python; `rust_impls/py` wraps it.

#![warn(missing_docs)]

pub mod alloc;
pub mod direct;
pub mod error;
pub mod fast;
pub mod json;
pub mod kernel;
pub mod limit;
pub mod simd;

pub use error::{AudioError, Result};
