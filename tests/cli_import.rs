//! `bitloom import` end to end: a Brevitas QONNX export and a FINN-ONNX file import, run on
//! the reference (`infer`) with the float graph's labels, compile, and simulate bit-exactly;
//! a CNN and integer-weight MLPs import and `infer` matches the float graph (compile refuses
//! them until the hardware has the engines); an unsupported graph fails naming its node. A
//! Brevitas 0.13 export trained on x/255 is refused without `--input-scale` and keeps its last
//! layer's bias and scales as an epilogue; an NCHW CNN takes NCHW `.npy` images.

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

    // With an epilogue: the hardware computes the integers, the host the labels of s·y + b.
    let model = dir.path().join("brevitas");
    let build = dir.path().join("brevitas-build");
    let o = bitloom(&["import", "tests/data/onnx/tfc_w1a1_brevitas.onnx", "-o", model.to_str().unwrap(), "--input-scale", "1/255"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = bitloom(&["compile", model.to_str().unwrap(), "-o", build.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let o = bitloom(&["sim", build.to_str().unwrap(), "--input", "tests/data/mnist-images.idx.gz", "--limit", "10", "--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["mismatches"], 0);
    let labels: Vec<u64> = v["labels"].as_array().unwrap().iter().map(|l| l.as_u64().unwrap()).collect();
    assert_eq!(labels, expected_labels("tfc_w1a1_brevitas")[..10]);
    assert_eq!(v["epilogue_outputs"].as_array().unwrap().len(), 10);
    assert!(v["input"].as_str().unwrap().contains("raw·1/255"), "{v}");
}

/// Brevitas 0.13's TFC trained on x/255 (the Div outside the graph): refused without the
/// convention, naming the option and the override; with it, `infer` gives the float graph's
/// labels through the epilogue, and reports both.
#[test]
fn brevitas013_export_needs_its_input_convention() {
    let dir = tempfile::tempdir().unwrap();
    let onnx = "tests/data/onnx/tfc_w1a1_brevitas.onnx";
    let out = dir.path().join("m");
    let out_s = out.to_str().unwrap();
    let o = bitloom(&["import", onnx, "-o", out_s]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let t = text(&o);
    assert!(t.contains("every threshold of the input quantizer lies at the edge") && t.contains("--input-scale 1/255"), "{t}");
    assert!(t.contains("--allow-collapsed-input"), "{t}");
    assert!(!out.exists(), "nothing is written on error");

    let o = bitloom(&["import", onnx, "-o", out_s, "--input-scale", "1/255"]);
    assert!(o.status.success(), "{}", text(&o));
    let t = text(&o);
    assert!(t.contains("input uint8 [1, 28, 28], convention raw·1/255 →"), "{t}");
    assert!(t.contains("graph output = epilogue s·y + b") && t.contains("epilogue: the graph's output is s·y + b per output"), "{t}");
    let json = std::fs::read_to_string(out.join("model.json")).unwrap();
    assert!(json.contains("\"convention\":{\"scale\":0.00392156862745098}") && json.contains("\"epilogue\": {\"scale\":["), "{json}");
    // a decimal scale is the same convention
    let out2 = dir.path().join("m2");
    let o = bitloom(&["import", onnx, "-o", out2.to_str().unwrap(), "--input-scale", "0.00392156862745098"]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(std::fs::read(out2.join("model.json")).unwrap(), json.as_bytes());

    let o = bitloom(&["infer", out_s, "--input", "tests/data/mnist-images.idx.gz", "--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let got: Vec<u64> = v["predictions"].as_array().unwrap().iter().map(|p| p.as_u64().unwrap()).collect();
    assert_eq!(got, expected_labels("tfc_w1a1_brevitas"));
    assert_eq!(v["epilogue_outputs"].as_array().unwrap().len(), 200);
    let o = bitloom(&["infer", out_s, "--input", "tests/data/mnist-images.idx.gz", "--limit", "3"]);
    let t = text(&o);
    assert!(t.contains("the source graph saw raw·1/255 (folded into the first layer)"), "{t}");
    assert!(t.contains("(argmax of the epilogue s·y + b, on the host)") && t.contains("epilogue       input 0: ["), "{t}");

    for bad in ["1/0", "0", "one/255"] {
        let o = bitloom(&["import", onnx, "-o", out_s, "--input-scale", bad]);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        assert!(text(&o).contains(&format!("--input-scale {bad:?}: expected a positive fraction")), "{}", text(&o));
    }
}

/// A `.npy` of `[N, C, H, W]` images for a model from an NCHW graph is transposed to the native
/// channels-last input; other shapes are refused, naming both.
#[test]
fn nchw_images_are_transposed_and_wrong_shapes_name_both() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cnn");
    let out_s = out.to_str().unwrap();
    let mean = "0.4914,0.4822,0.4465";
    let std = "0.2470,0.2435,0.2616";
    let args = ["import", "tests/data/onnx/cnn_rgb_nchw.onnx", "-o", out_s, "--input-scale", "1/255", "--input-mean", mean];
    let o = bitloom(&[&args[..], &["--input-std", "0.2,0.3"]].concat());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("--input-std has 2 values, but the input [32, 32, 3] has 3 channels"), "{}", text(&o));
    let o = bitloom(&[&args[..], &["--input-std", std]].concat());
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("input uint8 [32, 32, 3], convention (raw·1/255 − [0.4914, 0.4822, 0.4465]) / [0.247, 0.2435, 0.2616] (source NCHW [3, 32, 32])"), "{}", text(&o));

    let images = "tests/data/onnx/cnn_rgb_nchw.images.npy";
    let o = bitloom(&["infer", out_s, "--input", images, "--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let got: Vec<u64> = v["predictions"].as_array().unwrap().iter().map(|p| p.as_u64().unwrap()).collect();
    assert_eq!(got, expected_labels("cnn_rgb_nchw"));
    assert!(v["input"].as_str().unwrap().contains("NCHW [3, 32, 32] images are transposed"), "{v}");

    // eval on an IDX dataset of the same NCHW images, labelled with the float graph's labels
    let data = dir.path().join("rgb");
    std::fs::create_dir_all(&data).unwrap();
    let imgs = bitloom_compiler::data::load_images(images.as_ref()).unwrap();
    let labels: Vec<u8> = expected_labels("cnn_rgb_nchw").iter().map(|&l| l as u8).collect();
    for split in ["train", "test"] {
        bitloom_compiler::data::write_idx(&data.join(format!("{split}-images.idx")), &[12, 3, 32, 32], &imgs.pixels).unwrap();
        bitloom_compiler::data::write_idx(&data.join(format!("{split}-labels.idx")), &[12], &labels).unwrap();
    }
    let o = bitloom(&["eval", out_s, "--data", data.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("100.00 % of 12"), "{}", text(&o));

    // the same images flattened: no layout to go by
    let flat = dir.path().join("flat.npy");
    let bytes = std::fs::read(images).unwrap();
    let header = b"{'descr': '|u1', 'fortran_order': False, 'shape': (12, 3072), }";
    let mut npy = b"\x93NUMPY\x01\x00".to_vec();
    let pad = 64 - (10 + header.len() + 1) % 64;
    npy.extend_from_slice(&((header.len() + pad + 1) as u16).to_le_bytes());
    npy.extend_from_slice(header);
    npy.extend(std::iter::repeat_n(b' ', pad));
    npy.push(b'\n');
    npy.extend_from_slice(&bytes[bytes.len() - 12 * 3072..]);
    std::fs::write(&flat, npy).unwrap();
    let o = bitloom(&["infer", out_s, "--input", flat.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let t = text(&o);
    assert!(t.contains("images of shape [3072] do not fit the model input") && t.contains("[32, 32, 3]") && t.contains("[3, 32, 32]"), "{t}");
    let o = bitloom(&["infer", out_s, "--input", "tests/data/mnist-images.idx.gz"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("images of shape [28, 28] do not fit the model input"), "{}", text(&o));
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
