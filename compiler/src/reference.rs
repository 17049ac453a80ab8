//! The bit-exact integer reference executor: the truth the hardware is checked against.
//!
//! Semantics (DESIGN.md, "Exact integer semantics"):
//!
//! - Bipolar values are ±1, stored one bit each, bit 1 = +1.
//! - Binary dense: `y[r] = Σ_c W[r][c] · x[c]`, exactly.
//!   - Bipolar input: `y[r] = 2·popcount(XNOR(w_r, x)) − N` over the `N` real columns, computed on
//!     packed `u64` words as `N − 2·popcount(w_r XOR x)`. The two are equal because
//!     `popcount(XNOR) + popcount(XOR) = N` over the real bits; padding bits are zero in both the
//!     weights and the activations, so their XOR is zero and they never count.
//!   - Integer input: `y[r] = 2·Σ_{c : W=+1} x[c] − Σ_c x[c]`, in `i64`.
//! - Integer dense: `y[r] = Σ_c W[r][c] · x[c]` in `i64` (bipolar inputs as ±1).
//! - HORQ dense: the residual binarization of [`HorqDense`], each order's signs packed and
//!   multiplied by XNOR-popcount, scaled by that order's `β`.
//! - Convolution: the dense product of every K×K window (channels-last, no padding); max pooling
//!   the maximum of every window per channel.
//! - Multi-threshold: `count = #{ j : x ≥ T[i mod rows][j] }` for element `i` (row 0 when the
//!   table is shared, the channel for a feature map); the output is `+1` if `count = 1` else `−1` (bipolar), or `count + bias`.
//!
//! The executor returns the integer outputs; a model's epilogue (`s·y + b` on the host,
//! [`crate::model::Model::epilogue_output`]) and its label ([`crate::model::Model::label`]) are
//! computed from them, so the hardware is checked against these integers.
//!
//! Bipolar activations stay packed from the threshold layer that produces them to the dense
//! layer that consumes them. [`Executor`] verifies a model once and then runs any number of
//! inputs; the free functions build one per call.

use crate::error::ModelError;
use crate::model::{
    BitMatrix, Conv2d, ConvWeights, FeatureMap, HorqDense, IntMatrix, Layer, MaxPool2d, Model, MultiThreshold,
    ThresholdOutput,
};
use crate::verify::verify;
use rayon::prelude::*;

/// A vector of ±1 values packed 64 to a word (element `i` is bit `i % 64` of word `i / 64`,
/// 1 = +1); the bits past `len` are zero.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BitVec {
    words: Vec<u64>,
    len: usize,
}

impl BitVec {
    /// `len` elements, all −1.
    pub fn new(len: usize) -> Self {
        Self { words: vec![0; len.div_ceil(64)], len }
    }

    /// Packs values by sign: `v > 0` becomes +1, anything else −1.
    pub fn from_signs(values: &[i64]) -> Self {
        let mut v = Self::new(values.len());
        for (i, &x) in values.iter().enumerate() {
            v.words[i / 64] |= u64::from(x > 0) << (i % 64);
        }
        v
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether element `i` is +1. Panics if `i >= len`.
    pub fn get(&self, i: usize) -> bool {
        assert!(i < self.len, "index {i} out of range for {} elements", self.len);
        self.words[i / 64] >> (i % 64) & 1 == 1
    }

    /// The packed words (padding bits are zero).
    pub fn words(&self) -> &[u64] {
        &self.words
    }

    /// The elements as ±1.
    pub fn to_values(&self) -> Vec<i64> {
        (0..self.len).map(|i| if self.words[i / 64] >> (i % 64) & 1 == 1 { 1 } else { -1 }).collect()
    }
}

/// The values flowing between two layers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Activations {
    /// ±1 values, packed.
    Bipolar(BitVec),
    /// Integers (raw inputs, accumulators, threshold counts).
    Int(Vec<i64>),
}

impl Activations {
    /// Number of elements.
    pub fn len(&self) -> usize {
        match self {
            Activations::Bipolar(b) => b.len(),
            Activations::Int(v) => v.len(),
        }
    }

