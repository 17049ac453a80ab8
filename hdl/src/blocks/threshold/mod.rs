//! Multi-threshold unit: `out = #{ j : a ≥ T[ch][j] } + bias` (or one bipolar bit), PE
//! channels per beat, by a pipelined binary search over each channel's sorted thresholds.
//!
//! Ports: the standard stream bundle; PE input elements and PE output elements per beat.
//! Parameters: the threshold table. Every threshold is first clamped to `[min, max + 1]` of
//! the input type ([`clamp`]), which changes no comparison, so comparisons are signed at the
//! width TW of [`compare_width`], which depends on the input type only, and any table of the
//! same shape fits the same memories. A row of K thresholds is padded to 2^B − 1 with `max + 1`
//! (never reached), B = [`Threshold::stages`]. Stage `s` (0 ≤ s < B) decides bit B − 1 − s of
//! the count from one threshold: with `n` the s count bits decided before it, step
//! `(2n + 1)·2^(B−s−1) − 1` of the row ([`Params::step`]); so the count is exactly
//! `#{ j : a ≥ T[j] }`, and the output rule (bias, bipolar) is applied to it.
//!
//! A shared row is constants, indexed by `n` in logic. Per-channel rows live in one memory per
//! stage holding 2^s thresholds per row at address `{row, n}`: stage 0 one memory of NF words
//! of PE·TW bits for every lane, each later stage one memory of NF·2^s words of TW bits per
//! lane (each lane has its own `n`), in block RAM or, when small ([`stage_in_logic`]),
//! flip-flops ([`banks`]). The write port ([`WritePort`]: `wr_en`, `wr_addr`, `wr_data`)
//! sees them as one memory of NF·(2^B − 1) words of PE·TW bits, the stages one after another
//! ([`threshold_words`], [`MemoryKind::Thresholds`]), and decodes the stage from the address.
//! II: one beat per cycle, NF = ceil(C/PE) cycles per vector (lanes past C in the last beat are
//! padding, `ir::Stream`: their thresholds are 0, their outputs read by no one); latency B + 1 cycles
//! ([`Threshold::latency`]). One enable (`!out_valid || out_ready`) stalls the whole pipeline
//! and gates every memory read.
//!
//! The core is static RTL, `threshold.v` (modules `bitloom_threshold` and its stage memory
//! `bitloom_threshold_mem`); each node's module is a short wrapper that instantiates it with
//! the numbers of [`Params`], the shared row or the memory files, and its write port (tied off
//! for a shared row). [`ThresholdModel`] is its cycle model.

use super::{one_node, random_values, Case, EngineKind, Module, WritePort};
use crate::memory::{Bank, MemoryKind};
use crate::model::{extend, get_bits, pack_lanes, wrap, CycleModel};
use crate::verilog::{lit, put_bits, stream_ports, MemFile};
use bitloom_compiler::ir::{Node, Stream, Threshold};
use bitloom_compiler::model::{threshold_output_type, ThresholdOutput, ThresholdTable};
pub use bitloom_compiler::nodes::threshold::{compare_width, stage_in_logic};
use bitloom_compiler::types::DataType;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::fmt::Write;

/// Every width and count of a threshold unit, computed once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Params {
    /// Channels per beat.
    pub pe: usize,
    /// Thresholds per channel (steps).
    pub k: usize,
    /// Binary-search stages B: the row is padded to 2^B − 1 thresholds.
    pub b: usize,
    /// Signed comparison width ([`compare_width`]).
    pub tw: usize,
    /// Bits per input element.
    pub ib: usize,
    /// Bits per output element.
    pub ob: usize,
    /// Beats per vector: rows of each stage's memory.
    pub nf: usize,
    /// Bits of the row counter.
    pub rw: usize,
    /// Whether one row is shared by every channel (constants, no memory).
    pub shared: bool,
    /// Whether the input is signed.
    pub signed_in: bool,
}

