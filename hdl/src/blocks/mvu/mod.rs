//! Matrix-vector unit with ±1 weights, folded by PE (rows) and SIMD (columns).
//!
//! Ports: the standard stream bundle. Input beats carry SIMD elements, output beats PE
//! accumulators (`dense_output_type`). Parameters: the weights (a `$readmemh` memory of
//! NF·SF words of PE·SIMD bits; word `nf·SF + sf`, lane `p`, bit `s` is
//! `W[nf·PE + p][sf·SIMD + s]`), PE, SIMD and the input type. The weight memory is a simple
//! dual-port RAM: the MVU reads it, and a write port (`wr_en`, `wr_addr`, `wr_data`, see
//! [`WritePort`]) lets the link replace words at run time; it is also initialised from the
//! build, so a design works without loading.
//!
//! Behaviour: during the first of NF passes it takes SF input beats and keeps them in an
//! input buffer; later passes replay the buffer. Each cycle every PE lane adds SIMD products
//! (XNOR-popcount for bipolar inputs, `±x` for integer inputs) to its accumulator; after SF
//! cycles it emits a beat. XNOR lanes count agreements `c` and output `2c − MW`.
//! II: NF·SF cycles per vector; latency 3 cycles after the last input beat of a row group.
//! One global enable stalls the whole pipeline while the output register is full.
//!
//! The core is static RTL, `mvu.v` (module `bitloom_mvu`): the shared control
//! (`bitloom_mvu_ctrl`, [`super::matrix`]) and the lanes behind it, instantiated with the
//! numbers of [`Params`] and the node's weight file; [`MvuModel`] is its cycle model.

use super::matrix::{self, Control, Lanes, MatrixModel};
use super::{one_node, random_values, Case, EngineKind, Module};
use crate::memory::MemoryKind;
use crate::model::{extend, get_bits, wrap, CycleModel};
use crate::verilog::{clog2, MemFile};
use bitloom_compiler::ir::{Mvu, MvuMode, Node, Stream};
use bitloom_compiler::model::{dense_output_type, BitMatrix};
use bitloom_compiler::nodes::MatrixKind;
use bitloom_compiler::types::DataType;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Every width and count of an MVU, computed once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Params {
    /// The shared control's numbers (PE, SIMD, SF, NF, MW, IB, the memory and counters).
    pub ctrl: Control,
    /// Bits per output element (the accumulator's type).
    pub ob: usize,
    /// Bits of a lane's running sum: agreements for XNOR lanes, the output width otherwise.
    pub cw: usize,
    /// Input element handling.
    pub mode: MvuMode,
    /// Whether the input is signed.
    pub signed_in: bool,
}

impl Params {
    /// The parameters of `node` between streams `i` and `o`.
    pub fn new(node: &Mvu, i: &Stream, o: &Stream) -> Self {
        let ob = o.dtype.bits() as usize;
        Params {
            ctrl: Control::new(node.mh(), node.mw(), node.folding(), i.dtype.bits() as usize, 1),
            ob,
            cw: match node.mode {
                MvuMode::Xnor => clog2(node.mw() + 1),
                MvuMode::SignedAdd => ob,
            },
            mode: node.mode,
            signed_in: matches!(i.dtype, DataType::Int(_)),
        }
    }
}

impl EngineKind for Mvu {
    fn core(&self, module: &str, i: &Stream, o: &Stream) -> Module {
        let p = Params::new(self, i, o);
        let c = &p.ctrl;
        let params = [
            ("IB", c.ib),
            ("OB", p.ob),
            ("CW", p.cw),
            ("XNOR", (p.mode == MvuMode::Xnor) as usize),
            ("SIGNED_IN", p.signed_in as usize),
        ];
        matrix::core(module, "bitloom_mvu", include_str!("mvu.v"), c, &params, weight_words(self))
    }

    fn model(&self, i: &Stream, o: &Stream) -> Box<dyn CycleModel> {
        Box::new(model(self, &Params::new(self, i, o)))
    }

    fn memory(&self, _i: &Stream) -> Option<(MemoryKind, MemFile)> {
        Some((
            MemoryKind::Weights,
            MemFile { name: String::new(), width: self.pe * self.simd, words: weight_words(self) },
        ))
    }

    fn constants(&self, _i: &Stream) -> Option<Vec<i64>> {
        None
    }
}

/// The weight memory: word `nf·SF + sf`, lane `p`, bit `s` is `W[nf·PE + p][sf·SIMD + s]`
/// (1 = +1; padding 0).
pub fn weight_words(node: &Mvu) -> Vec<Vec<u64>> {
    let c = Control::new(node.mh(), node.mw(), node.folding(), 1, 1);
    matrix::weight_words(&c, node.mh(), |r, k| u64::from(node.weights.get(r, k)))
}

