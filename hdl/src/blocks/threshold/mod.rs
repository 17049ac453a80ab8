//! Multi-threshold unit: `out = #{ j : a ≥ T[ch][j] } + bias` (or one bipolar bit), PE
//! channels per beat.
//!
//! Ports: the standard stream bundle; PE input elements and PE output elements per beat.
//! Parameters: the threshold table. A shared row becomes constants; per-channel rows live in
//! a `$readmemh` memory of NF = ceil(C/PE) words ([`threshold_words`]), word `n` holding lane `p`,
//! step `j` at bits `((p·K + j)·TW)`. Comparisons are signed at the width TW of
//! [`compare_width`], which depends on the input type only: every threshold is first clamped
//! to `[min, max + 1]` of the input type, which changes no comparison, so any table of the
//! same shape fits the same memory. The per-channel memory is a simple dual-port RAM with a
//! write port (`wr_en`, `wr_addr`, `wr_data`, see [`WritePort`]) for run-time updates.
//! II: one beat per cycle, ceil(C/PE) cycles per vector; latency 2 cycles. When PE does not
//! divide C the last beat's lanes past C are padding (`ir::Stream`): their thresholds are 0 and
//! their outputs padding, which no consumer reads.
//!
//! The core is static RTL, `threshold.v` (module `bitloom_threshold`); each node's module is a
//! short wrapper that instantiates it with the numbers of [`Params`], the shared row or the
//! memory file, and its write port (tied off for a shared row). [`ThresholdModel`] is its cycle
//! model.

use super::{one_node, random_values, Case, EngineKind, Module, WritePort};
use crate::memory::MemoryKind;
use crate::model::{extend, get_bits, pack_lanes, wrap, CycleModel};
use crate::verilog::{clog2, lit, put_bits, stream_ports, MemFile};
use bitloom_compiler::ir::{Node, Stream, Threshold};
use bitloom_compiler::model::{threshold_output_type, ThresholdOutput, ThresholdTable};
use bitloom_compiler::types::DataType;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::fmt::Write;

/// Every width of a threshold unit, computed once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Params {
    /// Channels per beat.
    pub pe: usize,
    /// Thresholds per channel (steps).
    pub k: usize,
    /// Signed comparison width ([`compare_width`]).
    pub tw: usize,
    /// Bits per input element.
    pub ib: usize,
    /// Bits per output element.
    pub ob: usize,
    /// Beats per vector: words of the per-channel memory.
    pub nf: usize,
    /// Whether one row is shared by every channel (constants, no memory).
    pub shared: bool,
    /// Whether the input is signed.
    pub signed_in: bool,
}

impl Params {
    /// The parameters of `node` between streams `i` and `o`.
    pub fn new(node: &Threshold, i: &Stream, o: &Stream) -> Self {
        Params {
            pe: node.pe,
            k: node.thresholds.steps(),
            tw: compare_width(i.dtype),
            ib: i.dtype.bits() as usize,
            ob: o.dtype.bits() as usize,
            nf: i.beats(),
            shared: node.thresholds.rows() == 1,
            signed_in: matches!(i.dtype, DataType::Int(_)),
        }
    }

    /// Bits of one memory word (and of the thresholds register): PE·K·TW.
    pub fn word_bits(&self) -> usize {
        self.pe * self.k * self.tw
    }
}

impl EngineKind for Threshold {
    fn core(&self, module: &str, i: &Stream, o: &Stream) -> Module {
        emit(module, self, i, o, &Params::new(self, i, o))
    }

    fn model(&self, i: &Stream, o: &Stream) -> Box<dyn CycleModel> {
        Box::new(ThresholdModel::new(self, i, &Params::new(self, i, o)))
    }

    fn memory(&self, i: &Stream) -> Option<(MemoryKind, MemFile)> {
        threshold_words(self, i).map(|m| (MemoryKind::Thresholds, m))
    }

    fn constants(&self, i: &Stream) -> Option<Vec<i64>> {
        (self.thresholds.rows() == 1).then(|| self.thresholds.row(0).iter().map(|&v| clamp(v, i.dtype)).collect())
    }
}

/// The signed comparison width TW for inputs of type `input`: it holds `min ..= max + 1` of
/// the type (and −1), so every clamped threshold ([`clamp`]) and every input value fit.
pub fn compare_width(input: DataType) -> usize {
    match DataType::smallest_for(input.min().min(-1), input.max() + 1) {
        DataType::Int(b) => b as usize,
        other => unreachable!("signed range gave {other}"),
    }
}