impl Params {
    /// The parameters of `node` on input stream `i` (the output type is the IR's rule,
    /// [`threshold_output_type`]).
    pub fn new(node: &Threshold, i: &Stream) -> Self {
        // Beats per vector: when PE does not divide C the last beat's lanes past C are padding.
        let nf = i.beats();
        Params {
            pe: node.pe,
            k: node.thresholds.steps(),
            b: node.stages(),
            tw: compare_width(i.dtype),
            ib: i.dtype.bits() as usize,
            ob: threshold_output_type(node.thresholds.steps(), node.output).bits() as usize,
            nf,
            rw: crate::verilog::clog2(nf.max(2)),
            shared: node.thresholds.rows() == 1,
            signed_in: matches!(i.dtype, DataType::Int(_)),
        }
    }

    /// Thresholds per padded row, 2^B − 1.
    pub fn padded(&self) -> usize {
        (1 << self.b) - 1
    }

    /// Bits of a word of the write port: PE·TW.
    pub fn word_bits(&self) -> usize {
        self.pe * self.tw
    }

    /// Words of the write port's memory: NF·(2^B − 1).
    pub fn depth(&self) -> usize {
        self.nf * self.padded()
    }

    /// The first word of stage `s` in the write port's memory: NF·(2^s − 1).
    pub fn base(&self, s: usize) -> usize {
        self.nf * ((1 << s) - 1)
    }

    /// The step of the padded row that stage `s` compares when the count bits decided before
    /// it are `n`: `(2n + 1)·2^(B−s−1) − 1`.
    pub fn step(&self, s: usize, n: usize) -> usize {
        ((2 * n + 1) << (self.b - s - 1)) - 1
    }

    /// Stage `s`'s memory: (width, depth, copies). Stage 0 is read at the same row by every
    /// lane, one memory; later stages one memory per lane.
    fn stage_memory(&self, s: usize) -> (usize, usize, usize) {
        if s == 0 {
            (self.pe * self.tw, self.nf, 1)
        } else {
            (self.tw, self.nf << s, self.pe)
        }
    }

    /// Whether stage `s`'s memory is built of flip-flops ([`stage_in_logic`]).
    fn stage_logic(&self, s: usize) -> bool {
        let (width, depth, _) = self.stage_memory(s);
        stage_in_logic(width, depth)
    }
}

impl EngineKind for Threshold {
    fn core(&self, module: &str, i: &Stream, o: &Stream) -> Module {
        emit(module, self, i, o, &Params::new(self, i))
    }

    fn model(&self, i: &Stream, _o: &Stream) -> Box<dyn CycleModel> {
        Box::new(ThresholdModel::new(self, i, &Params::new(self, i)))
    }

    fn memory(&self, i: &Stream) -> Option<(MemoryKind, MemFile)> {
        threshold_words(self, i).map(|m| (MemoryKind::Thresholds, m))
    }

    fn constants(&self, i: &Stream) -> Option<Vec<i64>> {
        (self.thresholds.rows() == 1).then(|| self.thresholds.row(0).iter().map(|&v| clamp(v, i.dtype)).collect())
    }
}

/// A threshold clamped to `[min, max + 1]` of the input type: for every input `a` of that
/// type, `a ≥ clamp(t)` exactly when `a ≥ t`.
pub fn clamp(t: i64, input: DataType) -> i64 {
    t.clamp(input.min(), input.max() + 1)
}

/// Row `r` of `node`'s table clamped ([`clamp`]) and padded to 2^B − 1 thresholds with
/// `max + 1`, which no input reaches.
fn padded_row(node: &Threshold, r: usize, input: DataType, p: &Params) -> Vec<i64> {
    // Padded channels (past the vector's length, `ir::Stream`) keep 0: their outputs are padding.
    if r >= node.thresholds.rows() {
        return vec![0; p.padded()];
    }
    let row = node.thresholds.row(r);
    (0..p.padded()).map(|j| row.get(j).map_or(input.max() + 1, |&t| clamp(t, input))).collect()
}

