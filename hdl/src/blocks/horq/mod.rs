//! HORQ engine: the residual binarization of each input vector and one XNOR-popcount pass per
//! order through a binary MVU, `y = Σᵢ βᵢ·(W·Hᵢ)` bit for bit as `HorqDense`'s integer
//! semantics (`compiler/src/model.rs`) and the reference executor.
//!
//! Ports: the standard stream bundle and one write port ([`WritePort`]). Input beats carry one
//! element (unsigned or signed IB bits), output beats PE sums of the IR's output type (OB
//! bits, `|y| ≤ order·Z·N`). Parameters: [`Params`].
//!
//! Behaviour, per input vector (`horq.v`, module `bitloom_horq`):
//! 1. **Load** (MW + 3 cycles): one element per cycle through a pipeline of prescale read,
//!    one `MB×XB` multiplier and adder (`mult·x + add`, exact in PSW bits), and an arithmetic
//!    shift with a clamp to `±limit`; SIMD residuals (RB = QB + 1 bits) are packed into each
//!    word of the residual buffer (SF words) and `Σ|R⁰|` is summed.
//! 2. **Per order i**: a restoring divider by the constant MW gives `βᵢ = floor(Σ|Rⁱ⁻¹|/MW)`,
//!    one quotient bit per cycle (QB + 2 cycles; the quotient fits QB bits because every
//!    `|R| ≤ limit`); βᵢ joins the combiner's queue (4 deep); then a pass reads the buffer
//!    SIMD residuals per cycle, sends their signs (1 = `R ≥ 0` = +1) to the MVU and writes
//!    back `R ∓ βᵢ`, summing the new magnitudes for the next order.
//! 3. **MVU and combiner**: the binary MVU (`bitloom_mvu`, XNOR lanes, the same weight memory
//!    and packing as [`crate::blocks::mvu`]) runs its NF row groups on each sign vector; per
//!    PE a multiplier adds `βᵢ·pᵢ` to that row's partial sum (NF words of PE sums, a block RAM
//!    read one beat ahead), and the last order's sums leave as output beats.
//!
//! II: the next vector loads while the MVU replays the last order's row groups, so a vector
//! takes `(k−1)·max(NF·SF, SF + QB + 3) + max(NF·SF, SF + MW + QB + 6)` cycles
//! (`bitloom_compiler::ir::Horq::cycles`; `hdl/tests/blocks.rs` holds every case to it):
//! `k·NF·SF` when the MVU's passes are the longer part, as on the example's layers.
//!
//! Why this shape (measured with yosys `synth_ice40`, see ARCHITECTURE.md): one serial
//! prescale multiplier suffices because the load (MW cycles) hides under the MVU's k·NF·SF
//! cycles on any folding slow enough to fit a small board; a divider by reciprocal
//! multiplication would cost a second wide multiplier for a result needed once per order; the
//! write-back of each residual keeps the binarizer one subtractor per lane at any order.
//!
//! Memory (one write port, [`MemoryKind::HorqWeights`]): words `0 .. NF·SF` are the MVU's
//! weight words; words `NF·SF .. NF·SF + PD` the prescale, one per channel (or one shared),
//! `mult` in bits `[0, 32)` and `add` in bits `[32, 95)`, two's complement. The shift and the
//! limit are built into the hardware ([`EngineKind::constants`]).

use super::{numbers, one_node, random_values, Case, EngineKind, Module, WritePort};
use crate::memory::MemoryKind;
use crate::model::{extend, get_bits, pack_lanes, wrap, CycleModel, MvuModel};
use crate::verilog::{clog2, put_bits, MemFile};
use bitloom_compiler::ir::{Horq, Mvu, MvuMode, Node, Stream};
use bitloom_compiler::model::{dense_output_type, BitMatrix, HorqDense};
use bitloom_compiler::nodes::horq::{ADD_BITS, MULT_BITS};
use bitloom_compiler::types::DataType;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Depth of the combiner's queue of βs.
const BETA_QUEUE: usize = 4;

