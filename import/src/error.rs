//! The importer's errors. Every error about a node names the node and its op; user input never
//! panics. Two kinds are kept apart, as in cranelift: [`ImportError::Unsupported`] (a valid graph
//! the native format cannot hold yet) and [`ImportError::Invalid`] (a malformed graph), plus
//! [`ImportError::Bug`] for a broken internal invariant.

use bitloom_compiler::error::ModelError;
use std::path::PathBuf;

/// Why an ONNX file could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Reading `path` failed.
    #[error("{path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The file is larger than [`crate::MAX_ONNX_BYTES`]; it is refused before it is read.
    #[error("{path}: {size} bytes is more than the limit of {limit} bytes")]
    FileTooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The bytes are not a well-formed ONNX protobuf (truncated, garbage, too large when decoded).
    #[error("not a valid ONNX file: {reason}")]
    Protobuf {
        /// What is wrong, with the byte offset where known.
        reason: String,
    },
    /// The model as a whole cannot be imported (no graph, several inputs, unknown opset domain…).
    #[error("{reason}")]
    Model {
        /// What is wrong.
        reason: String,
    },
    /// A constant tensor (an initializer) is malformed or of an unsupported type.
    #[error("tensor {name:?}: {reason}")]
    Tensor {
        /// The tensor's name.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// A node is malformed: wrong number of inputs, a missing or mistyped attribute, shapes that
    /// do not fit.
    #[error("node {node} ({op}): {reason}")]
    Invalid {
        /// The node's name (or `<op>_<index>` when it has none).
        node: String,
        /// The node's op type.
        op: String,
        /// What is wrong.
        reason: String,
    },
    /// A valid node that the native model format cannot express (yet), or an op the importer
    /// does not know. Nothing unsupported is ever dropped silently.
    #[error("node {node} ({op}): {reason}")]
    Unsupported {
        /// The node's name (or `<op>_<index>` when it has none).
        node: String,
        /// The node's op type.
        op: String,
        /// Why it cannot be imported.
        reason: String,
    },
    /// The graph's output cannot be produced by the native model, even with an epilogue (a
    /// feature map with several channels, a non-finite scale).
    #[error("graph output: {reason}")]
    Output {
        /// Why.
        reason: String,
    },
    /// The input convention looks wrong: the first quantizer's thresholds collapse onto the edge
    /// of the raw input range (a graph trained on `x/255` imported as if it took raw pixels), or
    /// the convention given does not fit the input.
    #[error("input convention: {reason}")]
    Input {
        /// What is wrong and what to do.
        reason: String,
    },
    /// The native model built from the graph breaks an invariant of the model verifier (for
    /// example accumulators wider than 32 bits).
    // The message includes the model error, so it is not also the `source` (which would
    // print it twice in a chain).
    #[error("the imported model is not valid: {0}")]
    Native(ModelError),
    /// An internal invariant of the importer is broken: a bug, please report it.
    #[error("internal error (a bug in the importer): {0}")]
    Bug(String),
}

impl From<ModelError> for ImportError {
    fn from(e: ModelError) -> Self {
        ImportError::Native(e)
    }
}

impl ImportError {
    /// The node an error is about, when it is about one.
    pub fn node(&self) -> Option<&str> {
        match self {
            ImportError::Invalid { node, .. } | ImportError::Unsupported { node, .. } => Some(node),
            _ => None,
        }
    }
}
