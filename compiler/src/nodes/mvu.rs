//! Matrix-vector unit with ±1 weights: `y = W·x`, PE rows and SIMD columns per cycle.

use super::{expect, MatrixKind};
use crate::fold::Folding;
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
}

impl MatrixKind for Mvu {
    fn name(&self) -> &str {
        &self.name
    }

    fn kind(&self) -> &'static str {
        "mvu"
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

    /// Mode `Xnor` exactly when the input is bipolar; the output type is
    /// [`dense_output_type`] of the input.
    fn verify_kind(&self, i: &Stream, o: &Stream) -> Result<(), String> {
        expect("mode", MvuMode::for_input(i.dtype), self.mode)?;
        expect("output type", dense_output_type(i.dtype, self.mw()), o.dtype)
    }

    /// As yosys synth_ice40 maps a lane (`bitloom bench --only engines`): XNOR, its share of the
    /// popcount tree and of the input buffer's read (≈ 6 LUTs), or, for ±x, a conditional negate
    /// of the input bits and a term of the sum's width in the adder tree.
    fn column_luts(&self, i: &Stream, o: &Stream) -> usize {
        match self.mode {
            MvuMode::Xnor => 6,
            MvuMode::SignedAdd => o.dtype.bits() as usize + 6 * i.dtype.bits() as usize + 11,
        }
    }

    fn weight_bits(&self) -> usize {
        1
    }
}