/// Every width and count of a HORQ engine, computed once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Params {
    /// Rows in parallel.
    pub pe: usize,
    /// Signs per MVU beat.
    pub simd: usize,
    /// Synapse fold.
    pub sf: usize,
    /// Neuron fold.
    pub nf: usize,
    /// Columns.
    pub mw: usize,
    /// Order k.
    pub k: usize,
    /// Bits per input element.
    pub ib: usize,
    /// Whether the input is signed.
    pub signed_in: bool,
    /// The input as a signed number: IB bits signed, IB + 1 unsigned.
    pub xb: usize,
    /// Bits of `mult`.
    pub mb: usize,
    /// Bits of `add`.
    pub ab: usize,
    /// Bits of `mult·x + add`, exact.
    pub psw: usize,
    /// The prescale's right shift.
    pub shift: usize,
    /// The clamp `±limit`.
    pub limit: usize,
    /// Bits of β and `|R|`.
    pub qb: usize,
    /// Bits of a residual (signed).
    pub rb: usize,
    /// Bits of `Σ|R|`.
    pub sumb: usize,
    /// Bits of the divider's registers.
    pub dvb: usize,
    /// Prescale words (1 shared or MW).
    pub pd: usize,
    /// Bits of a prescale address.
    pub paw: usize,
    /// Bits of the element counter.
    pub ecw: usize,
    /// Bits of the lane counter.
    pub lw: usize,
    /// Bits of a residual buffer address.
    pub raw: usize,
    /// Bits of the divider's step counter.
    pub dcw: usize,
    /// Bits of an order counter.
    pub ocw: usize,
    /// Bits of the combiner's row-group counter.
    pub ncw: usize,
    /// The inner MVU's parameters.
    pub mvu: super::mvu::Params,
    /// Bits per output element.
    pub ob: usize,
    /// Bits of the combiner's arithmetic.
    pub yw: usize,
    /// Bits of a memory word on the write port.
    pub ww: usize,
    /// Bits of the write port's address.
    pub waw: usize,
}

/// The inner MVU of `node` with its streams: the ±1 weights on the sign vectors.
fn inner_mvu(node: &Horq) -> (Mvu, Stream, Stream) {
    let mvu = Mvu {
        name: node.layer.name.clone(),
        weights: node.layer.weights.clone(),
        mode: MvuMode::Xnor,
        pe: node.pe,
        simd: node.simd,
    };
    let i = Stream { dtype: DataType::Bipolar, len: node.mw(), fold: node.simd };
    let o = Stream { dtype: dense_output_type(DataType::Bipolar, node.mw()), len: node.mh(), fold: node.pe };
    (mvu, i, o)
}

impl Params {
    /// The parameters of `node` between streams `i` and `o`.
    pub fn new(node: &Horq, i: &Stream, o: &Stream) -> Self {
        let (m, mi, mo) = inner_mvu(node);
        let mvu = super::mvu::Params::new(&m, &mi, &mo);
        let ib = i.dtype.bits() as usize;
        let signed_in = matches!(i.dtype, DataType::Int(_));
        let xb = ib + usize::from(!signed_in);
        let (mb, ab) = (MULT_BITS, ADD_BITS);
        let qb = node.beta_bits();
        let sumb = node.sum_bits().max(qb + 1);
        let ob = o.dtype.bits() as usize;
        let pd = node.layer.prescale.len();
        let depth = node.nf() * node.sf() + pd;
        Params {
            pe: node.pe,
            simd: node.simd,
            sf: node.sf(),
            nf: node.nf(),
            mw: node.mw(),
            k: node.order(),
            ib,
            signed_in,
            xb,
            mb,
            ab,
            psw: (mb + xb).max(ab) + 1,
            shift: node.layer.shift as usize,
            limit: node.layer.limit as usize,
            qb,
            rb: qb + 1,
            sumb,
            dvb: sumb.max(clog2(node.mw() + 1) + qb - 1) + 1,
            pd,
            paw: clog2(pd.max(2)),
            ecw: clog2(node.mw().max(2)),
            lw: clog2(node.simd.max(2)),
            raw: clog2(node.sf().max(2)),
            dcw: clog2(qb + 2),
            ocw: clog2(node.order().max(2)),
            ncw: clog2(node.nf().max(2)),
            ob,
            yw: ob.max(qb + mvu.ob + 1) + 1,
            ww: (node.pe * node.simd).max(mb + ab),
            waw: clog2(depth.max(2)),
            mvu,
        }
    }
}

