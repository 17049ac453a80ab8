//! Multi-threshold unit: `out = #{ j : a ≥ T[ch][j] } + bias` (or one bipolar bit), PE
//! channels per beat.
//!
//! Ports: the standard stream bundle; PE input elements and PE output elements per beat.
//! Parameters: the threshold table. A shared row becomes constants; per-channel rows live in
//! a `$readmemh` memory of NF = C/PE words, word `n` holding lane `p`, step `j` at bits
//! `((p·K + j)·TW)`. Comparisons are signed at a width TW that holds both the input type and
//! every threshold.
//! II: one beat per cycle, C/PE cycles per vector; latency 2 cycles.

use super::Module;
use crate::verilog::{clog2, lit, put_bits, readmemh, stream_ports, MemFile};
use bitloom_compiler::ir::{Stream, Threshold};
use bitloom_compiler::model::ThresholdOutput;
use bitloom_compiler::types::DataType;
use std::fmt::Write;

/// Emits the threshold module `module` for `node` between streams `i` and `o`.
pub fn emit(module: &str, node: &Threshold, i: &Stream, o: &Stream) -> Module {
    let pe = node.pe;
    let k = node.thresholds.steps();
    let ib = i.dtype.bits() as usize;
    let ob = o.dtype.bits() as usize;
    let lo = node.thresholds.values().iter().copied().min().unwrap_or(0).min(i.dtype.min());
    let hi = node.thresholds.values().iter().copied().max().unwrap_or(0).max(i.dtype.max());
    let tw = match DataType::smallest_for(lo.min(-1), hi) {
        DataType::Int(b) => b as usize,
        other => unreachable!("signed range gave {other}"),
    };
    let shared = node.thresholds.rows() == 1;
    let nf = i.len / pe;
    let tfile = format!("{module}_t.mem");

    let mut v = String::new();
    let w = &mut v;
    writeln!(w, "// Threshold unit {}: {} channels, {k} steps, PE {pe}, {} -> {}", node.name, i.len, i.dtype, o.dtype).unwrap();
    writeln!(w, "module {module} (\n{}\n);", stream_ports(i.width(), o.width(), false)).unwrap();
    writeln!(w, "  reg out_v, v1;").unwrap();
    writeln!(w, "  reg [{}:0] d1;", i.width() - 1).unwrap();
    writeln!(w, "  wire en = !out_v || out_ready;").unwrap();
    writeln!(w, "  assign in_ready = en;").unwrap();
    writeln!(w, "  assign out_valid = out_v;").unwrap();
    let mut mems = Vec::new();
    let word_bits = pe * k * tw;
    if shared {
        // Every lane compares against the same row.
        let row: Vec<String> = (0..k).rev().map(|j| lit(tw, node.thresholds.row(0)[j])).collect();
        writeln!(w, "  wire [{}:0] t1 = {{{}{{{}}}}};", word_bits - 1, pe, row.join(", ")).unwrap();
    } else {
        let words = (0..nf)
            .map(|n| {
                let mut word = vec![0u64; word_bits.div_ceil(64)];
                for p in 0..pe {
                    for (j, &t) in node.thresholds.row(n * pe + p).iter().enumerate() {
                        put_bits(&mut word, (p * k + j) * tw, tw, t as u64);
                    }
                }
                word
            })
            .collect();
        mems.push(MemFile { name: tfile.clone(), width: word_bits, words });
        writeln!(w, "  (* ram_style = \"block\" *) reg [{}:0] tmem [0:{}];", word_bits - 1, nf - 1).unwrap();
        w.push_str(&readmemh("tmem", &tfile));
        writeln!(w, "  reg [{}:0] t1;", word_bits - 1).unwrap();
        writeln!(w, "  reg [{}:0] ch;", clog2(nf.max(2)) - 1).unwrap();
        writeln!(w, "  always @(posedge clk) if (rst) ch <= 0; else if (en && in_valid) ch <= (ch == {}) ? 0 : ch + 1;", nf - 1).unwrap();
        writeln!(w, "  always @(posedge clk) if (en && in_valid) t1 <= tmem[ch];").unwrap();
    }
    writeln!(w, "  always @(posedge clk) begin").unwrap();
    writeln!(w, "    if (rst) begin v1 <= 0; out_v <= 0; end").unwrap();
    writeln!(w, "    else if (en) begin v1 <= in_valid; out_v <= v1; end").unwrap();
    writeln!(w, "  end").unwrap();
    writeln!(w, "  always @(posedge clk) if (en && in_valid) d1 <= in_data;").unwrap();
    // Lane p's element of d1, sign- or zero-extended to the comparison width.
    let widened = match i.dtype {
        _ if tw == ib => format!("d1[p*{ib} +: {ib}]"),
        DataType::Int(_) => format!("{{{{{}{{d1[p*{ib} + {}]}}}}, d1[p*{ib} +: {ib}]}}", tw - ib, ib - 1),
        _ => format!("{{{}'d0, d1[p*{ib} +: {ib}]}}", tw - ib),
    };
    let cnt_bits = clog2(k + 1);
    writeln!(w, "  genvar p;").unwrap();
    writeln!(w, "  generate for (p = 0; p < {pe}; p = p + 1) begin : lane").unwrap();
    writeln!(w, "    wire signed [{}:0] a = {widened};", tw - 1).unwrap();
    writeln!(w, "    reg [{}:0] cnt;", cnt_bits - 1).unwrap();
    writeln!(w, "    reg [{}:0] res;", ob - 1).unwrap();
    writeln!(w, "    integer j;").unwrap();
    writeln!(w, "    always @* begin").unwrap();
    writeln!(w, "      cnt = 0;").unwrap();
    writeln!(w, "      for (j = 0; j < {k}; j = j + 1)").unwrap();
    writeln!(w, "        if (a >= $signed(t1[(p*{k} + j)*{tw} +: {tw}])) cnt = cnt + 1'b1;").unwrap();
    writeln!(w, "    end").unwrap();
    let value = match node.output {
        ThresholdOutput::Bipolar => "cnt[0]".to_string(),
        ThresholdOutput::Integer { bias } => format!("cnt + {}", lit(ob, bias)),
    };
    writeln!(w, "    wire [{}:0] value = {value};", ob - 1).unwrap();
    writeln!(w, "    always @(posedge clk) if (en && v1) res <= value;").unwrap();
    writeln!(w, "    assign out_data[p*{ob} +: {ob}] = res;").unwrap();
    writeln!(w, "  end endgenerate").unwrap();
    writeln!(w, "endmodule").unwrap();
    Module { name: module.to_string(), text: v, mems }
}
