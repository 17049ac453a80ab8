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
//! The core is static RTL, `mvu.v` (module `bitloom_mvu`), instantiated with the numbers of
//! [`Params`] and the node's weight file; [`MvuModel`] is its cycle model.

use super::{numbers, one_node, random_values, Case, EngineKind, Module, WritePort};
use crate::memory::MemoryKind;
use crate::model::{extend, get_bits, pack_lanes, wrap, CycleModel};
use crate::verilog::{clog2, MemFile};
use bitloom_compiler::ir::{Mvu, MvuMode, Node, Stream};
use bitloom_compiler::model::{dense_output_type, BitMatrix};
use bitloom_compiler::types::DataType;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Every width and count of an MVU, computed once.
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
    /// Columns.
    pub mw: usize,
    /// Bits per input element.
    pub ib: usize,
    /// Bits per output element (the accumulator's type).
    pub ob: usize,
    /// Bits of a lane's running sum: agreements for XNOR lanes, the output width otherwise.
    pub cw: usize,
    /// Weight memory words: SF·NF.
    pub depth: usize,
    /// Bits of the SF counter.
    pub sw: usize,
    /// Bits of the NF counter.
    pub nw: usize,
    /// Bits of the weight address (and of the write port's `wr_addr`).
    pub aw: usize,
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
            pe: node.pe,
            simd: node.simd,
            sf: node.sf(),
            nf: node.nf(),
            mw: node.mw(),
            ib: i.dtype.bits() as usize,
            ob,
            cw: match node.mode {
                MvuMode::Xnor => clog2(node.mw() + 1),
                MvuMode::SignedAdd => ob,
            },
            depth: node.sf() * node.nf(),
            sw: clog2(node.sf().max(2)),
            nw: clog2(node.nf().max(2)),
            aw: clog2((node.sf() * node.nf()).max(2)),
            mode: node.mode,
            signed_in: matches!(i.dtype, DataType::Int(_)),
        }
    }
}

impl EngineKind for Mvu {
    fn core(&self, module: &str, i: &Stream, o: &Stream) -> Module {
        emit(module, self, &Params::new(self, i, o))
    }