impl EngineKind for Horq {
    fn core(&self, module: &str, i: &Stream, o: &Stream) -> Module {
        emit(module, self, &Params::new(self, i, o))
    }

    fn model(&self, i: &Stream, o: &Stream) -> Box<dyn CycleModel> {
        Box::new(HorqModel::new(self, &Params::new(self, i, o)))
    }

    fn memory(&self, _i: &Stream) -> Option<(MemoryKind, MemFile)> {
        let width = (self.pe * self.simd).max(MULT_BITS + ADD_BITS);
        let mut words = weight_words(self);
        for w in &mut words {
            w.resize(width.div_ceil(64), 0);
        }
        words.extend(prescale_words(self).into_iter().map(|mut w| {
            w.resize(width.div_ceil(64), 0);
            w
        }));
        Some((MemoryKind::HorqWeights, MemFile { name: String::new(), width, words }))
    }

    /// The prescale's shift and the clamp limit, which the hardware holds as constants.
    fn constants(&self, _i: &Stream) -> Option<Vec<i64>> {
        Some(vec![i64::from(self.layer.shift), self.layer.limit])
    }
}

/// The block RAMs of `node`'s core between `i` and `o` (what, width, depth), for the board fit:
/// the weights, the per-channel prescale, the residual buffer and, with several row groups,
/// the partial sums (a shared prescale is a register).
pub fn block_memories(node: &Horq, i: &Stream, o: &Stream) -> Vec<(&'static str, usize, usize)> {
    let p = Params::new(node, i, o);
    let mut m = vec![("weights", p.pe * p.simd, p.nf * p.sf), ("residuals", p.simd * p.rb, p.sf)];
    if p.pd > 1 {
        m.push(("prescale", p.mb + p.ab, p.pd));
    }
    if p.nf > 1 {
        m.push(("partial sums", p.pe * p.ob, p.nf));
    }
    m
}

/// The MVU's weight words (its packing, [`MemoryKind::Weights`]).
pub fn weight_words(node: &Horq) -> Vec<Vec<u64>> {
    super::mvu::weight_words(&inner_mvu(node).0)
}

/// The prescale words: `mult` in bits `[0, 32)`, `add` in bits `[32, 95)`, two's complement.
pub fn prescale_words(node: &Horq) -> Vec<Vec<u64>> {
    node.layer
        .prescale
        .iter()
        .map(|&(m, a)| {
            let mut w = vec![0u64; (MULT_BITS + ADD_BITS).div_ceil(64)];
            put_bits(&mut w, 0, MULT_BITS, m as u64);
            put_bits(&mut w, MULT_BITS, ADD_BITS, a as u64);
            w
        })
        .collect()
}

