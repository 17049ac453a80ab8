//! The native model format: round trips, and one test per way a model directory can be wrong,
//! each checking that the specific error (with its context) comes back.

use bitloom_compiler::error::ModelError;
use bitloom_compiler::format::{self, MAX_JSON_BYTES, MAX_WEIGHTS_BYTES, MODEL_FILE, WEIGHTS_FILE};
use bitloom_compiler::model::{BinaryDense, BitMatrix, InputSpec, Layer, Model};
use bitloom_compiler::random_model::{random_bnn, RandomOptions};
use bitloom_compiler::reference;
use bitloom_compiler::types::DataType;
use safetensors::tensor::{Dtype, TensorView};
use serde_json::{json, Value};
use std::path::Path;

/// A tensor to write: name, dtype, shape, raw little-endian bytes.
type Tensor = (&'static str, Dtype, Vec<usize>, Vec<u8>);

fn i8s(values: &[i8]) -> Vec<u8> {
    values.iter().map(|&v| v as u8).collect()
}

fn i32s(values: &[i32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn i64s(values: &[i64]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn write_dir(dir: &Path, model: &Value, tensors: &[Tensor]) {
    std::fs::write(dir.join(MODEL_FILE), serde_json::to_string_pretty(model).unwrap()).unwrap();
    let views: Vec<(&str, TensorView<'_>)> =
        tensors.iter().map(|(n, d, s, b)| (*n, TensorView::new(*d, s.clone(), b).unwrap())).collect();
    std::fs::write(dir.join(WEIGHTS_FILE), safetensors::serialize(views, &None).unwrap()).unwrap();
}

/// A valid 4 → 3 → 2 model: quantizer, dense, ternary activation, dense.
fn good_json() -> Value {
    json!({
        "format": "bitloom-model", "version": 1, "name": "small",
        "input": {"shape": [1, 2, 2], "dtype": "uint8"},
        "layers": [
            {"kind": "threshold", "name": "in_quant", "thresholds": "q.t", "output": "bipolar"},
            {"kind": "binary_dense", "name": "fc0", "in_features": 4, "out_features": 3, "weights": "fc0.w"},
            {"kind": "threshold", "name": "act0", "thresholds": "a0.t", "output": {"bias": -1}},
            {"kind": "binary_dense", "name": "fc1", "in_features": 3, "out_features": 2, "weights": "fc1.w"}
        ]
    })
}

fn good_tensors() -> Vec<Tensor> {
    vec![
        ("q.t", Dtype::I64, vec![1, 1], i64s(&[128])),
        ("fc0.w", Dtype::I8, vec![3, 4], i8s(&[1, -1, 1, -1, 1, 1, 1, 1, -1, -1, -1, 1])),
        ("a0.t", Dtype::I32, vec![3, 2], i32s(&[-2, 0, -1, 1, 0, 0])),
        ("fc1.w", Dtype::I8, vec![2, 3], i8s(&[1, 1, -1, -1, 1, 1])),
    ]
}

/// Writes `json`/`tensors` into a fresh directory and loads it.
fn load_with(json: &Value, tensors: &[Tensor]) -> Result<Model, ModelError> {
    let dir = tempfile::tempdir().unwrap();
    write_dir(dir.path(), json, tensors);
    format::load(dir.path())
}

fn set_tensor(tensors: &mut [Tensor], name: &str, dtype: Dtype, shape: Vec<usize>, bytes: Vec<u8>) {
    let t = tensors.iter_mut().find(|t| t.0 == name).unwrap();
    (t.1, t.2, t.3) = (dtype, shape, bytes);
}

#[test]
fn loads_hand_written_model_and_runs_it() {
    let m = load_with(&good_json(), &good_tensors()).unwrap();
    assert_eq!(m.name, "small");
    assert_eq!(m.input, InputSpec::new(vec![1, 2, 2], DataType::UInt(8)));
    assert_eq!(m.layers.len(), 4);
    let Layer::BinaryDense(fc0) = &m.layers[1] else { panic!("fc0 is dense") };
    assert!(fc0.weights.get(0, 0) && !fc0.weights.get(0, 1) && fc0.weights.get(2, 3) && !fc0.weights.get(2, 2));
    // By hand: x = [+1, −1, −1, +1];
    // row0 [+ − + −]: 1 + 1 − 1 − 1 = 0; row1 [+ + + +]: 1 − 1 − 1 + 1 = 0; row2 [− − − +]: −1 + 1 + 1 + 1 = 2.
    // act0 (≥T count − 1): ch0 [−2, 0] → 2 − 1 = 1; ch1 [−1, 1] → 1 − 1 = 0; ch2 [0, 0] → 1.
    // fc1: row0 [+ + −]·[1, 0, 1] = 0; row1 [− + +]·[1, 0, 1] = 0.
    let layers = reference::run_layers(&m, &[200, 0, 127, 128]).unwrap();
    assert_eq!(layers, vec![vec![1, -1, -1, 1], vec![0, 0, 2], vec![1, 0, 1], vec![0, 0]]);
}

#[test]
fn round_trip_is_exact_and_deterministic() {
    let models = [
        random_bnn("tfc", &[784, 64, 64, 64, 10], 1, RandomOptions::default()),
        random_bnn(
            "ternary",
            &[49, 33, 65, 7],
            5,
            RandomOptions { ternary: true, final_bipolar: true, input_threshold: 3, input_shape: Some(vec![7, 7]) },
        ),
        load_with(&good_json(), &good_tensors()).unwrap(),
        // Dense directly on raw int4 inputs.
        Model {
            name: "raw".into(),
            input: InputSpec::new(vec![70], DataType::Int(4)),
            layers: vec![Layer::BinaryDense(BinaryDense {
                name: "fc".into(),
                weights: {
                    let mut w = BitMatrix::zeros(3, 70);
                    w.set(1, 69, true);
                    w.set(2, 0, true);
                    w
                },
            })],
            epilogue: None,
        },
    ];
    for m in &models {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a/nested");
        format::save(m, &a).unwrap();
        let loaded = format::load(&a).unwrap();
        assert_eq!(&loaded, m, "{}", m.name);
        let b = dir.path().join("b");
        format::save(&loaded, &b).unwrap();
        for f in [MODEL_FILE, WEIGHTS_FILE] {
            assert_eq!(std::fs::read(a.join(f)).unwrap(), std::fs::read(b.join(f)).unwrap(), "{f} differs");
        }
    }
}

#[test]
fn saved_json_has_the_documented_layout() {
    let dir = tempfile::tempdir().unwrap();
    let m = random_bnn("t", &[4, 3, 2], 0, RandomOptions { ternary: true, ..RandomOptions::default() });
    format::save(&m, dir.path()).unwrap();
    let v: Value = serde_json::from_slice(&std::fs::read(dir.path().join(MODEL_FILE)).unwrap()).unwrap();
    assert_eq!(v["format"], "bitloom-model");
    assert_eq!(v["version"], 1);
    assert_eq!(v["input"], json!({"shape": [4], "dtype": "uint8"}));
    assert_eq!(
        v["layers"][0],
        json!({"kind": "threshold", "name": "in_quant", "thresholds": "in_quant.thresholds", "output": "bipolar"})
    );
    assert_eq!(
        v["layers"][1],
        json!({"kind": "binary_dense", "name": "fc0", "in_features": 4, "out_features": 3, "weights": "fc0.weight"})
    );
    assert_eq!(v["layers"][2]["output"], json!({"bias": -1}));
}

#[test]
fn save_refuses_invalid_model() {
    let mut m = random_bnn("t", &[4, 3, 2], 0, RandomOptions::default());
    m.layers.swap(1, 3);
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(format::save(&m, dir.path()), Err(ModelError::InFeatures { .. })));
    assert!(!dir.path().join(MODEL_FILE).exists());
}

#[test]
fn in_features_mismatch() {
    let mut j = good_json();
    j["layers"][3]["in_features"] = json!(4);
    let mut t = good_tensors();
    set_tensor(&mut t, "fc1.w", Dtype::I8, vec![2, 4], i8s(&[1; 8]));
    match load_with(&j, &t) {
        Err(e @ ModelError::InFeatures { expected: 3, got: 4, .. }) => assert!(e.to_string().contains("fc1"), "{e}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn tensor_shape_differs_from_declared() {
    let mut t = good_tensors();
    set_tensor(&mut t, "fc0.w", Dtype::I8, vec![4, 3], i8s(&[1; 12]));
    match load_with(&good_json(), &t) {
        Err(e @ ModelError::TensorShape { .. }) => {
            let msg = e.to_string();
            assert!(msg.contains("fc0") && msg.contains("[4, 3]") && msg.contains("[3, 4]"), "{msg}");
        }
        other => panic!("{other:?}"),
    }
    let mut t = good_tensors();
    set_tensor(&mut t, "a0.t", Dtype::I32, vec![6], i32s(&[-2, 0, -1, 1, 0, 0]));
    assert!(matches!(load_with(&good_json(), &t), Err(ModelError::TensorShape { .. })));
}

#[test]
fn threshold_rows_mismatch() {
    let mut t = good_tensors();
    set_tensor(&mut t, "a0.t", Dtype::I32, vec![2, 2], i32s(&[-2, 0, -1, 1]));
    assert!(matches!(load_with(&good_json(), &t), Err(ModelError::ThresholdRows { rows: 2, channels: 3, .. })));
}

#[test]
fn unsorted_thresholds() {
    let mut t = good_tensors();
    set_tensor(&mut t, "a0.t", Dtype::I32, vec![3, 2], i32s(&[-2, 0, 1, -1, 0, 0]));
    match load_with(&good_json(), &t) {
        Err(e @ ModelError::UnsortedThresholds { channel: 1, prev: 1, next: -1, .. }) => {
            assert!(e.to_string().contains("act0"), "{e}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn out_of_range_threshold() {
    // fc0 has 4 bipolar inputs: values in −4..=4, thresholds allowed in −4..=5.
    for (bad, ok) in [(-5, -4), (6, 5)] {
        let mut t = good_tensors();
        set_tensor(&mut t, "a0.t", Dtype::I32, vec![1, 2], i32s(&[ok.min(0), ok.max(0)]));
        load_with(&good_json(), &t).unwrap();
        set_tensor(&mut t, "a0.t", Dtype::I32, vec![1, 2], i32s(&[bad.min(0), bad.max(0)]));
        match load_with(&good_json(), &t) {
            Err(e @ ModelError::ThresholdOutOfRange { value, lo: -4, hi: 4, channel: 0, .. }) => {
                assert_eq!(value, i64::from(bad));
                assert!(e.to_string().contains("act0"), "{e}");
            }
            other => panic!("{other:?}"),
        }
    }
    // The quantizer on uint8 input: 0..=256.
    let mut t = good_tensors();
    set_tensor(&mut t, "q.t", Dtype::I64, vec![1, 1], i64s(&[257]));
    assert!(matches!(load_with(&good_json(), &t), Err(ModelError::ThresholdOutOfRange { value: 257, .. })));
}

#[test]
fn bipolar_output_needs_one_threshold() {
    let mut j = good_json();
    j["layers"][2]["output"] = json!("bipolar");
    assert!(matches!(load_with(&j, &good_tensors()), Err(ModelError::BipolarSteps { steps: 2, .. })));
}

#[test]
fn threshold_count_limits() {
    let mut t = good_tensors();
    set_tensor(&mut t, "a0.t", Dtype::I32, vec![3, 0], vec![]);
    assert!(matches!(load_with(&good_json(), &t), Err(ModelError::ThresholdSteps { steps: 0, .. })));
    set_tensor(&mut t, "a0.t", Dtype::I32, vec![1, 256], i32s(&[0; 256]));
    assert!(matches!(load_with(&good_json(), &t), Err(ModelError::ThresholdSteps { steps: 256, .. })));
}

#[test]
fn unknown_layer_kind() {
    let mut j = good_json();
    j["layers"][1]["kind"] = json!("conv3d");
    match load_with(&j, &good_tensors()) {
        Err(e @ ModelError::Json { .. }) => {
            let msg = e.to_string();
            assert!(msg.contains("conv3d") && msg.contains("unknown variant") && msg.contains(MODEL_FILE), "{msg}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn unknown_fields() {
    for path in [&["stride"][..], &["layers", "1", "bias"], &["input", "layout"], &["layers", "0", "scale"]] {
        let mut j = good_json();
        let mut target = &mut j;
        for p in &path[..path.len() - 1] {
            target = match p.parse::<usize>() {
                Ok(i) => &mut target[i],
                Err(_) => &mut target[*p],
            };
        }
        target[path[path.len() - 1]] = json!(1);
        match load_with(&j, &good_tensors()) {
            Err(e @ ModelError::Json { .. }) => {
                let msg = e.to_string();
                let field = path[path.len() - 1];
                assert!(msg.contains("unknown field") && msg.contains(&format!("`{field}`")), "{msg}");
            }
            other => panic!("{path:?}: {other:?}"),
        }
    }
}

#[test]
fn bad_output_spec() {
    for bad in [json!("ternary"), json!({"bias": 0.5}), json!({"offset": 1}), json!(3)] {
        let mut j = good_json();
        j["layers"][2]["output"] = bad.clone();
        match load_with(&j, &good_tensors()) {
            Err(e @ ModelError::Json { .. }) => assert!(e.to_string().contains("output"), "{e}"),
            other => panic!("{bad}: {other:?}"),
        }
    }
}

#[test]
fn wrong_format_and_version() {
    let mut j = good_json();
    j["format"] = json!("onnx");
    assert!(matches!(load_with(&j, &good_tensors()), Err(ModelError::WrongFormat { found, .. }) if found == "onnx"));
    let mut j = good_json();
    j["version"] = json!(2);
    j["new_field_of_v2"] = json!(true);
    assert!(matches!(load_with(&j, &good_tensors()), Err(ModelError::UnsupportedVersion { found: 2, .. })));
    let mut j = good_json();
    j.as_object_mut().unwrap().remove("version");
    assert!(matches!(load_with(&j, &good_tensors()), Err(ModelError::Json { .. })));
}

#[test]
fn bad_input_dtype_and_shape() {
    let mut j = good_json();
    j["input"]["dtype"] = json!("float32");
    assert!(matches!(load_with(&j, &good_tensors()), Err(ModelError::InputDtype { dtype, .. }) if dtype == "float32"));
    let mut j = good_json();
    j["input"]["shape"] = json!([4, 0]);
    assert!(matches!(load_with(&j, &good_tensors()), Err(ModelError::InputShape { .. })));
    let mut j = good_json();
    j["input"]["shape"] = json!([4294967296u64, 4294967296u64, 4]);
    assert!(matches!(load_with(&j, &good_tensors()), Err(ModelError::InputShape { .. })));
}

#[test]
fn truncated_safetensors() {
    let dir = tempfile::tempdir().unwrap();
    write_dir(dir.path(), &good_json(), &good_tensors());
    let path = dir.path().join(WEIGHTS_FILE);
    let full = std::fs::read(&path).unwrap();
    for keep in [full.len() - 1, full.len() - 20, 100, 9, 3, 0] {
        std::fs::write(&path, &full[..keep]).unwrap();
        match format::load(dir.path()) {
            Err(e @ (ModelError::Safetensors { .. } | ModelError::SafetensorsTensor { .. })) => {
                let msg = e.to_string();
                assert!(msg.contains("truncated") && msg.contains(WEIGHTS_FILE), "{keep}: {msg}");
            }
            other => panic!("{keep}: {other:?}"),
        }
    }
    // Trailing garbage is refused too.
    let mut long = full.clone();
    long.extend_from_slice(&[0; 8]);
    std::fs::write(&path, &long).unwrap();
    assert!(matches!(format::load(dir.path()), Err(ModelError::Safetensors { .. })));
}

#[test]
fn safetensors_header_is_checked_before_the_data_is_read() {
    let dir = tempfile::tempdir().unwrap();
    write_dir(dir.path(), &good_json(), &good_tensors());
    let path = dir.path().join(WEIGHTS_FILE);
    // The first 8 bytes already say 2^29 bytes of header: refused without reading them.
    let mut f = std::fs::File::create(&path).unwrap();
    std::io::Write::write_all(&mut f, &(1u64 << 29).to_le_bytes()).unwrap();
    f.set_len(600 << 20).unwrap();
    match format::load(dir.path()) {
        Err(e @ ModelError::Safetensors { .. }) => assert!(e.to_string().contains("header length 536870912"), "{e}"),
        other => panic!("{other:?}"),
    }
    // Unknown dtypes and malformed entries name their tensor.
    for (header, says) in [
        (r#"{"fc0.w":{"dtype":"Q7","shape":[3,4],"data_offsets":[0,12]}}"#, "unknown dtype \"Q7\""),
        (r#"{"fc0.w":{"dtype":"I8","shape":[3,4]}}"#, "invalid entry"),
        (r#"{"fc0.w":{"dtype":"I8","shape":[3,4],"data_offsets":[12,0]}}"#, "data offsets [12, 0]"),
    ] {
        std::fs::write(&path, raw_safetensors(header, &[1; 12])).unwrap();
        match format::load(dir.path()) {
            Err(e @ ModelError::SafetensorsTensor { .. }) => {
                let msg = e.to_string();
                assert!(msg.contains("tensor \"fc0.w\"") && msg.contains(says), "{msg}");
            }
            other => panic!("{header}: {other:?}"),
        }
    }
}

/// A safetensors file written by hand, so that its header can lie.
fn raw_safetensors(header: &str, data: &[u8]) -> Vec<u8> {
    let mut out = (header.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(data);
    out
}

#[test]
fn oversized_declared_shapes() {
    let dir = tempfile::tempdir().unwrap();
    write_dir(dir.path(), &good_json(), &good_tensors());
    let path = dir.path().join(WEIGHTS_FILE);
    // A shape whose product overflows, and one much larger than the data.
    for header in [
        r#"{"fc0.w":{"dtype":"I8","shape":[4294967296,4294967296,16],"data_offsets":[0,12]}}"#,
        r#"{"fc0.w":{"dtype":"I8","shape":[300000,400000],"data_offsets":[0,12]}}"#,
        r#"{"fc0.w":{"dtype":"I8","shape":[3,4],"data_offsets":[0,120000000000]}}"#,
    ] {
        std::fs::write(&path, raw_safetensors(header, &[1; 12])).unwrap();
        // The error names the tensor.
        match format::load(dir.path()) {
            Err(e @ ModelError::SafetensorsTensor { .. }) => assert!(e.to_string().contains("tensor \"fc0.w\""), "{e}"),
            other => panic!("{header}: {other:?}"),
        }
    }
    // in_features declared huge in model.json (tensor as declared is fine): refused by shape check.
    let mut j = good_json();
    j["layers"][1]["in_features"] = json!(1u64 << 40);
    assert!(matches!(load_with(&j, &good_tensors()), Err(ModelError::TensorShape { .. })));
    // A zero-sized tensor declaring an enormous row count: refused by the verifier, not allocated.
    let mut j = good_json();
    j["layers"][1]["out_features"] = json!(1u64 << 60);
    j["layers"][1]["in_features"] = json!(0);
    let mut t = good_tensors();
    set_tensor(&mut t, "fc0.w", Dtype::I8, vec![1 << 60, 0], vec![]);
    assert!(matches!(load_with(&j, &t), Err(ModelError::InFeatures { got: 0, .. })));
}

#[test]
fn oversized_files_are_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    write_dir(dir.path(), &good_json(), &good_tensors());
    // Sparse files: no disk space or memory is used.
    let w = std::fs::OpenOptions::new().write(true).open(dir.path().join(WEIGHTS_FILE)).unwrap();
    w.set_len(MAX_WEIGHTS_BYTES + 1).unwrap();
    assert!(matches!(format::load(dir.path()), Err(ModelError::FileTooLarge { limit: MAX_WEIGHTS_BYTES, .. })));
    let j = std::fs::OpenOptions::new().write(true).open(dir.path().join(MODEL_FILE)).unwrap();
    j.set_len(MAX_JSON_BYTES + 1).unwrap();
    assert!(matches!(format::load(dir.path()), Err(ModelError::FileTooLarge { limit: MAX_JSON_BYTES, .. })));
}

#[test]
fn wrong_dtypes() {
    let mut t = good_tensors();
    set_tensor(&mut t, "fc0.w", Dtype::U8, vec![3, 4], vec![1; 12]);
    match load_with(&good_json(), &t) {
        Err(e @ ModelError::TensorDtype { .. }) => {
            let msg = e.to_string();
            assert!(msg.contains("fc0") && msg.contains("U8") && msg.contains("I8"), "{msg}");
        }
        other => panic!("{other:?}"),
    }
    let mut t = good_tensors();
    set_tensor(&mut t, "a0.t", Dtype::I16, vec![3, 2], vec![0; 12]);
    assert!(matches!(load_with(&good_json(), &t), Err(ModelError::TensorDtype { .. })));
    let mut t = good_tensors();
    set_tensor(&mut t, "fc0.w", Dtype::F32, vec![3, 4], vec![0; 48]);
    assert!(matches!(load_with(&good_json(), &t), Err(ModelError::TensorDtype { .. })));
}

#[test]
fn weight_values_must_be_plus_minus_one() {
    for bad in [0i8, 2, -128] {
        let mut t = good_tensors();
        let mut w = [1i8; 12];
        w[6] = bad;
        set_tensor(&mut t, "fc0.w", Dtype::I8, vec![3, 4], i8s(&w));
        assert!(matches!(
            load_with(&good_json(), &t),
            Err(ModelError::WeightValue { row: 1, col: 2, value, .. }) if value == bad
        ));
    }
}

#[test]
fn float_thresholds() {
    for (dtype, size) in [(Dtype::F32, 4), (Dtype::F64, 8), (Dtype::F16, 2), (Dtype::BF16, 2)] {
        let mut t = good_tensors();
        set_tensor(&mut t, "a0.t", dtype, vec![3, 2], vec![0; 6 * size]);
        match load_with(&good_json(), &t) {
            Err(e @ ModelError::FloatThresholds { .. }) => {
                assert!(e.to_string().contains("thresholds must be integers"), "{e}")
            }
            other => panic!("{dtype:?}: {other:?}"),
        }
    }
}

#[test]
fn duplicate_names() {
    let mut j = good_json();
    j["layers"][2]["name"] = json!("in_quant");
    match load_with(&j, &good_tensors()) {
        Err(e @ ModelError::DuplicateName { first: 0, second: 2, .. }) => assert!(e.to_string().contains("in_quant")),
        other => panic!("{other:?}"),
    }
    let mut j = good_json();
    j["layers"][2]["name"] = json!("");
    assert!(matches!(load_with(&j, &good_tensors()), Err(ModelError::BadName { index: 2, .. })));
}

#[test]
fn empty_model() {
    let mut j = good_json();
    j["layers"] = json!([]);
    assert!(matches!(load_with(&j, &good_tensors()), Err(ModelError::EmptyModel)));
}

#[test]
fn missing_tensor_and_files() {
    let mut j = good_json();
    j["layers"][3]["weights"] = json!("nope");
    assert!(matches!(
        load_with(&j, &good_tensors()),
        Err(ModelError::MissingTensor { layer, tensor }) if layer == "fc1" && tensor == "nope"
    ));
    let e = format::load(Path::new("/nonexistent/model")).unwrap_err();
    assert!(matches!(e, ModelError::Io { .. }));
    assert!(e.to_string().contains("/nonexistent/model/model.json"), "{e}");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(MODEL_FILE), serde_json::to_string(&good_json()).unwrap()).unwrap();
    let e = format::load(dir.path()).unwrap_err();
    assert!(e.to_string().contains(WEIGHTS_FILE), "{e}");
    std::fs::write(dir.path().join(MODEL_FILE), "{\"format\": \"bitloom-model\", ").unwrap();
    assert!(matches!(format::load(dir.path()), Err(ModelError::Json { .. })));
}

#[test]
fn threshold_on_bipolar_is_refused() {
    let mut j = good_json();
    let layers = j["layers"].as_array_mut().unwrap();
    layers.insert(1, json!({"kind": "threshold", "name": "again", "thresholds": "q.t", "output": "bipolar"}));
    let mut t = good_tensors();
    set_tensor(&mut t, "q.t", Dtype::I64, vec![1, 1], i64s(&[0]));
    assert!(matches!(load_with(&j, &t), Err(ModelError::ThresholdOnBipolar { layer }) if layer == "again"));
}

/// The input convention, the source layout and the epilogue: written only when present (a
/// model.json without them loads with the identity convention), read back exactly, and checked.
#[test]
fn convention_layout_and_epilogue() {
    use bitloom_compiler::model::{Epilogue, InputConvention, SourceLayout};
    // an old model.json (no convention, no layout, no epilogue) loads as before
    let m = load_with(&good_json(), &good_tensors()).unwrap();
    assert_eq!(m.input.convention, InputConvention::IDENTITY);
    assert_eq!((m.input.source, m.epilogue.as_ref()), (None, None));

    let mut j = good_json();
    j["input"] = json!({"shape": [2, 1, 2], "dtype": "uint8", "convention": {"scale": 1.0 / 255.0, "mean": [0.5, 0.25], "std": [0.2, 0.1]},
        "source_layout": "nchw", "source_shape": [2, 2, 1]});
    j["epilogue"] = json!({"scale": [0.1, 1.0 / 3.0], "bias": [-0.7, 2.5e-7]});
    let m = load_with(&j, &good_tensors()).unwrap();
    assert_eq!(m.input.convention, InputConvention { scale: 1.0 / 255.0, mean: vec![0.5, 0.25], std: vec![0.2, 0.1] });
    assert_eq!(m.input.source, Some(SourceLayout::Nchw { channels: 2, height: 2, width: 1 }));
    assert_eq!(m.epilogue, Some(Epilogue { scale: vec![0.1, 1.0 / 3.0], bias: vec![-0.7, 2.5e-7] }));
    assert_eq!(m.epilogue_output(&[10, 3]), Some(vec![0.1 * 10.0 - 0.7, 1.0 + 2.5e-7]));
    assert_eq!(m.label(&[10, 3]), 1, "argmax of s·y + b");
    assert_eq!(reference::argmax(&[10, 3]), 0, "argmax of y");
    let dir = tempfile::tempdir().unwrap();
    format::save(&m, dir.path()).unwrap();
    assert_eq!(format::load(dir.path()).unwrap(), m, "floats read back bit for bit");

    let err = |f: &dyn Fn(&mut Value)| {
        let mut j = j.clone();
        f(&mut j);
        load_with(&j, &good_tensors()).unwrap_err().to_string()
    };
    let e = err(&|j| j["epilogue"]["scale"] = json!([1.0]));
    assert!(e.contains("epilogue is invalid: 1 scales and 2 biases for an output of 2 elements"), "{e}");
    // JSON has no NaN; a model built in code can
    let nan = Model { epilogue: Some(Epilogue { scale: vec![1.0, 1.0], bias: vec![0.0, f64::NAN] }), ..m.clone() };
    let e = bitloom_compiler::verify::verify(&nan).unwrap_err().to_string();
    assert!(e.contains("element 1: scale 1 and bias NaN must be finite"), "{e}");
    let e = err(&|j| j["input"]["convention"]["scale"] = json!(0.0));
    assert!(e.contains("input convention is invalid: scale 0 must be finite and positive"), "{e}");
    let e = err(&|j| j["input"]["convention"]["std"] = json!([1.0, 0.0]));
    assert!(e.contains("std 0 must be positive"), "{e}");
    let e = err(&|j| j["input"]["convention"]["mean"] = json!([0.1, 0.2, 0.3]));
    assert!(e.contains("3 mean values for an input of 2 channels"), "{e}");
    let e = err(&|j| j["input"]["source_shape"] = json!([1, 2, 2]));
    assert!(e.contains("nchw source [1, 2, 2] needs the native shape [2, 2, 1]"), "{e}");
    let e = err(&|j| j["input"]["source_layout"] = json!(null));
    assert!(e.contains("source_layout and source_shape go together"), "{e}");
    let e = err(&|j| j["input"]["source_layout"] = json!("nhwc"));
    assert!(e.contains("unknown variant `nhwc`"), "{e}");
}
