//! The dataflow IR: a chain of hardware engines joined by typed streams.
//!
//! A [`DataflowGraph`] is a pipeline `edge[0] → node[0] → edge[1] → … → node[n-1] → edge[n]`.
//! Every edge says what flows on it ([`Stream`]: element type, elements per vector, elements
//! per beat), so stream widths are never re-derived elsewhere. Nodes hold their own
//! parameters (weights, thresholds, folding). [`crate::ir_verify::verify`] checks that the
//! two agree. Each node kind lives in its own module under [`crate::nodes`].

pub use crate::nodes::dwc::Dwc;
pub use crate::nodes::fifo::Fifo;
pub use crate::nodes::horq::Horq;
pub use crate::nodes::int_mvu::IntMvu;
pub use crate::nodes::mvu::{Mvu, MvuMode};
pub use crate::nodes::shift_mvu::ShiftMvu;
pub use crate::nodes::threshold::Threshold;
use crate::nodes::NodeKind;
use crate::types::DataType;
use serde::{Deserialize, Serialize};

/// Index of a node in [`DataflowGraph::nodes`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct NodeId(pub u32);

/// What one stream carries: vectors of `len` elements of `dtype`, `fold` elements per beat.
///
/// Padding: `fold` need not divide `len`. A vector is then `ceil(len/fold)` beats, element `e`
/// at slot `e % fold` of beat `e / fold`, and the last beat's `fold·beats − len` slots past the
/// vector are padding. Padding carries no value: a producer may leave anything there (the host
/// packs code 0, [`Stream::pack`]) and every consumer is exact whatever it holds — matrix units
/// zero padded columns before their lanes (code 0, which for a bipolar element is the bit 0,
/// so XNOR lanes subtract the agreements it adds as a constant), elementwise units map padding
/// to padding, width converters repack it, and [`Stream::unpack`] drops it. A fold is at most
/// the length rounded up to a power of two (so the padding is under half a beat), and the
/// design's first and last streams are never padded (`passes::fold_graph`), so the link speaks
/// whole beats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stream {
    /// Element type.
    pub dtype: DataType,
    /// Elements per vector (one inference).
    pub len: usize,
    /// Elements per beat; at most `len` rounded up to a power of two (see the padding rule).
    pub fold: usize,
}

impl Stream {
    /// Width of one beat in bits.
    pub fn width(&self) -> usize {
        self.fold * self.dtype.bits() as usize
    }

    /// Beats per vector: `ceil(len/fold)`.
    pub fn beats(&self) -> usize {
        self.len.div_ceil(self.fold)
    }

    /// Padded slots in the last beat: `fold·beats − len`.
    pub fn padding(&self) -> usize {
        self.fold * self.beats() - self.len
    }
}

/// A hardware engine: one variant per node kind (`crate::nodes`).
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// Matrix-vector unit with ±1 weights.
    Mvu(Mvu),
    /// Matrix-vector unit with signed k-bit integer weights.
    IntMvu(IntMvu),
    /// Shift-add matrix-vector unit with power-of-two weights.
    ShiftMvu(ShiftMvu),
    /// HORQ engine: residual binarizer, binary MVU and combiner.
    Horq(Horq),
    /// Multi-threshold activation.
    Threshold(Threshold),
    /// Stream width converter.
    Dwc(Dwc),
    /// Stream FIFO.
    Fifo(Fifo),
}

impl Node {
    /// The node as its kind's rules: the one dispatch over kinds in the compiler.
    pub fn as_kind(&self) -> &dyn NodeKind {
        match self {
            Node::Mvu(n) => n,
            Node::IntMvu(n) => n,
            Node::ShiftMvu(n) => n,
            Node::Horq(n) => n,
            Node::Threshold(n) => n,
            Node::Dwc(n) => n,
            Node::Fifo(n) => n,
        }
    }

    /// [`Node::as_kind`], mutable (for the folding).
    pub fn as_kind_mut(&mut self) -> &mut dyn NodeKind {
        match self {
            Node::Mvu(n) => n,
            Node::IntMvu(n) => n,
            Node::ShiftMvu(n) => n,
            Node::Horq(n) => n,
            Node::Threshold(n) => n,
            Node::Dwc(n) => n,
            Node::Fifo(n) => n,
        }
    }

    /// The node's name (unique in a graph; becomes part of Verilog module names).
    pub fn name(&self) -> &str {
        self.as_kind().name()
    }

