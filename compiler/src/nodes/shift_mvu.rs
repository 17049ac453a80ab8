//! Shift-add matrix-vector unit for INQ's power-of-two weights: `y = W·x` with every weight 0
//! or `±2^e`, PE rows and SIMD columns per cycle. No multiplier: a product is `±(x << e)` or 0.

use super::{expect, MatrixKind};
use crate::fold::Folding;
use crate::ir::Stream;
use crate::model::{int_dot_range, IntMatrix, WeightType};
use crate::types::DataType;

/// Shift-add MVU: `y = W·x` for an MH×MW matrix of INQ weights (`WeightType::Pow2(bits)`),
/// PE rows and SIMD columns per cycle.
#[derive(Clone, Debug, PartialEq)]
pub struct ShiftMvu {
    /// Name (from the model layer).
    pub name: String,
    /// The weights, MH rows × MW columns; each 0 or `±2^e` with `e < 2^(bits−2)`.
    pub weights: IntMatrix,
    /// The weight type's bits (`Pow2(bits)`): a weight code is `bits` wide.
    pub bits: u32,
    /// Rows computed in parallel; divides MH.
    pub pe: usize,
    /// Columns consumed per cycle; divides MW.
    pub simd: usize,
}

impl ShiftMvu {
    /// MW.
    pub fn mw(&self) -> usize {
        self.weights.cols()
    }
    /// MH.
    pub fn mh(&self) -> usize {
        self.weights.rows()
    }
    /// Bits of a weight's exponent: `bits − 2` (the other two are sign and nonzero).
    pub fn exp_bits(&self) -> u32 {
        self.bits - 2
    }
    /// The exact output type on inputs of type `input` (as the model's `dense` layer has it).
    pub fn output_type(&self, input: DataType) -> DataType {
        let (lo, hi) = int_dot_range(&self.weights, input.min(), input.max());
        DataType::smallest_for(i64::try_from(lo).unwrap_or(i64::MIN), i64::try_from(hi).unwrap_or(i64::MAX))
    }
}

impl MatrixKind for ShiftMvu {
    fn name(&self) -> &str {
        &self.name
    }

    fn kind(&self) -> &'static str {
        "shift_mvu"
    }

    fn dims(&self) -> (usize, usize) {
        (self.mh(), self.mw())
    }

    fn folding(&self) -> Folding {
        Folding { pe: self.pe, simd: self.simd }
    }

    fn set_folding(&mut self, folding: Folding) {
        (self.pe, self.simd) = (folding.pe, folding.simd);
    }

    /// Every weight in `Pow2(bits)`; the output type is the model's exact range of `W·x`.
    fn verify_kind(&self, i: &Stream, o: &Stream) -> Result<(), String> {
        let wt = WeightType::Pow2(self.bits);
        if !wt.is_valid() {
            return Err(format!("weight type {wt} is not an INQ type (2 to 8 bits)"));
        }
        if let Some(w) = self.weights.values().iter().find(|&&w| !wt.contains(i64::from(w))) {
            return Err(format!("weight {w} is not in {wt}"));
        }
        expect("output type", self.output_type(i.dtype), o.dtype)
    }

    /// A barrel shifter (exp_bits mux levels over in_bits + 2^exp_bits − 1 bits, gated by the
    /// nonzero bit) and an adder of the accumulator's width. Within 10 % of yosys synth_ice40
    /// at SIMD 16 (hdl/src/blocks/shift_mvu).
    /// A barrel shifter (exp_bits mux levels over in_bits + 2^exp_bits − 1 bits, gated by the
    /// nonzero bit), an adder of the accumulator's width, and about 3 LUTs per input bit for
    /// widening and the input buffer's read; within 15 % of yosys synth_ice40 (`bitloom bench
    /// --only engines`).
    fn column_luts(&self, i: &Stream, o: &Stream) -> usize {
        let in_bits = i.dtype.bits() as usize;
        let shifted = in_bits + (1 << self.exp_bits()) - 1;
        shifted * (self.exp_bits() as usize + 1) + o.dtype.bits() as usize + 3 * in_bits
    }

    fn weight_bits(&self) -> usize {
        self.bits as usize
    }
}
