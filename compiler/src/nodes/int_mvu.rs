//! Matrix-vector unit with signed k-bit integer weights (QIL, integer `Quant` layers):
//! `y = W·x`, PE rows and SIMD columns per cycle, exact integer accumulation.

use super::{expect, MatrixKind};
use crate::fold::Folding;
use crate::ir::Stream;
use crate::model::IntMatrix;
use crate::types::DataType;

/// Integer MVU: `y = W·x` for an MH×MW matrix of `wbits`-bit two's-complement weights.
#[derive(Clone, Debug, PartialEq)]
pub struct IntMvu {
    /// Name (from the model layer).
    pub name: String,
    /// The weights, MH rows × MW columns, each in `−2^(wbits−1) ..= 2^(wbits−1) − 1`.
    pub weights: IntMatrix,
    /// Bits per weight in the weight memory.
    pub wbits: u32,
    /// Rows computed in parallel; divides MH.
    pub pe: usize,
    /// Columns consumed per cycle; divides MW.
    pub simd: usize,
}

impl IntMvu {
    /// MW.
    pub fn mw(&self) -> usize {
        self.weights.cols()
    }
    /// MH.
    pub fn mh(&self) -> usize {
        self.weights.rows()
    }
    /// The output type on `input`: the smallest type holding `Σ w·x` for every matrix of
    /// `wbits`-bit weights of this shape (like the binary MVU's `dense_output_type`), not just
    /// these weights, so that any model of the same shapes and weight type loads into a build
    /// at run time without changing the widths downstream.
    pub fn output_type(&self, input: DataType) -> DataType {
        let half = 1i64 << (self.wbits - 1);
        let ends = [-half * input.min(), -half * input.max(), (half - 1) * input.min(), (half - 1) * input.max()];
        let (lo, hi) = (ends.iter().min().copied().unwrap_or(0), ends.iter().max().copied().unwrap_or(0));
        let n = self.mw() as i64;
        DataType::smallest_for(lo.saturating_mul(n), hi.saturating_mul(n))
    }
}

impl MatrixKind for IntMvu {
    fn name(&self) -> &str {
        &self.name
    }

    fn kind(&self) -> &'static str {
        "int_mvu"
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

    /// Every weight in `wbits` bits; the output type is [`IntMvu::output_type`] of the input
    /// (which holds [`crate::model::int_dot_range`] of these weights).
    fn verify_kind(&self, i: &Stream, o: &Stream) -> Result<(), String> {
        if !(1..=16).contains(&self.wbits) {
            return Err(format!("weight bits {} outside 1..=16", self.wbits));
        }
        let half = 1i32 << (self.wbits - 1);
        if let Some(w) = self.weights.values().iter().find(|&&w| !(-half..half).contains(&w)) {
            return Err(format!("weight {w} does not fit {} bits", self.wbits));
        }
        expect("output type", self.output_type(i.dtype), o.dtype)
    }

    /// As bit planes: one AND row of WB bits per activation bit and its adder (≈ WB + 2 LUTs
    /// per plane).
    /// As bit planes: per activation bit an AND row of WB bits and its share of the plane's
    /// adder tree and shift (≈ 2.5·WB + 6 LUTs per plane), plus about WB − 2, fitted to yosys
    /// synth_ice40 over WB, IB ∈ {2, 4, 8} (`bitloom bench --only engines`).
    fn column_luts(&self, i: &Stream, _o: &Stream) -> usize {
        let (wb, ib) = (self.wbits as usize, i.dtype.bits() as usize);
        ib * (5 * wb + 12) / 2 + wb.saturating_sub(2)
    }

    fn weight_bits(&self) -> usize {
        self.wbits as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::{compile, FoldChoice};
    use crate::ir::Node;
    use crate::model::{
        InputSpec, IntDense, Layer, Model, MultiThreshold, ThresholdOutput, ThresholdTable, WeightType,
    };
    use crate::nodes::NodeKind;

    /// uint8 → 2-bit quantizer → 4-bit dense 12→6 → 2-bit dense 6→4.
    fn model() -> Model {
        let dense = |name: &str, rows: usize, cols: usize, bits: u32| {
            let half = 1i32 << (bits - 1);
            let values = (0..rows * cols).map(|k| (k as i32 * 7 % (2 * half)) - half).collect();
            Layer::Dense(IntDense {
                name: name.into(),
                weights: IntMatrix::new(rows, cols, values).unwrap(),
                weight_type: WeightType::Int(bits),
            })
        };
        let q = Layer::Threshold(MultiThreshold {
            name: "in_q".into(),
            thresholds: ThresholdTable::new(1, 3, vec![64, 128, 192]).unwrap(),
            output: ThresholdOutput::Integer { bias: 0 },
        });
        let layers = vec![q, dense("fc0", 6, 12, 4), dense("fc1", 4, 6, 2)];
        Model { name: "int".into(), input: InputSpec::new(vec![12], DataType::UInt(8)), layers, epilogue: None }
    }

    #[test]
    fn integer_dense_layers_lower_fold_and_get_fifos() {
        for ii in [1, 6, 100] {
            let c = compile(&model(), &FoldChoice::TargetIi(ii)).unwrap();
            let g = &c.graph;
            let mvus: Vec<(usize, &IntMvu)> = g
                .nodes
                .iter()
                .enumerate()
                .filter_map(|(k, n)| if let Node::IntMvu(m) = n { Some((k, m)) } else { None })
                .collect();
            assert_eq!(
                mvus.iter().map(|(_, m)| (m.name.as_str(), m.wbits)).collect::<Vec<_>>(),
                [("fc0", 4), ("fc1", 2)]
            );
            for (k, m) in mvus {
                assert_eq!((c.folds[&m.name].pe, c.folds[&m.name].simd), (m.pe, m.simd), "II {ii}");
                assert!(matches!(&g.nodes[k - 1], Node::Fifo(f) if f.name == format!("{}_fifo", m.name)));
                let cost = m.cost(g.input_of(crate::ir::NodeId(k as u32)), g.output_of(crate::ir::NodeId(k as u32)));
                assert_eq!(cost.cycles, m.sf() * m.nf());
                assert!(cost.cycles <= ii.max(1), "II {ii}: {} cycles", cost.cycles);
            }
        }
    }

    #[test]
    fn verifier_names_a_weight_too_wide_and_a_wrong_output_type() {
        let g = compile(&model(), &FoldChoice::TargetIi(1)).unwrap().graph;
        let k = g.nodes.iter().position(|n| matches!(n, Node::IntMvu(_))).unwrap();
        let (i, o) = (g.edges[k], g.edges[k + 1]);
        let Node::IntMvu(m) = &g.nodes[k] else { unreachable!() };
        assert_eq!(m.verify(&i, &o), Ok(()));
        assert_eq!(o.dtype, m.output_type(i.dtype));
        let mut narrow = m.clone();
        narrow.wbits = 2;
        assert!(narrow.verify(&i, &o).unwrap_err().contains("does not fit 2 bits"));
        let wrong = Stream { dtype: DataType::Int(30), ..o };
        assert!(m.verify(&i, &wrong).unwrap_err().contains("output type"));
    }
}
