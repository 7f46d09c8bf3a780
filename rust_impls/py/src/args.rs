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
    /// Threads a multi-threaded object splits each call across: at least one (the caller).
    threads,
    usize,
    "threads",
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

fn not_bytes(obj: &Bound<'_, PyAny>, name: &str) -> PyErr {
    PyTypeError::new_err(format!("`{name}` must be bytes, got {}", type_name(obj)))
}

fn not_str(obj: &Bound<'_, PyAny>, name: &str) -> PyErr {
    PyTypeError::new_err(format!("`{name}` must be str, got {}", type_name(obj)))
}

fn text<'a>(s: &'a Bound<'_, PyString>, name: &str) -> PyResult<std::borrow::Cow<'a, str>> {
    s.to_cow().map_err(|_| PyValueError::new_err(format!("`{name}` must be valid Unicode text, got {s:?}")))
}

/// `obj` as the bytes of a `bytes` object; anything else is a TypeError naming `name`.
pub fn bytes_of<'a>(obj: &'a Bound<'_, PyAny>, name: &str) -> PyResult<&'a [u8]> {
    obj.cast::<PyBytes>().map(|b| b.as_bytes()).map_err(|_| not_bytes(obj, name))
}

/// `obj` as text; a non-str is a TypeError and a str that is not valid Unicode (a lone
/// surrogate) a ValueError, both naming `name`.
pub fn str_of<'a>(obj: &'a Bound<'_, PyAny>, name: &str) -> PyResult<std::borrow::Cow<'a, str>> {
    text(obj.cast::<PyString>().map_err(|_| not_str(obj, name))?, name)
}

/// The bytes of every element of the list argument `name`. The element name (`name[i]`) is
/// formatted only for a refusal: this runs once per chunk inside a timed call.
pub fn bytes_items<'a>(items: &'a [Bound<'_, PyAny>], name: &str) -> PyResult<Vec<&'a [u8]>> {
    items
        .iter()
        .enumerate()
        .map(|(i, c)| c.cast::<PyBytes>().map(|b| b.as_bytes()).map_err(|_| not_bytes(c, &format!("{name}[{i}]"))))
        .collect()
}

/// The text of every element of the list argument `name` (see [`str_of`]).
pub fn str_items<'a>(items: &'a [Bound<'_, PyAny>], name: &str) -> PyResult<Vec<std::borrow::Cow<'a, str>>> {
    items
        .iter()
        .enumerate()
        .map(|(i, c)| match c.cast::<PyString>() {
            Ok(s) => text(s, &format!("{name}[{i}]")),
            Err(_) => Err(not_str(c, &format!("{name}[{i}]"))),
        })
        .collect()
}
