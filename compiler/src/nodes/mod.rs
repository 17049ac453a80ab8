//! The node kinds of the dataflow IR, one module per kind. Each module holds the node's struct
//! and its [`NodeKind`] implementation: the verifier rule, the folding, whether it wants an
//! input FIFO, and its analytic cost. Passes, the IR verifier and the estimates call the trait
//! and never name a kind; [`crate::ir::Node::as_kind`] is the one place that dispatches, an
//! exhaustive `match`, so a kind without an implementation does not compile.

pub mod dwc;
pub mod fifo;
pub mod horq;
pub mod int_mvu;
pub mod mvu;
pub mod shift_mvu;
pub mod threshold;

use crate::fold::{Folding, MatrixShape};
use crate::ir::Stream;

/// What one node costs, estimated analytically from the graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cost {
    /// Cycles to process one input vector when never stalled.
    pub cycles: usize,
    /// Parameter memory bits (weights, thresholds, FIFO storage).
    pub mem_bits: usize,
    /// Rough 4-input LUT count; a guide for folding, not a synthesis result.
    pub luts: usize,
}

/// Everything the compiler knows about one kind of node. No method has a default: a new kind
/// states each rule.
pub trait NodeKind {
    /// The node's name (unique in a graph; becomes part of Verilog module names).
    fn name(&self) -> &str;

    /// Short kind name for reports.
    fn kind(&self) -> &'static str;

    /// The IR verifier's rule for this kind between its input stream `i` and output stream
    /// `o` (the generic edge and name rules are checked before): what is wrong, if anything.
    fn verify(&self, i: &Stream, o: &Stream) -> Result<(), String>;

    /// The shape the folding search chooses PE and SIMD for, if the node has a folding of
    /// its own (a matrix layer); `None` for nodes that follow their neighbours.
    fn fold_space(&self) -> Option<MatrixShape>;

    /// Takes the folding chosen for its [`NodeKind::fold_space`] (called only for kinds that
    /// have one).
    fn apply_fold(&mut self, folding: Folding);

    /// Adapts to the folds of its neighbours with a folding of their own: `before` is the
    /// output fold of the node feeding it, `after` the input fold of the node it feeds.
    fn follow_neighbours(&mut self, before: Option<usize>, after: Option<usize>);

    /// Elements per beat it consumes, if it fixes them (`None`: whatever arrives).
    fn in_fold(&self) -> Option<usize>;

    /// Elements per beat it produces, if it fixes them (`None`: the same as its input).
    fn out_fold(&self) -> Option<usize>;

    /// Whether it needs a FIFO holding one whole input vector in front of it to reach its
    /// initiation interval.
    fn wants_input_fifo(&self) -> bool;

    /// Its analytic cost between streams `i` and `o`.
    fn cost(&self, i: &Stream, o: &Stream) -> Cost;
}

/// A matrix layer: `y = W·x` for an MH×MW matrix, PE rows and SIMD columns per cycle (the
/// MVU kinds). It states what differs between kinds; the folding, the stream rules, the input
/// FIFO and the cost shape they share come from the one [`NodeKind`] implementation below.
pub trait MatrixKind {
    /// The node's name.
    fn name(&self) -> &str;
    /// Short kind name for reports.
    fn kind(&self) -> &'static str;
    /// (MH, MW).
    fn dims(&self) -> (usize, usize);
    /// Its PE and SIMD.
    fn folding(&self) -> Folding;
    /// Takes a folding.
    fn set_folding(&mut self, folding: Folding);
    /// The kind's own verifier rule (weights, mode, output type), after the shared one.
    fn verify_kind(&self, i: &Stream, o: &Stream) -> Result<(), String>;
    /// Rough LUTs per lane column (one weight times one input element) between `i` and `o`.
    fn column_luts(&self, i: &Stream, o: &Stream) -> usize;
    /// Bits of one weight in its memory.
    fn weight_bits(&self) -> usize;

    /// Synapse fold: cycles per output beat.
    fn sf(&self) -> usize {
        self.folding().sf(self.dims().1)
    }
    /// Neuron fold: output beats per vector.
    fn nf(&self) -> usize {
        self.folding().nf(self.dims().0)
    }
}

impl<T: MatrixKind> NodeKind for T {
    fn name(&self) -> &str {
        MatrixKind::name(self)
    }

    fn kind(&self) -> &'static str {
        MatrixKind::kind(self)
    }

    /// Input length MW, output length MH, input fold SIMD, output fold PE, then the kind's rule
    /// ([`MatrixKind::verify_kind`]).
    fn verify(&self, i: &Stream, o: &Stream) -> Result<(), String> {
        let ((mh, mw), f) = (self.dims(), self.folding());
        expect("input length (MW)", mw, i.len)?;
        expect("output length (MH)", mh, o.len)?;
        expect("input fold (SIMD)", f.simd, i.fold)?;
        expect("output fold (PE)", f.pe, o.fold)?;
        self.verify_kind(i, o)
    }

    fn fold_space(&self) -> Option<MatrixShape> {
        let (mh, mw) = self.dims();
        Some(MatrixShape { name: MatrixKind::name(self).to_string(), mh, mw })
    }

    fn apply_fold(&mut self, folding: Folding) {
        self.set_folding(folding);
    }

    fn follow_neighbours(&mut self, _before: Option<usize>, _after: Option<usize>) {}

    fn in_fold(&self) -> Option<usize> {
        Some(self.folding().simd)
    }

    fn out_fold(&self) -> Option<usize> {
        Some(self.folding().pe)
    }

    /// It reads its input only during the first of its NF passes and replays it from its own
    /// buffer for the rest; without room for the next vector the producer would stall.
    fn wants_input_fifo(&self) -> bool {
        true
    }

    /// Per PE: SIMD lane columns and the accumulator (≈ 2 LUTs per bit); memories hold the
    /// weights and, when NF > 1, the input buffer.
    fn cost(&self, i: &Stream, o: &Stream) -> Cost {
        let (f, sf, nf) = (self.folding(), self.sf(), self.nf());
        let acc = o.dtype.bits() as usize;
        let buffer = if nf > 1 { sf * f.simd * i.dtype.bits() as usize } else { 0 };
        Cost {
            cycles: sf * nf,
            mem_bits: sf * f.simd * nf * f.pe * self.weight_bits() + buffer,
            luts: f.pe * (f.simd * self.column_luts(i, o) + 2 * acc) + 40,
        }
    }
}

/// `Ok` when `expected == got`, else a message naming `what` and both values.
pub(crate) fn expect<T: PartialEq + std::fmt::Debug>(what: &str, expected: T, got: T) -> Result<(), String> {
    if expected == got {
        Ok(())
    } else {
        Err(format!("{what}: expected {expected:?}, got {got:?}"))
    }
}
