//! Cycle models: each block's registers and next-state logic in Rust, register for register
//! the same as the Verilog core its generator writes. rust-hdl simulates a design through
//! these models; a lockstep test (`hdl/tests/rhdl.rs`) holds every model to its Verilog core
//! on every port in every cycle under random back-pressure.
//!
//! All values are raw bit patterns (little-endian `u64` limbs), as on the wires: arithmetic
//! is modulo 2^width exactly where the Verilog's is.

use crate::blocks::mvu::weight_words;
use crate::blocks::threshold::{clamp, compare_width, threshold_words};
use crate::verilog::{clog2, put_bits};
use bitloom_compiler::ir::{Mvu, MvuMode, Stream, Threshold};
use bitloom_compiler::model::ThresholdOutput;
use bitloom_compiler::types::DataType;

/// One block's registers and the logic around them.
pub trait CycleModel: Send {
    /// `in_ready` for the current registers and `out_ready`.
    fn in_ready(&self, out_ready: bool) -> bool;
    /// `out_valid` (a register).
    fn out_valid(&self) -> bool;
    /// `out_data` (registers), `out_width` bits.
    fn out_data(&self) -> Vec<u64>;
    /// One rising clock edge with the given inputs.
    fn clock(&mut self, rst: bool, in_valid: bool, in_data: &[u64], out_ready: bool);
    /// The write port at the same rising edge, after [`CycleModel::clock`] (so a read of the
    /// word being written returns the old word, as in the Verilog). Blocks without a
    /// writable memory ignore it.
    fn write(&mut self, _addr: usize, _data: &[u64]) {}
}

/// Bits `[pos, pos + n)` of `words`, `n ≤ 64`.
pub fn get_bits(words: &[u64], pos: usize, n: usize) -> u64 {
    let mut v = 0;
    for b in 0..n {
        let p = pos + b;
        v |= (words[p / 64] >> (p % 64) & 1) << b;
    }
    v
}

/// The low `bits` bits of `v`.
fn wrap(v: u64, bits: usize) -> u64 {
    if bits >= 64 {
        v
    } else {
        v & ((1u64 << bits) - 1)
    }
}

/// `bits`-bit pattern `v` as a signed integer when `signed`, else unsigned.
fn extend(v: u64, bits: usize, signed: bool) -> i64 {
    if signed && bits < 64 && v >> (bits - 1) & 1 == 1 {
        (v | !((1u64 << bits) - 1)) as i64
    } else {
        v as i64
    }
}

/// Packs lane values of `bits` bits each into a beat.
fn pack_lanes(lanes: &[u64], bits: usize) -> Vec<u64> {
    let mut w = vec![0; (lanes.len() * bits).div_ceil(64).max(1)];
    for (p, &v) in lanes.iter().enumerate() {
        put_bits(&mut w, p * bits, bits, v);
    }
    w
}

