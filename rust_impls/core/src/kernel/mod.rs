//! One trait for the sample kernels, and what it gives each of them.
//!
//! A kernel maps a 1-D slice of one sample type to a 1-D slice of another (`convert`, and any
//! operation of that shape a user adds). It implements [`Kernel`] — rubato's pattern:
//! [`Kernel::process_into`] writes into caller-provided output and is required,
//! [`Kernel::process`] allocates and is provided — and declares itself once in
//! `direct::KERNELS` (an [`Entry`]). From that it gets, with no code of its own:
//!
//! * its `rust-direct` binding and allocating wrapper (`kernel_into` / `kernel` in Python),
//! * its `rust-fast` node, [`fast::FastKernelNode`] (an `Arc`-shared buffer in and out),
//! * its `rust-json` node, [`crate::json::kernel_node::JsonKernelNode`], with the study's JSON costs: the input
//!   parsed from a JSON number array, a fresh node created and initialised per call on the
//!   executor, the output built as a JSON array and parsed back by the caller,
//! * a criterion group and the native profiler's stages.
//!
//! Kernels whose input is planar audio with several outputs (VAD, the pipeline) or a chunk
//! stream (base64) keep their own nodes: their JSON shapes (side outputs, chained nodes) are
//! the study's and are not one slice in, one slice out.

pub mod fast;
pub mod registry;

use bytemuck::Zeroable;
use serde_json::{Map, Value};

use crate::alloc::zeroed_vec;
use crate::error::{AudioError, Result};
use crate::fast::AudioBuffer;
use crate::json::audio::{JsonSample, NodeInput};

/// One operation's sample kernels, as `direct::KERNELS` lists them.
#[derive(Clone, Copy, Debug)]
pub struct Entry {
    /// The catalogue's operation name.
    pub op: &'static str,
    /// Its variants, in catalogue order.
    pub variants: &'static [&'static str],
    /// The `rust-json` node's registered type name.
    pub json_node: &'static str,
    /// The `rust-fast` node's name (in errors and reports).
    pub fast_node: &'static str,
    /// Build the kernel of `variant` from its parameters.
    pub build: fn(variant: &str, params: &Params) -> Result<Box<dyn DynKernel>>,
}

/// A kernel's parameters: the JSON object a `rust-json` node is created from (Python passes a
/// dict of numbers and strings; the variant travels as `"variant"`).
pub type Params = Map<String, Value>;

/// The sample formats kernels read and write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// float32.
    F32,
    /// int16.
    I16,
    /// int32.
    I32,
}

impl Format {
    /// The name used in JSON audio objects and errors (`f32`, `i16`, `i32`).
    pub fn name(self) -> &'static str {
        match self {
            Self::F32 => "f32",
            Self::I16 => "i16",
            Self::I32 => "i32",
        }
    }
}

