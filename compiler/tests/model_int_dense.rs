//! Integer-weight dense layers (INQ powers of two, QIL b-bit integers): the weight types, the
//! exact output range, the verifier, the file format, the reference executor, and the
//! compiler's clear refusal until the hardware has an engine for them.

use bitloom_compiler::compile::{compile, FoldChoice};
use bitloom_compiler::error::ModelError;
use bitloom_compiler::format::{self, MODEL_FILE, WEIGHTS_FILE};
use bitloom_compiler::model::*;
use bitloom_compiler::reference;
use bitloom_compiler::types::DataType;
use bitloom_compiler::verify::{layer_types, value_ranges, verify};
use safetensors::tensor::{Dtype, TensorView};
use serde_json::json;

fn quantizer() -> Layer {
    Layer::Threshold(MultiThreshold {
        name: "in_q".into(),
        thresholds: ThresholdTable::new(1, 1, vec![128]).unwrap(),
        output: ThresholdOutput::Bipolar,
    })
}

fn dense(name: &str, rows: usize, cols: usize, values: Vec<i32>, weight_type: WeightType) -> Layer {
    Layer::Dense(IntDense { name: name.into(), weights: IntMatrix::new(rows, cols, values).unwrap(), weight_type })
}

fn model(layers: Vec<Layer>, len: usize) -> Model {
    Model { name: "int".into(), input: InputSpec::new(vec![len], DataType::UInt(8)), layers, epilogue: None }
}

#[test]
fn weight_types_by_hand() {
    let p5 = WeightType::Pow2(5); // INQ 5 bits: 0, ±1, ±2, …, ±128
    for w in [0, 1, -1, 2, -64, 128, -128] {
        assert!(p5.contains(w), "{w}");
    }
    for w in [3, -3, 6, 256, -256, 129] {
        assert!(!p5.contains(w), "{w}");
    }
    let p2 = WeightType::Pow2(2); // ternary
    assert!([-1, 0, 1].iter().all(|&w| p2.contains(w)) && !p2.contains(2));
    let i4 = WeightType::Int(4);
    assert!(i4.contains(-8) && i4.contains(7) && !i4.contains(8) && !i4.contains(-9));
    for (t, s) in [(p5, "pow2_5"), (i4, "int4"), (p2, "pow2_2")] {
        assert_eq!(t.to_string(), s);
        assert_eq!(s.parse::<WeightType>(), Ok(t));
    }
    for bad in ["int1", "int17", "pow2_1", "pow2_9", "pow2", "int", "int04", "uint4", "pow2_x"] {
        assert!(bad.parse::<WeightType>().is_err(), "{bad}");
    }
}

#[test]
fn output_range_is_exact_per_row() {
    let Layer::Dense(d) = dense("d", 2, 3, vec![2, -1, 0, -4, -4, 1], WeightType::Int(4)) else { unreachable!() };
    // Row 0 over x ∈ [0, 255]: min 2·0 − 1·255 = −255, max 2·255 = 510.
    // Row 1: min −8·255 = −2040, max 255.
    assert_eq!(d.output_range(0, 255), (-2040, 510));
    // Bipolar inputs: row 0 gives ±3, row 1 gives ±9.
    assert_eq!(d.output_range(-1, 1), (-9, 9));
}

#[test]
fn verifier_types_ranges_and_errors() {
    let m = model(vec![quantizer(), dense("fc", 2, 3, vec![4, -2, 1, 0, 1, -1], WeightType::Pow2(4))], 3);
    verify(&m).unwrap();
    assert_eq!(value_ranges(&m)[1], (-7, 7));
    assert_eq!(layer_types(&m)[1], DataType::Int(4));

    let bad = model(vec![quantizer(), dense("fc", 2, 3, vec![4, -2, 3, 0, 1, -1], WeightType::Pow2(4))], 3);
    match verify(&bad) {
        Err(ModelError::WeightOutOfType { layer, row: 0, col: 2, value: 3, weight_type }) => {
            assert_eq!((layer.as_str(), weight_type.as_str()), ("fc", "pow2_4"))
        }
        other => panic!("{other:?}"),
    }
    let wide = model(vec![dense("fc", 1, 3, vec![1 << 20, 1 << 20, 1 << 20], WeightType::Int(16))], 3);
    assert!(matches!(verify(&wide), Err(ModelError::WeightOutOfType { .. })));
    let wide = model(vec![dense("fc", 1, 3, vec![32767; 3], WeightType::Int(16))], 3);
    verify(&wide).unwrap();
    let huge = Model { input: InputSpec::new(vec![70_000], DataType::UInt(16)), ..model(vec![], 1) };
    let huge = Model { layers: vec![dense("fc", 1, 70_000, vec![32767; 70_000], WeightType::Int(16))], ..huge };
    assert!(matches!(verify(&huge), Err(ModelError::TooWide { .. })), "{:?}", verify(&huge));
    let len = model(vec![quantizer(), dense("fc", 2, 4, vec![0; 8], WeightType::Int(2))], 3);
    assert!(matches!(verify(&len), Err(ModelError::InFeatures { expected: 3, got: 4, .. })));
    let bits = model(vec![dense("fc", 1, 3, vec![0; 3], WeightType::Pow2(9))], 3);
    assert!(matches!(verify(&bits), Err(ModelError::WeightTypeBits { .. })));
}

