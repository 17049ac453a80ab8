//! The control every matrix unit shares (`mvu`, `int_mvu`, `shift_mvu`): the weight memory and
//! its write port, the SF and NF counters and the weight address, the input buffer filled on the
//! first of NF passes and replayed on the others, the operand registers, the one enable that
//! stalls the pipeline while the output register is full, and the pipeline's valid bits.
//!
//! In Verilog it is the static module `bitloom_mvu_ctrl` (`mvu_ctrl.v`), which each kind's
//! core instantiates and puts its lanes behind ([`core`] prepends its text). In Rust it is
//! [`MatrixModel`], the cycle model of every matrix unit, generic over the kind's [`Lanes`].
//! [`Control`] holds its numbers, computed once.
//!
//! Padding: when SIMD does not divide MW, the last of the SF steps of a row group carries
//! `SF·SIMD − MW` padded columns; the control hands them to the lanes as code 0, whatever the
//! producer sent. Padded rows (PE not dividing MH) are lanes of the last output beat whose
//! weights are zero; their outputs are padding, which no consumer reads.

use super::{numbers, Module, WritePort};
use crate::model::{pack_lanes, CycleModel};
use crate::verilog::{clog2, put_bits, MemFile};
use bitloom_compiler::fold::Folding;

/// The numbers of a matrix unit's control, computed once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Control {
    /// Rows in parallel.
    pub pe: usize,
    /// Columns per cycle.
    pub simd: usize,
    /// Synapse fold: cycles per output beat, `ceil(MW/SIMD)`.
    pub sf: usize,
    /// Neuron fold: output beats per vector, `ceil(MH/PE)`.
    pub nf: usize,
    /// Columns (real, without padding).
    pub mw: usize,
    /// Bits per input element.
    pub ib: usize,
    /// Bits per weight memory word.
    pub ww: usize,
    /// Weight memory words: SF·NF.
    pub depth: usize,
    /// Bits of the SF counter.
    pub sw: usize,
    /// Bits of the NF counter.
    pub nw: usize,
    /// Bits of the weight address (and of the write port's `wr_addr`).
    pub aw: usize,
}

impl Control {
    /// The control of an MH×MW layer folded by `f`, on `ib`-bit inputs, with `lane_bits` bits
    /// of weight per lane column.
    pub fn new(mh: usize, mw: usize, f: Folding, ib: usize, lane_bits: usize) -> Self {
        let (sf, nf) = (f.sf(mw), f.nf(mh));
        Control {
            pe: f.pe,
            simd: f.simd,
            sf,
            nf,
            mw,
            ib,
            ww: f.pe * f.simd * lane_bits,
            depth: sf * nf,
            sw: clog2(sf.max(2)),
            nw: clog2(nf.max(2)),
            aw: clog2((sf * nf).max(2)),
        }
    }

    /// The write port of the weight memory.
    pub fn write_port(&self) -> WritePort {
        WritePort::new(self.ww, self.depth)
    }
}

/// The weight memory of an MH×MW layer with control `c`: word `nf·SF + sf`, lane `p`, column
/// `s` at bits `(p·SIMD + s)·B` (B = `c.ww / (PE·SIMD)`) holds `code(row, col)` of row
/// `nf·PE + p`, column `sf·SIMD + s`. Padded rows and columns hold 0, the zero weight of every
/// kind.
pub fn weight_words(c: &Control, mh: usize, code: impl Fn(usize, usize) -> u64) -> Vec<Vec<u64>> {
    let b = c.ww / (c.pe * c.simd);
    (0..c.nf)
        .flat_map(|n| (0..c.sf).map(move |s| (n, s)))
        .map(|(n, s)| {
            let mut w = vec![0u64; c.ww.div_ceil(64)];
            for p in 0..c.pe {
                for k in 0..c.simd {
                    let (row, col) = (n * c.pe + p, s * c.simd + k);
                    if row < mh && col < c.mw {
                        put_bits(&mut w, (p * c.simd + k) * b, b, code(row, col));
                    }
                }
            }
            w
        })
        .collect()
}

