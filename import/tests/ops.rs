//! Every supported op on small hand-made graphs, and the streamlining math: each test builds an
//! ONNX graph, imports it, and checks the native model against the float graph written out by
//! hand (over every input, or a grid with the ties), plus the exact integer thresholds where the
//! math is the point.

mod common;

use bitloom_compiler::model::{Layer, ThresholdOutput};
use bitloom_compiler::reference::argmax;
use bitloom_import::graph::Rounding;
use common::*;

fn threshold(m: &bitloom_import::Imported, i: usize) -> &bitloom_compiler::model::MultiThreshold {
    match &m.model.layers[i] {
        Layer::Threshold(t) => t,
        other => panic!("layer {i} is {other:?}"),
    }
}

fn dense_row(m: &bitloom_import::Imported, i: usize, r: usize) -> Vec<i8> {
    match &m.model.layers[i] {
        Layer::BinaryDense(d) => (0..d.in_features()).map(|c| if d.weights.get(r, c) { 1 } else { -1 }).collect(),
        other => panic!("layer {i} is {other:?}"),
    }
}

fn sign(v: f64) -> f64 {
    if v >= 0.0 {
        1.0
    } else {
        -1.0
    }
}

/// The native output, mapped back to the graph's values: `scale · y + offset`.
fn mapped(m: &bitloom_import::Imported, x: &[i64]) -> Vec<f64> {
    run(m, x).iter().map(|&y| m.output.scale * y as f64 + m.output.offset).collect()
}

/// BN + Sign after a dense layer: the exact threshold, a negative scale (the row is negated so
/// the comparison stays `≥`), and ties (BN output exactly 0 gives +1, as FINN's Sign does).
#[test]
fn batchnorm_sign_exact_thresholds_negative_scale_and_ties() {
    let mut g = G::new(&[1, 3]);
    let w = g.c(&[3, 2], &[1.0, 1.0, 1.0, -1.0, 1.0, 1.0]);
    g.apply("MatMul", &[&w]);
    let (gamma, beta, mean, var) = (g.c(&[2], &[1.0, -1.0]), g.c(&[2], &[0.5, 0.5]), g.c(&[2], &[3.0, 3.0]), g.c(&[2], &[4.0, 4.0]));
    g.op("BatchNormalization", "", &["", &gamma, &beta, &mean, &var], vec![float("epsilon", 0.0)]);
    g.apply("Sign", &[]);
    let m = g.import().unwrap();
    // channel 0: (acc − 3)/2 + 0.5 ≥ 0 ⇔ acc ≥ 2; channel 1: −(acc − 3)/2 + 0.5 ≥ 0 ⇔ −acc ≥ −4
    assert_eq!(threshold(&m, 1).thresholds.values(), &[2, -4]);
    assert_eq!(dense_row(&m, 0, 0), vec![1, 1, 1]);
    assert_eq!(dense_row(&m, 0, 1), vec![-1, 1, -1], "row negated for the negative scale");
    let mut ties = 0;
    for a in 0..7 {
        for b in 0..7 {
            for c in 0..7 {
                let acc = [f64::from(a + b + c), f64::from(a - b + c)];
                ties += usize::from(acc[0] == 2.0) + usize::from(acc[1] == 4.0);
                let want = [sign((acc[0] - 3.0) / 2.0 + 0.5), sign(-(acc[1] - 3.0) / 2.0 + 0.5)];
                assert_eq!(mapped(&m, &[a.into(), b.into(), c.into()]), want, "x = {a},{b},{c}");
            }
        }
    }
    assert!(ties > 10, "the grid hits the ties");
}

/// A negative scale straight on the input (no dense row to negate): the comparison is
/// complemented and the sign is carried into the next dense layer's column.
#[test]
fn negative_scale_on_the_input_is_complemented() {
    let mut g = G::new(&[1, 2]);
    let a = g.c(&[2], &[-1.0, 2.0]);
    g.apply("Mul", &[&a]);
    let b = g.c(&[2], &[10.0, -10.0]);
    g.apply("Add", &[&b]);
    g.apply("Sign", &[]);
    let w = g.c(&[2, 1], &[1.0, 1.0]);
    g.apply("MatMul", &[&w]);
    let m = g.import().unwrap();
    // element 0: −x + 10 ≥ 0 ⇔ ¬(x ≥ 11); element 1: 2x − 10 ≥ 0 ⇔ x ≥ 5
    assert_eq!(threshold(&m, 0).thresholds.values(), &[11, 5]);
    assert_eq!(dense_row(&m, 1, 0), vec![-1, 1]);
    for x0 in 0..=20 {
        for x1 in [0, 4, 5, 6, 200, 255] {
            let want = sign(-f64::from(x0) + 10.0) + sign(2.0 * f64::from(x1) - 10.0);
            assert_eq!(mapped(&m, &[x0.into(), x1.into()]), vec![want], "x = {x0},{x1}");
        }
    }
}

/// MultiThreshold with per-channel thresholds on a 4-D tensor, in NCHW and NHWC layouts, with
/// `out_scale` / `out_bias` / `out_dtype`.
#[test]
fn multithreshold_layouts_and_output_levels() {
    for nhwc in [false, true] {
        let mut g = G::new(&[1, 2, 2, 2]);
        let t = g.c(&[2, 2], &[10.0, 20.0, 100.0, 200.0]);
        let attrs = if nhwc {
            vec![string("out_dtype", "INT4"), float("out_scale", 2.0), float("out_bias", -2.0), string("data_layout", "NHWC")]
        } else {
            vec![string("out_dtype", "UINT2")]
        };
        g.op("MultiThreshold", QONNX, &["", &t], attrs);
        g.op("Flatten", "", &[""], vec![]);
        let w: Vec<f32> = (0..24).map(|i| if (i * 7) % 5 < 2 { -1.0 } else { 1.0 }).collect();
        let w_name = g.c(&[8, 3], &w);
        g.apply("MatMul", &[&w_name]);
        let m = g.import().unwrap();
        let t0 = threshold(&m, 0);
        assert_eq!(t0.thresholds.rows(), 8);
        assert_eq!(t0.output, ThresholdOutput::Integer { bias: if nhwc { -1 } else { 0 } });
        for seed in 0..300u32 {
            let x: Vec<i64> = (0..8).map(|i| i64::from((seed * 37 + i * 101) % 256)).collect();
            let level = |i: usize| {
                let ch = if nhwc { i % 2 } else { i / 4 };
                let thr = if ch == 0 { [10, 20] } else { [100, 200] };
                let count = thr.iter().filter(|&&t| x[i] >= t).count() as f64;
                if nhwc {
                    2.0 * count - 2.0
                } else {
                    count
                }
            };
            let want: Vec<f64> = (0..3).map(|r| (0..8).map(|c| f64::from(w[c * 3 + r]) * level(c)).sum()).collect();
            assert_eq!(mapped(&m, &x), want, "nhwc {nhwc}, x = {x:?}");
        }
    }
}

