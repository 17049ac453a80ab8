//! Matrix-vector unit with signed k-bit integer weights (QIL, integer `Quant` layers), folded
//! by PE (rows) and SIMD (columns): `y = W·x` exactly, LUT-based.
//!
//! Ports: the standard stream bundle and the weight memory's write port ([`WritePort`]).
//! Input beats carry SIMD elements: bipolar (1 = +1, 0 = −1), unsigned or signed a-bit
//! integers (uint8 pixels included); output beats PE accumulators of the IR's output type
//! ([`IntMvu::output_type`]: any weights of the weight type, so another model of the same
//! shapes loads at run time). The weight memory holds NF·SF words of PE·SIMD·WB bits
//! ([`weight_words`]). Control, II (NF·SF cycles per vector), latency (3
//! cycles after the last input beat of a row group) and stalls are the binary MVU's.
//!
//! Lane form: bit planes (for each activation bit `b`, the sum of the weights of the columns
//! whose bit `b` is set, shifted by `b`; a signed input's sign plane subtracted), chosen by
//! measurement against an adder tree of `WB × (IB+1)`-bit products (`$signed(w) * x`). LUTs
//! per lane (one weight × one activation) from yosys 0.x `synth_ice40` and `synth_xilinx
//! -nodsp`: the LUT difference between SIMD 32 and SIMD 16 at PE 1, SF 2, NF 1, a 16-bit
//! accumulator, divided by 16:
//!
//! | weights × activations | products, iCE40 | bit planes, iCE40 | products, 7-series | bit planes, 7-series |
//! |---|---:|---:|---:|---:|
//! | 4 × 4 bits | 58.9 | 61.1 | 44.0 | 44.4 |
//! | 1 × 2 bits | 20.6 | 10.8 | 16.4 | 10.8 |
//!
//! At 4 × 4 the two forms are within 4 % (yosys lowers a LUT multiplier to much the same
//! partial-product adders); at narrow widths the planes need half the LUTs because an AND row
//! per plane replaces a multiplier whose sign-extension bits it cannot share. So every width
//! uses planes, and the product form is not kept. (Plain `synth_xilinx` puts each product in
//! a DSP48: a DSP form is left for later.) Bipolar inputs add `±w`.
//!
//! Arithmetic is modulo 2^CW with CW ≥ the output width, so the low bits are exact whatever
//! the partial sums do; CW also holds a shifted bit plane whole.
//!
//! The core is static RTL, `int_mvu.v` (module `bitloom_int_mvu`): the shared control
//! (`bitloom_mvu_ctrl`, [`super::matrix`]) and integer lanes; its cycle model is a
//! [`MatrixModel`] with [`IntLanes`].

use super::matrix::{self, Control, Lanes, MatrixModel};
use super::{one_node, random_values, Case, EngineKind, Module};
use crate::memory::MemoryKind;
use crate::model::{extend, get_bits, wrap, CycleModel};
use crate::verilog::{clog2, MemFile};
use bitloom_compiler::ir::{IntMvu, Node, Stream};
use bitloom_compiler::model::IntMatrix;
use bitloom_compiler::nodes::MatrixKind;
use bitloom_compiler::types::DataType;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Every width and count of an integer MVU, computed once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Params {
    /// The shared control's numbers (PE, SIMD, SF, NF, MW, IB, the memory and counters).
    pub ctrl: Control,
    /// Bits per weight.
    pub wb: usize,
    /// Bits per output element (the IR's output type).
    pub ob: usize,
    /// Bits of a bit plane's sum of SIMD weights.
    pub ps: usize,
    /// Bits of a lane's running sum: the output and a shifted plane fit.
    pub cw: usize,
    /// Bipolar inputs: lanes add `±w`.
    pub bipolar: bool,
    /// Whether the input is signed.
    pub signed_in: bool,
}

impl Params {
    /// The parameters of `node` between streams `i` and `o`.
    pub fn new(node: &IntMvu, i: &Stream, o: &Stream) -> Self {
        let (wb, ib, ob) = (node.wbits as usize, i.dtype.bits() as usize, o.dtype.bits() as usize);
        let ps = wb + clog2(node.simd + 1);
        Params {
            ctrl: Control::new(node.mh(), node.mw(), node.folding(), ib, wb),
            wb,
            ob,
            ps,
            cw: ob.max(ps + ib),
            bipolar: i.dtype == DataType::Bipolar,
            signed_in: matches!(i.dtype, DataType::Int(_)),
        }
    }
}

impl EngineKind for IntMvu {
    fn core(&self, module: &str, i: &Stream, o: &Stream) -> Module {
        let p = Params::new(self, i, o);
        let params = [
            ("WB", p.wb),
            ("IB", p.ctrl.ib),
            ("OB", p.ob),
            ("CW", p.cw),
            ("PS", p.ps),
            ("BIPOLAR", p.bipolar as usize),
            ("SIGNED_IN", p.signed_in as usize),
        ];
        matrix::core(module, "bitloom_int_mvu", include_str!("int_mvu.v"), &p.ctrl, &params, weight_words(self))
    }

    fn model(&self, i: &Stream, o: &Stream) -> Box<dyn CycleModel> {
        let p = Params::new(self, i, o);
        Box::new(MatrixModel::new(p.ctrl, IntLanes(p), weight_words(self)))
    }

