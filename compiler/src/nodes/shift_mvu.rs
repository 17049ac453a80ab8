//! Shift-add matrix-vector unit for INQ's power-of-two weights: `y = W·x` with every weight 0
//! or `±2^e`, PE rows and SIMD columns per cycle. No multiplier: a product is `±(x << e)` or 0.

use super::{expect, Cost, NodeKind};
use crate::fold::{Folding, MatrixShape};
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
    /// Synapse fold: cycles per output beat.
    pub fn sf(&self) -> usize {
        self.mw() / self.simd
    }
    /// Neuron fold: output beats per vector.
    pub fn nf(&self) -> usize {
        self.mh() / self.pe
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

impl NodeKind for ShiftMvu {
    fn name(&self) -> &str {
        &self.name
    }

    fn kind(&self) -> &'static str {
        "shift_mvu"
    }

    /// Input length MW, output length MH, input fold SIMD, output fold PE; every weight in
    /// `Pow2(bits)`; the output type is the model's exact range of `W·x`.
    fn verify(&self, i: &Stream, o: &Stream) -> Result<(), String> {
        expect("input length (MW)", self.mw(), i.len)?;
        expect("output length (MH)", self.mh(), o.len)?;
        expect("input fold (SIMD)", self.simd, i.fold)?;
        expect("output fold (PE)", self.pe, o.fold)?;
        let wt = WeightType::Pow2(self.bits);
        if !wt.is_valid() {
            return Err(format!("weight type {wt} is not an INQ type (2 to 8 bits)"));
        }
        if let Some(w) = self.weights.values().iter().find(|&&w| !wt.contains(i64::from(w))) {
            return Err(format!("weight {w} is not in {wt}"));
        }
        expect("output type", self.output_type(i.dtype), o.dtype)
    }

    fn fold_space(&self) -> Option<MatrixShape> {
        Some(MatrixShape { name: self.name.clone(), mh: self.mh(), mw: self.mw() })
    }

    fn apply_fold(&mut self, folding: Folding) {
        self.pe = folding.pe;
        self.simd = folding.simd;
    }

    fn follow_neighbours(&mut self, _before: Option<usize>, _after: Option<usize>) {}

    fn in_fold(&self) -> Option<usize> {
        Some(self.simd)
    }

    fn out_fold(&self) -> Option<usize> {
        Some(self.pe)
    }

    /// Like the MVU, it replays its input buffer for NF − 1 passes.
    fn wants_input_fifo(&self) -> bool {
        true
    }

    fn cost(&self, i: &Stream, o: &Stream) -> Cost {
        let acc = o.dtype.bits() as usize;
        let in_bits = i.dtype.bits() as usize;
        let code = self.bits as usize;
        // Per lane: a barrel shifter (exp_bits mux levels over in_bits + 2^exp_bits − 1 bits,
        // gated by the nonzero bit), an adder of the accumulator's width, and about 3 LUTs per
        // input bit for widening and the input buffer's read; per PE: the accumulator. Within
        // 15 % of yosys synth_ice40 (`bitloom bench --only engines`).
        let shifted = in_bits + (1 << self.exp_bits()) - 1;
        let lane = shifted * (self.exp_bits() as usize + 1) + acc + 3 * in_bits;
        let buffer = if self.nf() > 1 { self.mw() * in_bits } else { 0 };
        Cost {
            cycles: self.sf() * self.nf(),
            mem_bits: self.mw() * self.mh() * code + buffer,
            luts: self.pe * (self.simd * lane + 2 * acc) + 40,
        }
    }
}
