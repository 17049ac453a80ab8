//! bitloom's hardware: one generator per dataflow block and the top level that chains them,
//! emitting Verilog plus `$readmemh` memory files for a verified, folded
//! [`DataflowGraph`](bitloom_compiler::ir::DataflowGraph).
//!
//! Shapes come from the user's model at run time, so no width is a Rust type parameter:
//! each block generator reads PE, SIMD, lengths and element types from the IR and writes a
//! module specialised to them (see `ARCHITECTURE.md`).
#![warn(missing_docs)]

pub mod blocks;
pub mod top;
pub mod verilog;

use blocks::Module;
use std::path::{Path, PathBuf};

/// The Verilog of one design.
#[derive(Clone, Debug)]
pub struct Rtl {
    /// Name of the top module.
    pub top: String,
    /// Modules, the top last.
    pub modules: Vec<Module>,
    /// Width of the input stream in bits.
    pub in_bits: usize,
    /// Width of the output stream in bits.
    pub out_bits: usize,
}

/// Name of the dataflow top module.
pub const TOP: &str = "bitloom_top";

/// Emits the design for a graph that passed the IR verifier.
pub fn emit(g: &bitloom_compiler::ir::DataflowGraph) -> Rtl {
    Rtl { top: TOP.to_string(), modules: top::emit(g, TOP), in_bits: g.input().width(), out_bits: g.output().width() }
}

impl Rtl {
    /// Writes `<module>.v` and every memory file into `dir`; returns the Verilog paths
    /// (top last).
    pub fn write_to(&self, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
        std::fs::create_dir_all(dir)?;
        let mut files = Vec::new();
        for m in &self.modules {
            let path = dir.join(format!("{}.v", m.name));
            std::fs::write(&path, &m.text)?;
            files.push(path);
            for mem in &m.mems {
                std::fs::write(dir.join(&mem.name), mem.render())?;
            }
        }
        Ok(files)
    }
}