    /// Short kind name for reports.
    pub fn kind(&self) -> &'static str {
        self.as_kind().kind()
    }
}

/// The pipeline.
#[derive(Clone, Debug, PartialEq)]
pub struct DataflowGraph {
    /// Design name.
    pub name: String,
    /// Engines in stream order.
    pub nodes: Vec<Node>,
    /// `edges[i]` enters `nodes[i]`; `edges[nodes.len()]` is the output stream.
    pub edges: Vec<Stream>,
}

impl DataflowGraph {
    /// The stream entering node `id`.
    pub fn input_of(&self, id: NodeId) -> &Stream {
        &self.edges[id.0 as usize]
    }

    /// The stream leaving node `id`.
    pub fn output_of(&self, id: NodeId) -> &Stream {
        &self.edges[id.0 as usize + 1]
    }

    /// The design's input stream.
    pub fn input(&self) -> &Stream {
        &self.edges[0]
    }

    /// The design's output stream.
    pub fn output(&self) -> &Stream {
        self.edges.last().expect("a graph has at least one edge")
    }

    /// Nodes with their ids.
    pub fn iter(&self) -> impl Iterator<Item = (NodeId, &Node)> {
        self.nodes.iter().enumerate().map(|(i, n)| (NodeId(i as u32), n))
    }
}

impl Stream {
    /// Packs one vector of values into beats: element `j` of a beat sits at bits
    /// `[j·b, (j+1)·b)` of the beat, beat `k` holds elements `k·fold ..`, words little-endian;
    /// padding is code 0.
    pub fn pack(&self, values: &[i64]) -> Vec<Vec<u64>> {
        assert_eq!(values.len(), self.len, "vector length");
        let b = self.dtype.bits() as usize;
        let words = self.width().div_ceil(64);
        values
            .chunks(self.fold)
            .map(|beat| {
                let mut w = vec![0u64; words];
                for (j, &v) in beat.iter().enumerate() {
                    let code = self.dtype.encode(v);
                    for bit in 0..b {
                        if code >> bit & 1 == 1 {
                            let pos = j * b + bit;
                            w[pos / 64] |= 1 << (pos % 64);
                        }
                    }
                }
                w
            })
            .collect()
    }

    /// The inverse of [`Stream::pack`] for one vector's `beats` (each at least `width()` bits):
    /// at most `len` values, padding dropped.
    pub fn unpack(&self, beats: &[Vec<u64>]) -> Vec<i64> {
        let b = self.dtype.bits() as usize;
        let mut out = Vec::with_capacity(beats.len() * self.fold);
        for beat in beats {
            for j in 0..self.fold {
                let mut code = 0u64;
                for bit in 0..b {
                    let pos = j * b + bit;
                    code |= (beat[pos / 64] >> (pos % 64) & 1) << bit;
                }
                out.push(self.dtype.decode(code));
            }
        }
        out.truncate(self.len);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pack_unpack_round_trip() {
        for (dtype, fold) in [(DataType::Bipolar, 70), (DataType::Int(11), 7), (DataType::UInt(8), 16)] {
            let s = Stream { dtype, len: fold * 3, fold };
            let vals: Vec<i64> = (0..s.len as i64)
                .map(|i| {
                    if dtype == DataType::Bipolar {
                        if i % 3 == 0 {
                            1
                        } else {
                            -1
                        }
                    } else {
                        (i * 37 % 200) - if dtype == DataType::UInt(8) { 0 } else { 100 }
                    }
                })
                .collect();
            let beats = s.pack(&vals);
            assert_eq!(beats.len(), 3);
            assert_eq!(s.unpack(&beats), vals);
        }
    }

    #[test]
    fn padded_vectors_round_trip_and_pack_zeros() {
        let s = Stream { dtype: DataType::Int(4), len: 10, fold: 4 };
        assert_eq!((s.beats(), s.padding()), (3, 2));
        let vals: Vec<i64> = (0..10).map(|i| i - 5).collect();
        let beats = s.pack(&vals);
        assert_eq!(beats.len(), 3);
        assert_eq!(beats[2][0] >> 8, 0, "padding is code 0");
        assert_eq!(s.unpack(&beats), vals);
        // Whatever a producer leaves in the padding, the vector is the same.
        let mut noisy = beats.clone();
        noisy[2][0] |= 0xff00;
        assert_eq!(s.unpack(&noisy), vals);
    }
}
