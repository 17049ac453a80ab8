use crate::ir::{DataflowGraph, Fifo, Node};

/// Puts a FIFO in front of every node that asks for one
/// ([`NodeKind::wants_input_fifo`](crate::nodes::NodeKind::wants_input_fifo)), deep enough for
/// one whole input vector.
///
/// An MVU, for one, reads its input only during the first of its NF passes and replays it from
/// its own buffer for the rest; without room for the next vector, the producer would stall for
/// those passes and the pipeline would miss its initiation interval. The depth is capped at
/// `max_depth` beats.
pub fn insert_fifos(g: &DataflowGraph, max_depth: usize) -> DataflowGraph {
    let mut nodes = Vec::new();
    let mut edges = vec![g.edges[0]];
    for (i, node) in g.nodes.iter().enumerate() {
        let input = g.edges[i];
        if node.as_kind().wants_input_fifo() {
            nodes.push(Node::Fifo(Fifo {
                name: format!("{}_fifo", node.name()),
                depth: input.beats().clamp(2, max_depth.max(2)),
            }));
            edges.push(input);
        }
        nodes.push(node.clone());
        edges.push(g.edges[i + 1]);
    }
    DataflowGraph { name: g.name.clone(), nodes, edges }
}
