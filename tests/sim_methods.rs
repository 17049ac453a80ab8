//! Every quantization method of `bitloom train` and `bitloom quantize` at every bit width it
//! offers, on one small MLP trained on the committed digits: each model compiles onto the engine
//! its weights ask for and simulates in Verilator bit-exactly against the reference on real
//! images, under back-pressure and at full speed (cycles within 1.05 × II). HORQ, orders 1 to 3,
//! is in `tests/sim_horq.rs`.
//!
//! The MLP is small (784-8-10) and folded slowly so each width's Verilator build stays short;
//! the shapes, the engines and every width of the datapath are those of a full-size model.

mod common;

use std::path::Path;

const ARCH: &str = "mlp:784-8-10";

/// Trains or quantizes with one epoch in batches of 25.
fn make(args: &[&str], data: &Path, out: &Path) {
    common::make_model(args, data, &["--epochs", "1", "--batch", "25"], out);
}

/// Compiles `model` slowly folded and checks its simulation (`common::compile_and_check`); both
/// dense layers must get engine `kind`.
fn compile_and_check(model: &Path, build: &Path, kind: &str) {
    let design = common::compile_and_check(model, build, &["--target-ii", "2048"], kind);
    let kinds: Vec<&str> = design["nodes"].as_array().unwrap().iter().filter_map(|n| n["kind"].as_str()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == kind).count(), 2, "{}: {kind} expected: {kinds:?}", model.display());
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
