//! Property test: the reference executor equals plain `i64` matrix arithmetic with ±1 weights,
//! computed naively here, on random small models (odd sizes, bipolar and integer activations,
//! shared and per-channel thresholds, with and without an input quantizer, several input types).

use bitloom_compiler::error::ModelError;
use bitloom_compiler::model::{
    BinaryDense, BitMatrix, HorqDense, InputSpec, IntDense, IntMatrix, Layer, Model, MultiThreshold, ThresholdOutput,
    ThresholdTable, WeightType,
};
use bitloom_compiler::reference::{self, Executor};
use bitloom_compiler::types::DataType;
use bitloom_compiler::verify::{value_ranges, verify};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// An activation between layers (or the input quantizer).
#[derive(Clone, Copy, Debug)]
enum Act {
    None,
    Bipolar { shared: bool },
    Integer { steps: usize, bias: i64, shared: bool },
}

fn act() -> impl Strategy<Value = Act> {
    prop_oneof![
        1 => Just(Act::None),
        3 => any::<bool>().prop_map(|shared| Act::Bipolar { shared }),
        1 => any::<bool>().prop_map(|shared| Act::Integer { steps: 2, bias: -1, shared }),
        1 => (1usize..=5, -3i64..=3, any::<bool>()).prop_map(|(steps, bias, shared)| Act::Integer { steps, bias, shared }),
    ]
}

#[derive(Clone, Debug)]
struct Spec {
    input_len: usize,
    input_dtype: DataType,
    quantizer: Act,
    /// (out_features, activation after it).
    dense: Vec<(usize, Act)>,
    seed: u64,
}

fn spec() -> impl Strategy<Value = Spec> {
    let dtype = prop_oneof![
        4 => Just(DataType::UInt(8)),
        1 => (1u32..=12).prop_map(DataType::UInt),
        1 => (2u32..=12).prop_map(DataType::Int),
    ];
    (1usize..=150, dtype, act(), prop::collection::vec((1usize..=150, act()), 1..=4), any::<u64>()).prop_map(
        |(input_len, input_dtype, quantizer, dense, seed)| Spec { input_len, input_dtype, quantizer, dense, seed },
    )
}

/// Thresholds in `lo ..= hi + 1`: mostly near the middle, sometimes at the edges.
fn threshold_row(rng: &mut ChaCha8Rng, steps: usize, (lo, hi): (i64, i64)) -> Vec<i64> {
    let mid = lo + (hi - lo) / 2;
    let spread = ((hi - lo) as f64).sqrt() as i64 + 2;
    let mut row: Vec<i64> = (0..steps)
        .map(|_| match rng.gen_range(0..10) {
            0 => lo,
            1 => hi + 1,
            _ => rng.gen_range((mid - spread).max(lo)..=(mid + spread).min(hi + 1)),
        })
        .collect();
    row.sort();
    row
}

fn push_act(layers: &mut Vec<Layer>, rng: &mut ChaCha8Rng, a: Act, name: String, len: usize, range: (i64, i64)) {
    let (steps, output, shared) = match a {
        Act::None => return,
        Act::Bipolar { shared } => (1, ThresholdOutput::Bipolar, shared),
        Act::Integer { steps, bias, shared } => (steps, ThresholdOutput::Integer { bias }, shared),
    };
    let rows = if shared { 1 } else { len };
    let values = (0..rows).flat_map(|_| threshold_row(rng, steps, range)).collect();
    layers.push(Layer::Threshold(MultiThreshold {
        name,
        thresholds: ThresholdTable::new(rows, steps, values).unwrap(),
        output,
    }));
}

/// Builds the model layer by layer, using the verifier's value ranges to place thresholds.
/// `None` when the model is not valid (a threshold on bipolar values, or values over 32 bits).
fn build(s: &Spec) -> Option<Model> {
    let mut rng = ChaCha8Rng::seed_from_u64(s.seed);
    let mut model = Model {
        name: "prop".into(),
        input: InputSpec::new(vec![s.input_len], s.input_dtype),
        layers: vec![],
        epilogue: None,
    };
    let range = |m: &Model| value_ranges(m).last().copied().unwrap_or((m.input.dtype.min(), m.input.dtype.max()));
    let r = range(&model);
    push_act(&mut model.layers, &mut rng, s.quantizer, "quant".into(), s.input_len, r);
    let mut len = s.input_len;
    for (i, &(out, a)) in s.dense.iter().enumerate() {
        // By the seed, a third of the layers have integer weights (INQ powers of two or b-bit
        // ints) and a sixth are HORQ layers.
        let kind = rng.gen_range(0..6);
        if kind == 5 {
            let mut w = BitMatrix::zeros(out, len);
            for r in 0..out {
                for c in 0..len {
                    w.set(r, c, rng.gen());
                }
            }
            let rows = if rng.gen() { 1 } else { len };
            let prescale = (0..rows).map(|_| (rng.gen_range(-3..=3), rng.gen_range(-200..=200))).collect();
            let order = rng.gen_range(1..=3);
            let (shift, limit) = (rng.gen_range(0..=3), rng.gen_range(50..=2000));
            model.layers.push(Layer::HorqDense(HorqDense { name: format!("fc{i}"), order, prescale, shift, limit, weights: w }));
        } else if kind < 2 {
            let weight_type =
                if rng.gen() { WeightType::Pow2(rng.gen_range(2..=5)) } else { WeightType::Int(rng.gen_range(2..=6)) };
            let values = (0..out * len)
                .map(|_| loop {
                    let w = rng.gen_range(-64..=64);
                    if weight_type.contains(w) {
                        break w as i32;
                    }
                })
                .collect();
            let weights = IntMatrix::new(out, len, values).unwrap();
            model.layers.push(Layer::Dense(IntDense { name: format!("fc{i}"), weights, weight_type }));
        } else {
            let mut w = BitMatrix::zeros(out, len);
            for r in 0..out {
                for c in 0..len {
                    w.set(r, c, rng.gen());
                }
            }
            model.layers.push(Layer::BinaryDense(BinaryDense { name: format!("fc{i}"), weights: w }));
        }
        len = out;
        let r = range(&model);
        push_act(&mut model.layers, &mut rng, a, format!("act{i}"), len, r);
    }
    match verify(&model) {
        Ok(()) => Some(model),
        Err(ModelError::TooWide { .. } | ModelError::ThresholdOnBipolar { .. }) => None,
        Err(e) => panic!("generator built an invalid model: {e}"),
    }
}

