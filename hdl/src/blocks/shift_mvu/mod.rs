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
//! The core is static RTL, `shift_mvu.v` (module `bitloom_shift_mvu`); [`ShiftMvuModel`] is
//! its cycle model.

use super::{numbers, one_node, random_values, Case, EngineKind, Module, WritePort};
use crate::memory::MemoryKind;
use crate::model::{extend, get_bits, pack_lanes, wrap, CycleModel};
use crate::verilog::{clog2, put_bits, MemFile};
use bitloom_compiler::ir::{Node, ShiftMvu, Stream};
use bitloom_compiler::model::IntMatrix;
use bitloom_compiler::types::DataType;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Every width and count of a shift-add MVU, computed once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Params {
    /// Rows in parallel.
    pub pe: usize,
    /// Columns per cycle.
    pub simd: usize,
    /// Synapse fold: cycles per output beat.
    pub sf: usize,
    /// Neuron fold: output beats per vector.
    pub nf: usize,
    /// Bits per input element.
    pub ib: usize,
    /// Bits per output element (the node's output type).
    pub ob: usize,
    /// Bits of a lane's running sum: max(OB, IB + 1), so a widened input always fits.
    pub cw: usize,
    /// Bits of a weight code's exponent: `bits − 2`, at least 1.
    pub eb: usize,
    /// Bits of a weight code: exponent, sign, nonzero.
    pub cb: usize,
    /// Weight memory words: SF·NF.
    pub depth: usize,
    /// Bits of the SF counter.
    pub sw: usize,
    /// Bits of the NF counter.
    pub nw: usize,
    /// Bits of the weight address (and of the write port's `wr_addr`).
    pub aw: usize,
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
            pe: node.pe,
            simd: node.simd,
            sf: node.sf(),
            nf: node.nf(),
            ib,
            ob,
            cw: ob.max(ib + 1),
            eb,
            cb: eb + 2,
            depth: node.sf() * node.nf(),
            sw: clog2(node.sf().max(2)),
            nw: clog2(node.nf().max(2)),
            aw: clog2((node.sf() * node.nf()).max(2)),
            bipolar: i.dtype == DataType::Bipolar,
            signed_in: matches!(i.dtype, DataType::Int(_)),
        }
    }
}

impl EngineKind for ShiftMvu {
    fn core(&self, module: &str, i: &Stream, o: &Stream) -> Module {
        emit(module, self, &Params::new(self, i, o))
    }

