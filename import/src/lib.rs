//! bitloom's ONNX importer: QONNX as Brevitas exports it, and FINN-ONNX as FINN's tidy-up and
//! streamlining write it, into the native model ([`bitloom_compiler::model::Model`]).
//!
//! The importer is a pipeline of small pure passes, each in its own module:
//!
//! 1. [`parse`]: bytes → the ONNX protobuf ([`onnx`], decoded by `prost`, bounded by [`wire`]);
//! 2. [`graph`]: the typed graph — ops as a closed enum with typed attributes;
//! 3. [`fold`]: constant folding and shape inference;
//! 4. [`chain`]: the chain of steps on the flattened vector (affine, linear, quantizer);
//! 5. [`streamline`]: scales, batch-norm and input normalisation folded into integer thresholds,
//!    weights split into a scale per row and ±1 or integer values (dense layers and
//!    convolutions, whose geometry [`spatial`] checks), max pooling commuted with the scales;
//! 6. [`lower`]: the native model, named and verified.
//!
//! `docs/import.md` lists the supported ops, the streamlining rules and the errors.
#![warn(missing_docs)]

pub mod chain;
pub mod error;
pub mod fold;
pub mod graph;
pub mod lower;
pub mod onnx;
pub mod parse;
pub mod shape;
pub mod spatial;
pub mod streamline;
pub mod tensor;
pub mod wire;

pub use error::ImportError;
pub use lower::{Imported, LayerInfo};

use bitloom_compiler::model::InputConvention;
use bitloom_compiler::types::DataType;
use std::path::Path;

/// Largest accepted `.onnx` file (1 GiB).
pub const MAX_ONNX_BYTES: u64 = 1 << 30;

/// Options of an import.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImportOptions {
    /// The model's name (default: the graph's name).
    pub name: Option<String>,
    /// The input element type (default: the input's `finn_datatype` annotation when it is an
    /// integer type, else `uint8`).
    pub input_dtype: Option<DataType>,
    /// What the graph expects of the raw integers (`graph_input = (raw·scale − mean[c]) / std[c]`);
    /// folded into the first layer and recorded in the model. Default: the raw integers.
    pub convention: InputConvention,
    /// Import even when the input quantizer's thresholds collapse onto the edge of the input
    /// range (the sign of a wrong convention).
    pub allow_collapsed_input: bool,
}

/// Imports an ONNX model from its bytes.
pub fn import_bytes(bytes: &[u8], options: &ImportOptions) -> Result<Imported, ImportError> {
    let proto = parse::decode(bytes)?;
    let g = graph::Graph::from_proto(&proto)?;
    let g = fold::fold_constants(g)?;
    let c = chain::to_chain(&g, options.input_dtype)?;
    let s = streamline::streamline(&c, &options.convention, options.allow_collapsed_input)?;
    lower::lower(s, options.name.as_deref())
}

/// Imports an ONNX model from a file (at most [`MAX_ONNX_BYTES`]).
pub fn import_file(path: &Path, options: &ImportOptions) -> Result<Imported, ImportError> {
    let bytes = parse::read_bounded(path, MAX_ONNX_BYTES)?;
    import_bytes(&bytes, options)
}
