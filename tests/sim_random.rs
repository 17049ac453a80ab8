//! Randomized networks (1–4 layers, odd sizes, random folding — padded foldings included —,
//! bipolar and ternary activations) through Verilator, bit-exact against the reference under
//! random back-pressure.

mod common;

use bitloom_flow::simcheck::{simulate, SimOptions};
use bitloom_compiler::compile::FoldChoice;
use bitloom_compiler::fold::{FoldMap, Folding};

fn check(seed: u64, sizes: &[usize], ternary: bool, final_threshold: bool, stall: f64) {
    let model = common::random_network(seed, sizes, ternary, final_threshold);
    let folds = common::random_folding(seed + 100, &model);
    check_folded(seed, sizes, &model, folds, stall);
}

fn check_folded(seed: u64, sizes: &[usize], model: &bitloom_compiler::model::Model, folds: FoldMap, stall: f64) {
    common::require_tool("verilator", "verilator");
    let dir = tempfile::tempdir().unwrap();
    let design = bitloom_flow::design::build(model, &FoldChoice::Explicit(folds.clone()), dir.path()).unwrap();
    let inputs = common::random_inputs(seed, 12, sizes[0], model.input.dtype);
    let opts = SimOptions { stall, seed, trace: None, cache_dir: common::cache_dir(), quiet: true };
    let r = simulate(dir.path(), &design, model, &inputs, &opts).unwrap();
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

/// Padded foldings: PE not dividing MH and SIMD not dividing MW, drawn at random.
#[test]
fn padded_foldings_under_backpressure() {
    for (seed, sizes, ternary) in [(11, &[37, 11][..], false), (12, &[50, 21, 9], true), (13, &[45, 27, 18, 7], false)]
    {
        let model = common::random_network(seed, sizes, ternary, false);
        let folds = common::random_padded_folding(seed + 100, &model);
        check_folded(seed, sizes, &model, folds, 0.3);
    }
}

/// BNN-PYNQ's LFC folding ratios on a network an eighth of its width: SIMD 8 on 98 inputs
/// (13 steps, the last a quarter full, as SIMD 64 on 784), PE 16 on 10 outputs; full speed
/// within 5 % of the II (512, as LFC's), then under back-pressure.
#[test]
fn lfc_ratios_full_speed() {
    let sizes = [98, 128, 128, 128, 10];
    let model = common::random_network(21, &sizes, false, false);
    let f = |pe, simd| Folding { pe, simd };
    let folds: FoldMap = [("fc0", f(4, 8)), ("fc1", f(8, 4)), ("fc2", f(4, 8)), ("fc3", f(16, 8))]
        .map(|(n, f)| (n.to_string(), f))
        .into();
    check_folded(21, &sizes, &model, folds.clone(), 0.0);
    check_folded(21, &sizes, &model, folds, 0.3);
}
