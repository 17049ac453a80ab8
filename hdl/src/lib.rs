//! bitloom's hardware for a verified, folded
//! [`DataflowGraph`](bitloom_compiler::ir::DataflowGraph): rust-hdl blocks (one
//! [`Engine`](engine::Engine) per node inside a [`Dataflow`](engine::Dataflow) top level),
//! emitted as Verilog plus `$readmemh` memory files, and simulated in Rust through
//! [cycle models](model).
//!
//! Shapes come from the user's model at run time, so no width is a Rust type parameter:
//! ports are run-time-width [`Wire`](wire::Wire)s, engines a `Vec`, and each engine's core
//! is written for its node's PE, SIMD, lengths and element types (see `ARCHITECTURE.md`).
#![warn(missing_docs)]

pub mod blocks;
pub mod engine;
pub mod model;
pub mod verilog;
pub mod wire;

use blocks::Module;
use std::path::{Path, PathBuf};

/// The Verilog of one design.
#[derive(Clone, Debug)]
pub struct Rtl {
    /// Name of the top module.
    pub top: String,
    /// One Verilog file: the top, its engine wrappers and their cores.
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
    let design = engine::Dataflow::new(g, TOP);
    let mems = design.engines.iter().flat_map(|e| e.core().mems.clone()).collect();
    // One file holds every module of the design, which Verilator's DECLFILENAME lint flags.
    let text = format!("// bitloom dataflow {:?}: {} engines\n/* verilator lint_off DECLFILENAME */\n{}", g.name, g.nodes.len(), design.verilog(TOP));
    let module = Module { name: TOP.to_string(), text, mems };
    Rtl { top: TOP.to_string(), modules: vec![module], in_bits: g.input().width(), out_bits: g.output().width() }
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