    /// Whether there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The elements as integers (bipolar as ±1).
    pub fn to_values(&self) -> Vec<i64> {
        match self {
            Activations::Bipolar(b) => b.to_values(),
            Activations::Int(v) => v.clone(),
        }
    }

    /// Consumes `self`, giving the elements as integers.
    pub fn into_values(self) -> Vec<i64> {
        match self {
            Activations::Bipolar(b) => b.to_values(),
            Activations::Int(v) => v,
        }
    }
}

/// A verified model, ready to run inputs. Cheap to build (it borrows the model).
#[derive(Clone, Copy, Debug)]
pub struct Executor<'m> {
    model: &'m Model,
}

impl<'m> Executor<'m> {
    /// Verifies `model` ([`crate::verify::verify`]) and wraps it.
    pub fn new(model: &'m Model) -> Result<Self, ModelError> {
        verify(model)?;
        Ok(Self { model })
    }

    /// The model being run.
    pub fn model(&self) -> &'m Model {
        self.model
    }

    /// Checks an input vector's length and values and makes it the first activation.
    fn input<T: Copy + Into<i64>>(&self, input: &[T]) -> Result<Activations, ModelError> {
        let spec = &self.model.input;
        if input.len() != spec.len() {
            return Err(ModelError::InputLength { expected: spec.len(), got: input.len() });
        }
        let values: Vec<i64> = input.iter().map(|&v| v.into()).collect();
        if let Some((index, &value)) = values.iter().enumerate().find(|(_, &v)| !spec.dtype.contains(v)) {
            return Err(ModelError::InputValue { index, value, dtype: spec.dtype.to_string() });
        }
        Ok(Activations::Int(values))
    }

    /// Runs every layer on `x`, calling `each` with every layer's output; returns the last.
    fn forward(&self, mut x: Activations, mut each: impl FnMut(&Activations)) -> Activations {
        for layer in &self.model.layers {
            x = run_layer(layer, &x);
            each(&x);
        }
        x
    }

    /// The final layer's output for one input vector.
    pub fn run(&self, input: &[u8]) -> Result<Vec<i64>, ModelError> {
        Ok(self.forward(self.input(input)?, |_| {}).into_values())
    }

    /// [`Executor::run`] for inputs that are not bytes (any type the model's input type holds).
    pub fn run_values(&self, input: &[i64]) -> Result<Vec<i64>, ModelError> {
        Ok(self.forward(self.input(input)?, |_| {}).into_values())
    }

    /// The output of every layer, in order, for one input vector.
    pub fn run_layers(&self, input: &[u8]) -> Result<Vec<Vec<i64>>, ModelError> {
        self.layers_of(self.input(input)?)
    }

    /// [`Executor::run_layers`] for inputs that are not bytes.
    pub fn run_layers_values(&self, input: &[i64]) -> Result<Vec<Vec<i64>>, ModelError> {
        self.layers_of(self.input(input)?)
    }

    fn layers_of(&self, x: Activations) -> Result<Vec<Vec<i64>>, ModelError> {
        let mut out = Vec::with_capacity(self.model.layers.len());
        self.forward(x, |a| out.push(a.to_values()));
        Ok(out)
    }

    /// The final outputs for many inputs, in parallel (rayon), in input order. Fails on the
    /// first bad input.
    pub fn run_batch<I: AsRef<[u8]> + Sync>(&self, inputs: &[I]) -> Result<Vec<Vec<i64>>, ModelError> {
        inputs.par_iter().map(|x| self.run(x.as_ref())).collect()
    }
}

/// Runs `model` on one input vector; returns the final layer's output.
pub fn run(model: &Model, input: &[u8]) -> Result<Vec<i64>, ModelError> {
    Executor::new(model)?.run(input)
}

/// [`run`] for inputs that are not bytes.
pub fn run_values(model: &Model, input: &[i64]) -> Result<Vec<i64>, ModelError> {
    Executor::new(model)?.run_values(input)
}

