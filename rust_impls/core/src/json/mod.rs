//! The `rust-json` tier: the study's standard node, reproduced faithfully.
//!
//! Nodes implement [`NodeExecutor`]: created from JSON parameters, initialised with a
//! [`NodeContext`], then `async fn process(&mut self, input: Value) -> Result<Vec<Value>>`
//! with audio carried as JSON number arrays ([`audio`]). The [`executor`] runs them as tasks
//! on a tokio runtime. This tier exists to show what JSON and async cost, so nothing here is
//! optimised away: every call builds `serde_json::Value` arrays, creates and initialises its
//! nodes, and crosses the executor.

pub mod audio;
pub mod calls;
pub mod executor;
pub mod kernel_node;
pub mod nodes;

#[cfg(test)]
mod malformed_tests;

use async_trait::async_trait;
use serde_json::Value;

use crate::error::{AudioError, Result};
use crate::kernel::registry;
use kernel_node::JsonKernelNode;

/// What a node learns about its place in the graph when it is initialised.
#[derive(Clone, Debug, Default)]
pub struct NodeContext {
    /// Node id within the pipeline manifest.
    pub node_id: String,
    /// Session the node belongs to (one per pipeline execution).
    pub session_id: String,
}

/// One node of a manifest: its id, type name and JSON parameters.
#[derive(Clone, Debug)]
pub struct NodeSpec {
    /// Id used in errors and side outputs.
    pub id: String,
    /// Registered node type (see [`create_node`]).
    pub node_type: String,
    /// Parameters, parsed by the node's constructor.
    pub params: Value,
}

impl NodeSpec {
    /// Convenience constructor.
    pub fn new(id: &str, node_type: &str, params: Value) -> Self {
        Self { id: id.to_owned(), node_type: node_type.to_owned(), params }
    }
}

/// The study's node interface.
#[async_trait]
pub trait NodeExecutor: Send {
    /// Registered type name.
    fn node_type(&self) -> &'static str;

    /// Prepare heavy state (filters, buffers) before the first `process`.
    async fn initialize(&mut self, ctx: &NodeContext) -> Result<()>;

    /// Process one JSON input into zero or more JSON outputs; `outputs[0]` is what the
    /// executor forwards to the next node.
    async fn process(&mut self, input: Value) -> Result<Vec<Value>>;
}

/// Build a node from its manifest entry. Parameters are parsed here; heavy state is built in
/// `initialize`.
pub fn create_node(spec: &NodeSpec) -> Result<Box<dyn NodeExecutor>> {
    Ok(match spec.node_type.as_str() {
        nodes::JsonVadNode::TYPE => Box::new(nodes::JsonVadNode::from_params(&spec.params)?),
        nodes::JsonResampleNode::TYPE => Box::new(nodes::JsonResampleNode::from_params(&spec.params)?),
        nodes::JsonChunkBufferNode::TYPE => Box::new(nodes::JsonChunkBufferNode::from_params(&spec.params)?),
        // Every sample kernel's node (`AudioFormatConverter` among them): crate::kernel.
        other if registry::by_json_node(other).is_some() => Box::new(JsonKernelNode::from_params(other, &spec.params)?),
        other => return Err(AudioError::UnknownNode(other.to_owned())),
    })
}
