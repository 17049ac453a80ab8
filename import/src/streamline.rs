//! Pass 5: streamlining, as FINN does it — every float scale and offset is folded away, leaving
//! integer layers.
//!
//! The pass walks the chain keeping the current tensor as an affine image of the integer vector
//! `q` the last native layer produced (or the raw input):
//!
//! ```text
//! v[i] = s[i] · q[i] + b[i]
//! ```
//!
//! - **Affine steps** (`Mul`, `Add`, `Sub`, `Div`, `Neg`, batch-norm, input normalisation) only
//!   update `s` and `b`: `s ← a ⊙ s`, `b ← a ⊙ b + c`.
//! - **Linear steps** `v ← W v + c` become a binary dense layer. Since
//!   `W v + c = (W · diag(s)) q + (W b + c)`, the product `W · diag(s)` must be `γ_r · B[r][c]`
//!   with `B` in ±1 (one positive factor per row): the weights must be ±(row scale) and the
//!   incoming scale the same magnitude on every element. The layer gets `B`; afterwards
//!   `s[r] = γ_r` and `b[r] = (W b + c)[r]`. Anything else (multi-bit weights, per-element input
//!   scales) is an error naming the node.
//! - **Quantizer steps** compare `v` with cut points `t`: `v ≥ t ⇔ s q + b ≥ t`, so for `s > 0`
//!   the integer threshold is `T = ⌈(t − b) / s⌉` (`⌊(t − b) / s⌋ + 1` for a strict `v > t`).
//!   When `s < 0` and `q` is a dense layer's accumulator, that layer's row is negated
//!   (`q ← −q`, `s ← −s`) so the native comparison stays `q ≥ T`; when `q` is the raw input or a
//!   threshold layer's output, the comparison is complemented instead
//!   (`v ≥ t ⇔ ¬(q ≥ ⌊(t − b)/s⌋ + 1)`) and the count is reversed in the output levels. With
//!   `s = 0` a cut is always or never reached. Thresholds are clamped to `lo ..= hi + 1` of the
//!   incoming integer range (the verifier's value-range rule). Quotients within 10⁻⁹ (relative)
//!   of an integer are taken as that integer, so exact ties (`v = t`) are reached as `≥` says,
//!   despite rounding in the float arithmetic. The layer's output levels
//!   `out_scale · count + out_bias` become the next `s`, `b`: one cut gives a bipolar layer
//!   (`count = (n + 1)/2`), more give `count + bias`, with `bias` chosen so the native values
//!   are the quantizer's integers when the levels allow it.
//! - A quantizer right after a bipolar layer: the bipolar layer is turned into a 0/1 integer
//!   layer first (the native format does not threshold ±1 values).
//! - **The output**: the graph's output is `s ⊙ q + b` of the last layer. The native model
//!   outputs `q`; that keeps the predicted label (argmax, or the `TopK` index) only when every
//!   element has the same positive `s` and the same `b`, so that is required (after negating
//!   rows of a final dense layer where `s < 0`), and the scale and offset are reported.

use crate::chain::{Chain, Cut, Quantizer, Step, StepKind};
use crate::error::ImportError;
use bitloom_compiler::model::{BinaryDense, BitMatrix, InputSpec, Layer, MultiThreshold, ThresholdOutput, ThresholdTable};

/// Relative tolerance when comparing float magnitudes that must be equal.
pub const REL_TOL: f64 = 1e-6;
/// Relative distance to an integer under which a threshold quotient counts as that integer.
pub const SNAP_TOL: f64 = 1e-9;

/// What the native model's output means in terms of the graph's output.
#[derive(Clone, Debug, PartialEq)]
pub struct OutputMap {
    /// The `TopK` node when the graph outputs the label.
    pub label: Option<String>,
    /// The graph's output is `scale · y + offset` of the native output `y`.
    pub scale: f64,
    /// See `scale`.
    pub offset: f64,
    /// The nodes after the last layer whose scale and offset are dropped (they do not change
    /// the label).
    pub folded: Vec<String>,
}