/// The matrix-vector unit (`blocks/mvu.rs`).
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
    /// The model of `node` between streams `i` and `o`.
    pub fn new(node: &Mvu, i: &Stream, o: &Stream) -> Self {
        let (ib, ob) = (i.dtype.bits() as usize, o.dtype.bits() as usize);
        let cw = match node.mode {
            MvuMode::Xnor => clog2(node.mw() + 1),
            MvuMode::SignedAdd => ob,
        };
        MvuModel {
            pe: node.pe,
            simd: node.simd,
            sf: node.sf(),
            nf: node.nf(),
            mw: node.mw(),
            ib,
            ob,
            cw,
            mode: node.mode,
            signed_in: matches!(i.dtype, DataType::Int(_)),
            wmem: weight_words(node),
            sf_cnt: 0,
            nf_cnt: 0,
            waddr: 0,
            out_v: false,
            v1: false,
            first1: false,
            last1: false,
            w1: vec![0; (node.pe * node.simd).div_ceil(64)],
            x1: vec![0; i.width().div_ceil(64)],
            ibuf: vec![vec![0; i.width().div_ceil(64)]; node.sf()],
            acc: vec![0; node.pe],
            res: vec![0; node.pe],
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
                let sum = if get_bits(&self.w1, p * self.simd + k, 1) == 1 { sum.wrapping_add(x) } else { sum.wrapping_sub(x) };
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

/// The multi-threshold unit (`blocks/threshold.rs`).
pub struct ThresholdModel {
    pe: usize,
    k: usize,
    tw: usize,
    ib: usize,
    ob: usize,
    signed_in: bool,
    output: ThresholdOutput,
    groups: usize,
    /// The clamped shared row, or `None` for a per-channel memory.
    shared: Option<Vec<i64>>,
    /// The per-channel memory ([`threshold_words`]).
    tmem: Vec<Vec<u64>>,
    out_v: bool,
    v1: bool,
    d1: Vec<u64>,
    /// The thresholds register (per-channel tables).
    t1: Vec<u64>,
    ch: usize,
    res: Vec<u64>,
}

impl ThresholdModel {
    /// The model of `node` between streams `i` and `o`.
    pub fn new(node: &Threshold, i: &Stream, o: &Stream) -> Self {
        let (pe, k, tw) = (node.pe, node.thresholds.steps(), compare_width(i.dtype));
        let mem = threshold_words(node, i);
        let shared = mem.is_none().then(|| node.thresholds.row(0).iter().map(|&t| clamp(t, i.dtype)).collect());
        ThresholdModel {
            pe,
            k,
            tw,
            ib: i.dtype.bits() as usize,
            ob: o.dtype.bits() as usize,
            signed_in: matches!(i.dtype, DataType::Int(_)),
            output: node.output,
            groups: i.len / node.pe,
            shared,
            tmem: mem.map(|m| m.words).unwrap_or_default(),
            out_v: false,
            v1: false,
            d1: vec![0; i.width().div_ceil(64)],
            t1: vec![0; (pe * k * tw).div_ceil(64)],
            ch: 0,
            res: vec![0; node.pe],
        }
    }

    /// Lane `p`'s thresholds in this cycle.
    fn row(&self, p: usize) -> Vec<i64> {
        match &self.shared {
            Some(row) => row.clone(),
            None => (0..self.k).map(|j| extend(get_bits(&self.t1, (p * self.k + j) * self.tw, self.tw), self.tw, true)).collect(),
        }
    }
}

impl CycleModel for ThresholdModel {
    fn in_ready(&self, out_ready: bool) -> bool {
        !self.out_v || out_ready
    }

    fn out_valid(&self) -> bool {
        self.out_v
    }

    fn out_data(&self) -> Vec<u64> {
        pack_lanes(&self.res, self.ob)
    }

    fn clock(&mut self, rst: bool, in_valid: bool, in_data: &[u64], out_ready: bool) {
        let en = !self.out_v || out_ready;
        if en && self.v1 {
            for p in 0..self.pe {
                let a = extend(get_bits(&self.d1, p * self.ib, self.ib), self.ib, self.signed_in);
                let count = self.row(p).iter().filter(|&&t| a >= t).count() as u64;
                self.res[p] = match self.output {
                    ThresholdOutput::Bipolar => count & 1,
                    ThresholdOutput::Integer { bias } => wrap(count.wrapping_add(bias as u64), self.ob),
                };
            }
        }
        if self.shared.is_none() {
            if en && in_valid {
                self.t1.clone_from(&self.tmem[self.ch]);
            }
            if rst {
                self.ch = 0;
            } else if en && in_valid {
                self.ch = if self.ch == self.groups - 1 { 0 } else { self.ch + 1 };
            }
        }
        if en && in_valid {
            self.d1.copy_from_slice(in_data);
        }
        if rst {
            (self.v1, self.out_v) = (false, false);
        } else if en {
            self.out_v = self.v1;
            self.v1 = in_valid;
        }
    }

    fn write(&mut self, addr: usize, data: &[u64]) {
        if let Some(word) = self.tmem.get_mut(addr) {
            for (k, limb) in word.iter_mut().enumerate() {
                *limb = data.get(k).copied().unwrap_or(0);
            }
            crate::wire::mask(word, self.pe * self.k * self.tw);
        }
    }
}

/// The width converter (`blocks/dwc.rs`).
pub struct DwcModel {
    in_width: usize,
    out_width: usize,
    /// Slices per input beat (split) or beats per output beat (gather).
    k: usize,
    split: bool,
    buffer: Vec<u64>,
    idx: usize,
    full: bool,
}

impl DwcModel {
    /// The model of a converter from `i` to `o`.
    pub fn new(i: &Stream, o: &Stream) -> Self {
        let split = i.fold > o.fold;
        let k = if split { i.fold / o.fold } else { o.fold / i.fold };
        let buffer = vec![0; i.width().max(o.width()).div_ceil(64)];
        DwcModel { in_width: i.width(), out_width: o.width(), k, split, buffer, idx: 0, full: false }
    }
}

impl CycleModel for DwcModel {
    fn in_ready(&self, out_ready: bool) -> bool {
        if self.split {
            !self.full || (out_ready && self.idx == self.k - 1)
        } else {
            !self.full || out_ready
        }
    }

    fn out_valid(&self) -> bool {
        self.full
    }

    fn out_data(&self) -> Vec<u64> {
        let mut out = vec![0; self.out_width.div_ceil(64)];
        for b in 0..self.out_width {
            put_bits(&mut out, b, 1, get_bits(&self.buffer, b, 1));
        }
        out
    }

    fn clock(&mut self, rst: bool, in_valid: bool, in_data: &[u64], out_ready: bool) {
        let accept = in_valid && self.in_ready(out_ready);
        if rst {
            (self.full, self.idx) = (false, 0);
        } else if self.split {
            if accept {
                self.buffer[..in_data.len()].copy_from_slice(in_data);
                (self.full, self.idx) = (true, 0);
            } else if self.full && out_ready {
                shift_right(&mut self.buffer, self.out_width);
                if self.idx == self.k - 1 {
                    self.full = false;
                }
                self.idx += 1;
            }
        } else {
            if self.full && out_ready {
                self.full = false;
            }
            if accept {
                let base = self.idx * self.in_width;
                for b in 0..self.in_width {
                    let bit = get_bits(in_data, b, 1);
                    let p = base + b;
                    self.buffer[p / 64] = self.buffer[p / 64] & !(1 << (p % 64)) | bit << (p % 64);
                }
                if self.idx == self.k - 1 {
                    (self.idx, self.full) = (0, true);
                } else {
                    self.idx += 1;
                }
            }
        }
    }
}

/// Shifts a limb vector right by `n` bits, filling with zeros.
fn shift_right(words: &mut [u64], n: usize) {
    let total = words.len() * 64;
    for b in 0..total {
        let bit = if b + n < total { get_bits(words, b + n, 1) } else { 0 };
        words[b / 64] = words[b / 64] & !(1 << (b % 64)) | bit << (b % 64);
    }
}

/// The stream FIFO (`blocks/fifo.rs`).
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
    /// A FIFO of `depth` beats on stream `s`.
    pub fn new(depth: usize, s: &Stream) -> Self {
        let zero = vec![0; s.width().div_ceil(64)];
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
