//! Stream width converter between two folds of the same vector.

use super::{expect, Cost, NodeKind};
use crate::fold::{Folding, MatrixShape};
use crate::ir::Stream;

/// Width converter between two folds of the same vector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dwc {
    /// Name.
    pub name: String,
}

impl NodeKind for Dwc {
    fn name(&self) -> &str {
        &self.name
    }

    fn kind(&self) -> &'static str {
        "dwc"
    }

    /// Same type and length in and out, different folds, one fold a multiple of the other.
    fn verify(&self, i: &Stream, o: &Stream) -> Result<(), String> {
        expect("element type", i.dtype, o.dtype)?;
        expect("length", i.len, o.len)?;
        if i.fold == o.fold || (i.fold % o.fold != 0 && o.fold % i.fold != 0) {
            return Err(format!("folds {} → {} are equal or not multiples", i.fold, o.fold));
        }
        Ok(())
    }

    fn fold_space(&self) -> Option<MatrixShape> {
        None
    }

    fn apply_fold(&mut self, _folding: Folding) {}

    fn follow_neighbours(&mut self, _before: Option<usize>, _after: Option<usize>) {}

    // Its folds are its streams'; `fold_graph` inserts converters with the folds they need.
    fn in_fold(&self) -> Option<usize> {
        None
    }

    fn out_fold(&self) -> Option<usize> {
        None
    }

    fn wants_input_fifo(&self) -> bool {
        false
    }

    fn cost(&self, i: &Stream, o: &Stream) -> Cost {
        // A register per output bit and a multiplexer per input bit (yosys synth_ice40:
        // `bitloom bench --only engines`).
        Cost { cycles: i.beats().max(o.beats()), mem_bits: 0, luts: i.width() + o.width() + 10 }
    }
}
