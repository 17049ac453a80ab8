//! The compile pipeline: model → dataflow graph → folded graph with converters and FIFOs.
//! The IR verifier runs after every pass.

use crate::estimate::{estimate, Estimate};
use crate::fold::{self, FoldError, FoldMap, MatrixShape};
use crate::ir::DataflowGraph;
use crate::ir_verify::{self, IrError};
use crate::model::Model;
use crate::passes;

/// How to pick the folding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FoldChoice {
    /// The cheapest folding whose II is at most this.
    TargetIi(usize),
    /// A fold file's text (TOML).
    File(String),
    /// Exactly these foldings.
    Explicit(FoldMap),
}

/// A compile failure.
#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    /// The folding request is invalid for this model.
    #[error(transparent)]
    Fold(#[from] FoldError),
    /// The model has a layer kind the hardware does not implement yet.
    #[error(
        "layer {layer}: {kind} layers run in the reference executor (`bitloom infer`) but have no hardware engine yet"
    )]
    Unsupported {
        /// The layer.
        layer: String,
        /// What kind of layer.
        kind: &'static str,
    },
    /// A pass broke an IR invariant: a bug in bitloom.
    #[error("internal compiler error (please report)")]
    Bug(#[from] IrError),
}

/// The result of compiling: the folded graph and its estimates.
#[derive(Clone, Debug)]
pub struct Compiled {
    /// The final graph.
    pub graph: DataflowGraph,
    /// The folding applied per matrix layer.
    pub folds: FoldMap,
    /// Analytic estimates.
    pub estimate: Estimate,
}

/// Matrix layers as the folding search sees them: the nodes with a folding of their own
/// ([`NodeKind::fold_space`](crate::nodes::NodeKind::fold_space)) among the layers that have hardware.
pub fn matrix_shapes(model: &Model) -> Vec<MatrixShape> {
    passes::lowered_layers(model).filter_map(|(node, _)| node.ok()?.as_kind().fold_space()).collect()
}

/// The fold spaces of a lowered graph's nodes.
fn graph_shapes(g: &DataflowGraph) -> Vec<MatrixShape> {
    g.nodes.iter().filter_map(|n| n.as_kind().fold_space()).collect()
}

/// FIFO depths are capped here (beats); deeper vectors still work, at some throughput cost.
pub const MAX_FIFO_DEPTH: usize = 4096;

/// Runs every pass on a verified model.
pub fn compile(model: &Model, choice: &FoldChoice) -> Result<Compiled, CompileError> {
    let g = passes::lower_model(model)?;
    let shapes = graph_shapes(&g);
    let folds = match choice {
        FoldChoice::TargetIi(ii) => fold::choose(&shapes, *ii)?,
        FoldChoice::File(text) => fold::parse_fold_file(text, &shapes)?,
        FoldChoice::Explicit(map) => {
            for s in &shapes {
                if let Some(f) = map.get(&s.name) {
                    fold::Folding::new(&s.name, s.mh, s.mw, f.pe, f.simd)?;
                }
            }
            map.clone()
        }
    };
    ir_verify::verify(&g)?;
    let g = passes::fold_graph(&g, &folds);
    ir_verify::verify(&g)?;
    let g = passes::insert_fifos(&g, MAX_FIFO_DEPTH);
    ir_verify::verify(&g)?;
    let estimate = estimate(&g);
    Ok(Compiled { graph: g, folds, estimate })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::Node;
    use crate::random_model::{random_bnn, RandomOptions};

    #[test]
    fn folds_and_fifos_follow_each_kinds_rules() {
        let opts = RandomOptions { ternary: true, ..RandomOptions::default() };
        let model = random_bnn("m", &[24, 16, 12, 6], 3, opts);
        for ii in [1, 8, 40, 10_000] {
            let c = compile(&model, &FoldChoice::TargetIi(ii)).unwrap();
            let g = &c.graph;
            // The folding search saw exactly the compiled graph's matrix nodes.
            let spaces: Vec<MatrixShape> = g.nodes.iter().filter_map(|n| n.as_kind().fold_space()).collect();
            assert_eq!(matrix_shapes(&model), spaces, "II {ii}");
            for (k, node) in g.nodes.iter().enumerate() {
                match node {
                    Node::Mvu(m) => {
                        assert_eq!((c.folds[&m.name].pe, c.folds[&m.name].simd), (m.pe, m.simd), "II {ii}");
                        assert!(matches!(&g.nodes[k - 1], Node::Fifo(f) if f.name == format!("{}_fifo", m.name)));
                    }
                    // Each threshold runs at the PE of the MVU feeding it, the input quantizer at
                    // the SIMD of the MVU it feeds.
                    Node::Threshold(t) => {
                        let mvu = |n: &Node| match n {
                            Node::Mvu(m) => Some((m.pe, m.simd)),
                            _ => None,
                        };
                        let before = g.nodes[..k].iter().rev().find_map(mvu).map(|(pe, _)| pe);
                        let want = before.or_else(|| g.nodes[k..].iter().find_map(mvu).map(|(_, simd)| simd));
                        let want = want.unwrap_or(1);
                        assert_eq!(t.pe, want, "II {ii}: {}", t.name);
                    }
                    Node::IntMvu(_) | Node::ShiftMvu(_) | Node::Horq(_) | Node::Dwc(_) | Node::Fifo(_) => {}
                }
            }
        }
    }
}