fn quant_reference(u: f64, lo: i64, hi: i64, mode: Rounding) -> f64 {
    mode.apply(u.clamp(lo as f64, hi as f64))
}

/// Quant on activations: every rounding mode, ties included, signed/narrow/zero point.
#[test]
fn quant_activation_rounding_modes_and_ties() {
    let modes = [("ROUND", Rounding::HalfEven), ("HALF_UP", Rounding::HalfUp), ("HALF_DOWN", Rounding::HalfDown), ("CEIL", Rounding::Ceil), ("FLOOR", Rounding::Floor), ("UP", Rounding::Up), ("DOWN", Rounding::Down)];
    for (name, mode) in modes {
        // unsigned 3-bit, u = x / 4: a tie every 4 steps
        let mut g = G::new(&[1, 1]);
        let c = g.c(&[], &[1.0 / 16.0]);
        g.apply("Mul", &[&c]);
        let (s, z, b) = (g.c(&[], &[0.25]), g.c(&[], &[0.0]), g.c(&[], &[3.0]));
        g.op("Quant", QONNX, &["", &s, &z, &b], vec![int("signed", 0), int("narrow", 0), string("rounding_mode", name)]);
        let m = g.import().unwrap();
        for x in 0..=255i64 {
            let want = 0.25 * quant_reference(x as f64 / 4.0, 0, 7, mode);
            assert_eq!(mapped(&m, &[x]), vec![want], "{name} x = {x}");
        }
        // signed narrow 3-bit with zero point 1: u = ((x − 128)/32)/0.5 + 1
        let mut g = G::new(&[1, 1]);
        let c = g.c(&[], &[128.0]);
        g.apply("Sub", &[&c]);
        let c = g.c(&[], &[1.0 / 32.0]);
        g.apply("Mul", &[&c]);
        let (s, z, b) = (g.c(&[], &[0.5]), g.c(&[], &[1.0]), g.c(&[], &[3.0]));
        g.op("Quant", QONNX, &["", &s, &z, &b], vec![int("signed", 1), int("narrow", 1), string("rounding_mode", name)]);
        let m = g.import().unwrap();
        for x in 0..=255i64 {
            let u = (x as f64 - 128.0) / 16.0 + 1.0;
            let want = 0.5 * (quant_reference(u, -3, 3, mode) - 1.0);
            assert_eq!(mapped(&m, &[x]), vec![want], "{name} signed x = {x}");
        }
    }
}

/// QuantReLU: Relu directly before an unsigned Quant folds into its thresholds; 1-bit signed
/// Quant is bipolar.
#[test]
fn relu_quant_and_one_bit_quant() {
    let mut g = G::new(&[1, 1]);
    let c = g.c(&[], &[100.0]);
    g.apply("Sub", &[&c]);
    g.apply("Relu", &[]);
    let (s, z, b) = (g.c(&[], &[16.0]), g.c(&[], &[0.0]), g.c(&[], &[2.0]));
    g.op("Quant", QONNX, &["", &s, &z, &b], vec![int("signed", 0), int("narrow", 0), string("rounding_mode", "ROUND")]);
    let m = g.import().unwrap();
    for x in 0..=255i64 {
        let want = 16.0 * quant_reference((x as f64 - 100.0).max(0.0) / 16.0, 0, 3, Rounding::HalfEven);
        assert_eq!(mapped(&m, &[x]), vec![want], "x = {x}");
    }

    let mut g = G::new(&[1, 1]);
    let c = g.c(&[], &[-100.0]);
    g.apply("Add", &[&c]);
    let (s, z, b) = (g.c(&[], &[3.0]), g.c(&[], &[0.0]), g.c(&[], &[1.0]));
    g.op("Quant", QONNX, &["", &s, &z, &b], vec![int("signed", 1), int("narrow", 0)]);
    let m = g.import().unwrap();
    assert_eq!(threshold(&m, 0).output, ThresholdOutput::Bipolar);
    for x in 0..=255i64 {
        assert_eq!(mapped(&m, &[x]), vec![3.0 * sign(x as f64 - 100.0)], "x = {x}");
    }
}