/// The output of every layer for one input vector (for mismatch reports).
pub fn run_layers(model: &Model, input: &[u8]) -> Result<Vec<Vec<i64>>, ModelError> {
    Executor::new(model)?.run_layers(input)
}

/// The final outputs for many input vectors, computed in parallel.
pub fn run_batch<I: AsRef<[u8]> + Sync>(model: &Model, inputs: &[I]) -> Result<Vec<Vec<i64>>, ModelError> {
    Executor::new(model)?.run_batch(inputs)
}

/// Index of the largest value; the first one on ties, 0 for an empty slice.
pub fn argmax(values: &[i64]) -> usize {
    let mut best = 0;
    for (i, &v) in values.iter().enumerate() {
        if v > values[best] {
            best = i;
        }
    }
    best
}

/// One layer on `x`; the verifier guarantees that the lengths and threshold rows fit.
fn run_layer(layer: &Layer, x: &Activations) -> Activations {
    match (layer, x) {
        (Layer::BinaryDense(d), Activations::Bipolar(b)) => Activations::Int(dense_bipolar(&d.weights, b)),
        (Layer::BinaryDense(d), Activations::Int(v)) => Activations::Int(dense_int(&d.weights, v)),
        (Layer::Dense(d), x) => Activations::Int(dense_weights(&d.weights, &x.to_values())),
        (Layer::HorqDense(d), x) => Activations::Int(horq_dense(d, &x.to_values())),
        (Layer::Conv2d(c), x) => Activations::Int(conv2d(c, x)),
        (Layer::MaxPool2d(p), Activations::Int(v)) => Activations::Int(max_pool(p, v)),
        (Layer::MaxPool2d(p), Activations::Bipolar(b)) => Activations::Bipolar(BitVec::from_signs(&max_pool(p, &b.to_values()))),
        (Layer::Threshold(t), Activations::Int(v)) => threshold(t, v),
        // Rejected by the verifier; defined anyway (thresholds applied to the ±1 values).
        (Layer::Threshold(t), Activations::Bipolar(b)) => threshold(t, &b.to_values()),
    }
}

/// `Σ_c W[r][c] · x[c]` for every row `r`, in `i64` (the verifier bounds it to 32 bits).
fn dense_weights(w: &IntMatrix, x: &[i64]) -> Vec<i64> {
    (0..w.rows()).map(|r| w.row(r).iter().zip(x).map(|(&a, &b)| i64::from(a) * b).sum()).collect()
}

/// The input indices of window `(oy, ox)` of a K×K, stride-S window over `map`, in the
/// channels-last order of a weight row: `(ky·K + kx)·C + c`.
fn window(map: FeatureMap, kernel: usize, stride: usize, oy: usize, ox: usize) -> impl Iterator<Item = usize> {
    (0..kernel).flat_map(move |ky| {
        let row = ((oy * stride + ky) * map.width + ox * stride) * map.channels;
        row..row + kernel * map.channels
    })
}

/// A convolution as a dense layer on every window: XNOR-popcount on packed windows for ±1
/// weights and bipolar input, integer dot products otherwise.
fn conv2d(c: &Conv2d, x: &Activations) -> Vec<i64> {
    let out = c.output().expect("verified geometry");
    let values = x.to_values();
    let mut y = Vec::with_capacity(out.len().unwrap_or(0));
    for oy in 0..out.height {
        for ox in 0..out.width {
            let patch: Vec<i64> = window(c.input, c.kernel, c.stride, oy, ox).map(|i| values[i]).collect();
            match (&c.weights, x) {
                (ConvWeights::Binary(w), Activations::Bipolar(_)) => y.extend(dense_bipolar(w, &BitVec::from_signs(&patch))),
                (ConvWeights::Binary(w), Activations::Int(_)) => y.extend(dense_int(w, &patch)),
                (ConvWeights::Int(w, _), _) => y.extend(dense_weights(w, &patch)),
            }
        }
    }
    y
}