/// The static core (`horq.v`, which instantiates `mvu.v`) with `p`'s numbers; its memory
/// files are `<module>_w.mem` (weights) and `<module>_p.mem` (prescale).
fn emit(module: &str, node: &Horq, p: &Params) -> Module {
    let (wfile, pfile) = (format!("{module}_w.mem"), format!("{module}_p.mem"));
    let mems = vec![
        MemFile { name: wfile.clone(), width: p.pe * p.simd, words: weight_words(node) },
        MemFile { name: pfile.clone(), width: p.mb + p.ab, words: prescale_words(node) },
    ];
    let mut params = numbers(&[
        ("PE", p.pe),
        ("SIMD", p.simd),
        ("SF", p.sf),
        ("NF", p.nf),
        ("MW", p.mw),
        ("K", p.k),
        ("IB", p.ib),
        ("SIGNED_IN", p.signed_in as usize),
        ("XB", p.xb),
        ("MB", p.mb),
        ("AB", p.ab),
        ("PSW", p.psw),
        ("SHIFT", p.shift),
        ("QB", p.qb),
        ("RB", p.rb),
        ("SUMB", p.sumb),
        ("DVB", p.dvb),
        ("PD", p.pd),
        ("PAW", p.paw),
        ("ECW", p.ecw),
        ("LW", p.lw),
        ("RAW", p.raw),
        ("DCW", p.dcw),
        ("OCW", p.ocw),
        ("NCW", p.ncw),
        ("MOB", p.mvu.ob),
        ("M_CW", p.mvu.cw),
        ("M_SW", p.mvu.ctrl.sw),
        ("M_NW", p.mvu.ctrl.nw),
        ("M_AW", p.mvu.ctrl.aw),
        ("OB", p.ob),
        ("YW", p.yw),
        ("WW", p.ww),
        ("WAW", p.waw),
    ]);
    // Wider than 32 bits: sized literals.
    params.push(("LIM", format!("{}'sd{}", p.psw, p.limit)));
    params.push(("DIVISOR_TOP", format!("{}'d{}", p.dvb, (p.mw as u64) << (p.qb - 1))));
    params.push(("W_FILE", format!("{wfile:?}")));
    params.push(("P_FILE", format!("{pfile:?}")));
    Module {
        name: "bitloom_horq".into(),
        params,
        text: [include_str!("../matrix/mvu_ctrl.v"), include_str!("../mvu/mvu.v"), include_str!("horq.v")].concat(),
        mems,
        write: Some(WritePort::new(p.ww, p.nf * p.sf + p.pd)),
    }
}

/// Phases of the load and binarizer control.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Load,
    Div,
    Pass,
}

/// The HORQ engine's cycle model, register for register `horq.v` (the inner MVU is
/// [`MvuModel`]).
pub struct HorqModel {
    p: Params,
    pmem: Vec<(i64, i64)>,
    mvu: MvuModel,
    ph: Phase,
    ord: usize,
    sum: u64,
    ec: usize,
    lfull: bool,
    va: bool,
    vb: bool,
    vc: bool,
    xa: u64,
    pq: (i64, i64),
    sb: i128,
    rcl: i64,
    wreg: Vec<i64>,
    li: usize,
    wc: usize,
    rbuf: Vec<Vec<i64>>,
    dcnt: usize,
    rem: u64,
    dd: u64,
    q: u64,
    bq: [u64; BETA_QUEUE],
    bq_head: usize,
    bq_tail: usize,
    bq_cnt: usize,
    rc: usize,
    rall: bool,
    s1_v: bool,
    hb_v: bool,
    s1a: usize,
    rq: Vec<i64>,
    hb: Vec<u64>,
    cc: usize,
    c_ord: usize,
    out_v: bool,
    ybuf: Vec<Vec<u64>>,
    yr: Vec<u64>,
    res: Vec<u64>,
}