/// Shape-only ops, constants from `Constant` nodes, Gemm with alpha/beta/transB/bias, Neg,
/// constants on the left of Add/Sub/Mul, Div, a negative final scale (rows negated), and TopK
/// as the label.
#[test]
fn shape_ops_constants_gemm_arithmetic_and_topk() {
    let mut g = G::new(&[-1, 1, 2, 2]);
    let shape = g.ci(&[2], &[1, 4]);
    g.apply("Reshape", &[&shape]);
    let axes = g.ci(&[1], &[1]);
    g.apply("Unsqueeze", &[&axes]);
    g.apply("Squeeze", &[&axes]);
    g.op("Flatten", "", &[""], vec![int("axis", 1)]);
    g.op("Cast", "", &[""], vec![int("to", 1)]);
    g.apply("Identity", &[]);
    let x = g.current.clone();
    g.op("Constant", "", &[], vec![tensor_attr("value", tensor("k", &[], &[1.0 / 255.0]))]);
    let k = g.current.clone();
    g.op("Mul", "", &[&k, &x], vec![]);
    let half = g.c(&[], &[0.5]);
    g.op("Sub", "", &[&half, ""], vec![]); // 0.5 − x/255
    let s = g.c(&[], &[1.0]);
    g.op("BipolarQuant", QONNX, &["", &s], vec![]);
    let wbits = [1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 1, 1];
    let w = g.c(&[3, 4], &pm(&wbits));
    let bias = g.c(&[3], &[0.5, 0.5, 0.5]);
    g.op("Gemm", "", &["", &w, &bias], vec![float("alpha", 2.0), float("beta", 2.0), int("transB", 1)]);
    g.apply("Neg", &[]);
    let c3 = g.c(&[], &[3.0]);
    let y = g.current.clone();
    g.op("Add", "", &[&c3, &y], vec![]);
    let d = g.c(&[], &[4.0]);
    g.apply("Div", &[&d]);
    let kk = g.ci(&[1], &[1]);
    g.op_n("TopK", "", &["", &kk], vec![int("axis", -1)], 2);
    let topk = g.graph.node.last().unwrap().output[1].clone();
    let m = bitloom_import::import_bytes(&g.bytes_with_output(&topk), &Default::default()).unwrap();
    assert_eq!(m.output.label.as_deref(), Some("TopK_14"));
    assert_eq!(m.model.input.shape, vec![1, 2, 2]);
    assert_eq!(m.model.layers.len(), 2, "{}", m.summary());
    let wv = pm(&wbits);
    let mut seen = std::collections::HashSet::new();
    for seed in 0..256i64 {
        let x: Vec<i64> = (0..4).map(|i| (seed * 53 + i * 97) % 256).collect();
        let a: Vec<f64> = x.iter().map(|&v| sign(0.5 - v as f64 / 255.0)).collect();
        let logits: Vec<f64> = (0..3)
            .map(|r| {
                let z = 2.0 * (0..4).map(|c| f64::from(wv[r * 4 + c]) * a[c]).sum::<f64>() + 2.0 * 0.5;
                (3.0 - z) / 4.0
            })
            .collect();
        let want = logits.iter().enumerate().fold(0, |best, (i, &v)| if v > logits[best] { i } else { best });
        assert_eq!(argmax(&run(&m, &x)), want, "x = {x:?}");
        seen.insert(want);
    }
    assert_eq!(seen.len(), 3, "every label occurs");
}

/// FINN's XNOR-popcount form: a BINARY MultiThreshold, XnorPopcountMatMul with 0/1 weights, and
/// thresholds on the popcount.
#[test]
fn xnor_popcount_matmul() {
    let mut g = G::new(&[1, 4]);
    let t = g.c(&[1, 1], &[128.0]);
    g.op("MultiThreshold", QONNX, &["", &t], vec![string("out_dtype", "BINARY")]);
    let w01 = [1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0];
    let w = g.c(&[4, 3], &w01);
    g.op("XnorPopcountMatMul", "finn.custom_op.general", &["", &w], vec![]);
    let t = g.c(&[3, 1], &[2.0, 3.0, 1.0]);
    g.op("MultiThreshold", QONNX, &["", &t], vec![string("out_dtype", "BIPOLAR"), float("out_scale", 2.0), float("out_bias", -1.0)]);
    let m = g.import().unwrap();
    assert_eq!(threshold(&m, 0).output, ThresholdOutput::Bipolar, "a 0/1 output becomes bipolar");
    for bits in 0..16i64 {
        let x: Vec<i64> = (0..4).map(|i| if bits >> i & 1 == 1 { 200 } else { 3 }).collect();
        let b: Vec<f64> = x.iter().map(|&v| f64::from(u8::from(v >= 128))).collect();
        let want: Vec<f64> = (0..3)
            .map(|r| {
                let pop: f64 = (0..4).map(|c| f64::from(u8::from(b[c] == w01[c * 3 + r] as f64))).sum();
                if pop >= [2.0, 3.0, 1.0][r] {
                    1.0
                } else {
                    -1.0
                }
            })
            .collect();
        assert_eq!(mapped(&m, &x), want, "x = {x:?}");
    }
}

/// A quantizer right after a bipolar one: the bipolar layer becomes a 0/1 layer, since the
/// native format does not threshold ±1 values.
#[test]
fn quantizer_after_bipolar_layer() {
    let mut g = G::new(&[1, 2]);
    let c = g.c(&[], &[-100.0]);
    g.apply("Add", &[&c]);
    g.apply("Sign", &[]);
    let c = g.c(&[], &[3.0]);
    g.apply("Mul", &[&c]);
    let t = g.c(&[1, 2], &[0.0, 2.0]);
    g.op("MultiThreshold", QONNX, &["", &t], vec![string("out_dtype", "UINT2")]);
    let m = g.import().unwrap();
    assert_eq!(threshold(&m, 0).output, ThresholdOutput::Integer { bias: 0 });
    for x in 0..=255i64 {
        let v = 3.0 * sign(x as f64 - 100.0);
        let want = f64::from(u8::from(v >= 0.0) + u8::from(v >= 2.0));
        assert_eq!(mapped(&m, &[x, 255 - x]), vec![want, if 255 - x >= 100 { 2.0 } else { 0.0 }], "x = {x}");
    }
}

/// Logits as the output: the scalar scale and offset after the last layer are reported, and
/// a dense layer straight on the raw input is fine.
#[test]
fn logits_output_scale_and_offset() {
    let mut g = G::new(&[1, 3]);
    let w = g.c(&[3, 2], &[0.5, -0.5, -0.5, -0.5, 0.5, 0.5]);
    g.apply("MatMul", &[&w]);
    let c = g.c(&[1], &[3.0]);
    g.apply("Mul", &[&c]);
    let c = g.c(&[1, 1], &[-7.0]);
    g.apply("Add", &[&c]);
    let m = g.import().unwrap();
    assert_eq!((m.output.scale, m.output.offset), (1.5, -7.0));
    assert_eq!(m.output.folded, vec!["Mul_1", "Add_2"]);
    assert!(m.summary().contains("graph output = 1.5·y + -7"), "{}", m.summary());
    for x in [[0, 0, 0], [255, 0, 3], [1, 2, 3], [255, 255, 255]] {
        let want = vec![1.5 * (x[0] - x[1] + x[2]) as f64 - 7.0, 1.5 * (-x[0] - x[1] + x[2]) as f64 - 7.0];
        assert_eq!(mapped(&m, &x), want);
    }
}

