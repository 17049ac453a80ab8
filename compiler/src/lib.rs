//! bitloom's compiler: the quantized model and its file format, the bit-exact integer
//! reference executor, and the passes that turn a model into a folded dataflow graph.
//!
//! Stages: [`model::Model`] → [`ir::DataflowGraph`] → [`ir::DataflowGraph`] with folding
//! (see `ARCHITECTURE.md`).
#![warn(missing_docs)]

pub mod data;
pub mod error;
pub mod format;
pub mod model;
pub mod random_model;
pub mod reference;
pub mod types;
pub mod verify;
pub mod compile;
pub mod estimate;
pub mod fold;
pub mod ir;
pub mod ir_verify;
pub mod nodes;
pub mod passes;
pub mod quantize;