/// A kind's core: the static Verilog `text` of module `name` after the shared control's, with
/// the control's numbers (PE, SIMD, SF, NF, MW, DEPTH, SW, NW, AW), the kind's own `params`, and the
/// weight memory file `<module>_w.mem` holding `words`.
pub fn core(
    module: &str,
    name: &str,
    text: &str,
    c: &Control,
    params: &[(&'static str, usize)],
    words: Vec<Vec<u64>>,
) -> Module {
    let wfile = format!("{module}_w.mem");
    let mut list = numbers(&[("PE", c.pe), ("SIMD", c.simd), ("SF", c.sf), ("NF", c.nf), ("MW", c.mw)]);
    list.extend(numbers(params));
    list.extend(numbers(&[("DEPTH", c.depth), ("SW", c.sw), ("NW", c.nw), ("AW", c.aw)]));
    list.push(("MEM_FILE", format!("{wfile:?}")));
    Module {
        name: name.into(),
        params: list,
        text: format!("{}{text}", include_str!("mvu_ctrl.v")),
        mems: vec![MemFile { name: wfile, width: c.ww, words }],
        write: Some(c.write_port()),
    }
}

/// What a kind's lanes compute from one step's operands.
pub trait Lanes: Send {
    /// Lane `lane`'s running sum after one step: `base` is its sum so far (0 on the first
    /// step of a row group), `w` the weight word, `x` the input beat (padding zeroed).
    fn step(&self, lane: usize, base: u64, w: &[u64], x: &[u64]) -> u64;
    /// The output element of a finished sum.
    fn value(&self, sum: u64) -> u64;
    /// Bits per output element.
    fn out_bits(&self) -> usize;
}

/// The cycle model of a matrix unit: `bitloom_mvu_ctrl` register for register, with the
/// kind's lanes `L`.
pub struct MatrixModel<L> {
    c: Control,
    lanes: L,
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

impl<L: Lanes> MatrixModel<L> {
    /// The model of a unit with control `c`, lanes `lanes` and initial weight words `wmem`.
    pub fn new(c: Control, lanes: L, wmem: Vec<Vec<u64>>) -> Self {
        let in_words = (c.simd * c.ib).div_ceil(64);
        MatrixModel {
            c,
            lanes,
            wmem,
            sf_cnt: 0,
            nf_cnt: 0,
            waddr: 0,
            out_v: false,
            v1: false,
            first1: false,
            last1: false,
            w1: vec![0; c.ww.div_ceil(64)],
            x1: vec![0; in_words],
            ibuf: vec![vec![0; in_words]; c.sf],
            acc: vec![0; c.pe],
            res: vec![0; c.pe],
        }
    }

    /// The beat of step `sf_cnt` as the lanes see it: the last step's padded columns zeroed.
    fn operand(&self, beat: &[u64]) -> Vec<u64> {
        let mut x = beat.to_vec();
        if self.sf_cnt == self.c.sf - 1 {
            crate::wire::mask(&mut x, (self.c.mw - (self.c.sf - 1) * self.c.simd) * self.c.ib);
        }
        x
    }
}

impl<L: Lanes> CycleModel for MatrixModel<L> {
    fn in_ready(&self, out_ready: bool) -> bool {
        (!self.out_v || out_ready) && self.nf_cnt == 0
    }

    fn out_valid(&self) -> bool {
        self.out_v
    }

    fn out_data(&self) -> Vec<u64> {
        pack_lanes(&self.res, self.lanes.out_bits())
    }

    fn clock(&mut self, rst: bool, in_valid: bool, in_data: &[u64], out_ready: bool) {
        let Control { pe, sf, nf, depth, .. } = self.c;
        let en = !self.out_v || out_ready;
        let first_pass = self.nf_cnt == 0;
        let issue = en && (!first_pass || in_valid);
        let (v1, last1) = (self.v1, self.last1);
        // Lanes, from the operand registers of the previous cycle.
        if en && v1 {
            for p in 0..pe {
                let base = if self.first1 { 0 } else { self.acc[p] };
                let sum = self.lanes.step(p, base, &self.w1, &self.x1);
                self.acc[p] = sum;
                if last1 {
                    self.res[p] = self.lanes.value(sum);
                }
            }
        }
        // Operand registers (no reset).
        if issue {
            self.w1.clone_from(&self.wmem[self.waddr]);
            self.first1 = self.sf_cnt == 0;
            self.last1 = self.sf_cnt == sf - 1;
            let beat = if nf > 1 && !first_pass { self.ibuf[self.sf_cnt].clone() } else { in_data.to_vec() };
            self.x1 = self.operand(&beat);
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
                self.waddr = if self.waddr == depth - 1 { 0 } else { self.waddr + 1 };
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
            crate::wire::mask(word, self.c.ww);
        }
    }
}
