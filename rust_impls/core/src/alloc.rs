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

/// A copy of `samples` in a new vector, or an error naming the buffer when it cannot be
/// allocated (`to_vec` would abort the process instead).
pub fn copied_vec<T: Copy>(name: &'static str, samples: &[T]) -> Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(samples.len())
        .map_err(|_| AudioError::Allocation { name, bytes: samples.len().saturating_mul(std::mem::size_of::<T>()) })?;
    v.extend_from_slice(samples);
    Ok(v)
}