/// Borrowed samples of any kernel format.
#[derive(Clone, Copy, Debug)]
pub enum SliceRef<'a> {
    /// float32 samples.
    F32(&'a [f32]),
    /// int16 samples.
    I16(&'a [i16]),
    /// int32 samples.
    I32(&'a [i32]),
}

/// Mutably borrowed samples of any kernel format (a caller-provided output).
#[derive(Debug)]
pub enum SliceMut<'a> {
    /// float32 samples.
    F32(&'a mut [f32]),
    /// int16 samples.
    I16(&'a mut [i16]),
    /// int32 samples.
    I32(&'a mut [i32]),
}

/// Owned samples of any kernel format (an allocating call's output).
#[derive(Clone, Debug, PartialEq)]
pub enum Samples {
    /// float32 samples.
    F32(Vec<f32>),
    /// int16 samples.
    I16(Vec<i16>),
    /// int32 samples.
    I32(Vec<i32>),
}

impl SliceRef<'_> {
    /// The format of these samples.
    pub fn format(&self) -> Format {
        match self {
            Self::F32(_) => Format::F32,
            Self::I16(_) => Format::I16,
            Self::I32(_) => Format::I32,
        }
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        match self {
            Self::F32(s) => s.len(),
            Self::I16(s) => s.len(),
            Self::I32(s) => s.len(),
        }
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl SliceMut<'_> {
    /// The format of this buffer.
    pub fn format(&self) -> Format {
        match self {
            Self::F32(_) => Format::F32,
            Self::I16(_) => Format::I16,
            Self::I32(_) => Format::I32,
        }
    }
}

impl Samples {
    /// `len` zero samples of `format` (an output buffer), or an allocation error.
    pub fn zeroed(format: Format, len: usize) -> Result<Self> {
        Ok(match format {
            Format::F32 => Self::F32(zeroed_vec("out", len)?),
            Format::I16 => Self::I16(zeroed_vec("out", len)?),
            Format::I32 => Self::I32(zeroed_vec("out", len)?),
        })
    }

    /// A copy of `s` (copying is the fast tier's "buffer wrap"), or an allocation error.
    pub fn copied(s: SliceRef<'_>) -> Result<Self> {
        use crate::alloc::copied_vec;
        Ok(match s {
            SliceRef::F32(x) => Self::F32(copied_vec("x", x)?),
            SliceRef::I16(x) => Self::I16(copied_vec("x", x)?),
            SliceRef::I32(x) => Self::I32(copied_vec("x", x)?),
        })
    }

    /// Borrowed, read-only.
    pub fn as_ref(&self) -> SliceRef<'_> {
        match self {
            Self::F32(v) => SliceRef::F32(v),
            Self::I16(v) => SliceRef::I16(v),
            Self::I32(v) => SliceRef::I32(v),
        }
    }

    /// Borrowed, writable (an output).
    pub fn as_mut(&mut self) -> SliceMut<'_> {
        match self {
            Self::F32(v) => SliceMut::F32(v),
            Self::I16(v) => SliceMut::I16(v),
            Self::I32(v) => SliceMut::I32(v),
        }
    }

    /// The samples of a fast-path buffer, taken out of its `Arc` (copied only if another holder
    /// still shares it).
    pub fn from_buffer(buffer: AudioBuffer) -> Self {
        fn take<T: Clone>(a: std::sync::Arc<Vec<T>>) -> Vec<T> {
            std::sync::Arc::try_unwrap(a).unwrap_or_else(|shared| (*shared).clone())
        }
        match buffer {
            AudioBuffer::F32(a) => Self::F32(take(a)),
            AudioBuffer::I16(a) => Self::I16(take(a)),
            AudioBuffer::I32(a) => Self::I32(take(a)),
        }
    }

    /// A fast-path buffer holding these samples.
    pub fn into_buffer(self) -> AudioBuffer {
        match self {
            Self::F32(v) => AudioBuffer::new_f32(v),
            Self::I16(v) => AudioBuffer::new_i16(v),
            Self::I32(v) => AudioBuffer::new_i32(v),
        }
    }
}

/// A sample type a kernel can read or write, in every shape the tiers carry it.
pub trait Sample: JsonSample + Zeroable + Copy + Send + Sync + 'static {
    /// Its format tag.
    const KIND: Format;
    /// These samples, borrowed from `s` if it holds this format.
    fn from_ref<'a>(s: SliceRef<'a>) -> Option<&'a [Self]>;
    /// This buffer, borrowed from `s` if it holds this format.
    fn from_mut<'a>(s: SliceMut<'a>) -> Option<&'a mut [Self]>;
    /// Owned samples, tagged.
    fn into_samples(v: Vec<Self>) -> Samples;
    /// A fast-path buffer holding `v`.
    fn into_buffer(v: Vec<Self>) -> AudioBuffer;
    /// These samples from a fast-path buffer, or an error naming `node` and both formats.
    fn from_buffer<'a>(b: &'a AudioBuffer, node: &'static str) -> Result<&'a [Self]>;
}

macro_rules! sample {
    ($t:ty, $variant:ident, $buffer:ident) => {
        impl Sample for $t {
            const KIND: Format = Format::$variant;
            fn from_ref<'a>(s: SliceRef<'a>) -> Option<&'a [Self]> {
                match s {
                    SliceRef::$variant(x) => Some(x),
                    _ => None,
                }
            }
            fn from_mut<'a>(s: SliceMut<'a>) -> Option<&'a mut [Self]> {
                match s {
                    SliceMut::$variant(x) => Some(x),
                    _ => None,
                }
            }
            fn into_samples(v: Vec<Self>) -> Samples {
                Samples::$variant(v)
            }
            fn into_buffer(v: Vec<Self>) -> AudioBuffer {
                AudioBuffer::$buffer(v)
            }
            fn from_buffer<'a>(b: &'a AudioBuffer, node: &'static str) -> Result<&'a [Self]> {
                match b {
                    AudioBuffer::$variant(x) => Ok(x),
                    other => Err(AudioError::SampleFormat {
                        node,
                        expected: Format::$variant.name(),
                        actual: other.format(),
                    }),
                }
            }
        }
    };
}

sample!(f32, F32, new_f32);
sample!(i16, I16, new_i16);
sample!(i32, I32, new_i32);