/// A threshold clamped to `[min, max + 1]` of the input type: for every input `a` of that
/// type, `a ≥ clamp(t)` exactly when `a ≥ t`.
pub fn clamp(t: i64, input: DataType) -> i64 {
    t.clamp(input.min(), input.max() + 1)
}

/// The per-channel threshold memory of `node` on input stream `i`: NF = ceil(C/PE) words of
/// PE·K·TW bits, word `n`, lane `p`, step `j` at bits `(p·K + j)·TW` holding the clamped
/// threshold `T[n·PE + p][j]` in two's complement. `None` for a shared row (constants).
pub fn threshold_words(node: &Threshold, i: &Stream) -> Option<MemFile> {
    if node.thresholds.rows() == 1 {
        return None;
    }
    let (pe, k, tw) = (node.pe, node.thresholds.steps(), compare_width(i.dtype));
    let words = (0..i.beats())
        .map(|n| {
            let mut word = vec![0u64; (pe * k * tw).div_ceil(64)];
            // Padded channels (past the vector's length) keep 0: their outputs are padding.
            for p in (0..pe).filter(|p| n * pe + p < i.len) {
                for (j, &t) in node.thresholds.row(n * pe + p).iter().enumerate() {
                    put_bits(&mut word, (p * k + j) * tw, tw, clamp(t, i.dtype) as u64);
                }
            }
            word
        })
        .collect();
    Some(MemFile { name: String::new(), width: pe * k * tw, words })
}

/// Emits the threshold module `module` for `node` between streams `i` and `o`.
fn emit(module: &str, node: &Threshold, i: &Stream, o: &Stream, params: &Params) -> Module {
    let Params { pe, k, tw, ib, ob, nf, shared, signed_in } = *params;
    let tfile = format!("{module}_t.mem");
    let port = WritePort::new(params.word_bits(), nf);
    let mut mems = Vec::new();
    let (row, mem_file) = match threshold_words(node, i) {
        None => {
            // The shared row once (the core replicates it for every lane): step j at bits j·TW.
            let mut word = vec![0u64; (k * tw).div_ceil(64)];
            for (j, &t) in node.thresholds.row(0).iter().enumerate() {
                put_bits(&mut word, j * tw, tw, clamp(t, i.dtype) as u64);
            }
            let hex = MemFile { name: String::new(), width: k * tw, words: vec![word] }.render();
            (format!("{}'h{}", k * tw, hex.trim_end()), String::new())
        }
        Some(mem) => {
            mems.push(MemFile { name: tfile.clone(), ..mem });
            (lit(k * tw, 0), tfile)
        }
    };
    let (bipolar, bias) = match node.output {
        ThresholdOutput::Bipolar => (1, lit(ob, 0)),
        ThresholdOutput::Integer { bias } => (0, lit(ob, bias)),
    };
    let numbers = [
        ("PE", pe),
        ("K", k),
        ("TW", tw),
        ("IB", ib),
        ("OB", ob),
        ("NF", nf),
        ("AW", port.addr_bits),
        ("CNT", clog2(k + 1)),
        ("SIGNED_IN", signed_in as usize),
        ("BIPOLAR", bipolar),
    ];
    let mut list: Vec<String> = numbers.iter().map(|(n, v)| format!(".{n}({v})")).collect();
    // A shared unit's write port is one unused bit, so no tie-off grows with PE.
    let ww = if shared { 1 } else { port.width };
    list.extend([format!(".BIAS({bias})"), format!(".SHARED({})", shared as usize), format!(".ROW({row})")]);
    list.push(format!(".WW({ww})"));
    list.push(format!(".MEM_FILE({mem_file:?})"));
    // A shared unit has no memory: its write port is tied off here and is not a port of the core.
    let (ports, write) = if shared {
        let ties = format!(".wr_en(1'b0), .wr_addr({}), .wr_data(1'b0)", lit(port.addr_bits, 0));
        (String::new(), ties)
    } else {
        (port.ports(), ".wr_en(wr_en), .wr_addr(wr_addr), .wr_data(wr_data)".to_string())
    };
    let mut v = String::from(include_str!("threshold.v"));
    let w = &mut v;
    writeln!(w, "// Threshold unit {}: {} channels, {k} steps, PE {pe}, {} -> {}", node.name, i.len, i.dtype, o.dtype)
        .unwrap();
    writeln!(w, "module {module} (\n{}{ports}\n);", stream_ports(i.width(), o.width(), false)).unwrap();
    writeln!(w, "  bitloom_threshold #({}) core (", list.join(", ")).unwrap();
    writeln!(w, "    .clk(clk), .rst(rst), .in_data(in_data), .in_valid(in_valid), .in_ready(in_ready),").unwrap();
    writeln!(w, "    .out_data(out_data), .out_valid(out_valid), .out_ready(out_ready), {write});").unwrap();
    writeln!(w, "endmodule").unwrap();
    Module { name: module.to_string(), params: vec![], text: v, mems, write: (!shared).then_some(port) }
}

