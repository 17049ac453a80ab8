//! The design's run-time writable memories: what they are, and how a model's weights and
//! thresholds become their words.
//!
//! Memory `m` is the `m`-th engine with a writable memory in stream order (the order of
//! [`Dataflow::write_ports`](crate::engine::Dataflow::write_ports) and of the write bus's
//! `wr_en` bits), as each kind declares it
//! ([`EngineKind::memory`](crate::blocks::EngineKind::memory)): an MVU's weight memory
//! ([`weight_words`](crate::blocks::mvu::weight_words)) or a threshold unit's per-channel memory
//! ([`threshold_words`](crate::blocks::threshold::threshold_words)). A shared threshold row is built into
//! the hardware as constants and is not a memory; [`constants`] lists those rows so a host
//! loading another model can check they agree.
//!
//! A memory may be built of several physical memories ([`Memory::banks`]): a threshold unit's
//! is one per binary-search stage, behind one write port; the block RAM estimate counts those.
//!
//! On the link a word travels as `ceil(width/8)` little-endian bytes ([`Memory::bytes`]).
//! The words depend only on the graph, so a host computes them for any model of the same
//! shapes and folding: compile it with the design's folding and call [`memories`].

use crate::blocks::engine_kind;
use crate::verilog::MemFile;
use bitloom_compiler::ir::{DataflowGraph, Node};
use serde::{Deserialize, Serialize};

/// What a memory holds. Under a padded folding (`ir::Stream`) the words cover the padded rows
/// and columns: a matrix unit's padding holds the zero weight (bit 0, the value 0, code 0; an
/// XNOR lane's constant correction relies on it, so a host writes these words as
/// [`memories`] gives them), and a threshold unit's padded channels hold 0, never observed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemoryKind {
    /// An MVU's ±1 weights: word `nf·SF + sf`, lane `p`, bit `s` is `W[nf·PE + p][sf·SIMD + s]`
    /// (1 = +1).
    Weights,
    /// An integer MVU's k-bit weights: word `nf·SF + sf`, lane `p`, column `s` at bits
    /// `(p·SIMD + s)·WB` holds `W[nf·PE + p][sf·SIMD + s]`, two's complement.
    IntWeights,
    /// A threshold unit's per-channel thresholds, padded to 2^B − 1 per row and laid out for its
    /// binary search ([`threshold_words`](crate::blocks::threshold::threshold_words)): stage `s`
    /// (0 ≤ s < B) from word NF·(2^s − 1), its word `row·2^s + n` holding in lane `p`'s bits
    /// `[p·TW, (p+1)·TW)` step `(2n + 1)·2^(B−s−1) − 1` of channel `row·PE + p`, each clamped to
    /// `[min, max + 1]` of the input type (`max + 1` past the row's end), two's complement.
    Thresholds,
    /// A shift-add MVU's power-of-two weights: word `nf·SF + sf`, lane `p`, code `s` at bits
    /// `(p·SIMD + s)·CB` holds `W[nf·PE + p][sf·SIMD + s]` as exponent (bits `[0, CB − 2)`),
    /// sign (bit `CB − 2`, 1 = negative) and nonzero (bit `CB − 1`).
    Pow2Weights,
    /// A HORQ engine's memory: words `0 .. NF·SF` are its MVU's ±1 weights (as
    /// [`MemoryKind::Weights`]), words `NF·SF ..` its prescale, one per input channel or one
    /// shared, `mult` in bits `[0, 32)` and `add` in bits `[32, 95)`, two's complement.
    HorqWeights,
}