/// The streamlined network: native layers (named after their ONNX nodes, not yet sanitised).
#[derive(Clone, Debug, PartialEq)]
pub struct Streamlined {
    /// The graph's name.
    pub name: String,
    /// The native input.
    pub input: InputSpec,
    /// The layers.
    pub layers: Vec<Layer>,
    /// For each layer, the ONNX nodes folded into it (in order, the layer's own node last).
    pub sources: Vec<Vec<String>>,
    /// The output.
    pub output: OutputMap,
    /// Notes carried from earlier passes.
    pub notes: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Producer {
    Input,
    Dense(usize),
    Threshold { layer: usize, bipolar: bool },
}

struct State {
    s: Vec<f64>,
    b: Vec<f64>,
    range: (i64, i64),
    producer: Producer,
    pending: Vec<String>,
    layers: Vec<Layer>,
    sources: Vec<Vec<String>>,
}

/// Streamlines the chain (see the module documentation).
pub fn streamline(chain: &Chain) -> Result<Streamlined, ImportError> {
    let n: usize = chain.input_shape.iter().product();
    let dtype = chain.input_dtype;
    let mut st = State {
        s: vec![1.0; n],
        b: vec![0.0; n],
        range: (dtype.min(), dtype.max()),
        producer: Producer::Input,
        pending: Vec::new(),
        layers: Vec::new(),
        sources: Vec::new(),
    };
    for step in &chain.steps {
        match &step.kind {
            StepKind::Affine { scale, bias } => {
                check_len(step, scale.len(), st.s.len())?;
                for i in 0..st.s.len() {
                    st.s[i] *= scale[i];
                    st.b[i] = scale[i] * st.b[i] + bias[i];
                }
                st.pending.push(step.node.clone());
            }
            StepKind::Linear { rows, cols, weight, bias } => dense(&mut st, step, *rows, *cols, weight, bias)?,
            StepKind::Quantize(q) => quantize(&mut st, step, q)?,
        }
    }
    let output = finish(&mut st, chain)?;
    Ok(Streamlined {
        name: chain.name.clone(),
        input: InputSpec { shape: chain.input_shape.clone(), dtype },
        layers: st.layers,
        sources: st.sources,
        output,
        notes: chain.notes.clone(),
    })
}

fn check_len(step: &Step, got: usize, want: usize) -> Result<(), ImportError> {
    if got != want {
        return Err(ImportError::Bug(format!("node {}: step of length {got} on a vector of {want}", step.node)));
    }
    Ok(())
}

fn unsupported(step: &Step, reason: String) -> ImportError {
    ImportError::Unsupported { node: step.node.clone(), op: step.op.clone(), reason }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= REL_TOL * a.abs().max(b.abs())
}

fn dense(st: &mut State, step: &Step, rows: usize, cols: usize, w: &[f64], c: &[f64]) -> Result<(), ImportError> {
    check_len(step, cols, st.s.len())?;
    check_len(step, w.len(), rows * cols)?;
    // 1. The weights themselves: ±γ per row.
    let mut gamma = Vec::with_capacity(rows);
    for r in 0..rows {
        let row = &w[r * cols..(r + 1) * cols];
        let g = row.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        if let Some(cc) = row.iter().position(|v| !v.is_finite() || !close(v.abs(), g) || g == 0.0) {
            let mut mags: Vec<f64> = row.iter().map(|v| v.abs()).collect();
            mags.sort_by(f64::total_cmp);
            mags.dedup_by(|a, b| close(*a, *b));
            let shown: Vec<String> = mags.iter().take(4).map(|m| format!("{m}")).collect();
            return Err(unsupported(
                step,
                format!(
                    "weights are not binary after folding: row {r} has weight {} at column {cc}, and magnitudes {{{}{}}} \
                     where one magnitude (±scale) is needed; multi-bit weight layers are not yet in the native model format",
                    row[cc],
                    shown.join(", "),
                    if mags.len() > 4 { ", …" } else { "" }
                ),
            ));
        }
        gamma.push(g);
    }
    // 2. The incoming scale: one magnitude on every element.
    let sigma = st.s.first().map_or(0.0, |s| s.abs());
    if let Some(i) = st.s.iter().position(|s| !s.is_finite() || *s == 0.0 || !close(s.abs(), sigma)) {
        let from = if st.pending.is_empty() { String::new() } else { format!(" (folded from {})", st.pending.join(", ")) };
        return Err(unsupported(
            step,
            format!(
                "the scale of its input is not the same on every element{from}: element 0 is scaled by {}, element {i} by {}; \
                 folded into the weights they would not be ±1",
                st.s[0], st.s[i]
            ),
        ));
    }
    let mut bits = BitMatrix::zeros(rows, cols);
    let mut s_new = Vec::with_capacity(rows);
    let mut b_new = Vec::with_capacity(rows);
    for r in 0..rows {
        let row = &w[r * cols..(r + 1) * cols];
        let mut acc = c[r];
        for (col, &v) in row.iter().enumerate() {
            bits.set(r, col, (v > 0.0) == (st.s[col] > 0.0));
            acc += v * st.b[col];
        }
        s_new.push(gamma[r] * sigma);
        b_new.push(acc);
    }
    let m = st.range.0.unsigned_abs().max(st.range.1.unsigned_abs());
    let s = m.saturating_mul(cols as u64).min(i64::MAX as u64) as i64;
    st.range = (-s, s);
    st.s = s_new;
    st.b = b_new;
    st.layers.push(Layer::BinaryDense(BinaryDense { name: step.node.clone(), weights: bits }));
    st.pending.push(step.node.clone());
    st.sources.push(std::mem::take(&mut st.pending));
    st.producer = Producer::Dense(st.layers.len() - 1);
    Ok(())
}

/// Takes `x` as the integer it is within [`SNAP_TOL`] of, if any.
pub fn snap(x: f64) -> f64 {
    let r = x.round();
    if (x - r).abs() <= SNAP_TOL * x.abs().max(1.0) {
        r
    } else {
        x
    }
}

/// The integer threshold on `q` (a value in `lo ..= hi`, scale `s > 0`, offset `b`) for the cut
/// `v ≥ at` (`v > at` if strict) on `v = s·q + b`, clamped to `lo ..= hi + 1`.
pub fn int_threshold(cut: Cut, s: f64, b: f64, (lo, hi): (i64, i64)) -> Option<i64> {
    let (lo_f, hi_f) = (lo as f64, hi as f64 + 1.0);
    let t = if cut.at == f64::NEG_INFINITY {
        lo_f
    } else if cut.at == f64::INFINITY {
        hi_f
    } else if s == 0.0 {
        let reached = if cut.strict { b > cut.at } else { b >= cut.at };
        if reached {
            lo_f
        } else {
            hi_f
        }
    } else {
        let x = snap((cut.at - b) / s);
        if x.is_nan() {
            return None;
        }
        let x = x.clamp(lo_f - 2.0, hi_f + 1.0);
        if cut.strict {
            x.floor() + 1.0
        } else {
            x.ceil()
        }
    };
    Some(t.clamp(lo_f, hi_f) as i64)
}

fn quantize(st: &mut State, step: &Step, q: &Quantizer) -> Result<(), ImportError> {
    let n = st.s.len();
    check_len(step, q.out_scale.len(), n)?;
    check_len(step, q.cuts.len(), n * q.steps)?;
    if let Producer::Threshold { layer, bipolar: true } = st.producer {
        // ±1 = 2c − 1 with c ∈ {0, 1}: make the layer output c instead.
        if let Layer::Threshold(t) = &mut st.layers[layer] {
            t.output = ThresholdOutput::Integer { bias: 0 };
        }
        for i in 0..n {
            st.b[i] -= st.s[i];
            st.s[i] *= 2.0;
        }
        st.range = (0, 1);
        st.producer = Producer::Threshold { layer, bipolar: false };
    }
    let k = q.steps;
    let mut values = Vec::with_capacity(n * k);
    let mut out_scale = q.out_scale.clone();
    let mut out_bias = q.out_bias.clone();
    for i in 0..n {
        let mut s = st.s[i];
        if s < 0.0 {
            if let Producer::Dense(l) = st.producer {
                if let Layer::BinaryDense(d) = &mut st.layers[l] {
                    for c in 0..d.weights.cols() {
                        let v = d.weights.get(i, c);
                        d.weights.set(i, c, !v);
                    }
                }
                s = -s;
                st.s[i] = s;
            }
        }
        let cuts = &q.cuts[i * k..(i + 1) * k];
        let start = values.len();
        for &cut in cuts {
            let t = if s < 0.0 {
                // v ≥ t ⇔ q ≤ x ⇔ ¬(q ≥ ⌊x⌋ + 1); v > t ⇔ q < x ⇔ ¬(q ≥ ⌈x⌉).
                let flipped = Cut { at: -cut.at, strict: !cut.strict };
                int_threshold(flipped, -s, -st.b[i], st.range)
            } else {
                int_threshold(cut, s, st.b[i], st.range)
            };
            values.push(t.ok_or_else(|| {
                ImportError::Invalid {
                    node: step.node.clone(),
                    op: step.op.clone(),
                    reason: format!("element {i}: a threshold is NaN after folding the scales before it"),
                }
            })?);
        }
        if s < 0.0 {
            // The native count is of the complemented comparisons: count = k − count'.
            out_bias[i] += k as f64 * out_scale[i];
            out_scale[i] = -out_scale[i];
        }
        values[start..].sort_unstable();
    }
    let rows_equal = (1..n).all(|i| values[i * k..(i + 1) * k] == values[..k]);
    let table = if rows_equal && n > 0 {
        ThresholdTable::new(1, k, values[..k].to_vec())
    } else {
        ThresholdTable::new(n, k, values)
    }
    .ok_or_else(|| ImportError::Bug("threshold table size".into()))?;

    let output;
    if k == 1 {
        output = ThresholdOutput::Bipolar;
        for i in 0..n {
            st.s[i] = out_scale[i] / 2.0;
            st.b[i] = out_bias[i] + out_scale[i] / 2.0;
        }
        st.range = (-1, 1);
    } else {
        let ratio = out_bias.first().zip(out_scale.first()).map(|(b, s)| b / s);
        let bias = match ratio {
            Some(r) if r.fract() == 0.0 && r.abs() < 1e9 && (0..n).all(|i| out_scale[i] != 0.0 && out_bias[i] / out_scale[i] == r) => r as i64,
            _ => 0,
        };
        output = ThresholdOutput::Integer { bias };
        for i in 0..n {
            st.s[i] = out_scale[i];
            st.b[i] = out_bias[i] - bias as f64 * out_scale[i];
        }
        st.range = (bias, bias + k as i64);
    }
    st.layers.push(Layer::Threshold(MultiThreshold { name: step.node.clone(), thresholds: table, output }));
    st.pending.push(step.node.clone());
    st.sources.push(std::mem::take(&mut st.pending));
    st.producer = Producer::Threshold { layer: st.layers.len() - 1, bipolar: k == 1 };
    Ok(())
}

fn finish(st: &mut State, chain: &Chain) -> Result<OutputMap, ImportError> {
    if st.layers.is_empty() {
        return Err(ImportError::Model {
            reason: "the graph has no MatMul/Gemm and no quantizer: there is no layer to import".into(),
        });
    }
    if let Producer::Dense(l) = st.producer {
        if let Layer::BinaryDense(d) = &mut st.layers[l] {
            for r in 0..d.weights.rows() {
                if st.s[r] < 0.0 {
                    for c in 0..d.weights.cols() {
                        let v = d.weights.get(r, c);
                        d.weights.set(r, c, !v);
                    }
                    st.s[r] = -st.s[r];
                }
            }
        }
    }
    let (s0, b0) = (st.s[0], st.b[0]);
    let bad_scale = st.s.iter().position(|&s| !(s > 0.0 && s.is_finite() && close(s, s0)));
    let bad_offset = st.b.iter().position(|&b| !b.is_finite() || (b - b0).abs() > REL_TOL * s0.abs());
    if let Some(i) = bad_scale.or(bad_offset) {
        let last = st.layers.last().map_or("", |l| l.name());
        let from = if st.pending.is_empty() {
            String::new()
        } else {
            format!("; the nodes after it are {}", st.pending.join(", "))
        };
        return Err(ImportError::Output {
            reason: format!(
                "the graph's output is s·y + b of the integers y of the last layer ({last}), with s = {s0}, b = {b0} for element 0 \
                 but s = {}, b = {} for element {i}{from}. The native model outputs y itself, which keeps the predicted label only \
                 when every element has the same positive scale and the same offset",
                st.s[i], st.b[i]
            ),
        });
    }
    Ok(OutputMap { label: chain.label.clone(), scale: s0, offset: b0, folded: std::mem::take(&mut st.pending) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_and_ties() {
        let c = |at| Cut { at, strict: false };
        // v = 0.5·q + 0.25 ≥ 1.25 ⇔ q ≥ 2 (exact tie at q = 2)
        assert_eq!(int_threshold(c(1.25), 0.5, 0.25, (-10, 10)), Some(2));
        // strict: v > 1.25 ⇔ q ≥ 3
        assert_eq!(int_threshold(Cut { at: 1.25, strict: true }, 0.5, 0.25, (-10, 10)), Some(3));
        // 1/3 scale: v = q/3 ≥ 1 ⇔ q ≥ 3 even though 1/(1/3) is 3.0000000000000004
        assert_eq!(int_threshold(c(1.0), 1.0 / 3.0, 0.0, (-10, 10)), Some(3));
        // clamped to lo ..= hi + 1
        assert_eq!(int_threshold(c(-1e30), 1.0, 0.0, (-10, 10)), Some(-10));
        assert_eq!(int_threshold(c(1e30), 1.0, 0.0, (-10, 10)), Some(11));
        assert_eq!(int_threshold(c(f64::NEG_INFINITY), 1.0, 0.0, (0, 255)), Some(0));
        // s = 0: constant v = b
        assert_eq!(int_threshold(c(0.0), 0.0, 0.5, (0, 1)), Some(0));
        assert_eq!(int_threshold(c(0.0), 0.0, -0.5, (0, 1)), Some(2));
        assert_eq!(int_threshold(c(f64::NAN), 1.0, 0.0, (0, 1)), None);
    }
}