/// The threshold unit's cycle model.
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
    /// The model of `node` on input stream `i`, with parameters `p`.
    pub fn new(node: &Threshold, i: &Stream, p: &Params) -> Self {
        let Params { pe, k, tw, ib, ob, nf, signed_in, .. } = *p;
        let mem = threshold_words(node, i);
        ThresholdModel {
            pe,
            k,
            tw,
            ib,
            ob,
            signed_in,
            output: node.output,
            groups: nf,
            shared: node.constants(i),
            tmem: mem.map(|m| m.words).unwrap_or_default(),
            out_v: false,
            v1: false,
            d1: vec![0; i.width().div_ceil(64)],
            t1: vec![0; p.word_bits().div_ceil(64)],
            ch: 0,
            res: vec![0; pe],
        }
    }

    /// Lane `p`'s thresholds in this cycle.
    fn row(&self, p: usize) -> Vec<i64> {
        match &self.shared {
            Some(row) => row.clone(),
            None => (0..self.k)
                .map(|j| extend(get_bits(&self.t1, (p * self.k + j) * self.tw, self.tw), self.tw, true))
                .collect(),
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

/// The threshold unit `thr` of `len` channels of `Int(6)`, PE `pe`, `steps` random thresholds
/// per channel (or one shared row).
fn graph(
    (len, pe): (usize, usize),
    shared: bool,
    output: ThresholdOutput,
    steps: usize,
) -> bitloom_compiler::ir::DataflowGraph {
    let input = DataType::Int(6);
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let rows = if shared { 1 } else { len };
    let mut values = Vec::new();
    for _ in 0..rows {
        let mut r: Vec<i64> = (0..steps).map(|_| rng.gen_range(-33..=32)).collect();
        r.sort();
        values.extend(r);
    }
    let thresholds = ThresholdTable::new(rows, steps, values).expect("a valid table");
    let node = Node::Threshold(Threshold { name: "thr".into(), thresholds, output, pe });
    let o = Stream { dtype: threshold_output_type(steps, output), len, fold: pe };
    one_node(node, Stream { dtype: input, len, fold: pe }, o)
}

/// The harness's threshold cases: per-channel and shared rows, integer and bipolar outputs,
/// whole and padded beats.
pub fn cases() -> Vec<Case> {
    [
        ("threshold_channels", (12, 3), false, ThresholdOutput::Integer { bias: -1 }, 2),
        ("threshold_shared", (12, 3), true, ThresholdOutput::Bipolar, 1),
        ("threshold_channels_7", (12, 3), false, ThresholdOutput::Integer { bias: 0 }, 7),
        // Padded: 11 channels at PE 4, 10 at PE 16.
        ("threshold_channels_pad", (11, 4), false, ThresholdOutput::Integer { bias: 1 }, 3),
        ("threshold_shared_pad", (10, 16), true, ThresholdOutput::Bipolar, 1),
    ]
    .into_iter()
    .map(|(name, (len, pe), shared, output, steps)| {
        let graph = graph((len, pe), shared, output, steps);
        let Node::Threshold(t) = &graph.nodes[0] else { unreachable!("a threshold graph") };
        let mut rng = ChaCha8Rng::seed_from_u64(8);
        let inputs: Vec<Vec<i64>> = (0..5).map(|_| random_values(&mut rng, DataType::Int(6), len)).collect();
        let expected = inputs
            .iter()
            .map(|x| {
                x.iter()
                    .enumerate()
                    .map(|(c, &a)| {
                        let n = t.thresholds.row(c).iter().filter(|&&th| a >= th).count() as i64;
                        match output {
                            ThresholdOutput::Bipolar => {
                                if n == 1 {
                                    1
                                } else {
                                    -1
                                }
                            }
                            ThresholdOutput::Integer { bias } => n + bias,
                        }
                    })
                    .collect()
            })
            .collect();
        Case { name, graph, inputs, expected, stall: 0.3 }
    })
    .collect()
}
