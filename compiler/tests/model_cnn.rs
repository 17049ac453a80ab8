//! Convolution and max-pooling layers on channels-last feature maps: hand-computed cases,
//! random CNNs against a plain nested-loop implementation, the verifier's geometry errors,
//! the file format, and the compiler's refusal until the hardware has convolution engines.

use bitloom_compiler::compile::{compile, FoldChoice};
use bitloom_compiler::error::ModelError;
use bitloom_compiler::format;
use bitloom_compiler::model::*;
use bitloom_compiler::reference;
use bitloom_compiler::types::DataType;
use bitloom_compiler::verify::{value_ranges, verify};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn map(channels: usize, height: usize, width: usize) -> FeatureMap {
    FeatureMap { channels, height, width }
}

fn bits(rows: usize, cols: usize, signs: &[i8]) -> BitMatrix {
    let mut m = BitMatrix::zeros(rows, cols);
    for (i, &s) in signs.iter().enumerate() {
        m.set(i / cols, i % cols, s > 0);
    }
    m
}

fn quantizer(rows: usize, thresholds: Vec<i64>) -> Layer {
    Layer::Threshold(MultiThreshold {
        name: format!("q{rows}"),
        thresholds: ThresholdTable::new(rows, 1, thresholds).unwrap(),
        output: ThresholdOutput::Bipolar,
    })
}

fn model(shape: Vec<usize>, layers: Vec<Layer>) -> Model {
    Model { name: "cnn".into(), input: InputSpec::new(shape, DataType::UInt(8)), layers, epilogue: None }
}

#[test]
fn conv_and_pool_by_hand() {
    // One channel, 3×3 pixels, raw integers into a 2×2 binary kernel (+1 −1 / −1 +1), stride 1.
    //   1 2 3
    //   4 5 6      windows: (1−2−4+5)=0, (2−3−5+6)=0, (4−5−7+8)=0, (5−6−8+9)=0
    //   7 8 9
    // A second output channel, kernel (+1 +1 / +1 +1): 12, 16, 24, 28.
    let conv = Layer::Conv2d(Conv2d {
        name: "c".into(),
        input: map(1, 3, 3),
        kernel: 2,
        stride: 1,
        weights: ConvWeights::Binary(bits(2, 4, &[1, -1, -1, 1, 1, 1, 1, 1])),
    });
    let m = model(vec![1, 3, 3], vec![conv.clone()]);
    let x = [1u8, 2, 3, 4, 5, 6, 7, 8, 9];
    // Channels-last output: (0,0): [0, 12], (0,1): [0, 16], (1,0): [0, 24], (1,1): [0, 28].
    assert_eq!(reference::run(&m, &x).unwrap(), vec![0, 12, 0, 16, 0, 24, 0, 28]);

    // Max pooling 2×2 over that 2-channel 2×2 map: per channel [0, 28].
    let pool = Layer::MaxPool2d(MaxPool2d { name: "p".into(), input: map(2, 2, 2), kernel: 2, stride: 2 });
    let m = model(vec![1, 3, 3], vec![conv.clone(), pool]);
    assert_eq!(reference::run(&m, &x).unwrap(), vec![0, 28]);

    // Per-channel thresholds on the feature map: channel 0 ≥ 1, channel 1 ≥ 20.
    let m = model(vec![1, 3, 3], vec![conv, quantizer(2, vec![1, 20])]);
    assert_eq!(reference::run(&m, &x).unwrap(), vec![-1, -1, -1, -1, -1, 1, -1, 1]);

    // Two input channels, channels-last: pixel (y, x) holds [a, b]. Kernel 1×1 with integer
    // weights (2, −1) computes 2a − b at every pixel, stride 2 keeps (0,0) and (0,2) of a 1×3 map.
    let conv = Layer::Conv2d(Conv2d {
        name: "c".into(),
        input: map(2, 1, 3),
        kernel: 1,
        stride: 2,
        weights: ConvWeights::Int(IntMatrix::new(1, 2, vec![2, -1]).unwrap(), WeightType::Int(3)),
    });
    let m = model(vec![6], vec![conv]);
    assert_eq!(reference::run(&m, &[10, 1, 20, 2, 30, 3]).unwrap(), vec![19, 57]);
}