/// Max over every K×K window, per channel.
fn max_pool(p: &MaxPool2d, x: &[i64]) -> Vec<i64> {
    let out = p.output().expect("verified geometry");
    let c = p.input.channels;
    let mut y = Vec::with_capacity(out.len().unwrap_or(0));
    for oy in 0..out.height {
        for ox in 0..out.width {
            let mut best = vec![i64::MIN; c];
            for (k, i) in window(p.input, p.kernel, p.stride, oy, ox).enumerate() {
                best[k % c] = best[k % c].max(x[i]);
            }
            y.extend(best);
        }
    }
    y
}

/// [`HorqDense`]'s residual binarization, one XNOR-popcount product per order.
fn horq_dense(d: &HorqDense, x: &[i64]) -> Vec<i64> {
    let n = x.len() as i64;
    let mut residual: Vec<i64> = x.iter().enumerate().map(|(c, &v)| d.residual0(c, v)).collect();
    let mut y = vec![0i64; d.out_features()];
    for _ in 0..d.order {
        let beta = residual.iter().map(|r| r.abs()).sum::<i64>() / n;
        let signs = BitVec::from_signs(&residual.iter().map(|&r| if r >= 0 { 1 } else { -1 }).collect::<Vec<_>>());
        for (acc, dot) in y.iter_mut().zip(dense_bipolar(&d.weights, &signs)) {
            *acc += beta * dot;
        }
        for (r, c) in residual.iter_mut().zip(0..) {
            *r -= if signs.get(c) { beta } else { -beta };
        }
    }
    y
}

/// `N − 2·popcount(w_r XOR x)` for every row `r`.
fn dense_bipolar(w: &BitMatrix, x: &BitVec) -> Vec<i64> {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("popcnt") {
            // SAFETY: the CPU supports `popcnt`, the only feature the function enables.
            return unsafe { dense_bipolar_popcnt(w, x) };
        }
    }
    dense_bipolar_portable(w, x)
}

/// The portable kernel compiled with the `popcnt` instruction enabled.
///
/// # Safety
/// The CPU must support `popcnt`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "popcnt")]
unsafe fn dense_bipolar_popcnt(w: &BitMatrix, x: &BitVec) -> Vec<i64> {
    dense_bipolar_portable(w, x)
}

#[inline(always)]
fn dense_bipolar_portable(w: &BitMatrix, x: &BitVec) -> Vec<i64> {
    let n = w.cols() as i64;
    let xw = x.words();
    (0..w.rows())
        .map(|r| {
            let mismatches: u32 = w.row_words(r).iter().zip(xw).map(|(a, b)| (a ^ b).count_ones()).sum();
            n - 2 * i64::from(mismatches)
        })
        .collect()
}

/// `2·Σ_{W=+1} x − Σ x` for every row.
fn dense_int(w: &BitMatrix, x: &[i64]) -> Vec<i64> {
    let total: i64 = x.iter().sum();
    (0..w.rows())
        .map(|r| {
            let mut plus = 0i64;
            for (word, chunk) in w.row_words(r).iter().zip(x.chunks(64)) {
                for (j, &v) in chunk.iter().enumerate() {
                    // All ones when the weight is +1, zero otherwise.
                    let mask = -((word >> j & 1) as i64);
                    plus += v & mask;
                }
            }
            2 * plus - total
        })
        .collect()
}

