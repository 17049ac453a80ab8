use crate::fold::FoldMap;
use crate::ir::{DataflowGraph, Dwc, Node, Stream};

/// Applies per-layer folding and rebuilds the streams, inserting width converters where a
/// producer's fold differs from its consumer's.
///
/// MVUs take PE and SIMD from `folds` (absent: 1, 1). A threshold unit runs at the fold of the
/// MVU feeding it, or, when it comes first (the input quantizer), at the SIMD of the MVU it
/// feeds, so that the input stream needs no converter. Where two folds differ and neither
/// divides the other, the conversion goes through their gcd (a split and a gather).
pub fn fold_graph(g: &DataflowGraph, folds: &FoldMap) -> DataflowGraph {
    let mut nodes: Vec<Node> = g.nodes.clone();
    for node in &mut nodes {
        if let Node::Mvu(m) = node {
            if let Some(f) = folds.get(&m.name) {
                m.pe = f.pe;
                m.simd = f.simd;
            }
        }
    }
    // Threshold PE from its neighbours.
    for i in 0..nodes.len() {
        if let Node::Threshold(_) = nodes[i] {
            let before = i.checked_sub(1).and_then(|j| match &nodes[j] {
                Node::Mvu(m) => Some(m.pe),
                _ => None,
            });
            let after = nodes.get(i + 1).and_then(|n| match n {
                Node::Mvu(m) => Some(m.simd),
                _ => None,
            });
            let pe = before.or(after).unwrap_or(1);
            if let Node::Threshold(t) = &mut nodes[i] {
                t.pe = pe;
            }
        }
    }

    let mut out_nodes = Vec::new();
    let mut edges = Vec::new();
    let mut stream = Stream { fold: in_fold(&nodes[0]).unwrap_or(g.edges[0].fold), ..g.edges[0] };
    edges.push(stream);
    for (i, node) in nodes.into_iter().enumerate() {
        if let Some(want) = in_fold(&node) {
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
        stream = Stream { fold: out_fold(&node).unwrap_or(stream.fold), ..out };
        out_nodes.push(node);
        edges.push(stream);
    }
    DataflowGraph { name: g.name.clone(), nodes: out_nodes, edges }
}

fn in_fold(n: &Node) -> Option<usize> {
    match n {
        Node::Mvu(m) => Some(m.simd),
        Node::Threshold(t) => Some(t.pe),
        Node::Dwc(_) | Node::Fifo(_) => None,
    }
}

fn out_fold(n: &Node) -> Option<usize> {
    match n {
        Node::Mvu(m) => Some(m.pe),
        Node::Threshold(t) => Some(t.pe),
        Node::Dwc(_) | Node::Fifo(_) => None,
    }
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}