#[test]
fn reference_matches_hand_computation() {
    // Ternary input quantizer (−1/0/+1), then an INQ layer, then a 2-bit threshold.
    let q = Layer::Threshold(MultiThreshold {
        name: "in_q".into(),
        thresholds: ThresholdTable::new(1, 2, vec![64, 192]).unwrap(),
        output: ThresholdOutput::Integer { bias: -1 },
    });
    let fc = dense("fc", 2, 4, vec![1, -2, 0, 8, -1, -1, 4, 0], WeightType::Pow2(5));
    let m = model(vec![q, fc], 4);
    // Pixels → −1, 0, +1, +1.
    let x = [10u8, 100, 200, 255];
    // Row 0: 1·−1 − 2·0 + 0·1 + 8·1 = 7; row 1: 1 − 0 + 4 + 0 = 5.
    assert_eq!(reference::run(&m, &x).unwrap(), vec![7, 5]);
    // Bipolar input feeds the same layer as ±1.
    let m = model(vec![quantizer(), dense("fc", 1, 4, vec![1, -2, 4, 8], WeightType::Pow2(5))], 4);
    assert_eq!(reference::run(&m, &x).unwrap(), vec![-1 + 2 + 4 + 8]);
}

#[test]
fn format_round_trip_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let m = model(
        vec![
            quantizer(),
            dense("fc0", 3, 4, vec![1, -1, 0, 2, 4, -8, 1, 0, 0, 0, 0, 1], WeightType::Pow2(5)),
            dense("fc1", 2, 3, vec![300, -2, 5, 0, 1, -300], WeightType::Int(10)),
        ],
        4,
    );
    format::save(&m, dir.path()).unwrap();
    assert_eq!(format::load(dir.path()).unwrap(), m);
    let text = std::fs::read_to_string(dir.path().join(MODEL_FILE)).unwrap();
    assert!(text.contains("\"kind\":\"dense\"") && text.contains("\"weight_type\":\"pow2_5\""), "{text}");

    // A float weight tensor and an unknown weight type are refused with the layer named.
    let json = json!({
        "format": "bitloom-model", "version": 1, "name": "x",
        "input": {"shape": [2], "dtype": "uint8"},
        "layers": [{"kind": "dense", "name": "fc", "in_features": 2, "out_features": 1, "weight_type": "int4", "weights": "w"}]
    });
    let write = |json: &serde_json::Value, dtype: Dtype, bytes: Vec<u8>| {
        std::fs::write(dir.path().join(MODEL_FILE), json.to_string()).unwrap();
        let views = vec![("w", TensorView::new(dtype, vec![1, 2], &bytes).unwrap())];
        std::fs::write(dir.path().join(WEIGHTS_FILE), safetensors::serialize(views, &None).unwrap()).unwrap();
    };
    write(&json, Dtype::F32, [1.0f32, 2.0].iter().flat_map(|f| f.to_le_bytes()).collect());
    let e = format::load(dir.path()).unwrap_err();
    assert!(matches!(&e, ModelError::TensorDtype { layer, .. } if layer == "fc"), "{e}");
    write(&json, Dtype::I16, [3i16, -9].iter().flat_map(|v| v.to_le_bytes()).collect());
    let e = format::load(dir.path()).unwrap_err();
    assert!(matches!(e, ModelError::WeightOutOfType { value: -9, .. }), "{e}");
    let mut bad = json.clone();
    bad["layers"][0]["weight_type"] = json!("float4");
    write(&bad, Dtype::I8, vec![1, 2]);
    let e = format::load(dir.path()).unwrap_err();
    assert!(e.to_string().contains("float4") && e.to_string().contains("fc"), "{e}");
}

#[test]
fn compile_takes_integer_power_of_two_and_horq_dense() {
    for wt in [WeightType::Int(4), WeightType::Pow2(4)] {
        let m = model(vec![quantizer(), dense("fc", 2, 3, vec![1, 2, 4, 0, -1, -2], wt)], 3);
        compile(&m, &FoldChoice::TargetIi(1)).unwrap_or_else(|e| panic!("{wt:?}: {e}"));
    }
    let m = model(vec![horq("h", 2, vec![(1, -100)], &[&[1, 1, -1, 1]])], 4);
    let c = compile(&m, &FoldChoice::TargetIi(1)).unwrap();
    assert!(c.graph.nodes.iter().any(|n| matches!(n, bitloom_compiler::ir::Node::Horq(_))), "{:?}", c.graph);
}

fn horq(name: &str, order: u32, prescale: Vec<(i64, i64)>, rows: &[&[i8]]) -> Layer {
    let mut w = BitMatrix::zeros(rows.len(), rows[0].len());
    for (r, row) in rows.iter().enumerate() {
        for (c, &v) in row.iter().enumerate() {
            w.set(r, c, v > 0);
        }
    }
    Layer::HorqDense(HorqDense { name: name.into(), order, prescale, shift: 0, limit: i64::from(i32::MAX), weights: w })
}

