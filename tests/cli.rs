//! The CLI end to end: infer, compile, sim (text and --json), and its errors on bad input.

mod common;

use common::{bitloom, text};

use std::path::Path;




#[test]
fn infer_reports_accuracy_as_json() {
    let o = bitloom(&["infer", "examples/tfc-w1a1", "--input", "tests/data/mnist-images.idx.gz", "--labels", "tests/data/mnist-labels.idx.gz", "--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["inputs"], 200);
    assert_eq!(v["predictions"].as_array().unwrap().len(), 200);
    let acc = v["accuracy"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&acc));
}

#[test]
fn compile_then_sim_text_and_json() {
    common::require_tool("verilator", "verilator");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tfc");
    let out_s = out.to_str().unwrap();
    let fold = dir.path().join("fold.toml");
    std::fs::write(&fold, "[fc0]\npe = 16\nsimd = 49\n[fc1]\npe = 8\nsimd = 8\n[fc2]\npe = 8\nsimd = 8\n[fc3]\npe = 5\nsimd = 2\n").unwrap();
    let o = bitloom(&["compile", "examples/tfc-w1a1", "-o", out_s, "--fold", fold.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("II bound: **64 cycles**"), "{}", text(&o));
    for f in ["design.json", "report.md", "rtl/bitloom_top.v", "rtl/bitloom_top_fc0_w.mem", "model/model.json"] {
        assert!(out.join(f).exists(), "missing {f}");
    }

    let o = bitloom(&["sim", out_s, "--input", "tests/data/mnist-images.idx.gz", "--limit", "20"]);
    assert!(o.status.success(), "{}", text(&o));
    let t = text(&o);
    assert!(t.contains("mismatches           0"), "{t}");
    assert!(t.contains("II bound             64"), "{t}");

    let trace = dir.path().join("t.vcd");
    let o = bitloom(&["sim", out_s, "--limit", "5", "--stall", "0.3", "--json", "--trace", trace.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for key in ["inputs", "mismatches", "cycles_per_inference", "ii_bound", "sim_cycles_per_sec"] {
        assert!(v.get(key).is_some(), "missing {key} in {v}");
    }
    assert_eq!(v["inputs"], 5);
    assert_eq!(v["mismatches"], 0);
    assert!(std::fs::metadata(&trace).unwrap().len() > 1000, "trace written");
}

#[test]
fn sim_detects_a_tampered_design() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tfc");
    let o = bitloom(&["compile", "examples/tfc-w1a1", "-o", out.to_str().unwrap(), "--target-ii", "256"]);
    assert!(o.status.success(), "{}", text(&o));
    // Flip every weight bit of the last layer in the memory file: hardware and reference now differ.
    let mem = out.join("rtl/bitloom_top_fc3_w.mem");
    let flipped: String = std::fs::read_to_string(&mem)
        .unwrap()
        .chars()
        .map(|c| match c.to_digit(16) {
            Some(d) => char::from_digit(15 - d, 16).unwrap(),
            None => c,
        })
        .collect();
    std::fs::write(&mem, flipped).unwrap();
    // The build is checked against its model copy before anything runs: the file is named.
    let o = bitloom(&["sim", out.to_str().unwrap(), "--limit", "3"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("bitloom_top_fc3_w.mem differs from the words of the model copy"), "{}", text(&o));
}

#[test]
fn bad_input_gives_clear_errors() {
    let cases: &[(&[&str], &str)] = &[
        (&["infer", "no/such/model", "--input", "tests/data/mnist-images.idx.gz"], "no/such/model"),
        (&["infer", "examples/tfc-w1a1", "--input", "Cargo.toml"], "Cargo.toml"),
        (&["compile", "examples/tfc-w1a1", "-o", "/tmp/bitloom-x", "--target-ii", "0"], "target II"),
        (&["sim", "no/such/build"], "bitloom compile"),
        (&["sim", "examples/tfc-w1a1", "--stall", "1.5"], "--stall"),
    ];
    for (args, needle) in cases {
        let o = bitloom(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        let t = text(&o);
        assert!(t.contains("error:") && t.contains(needle), "{args:?}: {t}");
        assert!(!t.contains("panicked"), "{args:?}: {t}");
    }
}

#[test]
fn bad_fold_file_is_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let fold = dir.path().join("fold.toml");
    std::fs::write(&fold, "[fc0]\npe = 65\nsimd = 49\n").unwrap();
    let o = bitloom(&["compile", "examples/tfc-w1a1", "-o", dir.path().join("b").to_str().unwrap(), "--fold", fold.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("PE 65 must be in 1..=64 (MH 64)"), "{}", text(&o));
    assert!(!Path::new(&dir.path().join("b/design.json")).exists());
}
