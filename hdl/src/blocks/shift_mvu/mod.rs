//! Shift-add matrix-vector unit for INQ's power-of-two weights (0 or `±2^e`), folded by PE
//! (rows) and SIMD (columns), with no multiplier: a product is `±(x << e)` or 0.
//!
//! Ports: the standard stream bundle. Input beats carry SIMD elements (bipolar, signed or
//! unsigned; the first layer's uint8 pixels included), output beats PE sums of the node's
//! exact output type. The weights are a `$readmemh` memory of NF·SF words of PE·SIMD codes
//! of CB = EB + 2 bits ([`weight_words`]: exponent, sign, nonzero), a simple dual-port RAM
//! with a write port like the MVU's, so the link replaces them at run time.
//!
//! Behaviour and timing are the MVU's (`super::mvu`): the first of NF passes takes SF input
//! beats and buffers them, later passes replay the buffer; NF·SF cycles per vector; latency 3
//! cycles after the last input beat of a row group; one enable stalls the pipeline.
//!
//! Accumulation: every input element is widened once to the accumulator width CW =
//! max(OB, IB + 1) and each lane adds `±(x << e)` (or nothing) per column, modulo 2^CW. That
//! is exact: the output type holds the row's range, and every partial sum of a row lies in
//! it (each term's extremes straddle 0 for the inputs the engine takes).
//!
//! Micro-architecture, chosen by yosys `synth_ice40` (5-bit weights, uint4 activations,
//! MW 64, 18-bit sums; LUTs per lane = (LUTs at SIMD 16 − LUTs at SIMD 1) / 15):
//! (a) a barrel shifter per lane (EB mux levels) and one add/subtract per product: 114; (b)
//! one accumulator per exponent level (2^EB of them, level `l` needs CW − l bits) with a
//! constant shift per level at the end: 514, eight masked adders per lane cost more than one
//! 3-level shifter; (c) as (a), but a negative product adds `~(x << e)` and the lane adds the
//! count of negatives once (`−t = ~t + 1`), so each product needs one adder, not an adder, a
//! subtractor and a mux: 63. (c) is kept; ARCHITECTURE.md has the table.
//!
//! The core is static RTL, `shift_mvu.v` (module `bitloom_shift_mvu`): the shared control
//! (`bitloom_mvu_ctrl`, [`super::matrix`]) and shift-add lanes; [`ShiftMvuModel`] is its cycle
//! model.

use super::matrix::{self, Control, Lanes, MatrixModel};
use super::{one_node, random_values, Case, EngineKind, Module};
use crate::memory::MemoryKind;
use crate::model::{extend, get_bits, wrap, CycleModel};
use crate::verilog::MemFile;
use bitloom_compiler::ir::{Node, ShiftMvu, Stream};
use bitloom_compiler::model::IntMatrix;
use bitloom_compiler::nodes::MatrixKind;
use bitloom_compiler::types::DataType;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Every width and count of a shift-add MVU, computed once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Params {
    /// The shared control's numbers (PE, SIMD, SF, NF, MW, IB, the memory and counters).
    pub ctrl: Control,
    /// Bits per output element (the node's output type).
    pub ob: usize,
    /// Bits of a lane's running sum: max(OB, IB + 1), so a widened input always fits.
    pub cw: usize,
    /// Bits of a weight code's exponent: `bits − 2`, at least 1.
    pub eb: usize,
    /// Bits of a weight code: exponent, sign, nonzero.
    pub cb: usize,
    /// Whether the input is bipolar (bit 1 = +1, 0 = −1).
    pub bipolar: bool,
    /// Whether the input is signed.
    pub signed_in: bool,
}

