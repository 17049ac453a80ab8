//! Multi-threshold activation, PE channels per beat.
//!
//! The hardware (`hdl/src/blocks/threshold`) finds each count by a pipelined binary search over
//! the sorted row, padded to 2^B − 1 thresholds ([`Threshold::stages`]): stage `s` compares the
//! input with one threshold read from its own memory of 2^s thresholds per row. This module
//! holds the numbers that layout, the cost model and the block RAM estimate share.

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

impl Threshold {
    /// Binary-search stages B = ceil(log2(K + 1)) (at least 1) for K thresholds per row: the
    /// row padded to 2^B − 1 thresholds decides one bit of the count per stage.
    pub fn stages(&self) -> usize {
        ((usize::BITS - self.thresholds.steps().leading_zeros()) as usize).max(1)
    }

    /// Cycles from an input beat to its output beat when never stalled: one per stage and the
    /// output register.
    pub fn latency(&self) -> usize {
        self.stages() + 1
    }
}

/// The signed comparison width TW for inputs of type `input`: it holds `min ..= max + 1` of
/// the type (and −1), so every threshold clamped to `[min, max + 1]` and every input value fit.
pub fn compare_width(input: DataType) -> usize {
    match DataType::smallest_for(input.min().min(-1), input.max() + 1) {
        DataType::Int(b) => b as usize,
        other => unreachable!("signed range gave {other}"),
    }
}

/// Whether a threshold stage memory of `depth` words of `width` bits is built of flip-flops
/// rather than block RAM: when it holds at most 64 bits per 16 bits of width, the rule of
/// yosys's own iCE40 cost model (a 16-bit-wide block costs as much as 64 bits of logic), made
/// explicit (`ram_style`) so that every family builds, and the estimate counts, the same.
pub fn stage_in_logic(width: usize, depth: usize) -> bool {
    width * depth <= 64 * width.div_ceil(16)
}

/// LUT4s per threshold bit of stage `s`'s constant table (a function of its `s` count bits):
/// about 2^s / 6, measured with yosys `synth_ice40` on a shared 255-step row (1951 LUTs for 4
/// lanes of 8-bit inputs, against 1996 estimated).
fn table_luts(s: usize) -> usize {
    if s == 0 {
        0
    } else {
        (1usize << s.min(usize::BITS as usize - 2)).div_ceil(6)
    }
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

    /// One beat per cycle (latency [`Threshold::latency`]). Memory: per-channel rows padded to
    /// 2^B − 1 thresholds of TW bits (a shared row is constants). LUTs per lane: one TW-bit
    /// comparator per stage, and either each stage's constant table (a function of its s
    /// count bits per threshold bit) or the flip-flops and read mux of the stages small enough
    /// to be logic ([`stage_in_logic`]); per lane the output adder; per stage the write port's
    /// address decode; control once. Against yosys `synth_ice40`: 180 LUTs estimated, about 170
    /// used, for 16 channels of 22-bit sums, 15 steps, PE 1.
    fn cost(&self, i: &Stream, o: &Stream) -> Cost {
        let tw = compare_width(i.dtype);
        let b = self.stages();
        let padded = (1usize << b) - 1;
        let shared = self.thresholds.rows() == 1;
        let mem_bits = if shared { 0 } else { self.thresholds.rows() * padded * tw };
        let nf = i.beats();
        let tables: usize = (0..b)
            .map(|s| {
                if shared {
                    return self.pe * tw * table_luts(s);
                }
                // Stage 0 is one memory for every lane, later stages one per lane.
                let (width, depth, copies) = if s == 0 { (self.pe * tw, nf, 1) } else { (tw, nf << s, self.pe) };
                if stage_in_logic(width, depth) {
                    // A flip-flop per bit and a read mux of depth − 1 LUTs per bit.
                    copies * width * (2 * depth - 1)
                } else {
                    0
                }
            })
            .sum();
        // Per-channel stages decode their address range of the write port: two compares each.
        let depth = nf * padded;
        let decode = if shared { 0 } else { b * 2 * (usize::BITS - depth.leading_zeros()) as usize };
        let luts = self.pe * b * tw + tables + decode + self.pe * o.dtype.bits() as usize + 20;
        Cost { cycles: i.beats(), mem_bits, luts }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(rows: usize, steps: usize, pe: usize) -> Threshold {
        let values = (0..rows * steps).map(|v| (v % steps) as i64).collect();
        Threshold {
            name: "t".into(),
            thresholds: ThresholdTable::new(rows, steps, values).unwrap(),
            output: ThresholdOutput::Integer { bias: 0 },
            pe,
        }
    }

    #[test]
    fn stages_pad_the_row_to_a_power_of_two_minus_one() {
        for (k, b) in [(1, 1), (2, 2), (3, 2), (4, 3), (5, 3), (7, 3), (8, 4), (15, 4), (16, 5), (255, 8)] {
            let t = unit(1, k, 1);
            assert_eq!((t.stages(), t.latency()), (b, b + 1), "K = {k}");
            assert!(k < 1 << b && k >= 1 << (b - 1), "K = {k}");
        }
    }

    #[test]
    fn compare_width_holds_max_plus_one() {
        assert_eq!(compare_width(DataType::UInt(8)), 10);
        assert_eq!(compare_width(DataType::Int(22)), 23);
        assert_eq!(compare_width(DataType::Int(6)), 7);
    }

    #[test]
    fn small_stages_are_logic() {
        assert!(stage_in_logic(23, 5) && !stage_in_logic(23, 6));
        assert!(stage_in_logic(16, 4) && !stage_in_logic(16, 5));
        assert!(stage_in_logic(4, 16) && !stage_in_logic(4, 17));
        assert!(stage_in_logic(768, 1));
    }

    #[test]
    fn cost_of_a_qil_unit() {
        // 16 channels of 22-bit sums, 15 steps, PE 1: four stages of 23-bit thresholds.
        let t = unit(16, 15, 1);
        let i = Stream { dtype: DataType::Int(22), len: 16, fold: 1 };
        let o = Stream { dtype: DataType::UInt(4), len: 16, fold: 1 };
        let c = t.cost(&i, &o);
        assert_eq!(c.cycles, 16);
        assert_eq!(c.mem_bits, 16 * 15 * 23);
        // 4 comparators of 23 bits, the write decode (4 × 2 × 8), the adder, control.
        assert_eq!(c.luts, 92 + 64 + 4 + 20);
        // A shared row has no memory but a constant table per stage.
        let shared = unit(1, 15, 1).cost(&i, &o);
        assert_eq!(shared.mem_bits, 0);
        assert_eq!(shared.luts, 92 + 23 * (1 + 1 + 2) + 4 + 20);
    }
}
