//! The one error type of the core crate.
//!
//! Every variant carries the context a user needs to find the offending input (which
//! argument, which call, which chunk, which JSON path), because the bindings turn these
//! messages into Python exceptions verbatim. Nothing in the core panics on user input;
//! every bad input maps to one of these variants.

use thiserror::Error;

/// Result alias used throughout the core crate.
pub type Result<T> = std::result::Result<T, AudioError>;

/// Everything that can go wrong in an audiobench kernel, node or buffer manager.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum AudioError {
    /// The audio has a channel count the operation cannot use (zero, or not the count the
    /// object was built for).
    #[error("wrong number of channels: expected {expected}, got {actual}")]
    WrongNumberOfChannels {
        /// What the operation or object needs.
        expected: usize,
        /// What the caller passed.
        actual: usize,
    },

    /// A planar buffer whose length is not `channels × frames`.
    #[error("buffer `{name}` has {len} samples, which is not a multiple of {channels} channels")]
    RaggedBuffer {
        /// Which argument.
        name: &'static str,
        /// Its length in samples.
        len: usize,
        /// The channel count it was split into.
        channels: usize,
    },

    /// A caller-provided output whose length does not match what the operation writes.
    #[error("output `{name}` has length {actual}, expected {expected}")]
    OutputLength {
        /// Which argument.
        name: &'static str,
        /// The length the operation writes.
        expected: usize,
        /// The length the caller passed.
        actual: usize,
    },

    /// A sample rate the operation does not support.
    #[error("unsupported sample rate {actual} Hz: {reason}")]
    SampleRate {
        /// The rate passed.
        actual: u64,
        /// Why it is refused.
        reason: &'static str,
    },

    /// A buffer of the wrong sample format reached a node.
    #[error("node `{node}` expected {expected} samples, got {actual}")]
    SampleFormat {
        /// Node that refused the buffer.
        node: &'static str,
        /// Format it needs.
        expected: &'static str,
        /// Format it got.
        actual: &'static str,
    },

    /// A parameter outside its domain (unknown preset, negative threshold, ...).
    #[error("invalid parameter `{name}`: {reason}")]
    InvalidParameter {
        /// Parameter name as the user spells it.
        name: &'static str,
        /// What was wrong with it.
        reason: String,
    },

    /// A base64 chunk that does not decode.
    #[error("call `{call_id}`, chunk {chunk}: invalid base64 ({detail})")]
    Base64 {
        /// Call the chunk was tagged with.
        call_id: String,
        /// Index of the chunk within that call (0-based).
        chunk: u64,
        /// What the decoder reported.
        detail: String,
    },

    /// A call id that the buffer manager does not hold.
    #[error("unknown call id `{call_id}`: no chunk was added for it, or it was already taken")]
    UnknownCall {
        /// The id asked for.
        call_id: String,
    },

    /// A caller-provided buffer too small for the bytes decoded into it.
    #[error("call `{call_id}`: buffer of {capacity} bytes is full, chunk {chunk} needs {needed} more")]
    BufferFull {
        /// Call whose buffer overflowed.
        call_id: String,
        /// Chunk that did not fit.
        chunk: u64,
        /// Capacity of the caller's buffer.
        capacity: usize,
        /// Bytes the chunk decodes to.
        needed: usize,
    },

    /// Malformed JSON reaching a JSON-tier node.
    #[error("node `{node}`: bad JSON input at `{path}`: {reason}")]
    Json {
        /// Node that parsed the input.
        node: &'static str,
        /// JSON pointer-like path to the offending value.
        path: String,
        /// What was expected there.
        reason: String,
    },

    /// A JSON node was asked to process before `initialize`.
    #[error("node `{node}` was used before initialize()")]
    NotInitialized {
        /// Node type.
        node: &'static str,
    },

    /// A node type name that the factory does not know.
    #[error("unknown node type `{0}`")]
    UnknownNode(String),

    /// The async executor could not run or join a node task.
    #[error("executor: {0}")]
    Executor(String),

    /// A sample outside the domain an operation is defined on (resampling: finite, at most
    /// [`crate::direct::resample::MAX_MAGNITUDE`] in magnitude).
    #[error(
        "`{name}`: sample {frame} of channel {channel} is {value}; {op} takes finite samples of magnitude at \
         most 2^64 ({count} sample(s) outside that in all)"
    )]
    OutOfRange {
        /// The argument.
        name: &'static str,
        /// The operation that refuses it.
        op: &'static str,
        /// Channel (row) of the first such sample.
        channel: usize,
        /// Frame (column) of the first such sample.
        frame: usize,
        /// Its value.
        value: f32,
        /// How many samples are outside the domain.
        count: usize,
    },

    /// An output allocation that the allocator refused.
    #[error("cannot allocate {bytes} bytes for `{name}`")]
    Allocation {
        /// What was being allocated.
        name: &'static str,
        /// Size asked for.
        bytes: usize,
    },
}
