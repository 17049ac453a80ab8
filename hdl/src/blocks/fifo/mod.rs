//! Stream FIFO of `depth` beats with a registered, first-word-fall-through output.
//!
//! Ports: the standard stream bundle, same width in and out. Storage is a synchronous-read
//! memory (block RAM when deep) followed by a read stage and an output register, so it holds up
//! to depth + 2 beats. II: one beat per cycle; latency 3 cycles.

use super::{one_node, random_values, Case, EngineKind, Module};
use crate::memory::MemoryKind;
use crate::model::CycleModel;
use crate::verilog::{clog2, stream_ports, MemFile};
use bitloom_compiler::ir::{Fifo, Node, Stream};
use bitloom_compiler::types::DataType;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::fmt::Write;

/// Every width of a FIFO, computed once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Params {
    /// Bits per beat.
    pub width: usize,
    /// Capacity of the memory in beats.
    pub depth: usize,
    /// Bits of the read and write pointers.
    pub aw: usize,
    /// Bits of the occupancy counter (counts `0..=depth`).
    pub cw: usize,
}

impl Params {
    /// The parameters of `node` on stream `s`.
    pub fn new(node: &Fifo, s: &Stream) -> Self {
        let depth = node.depth;
        Params { width: s.width(), depth, aw: clog2(depth.max(2)), cw: clog2(depth + 1).max(2) }
    }
}

impl EngineKind for Fifo {
    fn core(&self, module: &str, i: &Stream, _o: &Stream) -> Module {
        emit(module, &self.name, &Params::new(self, i))
    }

    fn model(&self, i: &Stream, _o: &Stream) -> Box<dyn CycleModel> {
        Box::new(FifoModel::new(&Params::new(self, i)))
    }

    fn memory(&self, _i: &Stream) -> Option<(MemoryKind, MemFile)> {
        None
    }

    fn constants(&self, _i: &Stream) -> Option<Vec<i64>> {
        None
    }
}

/// Emits the FIFO module `module` for FIFO `name`.
fn emit(module: &str, name: &str, p: &Params) -> Module {
    let Params { width, depth, aw, cw } = *p;
    let mut v = String::new();
    let w = &mut v;
    writeln!(w, "// FIFO {name}: {depth} x {width} bits").unwrap();
    writeln!(w, "module {module} (\n{}\n);", stream_ports(width, width, false)).unwrap();
    // Deep FIFOs belong in block RAM; small ones are left to the tool (registers on iCE40).
    let style = if depth * width >= 4096 { "(* ram_style = \"block\" *) " } else { "" };
    writeln!(w, "  {style}reg [{}:0] mem [0:{}];", width - 1, depth - 1).unwrap();
    writeln!(w, "  reg [{}:0] wp, rp;", aw - 1).unwrap();
    writeln!(w, "  reg [{}:0] count;", cw - 1).unwrap();
    writeln!(w, "  reg r_valid, o_valid;").unwrap();
    writeln!(w, "  reg [{}:0] r_data, o_data;", width - 1).unwrap();
    writeln!(w, "  wire o_free = !o_valid || out_ready;").unwrap();
    writeln!(w, "  wire r_free = !r_valid || o_free;").unwrap();
    writeln!(w, "  wire rd = (count != 0) && r_free;").unwrap();
    writeln!(w, "  wire wr = in_valid && in_ready;").unwrap();
    writeln!(w, "  assign in_ready = count != {};", crate::verilog::lit(cw, depth as i64)).unwrap();
    writeln!(w, "  assign out_valid = o_valid;").unwrap();
    writeln!(w, "  assign out_data = o_data;").unwrap();
    writeln!(w, "  always @(posedge clk) begin").unwrap();
    writeln!(w, "    if (wr) mem[wp] <= in_data;").unwrap();
    writeln!(w, "    if (rd) r_data <= mem[rp];").unwrap();
    writeln!(w, "    if (o_free) o_data <= r_data;").unwrap();
    writeln!(w, "  end").unwrap();
    writeln!(w, "  always @(posedge clk) begin").unwrap();
    writeln!(w, "    if (rst) begin wp <= 0; rp <= 0; count <= 0; r_valid <= 0; o_valid <= 0; end").unwrap();
    writeln!(w, "    else begin").unwrap();
    writeln!(w, "      if (wr) wp <= (wp == {}) ? 0 : wp + 1'b1;", depth - 1).unwrap();
    writeln!(w, "      if (rd) rp <= (rp == {}) ? 0 : rp + 1'b1;", depth - 1).unwrap();
    writeln!(w, "      count <= count + {{{z}'d0, wr}} - {{{z}'d0, rd}};", z = cw - 1).unwrap();
    writeln!(w, "      if (r_free) r_valid <= rd;").unwrap();
    writeln!(w, "      if (o_free) o_valid <= r_valid;").unwrap();
    writeln!(w, "    end").unwrap();
    writeln!(w, "  end").unwrap();
    writeln!(w, "endmodule").unwrap();
    Module { name: module.to_string(), text: v, mems: vec![], write: None }
}