impl HorqModel {
    /// The model of `node` with parameters `p`.
    pub fn new(node: &Horq, p: &Params) -> Self {
        let (m, _, _) = inner_mvu(node);
        HorqModel {
            p: *p,
            pmem: node.layer.prescale.clone(),
            mvu: super::mvu::model(&m, &p.mvu),
            ph: Phase::Load,
            ord: 0,
            sum: 0,
            ec: 0,
            lfull: false,
            va: false,
            vb: false,
            vc: false,
            xa: 0,
            pq: (0, 0),
            sb: 0,
            rcl: 0,
            wreg: vec![0; p.simd],
            li: 0,
            wc: 0,
            rbuf: vec![vec![0; p.simd]; p.sf],
            dcnt: 0,
            rem: 0,
            dd: 0,
            q: 0,
            bq: [0; BETA_QUEUE],
            bq_head: 0,
            bq_tail: 0,
            bq_cnt: 0,
            rc: 0,
            rall: false,
            s1_v: false,
            hb_v: false,
            s1a: 0,
            rq: vec![0; p.simd],
            hb: vec![0; p.simd.div_ceil(64)],
            cc: 0,
            c_ord: 0,
            out_v: false,
            ybuf: vec![vec![0; p.pe]; p.nf],
            yr: vec![0; p.pe],
            res: vec![0; p.pe],
        }
    }

    /// The partial sums the combiner adds to (`yq` in the Verilog).
    fn yq(&self) -> &[u64] {
        if self.p.nf == 1 {
            &self.ybuf[0]
        } else {
            &self.yr
        }
    }
}

impl CycleModel for HorqModel {
    fn in_ready(&self, _out_ready: bool) -> bool {
        self.ph == Phase::Load && !self.lfull
    }

    fn out_valid(&self) -> bool {
        self.out_v
    }

    fn out_data(&self) -> Vec<u64> {
        pack_lanes(&self.res, self.p.ob)
    }

