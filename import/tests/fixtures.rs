//! The committed ONNX fixtures (`tests/data/onnx/`, written by `scripts/make_onnx.py`): each
//! positive one imports, and the native model's reference executor predicts the same labels as
//! the float ONNX graph (evaluated by the script in NumPy) on the 200 committed MNIST digits;
//! each negative one fails with an error naming its node. One test reruns the script and
//! compares its output with the committed files when Python with `onnx` is present.

use bitloom_compiler::model::{IntDense, Layer, WeightType};
use bitloom_compiler::{data, reference};
use bitloom_import::{import_file, ImportError, ImportOptions};
use std::path::{Path, PathBuf};
use std::process::Command;

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data")
}

fn fixture(name: &str) -> PathBuf {
    data_dir().join("onnx").join(name)
}

fn expected_labels(name: &str) -> Vec<usize> {
    let text = std::fs::read_to_string(fixture(&format!("{name}.expected.json"))).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["images"], "mnist-images.idx.gz");
    v["labels"].as_array().unwrap().iter().map(|l| l.as_u64().unwrap() as usize).collect()
}

fn check_labels(name: &str) -> bitloom_import::Imported {
    let imported = import_file(&fixture(&format!("{name}.onnx")), &ImportOptions::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let images = data::load_images(&data_dir().join("mnist-images.idx.gz")).unwrap();
    let expected = expected_labels(name);
    assert_eq!(expected.len(), images.count);
    let inputs: Vec<&[u8]> = images.iter().collect();
    let outputs = reference::run_batch(&imported.model, &inputs).unwrap();
    let got: Vec<usize> = outputs.iter().map(|o| reference::argmax(o)).collect();
    let mismatches: Vec<usize> = (0..got.len()).filter(|&i| got[i] != expected[i]).collect();
    assert!(mismatches.is_empty(), "{name}: {} of {} labels differ, e.g. image {}: native {} vs float {}\n{}",
        mismatches.len(), got.len(), mismatches[0], got[mismatches[0]], expected[mismatches[0]], imported.summary());
    // A round trip through the native format keeps the model.
    let dir = tempfile::tempdir().unwrap();
    bitloom_compiler::format::save(&imported.model, dir.path()).unwrap();
    assert_eq!(bitloom_compiler::format::load(dir.path()).unwrap(), imported.model);
    imported
}

#[test]
fn brevitas_qonnx_w1a1_matches_float_graph() {
    let m = check_labels("tfc_w1a1_qonnx");
    let s = m.summary();
    assert_eq!(m.model.layers.len(), 6, "{s}");
    assert!(s.contains("threshold 255×int8, shared"), "8-bit input quantizer: {s}");
    assert!(m.output.label.is_some());
    // torch-style node names become valid layer names
    assert!(m.model.layers.iter().all(|l| l.name().chars().all(|c| c.is_ascii_alphanumeric() || c == '_')), "{s}");
}

#[test]
fn brevitas_qonnx_w1a2_matches_float_graph() {
    let m = check_labels("tfc_w1a2_qonnx");
    let s = m.summary();
    assert_eq!(m.model.layers.len(), 6, "{s}");
    assert!(s.contains("threshold 3×uint2"), "2-bit activations: {s}");
    assert!(m.output.label.is_none(), "logits output");
    assert_eq!(m.output.scale, 2f64.powi(-3) * 2f64.powi(-2), "{s}");
}

#[test]
fn finn_streamlined_matches_float_graph() {
    let m = check_labels("tfc_w1a1_finn");
    let s = m.summary();
    assert!(s.contains("threshold 2×int2"), "ternary layer: {s}");
    assert_eq!(m.model.layers.len(), 6, "{s}");
}

#[test]
fn finn_tidy_sign_matches_float_graph() {
    let m = check_labels("tfc_w1a1_tidy");
    assert_eq!(m.model.layers.len(), 6, "{}", m.summary());
}

/// Brevitas-style binarized CNN: convolutions and max pooling on channels-last maps,
/// per-channel thresholds, and the MatMul after the Flatten with its columns permuted.
#[test]
fn brevitas_qonnx_cnv_matches_float_graph() {
    let m = check_labels("cnv_w1a1_qonnx");
    let s = m.summary();
    let kinds: Vec<&str> = m.model.layers.iter().map(|l| l.kind()).collect();
    assert_eq!(
        kinds,
        ["threshold", "conv2d", "threshold", "conv2d", "threshold", "max_pool2d", "binary_dense", "threshold", "binary_dense"],
        "{s}"
    );
    assert!(s.contains("conv 3×3/2 1×28×28→8×13×13 → "), "{s}");
    assert!(s.contains("conv 3×3/1 8×13×13→8×11×11 → "), "{s}");
    assert!(s.contains("maxpool 2×2/2 8×11×11→8×5×5 → "), "{s}");
    assert!(s.contains("threshold 1×bipolar, per channel"), "{s}");
    assert!(s.contains("dense 200→32"), "{s}");
    for i in [2, 4] {
        let Layer::Threshold(t) = &m.model.layers[i] else { panic!("{s}") };
        assert_eq!(t.thresholds.rows(), 8, "one row per channel: {s}");
    }
    assert_eq!(m.model.input.shape, vec![1, 28, 28], "one channel: the pixels as they are");
    assert!(m.notes.iter().any(|n| n.contains("weight columns permuted")), "{:?}", m.notes);
}

/// 4-bit Quant weights (per-tensor and per-channel scales) with 4- and 2-bit activations.
#[test]
fn brevitas_qonnx_w4a4_matches_float_graph() {
    let m = check_labels("mlp_w4a4_qonnx");
    let s = m.summary();
    let types: Vec<WeightType> = m
        .model
        .layers
        .iter()
        .filter_map(|l| match l {
            Layer::Dense(d) => Some(d.weight_type),
            _ => None,
        })
        .collect();
    // Narrow 4-bit weights are -7..=7 (int4); the last layer is not narrow, -8..=7 (int4).
    assert_eq!(types, [WeightType::Int(4); 3], "{s}");
    assert!(s.contains("dense 784→32 int4"), "{s}");
    assert!(s.contains("threshold 15×uint4") && s.contains("threshold 3×uint2"), "{s}");
}

/// INQ's powers of two: declared pow2 (narrower than the two's complement type).
#[test]
fn inq_pow2_matches_float_graph() {
    let m = check_labels("mlp_inq_pow2");
    let s = m.summary();
    let dense: Vec<&IntDense> = m
        .model
        .layers
        .iter()
        .filter_map(|l| match l {
            Layer::Dense(d) => Some(d),
            _ => None,
        })
        .collect();
    assert_eq!(dense.len(), 3, "{s}");
    for d in dense {
        assert!(matches!(d.weight_type, WeightType::Pow2(4 | 5)), "{}: {s}", d.weight_type);
        assert!(d.weights.values().iter().all(|&w| w == 0 || w.unsigned_abs().is_power_of_two()));
    }
    assert!(matches!(m.model.layers[0], Layer::Dense(_)), "the first layer reads the raw pixels: {s}");
}

fn import_err(name: &str) -> ImportError {
    match import_file(&fixture(name), &ImportOptions::default()) {
        Ok(m) => panic!("{name} imported: {}", m.summary()),
        Err(e) => e,
    }
}

#[test]
fn negative_fixtures() {
    let e = import_err("neg_conv_pads.onnx");
    assert_eq!(
        e.to_string(),
        "node Conv_0 (Conv): attribute pads [1, 1, 1, 1] is not supported: the native layers have no padding (pads must be all zero)"
    );
    let e = import_err("neg_unknown_op.onnx");
    assert!(matches!(e, ImportError::Unsupported { .. }), "{e}");
    assert!(e.to_string().starts_with("node Softmax_2 (Softmax): op Softmax is not supported"), "{e}");
    let e = import_err("neg_float_weights.onnx");
    assert!(e.to_string().starts_with("node MatMul_1 (MatMul): weights are not integers after folding: row 0"), "{e}");
    assert!(e.to_string().contains("quantize the weights"), "{e}");
    let e = import_err("neg_truncated.onnx");
    assert!(matches!(e, ImportError::Protobuf { .. }), "{e}");
    assert!(e.to_string().contains("truncated"), "{e}");
}

/// Reruns `scripts/make_onnx.py` into a temporary directory and compares every file with the
/// committed fixtures. Skipped (with a note) when `python3` with `numpy` and `onnx` is missing.
#[test]
fn script_reproduces_committed_fixtures() {
    let have = Command::new("python3").args(["-c", "import numpy, onnx"]).output().is_ok_and(|o| o.status.success());
    if !have {
        eprintln!("note: python3 with numpy and onnx not found; skipping the comparison with scripts/make_onnx.py (pip install onnx numpy)");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = tempfile::tempdir().unwrap();
    let o = Command::new("python3")
        .arg(root.join("scripts/make_onnx.py"))
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut names: Vec<String> = std::fs::read_dir(out.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    let committed: Vec<String> = {
        let mut v: Vec<String> = std::fs::read_dir(fixture("")).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        v.sort();
        v
    };
    assert_eq!(names, committed, "the script writes other files than those committed");
    for n in &names {
        let a = std::fs::read(out.path().join(n)).unwrap();
        let b = std::fs::read(fixture(n)).unwrap();
        assert!(a == b, "{n} differs from the committed fixture: rerun `python3 scripts/make_onnx.py` and commit");
    }
}
