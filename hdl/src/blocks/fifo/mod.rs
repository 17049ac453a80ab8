//! Stream FIFO of `depth` beats with a registered, first-word-fall-through output.
//!
//! Ports: the standard stream bundle, same width in and out. Storage is a synchronous-read
//! memory (block RAM when deep) followed by a read stage and an output register, so it holds up
//! to depth + 2 beats. II: one beat per cycle; latency 3 cycles.
//!
//! The core is static RTL, `fifo.v` (module `bitloom_fifo`), instantiated with the numbers of
//! [`Params`]; [`FifoModel`] is its cycle model.

use super::{numbers, one_node, random_values, Case, EngineKind, Module};
use crate::memory::MemoryKind;
use crate::model::CycleModel;
use crate::verilog::{clog2, MemFile};
use bitloom_compiler::ir::{Fifo, Node, Stream};
use bitloom_compiler::types::DataType;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

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
    /// Whether the memory is block RAM: deep FIFOs belong there; small ones are left to the
    /// tool (registers on iCE40).
    pub block_ram: bool,
}

impl Params {
    /// The parameters of `node` on stream `s`.
    pub fn new(node: &Fifo, s: &Stream) -> Self {
        let depth = node.depth;
        let width = s.width();
        Params { width, depth, aw: clog2(depth.max(2)), cw: clog2(depth + 1).max(2), block_ram: depth * width >= 4096 }
    }
}

impl EngineKind for Fifo {
    fn core(&self, _module: &str, i: &Stream, _o: &Stream) -> Module {
        emit(&Params::new(self, i))
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

/// The static core (`fifo.v`) with `p`'s numbers.
fn emit(p: &Params) -> Module {
    Module {
        name: "bitloom_fifo".into(),
        params: numbers(&[
            ("WIDTH", p.width),
            ("DEPTH", p.depth),
            ("AW", p.aw),
            ("CW", p.cw),
            ("BLOCK_RAM", p.block_ram as usize),
        ]),
        text: include_str!("fifo.v").into(),
        mems: vec![],
        write: None,
    }
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