/// The MVU's cycle model.
pub type MvuModel = MatrixModel<MvuLanes>;

/// The cycle model of `node` with parameters `p`.
pub fn model(node: &Mvu, p: &Params) -> MvuModel {
    MatrixModel::new(p.ctrl, MvuLanes(*p), weight_words(node))
}

/// The MVU's lanes: XNOR-popcount or `±x`.
pub struct MvuLanes(Params);

impl Lanes for MvuLanes {
    fn step(&self, p: usize, base: u64, w: &[u64], x: &[u64]) -> u64 {
        let Params { ctrl: Control { simd, ib, .. }, ob, cw, mode, signed_in } = self.0;
        match mode {
            MvuMode::Xnor => {
                let agree = (0..simd).filter(|&k| get_bits(w, p * simd + k, 1) == get_bits(x, k, 1)).count() as u64;
                wrap(base + agree, cw)
            }
            MvuMode::SignedAdd => (0..simd).fold(base, |sum, k| {
                let x = extend(get_bits(x, k * ib, ib), ib, signed_in) as u64;
                let sum = if get_bits(w, p * simd + k, 1) == 1 { sum.wrapping_add(x) } else { sum.wrapping_sub(x) };
                wrap(sum, ob)
            }),
        }
    }

    fn value(&self, sum: u64) -> u64 {
        match self.0.mode {
            // Padded columns agree (bit 0 against weight 0): MW + 2·pad = 2·SF·SIMD − MW.
            MvuMode::Xnor => {
                let Control { sf, simd, mw, .. } = self.0.ctrl;
                wrap((sum << 1).wrapping_sub((2 * sf * simd - mw) as u64), self.0.ob)
            }
            MvuMode::SignedAdd => sum,
        }
    }

    fn out_bits(&self) -> usize {
        self.0.ob
    }
}

/// The MVU `mvu` of random MH×MW weights (from `seed`), PE, SIMD, on inputs of type `input`.
pub fn graph(
    seed: u64,
    mh: usize,
    mw: usize,
    pe: usize,
    simd: usize,
    input: DataType,
) -> bitloom_compiler::ir::DataflowGraph {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut w = BitMatrix::zeros(mh, mw);
    for r in 0..mh {
        for c in 0..mw {
            w.set(r, c, rng.gen());
        }
    }
    let node = Node::Mvu(Mvu { name: "mvu".into(), weights: w, mode: MvuMode::for_input(input), pe, simd });
    let i = Stream { dtype: input, len: mw, fold: simd };
    let o = Stream { dtype: dense_output_type(input, mw), len: mh, fold: pe };
    one_node(node, i, o)
}

/// The harness's MVU cases: XNOR and signed-add lanes, several foldings (padded ones
/// included), `y = W·x` exactly.
pub fn cases() -> Vec<Case> {
    [
        ("mvu_xnor", 1, 6, 12, 3, 4, DataType::Bipolar, 0.3),
        ("mvu_xnor_simd9", 2, 7, 9, 1, 9, DataType::Bipolar, 0.5),
        ("mvu_signed", 3, 6, 10, 2, 5, DataType::Int(2), 0.3),
        ("mvu_uint8", 4, 4, 6, 4, 1, DataType::UInt(8), 0.3),
        // Padded: PE not dividing MH, SIMD not dividing MW, both, and PE past MH.
        ("mvu_xnor_pad_pe", 5, 7, 12, 3, 4, DataType::Bipolar, 0.3),
        ("mvu_xnor_pad_simd", 6, 6, 10, 3, 4, DataType::Bipolar, 0.3),
        ("mvu_xnor_pad_both", 7, 7, 11, 4, 4, DataType::Bipolar, 0.4),
        ("mvu_xnor_pe16_on_10", 8, 10, 12, 16, 8, DataType::Bipolar, 0.3),
        ("mvu_signed_pad_both", 9, 5, 9, 2, 4, DataType::Int(3), 0.3),
        ("mvu_uint4_pad_both", 10, 5, 7, 4, 2, DataType::UInt(4), 0.3),
    ]
    .into_iter()
    .map(|(name, seed, mh, mw, pe, simd, input, stall)| {
        let graph = graph(seed, mh, mw, pe, simd, input);
        let Node::Mvu(m) = &graph.nodes[0] else { unreachable!("an MVU graph") };
        let mut rng = ChaCha8Rng::seed_from_u64(seed + 1);
        let inputs: Vec<Vec<i64>> = (0..6).map(|_| random_values(&mut rng, input, mw)).collect();
        let expected = inputs
            .iter()
            .map(|x| (0..mh).map(|r| (0..mw).map(|c| if m.weights.get(r, c) { x[c] } else { -x[c] }).sum()).collect())
            .collect();
        Case { name, graph, inputs, expected, stall }
    })
    .collect()
}
