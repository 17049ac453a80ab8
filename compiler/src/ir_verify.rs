//! The IR verifier, run after every pass in tests and debug builds.
//!
//! Invariants of a [`DataflowGraph`]:
//! 1. There is at least one node and exactly one more edge than nodes.
//! 2. Every edge has `len ≥ 1`, `1 ≤ fold ≤ len` rounded up to a power of two (a fold that
//!    does not divide `len` pads the last beat, see [`Stream`]), and an element width of 1..=32 bits.
//! 3. Node names are unique, non-empty, and made of `[A-Za-z0-9_]` (they become Verilog names).
//! 4. Each node satisfies its kind's rule ([`NodeKind::verify`](crate::nodes::NodeKind::verify),
//!    documented on each kind's implementation in [`crate::nodes`]).

use crate::ir::{DataflowGraph, Node, NodeId, Stream};
use std::collections::HashSet;

/// An IR invariant that does not hold. Always a compiler bug when it follows a pass.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("IR invariant broken at {location}: {message}")]
pub struct IrError {
    /// Node or edge where it was found.
    pub location: String,
    /// What is wrong, with expected and actual values.
    pub message: String,
}

fn err(location: impl Into<String>, message: impl Into<String>) -> IrError {
    IrError { location: location.into(), message: message.into() }
}

/// Checks every invariant listed in the module doc.
pub fn verify(g: &DataflowGraph) -> Result<(), IrError> {
    if g.nodes.is_empty() {
        return Err(err(&g.name, "graph has no nodes"));
    }
    if g.edges.len() != g.nodes.len() + 1 {
        return Err(err(
            &g.name,
            format!("{} nodes need {} edges, found {}", g.nodes.len(), g.nodes.len() + 1, g.edges.len()),
        ));
    }
    for (i, e) in g.edges.iter().enumerate() {
        check_edge(i, e)?;
    }
    let mut names = HashSet::new();
    for (id, node) in g.iter() {
        let name = node.name();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(err(format!("node {}", id.0), format!("bad name {name:?}")));
        }
        if !names.insert(name) {
            return Err(err(name, "duplicate node name"));
        }
        check_node(g, id, node).map_err(|m| err(name, m))?;
    }
    Ok(())
}

fn check_edge(i: usize, e: &Stream) -> Result<(), IrError> {
    let at = format!("edge {i}");
    if e.len == 0 || e.fold == 0 || e.fold > e.len.next_power_of_two() {
        return Err(err(
            at,
            format!(
                "fold {} outside 1..={} (length {} rounded up to a power of two)",
                e.fold,
                e.len.next_power_of_two(),
                e.len
            ),
        ));
    }
    if !(1..=32).contains(&e.dtype.bits()) {
        return Err(err(at, format!("element type {} wider than 32 bits", e.dtype)));
    }
    Ok(())
}

fn check_node(g: &DataflowGraph, id: NodeId, node: &Node) -> Result<(), String> {
    node.as_kind().verify(g.input_of(id), g.output_of(id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::DataType;

    #[test]
    fn a_fold_may_pad_but_not_past_the_next_power_of_two() {
        let e = |len, fold| Stream { dtype: DataType::Bipolar, len, fold };
        assert!(check_edge(0, &e(10, 4)).is_ok());
        assert!(check_edge(0, &e(10, 16)).is_ok());
        let msg = check_edge(3, &e(10, 17)).unwrap_err().to_string();
        assert!(msg.contains("edge 3") && msg.contains("fold 17 outside 1..=16"), "{msg}");
        assert!(check_edge(0, &e(10, 0)).is_err());
    }
}
