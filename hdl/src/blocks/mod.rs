//! One module per engine kind, each holding everything the hardware knows about its IR node
//! kind: its parameters (a `Params` struct, every width computed once from the node and its
//! streams), its Verilog core, its memories and their packing, its cycle model, and the test
//! cases the shared harness (`hdl/tests/blocks.rs`) runs. [`engine_kind`] is the one dispatch
//! over kinds; the rest of the crate calls the [`EngineKind`] trait.

pub mod dwc;
pub mod fifo;
pub mod horq;
pub mod int_mvu;
pub mod matrix;
pub mod mvu;
pub mod shift_mvu;
pub mod threshold;

use crate::memory::MemoryKind;
use crate::model::CycleModel;
use crate::verilog::MemFile;
use bitloom_compiler::ir::{DataflowGraph, Node, Stream};
use bitloom_compiler::types::DataType;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// The hardware of one IR node kind. No method has a default: a new kind states each one.
pub trait EngineKind {
    /// Its Verilog core between streams `i` and `o`. `module` is unique to the node in the
    /// design: the name of the node's own module, for kinds that write one, and the prefix of its
    /// memory files.
    fn core(&self, module: &str, i: &Stream, o: &Stream) -> Module;
    /// Its cycle model between streams `i` and `o`, register for register the core.
    fn model(&self, i: &Stream, o: &Stream) -> Box<dyn CycleModel>;
    /// Its run-time writable memory on input stream `i`, if it has one: what it holds and its
    /// words (the file name is the core's business).
    fn memory(&self, i: &Stream) -> Option<(MemoryKind, MemFile)>;
    /// Values built into its hardware as constants on input stream `i` (a shared threshold
    /// row), as the hardware compares them, if it has any.
    fn constants(&self, i: &Stream) -> Option<Vec<i64>>;
}

/// The hardware of `node`'s kind: the one place that names every kind.
pub fn engine_kind(node: &Node) -> &dyn EngineKind {
    match node {
        Node::Mvu(n) => n,
        Node::IntMvu(n) => n,
        Node::ShiftMvu(n) => n,
        Node::Horq(n) => n,
        Node::Threshold(n) => n,
        Node::Dwc(n) => n,
        Node::Fifo(n) => n,
    }
}

/// One block alone as the shared test harness runs it (`hdl/tests/blocks.rs`): its Verilog
/// against the golden file `hdl/tests/golden/<name>.v`, Verilator's lint, yosys synthesis,
/// Verilator and the cycle model against `expected` under random back-pressure, and the
/// cycle model in lockstep with the Verilog.
#[derive(Clone, Debug)]
pub struct Case {
    /// Case name; also the golden file's name.
    pub name: &'static str,
    /// A one-node graph.
    pub graph: DataflowGraph,
    /// Input vectors.
    pub inputs: Vec<Vec<i64>>,
    /// The output vector for each input, by plain integer math.
    pub expected: Vec<Vec<i64>>,
    /// Probability that the producer or the consumer stalls in a cycle.
    pub stall: f64,
}

/// Integer parameters as [`Module::params`].
fn numbers(list: &[(&'static str, usize)]) -> Vec<(&'static str, String)> {
    list.iter().map(|&(name, value)| (name, value.to_string())).collect()
}

/// Every kind's cases.
pub fn cases() -> Vec<Case> {
    [mvu::cases(), int_mvu::cases(), shift_mvu::cases(), horq::cases(), threshold::cases(), dwc::cases(), fifo::cases()]
        .concat()
}

/// The graph of `node` alone between `i` and `o` (the test cases' and the engines benchmark's
/// designs); a graph that breaks an IR rule is a bug in its caller.
pub fn one_node(node: Node, i: Stream, o: Stream) -> DataflowGraph {
    let g = DataflowGraph { name: "block".into(), nodes: vec![node], edges: vec![i, o] };
    if let Err(e) = bitloom_compiler::ir_verify::verify(&g) {
        panic!("block test case: {e}");
    }
    g
}

/// `n` random values of type `t`.
fn random_values(rng: &mut ChaCha8Rng, t: DataType, n: usize) -> Vec<i64> {
    (0..n)
        .map(|_| {
            if t == DataType::Bipolar {
                if rng.gen() {
                    1
                } else {
                    -1
                }
            } else {
                rng.gen_range(t.min()..=t.max())
            }
        })
        .collect()
}

/// One emitted Verilog module: a core written for its node, or a static parameterised core
/// (a `.v` file of its kind, guarded by `` `ifndef `` so that a design with several instances
/// defines it once) with the node's numbers as its parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Module {
    /// Module name.
    pub name: String,
    /// Parameter values an instance passes (`#(.NAME(value), …)`), empty for generated cores.
    pub params: Vec<(&'static str, String)>,
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
