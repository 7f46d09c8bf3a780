//! The `rust-json` node every sample kernel of the registry gets ([`JsonKernelNode`]), and the
//! call a caller makes through it ([`call`]): `crate::kernel`'s kernels on the study's JSON path.

use async_trait::async_trait;
use serde_json::Value;

use crate::error::{AudioError, Result};
use crate::json::audio::{self, JsonSample, NodeInput};
use crate::json::executor::run_chain;
use crate::json::nodes::{opt_str, params_object};
use crate::json::{NodeContext, NodeExecutor, NodeSpec};
use crate::kernel::registry;
use crate::kernel::{DynKernel, Entry, Params, Samples, SliceRef};

/// A sample kernel as the study's standard node: created from JSON parameters (`variant` and
/// the kernel's own), initialised, then audio parsed from a JSON number array, processed, and
/// the output built as a JSON array.
pub struct JsonKernelNode {
    entry: &'static Entry,
    // The kernel is the node's whole state: nothing else of the parameters is kept, so creating
    // a node costs what the study's nodes cost (one allocation beyond the node's own box).
    kernel: Box<dyn DynKernel>,
    initialized: bool,
}

impl std::fmt::Debug for JsonKernelNode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct(self.entry.json_node).field("initialized", &self.initialized).finish_non_exhaustive()
    }
}

impl JsonKernelNode {
    /// Parse the parameters of the node registered as `node_type`; the kernel is built (and its
    /// parameters checked) here, as every JSON node checks its parameters when created.
    pub fn from_params(node_type: &str, params: &Value) -> Result<Self> {
        let entry = registry::by_json_node(node_type).ok_or_else(|| AudioError::UnknownNode(node_type.to_owned()))?;
        let params = params_object(entry.json_node, params)?;
        let variant = opt_str(entry.json_node, &params, "variant", entry.variants[0])?;
        // A sample kernel's state is its parameters: built here, as the study's nodes parse theirs.
        let kernel = registry::build(entry.op, variant, &params)?;
        Ok(Self { entry, kernel, initialized: false })
    }
}

#[async_trait]
impl NodeExecutor for JsonKernelNode {
    fn node_type(&self) -> &'static str {
        self.entry.json_node
    }

    async fn initialize(&mut self, _ctx: &NodeContext) -> Result<()> {
        self.initialized = true;
        Ok(())
    }

    async fn process(&mut self, input: Value) -> Result<Vec<Value>> {
        let input = NodeInput::new(input);
        let node = self.entry.json_node;
        if !self.initialized {
            return Err(AudioError::NotInitialized { node });
        }
        Ok(vec![self.kernel.process_json(&input, node)?])
    }
}

fn parse_as<T: JsonSample>(v: &Value) -> Result<Vec<T>> {
    Ok(audio::from_value::<T>("caller", v)?.samples)
}

/// A JSON audio object for `samples` (the caller's "JSON creation").
pub fn to_value(samples: SliceRef<'_>, sample_rate: u32, channels: usize) -> Result<Value> {
    match samples {
        SliceRef::F32(x) => audio::to_value(x, sample_rate, channels),
        SliceRef::I16(x) => audio::to_value(x, sample_rate, channels),
        SliceRef::I32(x) => audio::to_value(x, sample_rate, channels),
    }
}

/// The samples of a JSON audio object, typed by its `format` (the caller's "output
/// serialization"); `from_value` checks every sample against it.
pub fn parse(v: &Value) -> Result<Samples> {
    Ok(match v.get("format").and_then(Value::as_str) {
        Some("f32") => Samples::F32(parse_as(v)?),
        Some("i16") => Samples::I16(parse_as(v)?),
        Some("i32") => Samples::I32(parse_as(v)?),
        _ => {
            return Err(AudioError::Json {
                node: "caller",
                path: "/format".into(),
                reason: "expected f32, i16 or i32 audio".into(),
            })
        }
    })
}

/// The node spec of `op`/`variant` with `params` (the variant added as `"variant"`).
pub fn spec(op: &str, variant: &str, params: &Params) -> Result<NodeSpec> {
    let entry = registry::entry(op)?;
    let mut node_params = params.clone();
    node_params.insert("variant".into(), Value::from(variant));
    Ok(NodeSpec::new(op, entry.json_node, Value::Object(node_params)))
}

/// A caller's `rust-json` call: the input serialised into a JSON audio object, a fresh node of
/// `op` created, initialised and run as one executor task, the output parsed back.
pub fn call(op: &str, variant: &str, params: &Params, input: SliceRef<'_>) -> Result<Samples> {
    let spec = spec(op, variant, params)?;
    let value = to_value(input, 0, 1)?;
    parse(&run_chain(vec![spec], value)?.output)
}
