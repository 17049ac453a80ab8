//! Stream width converter between two folds of one vector, where one fold is a multiple of
//! the other.
//!
//! Ports: the standard stream bundle. Split (`in = K·out`): holds one input beat and emits its
//! K slices, lowest elements first. Gather (`out = K·in`): collects K input beats into one
//! output beat. II: one beat per cycle on the wider side's K-fold; latency 1 cycle.
//!
//! Padding (`ir::Stream`): when the wider fold does not divide the vector, the wider side's
//! last beat of a vector holds only KL < K slices of it; the converter then emits (split) or
//! collects (gather) only those, so both sides carry their own padded layout of the vector.
//!
//! The core is static RTL, `dwc.v` (module `bitloom_dwc`), instantiated with the numbers of
//! [`Params`]; [`DwcModel`] is its cycle model.

use super::{numbers, one_node, random_values, Case, EngineKind, Module};
use crate::memory::MemoryKind;
use crate::model::{get_bits, CycleModel};
use crate::verilog::{clog2, put_bits, MemFile};
use bitloom_compiler::ir::{Dwc, Node, Stream};
use bitloom_compiler::types::DataType;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Every width of a converter, computed once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Params {
    /// Bits per input beat.
    pub iw: usize,
    /// Bits per output beat.
    pub ow: usize,
    /// Slices per input beat (split) or input beats per output beat (gather).
    pub k: usize,
    /// Bits of the slice counter.
    pub kw: usize,
    /// Whether it splits (input fold a multiple of the output fold) or gathers.
    pub split: bool,
    /// Beats per vector on the wider side.
    pub nb: usize,
    /// Slices of the vector in the wider side's last beat (K without padding to skip).
    pub kl: usize,
    /// Bits of the wider side's beat counter.
    pub bw: usize,
}

impl Params {
    /// The parameters of a converter from `i` to `o`.
    pub fn new(i: &Stream, o: &Stream) -> Self {
        let split = i.fold > o.fold;
        let k = if split { i.fold / o.fold } else { o.fold / i.fold };
        let (wide, narrow) = if split { (i, o) } else { (o, i) };
        let nb = wide.beats();
        let kl = narrow.beats() - (nb - 1) * k;
        Params { iw: i.width(), ow: o.width(), k, kw: clog2(k), split, nb, kl, bw: clog2(nb.max(2)) }
    }
}

impl EngineKind for Dwc {
    fn core(&self, _module: &str, i: &Stream, o: &Stream) -> Module {
        emit(&Params::new(i, o))
    }

    fn model(&self, i: &Stream, o: &Stream) -> Box<dyn CycleModel> {
        Box::new(DwcModel::new(&Params::new(i, o)))
    }

    fn memory(&self, _i: &Stream) -> Option<(MemoryKind, MemFile)> {
        None
    }

    fn constants(&self, _i: &Stream) -> Option<Vec<i64>> {
        None
    }
}

/// The static core (`dwc.v`) with `p`'s numbers.
fn emit(p: &Params) -> Module {
    Module {
        name: "bitloom_dwc".into(),
        params: numbers(&[
            ("IW", p.iw),
            ("OW", p.ow),
            ("K", p.k),
            ("KW", p.kw),
            ("SPLIT", p.split as usize),
            ("NB", p.nb),
            ("KL", p.kl),
            ("BW", p.bw),
        ]),
        text: include_str!("dwc.v").into(),
        mems: vec![],
        write: None,
    }
}

/// The converter's cycle model.
pub struct DwcModel {
    in_width: usize,
    out_width: usize,
    /// Slices per input beat (split) or beats per output beat (gather).
    k: usize,
    split: bool,
    nb: usize,
    kl: usize,
    buffer: Vec<u64>,
    idx: usize,
    full: bool,
    /// The wider side's beat within the vector.
    beat: usize,
    /// Split: the buffer holds a vector's last, short beat.
    short: bool,
}

impl DwcModel {
    /// The model of a converter with parameters `p`.
    pub fn new(p: &Params) -> Self {
        let buffer = vec![0; p.iw.max(p.ow).div_ceil(64)];
        DwcModel {
            in_width: p.iw,
            out_width: p.ow,
            k: p.k,
            split: p.split,
            nb: p.nb,
            kl: p.kl,
            buffer,
            idx: 0,
            full: false,
            beat: 0,
            short: false,
        }
    }

    /// Whether the wider side's current beat is a vector's last and short one.
    fn tail(&self) -> bool {
        self.kl != self.k && self.beat == self.nb - 1
    }

    /// The last slice index of a wide beat that is short or not.
    fn last_slice(&self, short: bool) -> usize {
        if short {
            self.kl - 1
        } else {
            self.k - 1
        }
    }
}

impl CycleModel for DwcModel {
    fn in_ready(&self, out_ready: bool) -> bool {
        if self.split {
            !self.full || (out_ready && self.idx == self.last_slice(self.short))
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
        let tail = self.tail();
        let next_beat = accept && (self.split || self.idx == self.last_slice(tail));
        if rst || self.kl == self.k {
            self.beat = 0;
        } else if next_beat {
            self.beat = if tail { 0 } else { self.beat + 1 };
        }
        if rst {
            (self.full, self.idx, self.short) = (false, 0, false);
        } else if self.split {
            if accept {
                self.buffer[..in_data.len()].copy_from_slice(in_data);
                (self.full, self.idx, self.short) = (true, 0, tail);
            } else if self.full && out_ready {
                shift_right(&mut self.buffer, self.out_width);
                if self.idx == self.last_slice(self.short) {
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
                if self.idx == self.last_slice(tail) {
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

/// The harness's converter cases: values pass through unchanged, whole and padded layouts
/// (a vector of 11 in beats of 6 and 2, of 3 and 12, of 4 and 2; 10 in beats of 16 and 2).
pub fn cases() -> Vec<Case> {
    let s = |len, fold| Stream { dtype: DataType::Int(3), len, fold };
    [
        ("dwc_split", "split", s(12, 6), s(12, 2)),
        ("dwc_gather", "gather", s(12, 3), s(12, 12)),
        ("dwc_split_pad", "split", s(11, 6), s(11, 2)),
        ("dwc_gather_pad", "gather", s(11, 3), s(11, 12)),
        ("dwc_split_pad_short", "split", s(11, 4), s(11, 2)),
        ("dwc_split_pad_one_beat", "split", s(10, 16), s(10, 2)),
        ("dwc_gather_pad_one_beat", "gather", s(10, 2), s(10, 16)),
    ]
    .into_iter()
    .map(|(case, name, i, o)| {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let inputs: Vec<Vec<i64>> = (0..7).map(|_| random_values(&mut rng, i.dtype, i.len)).collect();
        let graph = one_node(Node::Dwc(Dwc { name: name.into() }), i, o);
        Case { name: case, graph, expected: inputs.clone(), inputs, stall: 0.4 }
    })
    .collect()
}
