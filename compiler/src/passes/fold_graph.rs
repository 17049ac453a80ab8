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
/// and a gather). Folds that do not divide a length pad (`ir::Stream`), except at the design's
/// input and output, which converters keep whole.
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
    // The design's boundaries carry whole beats: a padded first fold is fed through a
    // converter from the largest fold that divides the length.
    let first = nodes[0].as_kind().in_fold().unwrap_or(g.edges[0].fold);
    let mut stream = Stream { fold: whole(first, g.edges[0].len), ..g.edges[0] };
    edges.push(stream);
    let last = nodes.last().map(|n| n.name().to_string()).unwrap_or_default();
    for (i, node) in nodes.into_iter().enumerate() {
        if let Some(want) = node.as_kind().in_fold() {
            convert(&mut out_nodes, &mut edges, &mut stream, want, &format!("{}_dwc", node.name()));
        }
        let out = g.edges[i + 1];
        stream = Stream { fold: node.as_kind().out_fold().unwrap_or(stream.fold), ..out };
        out_nodes.push(node);
        edges.push(stream);
    }
    let want = whole(stream.fold, stream.len);
    convert(&mut out_nodes, &mut edges, &mut stream, want, &format!("{last}_out_dwc"));
    DataflowGraph { name: g.name.clone(), nodes: out_nodes, edges }
}

/// `fold` if it divides `len`, else the largest fold dividing both (a layout without padding
/// that a converter reaches in one step).
fn whole(fold: usize, len: usize) -> usize {
    if len % fold == 0 {
        fold
    } else {
        gcd(fold, len)
    }
}

/// Appends the width converters (named `<prefix><k>`) that take `stream` to fold `want`: one
/// when a fold divides the other, else a split to their gcd and a gather.
fn convert(nodes: &mut Vec<Node>, edges: &mut Vec<Stream>, stream: &mut Stream, want: usize, prefix: &str) {
    if want == stream.fold {
        return;
    }
    let via = gcd(want, stream.fold);
    for (k, fold) in [via, want].into_iter().enumerate() {
        if fold != stream.fold {
            nodes.push(Node::Dwc(Dwc { name: format!("{prefix}{k}") }));
            stream.fold = fold;
            edges.push(*stream);
        }
    }
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

#[cfg(test)]
mod tests {
    use crate::compile::{compile, FoldChoice};
    use crate::fold::Folding;
    use crate::ir::Node;
    use crate::nodes::MatrixKind;
    use crate::random_model::{random_bnn, RandomOptions};

    #[test]
    fn padded_foldings_pad_inside_and_keep_the_boundaries_whole() {
        let model = random_bnn("m", &[22, 10, 6], 5, RandomOptions::default());
        let folds = [("fc0", Folding { pe: 4, simd: 8 }), ("fc1", Folding { pe: 8, simd: 3 })]
            .map(|(n, f)| (n.to_string(), f))
            .into();
        let c = compile(&model, &FoldChoice::Explicit(folds)).unwrap();
        let g = &c.graph;
        assert_eq!((g.input().padding(), g.output().padding()), (0, 0), "{:?}", g.edges);
        // 22 inputs at SIMD 8: 3 beats, 2 padded; a converter feeds it from a whole fold of 2.
        assert_eq!(g.input().fold, 2);
        let mvus: Vec<_> = g.nodes.iter().filter_map(|n| if let Node::Mvu(m) = n { Some(m) } else { None }).collect();
        assert_eq!(mvus.iter().map(|m| (m.sf(), m.nf())).collect::<Vec<_>>(), [(3, 3), (4, 1)]);
        // The MVUs take 9 and 4 cycles; the 11 input beats at fold 2 bound the II.
        assert_eq!(c.estimate.ii, 11);
        assert!(g.edges.iter().any(|e| e.padding() != 0));
        // Every converter is between folds one of which divides the other.
        for (id, n) in g.iter() {
            if let Node::Dwc(_) = n {
                let (i, o) = (g.input_of(id).fold, g.output_of(id).fold);
                assert!(i % o == 0 || o % i == 0, "{i} → {o}");
            }
        }
    }
}
