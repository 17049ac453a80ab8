//! The committed ONNX fixtures (`tests/data/onnx/`, written by `scripts/make_onnx.py`): each
//! positive one imports, and the native model's reference executor predicts the same labels as
//! the float ONNX graph (evaluated by the script in NumPy) on the 200 committed MNIST digits;
//! each negative one fails with an error naming its node. One test reruns the script and
//! compares its output with the committed files when Python with `onnx` is present.

use bitloom_compiler::model::{InputConvention, IntDense, Layer, SourceLayout, WeightType};
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

fn expected(name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(fixture(&format!("{name}.expected.json"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn expected_labels(name: &str) -> Vec<usize> {
    expected(name)["labels"].as_array().unwrap().iter().map(|l| l.as_u64().unwrap() as usize).collect()
}

/// The convention the fixture's float graph was evaluated with (outside the graph), as the
/// import options take it; the identity when it has none.
fn convention(name: &str) -> InputConvention {
    let v = expected(name);
    let Some(c) = v.get("convention") else { return InputConvention::IDENTITY };
    let list = |k: &str| c.get(k).map_or(Vec::new(), |a| a.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect());
    assert_eq!(c["input_scale"], "1/255");
    InputConvention { scale: 1.0 / 255.0, mean: list("input_mean"), std: list("input_std") }
}

/// The fixture's images as native input vectors: an NCHW array is transposed channels-last as
/// the model's source layout says (what `bitloom infer` does).
fn images(name: &str, model: &bitloom_compiler::model::Model) -> Vec<Vec<u8>> {
    let file = expected(name)["images"].as_str().unwrap().to_string();
    let images = data::load_images(&data_dir().join(file)).unwrap();
    images
        .iter()
        .map(|x| match model.input.source {
            None => x.to_vec(),
            Some(src) => {
                let mut v = vec![0; x.len()];
                x.iter().enumerate().for_each(|(i, &p)| v[src.native_index(i)] = p);
                v
            }
        })
        .collect()
}

fn options(name: &str) -> ImportOptions {
    ImportOptions { convention: convention(name), ..Default::default() }
}

fn check_labels(name: &str) -> bitloom_import::Imported {
    let imported = import_file(&fixture(&format!("{name}.onnx")), &options(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let inputs = images(name, &imported.model);
    let expected = expected_labels(name);
    assert_eq!(expected.len(), inputs.len());
    let outputs = reference::run_batch(&imported.model, &inputs).unwrap();
    let got: Vec<usize> = outputs.iter().map(|o| imported.model.label(o)).collect();
    let mismatches: Vec<usize> = (0..got.len()).filter(|&i| got[i] != expected[i]).collect();
    assert!(mismatches.is_empty(), "{name}: {} of {} labels differ, e.g. image {}: native {} vs float {}\n{}",
        mismatches.len(), got.len(), mismatches[0], got[mismatches[0]], expected[mismatches[0]], imported.summary());
    // A round trip through the native format keeps the model.
    let dir = tempfile::tempdir().unwrap();
    bitloom_compiler::format::save(&imported.model, dir.path()).unwrap();
    assert_eq!(bitloom_compiler::format::load(dir.path()).unwrap(), imported.model);
    imported
}

/// How many of the fixture's images the model labels as the float graph does.
fn agreeing(name: &str, model: &bitloom_compiler::model::Model, inputs: &[Vec<u8>]) -> usize {
    let outputs = reference::run_batch(model, inputs).unwrap();
    outputs.iter().zip(expected_labels(name)).filter(|(o, l)| model.label(o) == *l).count()
}

/// A reproduction of what Brevitas 0.13 writes for brevitas_examples' TFC-W1A1 trained on
/// ToTensor's x/255: TensorNorm as `Pow(var + eps, 0.5)`, the last layer with a bias and
/// per-channel scales (an epilogue), and no Div in the graph — refused without
/// `--input-scale 1/255`, exact with it.
#[test]
fn brevitas013_tfc_needs_its_convention_and_keeps_an_epilogue() {
    let name = "tfc_w1a1_brevitas";
    let path = fixture(&format!("{name}.onnx"));
    let e = import_file(&path, &ImportOptions::default()).unwrap_err();
    assert!(matches!(e, ImportError::Input { .. }), "{e}");
    assert!(e.to_string().contains("--input-scale 1/255"), "{e}");

    let m = check_labels(name);
    let s = m.summary();
    assert_eq!(m.model.layers.len(), 8, "{s}");
    assert_eq!(m.model.input.convention.scale, 1.0 / 255.0);
    assert!(s.contains("convention raw·1/255"), "{s}");
    let e = m.model.epilogue.as_ref().expect("the last layer's bias and per-channel scales");
    assert_eq!(e.scale.len(), 10);
    assert!(s.contains("epilogue"), "{s}");
    assert!(m.output.folded.iter().any(|n| n.contains("tensor_norm")), "{:?}", m.output.folded);
    // The epilogue matters: the argmax of the integers alone disagrees on some digits.
    let inputs = images(name, &m.model);
    let outputs = reference::run_batch(&m.model, &inputs).unwrap();
    let plain = outputs.iter().filter(|o| reference::argmax(o) != m.model.label(o)).count();
    assert!(plain > 0, "argmax(y) equals argmax(s·y + b) on every digit");

    // Forced through without the convention, it imports and predicts other labels.
    let forced = import_file(&path, &ImportOptions { allow_collapsed_input: true, ..Default::default() }).unwrap();
    let n = agreeing(name, &forced.model, &inputs);
    assert!(n < 150, "{n} of 200 agree under the wrong convention");
}

/// A small CNN exported from PyTorch (NCHW, 3 channels, Normalize per channel outside the
/// graph): the native input is channels-last `[32, 32, 3]` with the source layout recorded, and
/// the NCHW `.npy` transposed gives the float graph's labels; read as it lies, it does not.
#[test]
fn nchw_cnn_matches_float_graph_on_nchw_images() {
    let name = "cnn_rgb_nchw";
    let m = check_labels(name);
    let s = m.summary();
    assert_eq!(m.model.input.shape, vec![32, 32, 3], "{s}");
    assert_eq!(m.model.input.source, Some(SourceLayout::Nchw { channels: 3, height: 32, width: 32 }));
    assert_eq!(m.model.input.convention.mean.len(), 3);
    assert!(m.model.epilogue.is_some(), "{s}");
    let Layer::Threshold(t) = &m.model.layers[0] else { panic!("{s}") };
    assert_eq!(t.thresholds.rows(), 3, "one row per channel of the normalisation: {s}");
    let raw = data::load_images(&data_dir().join("onnx/cnn_rgb_nchw.images.npy")).unwrap();
    assert_eq!(raw.shape, vec![3, 32, 32]);
    let untransposed: Vec<Vec<u8>> = raw.iter().map(|x| x.to_vec()).collect();
    let n = agreeing(name, &m.model, &untransposed);
    assert!(n < raw.count, "{n} of {} agree without the transpose", raw.count);
    // without the per-channel normalisation the input quantizer collapses onto the edge
    let e = import_file(&fixture(&format!("{name}.onnx")), &ImportOptions::default()).unwrap_err();
    assert!(matches!(e, ImportError::Input { .. }), "{e}");
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
/// committed fixtures. Needs `python3` with `numpy` and `onnx` (`scripts/setup.sh` installs them).
#[test]
fn script_reproduces_committed_fixtures() {
    let have = Command::new("python3").args(["-c", "import numpy, onnx"]).output().is_ok_and(|o| o.status.success());
    assert!(have, "python3 with numpy and onnx is needed to check the ONNX fixtures: run scripts/setup.sh (it pip-installs onnx==1.23.2 and numpy)");
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
