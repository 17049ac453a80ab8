//! Stream width converter between two folds of one vector, where one fold is a multiple of
//! the other.
//!
//! Ports: the standard stream bundle. Split (`in = K·out`): holds one input beat and emits its
//! K slices, lowest elements first. Gather (`out = K·in`): collects K input beats into one
//! output beat. II: one beat per cycle on the wider side's K-fold; latency 1 cycle.

use super::Module;
use crate::verilog::{clog2, stream_ports};
use bitloom_compiler::ir::Stream;
use std::fmt::Write;

/// Emits the converter module `module` between streams `i` and `o`.
pub fn emit(module: &str, name: &str, i: &Stream, o: &Stream) -> Module {
    let (iw, ow) = (i.width(), o.width());
    let mut v = String::new();
    let w = &mut v;
    writeln!(w, "// Width converter {name}: {} x {} -> {} x {} elements", i.beats(), i.fold, o.beats(), o.fold).unwrap();
    writeln!(w, "module {module} (\n{}\n);", stream_ports(iw, ow, false)).unwrap();
    if i.fold > o.fold {
        let k = i.fold / o.fold;
        writeln!(w, "  reg [{}:0] buffer;", iw - 1).unwrap();
        writeln!(w, "  reg [{}:0] idx;", clog2(k) - 1).unwrap();
        writeln!(w, "  reg full;").unwrap();
        writeln!(w, "  wire take = full && out_ready;").unwrap();
        writeln!(w, "  wire last = idx == {};", k - 1).unwrap();
        writeln!(w, "  assign out_valid = full;").unwrap();
        writeln!(w, "  assign out_data = buffer[{}:0];", ow - 1).unwrap();
        writeln!(w, "  assign in_ready = !full || (take && last);").unwrap();
        writeln!(w, "  always @(posedge clk) begin").unwrap();
        writeln!(w, "    if (rst) begin full <= 0; idx <= 0; end").unwrap();
        writeln!(w, "    else if (in_valid && in_ready) begin buffer <= in_data; full <= 1; idx <= 0; end").unwrap();
        writeln!(w, "    else if (take) begin buffer <= buffer >> {ow}; idx <= idx + 1'b1; if (last) full <= 0; end").unwrap();
        writeln!(w, "  end").unwrap();
    } else {
        let k = o.fold / i.fold;
        writeln!(w, "  reg [{}:0] buffer;", ow - 1).unwrap();
        writeln!(w, "  reg [{}:0] idx;", clog2(k) - 1).unwrap();
        writeln!(w, "  reg full;").unwrap();
        writeln!(w, "  assign out_valid = full;").unwrap();
        writeln!(w, "  assign out_data = buffer;").unwrap();
        writeln!(w, "  assign in_ready = !full || out_ready;").unwrap();
        writeln!(w, "  always @(posedge clk) begin").unwrap();
        writeln!(w, "    if (rst) begin full <= 0; idx <= 0; end").unwrap();
        writeln!(w, "    else begin").unwrap();
        writeln!(w, "      if (full && out_ready) full <= 0;").unwrap();
        writeln!(w, "      if (in_valid && in_ready) begin").unwrap();
        writeln!(w, "        buffer[idx*{iw} +: {iw}] <= in_data;").unwrap();
        writeln!(w, "        if (idx == {}) begin idx <= 0; full <= 1; end else idx <= idx + 1'b1;", k - 1).unwrap();
        writeln!(w, "      end").unwrap();
        writeln!(w, "    end").unwrap();
        writeln!(w, "  end").unwrap();
    }
    writeln!(w, "endmodule").unwrap();
    Module { name: module.to_string(), text: v, mems: vec![], write: None }
}