impl Params {
    /// The parameters of `node` between streams `i` and `o`.
    pub fn new(node: &ShiftMvu, i: &Stream, o: &Stream) -> Self {
        let ob = o.dtype.bits() as usize;
        let ib = i.dtype.bits() as usize;
        let eb = (node.exp_bits() as usize).max(1);
        Params {
            ctrl: Control::new(node.mh(), node.mw(), node.folding(), ib, eb + 2),
            ob,
            cw: ob.max(ib + 1),
            eb,
            cb: eb + 2,
            bipolar: i.dtype == DataType::Bipolar,
            signed_in: matches!(i.dtype, DataType::Int(_)),
        }
    }
}

impl EngineKind for ShiftMvu {
    fn core(&self, module: &str, i: &Stream, o: &Stream) -> Module {
        let p = Params::new(self, i, o);
        let params = [
            ("IB", p.ctrl.ib),
            ("OB", p.ob),
            ("CW", p.cw),
            ("EB", p.eb),
            ("CB", p.cb),
            ("BIPOLAR", p.bipolar as usize),
            ("SIGNED_IN", p.signed_in as usize),
        ];
        matrix::core(module, "bitloom_shift_mvu", include_str!("shift_mvu.v"), &p.ctrl, &params, weight_words(self))
    }

    fn model(&self, i: &Stream, o: &Stream) -> Box<dyn CycleModel> {
        let p = Params::new(self, i, o);
        Box::new(MatrixModel::new(p.ctrl, ShiftLanes(p), weight_words(self)))
    }

    fn memory(&self, _i: &Stream) -> Option<(MemoryKind, MemFile)> {
        let cb = code_bits(self);
        Some((
            MemoryKind::Pow2Weights,
            MemFile { name: String::new(), width: self.pe * self.simd * cb, words: weight_words(self) },
        ))
    }

    fn constants(&self, _i: &Stream) -> Option<Vec<i64>> {
        None
    }
}

/// Bits of one weight code.
fn code_bits(node: &ShiftMvu) -> usize {
    (node.exp_bits() as usize).max(1) + 2
}

/// A weight's code: bits `[0, EB)` the exponent, bit EB the sign (1 = negative), bit EB + 1
/// nonzero; 0 for a zero weight. Weights are verified `Pow2` values.
fn code(w: i32, eb: usize) -> u64 {
    if w == 0 {
        return 0;
    }
    let e = u64::from(w.unsigned_abs().trailing_zeros());
    e | u64::from(w < 0) << eb | 1 << (eb + 1)
}

/// The weight memory: word `nf·SF + sf`, lane `p`, code `s` at bits `(p·SIMD + s)·CB` is
/// [`code`] of `W[nf·PE + p][sf·SIMD + s]` (padding 0, the zero weight's code).
pub fn weight_words(node: &ShiftMvu) -> Vec<Vec<u64>> {
    let cb = code_bits(node);
    let c = Control::new(node.mh(), node.mw(), node.folding(), 1, cb);
    matrix::weight_words(&c, node.mh(), |r, k| code(node.weights.row(r)[k], cb - 2))
}

/// The shift-add MVU's lanes: `±(x << e)` or nothing per column, modulo 2^CW.
pub struct ShiftLanes(Params);

/// The shift-add MVU's cycle model.
pub type ShiftMvuModel = MatrixModel<ShiftLanes>;

impl ShiftLanes {
    /// Input element `k` of the operand beat `x`, widened to CW bits.
    fn x(&self, x: &[u64], k: usize) -> u64 {
        let Params { ctrl: Control { ib, .. }, cw, bipolar, signed_in, .. } = self.0;
        let v = get_bits(x, k * ib, ib);
        let x = if bipolar {
            if v == 1 {
                1
            } else {
                -1
            }
        } else {
            extend(v, ib, signed_in)
        };
        wrap(x as u64, cw)
    }
}

impl Lanes for ShiftLanes {
    fn step(&self, l: usize, base: u64, w: &[u64], x: &[u64]) -> u64 {
        let Params { ctrl: Control { simd, .. }, cw, eb, cb, .. } = self.0;
        (0..simd).fold(base, |sum, k| {
            let c = get_bits(w, (l * simd + k) * cb, cb);
            let e = c & ((1 << eb) - 1);
            // Verilog's `<<` shifts out past CW bits.
            let t = if e as usize >= cw { 0 } else { wrap(self.x(x, k) << e, cw) };
            let sum = match (c >> (eb + 1) & 1, c >> eb & 1) {
                (0, _) => sum,
                (_, 0) => sum.wrapping_add(t),
                _ => sum.wrapping_sub(t),
            };
            wrap(sum, cw)
        })
    }