/// The input type: the finn_datatype annotation, or the option.
#[test]
fn input_type_from_annotation_or_option() {
    let build = |annotation: Option<&str>| {
        let mut g = G::new(&[1, 2]);
        if let Some(a) = annotation {
            g.annotate_input(a);
        }
        let w = g.c(&[2, 1], &[1.0, 1.0]);
        g.apply("MatMul", &[&w]);
        g.bytes()
    };
    use bitloom_compiler::types::DataType;
    use bitloom_import::{import_bytes, ImportOptions};
    let m = import_bytes(&build(Some("INT4")), &ImportOptions::default()).unwrap();
    assert_eq!(m.model.input.dtype, DataType::Int(4));
    let m = import_bytes(&build(Some("FLOAT32")), &ImportOptions::default()).unwrap();
    assert_eq!(m.model.input.dtype, DataType::UInt(8));
    assert!(m.notes.iter().any(|n| n.contains("FLOAT32")), "{:?}", m.notes);
    let opts = ImportOptions { input_dtype: Some(DataType::UInt(4)), name: Some("tiny".into()), ..Default::default() };
    let m = import_bytes(&build(None), &opts).unwrap();
    assert_eq!((m.model.input.dtype, m.model.name.as_str()), (DataType::UInt(4), "tiny"));
}

/// Constant chains fold: a 1-bit signed `Quant` on weights (bipolar, as QONNX defines it) and a
/// `Transpose`; a `Reshape` target computed by `Shape → Gather → Unsqueeze → Concat`; a scale
/// computed by `Reciprocal(Sqrt(a + b))`.
#[test]
fn constant_chains_fold() {
    let mut g = G::new(&[1, 2, 3]);
    let x = g.current.clone();
    g.op("Shape", "", &[&x], vec![]);
    let zero = g.ci(&[], &[0]);
    g.apply("Gather", &[&zero]);
    let axes = g.ci(&[1], &[0]);
    g.apply("Unsqueeze", &[&axes]);
    let minus1 = g.ci(&[1], &[-1]);
    g.op("Concat", "", &["", &minus1], vec![int("axis", 0)]);
    let target = g.current.clone();
    g.op("Reshape", "", &[&x, &target], vec![]);
    let flat = g.current.clone();
    let (a, b) = (g.c(&[], &[3.0]), g.c(&[], &[1.0]));
    g.op("Add", "", &[&a, &b], vec![]);
    g.apply("Sqrt", &[]);
    g.apply("Reciprocal", &[]); // 0.5
    let half = g.current.clone();
    g.op("Mul", "", &[&flat, &half], vec![]);
    let act = g.current.clone();
    let wl = [0.3, -2.0, 0.0, 1.5, -0.1, -0.7, 0.2, 0.9, -0.4, 0.6, 0.8, -0.05];
    let (w, s, z, bits) = (g.c(&[2, 6], &wl), g.c(&[2, 1], &[3.0, 3.0]), g.c(&[], &[0.0]), g.c(&[], &[1.0]));
    g.op("Quant", QONNX, &[&w, &s, &z, &bits], vec![int("signed", 1), int("narrow", 0)]);
    g.op("Transpose", "", &[""], vec![ints("perm", &[1, 0])]);
    let wt = g.current.clone();
    g.op("MatMul", "", &[&act, &wt], vec![]);
    let m = g.import().unwrap();
    assert_eq!(m.model.layers.len(), 1, "{}", m.summary());
    assert_eq!(dense_row(&m, 0, 0), vec![1, -1, 1, 1, -1, -1]);
    assert_eq!(dense_row(&m, 0, 1), vec![1, 1, -1, 1, 1, -1]);
    assert_eq!((m.output.scale, m.output.offset), (1.5, 0.0), "weight scale 3 times input scale 0.5");
    let x = [10, 0, 3, 255, 7, 1];
    let acc: Vec<i64> = (0..2).map(|r| (0..6).map(|c| i64::from(dense_row(&m, 0, r)[c]) * x[c]).sum()).collect();
    assert_eq!(run(&m, &x), acc);
}

/// `[c][y][x]` of a `C×H×W` map stored NCHW (ONNX's order).
fn at(x: &[f64], (h, w): (usize, usize), c: usize, y: usize, xx: usize) -> f64 {
    x[(c * h + y) * w + xx]
}

/// A plain NCHW convolution without padding, for the float references.
fn conv_nchw(x: &[f64], (c, h, w): (usize, usize, usize), wt: &[f64], o: usize, k: usize, s: usize) -> (Vec<f64>, usize, usize) {
    let (ho, wo) = ((h - k) / s + 1, (w - k) / s + 1);
    let mut y = vec![0.0; o * ho * wo];
    for oc in 0..o {
        for oy in 0..ho {
            for ox in 0..wo {
                let mut acc = 0.0;
                for ic in 0..c {
                    for ky in 0..k {
                        for kx in 0..k {
                            acc += wt[((oc * c + ic) * k + ky) * k + kx] * at(x, (h, w), ic, oy * s + ky, ox * s + kx);
                        }
                    }
                }
                y[(oc * ho + oy) * wo + ox] = acc;
            }
        }
    }
    (y, ho, wo)
}

