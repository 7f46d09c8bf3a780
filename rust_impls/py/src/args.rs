//! Integer arguments converted with messages that name them.
//!
//! PyO3's own conversion reports a negative or too-large int as a bare `OverflowError`
//! ("can't convert negative int to unsigned") that does not say which argument was wrong;
//! these say which, and what range is accepted. Used through `#[pyo3(from_py_with = ...)]`.

use pyo3::exceptions::{PyOverflowError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

macro_rules! unsigned_arg {
    ($(#[$doc:meta])* $fn_name:ident, $ty:ty, $arg:literal, $min:expr) => {
        $(#[$doc])*
        pub fn $fn_name(obj: &Bound<'_, PyAny>) -> PyResult<$ty> {
            let value: $ty = obj.extract().map_err(|e: PyErr| {
                let py = obj.py();
                if e.is_instance_of::<PyOverflowError>(py) {
                    PyValueError::new_err(format!(
                        "`{}` must be an integer from {} to {}, got {obj}",
                        $arg,
                        $min,
                        <$ty>::MAX
                    ))
                } else if e.is_instance_of::<PyTypeError>(py) {
                    let ty = obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into());
                    PyTypeError::new_err(format!("`{}` must be an int, got {ty}", $arg))
                } else {
                    e
                }
            })?;
            #[allow(unused_comparisons)] // `$min` is 0 for most arguments
            if value < $min {
                return Err(PyValueError::new_err(format!("`{}` must be at least {}, got {value}", $arg, $min)));
            }
            Ok(value)
        }
    };
}

unsigned_arg!(
    /// A sample rate in Hz (whether a rate is usable is the kernel's to say).
    sample_rate,
    u32,
    "sample_rate",
    0
);
unsigned_arg!(
    /// A channel count for a reusable object: at least one.
    channels,
    usize,
    "channels",
    1
);
unsigned_arg!(
    /// Frames per channel.
    frames,
    usize,
    "frames",
    0
);
unsigned_arg!(
    /// Bytes pre-allocated per call.
    capacity_per_call,
    usize,
    "capacity_per_call",
    0
);

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into())
}

/// `obj` as the bytes of a `bytes` object; anything else is a TypeError naming `name`.
pub fn bytes_of<'a>(obj: &'a Bound<'_, PyAny>, name: &str) -> PyResult<&'a [u8]> {
    obj.cast::<PyBytes>()
        .map(|b| b.as_bytes())
        .map_err(|_| PyTypeError::new_err(format!("`{name}` must be bytes, got {}", type_name(obj))))
}

/// `obj` as text; a non-str is a TypeError and a str that is not valid Unicode (a lone
/// surrogate) a ValueError, both naming `name`.
pub fn str_of<'a>(obj: &'a Bound<'_, PyAny>, name: &str) -> PyResult<std::borrow::Cow<'a, str>> {
    let s = obj
        .cast::<PyString>()
        .map_err(|_| PyTypeError::new_err(format!("`{name}` must be str, got {}", type_name(obj))))?;
    s.to_cow().map_err(|_| PyValueError::new_err(format!("`{name}` must be valid Unicode text, got {s:?}")))
}
