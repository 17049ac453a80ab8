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
    /// The write port of its run-time writable memory, if it has one.
    pub write: Option<WritePort>,
}

/// The write port of a block's run-time writable memory (simple dual port: the block reads,
/// the link writes): `wr_en`, `wr_addr[addr_bits]`, `wr_data[width]`, written at the rising
/// edge where `wr_en` is high. A read of the word being written in the same cycle returns the
/// old word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WritePort {
    /// Bits per word.
    pub width: usize,
    /// Words.
    pub depth: usize,
    /// Bits of `wr_addr`.
    pub addr_bits: usize,
}

impl WritePort {
    /// The port of a memory of `depth` words of `width` bits.
    pub fn new(width: usize, depth: usize) -> Self {
        WritePort { width, depth, addr_bits: crate::verilog::clog2(depth.max(2)) }
    }

    /// The port declarations, to follow the stream ports.
    pub fn ports(&self) -> String {
        format!(
            ",\n  input  wire wr_en,\n  input  wire [{}:0] wr_addr,\n  input  wire [{}:0] wr_data",
            self.addr_bits - 1,
            self.width - 1
        )
    }
}