/// A plain NCHW max pooling.
fn pool_nchw(x: &[f64], (c, h, w): (usize, usize, usize), k: usize, s: usize) -> (Vec<f64>, usize, usize) {
    let (ho, wo) = ((h - k) / s + 1, (w - k) / s + 1);
    let mut y = vec![f64::NEG_INFINITY; c * ho * wo];
    for ch in 0..c {
        for oy in 0..ho {
            for ox in 0..wo {
                for ky in 0..k {
                    for kx in 0..k {
                        let v = at(x, (h, w), ch, oy * s + ky, ox * s + kx);
                        let o = &mut y[(ch * ho + oy) * wo + ox];
                        *o = o.max(v);
                    }
                }
            }
        }
    }
    (y, ho, wo)
}

/// Deterministic small integers in `lo ..= hi`.
fn ints_in(n: usize, seed: u64, lo: i64, hi: i64) -> Vec<i64> {
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            lo + (state % (hi - lo + 1) as u64) as i64
        })
        .collect()
}

/// A two-channel image through Conv (3-bit Quant weights, per-channel scales, bias) → BN with a
/// negative scale on one channel (the conv row is negated so the pooling still commutes) →
/// MaxPool → Relu + 2-bit Quant (thresholds per channel) → Flatten → MatMul (columns permuted
/// from NCHW to channels-last) → logits; the input is fed HWC. Every constant is dyadic, so the
/// float reference is exact.
#[test]
fn conv_pool_flatten_on_a_two_channel_image() {
    let (c, h, w, o, k) = (2usize, 6usize, 6usize, 3usize, 3usize);
    let mut g = G::new(&[1, c as i64, h as i64, w as i64]);
    let inv = g.c(&[], &[1.0 / 256.0]);
    g.apply("Mul", &[&inv]);
    let scales = [0.5f32, 0.25, 1.0];
    let n = ints_in(o * c * k * k, 1, -3, 3);
    let wf: Vec<f32> = n.iter().enumerate().map(|(i, &v)| v as f32 * scales[i / (c * k * k)]).collect();
    let (wn, ws, wz, wb) = (g.c(&[3, 2, 3, 3], &wf), g.c(&[3, 1, 1, 1], &scales), g.c(&[], &[0.0]), g.c(&[], &[3.0]));
    let wq = g.op("Quant", QONNX, &[&wn, &ws, &wz, &wb], vec![int("signed", 1), int("narrow", 1)]);
    let _ = wq;
    let wq = g.current.clone();
    let x_in = g.graph.node[0].output[0].clone();
    let bias = g.c(&[3], &[0.25, -0.5, 0.125]);
    g.op("Conv", "", &[&x_in, &wq, &bias], vec![ints("kernel_shape", &[3, 3])]);
    let (gamma, beta, mean, var) =
        (g.c(&[3], &[1.0, -2.0, 0.5]), g.c(&[3], &[0.0, 0.5, -0.25]), g.c(&[3], &[0.5, -0.25, 1.0]), g.c(&[3], &[3.0, 0.0, 15.0]));
    g.op("BatchNormalization", "", &["", &gamma, &beta, &mean, &var], vec![float("epsilon", 1.0)]);
    g.op("MaxPool", "", &[""], vec![ints("kernel_shape", &[2, 2]), ints("strides", &[2, 2])]);
    g.apply("Relu", &[]);
    let (s, z, b) = (g.c(&[], &[0.5]), g.c(&[], &[0.0]), g.c(&[], &[2.0]));
    g.op("Quant", QONNX, &["", &s, &z, &b], vec![int("signed", 0), int("narrow", 0)]);
    g.op("Flatten", "", &[""], vec![]);
    let w2: Vec<f32> = ints_in(12 * 4, 2, -2, 2).iter().map(|&v| v as f32 * 0.5).collect();
    let w2n = g.c(&[12, 4], &w2);
    g.apply("MatMul", &[&w2n]);
    let m = g.import().unwrap();
    let s = m.summary();
    assert_eq!(m.model.input.shape, vec![6, 6, 2], "HWC input: {s}");
    assert!(m.notes.iter().any(|n| n.contains("read channels-last")), "{:?}", m.notes);
    assert!(s.contains("conv 3×3/1 2×6×6→3×4×4 int3") && s.contains("maxpool 2×2/2 3×4×4→3×2×2"), "{s}");
    assert!(s.contains("threshold 3×uint2, per channel"), "{s}");
    let Layer::Conv2d(conv) = &m.model.layers[0] else { panic!("{s}") };
    let bitloom_compiler::model::ConvWeights::Int(cw, _) = &conv.weights else { panic!("{s}") };
    // Row 1 (negative BN scale) is negated; OIHW → (ky, kx, c): W[o][c][ky][kx] at (ky·3 + kx)·2 + c.
    for oc in 0..o {
        for ic in 0..c {
            for ky in 0..k {
                for kx in 0..k {
                    let want = n[((oc * c + ic) * k + ky) * k + kx] * if oc == 1 { -1 } else { 1 };
                    assert_eq!(i64::from(cw.row(oc)[(ky * k + kx) * c + ic]), want);
                }
            }
        }
    }
    let wq: Vec<f64> = wf.iter().map(|&v| f64::from(v)).collect();
    for seed in 0..200u64 {
        let x: Vec<i64> = ints_in(c * h * w, 100 + seed, 0, 255);
        let xf: Vec<f64> = x.iter().map(|&v| v as f64 / 256.0).collect();
        let (acc, ho, wo) = conv_nchw(&xf, (c, h, w), &wq, o, k, 1);
        let bn: Vec<f64> = acc
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                let ch = i / (ho * wo);
                let (gm, bt, mn, den) = ([1.0, -2.0, 0.5][ch], [0.0, 0.5, -0.25][ch], [0.5, -0.25, 1.0][ch], [2.0, 1.0, 4.0][ch]);
                (v + [0.25, -0.5, 0.125][ch] - mn) / den * gm + bt
            })
            .collect();
        let (pooled, _, _) = pool_nchw(&bn, (o, ho, wo), 2, 2);
        let act: Vec<f64> = pooled.iter().map(|&v| 0.5 * quant_reference(v.max(0.0) / 0.5, 0, 3, Rounding::HalfEven)).collect();
        let want: Vec<f64> = (0..4).map(|r| (0..12).map(|i| f64::from(w2[i * 4 + r]) * act[i]).sum()).collect();
        // The native input is HWC: pixel (y, x) channel c at (y·W + x)·C + c.
        let hwc: Vec<i64> = (0..c * h * w).map(|p| x[(p % c) * h * w + p / c]).collect();
        assert_eq!(mapped(&m, &hwc), want, "seed {seed}");
    }
}