    fn clock(&mut self, rst: bool, in_valid: bool, in_data: &[u64], out_ready: bool) {
        let p = self.p;
        // Combinational signals from the registers of this cycle.
        let take_in = in_valid && self.ph == Phase::Load && !self.lfull;
        let m_valid = self.mvu.out_valid();
        let m_data = self.mvu.out_data();
        let last = self.c_ord == p.k - 1;
        let beta_v = self.bq_cnt != 0;
        let beta = self.bq[self.bq_head] as i128;
        let m_ready = beta_v && (!last || !self.out_v || out_ready);
        let take = m_valid && m_ready;
        let m_in_ready = self.mvu.in_ready(m_ready);
        let en_p = !self.hb_v || m_in_ready;
        let issue = self.ph == Phase::Pass && !self.rall && en_p;
        let pass_done = en_p && self.s1_v && self.s1a == p.sf - 1;
        let push = self.ph == Phase::Div && self.dcnt == p.qb + 1 && self.bq_cnt != BETA_QUEUE;
        let pop = take && self.cc == p.nf - 1;
        let cc_next = if take { (self.cc + 1) % p.nf } else { self.cc };
        let pack_word = self.vc && self.li == p.simd - 1;
        let load_done = pack_word && self.wc == p.sf - 1;
        let mut wnext = self.wreg[1..].to_vec();
        wnext.push(self.rcl);
        let rnew: Vec<i64> =
            self.rq.iter().map(|&r| if r >= 0 { r - self.q as i64 } else { r + self.q as i64 }).collect();
        let pass_sum = wrap(self.sum + rnew.iter().map(|r| r.unsigned_abs()).sum::<u64>(), p.sumb);
        let ynew: Vec<u64> = (0..p.pe)
            .map(|l| {
                let pv = extend(get_bits(&m_data, l * p.mvu.ob, p.mvu.ob), p.mvu.ob, true) as i128;
                let base = if self.c_ord == 0 { 0 } else { self.yq()[l] as i128 };
                wrap((base + beta * pv) as u64, p.ob)
            })
            .collect();

        // The inner MVU sees this cycle's sign beat.
        self.mvu.clock(rst, self.hb_v, &self.hb, m_ready);

        // Data registers (no reset), each from this cycle's values.
        if take && !last {
            self.ybuf[self.cc].clone_from(&ynew);
        }
        if p.nf > 1 {
            self.yr.clone_from(&self.ybuf[cc_next]);
        }
        if take && last {
            self.res.clone_from(&ynew);
        }
        if push {
            self.bq[self.bq_tail] = self.q;
        }
        if self.ph == Phase::Div {
            if self.dcnt == 0 {
                self.rem = self.sum;
                self.dd = (p.mw as u64) << (p.qb - 1);
                self.q = 0;
            } else if self.dcnt <= p.qb {
                let bit = self.rem >= self.dd;
                if bit {
                    self.rem -= self.dd;
                }
                self.dd >>= 1;
                self.q = wrap(self.q << 1 | u64::from(bit), p.qb);
            }
        }
        if en_p && self.s1_v {
            self.hb = vec![0; p.simd.div_ceil(64)];
            for (l, &r) in self.rq.iter().enumerate() {
                put_bits(&mut self.hb, l, 1, u64::from(r >= 0));
            }
        }
        let read = issue.then(|| self.rbuf[self.rc].clone());
        if pack_word {
            self.rbuf[self.wc].clone_from(&wnext);
        } else if en_p && self.s1_v {
            self.rbuf[self.s1a].clone_from(&rnew);
        }
        if let Some(r) = read {
            self.rq = r;
        }
        if self.vc {
            self.wreg = wnext;
        }
        let rcl_abs = self.rcl.unsigned_abs();
        if self.vb {
            let limit = p.limit as i128;
            self.rcl = (self.sb >> p.shift).clamp(-limit, limit) as i64;
        }
        if self.va {
            let x = extend(self.xa, p.ib, p.signed_in) as i128;
            self.sb = i128::from(self.pq.0) * x + i128::from(self.pq.1);
        }
        if take_in {
            self.xa = get_bits(in_data, 0, p.ib);
            self.pq = self.pmem[if p.pd == 1 { 0 } else { self.ec }];
        }

        // Control.
        if rst {
            self.ph = Phase::Load;
            (self.ord, self.sum, self.ec, self.lfull) = (0, 0, 0, false);
            (self.va, self.vb, self.vc, self.li, self.wc, self.dcnt) = (false, false, false, 0, 0, 0);
            (self.rc, self.rall, self.s1_v, self.hb_v, self.s1a) = (0, false, false, false, 0);
            (self.cc, self.c_ord, self.out_v, self.bq_head, self.bq_tail, self.bq_cnt) = (0, 0, false, 0, 0, 0);
            return;
        }
        let (va, vb, vc, ph) = (self.va, self.vb, self.vc, self.ph);
        (self.va, self.vb, self.vc) = (take_in, va, vb);
        if take_in {
            if self.ec == p.mw - 1 {
                self.ec = 0;
                self.lfull = true;
            } else {
                self.ec += 1;
            }
        }
        if vc {
            self.sum = wrap(self.sum + rcl_abs, p.sumb);
            self.li = (self.li + 1) % p.simd;
            if pack_word {
                self.wc = (self.wc + 1) % p.sf;
            }
        }
        if load_done {
            self.ph = Phase::Div;
            self.lfull = false;
        }
        if ph == Phase::Div {
            if self.dcnt == 0 {
                self.sum = 0;
            }
            if self.dcnt <= p.qb {
                self.dcnt += 1;
            } else if push {
                self.dcnt = 0;
                self.ph = Phase::Pass;
            }
        }
        if en_p {
            self.hb_v = self.s1_v;
            if self.s1_v {
                self.sum = pass_sum;
            }
            self.s1_v = issue;
        }
        if issue {
            self.s1a = self.rc;
            if self.rc == p.sf - 1 {
                self.rc = 0;
                self.rall = true;
            } else {
                self.rc += 1;
            }
        }
        if pass_done {
            self.rall = false;
            if self.ord == p.k - 1 {
                self.ph = Phase::Load;
                self.ord = 0;
                self.sum = 0;
            } else {
                self.ph = Phase::Div;
                self.ord += 1;
            }
        }
        // Combiner.
        if take {
            if self.cc == p.nf - 1 {
                self.c_ord = if last { 0 } else { self.c_ord + 1 };
            }
            self.cc = cc_next;
        }
        if take && last {
            self.out_v = true;
        } else if out_ready {
            self.out_v = false;
        }
        if push {
            self.bq_tail = (self.bq_tail + 1) % BETA_QUEUE;
        }
        if pop {
            self.bq_head = (self.bq_head + 1) % BETA_QUEUE;
        }
        self.bq_cnt = self.bq_cnt + usize::from(push) - usize::from(pop);
    }