/// A sample kernel: one 1-D slice in, one 1-D slice out.
pub trait Kernel: Send + 'static {
    /// Input sample type.
    type In: Sample;
    /// Output sample type.
    type Out: Sample;

    /// Output length for `input_len` input samples (the same length unless the kernel says).
    fn output_len(&self, input_len: usize) -> usize {
        input_len
    }

    /// Process `input` into `output`, which holds exactly [`Kernel::output_len`] samples
    /// (checked by the callers in this module before they call).
    fn process_into(&mut self, input: &[Self::In], output: &mut [Self::Out]) -> Result<()>;

    /// Process `input` into a new vector (zero-filled, then written).
    fn process(&mut self, input: &[Self::In]) -> Result<Vec<Self::Out>> {
        let mut out = zeroed_vec::<Self::Out>("out", self.output_len(input.len()))?;
        self.process_into(input, &mut out)?;
        Ok(out)
    }
}

/// A kernel behind a pointer, with its sample types checked at run time: what the bindings,
/// the nodes and the profiler hold. Every [`Kernel`] is one.
pub trait DynKernel: Send {
    /// Input format.
    fn input_format(&self) -> Format;
    /// Output format.
    fn output_format(&self) -> Format;
    /// Output length for `input_len` input samples.
    fn output_len(&self, input_len: usize) -> usize;
    /// [`Kernel::process_into`] with the formats and the output length checked.
    fn process_into_dyn(&mut self, input: SliceRef<'_>, output: SliceMut<'_>) -> Result<()>;
    /// [`Kernel::process`] with the input format checked.
    fn process_dyn(&mut self, input: SliceRef<'_>) -> Result<Samples>;
    /// The fast path: a new buffer from a shared one (the input format checked, naming `node`).
    fn process_buffer(&mut self, input: &AudioBuffer, node: &'static str) -> Result<AudioBuffer>;
    /// The JSON path: audio parsed from `input` (samples of the input format), processed, and
    /// the output built as a JSON audio object with the same rate and channel count.
    fn process_json(&mut self, input: &NodeInput, node: &'static str) -> Result<Value>;
}

fn format_error(node: &'static str, expected: Format, actual: Format) -> AudioError {
    AudioError::SampleFormat { node, expected: expected.name(), actual: actual.name() }
}

impl<K: Kernel> DynKernel for K {
    fn input_format(&self) -> Format {
        K::In::KIND
    }

    fn output_format(&self) -> Format {
        K::Out::KIND
    }

    fn output_len(&self, input_len: usize) -> usize {
        Kernel::output_len(self, input_len)
    }

    fn process_into_dyn(&mut self, input: SliceRef<'_>, output: SliceMut<'_>) -> Result<()> {
        let (in_format, out_format) = (input.format(), output.format());
        let x = K::In::from_ref(input).ok_or_else(|| format_error("kernel input", K::In::KIND, in_format))?;
        let out = K::Out::from_mut(output).ok_or_else(|| format_error("kernel output", K::Out::KIND, out_format))?;
        let expected = Kernel::output_len(self, x.len());
        if out.len() != expected {
            return Err(AudioError::OutputLength { name: "out", expected, actual: out.len() });
        }
        self.process_into(x, out)
    }

    fn process_dyn(&mut self, input: SliceRef<'_>) -> Result<Samples> {
        let format = input.format();
        let x = K::In::from_ref(input).ok_or_else(|| format_error("kernel input", K::In::KIND, format))?;
        Ok(K::Out::into_samples(self.process(x)?))
    }

    fn process_buffer(&mut self, input: &AudioBuffer, node: &'static str) -> Result<AudioBuffer> {
        let x = K::In::from_buffer(input, node)?;
        Ok(K::Out::into_buffer(self.process(x)?))
    }

    fn process_json(&mut self, input: &NodeInput, node: &'static str) -> Result<Value> {
        let a = input.audio::<K::In>(node)?;
        let out = self.process(&a.samples)?;
        crate::json::audio::to_value(&out, a.sample_rate, a.channels)
    }
}

/// A required number parameter, as f32 (a JSON integer is a number too).
pub fn param_f32(params: &Params, name: &'static str) -> Result<f32> {
    let v = params.get(name).ok_or_else(|| AudioError::InvalidParameter { name, reason: "missing".into() })?;
    let x = v.as_f64().ok_or_else(|| AudioError::InvalidParameter {
        name,
        reason: format!("expected a number, got {}", crate::json::audio::describe(v)),
    })?;
    if !x.is_finite() || x.abs() > f32::MAX as f64 {
        return Err(AudioError::InvalidParameter { name, reason: format!("{x} is not a finite float32") });
    }
    Ok(x as f32)
}

#[cfg(test)]
mod tests;