/// Conv → MaxPool → BN with a negative scale → Sign: the pooling reads the accumulators (their
/// scale is positive), and the threshold after it is complemented (no row can be negated through
/// a max); the complemented count goes into the next layer's columns.
#[test]
fn pool_before_a_decreasing_threshold_is_complemented() {
    let mut g = G::new(&[1, 1, 5, 5]);
    let kf = pm(&[1, 0, 0, 1]);
    let kn = g.c(&[1, 1, 2, 2], &kf);
    g.op("Conv", "", &["", &kn], vec![]);
    g.op("MaxPool", "", &[""], vec![ints("kernel_shape", &[2, 2]), ints("strides", &[2, 2])]);
    let (gamma, beta, mean, var) = (g.c(&[1], &[-1.0]), g.c(&[1], &[0.0]), g.c(&[1], &[10.0]), g.c(&[1], &[1.0]));
    g.op("BatchNormalization", "", &["", &gamma, &beta, &mean, &var], vec![float("epsilon", 0.0)]);
    g.apply("Sign", &[]);
    g.op("Flatten", "", &[""], vec![]);
    let w = g.c(&[4, 2], &pm(&[1, 1, 0, 1, 1, 0, 0, 0]));
    g.apply("MatMul", &[&w]);
    let m = g.import().unwrap();
    let kinds: Vec<&str> = m.model.layers.iter().map(|l| l.kind()).collect();
    assert_eq!(kinds, ["conv2d", "max_pool2d", "threshold", "binary_dense"]);
    let wv = pm(&[1, 1, 0, 1, 1, 0, 0, 0]);
    let mut ties = 0;
    for seed in 0..300u64 {
        let x = ints_in(25, seed, 0, 12);
        let xf: Vec<f64> = x.iter().map(|&v| v as f64).collect();
        let kd: Vec<f64> = kf.iter().map(|&v| f64::from(v)).collect();
        let (acc, ho, wo) = conv_nchw(&xf, (1, 5, 5), &kd, 1, 2, 1);
        let (pooled, _, _) = pool_nchw(&acc, (1, ho, wo), 2, 2);
        ties += pooled.iter().filter(|&&v| v == 10.0).count();
        let a: Vec<f64> = pooled.iter().map(|&v| sign(-(v - 10.0))).collect();
        let want: Vec<f64> = (0..2).map(|r| (0..4).map(|i| f64::from(wv[i * 2 + r]) * a[i]).sum()).collect();
        assert_eq!(mapped(&m, &x), want, "x = {x:?}");
    }
    assert!(ties > 5, "the grid hits the ties ({ties})");
}

/// The weight type rule: the narrowest two's complement type, or powers of two when every value
/// is 0 or ±2^e and that is strictly narrower.
#[test]
fn weight_types_int_or_pow2() {
    use bitloom_compiler::model::WeightType::{Int, Pow2};
    use bitloom_import::streamline::fit_weight_type;
    let t = |v: &[i64]| fit_weight_type(v.iter().copied());
    assert_eq!(t(&[0, 1, -1]), Some(Int(2)), "ternary: int2 and pow2_2 tie, int wins");
    assert_eq!(t(&[0, -1, 2]), Some(Int(3)), "int3 and pow2_3 (±1, ±2) tie");
    assert_eq!(t(&[1, -2]), Some(Int(2)));
    assert_eq!(t(&[0, 1, -2, 4]), Some(Int(4)), "int4 and pow2_4 tie");
    assert_eq!(t(&[0, 16, -16]), Some(Pow2(5)), "int6 vs pow2_5");
    assert_eq!(t(&[3, -5]), Some(Int(4)));
    assert_eq!(t(&[-8, 7]), Some(Int(4)));
    assert_eq!(t(&[8]), Some(Pow2(4)), "int5 vs pow2_4");
    assert_eq!(t(&[1, 2, 4, 8, 16, 32, 64, -128]), Some(Pow2(5)), "INQ 5-bit: int9 vs pow2_5");
    assert_eq!(t(&[-32768, 32767]), Some(Int(16)));
    assert_eq!(t(&[32768]), Some(Pow2(6)));
    assert_eq!(t(&[32769]), None);

    use bitloom_import::streamline::row_scale;
    assert_eq!(row_scale(&[0.5, -1.5, 1.0]), Some(0.5));
    assert_eq!(row_scale(&[0.25, 1.0, -0.5]), Some(0.25));
    assert_eq!(row_scale(&[6.0, -9.0]), Some(3.0), "the common factor is divided out");
    assert_eq!(row_scale(&[0.0, 0.0]), Some(0.0));
    assert_eq!(row_scale(&[0.7, -0.7, 0.0]), Some(0.7));
    assert_eq!(row_scale(&[1.0, std::f64::consts::PI, std::f64::consts::E]), None);
    assert_eq!(row_scale(&[1.0, f64::NAN]), None);
}

