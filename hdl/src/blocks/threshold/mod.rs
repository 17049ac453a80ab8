//! Multi-threshold unit: `out = #{ j : a ≥ T[ch][j] } + bias` (or one bipolar bit), PE
//! channels per beat.
//!
//! Ports: the standard stream bundle; PE input elements and PE output elements per beat.
//! Parameters: the threshold table. A shared row becomes constants; per-channel rows live in
//! a `$readmemh` memory of NF = C/PE words ([`threshold_words`]), word `n` holding lane `p`,
//! step `j` at bits `((p·K + j)·TW)`. Comparisons are signed at the width TW of
//! [`compare_width`], which depends on the input type only: every threshold is first clamped
//! to `[min, max + 1]` of the input type, which changes no comparison, so any table of the
//! same shape fits the same memory. The per-channel memory is a simple dual-port RAM with a
//! write port (`wr_en`, `wr_addr`, `wr_data`, see [`WritePort`]) for run-time updates.
//! II: one beat per cycle, C/PE cycles per vector; latency 2 cycles.

use super::{Module, WritePort};
use crate::verilog::{clog2, lit, put_bits, readmemh, stream_ports, MemFile};
use bitloom_compiler::ir::{Stream, Threshold};
use bitloom_compiler::model::ThresholdOutput;
use bitloom_compiler::types::DataType;
use std::fmt::Write;

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

/// The per-channel threshold memory of `node` on input stream `i`: NF = C/PE words of
/// PE·K·TW bits, word `n`, lane `p`, step `j` at bits `(p·K + j)·TW` holding the clamped
/// threshold `T[n·PE + p][j]` in two's complement. `None` for a shared row (constants).
pub fn threshold_words(node: &Threshold, i: &Stream) -> Option<MemFile> {
    if node.thresholds.rows() == 1 {
        return None;
    }
    let (pe, k, tw) = (node.pe, node.thresholds.steps(), compare_width(i.dtype));
    let words = (0..i.len / pe)
        .map(|n| {
            let mut word = vec![0u64; (pe * k * tw).div_ceil(64)];
            for p in 0..pe {
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
pub fn emit(module: &str, node: &Threshold, i: &Stream, o: &Stream) -> Module {
    let pe = node.pe;
    let k = node.thresholds.steps();
    let ib = i.dtype.bits() as usize;
    let ob = o.dtype.bits() as usize;
    let tw = compare_width(i.dtype);
    let shared = node.thresholds.rows() == 1;
    let nf = i.len / pe;
    let tfile = format!("{module}_t.mem");
    let port = (!shared).then(|| WritePort::new(pe * k * tw, nf));

    let mut v = String::new();
    let w = &mut v;
    writeln!(w, "// Threshold unit {}: {} channels, {k} steps, PE {pe}, {} -> {}", node.name, i.len, i.dtype, o.dtype).unwrap();
    let write_ports = port.map(|p| p.ports()).unwrap_or_default();
    writeln!(w, "module {module} (\n{}{write_ports}\n);", stream_ports(i.width(), o.width(), false)).unwrap();
    writeln!(w, "  reg out_v, v1;").unwrap();
    writeln!(w, "  reg [{}:0] d1;", i.width() - 1).unwrap();
    writeln!(w, "  wire en = !out_v || out_ready;").unwrap();
    writeln!(w, "  assign in_ready = en;").unwrap();
    writeln!(w, "  assign out_valid = out_v;").unwrap();
    let mut mems = Vec::new();
    let word_bits = pe * k * tw;
    if shared {
        // Every lane compares against the same row.
        let row: Vec<String> = (0..k).rev().map(|j| lit(tw, clamp(node.thresholds.row(0)[j], i.dtype))).collect();
        writeln!(w, "  wire [{}:0] t1 = {{{}{{{}}}}};", word_bits - 1, pe, row.join(", ")).unwrap();
    } else {
        let mem = threshold_words(node, i).expect("a per-channel table has a memory");
        mems.push(MemFile { name: tfile.clone(), ..mem });
        writeln!(w, "  (* ram_style = \"block\" *) reg [{}:0] tmem [0:{}];", word_bits - 1, nf - 1).unwrap();
        w.push_str(&readmemh("tmem", &tfile));
        writeln!(w, "  always @(posedge clk) if (wr_en) tmem[wr_addr] <= wr_data;").unwrap();
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
    Module { name: module.to_string(), text: v, mems, write: port }
}
