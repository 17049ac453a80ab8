//! Real MNIST digits (the committed subset) through the bundled example, bit-exact, reaching
//! the II with no stalls and staying exact under back-pressure.

mod common;

use bitloom_flow::simcheck::{simulate, SimOptions};
use bitloom_compiler::compile::FoldChoice;
use bitloom_compiler::{data, format};
use std::path::Path;

#[test]
fn bundled_example_on_real_digits() {
    common::require_tool("verilator", "verilator");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let model = format::load(&root.join("examples/tfc-w1a1")).unwrap();
    let images = data::load_images(&root.join("tests/data/mnist-images.idx.gz")).unwrap();
    let inputs: Vec<Vec<u8>> = (0..images.count).map(|i| images.image(i).to_vec()).collect();
    assert_eq!(inputs.len(), 200);
    let dir = tempfile::tempdir().unwrap();
    let design = bitloom_flow::design::build(&model, &FoldChoice::TargetIi(64), dir.path()).unwrap();
    assert_eq!(design.ii, 64);
    for stall in [0.0, 0.3] {
        let opts = SimOptions { stall, seed: 5, trace: None, cache_dir: common::cache_dir(), quiet: true };
        let r = simulate(dir.path(), &design, &model, &inputs, &opts).unwrap();
        assert_eq!(r.mismatches, 0, "stall {stall}: {:?}", r.first_mismatch);
        assert_eq!(r.inputs, 200);
        if stall == 0.0 {
            assert!(r.cycles_per_inference <= 1.05 * 64.0, "{} cycles per inference", r.cycles_per_inference);
        } else {
            assert!(r.cycles_per_inference > 64.0, "stalls must cost cycles");
        }
    }
}