/// Integer weights end to end: 4-bit weights on the raw input, BN with a negative scale negating a
/// row holding −8 (which then needs int5), ternary-looking weights kept as int2, and a final layer
/// with a per-tensor scale whose row factors differ (rescaled to one scale for the output).
#[test]
fn integer_dense_layers() {
    let mut g = G::new(&[1, 3]);
    // W0 (in 3, out 2): row 0 = (−8, 7, 1)·0.25, row 1 = (2, −3, 5)·0.25, a 4-bit Quant
    let w0 = [-8.0, 2.0, 7.0, -3.0, 1.0, 5.0].map(|v: f32| v * 0.25);
    let (wn, ws, wz, wb) = (g.c(&[3, 2], &w0), g.c(&[], &[0.25]), g.c(&[], &[0.0]), g.c(&[], &[4.0]));
    g.op("Quant", QONNX, &[&wn, &ws, &wz, &wb], vec![int("signed", 1), int("narrow", 0)]);
    let wq = g.current.clone();
    g.op("MatMul", "", &["x", &wq], vec![]);
    let (gamma, beta, mean, var) = (g.c(&[2], &[-1.0, 1.0]), g.c(&[2], &[0.0, 0.0]), g.c(&[2], &[3.0, -5.0]), g.c(&[2], &[1.0, 1.0]));
    g.op("BatchNormalization", "", &["", &gamma, &beta, &mean, &var], vec![float("epsilon", 0.0)]);
    g.apply("Sign", &[]);
    // W1 (in 2, out 3): rows (2, 4)·0.5, (1, −3)·0.5, (0, 1)·0.5: per-row factors 1, 0.5, 0.5
    let w1 = g.c(&[2, 3], &[1.0, 0.5, 0.0, 2.0, -1.5, 0.5]);
    g.apply("MatMul", &[&w1]);
    let m = g.import().unwrap();
    let s = m.summary();
    let Layer::Dense(d0) = &m.model.layers[0] else { panic!("{s}") };
    assert_eq!(d0.weight_type, bitloom_compiler::model::WeightType::Int(5), "−(−8) = 8 needs int5: {s}");
    assert_eq!(d0.weights.row(0), &[8, -7, -1], "row negated for the negative BN scale");
    assert_eq!(d0.weights.row(1), &[2, -3, 5]);
    let Layer::Dense(d1) = &m.model.layers[2] else { panic!("{s}") };
    assert_eq!(d1.weight_type, bitloom_compiler::model::WeightType::Int(4), "{s}");
    assert_eq!(d1.weights.values(), &[2, 4, 1, -3, 0, 1], "rows on one scale 0.5");
    assert_eq!(m.output.scale, 0.5);
    assert!(m.notes.iter().any(|n| n.contains("rows rescaled to one scale")), "{:?}", m.notes);
    for seed in 0..300u64 {
        let x = ints_in(3, seed, 0, 255);
        let acc: Vec<f64> = (0..2).map(|r| (0..3).map(|c| f64::from(w0[c * 2 + r]) * x[c] as f64).sum()).collect();
        let a = [sign(-(acc[0] - 3.0)), sign(acc[1] + 5.0)];
        let w1v = [1.0, 0.5, 0.0, 2.0, -1.5, 0.5];
        let want: Vec<f64> = (0..3).map(|r| w1v[r] * a[0] + w1v[3 + r] * a[1]).collect();
        assert_eq!(mapped(&m, &x), want, "x = {x:?}");
    }
}

/// A quantizer after pooled bipolar values: the bipolar layer becomes a 0/1 layer through the
/// pooling (max commutes with `2c − 1`), and the next thresholds are per channel.
#[test]
fn quantizer_after_pooled_bipolar_map() {
    let mut g = G::new(&[1, 2, 4, 4]);
    let c = g.c(&[1, 2, 1, 1], &[-100.0, -50.0]);
    g.apply("Add", &[&c]);
    g.apply("Sign", &[]);
    g.op("MaxPool", "", &[""], vec![ints("kernel_shape", &[2, 2]), ints("strides", &[2, 2])]);
    let m3 = g.c(&[1, 2, 1, 1], &[3.0, 1.0]);
    g.apply("Mul", &[&m3]);
    let t = g.c(&[2, 2], &[0.0, 2.0, -2.0, 0.5]);
    g.op("MultiThreshold", QONNX, &["", &t], vec![string("out_dtype", "UINT2")]);
    g.op("Flatten", "", &[""], vec![]);
    let w: Vec<f32> = (0..8).map(|i| if i % 3 == 0 { -1.0 } else { 1.0 }).collect();
    let wn = g.c(&[8, 1], &w);
    g.apply("MatMul", &[&wn]);
    let m = g.import().unwrap();
    let s = m.summary();
    assert_eq!(threshold(&m, 0).output, ThresholdOutput::Integer { bias: 0 }, "{s}");
    assert!(s.contains("threshold 2×uint2, per channel"), "{s}");
    for seed in 0..300u64 {
        let x = ints_in(32, seed, 0, 150);
        let a: Vec<f64> = (0..32).map(|i| sign(x[i] as f64 + [-100.0, -50.0][i / 16])).collect();
        let (pooled, _, _) = pool_nchw(&a, (2, 4, 4), 2, 2);
        let q: Vec<f64> = pooled
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                let ch = i / 4;
                let v = v * [3.0, 1.0][ch];
                let thr = [[0.0, 2.0], [-2.0, 0.5]][ch];
                thr.iter().filter(|&&t| v >= t).count() as f64
            })
            .collect();
        let want = vec![(0..8).map(|i| f64::from(w[i]) * q[i]).sum::<f64>()];
        let hwc: Vec<i64> = (0..32).map(|p| x[(p % 2) * 16 + p / 2]).collect();
        assert_eq!(mapped(&m, &hwc), want, "x = {x:?}");
    }
}

/// TensorNorm as Brevitas 0.13 exports it: `Div(x − mean, Pow(var + eps, 0.5))` folds like
/// `Reciprocal(Sqrt(…))`: on INT4 inputs `x / Pow(4, 0.5) − 0.75 ≥ 0 ⇔ x ≥ 2`.
#[test]
fn pow_with_a_constant_exponent_folds() {
    let mut g = G::new(&[1, 3]);
    g.annotate_input("INT4");
    let x = g.current.clone();
    let (var, eps) = (g.c(&[], &[3.5]), g.c(&[], &[0.5]));
    g.op("Add", "", &[&var, &eps], vec![]);
    let half = g.c(&[], &[0.5]);
    g.apply("Pow", &[&half]);
    let root = g.current.clone();
    g.op("Div", "", &[&x, &root], vec![]);
    let c = g.c(&[], &[0.75]);
    g.apply("Sub", &[&c]);
    g.apply("Sign", &[]);
    let w = g.c(&[3, 1], &[1.0, -1.0, 1.0]);
    g.apply("MatMul", &[&w]);
    let m = g.import().unwrap();
    assert_eq!(threshold(&m, 0).thresholds.values(), &[2], "{}", m.summary());
    for a in -8..8 {
        // the ±1 weights sum to 1 on three equal activations
        let want = sign(a as f64 / 2.0 - 0.75);
        assert_eq!(mapped(&m, &[a, a, a]), vec![want], "x = {a}");
    }
}

