//! HORQ engine: high-order residual binarization of each input vector, then one XNOR-popcount
//! pass per order through a binary MVU, `y = Σᵢ βᵢ·(W·Hᵢ)` exactly ([`HorqDense`]'s integer
//! semantics).
//!
//! One fused engine per layer, three stages in series (`hdl/src/blocks/horq`):
//! - **load**: the input arrives one element per cycle; a single multiplier computes
//!   `R⁰ = clamp((mult·x + add) >> shift, ±limit)` (the prescale is a run-time writable memory)
//!   into a residual buffer of SF words of SIMD residuals, summing `|R⁰|`;
//! - **binarizer**: per order a restoring divider gives `βᵢ = floor(Σ|Rⁱ⁻¹|/N)` (one quotient
//!   bit per cycle: no second multiplier), then a pass over the buffer sends the signs `Hᵢ`
//!   to the MVU SIMD per cycle and writes back `Rⁱ = Rⁱ⁻¹ − βᵢHᵢ`, summing `|Rⁱ|`;
//! - **MVU + combiner**: the binary MVU (XNOR lanes) runs its NF row groups on each sign
//!   vector, a multiplier per PE adds `βᵢ·pᵢ` into a buffer of MH partial sums, and the last
//!   order's sums leave as the output.
//!
//! The weights are read k times per vector. The load of the next vector overlaps the MVU's
//! replay passes of the last order, so an order-k layer takes
//! `II = (k−1)·max(NF·SF, SF + QB + 3) + max(NF·SF, SF + MW + QB + 6)` cycles
//! (`QB` = bits of `limit`, the divider's steps): `k·NF·SF` once the MVU's passes are longer
//! than the load and the division.

use super::{expect, Cost, NodeKind};
use crate::fold::{Folding, MatrixShape};
use crate::ir::Stream;
use crate::model::{dense_output_type, HorqDense, Layer};
use crate::types::DataType;

/// Bits of a prescale multiplier in hardware (the model verifier's bound on `mult`).
pub const MULT_BITS: usize = 32;
/// Bits of a prescale offset in hardware (the model verifier's bound on `add`).
pub const ADD_BITS: usize = 63;

/// The HORQ engine of one [`HorqDense`] layer, PE rows and SIMD columns of its MVU per cycle.
#[derive(Clone, Debug, PartialEq)]
pub struct Horq {
    /// The layer: name, order, prescale, shift, limit and ±1 weights.
    pub layer: HorqDense,
    /// Rows computed in parallel; divides MH.
    pub pe: usize,
    /// Columns (signs) per cycle; divides MW.
    pub simd: usize,
}

impl Horq {
    /// MW.
    pub fn mw(&self) -> usize {
        self.layer.in_features()
    }
    /// MH.
    pub fn mh(&self) -> usize {
        self.layer.out_features()
    }
    /// Synapse fold: cycles per MVU output beat.
    pub fn sf(&self) -> usize {
        self.mw() / self.simd
    }
    /// Neuron fold: MVU output beats per order.
    pub fn nf(&self) -> usize {
        self.mh() / self.pe
    }
    /// The residual order k.
    pub fn order(&self) -> usize {
        self.layer.order as usize
    }
    /// Bits of `β` and `|R|` (unsigned, at most `limit`).
    pub fn beta_bits(&self) -> usize {
        (64 - (self.layer.limit as u64).leading_zeros()) as usize
    }
    /// Bits of the sum `Σ|R|` (at most `MW·limit`).
    pub fn sum_bits(&self) -> usize {
        (64 - (self.mw() as u64 * self.layer.limit as u64).leading_zeros()) as usize
    }
    /// The output type on `input`: the layer's ([`HorqDense::output_bound`]).
    pub fn output_type(&self, input: DataType) -> DataType {
        Layer::HorqDense(self.layer.clone()).output_type(input)
    }
    /// Cycles per vector when never stalled (measured against the Verilog in
    /// `hdl/src/blocks/horq`, see the module doc).
    pub fn cycles(&self) -> usize {
        let (k, pass, qb) = (self.order(), self.nf() * self.sf(), self.beta_bits());
        (k - 1) * pass.max(self.sf() + qb + 3) + pass.max(self.sf() + self.mw() + qb + 6)
    }
}

impl NodeKind for Horq {
    fn name(&self) -> &str {
        &self.layer.name
    }