    fn value(&self, sum: u64) -> u64 {
        wrap(sum, self.0.ob)
    }

    fn out_bits(&self) -> usize {
        self.0.ob
    }
}

/// The shift-add MVU `shift_mvu` of random MH×MW `Pow2(bits)` weights (from `seed`, about a
/// quarter zero), PE, SIMD, on inputs of type `input`.
pub fn graph(
    seed: u64,
    (mh, mw, bits): (usize, usize, u32),
    (pe, simd): (usize, usize),
    input: DataType,
) -> bitloom_compiler::ir::DataflowGraph {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let levels = 1u32 << (bits - 2);
    let values = (0..mh * mw)
        .map(|_| {
            if rng.gen_bool(0.25) {
                0
            } else {
                let m = 1i32 << rng.gen_range(0..levels);
                if rng.gen() {
                    m
                } else {
                    -m
                }
            }
        })
        .collect();
    let weights = IntMatrix::new(mh, mw, values).expect("mh·mw values");
    let node = ShiftMvu { name: "shift_mvu".into(), weights, bits, pe, simd };
    let i = Stream { dtype: input, len: mw, fold: simd };
    let o = Stream { dtype: node.output_type(input), len: mh, fold: pe };
    one_node(Node::ShiftMvu(node), i, o)
}

/// The harness's shift-add MVU cases: bipolar, uint4 and uint8 inputs, 2- to 6-bit weights,
/// several foldings (padded ones included), `y = W·x` exactly.
pub fn cases() -> Vec<Case> {
    [
        ("shift_mvu_bipolar", 1, (6, 12, 5), (3, 4), DataType::Bipolar, 0.3),
        ("shift_mvu_uint4", 2, (8, 16, 5), (2, 8), DataType::UInt(4), 0.4),
        ("shift_mvu_uint4_full", 3, (4, 6, 4), (4, 6), DataType::UInt(4), 0.3),
        ("shift_mvu_uint8", 4, (4, 10, 6), (1, 2), DataType::UInt(8), 0.3),
        ("shift_mvu_uint2_ternary", 5, (6, 9, 2), (2, 3), DataType::UInt(2), 0.3),
        ("shift_mvu_int3", 6, (4, 8, 3), (2, 4), DataType::Int(3), 0.3),
        // Padded: PE not dividing MH, SIMD not dividing MW, both.
        ("shift_mvu_bipolar_pad_pe", 7, (7, 8, 4), (2, 4), DataType::Bipolar, 0.3),
        ("shift_mvu_uint4_pad_simd", 8, (6, 10, 5), (3, 4), DataType::UInt(4), 0.3),
        ("shift_mvu_int3_pad_both", 9, (5, 11, 3), (4, 3), DataType::Int(3), 0.3),
    ]
    .into_iter()
    .map(|(name, seed, shape, fold, input, stall)| {
        let graph = graph(seed, shape, fold, input);
        let Node::ShiftMvu(m) = &graph.nodes[0] else { unreachable!("a shift-add MVU graph") };
        let (mh, mw) = (m.mh(), m.mw());
        let mut rng = ChaCha8Rng::seed_from_u64(seed + 1);
        let inputs: Vec<Vec<i64>> = (0..6).map(|_| random_values(&mut rng, input, mw)).collect();
        let expected = inputs
            .iter()
            .map(|x| (0..mh).map(|r| m.weights.row(r).iter().zip(x).map(|(&w, &v)| i64::from(w) * v).sum()).collect())
            .collect();
        Case { name, graph, inputs, expected, stall }
    })
    .collect()
}
