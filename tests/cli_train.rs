//! `bitloom train` of a small CNN from the command line on the committed digits, then `eval`
//! and `infer` of the model it wrote (with the input convention it trained with); the refusals
//! a user can meet on the way.

mod common;

use bitloom_train::dataset::{write_split, Split};
use common::{bitloom, text};

#[test]
fn train_a_cnn_then_eval_and_infer_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("digits");
    std::fs::create_dir_all(&data).unwrap();
    let images = bitloom_compiler::data::load_images("tests/data/mnist-images.idx.gz".as_ref()).unwrap();
    let labels = bitloom_compiler::data::load_labels("tests/data/mnist-labels.idx.gz".as_ref()).unwrap();
    let all = Split { images: images.pixels, labels };
    write_split(&data, "train", &all.take(150, 784), &[28, 28]).unwrap();
    write_split(&data, "test", &all, &[28, 28]).unwrap();
    let (data_s, out) = (data.to_str().unwrap(), dir.path().join("cnn"));
    let arch = "cnn:1x28x28-c5x4-p2-c3x8-p2-d16-10";
    let o = bitloom(&[
        "train",
        "--arch",
        arch,
        "--method",
        "bnn",
        "--binarize-input",
        "--data",
        data_s,
        "--epochs",
        "3",
        "--batch",
        "25",
        "-o",
        out.to_str().unwrap(),
        "--json",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let rec: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&o)));
    assert_eq!(rec["arch"], arch);
    // The integer model's accuracy is candle's, measured on the same 200 digits.
    assert_eq!(rec["accuracy_integer"], rec["accuracy_float"], "{rec}");
    let model: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("model.json")).unwrap()).unwrap();
    let kinds: Vec<&str> = model["layers"].as_array().unwrap().iter().map(|l| l["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "conv2d").count(), 2, "{kinds:?}");
    assert_eq!(kinds.iter().filter(|k| **k == "max_pool2d").count(), 2, "{kinds:?}");
    // The convention it trained with (pixels / 255) is recorded in the model and the record.
    assert_eq!(model["input"]["convention"]["scale"], 1.0 / 255.0, "{model}");
    assert_eq!(rec["input_convention"], "raw·1/255", "{rec}");

    let o = bitloom(&["eval", out.to_str().unwrap(), "--data", data_s]);
    assert!(o.status.success(), "{}", text(&o));
    let pct = format!("{:.2} %", 100.0 * rec["accuracy_integer"].as_f64().unwrap());
    assert!(text(&o).contains(&pct), "eval should repeat {pct}: {}", text(&o));
    assert!(text(&o).contains("the source graph saw raw·1/255"), "eval reports the convention: {}", text(&o));
    let o = bitloom(&[
        "infer",
        out.to_str().unwrap(),
        "--input",
        "tests/data/mnist-images.idx.gz",
        "--labels",
        "tests/data/mnist-labels.idx.gz",
    ]);
    assert!(o.status.success() && text(&o).contains("accuracy"), "{}", text(&o));
    // The hardware has no convolution engine yet: compile says so.
    let o = bitloom(&["compile", out.to_str().unwrap(), "-o", dir.path().join("b").to_str().unwrap()]);
    assert!(!o.status.success() && text(&o).contains("no hardware engine yet"), "{}", text(&o));

    // HORQ has no convolution form; a bad spec is named.
    for (args, why) in [
        (vec!["--arch", arch, "--method", "horq:2"], "HORQ is for dense layers"),
        (vec!["--arch", "cnn:1x28x28-p2-c3x4-10", "--method", "bnn"], "must follow a convolution"),
        (vec!["--arch", "cnn:1x20x20-c3x4-10", "--method", "bnn"], "the network's input 400"),
    ] {
        let x = dir.path().join("x");
        let mut a = vec!["train", "--data", data_s, "--epochs", "1", "-o", x.to_str().unwrap()];
        a.extend(args);
        let o = bitloom(&a);
        assert!(!o.status.success() && text(&o).contains(why), "{why}: {}", text(&o));
    }
}