    fn memory(&self, _i: &Stream) -> Option<(MemoryKind, MemFile)> {
        Some((
            MemoryKind::IntWeights,
            MemFile {
                name: String::new(),
                width: self.pe * self.simd * self.wbits as usize,
                words: weight_words(self),
            },
        ))
    }

    fn constants(&self, _i: &Stream) -> Option<Vec<i64>> {
        None
    }
}

/// The weight memory: word `nf·SF + sf`, lane `p`, column `s` at bits `(p·SIMD + s)·WB` holds
/// `W[nf·PE + p][sf·SIMD + s]` in WB-bit two's complement (padding 0).
pub fn weight_words(node: &IntMvu) -> Vec<Vec<u64>> {
    let wb = node.wbits as usize;
    let c = Control::new(node.mh(), node.mw(), node.folding(), 1, wb);
    matrix::weight_words(&c, node.mh(), |r, k| wrap(node.weights.row(r)[k] as u64, wb))
}

/// The integer MVU's lanes: `Σ w·x` modulo 2^CW, the same value the core's bit planes sum.
pub struct IntLanes(Params);

impl Lanes for IntLanes {
    fn step(&self, lane: usize, base: u64, w: &[u64], x: &[u64]) -> u64 {
        let Params { ctrl: Control { simd, ib, .. }, wb, cw, bipolar, signed_in, .. } = self.0;
        (0..simd).fold(base, |sum, k| {
            let w = extend(get_bits(w, (lane * simd + k) * wb, wb), wb, true);
            let x = get_bits(x, k * ib, ib);
            let x = if bipolar { 2 * x as i64 - 1 } else { extend(x, ib, signed_in) };
            wrap(sum.wrapping_add(w.wrapping_mul(x) as u64), cw)
        })
    }

    fn value(&self, sum: u64) -> u64 {
        wrap(sum, self.0.ob)
    }

    fn out_bits(&self) -> usize {
        self.0.ob
    }
}

/// The integer MVU `int_mvu` of random MH×MW `wbits`-bit weights (from `seed`), PE, SIMD, on
/// inputs of type `input`.
pub fn graph(
    seed: u64,
    (mh, mw): (usize, usize),
    wbits: u32,
    (pe, simd): (usize, usize),
    input: DataType,
) -> bitloom_compiler::ir::DataflowGraph {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let half = 1i32 << (wbits - 1);
    let values = (0..mh * mw).map(|_| rng.gen_range(-half..half)).collect();
    let weights = IntMatrix::new(mh, mw, values).expect("mh·mw values");
    let node = IntMvu { name: "int_mvu".into(), weights, wbits, pe, simd };
    let i = Stream { dtype: input, len: mw, fold: simd };
    let o = Stream { dtype: node.output_type(input), len: mh, fold: pe };
    one_node(Node::IntMvu(node), i, o)
}

/// The harness's integer-MVU cases: 2-, 4- and 8-bit weights on bipolar, uint2, uint4, int4
/// and uint8 inputs, several foldings (padded ones included), `y = W·x` exactly.
pub fn cases() -> Vec<Case> {
    [
        ("int_mvu_w2_bipolar", 11, (6, 12), 2, (3, 4), DataType::Bipolar, 0.3),
        ("int_mvu_w4_uint2", 12, (8, 10), 4, (2, 5), DataType::UInt(2), 0.3),
        ("int_mvu_w4_uint4", 13, (6, 9), 4, (6, 9), DataType::UInt(4), 0.5),
        ("int_mvu_w4_int4", 14, (4, 12), 4, (1, 3), DataType::Int(4), 0.3),
        ("int_mvu_w8_uint8", 15, (4, 6), 8, (4, 1), DataType::UInt(8), 0.3),
        ("int_mvu_w2_int4", 16, (5, 8), 2, (5, 2), DataType::Int(4), 0.2),
        // Padded: PE not dividing MH, SIMD not dividing MW, both.
        ("int_mvu_w4_bipolar_pad_pe", 17, (7, 8), 4, (3, 4), DataType::Bipolar, 0.3),
        ("int_mvu_w3_uint4_pad_simd", 18, (6, 10), 3, (2, 4), DataType::UInt(4), 0.3),
        ("int_mvu_w4_int3_pad_both", 19, (5, 11), 4, (4, 3), DataType::Int(3), 0.3),
    ]
    .into_iter()
    .map(|(name, seed, shape, wbits, fold, input, stall)| {
        let graph = graph(seed, shape, wbits, fold, input);
        let Node::IntMvu(m) = &graph.nodes[0] else { unreachable!("an integer MVU graph") };
        let mut rng = ChaCha8Rng::seed_from_u64(seed + 1);
        let inputs: Vec<Vec<i64>> = (0..6).map(|_| random_values(&mut rng, input, shape.1)).collect();
        let expected = inputs
            .iter()
            .map(|x| {
                (0..shape.0).map(|r| m.weights.row(r).iter().zip(x).map(|(&w, &v)| i64::from(w) * v).sum()).collect()
            })
            .collect();
        Case { name, graph, inputs, expected, stall }
    })
    .collect()
}