    fn model(&self, i: &Stream, o: &Stream) -> Box<dyn CycleModel> {
        Box::new(MvuModel::new(self, i, &Params::new(self, i, o)))
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

/// The weight memory: word `nf·SF + sf`, lane `p`, bit `s` is `W[nf·PE + p][sf·SIMD + s]`.
pub fn weight_words(node: &Mvu) -> Vec<Vec<u64>> {
    let (pe, simd) = (node.pe, node.simd);
    (0..node.nf())
        .flat_map(|n| (0..node.sf()).map(move |s| (n, s)))
        .map(|(n, s)| {
            let mut w = vec![0u64; (pe * simd).div_ceil(64)];
            for p in 0..pe {
                for k in 0..simd {
                    if node.weights.get(n * pe + p, s * simd + k) {
                        crate::verilog::set_bit(&mut w, p * simd + k);
                    }
                }
            }
            w
        })
        .collect()
}

/// The static core (`mvu.v`) with `p`'s numbers; its weight memory file is `<module>_w.mem`.
fn emit(module: &str, node: &Mvu, p: &Params) -> Module {
    let wfile = format!("{module}_w.mem");
    let mem = MemFile { name: wfile.clone(), width: p.pe * p.simd, words: weight_words(node) };
    let mut params = numbers(&[
        ("PE", p.pe),
        ("SIMD", p.simd),
        ("SF", p.sf),
        ("NF", p.nf),
        ("MW", p.mw),
        ("IB", p.ib),
        ("OB", p.ob),
        ("CW", p.cw),
        ("DEPTH", p.depth),
        ("SW", p.sw),
        ("NW", p.nw),
        ("AW", p.aw),
        ("XNOR", (p.mode == MvuMode::Xnor) as usize),
        ("SIGNED_IN", p.signed_in as usize),
    ]);
    params.push(("MEM_FILE", format!("{wfile:?}")));
    let port = WritePort::new(p.pe * p.simd, p.depth);
    Module {
        name: "bitloom_mvu".into(),
        params,
        text: include_str!("mvu.v").into(),
        mems: vec![mem],
        write: Some(port),
    }
}

/// The MVU's cycle model.
pub struct MvuModel {
    pe: usize,
    simd: usize,
    sf: usize,
    nf: usize,
    mw: usize,
    ib: usize,
    ob: usize,
    cw: usize,
    mode: MvuMode,
    signed_in: bool,
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

impl MvuModel {
    /// The model of `node` on input stream `i`, with parameters `p`.
    pub fn new(node: &Mvu, i: &Stream, p: &Params) -> Self {
        let Params { pe, simd, sf, nf, mw, ib, ob, cw, mode, signed_in, .. } = *p;
        MvuModel {
            pe,
            simd,
            sf,
            nf,
            mw,
            ib,
            ob,
            cw,
            mode,
            signed_in,
            wmem: weight_words(node),
            sf_cnt: 0,
            nf_cnt: 0,
            waddr: 0,
            out_v: false,
            v1: false,
            first1: false,
            last1: false,
            w1: vec![0; (pe * simd).div_ceil(64)],
            x1: vec![0; i.width().div_ceil(64)],
            ibuf: vec![vec![0; i.width().div_ceil(64)]; sf],
            acc: vec![0; pe],
            res: vec![0; pe],
        }
    }

    /// Lane `p`'s accumulator after adding this cycle's products.
    fn lane_sum(&self, p: usize) -> u64 {
        let base = if self.first1 { 0 } else { self.acc[p] };
        match self.mode {
            MvuMode::Xnor => {
                let agree = (0..self.simd)
                    .filter(|&k| get_bits(&self.w1, p * self.simd + k, 1) == get_bits(&self.x1, k, 1))
                    .count() as u64;
                wrap(base + agree, self.cw)
            }
            MvuMode::SignedAdd => (0..self.simd).fold(base, |sum, k| {
                let x = extend(get_bits(&self.x1, k * self.ib, self.ib), self.ib, self.signed_in) as u64;
                let sum = if get_bits(&self.w1, p * self.simd + k, 1) == 1 {
                    sum.wrapping_add(x)
                } else {
                    sum.wrapping_sub(x)
                };
                wrap(sum, self.ob)
            }),
        }
    }

    /// The output value of a finished accumulator.
    fn value(&self, sum: u64) -> u64 {
        match self.mode {
            MvuMode::Xnor => wrap((sum << 1).wrapping_sub(self.mw as u64), self.ob),
            MvuMode::SignedAdd => sum,
        }
    }
}

impl CycleModel for MvuModel {
    fn in_ready(&self, out_ready: bool) -> bool {
        (!self.out_v || out_ready) && self.nf_cnt == 0
    }

    fn out_valid(&self) -> bool {
        self.out_v
    }

    fn out_data(&self) -> Vec<u64> {
        pack_lanes(&self.res, self.ob)
    }

    fn clock(&mut self, rst: bool, in_valid: bool, in_data: &[u64], out_ready: bool) {
        let en = !self.out_v || out_ready;
        let first_pass = self.nf_cnt == 0;
        let issue = en && (!first_pass || in_valid);
        let (v1, last1) = (self.v1, self.last1);
        // Lanes, from the operand registers of the previous cycle.
        if en && v1 {
            for p in 0..self.pe {
                let sum = self.lane_sum(p);
                self.acc[p] = sum;
                if last1 {
                    self.res[p] = self.value(sum);
                }
            }
        }
        // Operand registers (no reset).
        if issue {
            self.w1.clone_from(&self.wmem[self.waddr]);
            self.first1 = self.sf_cnt == 0;
            self.last1 = self.sf_cnt == self.sf - 1;
            if self.nf > 1 && !first_pass {
                self.x1.clone_from(&self.ibuf[self.sf_cnt]);
            } else {
                self.x1.copy_from_slice(in_data);
            }
            if self.nf > 1 && first_pass {
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
                self.waddr = if self.waddr == self.sf * self.nf - 1 { 0 } else { self.waddr + 1 };
                if self.sf_cnt == self.sf - 1 {
                    self.sf_cnt = 0;
                    self.nf_cnt = if self.nf_cnt == self.nf - 1 { 0 } else { self.nf_cnt + 1 };
                } else {
                    self.sf_cnt += 1;
                }
            }
        }
    }

    fn write(&mut self, addr: usize, data: &[u64]) {
        // Verilog ignores writes past the end of the memory.
        if let Some(word) = self.wmem.get_mut(addr) {
            let width = self.pe * self.simd;
            for (k, limb) in word.iter_mut().enumerate() {
                *limb = data.get(k).copied().unwrap_or(0);
            }
            crate::wire::mask(word, width);
        }
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

/// The harness's MVU cases: XNOR and signed-add lanes, several foldings, `y = W·x` exactly.
pub fn cases() -> Vec<Case> {
    [
        ("mvu_xnor", 1, 6, 12, 3, 4, DataType::Bipolar, 0.3),
        ("mvu_xnor_simd9", 2, 7, 9, 1, 9, DataType::Bipolar, 0.5),
        ("mvu_signed", 3, 6, 10, 2, 5, DataType::Int(2), 0.3),
        ("mvu_uint8", 4, 4, 6, 4, 1, DataType::UInt(8), 0.3),
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
