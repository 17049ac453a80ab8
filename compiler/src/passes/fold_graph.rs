use crate::fold::FoldMap;
use crate::ir::{DataflowGraph, Dwc, Node, Stream};

/// Applies per-layer folding and rebuilds the streams, inserting width converters where a
/// producer's fold differs from its consumer's.
///
/// Nodes with a folding of their own ([`NodeKind::fold_space`](crate::nodes::NodeKind::fold_space)) take it from `folds` (absent:
/// they keep the one they have, PE = SIMD = 1 after lowering). Every node then sees the folds
/// of those neighbours ([`NodeKind::follow_neighbours`](crate::nodes::NodeKind::follow_neighbours): a threshold unit runs at the fold of
/// the MVU feeding it, or, when it comes first, at the SIMD of the MVU it feeds). Where two
/// folds differ and neither divides the other, the conversion goes through their gcd (a split
/// and a gather).
pub fn fold_graph(g: &DataflowGraph, folds: &FoldMap) -> DataflowGraph {
    let mut nodes: Vec<Node> = g.nodes.clone();
    for node in &mut nodes {
        if node.as_kind().fold_space().is_some() {
            if let Some(&f) = folds.get(node.name()) {
                node.as_kind_mut().apply_fold(f);
            }
        }
    }
    // Only nodes with a folding of their own set their neighbours' folds.
    let own = |n: &Node| n.as_kind().fold_space().is_some();
    for i in 0..nodes.len() {
        let before = i.checked_sub(1).map(|j| &nodes[j]).filter(|n| own(n)).and_then(|n| n.as_kind().out_fold());
        let after = nodes.get(i + 1).filter(|n| own(n)).and_then(|n| n.as_kind().in_fold());
        nodes[i].as_kind_mut().follow_neighbours(before, after);
    }

    let mut out_nodes = Vec::new();
    let mut edges = Vec::new();
    let mut stream = Stream { fold: nodes[0].as_kind().in_fold().unwrap_or(g.edges[0].fold), ..g.edges[0] };
    edges.push(stream);
    for (i, node) in nodes.into_iter().enumerate() {
        if let Some(want) = node.as_kind().in_fold() {
            if want != stream.fold {
                let via = gcd(want, stream.fold);
                for (k, fold) in [via, want].into_iter().enumerate() {
                    if fold != stream.fold {
                        out_nodes.push(Node::Dwc(Dwc { name: format!("{}_dwc{k}", node.name()) }));
                        stream.fold = fold;
                        edges.push(stream);
                    }
                }
            }
        }
        let out = g.edges[i + 1];
        stream = Stream { fold: node.as_kind().out_fold().unwrap_or(stream.fold), ..out };
        out_nodes.push(node);
        edges.push(stream);
    }
    DataflowGraph { name: g.name.clone(), nodes: out_nodes, edges }
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}
