//! Seeded random binarized networks, for tests, benchmarks and the bundled example until
//! trained models exist. Not trained: their predictions are meaningless, but their activations
//! are balanced (thresholds sit near zero), so every layer's hardware is exercised.
//!
//! Layout of `random_bnn(name, &[n0, n1, …, nL], seed, opts)`:
//!
//! - `in_quant`: one shared threshold ([`RandomOptions::input_threshold`]) on the raw input,
//!   bipolar output;
//! - for each hidden size `n_i` (`i = 1 ..= L−1`): `fc{i−1}` (binary dense `n_{i−1} → n_i`) and
//!   `act{i−1}` (per-channel thresholds: bipolar, or ternary −1/0/+1 with two thresholds and
//!   bias −1);
//! - `fc{L−1}` (binary dense `n_{L−1} → n_L`), whose raw accumulator is the output, or followed
//!   by a bipolar `out_act` when [`RandomOptions::final_bipolar`] is set.
//!
//! The values come from ChaCha8 seeded with `seed`, so a model is reproducible across
//! platforms and releases of `rand`'s default generators.

use crate::model::{
    BinaryDense, BitMatrix, InputSpec, IntDense, IntMatrix, Layer, Model, MultiThreshold, ThresholdOutput,
    ThresholdTable, WeightType,
};
use crate::types::DataType;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Knobs of [`random_bnn`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RandomOptions {
    /// Hidden activations are ternary (−1, 0, +1: two thresholds, bias −1) instead of bipolar.
    pub ternary: bool,
    /// The last dense layer is followed by a bipolar threshold layer (`out_act`).
    pub final_bipolar: bool,
    /// The input quantizer's shared threshold: pixels `≥` it become +1.
    pub input_threshold: i64,
    /// The input shape; `None` means `[sizes[0]]`. Its product must be `sizes[0]`.
    pub input_shape: Option<Vec<usize>>,
}

impl Default for RandomOptions {
    /// Bipolar hidden activations, raw accumulator output, input threshold 128, flat input.
    fn default() -> Self {
        Self { ternary: false, final_bipolar: false, input_threshold: 128, input_shape: None }
    }
}

/// A random binarized network over `uint8` inputs (see the module documentation).
///
/// Panics if `sizes` has fewer than two entries, contains a zero, or
/// `opts.input_shape` does not multiply out to `sizes[0]`: these are programming errors of the
/// caller, not user input.
pub fn random_bnn(name: &str, sizes: &[usize], seed: u64, opts: RandomOptions) -> Model {
    assert!(sizes.len() >= 2, "random_bnn needs at least an input and an output size, got {sizes:?}");
    assert!(!sizes.contains(&0), "random_bnn: zero size in {sizes:?}");
    let shape = opts.input_shape.clone().unwrap_or_else(|| vec![sizes[0]]);
    assert_eq!(shape.iter().product::<usize>(), sizes[0], "input shape {shape:?} does not hold {} elements", sizes[0]);

    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut layers = vec![Layer::Threshold(MultiThreshold {
        name: "in_quant".into(),
        thresholds: table(1, vec![opts.input_threshold]),
        output: ThresholdOutput::Bipolar,
    })];
    let last = sizes.len() - 2;
    for (i, pair) in sizes.windows(2).enumerate() {
        let (n_in, n_out) = (pair[0], pair[1]);
        layers.push(Layer::BinaryDense(BinaryDense {
            name: format!("fc{i}"),
            weights: random_matrix(&mut rng, n_out, n_in),
        }));
        // The dense output has the parity of n_in and lies in −n_in ..= n_in; thresholds
        // within ±√n_in keep both signs common.
        let spread = (n_in as f64).sqrt().ceil() as i64;
        if i < last && opts.ternary {
            let values = (0..n_out)
                .flat_map(|_| {
                    let lo = rng.gen_range(-spread..=0);
                    let hi = rng.gen_range(0..=spread);
                    [lo, hi]
                })
                .collect();
            layers.push(Layer::Threshold(MultiThreshold {
                name: format!("act{i}"),
                thresholds: ThresholdTable::new(n_out, 2, values).expect("n_out rows of 2"),
                output: ThresholdOutput::Integer { bias: -1 },
            }));
        } else if i < last || opts.final_bipolar {
            let values = (0..n_out).map(|_| rng.gen_range(-spread..=spread)).collect();
            layers.push(Layer::Threshold(MultiThreshold {
                name: if i < last { format!("act{i}") } else { "out_act".into() },
                thresholds: table(n_out, values),
                output: ThresholdOutput::Bipolar,
            }));
        }
    }
    Model { name: name.into(), input: InputSpec::new(shape, DataType::UInt(8)), layers, epilogue: None }
}

/// A random integer MLP over `uint8` inputs, QIL's shape: `in_quant` (evenly spaced
/// thresholds into `abits`-bit unsigned activations), then for each pair of sizes `fc{i}` (dense
/// with random `wbits`-bit weights) and, except after the last, `act{i}` (per-channel
/// `abits`-bit unsigned activations, sorted random thresholds around zero). The last layer's
/// accumulator is the output.
///
/// Panics like [`random_bnn`] on bad sizes, and unless `2 ≤ wbits ≤ 8` and `1 ≤ abits ≤ 8`.
pub fn random_int_mlp(name: &str, sizes: &[usize], wbits: u32, abits: u32, seed: u64) -> Model {
    assert!(sizes.len() >= 2 && !sizes.contains(&0), "random_int_mlp: bad sizes {sizes:?}");
    assert!(
        (2..=8).contains(&wbits) && (1..=8).contains(&abits),
        "random_int_mlp: {wbits}-bit weights, {abits}-bit activations"
    );
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let steps = (1usize << abits) - 1;
    let levels = |rows: usize, rng: &mut ChaCha8Rng, spread: i64| -> ThresholdTable {
        let values = (0..rows)
            .flat_map(|_| {
                let mut row: Vec<i64> = (0..steps).map(|_| rng.gen_range(-spread..=spread)).collect();
                row.sort();
                row
            })
            .collect();
        ThresholdTable::new(rows, steps, values).expect("rows of steps")
    };
    let even = (1..=steps).map(|k| (k * 256 / (steps + 1)) as i64).collect();
    let mut layers = vec![Layer::Threshold(MultiThreshold {
        name: "in_quant".into(),
        thresholds: ThresholdTable::new(1, steps, even).expect("one row"),
        output: ThresholdOutput::Integer { bias: 0 },
    })];
    let half = 1i32 << (wbits - 1);
    for (i, pair) in sizes.windows(2).enumerate() {
        let (n_in, n_out) = (pair[0], pair[1]);
        let values = (0..n_in * n_out).map(|_| rng.gen_range(-half..half)).collect();
        let weights = IntMatrix::new(n_out, n_in, values).expect("n_out × n_in values");
        layers.push(Layer::Dense(IntDense { name: format!("fc{i}"), weights, weight_type: WeightType::Int(wbits) }));
        if i + 2 < sizes.len() {
            // Sums of n_in terms of mean zero spread like √n_in · |w| · x.
            let spread = ((n_in as f64).sqrt() * f64::from(half) * steps as f64 / 2.0).ceil() as i64;
            layers.push(Layer::Threshold(MultiThreshold {
                name: format!("act{i}"),
                thresholds: levels(n_out, &mut rng, spread),
                output: ThresholdOutput::Integer { bias: 0 },
            }));
        }
    }
    Model { name: name.into(), input: InputSpec::new(vec![sizes[0]], DataType::UInt(8)), layers, epilogue: None }
}

fn table(rows: usize, values: Vec<i64>) -> ThresholdTable {
    ThresholdTable::new(rows, 1, values).expect("one threshold per row")
}

fn random_matrix(rng: &mut ChaCha8Rng, rows: usize, cols: usize) -> BitMatrix {
    let mut m = BitMatrix::zeros(rows, cols);
    for r in 0..rows {
        for c in 0..cols {
            m.set(r, c, rng.gen::<bool>());
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::Executor;
    use crate::verify::verify;

    #[test]
    fn int_mlp_is_valid_and_its_activations_are_mixed() {
        let m = random_int_mlp("q", &[30, 12, 5], 4, 2, 7);
        verify(&m).unwrap();
        let names: Vec<&str> = m.layers.iter().map(|l| l.name()).collect();
        assert_eq!(names, ["in_quant", "fc0", "act0", "fc1"]);
        assert_eq!(m, random_int_mlp("q", &[30, 12, 5], 4, 2, 7));
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let inputs: Vec<Vec<u8>> = (0..20).map(|_| (0..30).map(|_| rng.gen()).collect()).collect();
        let out = crate::reference::run_batch(&m, &inputs).unwrap();
        let distinct: std::collections::BTreeSet<&Vec<i64>> = out.iter().collect();
        assert!(distinct.len() > 10, "outputs should vary with the input");
    }

    #[test]
    fn layout_and_determinism() {
        let m = random_bnn("t", &[784, 64, 64, 64, 10], 1, RandomOptions::default());
        verify(&m).unwrap();
        let names: Vec<&str> = m.layers.iter().map(|l| l.name()).collect();
        assert_eq!(names, ["in_quant", "fc0", "act0", "fc1", "act1", "fc2", "act2", "fc3"]);
        assert_eq!(m, random_bnn("t", &[784, 64, 64, 64, 10], 1, RandomOptions::default()));
        assert_ne!(m, random_bnn("t", &[784, 64, 64, 64, 10], 2, RandomOptions::default()));
    }

    #[test]
    fn options() {
        let opts =
            RandomOptions { ternary: true, final_bipolar: true, input_threshold: 10, input_shape: Some(vec![1, 5, 5]) };
        let m = random_bnn("t", &[25, 30, 7], 3, opts);
        verify(&m).unwrap();
        assert_eq!(m.input.shape, vec![1, 5, 5]);
        let names: Vec<&str> = m.layers.iter().map(|l| l.name()).collect();
        assert_eq!(names, ["in_quant", "fc0", "act0", "fc1", "out_act"]);
        let Layer::Threshold(t) = &m.layers[2] else { panic!() };
        assert_eq!((t.thresholds.steps(), t.output), (2, ThresholdOutput::Integer { bias: -1 }));
    }

    #[test]
    fn activations_are_mixed() {
        let m = random_bnn("t", &[784, 256, 256, 10], 7, RandomOptions::default());
        let ex = Executor::new(&m).unwrap();
        let input: Vec<u8> = (0..784u32).map(|i| (i * 97 % 256) as u8).collect();
        let layers = ex.run_layers(&input).unwrap();
        for idx in [2, 4] {
            let plus = layers[idx].iter().filter(|&&v| v == 1).count();
            assert!((40..=216).contains(&plus), "layer {idx}: {plus} of 256 are +1");
        }
    }
}
