//! The `rust-fast` node every sample kernel gets: [`FastKernelNode`].

use crate::error::Result;
use crate::fast::{AudioData, FastAudioNode};
use crate::kernel::registry;
use crate::kernel::{DynKernel, Entry, Params};

/// A sample kernel as a fast-path node: reads the input's shared buffer, allocates the output
/// per call, keeps the rate and channel count.
pub struct FastKernelNode {
    entry: &'static Entry,
    kernel: Box<dyn DynKernel>,
}

impl FastKernelNode {
    /// The node of `op`/`variant`, its kernel built once from `params`.
    pub fn new(op: &str, variant: &str, params: &Params) -> Result<Self> {
        Ok(Self { entry: registry::entry(op)?, kernel: registry::build(op, variant, params)? })
    }

    /// The node of a kernel already built (its entry names the node).
    pub fn from_kernel(entry: &'static Entry, kernel: Box<dyn DynKernel>) -> Self {
        Self { entry, kernel }
    }

    /// The kernel (for its formats and output length).
    pub fn kernel(&self) -> &dyn DynKernel {
        self.kernel.as_ref()
    }
}

impl std::fmt::Debug for FastKernelNode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct(self.entry.fast_node).finish_non_exhaustive()
    }
}

impl FastAudioNode for FastKernelNode {
    fn name(&self) -> &'static str {
        self.entry.fast_node
    }

    fn process_audio(&mut self, input: AudioData) -> Result<AudioData> {
        let buffer = self.kernel.process_buffer(&input.buffer, self.entry.fast_node)?;
        Ok(AudioData::new(buffer, input.sample_rate, input.channels))
    }
}