/// The FIFO's cycle model.
pub struct FifoModel {
    depth: usize,
    mem: Vec<Vec<u64>>,
    wp: usize,
    rp: usize,
    count: usize,
    r_valid: bool,
    o_valid: bool,
    r_data: Vec<u64>,
    o_data: Vec<u64>,
}

impl FifoModel {
    /// The model of a FIFO with parameters `p`.
    pub fn new(p: &Params) -> Self {
        let (depth, zero) = (p.depth, vec![0; p.width.div_ceil(64)]);
        FifoModel {
            depth,
            mem: vec![zero.clone(); depth],
            wp: 0,
            rp: 0,
            count: 0,
            r_valid: false,
            o_valid: false,
            r_data: zero.clone(),
            o_data: zero,
        }
    }
}

impl CycleModel for FifoModel {
    fn in_ready(&self, _out_ready: bool) -> bool {
        self.count != self.depth
    }

    fn out_valid(&self) -> bool {
        self.o_valid
    }

    fn out_data(&self) -> Vec<u64> {
        self.o_data.clone()
    }

    fn clock(&mut self, rst: bool, in_valid: bool, in_data: &[u64], out_ready: bool) {
        let o_free = !self.o_valid || out_ready;
        let r_free = !self.r_valid || o_free;
        let rd = self.count != 0 && r_free;
        let wr = in_valid && self.count != self.depth;
        // Data path (no reset), reading the values from before this edge.
        if o_free {
            self.o_data.clone_from(&self.r_data);
        }
        if rd {
            self.r_data.clone_from(&self.mem[self.rp]);
        }
        if wr {
            self.mem[self.wp].copy_from_slice(in_data);
        }
        if rst {
            (self.wp, self.rp, self.count, self.r_valid, self.o_valid) = (0, 0, 0, false, false);
        } else {
            if wr {
                self.wp = if self.wp == self.depth - 1 { 0 } else { self.wp + 1 };
            }
            if rd {
                self.rp = if self.rp == self.depth - 1 { 0 } else { self.rp + 1 };
            }
            self.count = self.count + wr as usize - rd as usize;
            if o_free {
                self.o_valid = self.r_valid;
            }
            if r_free {
                self.r_valid = rd;
            }
        }
    }
}

/// The harness's FIFO cases: values pass through unchanged.
pub fn cases() -> Vec<Case> {
    let s = |dtype, fold| Stream { dtype, len: 12, fold };
    [("fifo", s(DataType::Int(3), 3), 4), ("fifo_uint5", s(DataType::UInt(5), 3), 3)]
        .into_iter()
        .map(|(name, s, depth)| {
            let mut rng = ChaCha8Rng::seed_from_u64(11);
            let inputs: Vec<Vec<i64>> = (0..7).map(|_| random_values(&mut rng, s.dtype, s.len)).collect();
            let graph = one_node(Node::Fifo(Fifo { name: "fifo".into(), depth }), s, s);
            Case { name, graph, expected: inputs.clone(), inputs, stall: 0.4 }
        })
        .collect()
}
