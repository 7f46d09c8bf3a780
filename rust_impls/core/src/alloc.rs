//! Fallible output allocation.
//!
//! Allocating wrappers must turn an impossible size into [`AudioError::Allocation`] (a
//! `MemoryError` in Python) instead of aborting the process, which is what `vec![0; n]`
//! does on failure.

use crate::error::{AudioError, Result};
use bytemuck::Zeroable;

/// A zero-filled vector of `len` elements, or an error naming the buffer.
///
/// Uses `alloc_zeroed` under the hood, so large buffers come from fresh zero pages without a
/// memset pass.
pub fn zeroed_vec<T: Zeroable + Copy>(name: &'static str, len: usize) -> Result<Vec<T>> {
    let bytes = len.saturating_mul(std::mem::size_of::<T>());
    if bytes > isize::MAX as usize {
        return Err(AudioError::Allocation { name, bytes });
    }
    bytemuck::allocation::try_zeroed_vec(len).map_err(|()| AudioError::Allocation { name, bytes })
}