/// The per-channel threshold memory of `node` on input stream `i` as the write port sees it:
/// NF·(2^B − 1) words of PE·TW bits, stage `s`'s words from NF·(2^s − 1) on, its word
/// `row·2^s + n` holding in lane `p`'s bits `[p·TW, (p+1)·TW)` step [`Params::step`]`(s, n)` of
/// channel `row·PE + p`'s row clamped ([`clamp`]) and padded with `max + 1`, two's complement.
/// The one function that makes the words: the memory files of the core are slices of them.
/// `None` for a shared row (constants).
pub fn threshold_words(node: &Threshold, i: &Stream) -> Option<MemFile> {
    if node.thresholds.rows() == 1 {
        return None;
    }
    let p = Params::new(node, i);
    let rows: Vec<Vec<i64>> = (0..p.nf * p.pe).map(|c| padded_row(node, c, i.dtype, &p)).collect();
    let mut words = Vec::with_capacity(p.depth());
    for s in 0..p.b {
        for row in 0..p.nf {
            for n in 0..1usize << s {
                let mut word = vec![0u64; p.word_bits().div_ceil(64)];
                for lane in 0..p.pe {
                    put_bits(&mut word, lane * p.tw, p.tw, rows[row * p.pe + lane][p.step(s, n)] as u64);
                }
                words.push(word);
            }
        }
    }
    Some(MemFile { name: String::new(), width: p.word_bits(), words })
}

/// The physical memories of `node`'s threshold stages on input stream `i`: one [`Bank`] per
/// stage (copies: one per lane after stage 0), in flip-flops where [`stage_in_logic`] says so.
/// None for a shared row.
pub fn banks(node: &Threshold, i: &Stream) -> Vec<Bank> {
    let p = Params::new(node, i);
    if p.shared {
        return Vec::new();
    }
    (0..p.b)
        .map(|s| {
            let (width, depth, copies) = p.stage_memory(s);
            Bank { what: format!("stage {s}"), width, depth, copies, logic: p.stage_logic(s) }
        })
        .collect()
}

/// The file of stage `s`'s memory (for lane `lane` after stage 0) of module `module`, as the
/// core names it: `{module}_t{ss}.mem`, `{module}_t{ss}_{lane in ld digits}.mem`.
fn mem_name(module: &str, s: usize, lane: usize, ld: usize) -> String {
    if s == 0 {
        format!("{module}_t{s:02}.mem")
    } else {
        format!("{module}_t{s:02}_{lane:0ld$}.mem")
    }
}