    fn kind(&self) -> &'static str {
        "horq"
    }

    /// Input length MW, one element per beat, signed or unsigned (not bipolar); output length
    /// MH, fold PE, of [`Horq::output_type`]; order in `1..=MAX_ORDER`; `2 ≤ limit < 2³¹`;
    /// prescale rows 1 or MW, each `mult` within 32 bits and `add` within 63.
    fn verify(&self, i: &Stream, o: &Stream) -> Result<(), String> {
        expect("input length (MW)", self.mw(), i.len)?;
        expect("output length (MH)", self.mh(), o.len)?;
        expect("input fold", 1, i.fold)?;
        expect("output fold (PE)", self.pe, o.fold)?;
        if i.dtype == DataType::Bipolar {
            return Err("HORQ input is bipolar".into());
        }
        if !(1..=HorqDense::MAX_ORDER).contains(&self.layer.order) {
            return Err(format!("order {} outside 1..={}", self.layer.order, HorqDense::MAX_ORDER));
        }
        if !(2..1 << 31).contains(&self.layer.limit) {
            return Err(format!("limit {} outside 2..2^31", self.layer.limit));
        }
        let rows = self.layer.prescale.len();
        if rows != 1 && rows != self.mw() {
            return Err(format!("{rows} prescale rows for {} channels", self.mw()));
        }
        let (m_max, a_max) = (1i64 << (MULT_BITS - 1), 1i64 << (ADD_BITS - 1));
        if let Some(p) =
            self.layer.prescale.iter().find(|(m, a)| !(-m_max..m_max).contains(m) || !(-a_max..a_max).contains(a))
        {
            return Err(format!("prescale {p:?} does not fit {MULT_BITS} + {ADD_BITS} bits"));
        }
        expect("output type", self.output_type(i.dtype), o.dtype)
    }

    fn fold_space(&self) -> Option<MatrixShape> {
        Some(MatrixShape { name: self.layer.name.clone(), mh: self.mh(), mw: self.mw() })
    }

    fn apply_fold(&mut self, folding: Folding) {
        self.pe = folding.pe;
        self.simd = folding.simd;
    }

    fn follow_neighbours(&mut self, _before: Option<usize>, _after: Option<usize>) {}

    fn in_fold(&self) -> Option<usize> {
        Some(1)
    }

    fn out_fold(&self) -> Option<usize> {
        Some(self.pe)
    }

    /// It takes its input only in its load phase (MW cycles of each II); the FIFO lets the
    /// producer run on while it binarizes.
    fn wants_input_fifo(&self) -> bool {
        true
    }

    fn cost(&self, i: &Stream, o: &Stream) -> Cost {
        let (mw, mh, pe, simd) = (self.mw(), self.mh(), self.pe, self.simd);
        let qb = self.beta_bits();
        let rb = qb + 1;
        let ob = o.dtype.bits() as usize;
        let xb = i.dtype.bits() as usize + usize::from(matches!(i.dtype, DataType::UInt(_)));
        let pb = (MULT_BITS + xb).max(ADD_BITS) + 1;
        let sum = self.sum_bits();
        let mob = dense_output_type(DataType::Bipolar, mw).bits() as usize;
        let rows = self.layer.prescale.len();
        // Calibrated against yosys synth_ice40 on the board build of examples/mlp-horq2, where
        // the prescale is writable (SB_LUT4 per engine: fc0 2849 measured, 2574 estimated; fc1
        // 3981 measured, 3353 estimated): the prescale's array multiplier (≈ 2 LUTs per
        // partial-product bit), its adder and clamp over PSW bits; per SIMD lane of the
        // binarizer a subtract, an absolute value and the sum's adder; the divider; the
        // combiner's (QB + 1)×MOB multiplier and adder per PE; the MVU's XNOR lanes; control,
        // counters and the pipeline's multiplexers (the measured remainder, ≈ 700).
        let dvb = sum.max(clog2(mw + 1) + qb - 1) + 1;
        let prescale = 2 * MULT_BITS * xb + 6 * pb;
        let binarizer = simd * (3 * rb + sum) + 4 * dvb;
        let mvu = pe * (2 * simd + 2 * clog2(mw + 1)) + 40;
        let combiner = pe * (2 * (qb + 1) * mob + 2 * ob);
        let ybuf = if self.nf() > 1 { mh * ob } else { 0 };
        let ibuf = if self.nf() > 1 { mw } else { 0 };
        Cost {
            cycles: self.cycles(),
            mem_bits: mw * mh + ibuf + mw * rb + rows * (MULT_BITS + ADD_BITS) + ybuf,
            luts: prescale + binarizer + mvu + combiner + 700,
        }
    }
}

fn clog2(n: usize) -> usize {
    (usize::BITS - n.saturating_sub(1).leading_zeros()).max(1) as usize
}
