//! One file per block. Each `emit` turns an IR node (whose shapes and widths come from the
//! verified graph) into one Verilog module and its memory files.

pub mod dwc;
pub mod fifo;
pub mod mvu;
pub mod threshold;

use crate::verilog::MemFile;

/// One emitted Verilog module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Module {
    /// Module name.
    pub name: String,
    /// Verilog source of the module.
    pub text: String,
    /// Memory files it reads with `$readmemh`.
    pub mems: Vec<MemFile>,
}