impl MemoryKind {
    /// How a model's values become this memory's words, in one sentence.
    pub fn packing(self) -> &'static str {
        match self {
            MemoryKind::Weights => {
                "word nf*SF+sf, lane p, bit s holds W[nf*PE+p][sf*SIMD+s] (1 = +1); bytes little-endian"
            }
            MemoryKind::IntWeights => {
                "word nf*SF+sf, lane p, column s at bits (p*SIMD+s)*WB holds W[nf*PE+p][sf*SIMD+s], WB-bit two's complement; bytes little-endian"
            }
            MemoryKind::Pow2Weights => {
                "word nf*SF+sf, lane p, CB-bit code s at bits (p*SIMD+s)*CB holds W[nf*PE+p][sf*SIMD+s]: exponent in bits 0..CB-2, sign (1 = negative) at CB-2, nonzero at CB-1; bytes little-endian"
            }
            MemoryKind::HorqWeights => {
                "words 0..NF*SF: word nf*SF+sf, lane p, bit s holds W[nf*PE+p][sf*SIMD+s] (1 = +1); words NF*SF+c: prescale of channel c (or one shared), mult in bits 0..32, add in bits 32..95, two's complement; bytes little-endian"
            }
            MemoryKind::Thresholds => {
                "stage s in 0..B from word NF*(2^s-1): its word row*2^s+n, lane p at bits p*TW holds step (2n+1)*2^(B-s-1)-1 of T[row*PE+p] clamped to [min, max+1] of the input type and padded with max+1 to 2^B-1 steps, two's complement; bytes little-endian"
            }
        }
    }
}

/// One run-time writable memory: its description and its words for the graph it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Memory {
    /// Id on the link (WRITE's `mem`), the index in [`memories`].
    pub id: u8,
    /// The engine (IR node name) that owns it.
    pub engine: String,
    /// Weights or thresholds.
    pub kind: MemoryKind,
    /// Bits per word.
    pub width: usize,
    /// Words.
    pub depth: usize,
    /// The words, little-endian `u64` limbs.
    pub words: Vec<Vec<u64>>,
    /// The physical memories it is built of, for the block RAM estimate.
    pub banks: Vec<Bank>,
}

/// One physical memory (or `copies` alike) of a run-time writable memory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bank {
    /// Which part of the memory (empty for the whole).
    pub what: String,
    /// Bits per word.
    pub width: usize,
    /// Words.
    pub depth: usize,
    /// How many memories of this shape.
    pub copies: usize,
    /// Whether it is built of flip-flops rather than block RAM.
    pub logic: bool,
}

impl Memory {
    /// Bytes per word on the link.
    pub fn word_bytes(&self) -> usize {
        self.width.div_ceil(8)
    }

    /// The words as the link carries them: `ceil(width/8)` little-endian bytes each.
    pub fn bytes(&self) -> Vec<Vec<u8>> {
        let n = self.word_bytes();
        self.words
            .iter()
            .map(|w| (0..n).map(|b| (w.get(b / 8).copied().unwrap_or(0) >> (8 * (b % 8))) as u8).collect())
            .collect()
    }
}

/// Every writable memory of `g`'s design, in id order, with its words. At most 256 memories
/// have ids; [`crate::link`] refuses designs with more.
pub fn memories(g: &DataflowGraph) -> Vec<Memory> {
    let mut out = Vec::new();
    for (id, node) in g.iter() {
        let Some((kind, MemFile { width, words, .. })) = engine_kind(node).memory(g.input_of(id)) else { continue };
        // A threshold unit's memory is one per binary-search stage; every other memory is one.
        let banks = match node {
            Node::Threshold(t) => crate::blocks::threshold::banks(t, g.input_of(id)),
            _ => vec![Bank { what: String::new(), width, depth: words.len(), copies: 1, logic: false }],
        };
        out.push(Memory {
            id: out.len() as u8,
            engine: node.name().to_string(),
            kind,
            width,
            depth: words.len(),
            words,
            banks,
        });
    }
    out
}

/// The shared threshold rows built into `g`'s hardware as constants, clamped as the hardware
/// compares them: (engine, row).
pub fn constants(g: &DataflowGraph) -> Vec<(String, Vec<i64>)> {
    g.iter()
        .filter_map(|(id, node)| Some((node.name().to_string(), engine_kind(node).constants(g.input_of(id))?)))
        .collect()
}