    fn write(&mut self, addr: usize, data: &[u64]) {
        let wdepth = self.p.nf * self.p.sf;
        if addr < wdepth {
            self.mvu.write(addr, data);
            return;
        }
        // Writes past the end of the memory are ignored, as in the Verilog.
        if let Some(word) = self.pmem.get_mut(addr - wdepth) {
            let m = extend(get_bits(data, 0, MULT_BITS), MULT_BITS, true);
            let add = extend(get_bits(data, MULT_BITS, ADD_BITS), ADD_BITS, true);
            *word = (m, add);
        }
    }
}

/// A HORQ layer `horq` of random MH×MW weights (from `seed`), folded by PE and SIMD, on inputs
/// of type `input`.
#[allow(clippy::too_many_arguments)]
fn graph(
    seed: u64,
    (mh, mw): (usize, usize),
    (pe, simd): (usize, usize),
    order: u32,
    input: DataType,
    prescale: Vec<(i64, i64)>,
    shift: u32,
    limit: i64,
) -> bitloom_compiler::ir::DataflowGraph {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut w = BitMatrix::zeros(mh, mw);
    for r in 0..mh {
        for c in 0..mw {
            w.set(r, c, rng.gen());
        }
    }
    let layer = HorqDense { name: "horq".into(), order, prescale, shift, limit, weights: w };
    let node = Horq { layer, pe, simd };
    let i = Stream { dtype: input, len: mw, fold: 1 };
    let o = Stream { dtype: node.output_type(input), len: mh, fold: pe };
    one_node(Node::Horq(node), i, o)
}

/// `HorqDense`'s formula, element by element (independent of the reference executor).
fn horq_math(d: &HorqDense, x: &[i64]) -> Vec<i64> {
    let n = x.len() as i64;
    let mut r: Vec<i64> = x.iter().enumerate().map(|(c, &v)| d.residual0(c, v)).collect();
    let mut y = vec![0i64; d.out_features()];
    for _ in 0..d.order {
        let beta = r.iter().map(|v| v.abs()).sum::<i64>() / n;
        let h: Vec<i64> = r.iter().map(|&v| if v >= 0 { 1 } else { -1 }).collect();
        for (row, acc) in y.iter_mut().enumerate() {
            let p: i64 = (0..x.len()).map(|c| if d.weights.get(row, c) { h[c] } else { -h[c] }).sum();
            *acc += beta * p;
        }
        for (v, s) in r.iter_mut().zip(&h) {
            *v -= beta * s;
        }
    }
    y
}

