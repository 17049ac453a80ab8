//! Analytic estimates per node: cycles per vector, memory bits, and a rough LUT count.
//! Analyses read the graph and never change it.

use crate::ir::{DataflowGraph, MvuMode, Node, NodeId};
use serde::Serialize;

/// The estimate for one node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NodeEstimate {
    /// Node name.
    pub name: String,
    /// Node kind.
    pub kind: &'static str,
    /// Cycles to process one input vector when never stalled.
    pub cycles: usize,
    /// Parameter memory bits (weights, thresholds, FIFO storage).
    pub mem_bits: usize,
    /// Rough 4-input LUT count; a guide for folding, not a synthesis result.
    pub luts: usize,
}

/// Estimates for a whole graph.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Estimate {
    /// Per node, in stream order.
    pub nodes: Vec<NodeEstimate>,
    /// Initiation interval bound: the slowest node's cycles per vector.
    pub ii: usize,
    /// Sum of memory bits.
    pub mem_bits: usize,
    /// Sum of LUT estimates.
    pub luts: usize,
}

/// Estimates every node of `g`.
pub fn estimate(g: &DataflowGraph) -> Estimate {
    let nodes: Vec<NodeEstimate> = g.iter().map(|(id, n)| estimate_node(g, id, n)).collect();
    Estimate {
        ii: nodes.iter().map(|n| n.cycles).max().unwrap_or(0),
        mem_bits: nodes.iter().map(|n| n.mem_bits).sum(),
        luts: nodes.iter().map(|n| n.luts).sum(),
        nodes,
    }
}

fn estimate_node(g: &DataflowGraph, id: NodeId, node: &Node) -> NodeEstimate {
    let (i, o) = (g.input_of(id), g.output_of(id));
    let (cycles, mem_bits, luts) = match node {
        Node::Mvu(m) => {
            let acc = o.dtype.bits() as usize;
            let in_bits = i.dtype.bits() as usize;
            // Per lane: XNOR + popcount tree (≈ 2 LUTs per bit) or a conditional negate and
            // adder per input bit; per PE: the accumulator.
            let lane = match m.mode {
                MvuMode::Xnor => 2,
                MvuMode::SignedAdd => 2 * in_bits,
            };
            let buffer = if m.nf() > 1 { m.mw() * in_bits } else { 0 };
            (m.sf() * m.nf(), m.mw() * m.mh() + buffer, m.pe * (m.simd * lane + 2 * acc) + 40)
        }
        Node::Threshold(t) => {
            let tw = i.dtype.bits() as usize + 1;
            let steps = t.thresholds.steps();
            let mem = if t.thresholds.rows() == 1 { 0 } else { t.thresholds.values().len() * tw };
            (i.beats(), mem, t.pe * steps * tw + 20)
        }
        Node::Dwc(_) => (i.beats().max(o.beats()), 0, i.width().max(o.width()) * 2 + 10),
        Node::Fifo(f) => (i.beats(), f.depth * i.width(), 2 * i.width() + 30),
    };
    NodeEstimate { name: node.name().to_string(), kind: node.kind(), cycles, mem_bits, luts }
}
