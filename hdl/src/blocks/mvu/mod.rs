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

use super::{one_node, random_values, Case, EngineKind, Module, WritePort};
use crate::memory::MemoryKind;
use crate::model::{extend, get_bits, pack_lanes, wrap, CycleModel};
use crate::verilog::{clog2, lit, readmemh, stream_ports, MemFile};
use bitloom_compiler::ir::{Mvu, MvuMode, Node, Stream};
use bitloom_compiler::model::{dense_output_type, BitMatrix};
use bitloom_compiler::types::DataType;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::fmt::Write;

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
            mode: node.mode,
            signed_in: matches!(i.dtype, DataType::Int(_)),
        }
    }
}

impl EngineKind for Mvu {
    fn core(&self, module: &str, i: &Stream, o: &Stream) -> Module {
        emit(module, self, i, o, &Params::new(self, i, o))
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

/// Emits the MVU module `module` for `node` between streams `i` and `o`.
fn emit(module: &str, node: &Mvu, i: &Stream, o: &Stream, params: &Params) -> Module {
    let Params { pe, simd, sf, nf, mw, ib, ob, cw, depth, .. } = *params;
    let wfile = format!("{module}_w.mem");

    let mem = MemFile { name: wfile.clone(), width: pe * simd, words: weight_words(node) };
    let port = WritePort::new(pe * simd, depth);

    let mut v = String::new();
    let w = &mut v;
    writeln!(
        w,
        "// Matrix-vector unit {}: MH {} x MW {}, PE {pe}, SIMD {simd}, {:?}, {} -> {}",
        node.name,
        node.mh(),
        mw,
        node.mode,
        i.dtype,
        o.dtype
    )
    .unwrap();
    writeln!(w, "module {module} (\n{}{}\n);", stream_ports(i.width(), o.width(), false), port.ports()).unwrap();
    writeln!(w, "  (* ram_style = \"block\" *) reg [{}:0] wmem [0:{}];", pe * simd - 1, depth - 1).unwrap();
    w.push_str(&readmemh("wmem", &wfile));
    writeln!(w, "  always @(posedge clk) if (wr_en) wmem[wr_addr] <= wr_data;").unwrap();
    let (sw, nw, aw) = (clog2(sf.max(2)), clog2(nf.max(2)), clog2(depth.max(2)));
    let (sf_last, nf_last, addr_last) = (lit(sw, sf as i64 - 1), lit(nw, nf as i64 - 1), lit(aw, depth as i64 - 1));
    writeln!(w, "  reg [{}:0] sf_cnt;", sw - 1).unwrap();
    writeln!(w, "  reg [{}:0] nf_cnt;", nw - 1).unwrap();
    writeln!(w, "  reg [{}:0] waddr;", aw - 1).unwrap();
    writeln!(w, "  reg out_v;").unwrap();
    writeln!(w, "  wire en = !out_v || out_ready;").unwrap();
    writeln!(w, "  wire first_pass = nf_cnt == 0;").unwrap();
    writeln!(w, "  wire issue = en && (!first_pass || in_valid);").unwrap();
    writeln!(w, "  assign in_ready = en && first_pass;").unwrap();
    writeln!(w, "  assign out_valid = out_v;").unwrap();
    writeln!(w, "  reg v1, first1, last1;").unwrap();
    writeln!(w, "  reg [{}:0] w1;", pe * simd - 1).unwrap();
    writeln!(w, "  reg [{}:0] x1;", i.width() - 1).unwrap();
    if nf > 1 {
        writeln!(w, "  reg [{}:0] ibuf [0:{}];", i.width() - 1, sf - 1).unwrap();
    }
    // Control.
    writeln!(w, "  always @(posedge clk) begin").unwrap();
    writeln!(w, "    if (rst) begin").unwrap();
    writeln!(w, "      sf_cnt <= 0; nf_cnt <= 0; waddr <= 0; v1 <= 0; out_v <= 0;").unwrap();
    writeln!(w, "    end else if (en) begin").unwrap();
    writeln!(w, "      v1 <= issue;").unwrap();
    writeln!(w, "      out_v <= v1 && last1;").unwrap();
    writeln!(w, "      if (issue) begin").unwrap();
    writeln!(w, "        waddr <= (waddr == {addr_last}) ? 0 : waddr + 1'b1;").unwrap();
    writeln!(w, "        if (sf_cnt == {sf_last}) begin").unwrap();
    writeln!(w, "          sf_cnt <= 0;").unwrap();
    writeln!(w, "          nf_cnt <= (nf_cnt == {nf_last}) ? 0 : nf_cnt + 1'b1;").unwrap();
    writeln!(w, "        end else sf_cnt <= sf_cnt + 1'b1;").unwrap();
    writeln!(w, "      end").unwrap();
    writeln!(w, "    end").unwrap();
    writeln!(w, "  end").unwrap();
    // Memories and operand registers (no reset: block RAM friendly).
    writeln!(w, "  always @(posedge clk) begin").unwrap();
    writeln!(w, "    if (issue) begin").unwrap();
    writeln!(w, "      w1 <= wmem[waddr];").unwrap();
    writeln!(w, "      first1 <= sf_cnt == 0;").unwrap();
    writeln!(w, "      last1 <= sf_cnt == {sf_last};").unwrap();
    if nf > 1 {
        writeln!(w, "      x1 <= first_pass ? in_data : ibuf[sf_cnt];").unwrap();
        writeln!(w, "      if (first_pass) ibuf[sf_cnt] <= in_data;").unwrap();
    } else {
        writeln!(w, "      x1 <= in_data;").unwrap();
    }
    writeln!(w, "    end").unwrap();
    writeln!(w, "  end").unwrap();
    // Lanes.
    writeln!(w, "  genvar p;").unwrap();
    writeln!(w, "  generate for (p = 0; p < {pe}; p = p + 1) begin : lane").unwrap();
    writeln!(w, "    reg [{}:0] acc;", cw - 1).unwrap();
    writeln!(w, "    reg [{}:0] sum;", cw - 1).unwrap();
    writeln!(w, "    reg [{}:0] res;", ob - 1).unwrap();
    match node.mode {
        MvuMode::Xnor => {
            writeln!(w, "    wire [{}:0] agree = ~(w1[p*{simd} +: {simd}] ^ x1);", simd - 1).unwrap();
            // $countones maps to a popcount instruction in Verilator and an adder tree in yosys.
            writeln!(w, "    /* verilator lint_off UNUSEDSIGNAL */").unwrap();
            writeln!(w, "    wire [31:0] agreements = $countones(agree);").unwrap();
            writeln!(w, "    /* verilator lint_on UNUSEDSIGNAL */").unwrap();
            writeln!(w, "    always @* sum = (first1 ? {} : acc) + agreements[{}:0];", lit(cw, 0), cw - 1).unwrap();
            writeln!(w, "    wire [{}:0] value = {{sum, 1'b0}} - {};", ob - 1, lit(ob, mw as i64)).unwrap();
        }
        MvuMode::SignedAdd => {
            // Element e of x1, sign- or zero-extended to the accumulator width.
            let ext = match i.dtype {
                DataType::Int(_) => format!("{{{{{}{{x1[e*{ib} + {}]}}}}, x1[e*{ib} +: {ib}]}}", ob - ib, ib - 1),
                _ => format!("{{{}'d0, x1[e*{ib} +: {ib}]}}", ob - ib),
            };
            // Each input element widened to the accumulator width once, outside the sum loop.
            writeln!(w, "    wire [{}:0] xe;", simd * ob - 1).unwrap();
            writeln!(w, "    genvar e;").unwrap();
            writeln!(w, "    for (e = 0; e < {simd}; e = e + 1) begin : widen").unwrap();
            writeln!(w, "      assign xe[e*{ob} +: {ob}] = {ext};").unwrap();
            writeln!(w, "    end").unwrap();
            writeln!(w, "    integer k;").unwrap();
            writeln!(w, "    always @* begin").unwrap();
            writeln!(w, "      sum = first1 ? {} : acc;", lit(cw, 0)).unwrap();
            writeln!(w, "      for (k = 0; k < {simd}; k = k + 1)").unwrap();
            writeln!(w, "        sum = w1[p*{simd} + k] ? sum + xe[k*{ob} +: {ob}] : sum - xe[k*{ob} +: {ob}];")
                .unwrap();
            writeln!(w, "    end").unwrap();
            writeln!(w, "    wire [{}:0] value = sum;", ob - 1).unwrap();
        }
    }
    writeln!(w, "    always @(posedge clk) begin").unwrap();
    writeln!(w, "      if (en && v1) begin").unwrap();
    writeln!(w, "        acc <= sum;").unwrap();
    writeln!(w, "        if (last1) res <= value;").unwrap();
    writeln!(w, "      end").unwrap();
    writeln!(w, "    end").unwrap();
    writeln!(w, "    assign out_data[p*{ob} +: {ob}] = res;").unwrap();
    writeln!(w, "  end endgenerate").unwrap();
    writeln!(w, "endmodule").unwrap();
    Module { name: module.to_string(), params: vec![], text: v, mems: vec![mem], write: Some(port) }
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
fn graph(
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
