//! `bitloom import` end to end: a Brevitas QONNX export and a FINN-ONNX file import, run on
//! the reference (`infer`) with the float graph's labels, compile, and simulate bit-exactly;
//! a CNN and integer-weight MLPs import and `infer` matches the float graph (compile refuses
//! them until the hardware has the engines); an unsupported graph fails naming its node.

mod common;

use common::{bitloom, text};





fn expected_labels(name: &str) -> Vec<u64> {
    let path = format!("{}/tests/data/onnx/{name}.expected.json", env!("CARGO_MANIFEST_DIR"));
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    v["labels"].as_array().unwrap().iter().map(|l| l.as_u64().unwrap()).collect()
}

#[test]
fn import_then_infer_matches_the_float_graph() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["tfc_w1a1_qonnx", "tfc_w1a1_finn"] {
        let out = dir.path().join(name);
        let out_s = out.to_str().unwrap();
        let o = bitloom(&["import", &format!("tests/data/onnx/{name}.onnx"), "-o", out_s, "--verbose"]);
        assert!(o.status.success(), "{}", text(&o));
        let t = text(&o);
        assert!(t.lines().next().unwrap().contains("6 layers: input uint8 [1, 28, 28] →"), "{t}");
        assert!(t.contains("label = argmax of"), "{t}");
        assert!(t.contains(" ← "), "verbose provenance: {t}");
        assert!(out.join("model.json").exists() && out.join("weights.safetensors").exists());

        let o = bitloom(&["infer", out_s, "--input", "tests/data/mnist-images.idx.gz", "--json"]);
        assert!(o.status.success(), "{}", text(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let got: Vec<u64> = v["predictions"].as_array().unwrap().iter().map(|p| p.as_u64().unwrap()).collect();
        assert_eq!(got, expected_labels(name), "{name}");
    }
}

#[test]
fn conv_and_integer_weight_models_import_then_infer() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("cnv_w1a1_qonnx", "9 layers: input uint8 [1, 28, 28] →", "Conv_5 conv 3×3/2 1×28×28→8×13×13 →"),
        ("mlp_w4a4_qonnx", "6 layers: input uint8 [784] →", "dense 784→32 int4 →"),
        ("mlp_inq_pow2", "5 layers: input uint8 [784] →", "dense 784→32 pow2_"),
    ];
    for (name, head, layer) in cases {
        let out = dir.path().join(name);
        let out_s = out.to_str().unwrap();
        let o = bitloom(&["import", &format!("tests/data/onnx/{name}.onnx"), "-o", out_s]);
        assert!(o.status.success(), "{}", text(&o));
        let t = text(&o);
        let first = t.lines().next().unwrap();
        assert!(first.contains(head) && first.contains(layer), "{t}");
        let o = bitloom(&["infer", out_s, "--input", "tests/data/mnist-images.idx.gz", "--json"]);
        assert!(o.status.success(), "{}", text(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let got: Vec<u64> = v["predictions"].as_array().unwrap().iter().map(|p| p.as_u64().unwrap()).collect();
        assert_eq!(got, expected_labels(name), "{name}");
    }
    // The hardware has no convolution engine yet: compile says so.
    let o = bitloom(&["compile", dir.path().join("cnv_w1a1_qonnx").to_str().unwrap(), "-o", dir.path().join("b").to_str().unwrap()]);
    assert!(!o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("convolution"), "{}", text(&o));
}

#[test]
fn imported_model_compiles_and_simulates_bit_exactly() {
    common::require_tool("verilator", "verilator");
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m");
    let build = dir.path().join("b");
    let o = bitloom(&["import", "tests/data/onnx/tfc_w1a2_qonnx.onnx", "-o", model.to_str().unwrap(), "--name", "w1a2"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).starts_with("w1a2: 6 layers"), "{}", text(&o));
    let o = bitloom(&["compile", model.to_str().unwrap(), "-o", build.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let o = bitloom(&["sim", build.to_str().unwrap(), "--input", "tests/data/mnist-images.idx.gz", "--limit", "10"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("mismatches           0"), "{}", text(&o));
}

#[test]
fn import_errors_name_the_node() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x");
    let o = bitloom(&["import", "tests/data/onnx/neg_conv_pads.onnx", "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("node Conv_0 (Conv): attribute pads [1, 1, 1, 1] is not supported"), "{}", text(&o));
    assert!(!out.exists(), "nothing is written on error");

    let o = bitloom(&["import", "tests/data/onnx/neg_truncated.onnx", "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("not a valid ONNX file: truncated"), "{}", text(&o));

    let o = bitloom(&["import", "tests/data/onnx/tfc_w1a1_finn.onnx", "-o", out.to_str().unwrap(), "--input-dtype", "float"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("expected uintN"), "{}", text(&o));

    let o = bitloom(&["import", "no/such/file.onnx", "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("no/such/file.onnx"), "{}", text(&o));
}
