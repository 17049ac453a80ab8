//! Stream FIFO.

use super::{expect, Cost, NodeKind};
use crate::fold::{Folding, MatrixShape};
use crate::ir::Stream;

/// A FIFO of `depth` beats.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fifo {
    /// Name.
    pub name: String,
    /// Capacity in beats (≥ 1).
    pub depth: usize,
}

impl NodeKind for Fifo {
    fn name(&self) -> &str {
        &self.name
    }

    fn kind(&self) -> &'static str {
        "fifo"
    }

    /// Identical streams in and out, depth ≥ 1.
    fn verify(&self, i: &Stream, o: &Stream) -> Result<(), String> {
        expect("stream", i, o)?;
        if self.depth == 0 {
            return Err("depth 0".into());
        }
        Ok(())
    }

    fn fold_space(&self) -> Option<MatrixShape> {
        None
    }

    fn apply_fold(&mut self, _folding: Folding) {}

    fn follow_neighbours(&mut self, _before: Option<usize>, _after: Option<usize>) {}

    fn in_fold(&self) -> Option<usize> {
        None
    }

    fn out_fold(&self) -> Option<usize> {
        None
    }

    fn wants_input_fifo(&self) -> bool {
        false
    }

    fn cost(&self, i: &Stream, _o: &Stream) -> Cost {
        // About 3 LUTs per bit of the beat for a FIFO in flip-flops (yosys synth_ice40, depth 4:
        // `bitloom bench --only engines`); control in the constant.
        Cost { cycles: i.beats(), mem_bits: self.depth * i.width(), luts: 3 * i.width() + 30 }
    }
}
