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

use super::{Module, WritePort};
use crate::verilog::{clog2, lit, readmemh, stream_ports, MemFile};
use bitloom_compiler::ir::{Mvu, MvuMode, Stream};
use bitloom_compiler::types::DataType;
use std::fmt::Write;

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
pub fn emit(module: &str, node: &Mvu, i: &Stream, o: &Stream) -> Module {
    let (pe, simd, sf, nf, mw) = (node.pe, node.simd, node.sf(), node.nf(), node.mw());
    let ib = i.dtype.bits() as usize;
    let ob = o.dtype.bits() as usize;
    let depth = sf * nf;
    let wfile = format!("{module}_w.mem");

    let mem = MemFile { name: wfile.clone(), width: pe * simd, words: weight_words(node) };
    let port = WritePort::new(pe * simd, depth);

    let mut v = String::new();
    let w = &mut v;
    writeln!(w, "// Matrix-vector unit {}: MH {} x MW {}, PE {pe}, SIMD {simd}, {:?}, {} -> {}", node.name, node.mh(), mw, node.mode, i.dtype, o.dtype).unwrap();
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
    let cw = match node.mode {
        MvuMode::Xnor => clog2(mw + 1),
        MvuMode::SignedAdd => ob,
    };
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
            writeln!(w, "        sum = w1[p*{simd} + k] ? sum + xe[k*{ob} +: {ob}] : sum - xe[k*{ob} +: {ob}];").unwrap();
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
    Module { name: module.to_string(), text: v, mems: vec![mem], write: Some(port) }
}