    fn model(&self, i: &Stream, o: &Stream) -> Box<dyn CycleModel> {
        Box::new(ShiftMvuModel::new(self, i, &Params::new(self, i, o)))
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
/// [`code`] of `W[nf·PE + p][sf·SIMD + s]`.
pub fn weight_words(node: &ShiftMvu) -> Vec<Vec<u64>> {
    let (pe, simd, cb) = (node.pe, node.simd, code_bits(node));
    (0..node.nf())
        .flat_map(|n| (0..node.sf()).map(move |s| (n, s)))
        .map(|(n, s)| {
            let mut w = vec![0u64; (pe * simd * cb).div_ceil(64)];
            for p in 0..pe {
                let row = node.weights.row(n * pe + p);
                for k in 0..simd {
                    put_bits(&mut w, (p * simd + k) * cb, cb, code(row[s * simd + k], cb - 2));
                }
            }
            w
        })
        .collect()
}

/// The static core (`shift_mvu.v`) with `p`'s numbers; its weight memory file is
/// `<module>_w.mem`.
fn emit(module: &str, node: &ShiftMvu, p: &Params) -> Module {
    let wfile = format!("{module}_w.mem");
    let width = p.pe * p.simd * p.cb;
    let mem = MemFile { name: wfile.clone(), width, words: weight_words(node) };
    let mut params = numbers(&[
        ("PE", p.pe),
        ("SIMD", p.simd),
        ("SF", p.sf),
        ("NF", p.nf),
        ("IB", p.ib),
        ("OB", p.ob),
        ("CW", p.cw),
        ("DEPTH", p.depth),
        ("SW", p.sw),
        ("NW", p.nw),
        ("AW", p.aw),
        ("EB", p.eb),
        ("CB", p.cb),
        ("BIPOLAR", p.bipolar as usize),
        ("SIGNED_IN", p.signed_in as usize),
    ]);
    params.push(("MEM_FILE", format!("{wfile:?}")));
    Module {
        name: "bitloom_shift_mvu".into(),
        params,
        text: include_str!("shift_mvu.v").into(),
        mems: vec![mem],
        write: Some(WritePort::new(width, p.depth)),
    }
}

/// The shift-add MVU's cycle model.
pub struct ShiftMvuModel {
    p: Params,
    wmem: Vec<Vec<u64>>,
    sf_cnt: usize,
    nf_cnt: usize,
    waddr: usize,
    out_v: bool,
    v1: bool,
    first1: bool,
    last1: bool,
    w1: Vec<u64>,
    x1: Vec<u64>,
    ibuf: Vec<Vec<u64>>,
    acc: Vec<u64>,
    res: Vec<u64>,
}

impl ShiftMvuModel {
    /// The model of `node` on input stream `i`, with parameters `p`.
    pub fn new(node: &ShiftMvu, i: &Stream, p: &Params) -> Self {
        ShiftMvuModel {
            p: *p,
            wmem: weight_words(node),
            sf_cnt: 0,
            nf_cnt: 0,
            waddr: 0,
            out_v: false,
            v1: false,
            first1: false,
            last1: false,
            w1: vec![0; (p.pe * p.simd * p.cb).div_ceil(64)],
            x1: vec![0; i.width().div_ceil(64)],
            ibuf: vec![vec![0; i.width().div_ceil(64)]; p.sf],
            acc: vec![0; p.pe],
            res: vec![0; p.pe],
        }
    }

    /// Input element `k` of the operand register, widened to CW bits.
    fn x(&self, k: usize) -> u64 {
        let Params { ib, cw, bipolar, signed_in, .. } = self.p;
        let v = get_bits(&self.x1, k * ib, ib);
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

    /// Lane `l`'s accumulator after adding this cycle's products.
    fn lane_sum(&self, l: usize) -> u64 {
        let Params { simd, cw, eb, cb, .. } = self.p;
        let base = if self.first1 { 0 } else { self.acc[l] };
        (0..simd).fold(base, |sum, k| {
            let c = get_bits(&self.w1, (l * simd + k) * cb, cb);
            let e = c & ((1 << eb) - 1);
            // Verilog's `<<` shifts out past CW bits.
            let t = if e as usize >= cw { 0 } else { wrap(self.x(k) << e, cw) };
            let sum = match (c >> (eb + 1) & 1, c >> eb & 1) {
                (0, _) => sum,
                (_, 0) => sum.wrapping_add(t),
                _ => sum.wrapping_sub(t),
            };
            wrap(sum, cw)
        })
    }
}

impl CycleModel for ShiftMvuModel {
    fn in_ready(&self, out_ready: bool) -> bool {
        (!self.out_v || out_ready) && self.nf_cnt == 0
    }

    fn out_valid(&self) -> bool {
        self.out_v
    }

    fn out_data(&self) -> Vec<u64> {
        pack_lanes(&self.res, self.p.ob)
    }

    fn clock(&mut self, rst: bool, in_valid: bool, in_data: &[u64], out_ready: bool) {
        let Params { pe, sf, nf, ob, .. } = self.p;
        let en = !self.out_v || out_ready;
        let first_pass = self.nf_cnt == 0;
        let issue = en && (!first_pass || in_valid);
        let (v1, last1) = (self.v1, self.last1);
        // Lanes, from the operand registers of the previous cycle.
        if en && v1 {
            for l in 0..pe {
                let sum = self.lane_sum(l);
                self.acc[l] = sum;
                if last1 {
                    self.res[l] = wrap(sum, ob);
                }
            }
        }
        // Operand registers (no reset).
        if issue {
            self.w1.clone_from(&self.wmem[self.waddr]);
            self.first1 = self.sf_cnt == 0;
            self.last1 = self.sf_cnt == sf - 1;
            if nf > 1 && !first_pass {
                self.x1.clone_from(&self.ibuf[self.sf_cnt]);
            } else {
                self.x1.copy_from_slice(in_data);
            }
            if nf > 1 && first_pass {
                self.ibuf[self.sf_cnt].copy_from_slice(in_data);
            }
        }
        // Control.
        if rst {
            (self.sf_cnt, self.nf_cnt, self.waddr, self.v1, self.out_v) = (0, 0, 0, false, false);
        } else if en {
            self.v1 = issue;
            self.out_v = v1 && last1;
            if issue {
                self.waddr = if self.waddr == sf * nf - 1 { 0 } else { self.waddr + 1 };
                if self.sf_cnt == sf - 1 {
                    self.sf_cnt = 0;
                    self.nf_cnt = if self.nf_cnt == nf - 1 { 0 } else { self.nf_cnt + 1 };
                } else {
                    self.sf_cnt += 1;
                }
            }
        }
    }

    fn write(&mut self, addr: usize, data: &[u64]) {
        // Verilog ignores writes past the end of the memory.
        if let Some(word) = self.wmem.get_mut(addr) {
            for (k, limb) in word.iter_mut().enumerate() {
                *limb = data.get(k).copied().unwrap_or(0);
            }
            crate::wire::mask(word, self.p.pe * self.p.simd * self.p.cb);
        }
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
/// several foldings, `y = W·x` exactly.
pub fn cases() -> Vec<Case> {
    [
        ("shift_mvu_bipolar", 1, (6, 12, 5), (3, 4), DataType::Bipolar, 0.3),
        ("shift_mvu_uint4", 2, (8, 16, 5), (2, 8), DataType::UInt(4), 0.4),
        ("shift_mvu_uint4_full", 3, (4, 6, 4), (4, 6), DataType::UInt(4), 0.3),
        ("shift_mvu_uint8", 4, (4, 10, 6), (1, 2), DataType::UInt(8), 0.3),
        ("shift_mvu_uint2_ternary", 5, (6, 9, 2), (2, 3), DataType::UInt(2), 0.3),
        ("shift_mvu_int3", 6, (4, 8, 3), (2, 4), DataType::Int(3), 0.3),
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