/// A per-output scale and bias after the last layer (a float bias, per-channel weight scales)
/// is kept as the epilogue: the model's output through it equals the graph's exactly, and the
/// label is its argmax, which differs from the argmax of the integers for some inputs.
#[test]
fn per_output_scale_and_bias_become_the_epilogue() {
    let build = || {
        let mut g = G::new(&[1, 2]);
        g.annotate_input("INT4");
        let w = g.c(&[2, 2], &pm(&[1, 1, 0, 1]));
        g.apply("MatMul", &[&w]);
        let s = g.c(&[2], &[0.5, 3.0]);
        g.apply("Mul", &[&s]);
        let b = g.c(&[2], &[2.0, -0.25]);
        g.apply("Add", &[&b]);
        g
    };
    // with a TopK, the label it picks is the epilogue's argmax
    let mut g = build();
    let k = g.ci(&[1], &[1]);
    g.op_n("TopK", "", &["", &k], vec![int("axis", -1)], 2);
    let topk = g.graph.node.last().unwrap().output[1].clone();
    let with_topk = bitloom_import::import_bytes(&g.bytes_with_output(&topk), &Default::default()).unwrap();
    assert!(with_topk.output.epilogue && with_topk.output.label.is_some(), "{}", with_topk.summary());
    let m = build().import().unwrap();
    assert_eq!(with_topk.model.epilogue, m.model.epilogue);
    let e = m.model.epilogue.clone().expect("an epilogue");
    assert_eq!((e.scale.as_slice(), e.bias.as_slice()), ([0.5, 3.0].as_slice(), [2.0, -0.25].as_slice()));
    assert!(m.output.epilogue && m.summary().contains("epilogue"), "{}", m.summary());
    let mut differs = 0;
    for a in -8..8i64 {
        for c in -8..8i64 {
            let y = run(&m, &[a, c]);
            let graph = [0.5 * (a - c) as f64 + 2.0, 3.0 * (a + c) as f64 - 0.25];
            assert_eq!(m.model.epilogue_output(&y).unwrap(), graph, "x = {a}, {c}");
            let label = usize::from(graph[1] > graph[0]);
            assert_eq!(m.model.label(&y), label);
            differs += usize::from(argmax(&y) != label);
        }
    }
    assert!(differs > 0, "the epilogue changes some labels");
    // it survives the native format
    let dir = tempfile::tempdir().unwrap();
    bitloom_compiler::format::save(&m.model, dir.path()).unwrap();
    assert_eq!(bitloom_compiler::format::load(dir.path()).unwrap(), m.model);
}

/// The input convention `(raw·scale − mean[c]) / std[c]` folds into the first thresholds per
/// channel (channels-last for a map) and is stored in the model.
#[test]
fn input_convention_folds_per_channel_and_is_stored() {
    use bitloom_compiler::model::{InputConvention, SourceLayout};
    use bitloom_import::ImportOptions;
    let build = || {
        let mut g = G::new(&[1, 2, 2, 2]);
        g.apply("Sign", &[]);
        let k = g.c(&[1, 2, 1, 1], &[1.0, -1.0]);
        g.op("Conv", "", &["", &k], vec![]);
        g.op("Flatten", "", &[""], vec![]);
        g
    };
    let convention = InputConvention { scale: 1.0 / 255.0, mean: vec![0.25, 0.75], std: vec![0.5, 0.25] };
    let options = ImportOptions { convention: convention.clone(), ..Default::default() };
    let m = build().import_with(&options).unwrap();
    // channel 0: x/255 ≥ 0.25 ⇔ x ≥ 63.75; channel 1: x/255 ≥ 0.75 ⇔ x ≥ 191.25
    assert_eq!(threshold(&m, 0).thresholds.values(), &[64, 192], "{}", m.summary());
    assert_eq!(m.model.input.shape, vec![2, 2, 2]);
    assert_eq!(m.model.input.source, Some(SourceLayout::Nchw { channels: 2, height: 2, width: 2 }));
    assert_eq!(m.model.input.convention, convention);
    assert!(m.summary().contains("convention (raw·1/255 − [0.25, 0.75]) / [0.5, 0.25]"), "{}", m.summary());
    for seed in 0..50u64 {
        let x = ints_in(8, seed, 0, 255);
        // the graph on NCHW x, and the native model on its channels-last form
        let v: Vec<f64> = (0..8).map(|i| sign((x[i] as f64 / 255.0 - [0.25, 0.75][i / 4]) / [0.5, 0.25][i / 4])).collect();
        let want: Vec<f64> = (0..4).map(|p| v[p] - v[4 + p]).collect();
        let hwc: Vec<i64> = (0..8).map(|p| x[(p % 2) * 4 + p / 2]).collect();
        assert_eq!(mapped(&m, &hwc), want, "x = {x:?}");
    }
    let dir = tempfile::tempdir().unwrap();
    bitloom_compiler::format::save(&m.model, dir.path()).unwrap();
    assert_eq!(bitloom_compiler::format::load(dir.path()).unwrap(), m.model);
    // one mean per channel or one for all
    let bad = ImportOptions { convention: InputConvention { mean: vec![0.1, 0.2, 0.3], ..convention }, ..Default::default() };
    let e = err(build().import_with(&bad));
    assert!(matches!(e, bitloom_import::ImportError::Input { .. }), "{e}");
    assert!(e.to_string().contains("--input-mean has 3 values, but the input [2, 2, 2] has 2 channels"), "{e}");
}
