//! Every quantization method of `bitloom train` and `bitloom quantize` at every bit width it
//! offers, on one small MLP trained on the committed digits: each model compiles onto the engine
//! its weights ask for and simulates in Verilator bit-exactly against the reference on real
//! images, under back-pressure and at full speed (cycles within 1.05 × II).
//!
//! The MLP is small (784-8-10) and folded slowly so each width's Verilator build stays short;
//! the shapes, the engines and every width of the datapath are those of a full-size model.

mod common;

use common::{bitloom, text};
use std::path::Path;

const DIGITS: &str = "tests/data/mnist-images.idx.gz";
const ARCH: &str = "mlp:784-8-10";

/// Runs a `train` or `quantize` command line, writing the model to `out`.
fn make(args: &[&str], data: &Path, out: &Path) {
    let mut all = args.to_vec();
    all.extend(["--data", data.to_str().unwrap(), "--epochs", "1", "--batch", "25", "-o", out.to_str().unwrap()]);
    let o = bitloom(&all);
    assert!(o.status.success(), "{all:?}: {}", text(&o));
}

/// `bitloom sim` of `build` on 8 digits with stall probability `stall`, as JSON.
fn sim(build: &Path, stall: &str) -> serde_json::Value {
    let o = bitloom(&["sim", build.to_str().unwrap(), "--input", DIGITS, "--limit", "8", "--stall", stall, "--json"]);
    assert!(o.status.success(), "{}", text(&o));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&o)))
}

/// Compiles `model` and checks its simulation; `kind` is the engine every dense layer must get.
fn compile_and_check(model: &Path, build: &Path, kind: &str) {
    let o = bitloom(&["compile", model.to_str().unwrap(), "-o", build.to_str().unwrap(), "--target-ii", "2048"]);
    assert!(o.status.success(), "{}: {}", model.display(), text(&o));
    let design: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(build.join("design.json")).unwrap()).unwrap();
    let kinds: Vec<&str> = design["nodes"].as_array().unwrap().iter().filter_map(|n| n["kind"].as_str()).collect();
    let matrix = kinds.iter().filter(|k| k.ends_with("mvu")).count();
    assert_eq!(matrix, 2, "{}: two matrix layers expected: {kinds:?}", model.display());
    assert_eq!(kinds.iter().filter(|k| **k == kind).count(), 2, "{}: {kind} expected: {kinds:?}", model.display());
    let v = sim(build, "0.3");
    assert_eq!((v["mismatches"].as_u64(), v["inputs"].as_u64()), (Some(0), Some(8)), "{}: {v}", model.display());
    let v = sim(build, "0");
    assert_eq!(v["mismatches"], 0, "{}: {v}", model.display());
    let (cycles, ii) = (v["cycles_per_inference"].as_f64().unwrap(), design["ii"].as_f64().unwrap());
    assert!(cycles <= 1.05 * ii, "{}: {cycles} cycles per inference against II {ii}", model.display());
}

#[test]
fn bnn_and_xnor_net_trained_mlps_simulate_bit_exactly() {
    common::require_tool("verilator", "verilator");
    let dir = tempfile::tempdir().unwrap();
    let data = common::digits_dir(dir.path());
    for method in ["bnn", "xnor"] {
        let model = dir.path().join(method);
        make(&["train", "--arch", ARCH, "--method", method], &data, &model);
        compile_and_check(&model, &dir.path().join(format!("b-{method}")), "mvu");
    }
}

#[test]
fn inq_at_every_width_simulates_bit_exactly() {
    common::require_tool("verilator", "verilator");
    let dir = tempfile::tempdir().unwrap();
    let data = common::digits_dir(dir.path());
    let float = dir.path().join("float");
    make(&["train", "--arch", ARCH, "--method", "float"], &data, &float);
    for bits in 2..=8 {
        let (method, model) = (format!("inq:{bits}"), dir.path().join(format!("inq{bits}")));
        make(&["quantize", float.to_str().unwrap(), "--method", &method], &data, &model);
        compile_and_check(&model, &dir.path().join(format!("b-inq{bits}")), "shift_mvu");
    }
}

#[test]
fn qil_at_every_width_simulates_bit_exactly() {
    common::require_tool("verilator", "verilator");
    let dir = tempfile::tempdir().unwrap();
    let data = common::digits_dir(dir.path());
    let float = dir.path().join("float");
    make(&["train", "--arch", ARCH, "--method", "float"], &data, &float);
    let widths = (2..=8).map(|b| (b, b)).chain([(2, 8), (8, 2), (3, 5)]);
    for (w, a) in widths {
        let (method, model) = (format!("qil:{w}/{a}"), dir.path().join(format!("qil{w}-{a}")));
        make(&["quantize", float.to_str().unwrap(), "--method", &method], &data, &model);
        compile_and_check(&model, &dir.path().join(format!("b-qil{w}-{a}")), "int_mvu");
    }
}