/// Emits the threshold module `module` for `node` between streams `i` and `o`.
fn emit(module: &str, node: &Threshold, i: &Stream, o: &Stream, p: &Params) -> Module {
    let Params { pe, b, tw, ib, ob, nf, rw, shared, signed_in, .. } = *p;
    let port = WritePort::new(p.word_bits(), p.depth());
    // Decimal digits of the largest lane number, for the lanes' file names.
    let ld = (pe - 1).max(1).ilog10() as usize + 1;
    let mut mems = Vec::new();
    let row_bits = p.padded() * tw;
    let row = match threshold_words(node, i) {
        None => {
            // The padded shared row once (the core indexes it for every lane): step j at bits j·TW.
            let mut word = vec![0u64; row_bits.div_ceil(64)];
            for (j, &t) in padded_row(node, 0, i.dtype, p).iter().enumerate() {
                put_bits(&mut word, j * tw, tw, t as u64);
            }
            let hex = MemFile { name: String::new(), width: row_bits, words: vec![word] }.render();
            format!("{row_bits}'h{}", hex.trim_end())
        }
        Some(mem) => {
            for s in 0..b {
                let words = &mem.words[p.base(s)..p.base(s) + (nf << s)];
                if s == 0 {
                    mems.push(MemFile { name: mem_name(module, 0, 0, ld), width: pe * tw, words: words.to_vec() });
                    continue;
                }
                for lane in 0..pe {
                    let lane_words = words.iter().map(|w| vec![get_bits(w, lane * tw, tw)]).collect();
                    mems.push(MemFile { name: mem_name(module, s, lane, ld), width: tw, words: lane_words });
                }
            }
            lit(row_bits, 0)
        }
    };
    let (bipolar, bias) = match node.output {
        ThresholdOutput::Bipolar => (1, lit(ob, 0)),
        ThresholdOutput::Integer { bias } => (0, lit(ob, bias)),
    };
    let logic: String = (0..b).rev().map(|s| if !shared && p.stage_logic(s) { '1' } else { '0' }).collect();
    let numbers = [
        ("PE", pe),
        ("B", b),
        ("TW", tw),
        ("IB", ib),
        ("OB", ob),
        ("NF", nf),
        ("RW", rw),
        ("AW", port.addr_bits),
        ("SIGNED_IN", signed_in as usize),
        ("BIPOLAR", bipolar),
        ("SHARED", shared as usize),
    ];
    let mut list: Vec<String> = numbers.iter().map(|(n, v)| format!(".{n}({v})")).collect();
    // A shared unit's write port is one unused bit, so no tie-off grows with PE.
    let ww = if shared { 1 } else { port.width };
    let prefix = if shared { String::new() } else { format!("{module}_t") };
    list.extend([format!(".BIAS({bias})"), format!(".ROW({row})"), format!(".LOGIC({b}'b{logic})")]);
    list.extend([format!(".WW({ww})"), format!(".MEM_PREFIX({prefix:?})"), format!(".LD({ld})")]);
    // A shared unit has no memory: its write port is tied off here and is not a port of the core.
    let (ports, write) = if shared {
        let ties = format!(".wr_en(1'b0), .wr_addr({}), .wr_data(1'b0)", lit(port.addr_bits, 0));
        (String::new(), ties)
    } else {
        (port.ports(), ".wr_en(wr_en), .wr_addr(wr_addr), .wr_data(wr_data)".to_string())
    };
    let mut v = String::from(include_str!("threshold.v"));
    let w = &mut v;
    let k = p.k;
    writeln!(w, "// Threshold unit {}: {} channels, {k} steps, PE {pe}, {} -> {}", node.name, i.len, i.dtype, o.dtype)
        .unwrap();
    writeln!(w, "module {module} (\n{}{ports}\n);", stream_ports(i.width(), o.width(), false)).unwrap();
    writeln!(w, "  bitloom_threshold #({}) core (", list.join(", ")).unwrap();
    writeln!(w, "    .clk(clk), .rst(rst), .in_data(in_data), .in_valid(in_valid), .in_ready(in_ready),").unwrap();
    writeln!(w, "    .out_data(out_data), .out_valid(out_valid), .out_ready(out_ready), {write});").unwrap();
    writeln!(w, "endmodule").unwrap();
    Module { name: module.to_string(), params: vec![], text: v, mems, write: (!shared).then_some(port) }
}

/// The threshold unit's cycle model: the core's registers, with the stage memories as the
/// write port sees them (one array, [`threshold_words`]).
pub struct ThresholdModel {
    p: Params,
    output: ThresholdOutput,
    /// The clamped, padded shared row, or `None` for per-channel memories.
    shared: Option<Vec<i64>>,
    /// The stage memories, as the write port addresses them.
    tmem: Vec<Vec<u64>>,
    out_v: bool,
    ch: usize,
    /// Per stage: valid, data, row.
    v: Vec<bool>,
    d: Vec<Vec<u64>>,
    r: Vec<usize>,
    /// Per stage and lane: the count bits decided before the stage, and its threshold read
    /// register (per-channel memories).
    c: Vec<Vec<usize>>,
    t: Vec<Vec<i64>>,
    res: Vec<u64>,
}

