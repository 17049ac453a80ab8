//! Matrix-vector unit with ±1 weights: `y = W·x`, PE rows and SIMD columns per cycle.

use super::{expect, Cost, NodeKind};
use crate::fold::{Folding, MatrixShape};
use crate::ir::Stream;
use crate::model::{dense_output_type, BitMatrix};
use crate::types::DataType;
use serde::Serialize;

/// How an MVU multiplies a ±1 weight with an input element.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MvuMode {
    /// Bipolar inputs: `acc = 2·popcount(XNOR(w, x)) − MW`.
    Xnor,
    /// Integer inputs: `acc = Σ (w ? x : −x)`.
    SignedAdd,
}

impl MvuMode {
    /// The mode for inputs of type `input`.
    pub fn for_input(input: DataType) -> Self {
        if input == DataType::Bipolar {
            MvuMode::Xnor
        } else {
            MvuMode::SignedAdd
        }
    }
}

/// Matrix-vector unit: `y = W·x` for an MH×MW matrix of ±1, PE rows and SIMD columns per cycle.
#[derive(Clone, Debug, PartialEq)]
pub struct Mvu {
    /// Name (from the model layer).
    pub name: String,
    /// The weights, MH rows × MW columns.
    pub weights: BitMatrix,
    /// Input element handling.
    pub mode: MvuMode,
    /// Rows computed in parallel; divides MH.
    pub pe: usize,
    /// Columns consumed per cycle; divides MW.
    pub simd: usize,
}

impl Mvu {
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
}

impl NodeKind for Mvu {
    fn name(&self) -> &str {
        &self.name
    }

    fn kind(&self) -> &'static str {
        "mvu"
    }

    /// Input length MW, output length MH, input fold SIMD, output fold PE; mode `Xnor` exactly
    /// when the input is bipolar; the output type is [`dense_output_type`] of the input.
    fn verify(&self, i: &Stream, o: &Stream) -> Result<(), String> {
        expect("input length (MW)", self.mw(), i.len)?;
        expect("output length (MH)", self.mh(), o.len)?;
        expect("input fold (SIMD)", self.simd, i.fold)?;
        expect("output fold (PE)", self.pe, o.fold)?;
        expect("mode", MvuMode::for_input(i.dtype), self.mode)?;
        expect("output type", dense_output_type(i.dtype, self.mw()), o.dtype)
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

    /// It reads its input only during the first of its NF passes and replays it from its own
    /// buffer for the rest; without room for the next vector the producer would stall.
    fn wants_input_fifo(&self) -> bool {
        true
    }

    fn cost(&self, i: &Stream, o: &Stream) -> Cost {
        let acc = o.dtype.bits() as usize;
        let in_bits = i.dtype.bits() as usize;
        // Per lane, as yosys synth_ice40 maps it (`bitloom bench --only engines`): XNOR, its
        // share of the popcount tree and of the input buffer's read (≈ 6 LUTs), or, for ±x, a
        // conditional negate of the input bits and a term of the sum's width in the adder tree;
        // per PE: the accumulator.
        let lane = match self.mode {
            MvuMode::Xnor => 6,
            MvuMode::SignedAdd => acc + 6 * in_bits + 11,
        };
        let buffer = if self.nf() > 1 { self.mw() * in_bits } else { 0 };
        Cost {
            cycles: self.sf() * self.nf(),
            mem_bits: self.mw() * self.mh() + buffer,
            luts: self.pe * (self.simd * lane + 2 * acc) + 40,
        }
    }
}
