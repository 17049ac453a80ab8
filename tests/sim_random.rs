//! Randomized networks (1–4 layers, odd sizes, random folding, bipolar and ternary
//! activations) through Verilator, bit-exact against the reference under random back-pressure.

mod common;

use bitloom_flow::simcheck::{simulate, SimOptions};
use bitloom_compiler::compile::FoldChoice;

fn check(seed: u64, sizes: &[usize], ternary: bool, final_threshold: bool, stall: f64) {
    common::require_tool("verilator", "verilator");
    let model = common::random_network(seed, sizes, ternary, final_threshold);
    let folds = common::random_folding(seed + 100, &model);
    let dir = tempfile::tempdir().unwrap();
    let design = bitloom_flow::design::build(&model, &FoldChoice::Explicit(folds.clone()), dir.path()).unwrap();
    let inputs = common::random_inputs(seed, 12, sizes[0], model.input.dtype);
    let opts = SimOptions { stall, seed, trace: None, cache_dir: common::cache_dir(), quiet: true };
    let r = simulate(dir.path(), &design, &model, &inputs, &opts).unwrap();
    assert_eq!(r.mismatches, 0, "seed {seed} sizes {sizes:?} folds {folds:?}: first mismatch {:?}", r.first_mismatch);
    assert_eq!(r.inputs, 12);
    if stall == 0.0 {
        assert!(
            r.cycles_per_inference <= 1.05 * design.ii as f64,
            "seed {seed} folds {folds:?}: {} cycles/inference vs II {}",
            r.cycles_per_inference,
            design.ii
        );
    }
}

#[test]
fn one_layer_odd_sizes_under_backpressure() {
    check(1, &[37, 11], false, false, 0.3);
}

#[test]
fn two_layers_ternary_under_backpressure() {
    check(2, &[50, 21, 9], true, false, 0.4);
}

#[test]
fn three_layers_final_threshold_full_speed() {
    check(3, &[64, 30, 15, 10], false, true, 0.0);
}

#[test]
fn four_layers_ternary_full_speed_then_stalled() {
    check(4, &[45, 33, 27, 18, 7], true, false, 0.0);
    check(4, &[45, 33, 27, 18, 7], true, false, 0.25);
}
