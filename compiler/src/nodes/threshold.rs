//! Multi-threshold activation, PE channels per beat.

use super::{expect, Cost, NodeKind};
use crate::fold::{Folding, MatrixShape};
use crate::ir::Stream;
use crate::model::{threshold_output_type, ThresholdOutput, ThresholdTable};
use crate::types::DataType;

/// Multi-threshold unit, `pe` channels per beat.
#[derive(Clone, Debug, PartialEq)]
pub struct Threshold {
    /// Name (from the model layer).
    pub name: String,
    /// Thresholds per channel (or one shared row).
    pub thresholds: ThresholdTable,
    /// Output encoding.
    pub output: ThresholdOutput,
    /// Channels per beat; divides the vector length.
    pub pe: usize,
}

impl NodeKind for Threshold {
    fn name(&self) -> &str {
        &self.name
    }

    fn kind(&self) -> &'static str {
        "threshold"
    }

    /// Same length and fold in and out, fold = PE; threshold rows are 1 or the length; rows
    /// sorted; bipolar output has one step; the input is not bipolar; the output type is
    /// [`threshold_output_type`].
    fn verify(&self, i: &Stream, o: &Stream) -> Result<(), String> {
        expect("output length", i.len, o.len)?;
        expect("input fold (PE)", self.pe, i.fold)?;
        expect("output fold (PE)", self.pe, o.fold)?;
        if i.dtype == DataType::Bipolar {
            return Err("threshold input is bipolar".into());
        }
        let rows = self.thresholds.rows();
        if rows != 1 && rows != i.len {
            return Err(format!("{rows} threshold rows for {} channels", i.len));
        }
        for r in 0..rows {
            if self.thresholds.row(r).windows(2).any(|w| w[0] > w[1]) {
                return Err(format!("thresholds of row {r} not sorted"));
            }
        }
        expect("output type", threshold_output_type(self.thresholds.steps(), self.output), o.dtype)
    }

    fn fold_space(&self) -> Option<MatrixShape> {
        None
    }

    fn apply_fold(&mut self, _folding: Folding) {}

    /// It runs at the fold of the unit feeding it, or, when it comes first (the input
    /// quantizer), at the fold of the unit it feeds, so that the input stream needs no
    /// converter.
    fn follow_neighbours(&mut self, before: Option<usize>, after: Option<usize>) {
        self.pe = before.or(after).unwrap_or(1);
    }

    fn in_fold(&self) -> Option<usize> {
        Some(self.pe)
    }

    fn out_fold(&self) -> Option<usize> {
        Some(self.pe)
    }

    fn wants_input_fifo(&self) -> bool {
        false
    }

    fn cost(&self, i: &Stream, _o: &Stream) -> Cost {
        let tw = i.dtype.bits() as usize + 1;
        let steps = self.thresholds.steps();
        let mem_bits = if self.thresholds.rows() == 1 { 0 } else { self.thresholds.values().len() * tw };
        // Per PE a comparator of TW bits per step against the table, or, for a row shared by
        // every channel and built in as constants, about half of that (yosys synth_ice40:
        // `bitloom bench --only engines`).
        let per_pe = if self.thresholds.rows() == 1 { (steps * tw).div_ceil(2) } else { steps * tw };
        Cost { cycles: i.beats(), mem_bits, luts: self.pe * per_pe + 20 }
    }
}