fn threshold(t: &MultiThreshold, x: &[i64]) -> Activations {
    let table = &t.thresholds;
    match t.output {
        ThresholdOutput::Bipolar => {
            let mut out = BitVec::new(x.len());
            for (wi, chunk) in x.chunks(64).enumerate() {
                let mut word = 0u64;
                for (j, &v) in chunk.iter().enumerate() {
                    let reached = table.row(wi * 64 + j).first().is_some_and(|&th| v >= th);
                    word |= u64::from(reached) << j;
                }
                out.words[wi] = word;
            }
            Activations::Bipolar(out)
        }
        ThresholdOutput::Integer { bias } => Activations::Int(
            x.iter()
                .enumerate()
                .map(|(i, &v)| {
                    // Rows are sorted, so the thresholds reached are a prefix.
                    let count = table.row(i).partition_point(|&th| th <= v);
                    count as i64 + bias
                })
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{BinaryDense, InputSpec, ThresholdTable};
    use crate::types::DataType;

    fn tiny() -> Model {
        // 3 inputs → quantizer at 128 → dense 2×3 → ternary (−1, 0, +1) → dense 1×2.
        let mut w0 = BitMatrix::zeros(2, 3);
        w0.set(0, 0, true);
        w0.set(0, 1, true);
        w0.set(1, 2, true);
        let mut w1 = BitMatrix::zeros(1, 2);
        w1.set(0, 0, true);
        Model {
            name: "tiny".into(),
            input: InputSpec::new(vec![3], DataType::UInt(8)),
            layers: vec![
                Layer::Threshold(MultiThreshold {
                    name: "q".into(),
                    thresholds: ThresholdTable::new(1, 1, vec![128]).unwrap(),
                    output: ThresholdOutput::Bipolar,
                }),
                Layer::BinaryDense(BinaryDense { name: "fc0".into(), weights: w0 }),
                Layer::Threshold(MultiThreshold {
                    name: "a0".into(),
                    thresholds: ThresholdTable::new(2, 2, vec![-1, 2, 0, 0]).unwrap(),
                    output: ThresholdOutput::Integer { bias: -1 },
                }),
                Layer::BinaryDense(BinaryDense { name: "fc1".into(), weights: w1 }),
            ],
            epilogue: None,
        }
    }

    #[test]
    fn hand_computed() {
        let m = tiny();
        // x = [+1, −1, +1]; row 0 = [+1 +1 −1] → 1 − 1 − 1 = −1; row 1 = [−1 −1 +1] → −1 + 1 + 1 = 1.
        // a0: ch0 −1 ≥ −1 only → 1 − 1 = 0; ch1 1 ≥ 0, 0 → 2 − 1 = 1.  fc1 = [+1 −1]·[0, 1] = −1.
        let layers = run_layers(&m, &[200, 3, 128]).unwrap();
        assert_eq!(layers, vec![vec![1, -1, 1], vec![-1, 1], vec![0, 1], vec![-1]]);
        assert_eq!(run(&m, &[200, 3, 128]).unwrap(), vec![-1]);
        assert_eq!(run_values(&m, &[200, 3, 128]).unwrap(), vec![-1]);
    }

    #[test]
    fn input_errors() {
        let m = tiny();
        assert!(matches!(run(&m, &[1, 2]), Err(ModelError::InputLength { expected: 3, got: 2 })));
        assert!(matches!(run_values(&m, &[1, 256, 0]), Err(ModelError::InputValue { index: 1, value: 256, .. })));
        let mut bad = m.clone();
        bad.layers.clear();
        assert!(matches!(run(&bad, &[1, 2, 3]), Err(ModelError::EmptyModel)));
    }

    #[test]
    fn batch_matches_single() {
        let m = tiny();
        let inputs: Vec<Vec<u8>> = (0..50u8).map(|i| vec![i * 5, 255 - i * 3, i.wrapping_mul(37)]).collect();
        let batch = run_batch(&m, &inputs).unwrap();
        for (x, y) in inputs.iter().zip(&batch) {
            assert_eq!(&run(&m, x).unwrap(), y);
        }
        let slices: Vec<&[u8]> = inputs.iter().map(|v| v.as_slice()).collect();
        assert_eq!(run_batch(&m, &slices).unwrap(), batch);
    }

    #[test]
    fn argmax_first() {
        assert_eq!(argmax(&[1, 5, 5, -3]), 1);
        assert_eq!(argmax(&[-2, -7]), 0);
        assert_eq!(argmax(&[]), 0);
    }

    #[test]
    fn bitvec_padding_stays_zero() {
        let v = BitVec::from_signs(&[1; 70]);
        assert_eq!(v.words(), &[u64::MAX, 0b11_1111]);
        assert_eq!(v.to_values(), vec![1; 70]);
    }
}