/// The semantics, written as plainly as possible.
fn naive(model: &Model, input: &[i64]) -> Vec<Vec<i64>> {
    let mut x = input.to_vec();
    let mut out = vec![];
    for layer in &model.layers {
        x = match layer {
            Layer::BinaryDense(d) => (0..d.out_features())
                .map(|r| (0..d.in_features()).map(|c| if d.weights.get(r, c) { x[c] } else { -x[c] }).sum())
                .collect(),
            Layer::Dense(d) => (0..d.out_features())
                .map(|r| d.weights.row(r).iter().zip(&x).map(|(&w, &v)| i64::from(w) * v).sum())
                .collect(),
            Layer::HorqDense(d) => {
                // The formula of the HorqDense documentation, element by element.
                let mut r: Vec<i64> = x
                    .iter()
                    .enumerate()
                    .map(|(c, &v)| {
                        let (m, a) = d.prescale_of(c);
                        // floor((m·v + a) / 2^shift), saturated.
                        let q = (m * v + a).div_euclid(1 << d.shift);
                        q.clamp(-d.limit, d.limit)
                    })
                    .collect();
                let mut y = vec![0i64; d.out_features()];
                for _ in 0..d.order {
                    let beta = r.iter().map(|v| v.abs()).sum::<i64>() / r.len() as i64;
                    let h: Vec<i64> = r.iter().map(|&v| if v >= 0 { 1 } else { -1 }).collect();
                    for (row, acc) in y.iter_mut().enumerate() {
                        let dot: i64 = h.iter().enumerate().map(|(c, &hc)| if d.weights.get(row, c) { hc } else { -hc }).sum();
                        *acc += beta * dot;
                    }
                    for (v, hc) in r.iter_mut().zip(&h) {
                        *v -= beta * hc;
                    }
                }
                y
            }
            Layer::Conv2d(_) | Layer::MaxPool2d(_) => unreachable!("covered by tests/model_cnn.rs"),
            Layer::Threshold(t) => x
                .iter()
                .enumerate()
                .map(|(ch, &v)| {
                    let count = t.thresholds.row(ch).iter().filter(|&&th| v >= th).count() as i64;
                    match t.output {
                        ThresholdOutput::Bipolar => {
                            if count == 1 {
                                1
                            } else {
                                -1
                            }
                        }
                        ThresholdOutput::Integer { bias } => count + bias,
                    }
                })
                .collect(),
        };
        out.push(x.clone());
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn executor_equals_naive_math(s in spec()) {
        let Some(model) = build(&s) else { return Ok(()); };
        let ex = Executor::new(&model).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(s.seed ^ 0x5eed);
        let dtype = model.input.dtype;
        for _ in 0..3 {
            let input: Vec<i64> = (0..s.input_len).map(|_| rng.gen_range(dtype.min()..=dtype.max())).collect();
            let expected = naive(&model, &input);
            let got = ex.run_layers_values(&input).unwrap();
            prop_assert_eq!(&got, &expected);
            prop_assert_eq!(&ex.run_values(&input).unwrap(), expected.last().unwrap());
            if dtype == DataType::UInt(8) {
                let bytes: Vec<u8> = input.iter().map(|&v| v as u8).collect();
                prop_assert_eq!(&reference::run(&model, &bytes).unwrap(), expected.last().unwrap());
                prop_assert_eq!(&reference::run_layers(&model, &bytes).unwrap(), &expected);
                let batch = reference::run_batch(&model, &[bytes.clone(), bytes]).unwrap();
                prop_assert_eq!(&batch[1], expected.last().unwrap());
            }
        }
    }
}

/// Sizes around word boundaries with bipolar activations, where padding bugs would show.
#[test]
fn word_boundaries() {
    for n in [1, 63, 64, 65, 127, 128, 129, 191, 200] {
        let s = Spec {
            input_len: n,
            input_dtype: DataType::UInt(8),
            quantizer: Act::Bipolar { shared: true },
            dense: vec![(n, Act::Bipolar { shared: false }), (n + 1, Act::None)],
            seed: n as u64,
        };
        let model = build(&s).unwrap();
        let input: Vec<u8> = (0..n).map(|i| (i * 89 % 256) as u8).collect();
        let values: Vec<i64> = input.iter().map(|&v| i64::from(v)).collect();
        assert_eq!(reference::run_layers(&model, &input).unwrap(), naive(&model, &values), "n = {n}");
        // Extreme inputs: all +1 and all −1 after the quantizer.
        for fill in [0u8, 255] {
            let input = vec![fill; n];
            let values = vec![i64::from(fill); n];
            assert_eq!(reference::run_layers(&model, &input).unwrap(), naive(&model, &values), "n = {n}, fill {fill}");
        }
    }
}
