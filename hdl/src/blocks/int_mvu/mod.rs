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
//! The core is static RTL, `int_mvu.v` (module `bitloom_int_mvu`); [`IntMvuModel`] is its
//! cycle model.

use super::{numbers, one_node, random_values, Case, EngineKind, Module, WritePort};
use crate::memory::MemoryKind;
use crate::model::{extend, get_bits, pack_lanes, wrap, CycleModel};
use crate::verilog::{clog2, put_bits, MemFile};
use bitloom_compiler::ir::{IntMvu, Node, Stream};
use bitloom_compiler::model::IntMatrix;
use bitloom_compiler::types::DataType;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Every width and count of an integer MVU, computed once.
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
    /// Bits per weight.
    pub wb: usize,
    /// Bits per input element.
    pub ib: usize,
    /// Bits per output element (the IR's output type).
    pub ob: usize,
    /// Bits of a bit plane's sum of SIMD weights.
    pub ps: usize,
    /// Bits of a lane's running sum: the output and a shifted plane fit.
    pub cw: usize,
    /// Weight memory words: SF·NF.
    pub depth: usize,
    /// Bits of the SF counter.
    pub sw: usize,
    /// Bits of the NF counter.
    pub nw: usize,
    /// Bits of the weight address (and of the write port's `wr_addr`).
    pub aw: usize,
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
            pe: node.pe,
            simd: node.simd,
            sf: node.sf(),
            nf: node.nf(),
            wb,
            ib,
            ob,
            ps,
            cw: ob.max(ps + ib),
            depth: node.sf() * node.nf(),
            sw: clog2(node.sf().max(2)),
            nw: clog2(node.nf().max(2)),
            aw: clog2((node.sf() * node.nf()).max(2)),
            bipolar: i.dtype == DataType::Bipolar,
            signed_in: matches!(i.dtype, DataType::Int(_)),
        }
    }
}

impl EngineKind for IntMvu {
    fn core(&self, module: &str, i: &Stream, o: &Stream) -> Module {
        emit(module, self, &Params::new(self, i, o))
    }

    fn model(&self, i: &Stream, o: &Stream) -> Box<dyn CycleModel> {
        Box::new(IntMvuModel::new(self, i, &Params::new(self, i, o)))
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
/// `W[nf·PE + p][sf·SIMD + s]` in WB-bit two's complement.
pub fn weight_words(node: &IntMvu) -> Vec<Vec<u64>> {
    let (pe, simd, wb) = (node.pe, node.simd, node.wbits as usize);
    (0..node.nf())
        .flat_map(|n| (0..node.sf()).map(move |s| (n, s)))
        .map(|(n, s)| {
            let mut w = vec![0u64; (pe * simd * wb).div_ceil(64)];
            for p in 0..pe {
                let row = node.weights.row(n * pe + p);
                for k in 0..simd {
                    put_bits(&mut w, (p * simd + k) * wb, wb, row[s * simd + k] as u64);
                }
            }
            w
        })
        .collect()
}

/// The static core (`int_mvu.v`) with `p`'s numbers; its weight memory file is `<module>_w.mem`.
fn emit(module: &str, node: &IntMvu, p: &Params) -> Module {
    let wfile = format!("{module}_w.mem");
    let width = p.pe * p.simd * p.wb;
    let mem = MemFile { name: wfile.clone(), width, words: weight_words(node) };
    let mut params = numbers(&[
        ("PE", p.pe),
        ("SIMD", p.simd),
        ("SF", p.sf),
        ("NF", p.nf),
        ("WB", p.wb),
        ("IB", p.ib),
        ("OB", p.ob),
        ("CW", p.cw),
        ("PS", p.ps),
        ("DEPTH", p.depth),
        ("SW", p.sw),
        ("NW", p.nw),
        ("AW", p.aw),
        ("BIPOLAR", p.bipolar as usize),
        ("SIGNED_IN", p.signed_in as usize),
    ]);
    params.push(("MEM_FILE", format!("{wfile:?}")));
    Module {
        name: "bitloom_int_mvu".into(),
        params,
        text: include_str!("int_mvu.v").into(),
        mems: vec![mem],
        write: Some(WritePort::new(width, p.depth)),
    }
}

/// The integer MVU's cycle model: the binary MVU's control with integer lanes.
pub struct IntMvuModel {
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

impl IntMvuModel {
    /// The model of `node` on input stream `i`, with parameters `p`.
    pub fn new(node: &IntMvu, i: &Stream, p: &Params) -> Self {
        IntMvuModel {
            p: *p,
            wmem: weight_words(node),
            sf_cnt: 0,
            nf_cnt: 0,
            waddr: 0,
            out_v: false,
            v1: false,
            first1: false,
            last1: false,
            w1: vec![0; (p.pe * p.simd * p.wb).div_ceil(64)],
            x1: vec![0; i.width().div_ceil(64)],
            ibuf: vec![vec![0; i.width().div_ceil(64)]; p.sf],
            acc: vec![0; p.pe],
            res: vec![0; p.pe],
        }
    }

    /// Lane `lane`'s accumulator after adding this cycle's products (modulo 2^CW, the same
    /// value the core's bit planes sum).
    fn lane_sum(&self, lane: usize) -> u64 {
        let p = &self.p;
        let base = if self.first1 { 0 } else { self.acc[lane] };
        (0..p.simd).fold(base, |sum, k| {
            let w = extend(get_bits(&self.w1, (lane * p.simd + k) * p.wb, p.wb), p.wb, true);
            let x = get_bits(&self.x1, k * p.ib, p.ib);
            let x = if p.bipolar { 2 * x as i64 - 1 } else { extend(x, p.ib, p.signed_in) };
            wrap(sum.wrapping_add(w.wrapping_mul(x) as u64), p.cw)
        })
    }
}

impl CycleModel for IntMvuModel {
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
            for lane in 0..pe {
                let sum = self.lane_sum(lane);
                self.acc[lane] = sum;
                if last1 {
                    self.res[lane] = wrap(sum, ob);
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
            crate::wire::mask(word, self.p.pe * self.p.simd * self.p.wb);
        }
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
/// and uint8 inputs, several foldings, `y = W·x` exactly.
pub fn cases() -> Vec<Case> {
    [
        ("int_mvu_w2_bipolar", 11, (6, 12), 2, (3, 4), DataType::Bipolar, 0.3),
        ("int_mvu_w4_uint2", 12, (8, 10), 4, (2, 5), DataType::UInt(2), 0.3),
        ("int_mvu_w4_uint4", 13, (6, 9), 4, (6, 9), DataType::UInt(4), 0.5),
        ("int_mvu_w4_int4", 14, (4, 12), 4, (1, 3), DataType::Int(4), 0.3),
        ("int_mvu_w8_uint8", 15, (4, 6), 8, (4, 1), DataType::UInt(8), 0.3),
        ("int_mvu_w2_int4", 16, (5, 8), 2, (5, 2), DataType::Int(4), 0.2),
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
