//! Stream FIFO of `depth` beats with a registered, first-word-fall-through output.
//!
//! Ports: the standard stream bundle, same width in and out. Storage is a synchronous-read
//! memory (block RAM when deep) followed by a read stage and an output register, so it holds up
//! to depth + 2 beats. II: one beat per cycle; latency 3 cycles.

use super::Module;
use crate::verilog::{clog2, stream_ports};
use bitloom_compiler::ir::Stream;
use std::fmt::Write;

/// Emits the FIFO module `module` of `depth` beats on stream `s`.
pub fn emit(module: &str, name: &str, depth: usize, s: &Stream) -> Module {
    let width = s.width();
    let aw = clog2(depth.max(2));
    let cw = clog2(depth + 1).max(2);
    let mut v = String::new();
    let w = &mut v;
    writeln!(w, "// FIFO {name}: {depth} x {width} bits").unwrap();
    writeln!(w, "module {module} (\n{}\n);", stream_ports(width, width, false)).unwrap();
    // Deep FIFOs belong in block RAM; small ones are left to the tool (registers on iCE40).
    let style = if depth * width >= 4096 { "(* ram_style = \"block\" *) " } else { "" };
    writeln!(w, "  {style}reg [{}:0] mem [0:{}];", width - 1, depth - 1).unwrap();
    writeln!(w, "  reg [{}:0] wp, rp;", aw - 1).unwrap();
    writeln!(w, "  reg [{}:0] count;", cw - 1).unwrap();
    writeln!(w, "  reg r_valid, o_valid;").unwrap();
    writeln!(w, "  reg [{}:0] r_data, o_data;", width - 1).unwrap();
    writeln!(w, "  wire o_free = !o_valid || out_ready;").unwrap();
    writeln!(w, "  wire r_free = !r_valid || o_free;").unwrap();
    writeln!(w, "  wire rd = (count != 0) && r_free;").unwrap();
    writeln!(w, "  wire wr = in_valid && in_ready;").unwrap();
    writeln!(w, "  assign in_ready = count != {};", crate::verilog::lit(cw, depth as i64)).unwrap();
    writeln!(w, "  assign out_valid = o_valid;").unwrap();
    writeln!(w, "  assign out_data = o_data;").unwrap();
    writeln!(w, "  always @(posedge clk) begin").unwrap();
    writeln!(w, "    if (wr) mem[wp] <= in_data;").unwrap();
    writeln!(w, "    if (rd) r_data <= mem[rp];").unwrap();
    writeln!(w, "    if (o_free) o_data <= r_data;").unwrap();
    writeln!(w, "  end").unwrap();
    writeln!(w, "  always @(posedge clk) begin").unwrap();
    writeln!(w, "    if (rst) begin wp <= 0; rp <= 0; count <= 0; r_valid <= 0; o_valid <= 0; end").unwrap();
    writeln!(w, "    else begin").unwrap();
    writeln!(w, "      if (wr) wp <= (wp == {}) ? 0 : wp + 1'b1;", depth - 1).unwrap();
    writeln!(w, "      if (rd) rp <= (rp == {}) ? 0 : rp + 1'b1;", depth - 1).unwrap();
    writeln!(w, "      count <= count + {{{z}'d0, wr}} - {{{z}'d0, rd}};", z = cw - 1).unwrap();
    writeln!(w, "      if (r_free) r_valid <= rd;").unwrap();
    writeln!(w, "      if (o_free) o_valid <= r_valid;").unwrap();
    writeln!(w, "    end").unwrap();
    writeln!(w, "  end").unwrap();
    writeln!(w, "endmodule").unwrap();
    Module { name: module.to_string(), text: v, mems: vec![], write: None }
}
