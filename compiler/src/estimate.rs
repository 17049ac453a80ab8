//! Analytic estimates per node: cycles per vector, memory bits, and a rough LUT count.
//! Analyses read the graph and never change it; each kind's cost is its
//! [`NodeKind::cost`](crate::nodes::NodeKind::cost).

use crate::ir::{DataflowGraph, Node, NodeId};
use crate::nodes::Cost;
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
    let Cost { cycles, mem_bits, luts } = node.as_kind().cost(g.input_of(id), g.output_of(id));
    NodeEstimate { name: node.name().to_string(), kind: node.kind(), cycles, mem_bits, luts }
}