/// The harness's HORQ cases: orders 1..3, the first layer's uint8 pixels with the exporter's
/// shared prescale, a previous HORQ layer's signed output with per-channel prescales at a
/// large shift, foldings with one and several row groups and words.
pub fn cases() -> Vec<Case> {
    let g = 256i64;
    let pixels = vec![(2 * g, -255 * g)];
    let per_channel = |seed: u64, n: usize, m_bits: u32, a_bits: u32| -> Vec<(i64, i64)> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..n)
            .map(|_| (rng.gen_range(-(1i64 << m_bits)..1 << m_bits), rng.gen_range(-(1i64 << a_bits)..1 << a_bits)))
            .collect()
    };
    [
        ("horq1_uint8", 21, (4, 8), (2, 4), 1, DataType::UInt(8), pixels.clone(), 0, 255 * g, 0.3),
        ("horq2_uint8_nf3", 22, (3, 6), (1, 2), 2, DataType::UInt(8), per_channel(1, 6, 12, 16), 3, 1000, 0.3),
        ("horq3_int12_sf1", 23, (6, 8), (3, 8), 3, DataType::Int(12), per_channel(2, 8, 20, 30), 8, 1 << 16, 0.3),
        ("horq2_int24_nf1", 24, (4, 12), (4, 3), 2, DataType::Int(24), per_channel(3, 12, 29, 48), 20, 1 << 16, 0.2),
        ("horq3_uint8_full", 25, (2, 4), (2, 4), 3, DataType::UInt(8), pixels, 0, 255 * g, 0.5),
    ]
    .into_iter()
    .map(|(name, seed, shape, fold, order, input, prescale, shift, limit, stall)| {
        let graph = graph(seed, shape, fold, order, input, prescale, shift, limit);
        let Node::Horq(h) = &graph.nodes[0] else { unreachable!("a HORQ graph") };
        let mut rng = ChaCha8Rng::seed_from_u64(seed + 1);
        let inputs: Vec<Vec<i64>> = (0..6).map(|_| random_values(&mut rng, input, shape.1)).collect();
        let expected = inputs.iter().map(|x| horq_math(&h.layer, x)).collect();
        Case { name, graph, inputs, expected, stall }
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cycles between consecutive output vectors of the model when never stalled, after the
    /// first vectors (steady state).
    fn measured_ii(g: &bitloom_compiler::ir::DataflowGraph, vectors: usize) -> Vec<u64> {
        let Node::Horq(h) = &g.nodes[0] else { unreachable!() };
        let (i, o) = (g.edges[0], g.edges[1]);
        let mut m = h.model(&i, &o);
        m.clock(true, false, &[0], true);
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let beats: Vec<Vec<u64>> =
            (0..vectors).flat_map(|_| i.pack(&random_values(&mut rng, i.dtype, i.len))).collect();
        let (mut next, mut outs, mut done) = (0, 0, Vec::new());
        for cycle in 0..1_000_000u64 {
            if done.len() == vectors {
                break;
            }
            let valid = next < beats.len();
            let data = beats.get(next).cloned().unwrap_or(vec![0]);
            if valid && m.in_ready(true) {
                next += 1;
            }
            if m.out_valid() {
                outs += 1;
                if outs % o.beats() == 0 {
                    done.push(cycle);
                }
            }
            m.clock(false, valid, &data, true);
        }
        done.windows(2).map(|w| w[1] - w[0]).skip(1).collect()
    }

    /// The cycle model (held to the Verilog by the lockstep cases) reaches the node's II
    /// exactly in steady state, on the cases and on shapes where the MVU passes dominate.
    #[test]
    fn steady_state_cycles_are_the_nodes_cycles() {
        let shapes = [
            ((64, 784), (4, 8), 2, DataType::UInt(8)),
            ((10, 64), (1, 4), 2, DataType::Int(28)),
            ((16, 32), (2, 2), 3, DataType::Int(20)),
            ((8, 16), (8, 16), 1, DataType::Int(20)),
            ((12, 40), (3, 5), 3, DataType::UInt(8)),
        ];
        let extra = shapes.into_iter().enumerate().map(|(s, (shape, fold, order, input))| {
            let prescale = vec![(1 << 20, -(1 << 40)); shape.1];
            graph(30 + s as u64, shape, fold, order, input, prescale, 12, 1 << 16)
        });
        for g in cases().into_iter().map(|c| c.graph).chain(extra) {
            let Node::Horq(h) = &g.nodes[0] else { unreachable!() };
            let got = measured_ii(&g, 6);
            assert!(
                got.iter().all(|&c| c as usize == h.cycles()),
                "{:?}: measured {got:?}, II {}",
                (h.mh(), h.mw(), h.pe, h.simd, h.order()),
                h.cycles()
            );
        }
    }
}