impl ThresholdModel {
    /// The model of `node` on input stream `i`, with parameters `p`.
    pub fn new(node: &Threshold, i: &Stream, p: &Params) -> Self {
        let b = p.b;
        ThresholdModel {
            p: *p,
            output: node.output,
            shared: p.shared.then(|| padded_row(node, 0, i.dtype, p)),
            tmem: threshold_words(node, i).map(|m| m.words).unwrap_or_default(),
            out_v: false,
            ch: 0,
            v: vec![false; b],
            d: vec![vec![0; i.width().div_ceil(64)]; b],
            r: vec![0; b],
            c: vec![vec![0; p.pe]; b],
            t: vec![vec![0; p.pe]; b],
            res: vec![0; p.pe],
        }
    }

    /// Lane `lane`'s threshold of stage `s` at its address `a` in the stage's memory.
    fn read(&self, s: usize, a: usize, lane: usize) -> i64 {
        let tw = self.p.tw;
        extend(get_bits(&self.tmem[self.p.base(s) + a], lane * tw, tw), tw, true)
    }

    /// The count bits after stage `s`'s comparison in lane `lane`.
    fn next_bits(&self, s: usize, lane: usize) -> usize {
        let Params { ib, signed_in, .. } = self.p;
        let a = extend(get_bits(&self.d[s], lane * ib, ib), ib, signed_in);
        let n = self.c[s][lane];
        let threshold = match &self.shared {
            Some(row) => row[self.p.step(s, n)],
            None => self.t[s][lane],
        };
        (n << 1) | (a >= threshold) as usize
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
        pack_lanes(&self.res, self.p.ob)
    }

    fn clock(&mut self, rst: bool, in_valid: bool, in_data: &[u64], out_ready: bool) {
        let Params { pe, b, nf, .. } = self.p;
        let en = !self.out_v || out_ready;
        let memories = self.shared.is_none();
        if en {
            // Last stage first: each stage takes its predecessor's registers before they change.
            if self.v[b - 1] {
                for lane in 0..pe {
                    let count = self.next_bits(b - 1, lane) as u64;
                    self.res[lane] = match self.output {
                        ThresholdOutput::Bipolar => count & 1,
                        ThresholdOutput::Integer { bias } => wrap(count.wrapping_add(bias as u64), self.p.ob),
                    };
                }
            }
            for s in (1..b).rev() {
                if !self.v[s - 1] {
                    continue;
                }
                for lane in 0..pe {
                    let n = self.next_bits(s - 1, lane);
                    if memories {
                        self.t[s][lane] = self.read(s, (self.r[s - 1] << s) | n, lane);
                    }
                    self.c[s][lane] = n;
                }
                self.d[s] = self.d[s - 1].clone();
                self.r[s] = self.r[s - 1];
            }
            if in_valid {
                if memories {
                    for lane in 0..pe {
                        self.t[0][lane] = self.read(0, self.ch, lane);
                    }
                }
                self.d[0].copy_from_slice(in_data);
                self.r[0] = self.ch;
            }
        }
        if memories {
            if rst {
                self.ch = 0;
            } else if en && in_valid {
                self.ch = if self.ch == nf - 1 { 0 } else { self.ch + 1 };
            }
        }
        if rst {
            self.v.fill(false);
            self.out_v = false;
        } else if en {
            self.out_v = self.v[b - 1];
            self.v.rotate_right(1);
            self.v[0] = in_valid;
        }
    }

    fn write(&mut self, addr: usize, data: &[u64]) {
        let bits = self.p.word_bits();
        if let Some(word) = self.tmem.get_mut(addr) {
            for (k, limb) in word.iter_mut().enumerate() {
                *limb = data.get(k).copied().unwrap_or(0);
            }
            crate::wire::mask(word, bits);
        }
    }
}