#[test]
fn bipolar_pooling_is_or_of_plus_ones() {
    let pool = Layer::MaxPool2d(MaxPool2d { name: "p".into(), input: map(1, 2, 2), kernel: 2, stride: 1 });
    let m = model(vec![4], vec![quantizer(1, vec![128]), pool]);
    assert_eq!(reference::run(&m, &[0, 0, 0, 0]).unwrap(), vec![-1]);
    assert_eq!(reference::run(&m, &[0, 0, 200, 0]).unwrap(), vec![1]);
}

/// Convolution and pooling written as plainly as possible, on (y, x, c) coordinates.
fn naive(model: &Model, input: &[u8]) -> Vec<i64> {
    let mut x: Vec<i64> = input.iter().map(|&v| v.into()).collect();
    for layer in &model.layers {
        x = match layer {
            Layer::Threshold(t) => x
                .iter()
                .enumerate()
                .map(|(i, &v)| if v >= t.thresholds.row(i)[0] { 1 } else { -1 })
                .collect(),
            Layer::Conv2d(c) => {
                let out = c.output().unwrap();
                let (k, cin) = (c.kernel, c.input.channels);
                let mut y = vec![0; out.len().unwrap()];
                for oy in 0..out.height {
                    for ox in 0..out.width {
                        for o in 0..out.channels {
                            let mut acc = 0;
                            for ky in 0..k {
                                for kx in 0..k {
                                    for ch in 0..cin {
                                        let xi = x[((oy * c.stride + ky) * c.input.width + ox * c.stride + kx) * cin + ch];
                                        let col = (ky * k + kx) * cin + ch;
                                        let w = match &c.weights {
                                            ConvWeights::Binary(w) => if w.get(o, col) { 1 } else { -1 },
                                            ConvWeights::Int(w, _) => i64::from(w.row(o)[col]),
                                        };
                                        acc += w * xi;
                                    }
                                }
                            }
                            y[(oy * out.width + ox) * out.channels + o] = acc;
                        }
                    }
                }
                y
            }
            Layer::MaxPool2d(p) => {
                let out = p.output().unwrap();
                let mut y = vec![i64::MIN; out.len().unwrap()];
                for oy in 0..out.height {
                    for ox in 0..out.width {
                        for ch in 0..out.channels {
                            for ky in 0..p.kernel {
                                for kx in 0..p.kernel {
                                    let xi = x[((oy * p.stride + ky) * p.input.width + ox * p.stride + kx) * out.channels + ch];
                                    let o = (oy * out.width + ox) * out.channels + ch;
                                    y[o] = y[o].max(xi);
                                }
                            }
                        }
                    }
                }
                y
            }
            other => panic!("not in the random CNNs: {}", other.name()),
        };
    }
    x
}

/// A random CNN: quantizer, conv, per-channel sign, optional pool, conv (binary or integer).
fn random_cnn(seed: u64) -> Model {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (h, w, c0) = (rng.gen_range(4..=9), rng.gen_range(4..=9), rng.gen_range(1..=3));
    let mut layers = vec![quantizer(1, vec![rng.gen_range(1..=255)])];
    let mut m = map(c0, h, w);
    for i in 0..2 {
        let kernel = rng.gen_range(1..=3.min(m.height).min(m.width));
        let stride = rng.gen_range(1..=2);
        let cout = rng.gen_range(1..=4);
        let cols = kernel * kernel * m.channels;
        let weights = if i == 1 && rng.gen() {
            let t = WeightType::Pow2(4);
            let v = (0..cout * cols).map(|_| [0, 1, -1, 2, -2, 4, -4, 8, -8][rng.gen_range(0..9)]).collect();
            ConvWeights::Int(IntMatrix::new(cout, cols, v).unwrap(), t)
        } else {
            ConvWeights::Binary(bits(cout, cols, &(0..cout * cols).map(|_| if rng.gen() { 1 } else { -1 }).collect::<Vec<_>>()))
        };
        let conv = Conv2d { name: format!("conv{i}"), input: m, kernel, stride, weights };
        m = conv.output().unwrap();
        layers.push(Layer::Conv2d(conv));
        if i == 0 {
            let t: Vec<i64> = (0..m.channels).map(|_| rng.gen_range(-(cols as i64)..=cols as i64)).collect();
            layers.push(Layer::Threshold(MultiThreshold {
                name: "act".into(),
                thresholds: ThresholdTable::new(m.channels, 1, t).unwrap(),
                output: ThresholdOutput::Bipolar,
            }));
            if m.height >= 2 && m.width >= 2 && rng.gen() {
                let pool = MaxPool2d { name: "pool".into(), input: m, kernel: 2, stride: 2 };
                m = pool.output().unwrap();
                layers.push(Layer::MaxPool2d(pool));
            }
        }
    }
    model(vec![c0, h, w], layers)
}

