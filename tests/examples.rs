//! The committed QIL and INQ examples compile for the boards their READMEs name and simulate
//! bit-exactly on the committed digits, under back-pressure and at full speed within 1.05 × II
//! (the HORQ example is in `tests/sim_horq.rs`, the binary one in `tests/sim_mnist.rs`).

mod common;

use common::compile_and_check;
use std::path::Path;

/// Compiles `examples/<name>` with `extra` and checks it; every matrix layer must be a `kind`.
fn example(name: &str, extra: &[&str], kind: &str, layers: usize) {
    common::require_tool("verilator", "verilator");
    let dir = tempfile::tempdir().unwrap();
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples").join(name);
    let design = compile_and_check(&model, &dir.path().join("b"), extra, kind);
    let count = design["nodes"].as_array().unwrap().iter().filter(|n| n["kind"] == kind).count();
    assert_eq!(count, layers, "{name}: {design}");
}

#[test]
fn mlp_qil4_fits_the_icebreaker_and_simulates_bit_exactly() {
    example("mlp-qil4", &["--board", "icebreaker"], "int_mvu", 2);
}

#[test]
fn mlp_inq5_fits_the_orangecrab_and_simulates_bit_exactly() {
    example("mlp-inq5", &["--board", "orangecrab", "--clock-mhz", "30"], "shift_mvu", 2);
}
