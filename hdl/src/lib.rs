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
pub mod link;
pub mod memory;
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
    let text = format!(
        "// bitloom dataflow {:?}: {} engines\n/* verilator lint_off DECLFILENAME */\n{}",
        g.name,
        g.nodes.len(),
        design.verilog(TOP)
    );
    let module = Module { name: TOP.to_string(), params: vec![], text, mems, write: None };
    Rtl { top: TOP.to_string(), modules: vec![module], in_bits: g.input().width(), out_bits: g.output().width() }
}

/// Where a write-test shell ([`emit_write_shell`]) carries the memory write bus inside its
/// `in_data`: bits `[0, beat)` are the design's input beat, then `wr_en`, `wr_addr`, `wr_data`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WriteShell {
    /// Bits of the input beat.
    pub beat: usize,
    /// Bits of `wr_en` (one per memory).
    pub en: usize,
    /// Bits of `wr_addr`.
    pub addr: usize,
    /// Bits of `wr_data`.
    pub data: usize,
}

impl WriteShell {
    /// Packs a beat and a write into the shell's `in_data`: `en` is a bit mask of memories.
    pub fn pack(&self, beat: &[u64], en: u64, addr: u64, data: &[u64]) -> Vec<u64> {
        let total = self.beat + self.en + self.addr + self.data;
        let mut w = vec![0u64; total.div_ceil(64)];
        let mut put = |pos: usize, bits: usize, src: &[u64]| {
            for b in 0..bits {
                if src.get(b / 64).is_some_and(|l| l >> (b % 64) & 1 == 1) {
                    w[(pos + b) / 64] |= 1 << ((pos + b) % 64);
                }
            }
        };
        put(0, self.beat, beat);
        put(self.beat, self.en, &[en]);
        put(self.beat + self.en, self.addr, &[addr]);
        put(self.beat + self.en + self.addr, self.data, data);
        w
    }
}

/// The writable design ([`engine::Dataflow::writable`], module `bitloom_top_w`) inside a
/// simulation shell `bitloom_top` with the standard stream ports, whose `in_data` also
/// carries the memory write bus (applied in every cycle, whatever `in_valid` says; see
/// [`WriteShell`]). For simulation tests of the write ports: the simulator's port contract
/// has no room for extra inputs.
pub fn emit_write_shell(g: &bitloom_compiler::ir::DataflowGraph) -> (Rtl, WriteShell) {
    let inner = format!("{TOP}_w");
    let design = engine::Dataflow::writable(g, TOP);
    let mems = design.engines.iter().flat_map(|e| e.core().mems.clone()).collect();
    let layout = WriteShell {
        beat: g.input().width(),
        en: design.wr_en.width(),
        addr: design.wr_addr.width(),
        data: design.wr_data.width(),
    };
    let (b, e, a) = (layout.beat, layout.en, layout.addr);
    let total = b + e + a + layout.data;
    let shell = format!(
        "module {TOP} (\n{}\n);\n  {inner} dut (.clk(clk), .rst(rst), .in_data(in_data[{}:0]), .in_valid(in_valid), .in_ready(in_ready), .out_data(out_data), .out_valid(out_valid), .out_ready(out_ready), .wr_en(in_data[{}:{b}]), .wr_addr(in_data[{}:{}]), .wr_data(in_data[{}:{}]));\nendmodule\n",
        verilog::stream_ports(total, g.output().width(), false),
        b - 1,
        b + e - 1,
        b + e + a - 1,
        b + e,
        total - 1,
        b + e + a,
    );
    let text = format!("/* verilator lint_off DECLFILENAME */\n{shell}{}", design.verilog(&inner));
    let module = Module { name: TOP.to_string(), params: vec![], text, mems, write: None };
    (Rtl { top: TOP.to_string(), modules: vec![module], in_bits: total, out_bits: g.output().width() }, layout)
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