#[test]
fn random_cnns_match_nested_loops() {
    for seed in 0..60 {
        let m = random_cnn(seed);
        verify(&m).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        let mut rng = ChaCha8Rng::seed_from_u64(seed + 1000);
        for _ in 0..5 {
            let x: Vec<u8> = (0..m.input.len()).map(|_| rng.gen()).collect();
            assert_eq!(reference::run(&m, &x).unwrap(), naive(&m, &x), "seed {seed}");
        }
    }
}

#[test]
fn geometry_errors_name_the_layer() {
    let conv = |input, kernel, stride, cols| {
        Layer::Conv2d(Conv2d { name: "c1".into(), input, kernel, stride, weights: ConvWeights::Binary(BitMatrix::zeros(2, cols)) })
    };
    let cases = [
        (conv(map(1, 3, 4), 2, 1, 4), "does not hold the incoming 9"),
        (conv(map(1, 3, 3), 4, 1, 16), "does not fit"),
        (conv(map(1, 3, 3), 2, 0, 4), "at least 1"),
        (conv(map(1, 3, 3), 2, 1, 5), "needs 4"),
    ];
    for (layer, what) in cases {
        let e = verify(&model(vec![9], vec![layer])).unwrap_err();
        assert!(matches!(&e, ModelError::Geometry { layer, .. } if layer == "c1"), "{e}");
        assert!(e.to_string().contains(what), "{e} lacks {what:?}");
    }
    let pool = Layer::MaxPool2d(MaxPool2d { name: "p".into(), input: map(1, 3, 3), kernel: 3, stride: 1 });
    verify(&model(vec![9], vec![pool])).unwrap();
    let pool = Layer::MaxPool2d(MaxPool2d { name: "p".into(), input: map(2, 3, 3), kernel: 2, stride: 1 });
    assert!(matches!(verify(&model(vec![9], vec![pool])), Err(ModelError::Geometry { .. })));
    // Threshold rows must divide the length.
    let e = verify(&model(vec![9], vec![quantizer(2, vec![1, 2])])).unwrap_err();
    assert!(matches!(e, ModelError::ThresholdRows { rows: 2, channels: 9, .. }), "{e}");
}

#[test]
fn value_ranges_through_conv_and_pool() {
    let m = random_cnn(3);
    let ranges = value_ranges(&m);
    // A pool keeps its input's range; a binary conv over N inputs of magnitude ≤ 1 gives ±N.
    for (i, l) in m.layers.iter().enumerate() {
        match l {
            Layer::MaxPool2d(_) => assert_eq!(ranges[i], ranges[i - 1]),
            Layer::Conv2d(c) if matches!(c.weights, ConvWeights::Binary(_)) => {
                let n = c.weights.cols() as i64;
                assert_eq!(ranges[i], (-n, n));
            }
            _ => {}
        }
    }
}

#[test]
fn format_round_trip_and_compile_refusal() {
    let dir = tempfile::tempdir().unwrap();
    for seed in [1, 2, 5, 8] {
        let m = random_cnn(seed);
        format::save(&m, dir.path()).unwrap();
        assert_eq!(format::load(dir.path()).unwrap(), m, "seed {seed}");
        let e = compile(&m, &FoldChoice::TargetIi(1)).unwrap_err();
        assert!(e.to_string().contains("convolution") && e.to_string().contains("conv0"), "{e}");
    }
    // Threshold rows per channel of a map (fewer rows than elements) need the conv engines too.
    let m = model(vec![4], vec![quantizer(2, vec![10, 20])]);
    verify(&m).unwrap();
    let e = compile(&m, &FoldChoice::TargetIi(1)).unwrap_err();
    assert!(e.to_string().contains("per-channel"), "{e}");
    let text = std::fs::read_to_string(dir.path().join(format::MODEL_FILE)).unwrap();
    assert!(text.contains("\"kind\":\"conv2d\""), "{text}");
}
