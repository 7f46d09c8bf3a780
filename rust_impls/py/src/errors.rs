//! The exception hierarchy of `audiobench._rust`, and the one place core errors become Python
//! exceptions.
//!
//! Core errors cannot implement `From<AudioError> for PyErr` here (both types are foreign:
//! the orphan rule), so call sites wrap them: `kernel(..).map_err(PyAudioError)?`.

use audiobench_core::AudioError as CoreError;
use pyo3::create_exception;
use pyo3::exceptions::{PyMemoryError, PyValueError};
use pyo3::prelude::*;

create_exception!(
    audiobench._rust,
    AudioError,
    PyValueError,
    "Base class of every error an audiobench kernel raises for bad input; a ValueError."
);
create_exception!(
    audiobench._rust,
    Base64DecodeError,
    AudioError,
    "A base64 chunk did not decode; the message names call and chunk."
);
create_exception!(
    audiobench._rust,
    UnknownCallError,
    AudioError,
    "A call id the buffer manager does not hold (or already handed out)."
);
create_exception!(
    audiobench._rust,
    BufferFullError,
    AudioError,
    "A caller-provided call buffer is too small for the decoded bytes."
);
create_exception!(audiobench._rust, JsonNodeError, AudioError, "A JSON-tier node refused its input or parameters.");

/// A core error on its way to becoming a Python exception.
#[derive(Debug)]
pub struct PyAudioError(pub CoreError);

impl From<CoreError> for PyAudioError {
    fn from(e: CoreError) -> Self {
        Self(e)
    }
}

impl From<PyAudioError> for PyErr {
    fn from(e: PyAudioError) -> PyErr {
        let msg = e.0.to_string();
        match e.0 {
            CoreError::Allocation { .. } => PyMemoryError::new_err(msg),
            CoreError::Base64 { .. } => Base64DecodeError::new_err(msg),
            CoreError::UnknownCall { .. } => UnknownCallError::new_err(msg),
            CoreError::BufferFull { .. } => BufferFullError::new_err(msg),
            CoreError::Json { .. } | CoreError::UnknownNode(_) | CoreError::NotInitialized { .. } => {
                JsonNodeError::new_err(msg)
            }
            _ => AudioError::new_err(msg),
        }
    }
}

/// Register the exception classes on the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("AudioError", py.get_type::<AudioError>())?;
    m.add("Base64DecodeError", py.get_type::<Base64DecodeError>())?;
    m.add("UnknownCallError", py.get_type::<UnknownCallError>())?;
    m.add("BufferFullError", py.get_type::<BufferFullError>())?;
    m.add("JsonNodeError", py.get_type::<JsonNodeError>())?;
    Ok(())
}