/// A one-node graph: the threshold unit `thr` of `len` channels of `input`, PE `pe`, `steps`
/// random sorted thresholds per channel (or one shared row), some beyond the input's range.
fn graph(
    shared: bool,
    output: ThresholdOutput,
    steps: usize,
    input: DataType,
    len: usize,
    pe: usize,
) -> bitloom_compiler::ir::DataflowGraph {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let rows = if shared { 1 } else { len };
    let mut values = Vec::new();
    for _ in 0..rows {
        let mut r: Vec<i64> = (0..steps).map(|_| rng.gen_range(input.min() - 1..=input.max() + 1)).collect();
        r.sort();
        values.extend(r);
    }
    let thresholds = ThresholdTable::new(rows, steps, values).expect("a valid table");
    let node = Node::Threshold(Threshold { name: "thr".into(), thresholds, output, pe });
    let o = Stream { dtype: threshold_output_type(steps, output), len, fold: pe };
    one_node(node, Stream { dtype: input, len, fold: pe }, o)
}

/// The harness's threshold cases: K = 1, 2, 3, 5, 7, 15 and 255 (so 1 to 8 stages, padded
/// rows, stages in flip-flops and in block RAM), per-channel and shared rows, integer and
/// bipolar outputs, signed and unsigned inputs, PE 1 and more.
pub fn cases() -> Vec<Case> {
    let int = |bias| ThresholdOutput::Integer { bias };
    [
        ("threshold_channels", false, int(-1), 2, DataType::Int(6), 12, 3),
        ("threshold_shared", true, ThresholdOutput::Bipolar, 1, DataType::Int(6), 12, 3),
        ("threshold_channels_7", false, int(0), 7, DataType::Int(6), 12, 3),
        ("threshold_k1_bipolar", false, ThresholdOutput::Bipolar, 1, DataType::UInt(4), 8, 1),
        ("threshold_k3_uint5", false, int(0), 3, DataType::UInt(5), 8, 2),
        ("threshold_k5_pe1", false, int(1), 5, DataType::Int(7), 10, 1),
        ("threshold_k15_shared", true, int(-8), 15, DataType::Int(6), 12, 3),
        ("threshold_k15_channels", false, int(0), 15, DataType::UInt(8), 6, 1),
        ("threshold_k255_channels", false, int(0), 255, DataType::Int(9), 4, 2),
        ("threshold_k255_shared", true, int(0), 255, DataType::UInt(8), 8, 4),
        // Padded: 11 channels at PE 4, 10 at PE 16.
        ("threshold_channels_pad", false, int(1), 3, DataType::Int(6), 11, 4),
        ("threshold_shared_pad", true, ThresholdOutput::Bipolar, 1, DataType::Int(6), 10, 16),
    ]
    .into_iter()
    .map(|(name, shared, output, steps, input, len, pe)| {
        let graph = graph(shared, output, steps, input, len, pe);
        let Node::Threshold(t) = &graph.nodes[0] else { unreachable!("a threshold graph") };
        let mut rng = ChaCha8Rng::seed_from_u64(8);
        let inputs: Vec<Vec<i64>> = (0..8).map(|_| random_values(&mut rng, input, len)).collect();
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The model's first output comes [`Threshold::latency`] edges after its input, for every
    /// case (1 to 8 stages), and its memory has NF·(2^B − 1) words.
    #[test]
    fn latency_is_one_cycle_per_stage_and_one() {
        for case in cases() {
            let Node::Threshold(t) = &case.graph.nodes[0] else { unreachable!("a threshold case") };
            let (i, o) = (case.graph.input(), case.graph.output());
            let mut m = t.model(i, o);
            m.clock(true, false, &[], true);
            let beat = i.pack(&case.inputs[0]).remove(0);
            m.clock(false, true, &beat, true);
            let mut edges = 1;
            while !m.out_valid() {
                assert!(edges < 20, "{}: no output", case.name);
                m.clock(false, false, &beat, true);
                edges += 1;
            }
            assert_eq!(edges, t.latency(), "{}", case.name);
            let p = Params::new(t, i);
            let words = threshold_words(t, i).map_or(0, |w| w.words.len());
            assert_eq!(words, if p.shared { 0 } else { p.nf * ((1 << t.stages()) - 1) }, "{}", case.name);
        }
    }
}
