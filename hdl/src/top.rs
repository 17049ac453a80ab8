//! The dataflow top level: every node's module chained stream to stream.
//!
//! Ports (the contract the simulator and board wrappers rely on): `clk`, `rst` (synchronous,
//! active high), `in_data/in_valid/in_ready` carrying the graph's input stream and
//! `out_data/out_valid/out_ready` carrying its output stream.

use crate::blocks::{dwc, fifo, mvu, threshold, Module};
use crate::verilog::stream_ports;
use bitloom_compiler::ir::{DataflowGraph, Node};
use std::fmt::Write;

/// Module name of a node's engine.
pub fn module_name(top: &str, node: &Node) -> String {
    format!("{top}_{}", node.name())
}

/// Emits every node module and the top module named `top` (last in the list).
pub fn emit(g: &DataflowGraph, top: &str) -> Vec<Module> {
    let mut modules: Vec<Module> = g
        .iter()
        .map(|(id, node)| {
            let (i, o) = (g.input_of(id), g.output_of(id));
            let name = module_name(top, node);
            match node {
                Node::Mvu(m) => mvu::emit(&name, m, i, o),
                Node::Threshold(t) => threshold::emit(&name, t, i, o),
                Node::Dwc(d) => dwc::emit(&name, &d.name, i, o),
                Node::Fifo(f) => fifo::emit(&name, &f.name, f.depth, i),
            }
        })
        .collect();

    let mut v = String::new();
    let w = &mut v;
    writeln!(w, "// bitloom dataflow top for {:?}: {} engines", g.name, g.nodes.len()).unwrap();
    writeln!(w, "module {top} (\n{}\n);", stream_ports(g.input().width(), g.output().width(), false)).unwrap();
    for (k, e) in g.edges.iter().enumerate() {
        writeln!(w, "  wire [{}:0] s{k}_data; wire s{k}_valid, s{k}_ready;", e.width() - 1).unwrap();
    }
    let last = g.edges.len() - 1;
    writeln!(w, "  assign s0_data = in_data; assign s0_valid = in_valid; assign in_ready = s0_ready;").unwrap();
    writeln!(w, "  assign out_data = s{last}_data; assign out_valid = s{last}_valid; assign s{last}_ready = out_ready;").unwrap();
    for (id, node) in g.iter() {
        let (a, b) = (id.0, id.0 + 1);
        writeln!(
            w,
            "  {} u_{} (.clk(clk), .rst(rst), .in_data(s{a}_data), .in_valid(s{a}_valid), .in_ready(s{a}_ready), .out_data(s{b}_data), .out_valid(s{b}_valid), .out_ready(s{b}_ready));",
            module_name(top, node),
            node.name()
        )
        .unwrap();
    }
    writeln!(w, "endmodule").unwrap();
    modules.push(Module { name: top.to_string(), text: v, mems: vec![] });
    modules
}
