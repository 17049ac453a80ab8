//! The IR verifier, run after every pass in tests and debug builds.
//!
//! Invariants of a [`DataflowGraph`]:
//! 1. There is at least one node and exactly one more edge than nodes.
//! 2. Every edge has `len ≥ 1`, `fold ≥ 1`, `fold` divides `len`, and an element width of 1..=32 bits.
//! 3. Node names are unique, non-empty, and made of `[A-Za-z0-9_]` (they become Verilog names).
//! 4. MVU: input length MW, output length MH, input fold SIMD, output fold PE, SIMD | MW, PE | MH;
//!    mode `Xnor` exactly when the input is bipolar; the output type is
//!    [`dense_output_type`] of the input.
//! 5. Threshold: same length and fold in and out, fold = PE; threshold rows are 1 or the length;
//!    rows sorted; bipolar output has one step; the input is not bipolar; the output type is
//!    [`threshold_output_type`].
//! 6. DWC: same type and length in and out, different folds, one fold a multiple of the other.
//! 7. FIFO: identical streams in and out, depth ≥ 1.

use crate::ir::{DataflowGraph, MvuMode, Node, NodeId, Stream};
use crate::model::{dense_output_type, threshold_output_type};
use crate::types::DataType;
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
        return Err(err(&g.name, format!("{} nodes need {} edges, found {}", g.nodes.len(), g.nodes.len() + 1, g.edges.len())));
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
    if e.len == 0 || e.fold == 0 || e.len % e.fold != 0 {
        return Err(err(at, format!("fold {} must divide length {}", e.fold, e.len)));
    }
    if !(1..=32).contains(&e.dtype.bits()) {
        return Err(err(at, format!("element type {} wider than 32 bits", e.dtype)));
    }
    Ok(())
}

fn expect<T: PartialEq + std::fmt::Debug>(what: &str, expected: T, got: T) -> Result<(), String> {
    if expected == got {
        Ok(())
    } else {
        Err(format!("{what}: expected {expected:?}, got {got:?}"))
    }
}

fn check_node(g: &DataflowGraph, id: NodeId, node: &Node) -> Result<(), String> {
    let (i, o) = (g.input_of(id), g.output_of(id));
    match node {
        Node::Mvu(m) => {
            expect("input length (MW)", m.mw(), i.len)?;
            expect("output length (MH)", m.mh(), o.len)?;
            expect("input fold (SIMD)", m.simd, i.fold)?;
            expect("output fold (PE)", m.pe, o.fold)?;
            let mode = if i.dtype == DataType::Bipolar { MvuMode::Xnor } else { MvuMode::SignedAdd };
            expect("mode", mode, m.mode)?;
            expect("output type", dense_output_type(i.dtype, m.mw()), o.dtype)
        }
        Node::Threshold(t) => {
            expect("output length", i.len, o.len)?;
            expect("input fold (PE)", t.pe, i.fold)?;
            expect("output fold (PE)", t.pe, o.fold)?;
            if i.dtype == DataType::Bipolar {
                return Err("threshold input is bipolar".into());
            }
            let rows = t.thresholds.rows();
            if rows != 1 && rows != i.len {
                return Err(format!("{rows} threshold rows for {} channels", i.len));
            }
            for r in 0..rows {
                if t.thresholds.row(r).windows(2).any(|w| w[0] > w[1]) {
                    return Err(format!("thresholds of row {r} not sorted"));
                }
            }
            expect("output type", threshold_output_type(t.thresholds.steps(), t.output), o.dtype)
        }
        Node::Dwc(_) => {
            expect("element type", i.dtype, o.dtype)?;
            expect("length", i.len, o.len)?;
            if i.fold == o.fold || (i.fold % o.fold != 0 && o.fold % i.fold != 0) {
                return Err(format!("folds {} → {} are equal or not multiples", i.fold, o.fold));
            }
            Ok(())
        }
        Node::Fifo(f) => {
            expect("stream", i, o)?;
            if f.depth == 0 {
                return Err("depth 0".into());
            }
            Ok(())
        }
    }
}