#[test]
fn horq_by_hand() {
    // Input x = (10, −6, 2, 0) after prescale (1, −100) on pixels (110, 94, 102, 100).
    // Order 1: β₁ = floor(18/4) = 4, H₁ = (+, −, +, +), R¹ = (6, −2, −2, −4).
    // Order 2: β₂ = floor(14/4) = 3, H₂ = (+, −, −, −), R² = (3, 1, 1, −1).
    // Order 3: β₃ = floor(6/4) = 1, H₃ = (+, +, +, −).
    // Row w = (+1, +1, −1, +1): W·H₁ = 1 − 1 − 1 + 1 = 0, W·H₂ = 1 − 1 + 1 − 1 = 0, W·H₃ = 1 + 1 − 1 − 1 = 0.
    // Row v = (+1, −1, +1, +1): v·H₁ = 4, v·H₂ = 1 + 1 − 1 − 1 = 0, v·H₃ = 1 − 1 + 1 − 1 = 0.
    // Row u = H₂: u·H₁ = 0, u·H₂ = 4, u·H₃ = 0.  Row t = H₃: t·H₁ = 0, t·H₂ = 0, t·H₃ = 4.
    let rows: &[&[i8]] = &[&[1, 1, -1, 1], &[1, -1, 1, 1], &[1, -1, -1, -1], &[1, 1, 1, -1]];
    let x = [110u8, 94, 102, 100];
    let run = |order| reference::run(&model(vec![horq("h", order, vec![(1, -100)], rows)], 4), &x).unwrap();
    assert_eq!(run(1), vec![0, 16, 0, 0]);
    assert_eq!(run(2), vec![0, 16, 12, 0]);
    assert_eq!(run(3), vec![0, 16, 12, 4]);
    // Per-channel prescale: channel 3 is doubled and shifted: x = (10, −6, 2, 2).
    let m = model(vec![horq("h", 2, vec![(1, -100), (1, -100), (1, -100), (2, -198)], rows)], 4);
    // β₁ = 5, H₁ = (+, −, +, +), R¹ = (5, −1, −3, −3); β₂ = 3, H₂ = (+, −, −, −).
    // Row v: v·H₁ = 4, v·H₂ = 0 → 20. Row w: 0. Row u: u·H₂ = 4 → 12. Row t: 0.
    assert_eq!(reference::run(&m, &x).unwrap(), vec![0, 20, 12, 0]);
}

#[test]
fn horq_verifier_format_and_compile() {
    let rows: &[&[i8]] = &[&[1, -1, 1], &[-1, -1, 1]];
    let m = model(vec![horq("h", 2, vec![(3, -384)], rows)], 3);
    verify(&m).unwrap();
    // Z = max(|−384|, |3·255 − 384|) = 384; bound 2 · 384 · 3 = 2304.
    assert_eq!(value_ranges(&m)[0], (-2304, 2304));
    assert_eq!(layer_types(&m)[0], DataType::Int(13));
    let dir = tempfile::tempdir().unwrap();
    format::save(&m, dir.path()).unwrap();
    assert_eq!(format::load(dir.path()).unwrap(), m);

    for (order, prescale, what) in [
        (0, vec![(1, 0)], "order 0"),
        (9, vec![(1, 0)], "order 9"),
        (1, vec![(1, 0), (1, 0)], "2 prescale rows"),
        (1, vec![(1 << 40, 0)], "mult must fit 32 bits"),
        (1, vec![(1, 1 << 62)], "mult must fit 32 bits"),
    ] {
        let e = verify(&model(vec![horq("h", order, prescale, rows)], 3)).unwrap_err();
        assert!(e.to_string().contains(what), "{e}");
    }
    let huge = model(vec![horq("h", 8, vec![(i64::from(i32::MAX), 0)], rows)], 3);
    assert!(matches!(verify(&huge), Err(ModelError::TooWide { .. })));
    // Shift and saturation bound the residuals whatever the prescale: the same layer with
    // limit 1000 is valid, and its values saturate.
    let Layer::HorqDense(mut h) = horq("h", 8, vec![(i64::from(i32::MAX), 0)], rows) else { unreachable!() };
    h.limit = 1000;
    let m2 = model(vec![Layer::HorqDense(h.clone())], 3);
    verify(&m2).unwrap();
    assert_eq!(value_ranges(&m2)[0], (-8 * 1000 * 3, 8 * 1000 * 3));
    assert_eq!(h.residual0(0, 255), 1000);
    h.shift = 40;
    assert_eq!(h.residual0(0, 255), (i64::from(i32::MAX) * 255) >> 40);
    assert_eq!(h.residual0(0, -1), -1, "an arithmetic shift floors");
    h.shift = 63;
    assert!(verify(&model(vec![Layer::HorqDense(h)], 3)).is_err());
    // The layer compiles onto a HORQ engine whose output is the verifier's range.
    let c = compile(&m, &FoldChoice::TargetIi(1)).unwrap();
    assert!(c.graph.nodes.iter().any(|n| matches!(n, bitloom_compiler::ir::Node::Horq(_))), "{:?}", c.graph);
}
