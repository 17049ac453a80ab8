//! A padded folding on the virtual board: the bundled example with PE and SIMD that do not
//! divide its layers, its board top level Verilated behind a pseudo-terminal. Inference through
//! the link, then another model's padded weight words written at run time
//! (`bitloom_flow::weights`, `bitloom run --load-weights`' path), every answer against the reference.

mod common;

use bitloom_flow::design::build_with;
use bitloom_compiler::compile::FoldChoice;
use bitloom_compiler::data;
use bitloom_compiler::fold::{FoldMap, Folding};
use bitloom_compiler::random_model::{random_bnn, RandomOptions};
use bitloom_driver::{Device, Options};
use bitloom_hdl::link::LinkParams;
use bitloom_sim::board::{BoardOptions, VirtualBoard};
use std::path::Path;

#[test]
fn padded_folding_infers_and_takes_new_weights_through_the_link() {
    common::require_tool("verilator", "verilator");
    let dir = tempfile::tempdir().unwrap();
    let model = bitloom_compiler::format::load(Path::new("examples/tfc-w1a1")).unwrap();
    // 784 at SIMD 64 (13 steps), 64 at PE 12 and SIMD 12 (6 steps), 10 outputs at PE 16.
    let f = |pe, simd| Folding { pe, simd };
    let folds: FoldMap = [("fc0", f(12, 64)), ("fc1", f(16, 12)), ("fc2", f(12, 16)), ("fc3", f(16, 12))]
        .map(|(n, f)| (n.to_string(), f))
        .into();
    let link = LinkParams { baud: 3_000_000, ..LinkParams::default() };
    let design = build_with(&model, &FoldChoice::Explicit(folds), dir.path(), &link, None).unwrap();
    let opts = BoardOptions { divisor: 4, cache_dir: common::cache_dir(), ..BoardOptions::default() };
    let board = VirtualBoard::start(dir.path(), &opts).expect("virtual board");
    let mut dev = Device::open(&board.pty_path().to_string_lossy(), 3_000_000, Options::default()).unwrap();
    dev.require_design(&design.hash_bytes().unwrap()).unwrap();

    let imgs = data::load_images(Path::new("tests/data/mnist-images.idx.gz")).unwrap();
    let xs: Vec<Vec<u8>> = (0..8).map(|i| imgs.image(i).to_vec()).collect();
    let values: Vec<Vec<i64>> = xs.iter().map(|x| x.iter().map(|&v| i64::from(v)).collect()).collect();
    let reference = |m| bitloom_compiler::reference::run_batch(m, &xs).unwrap();
    assert_eq!(dev.infer(&values).unwrap(), reference(&model), "the built weights");

    let other = random_bnn(
        "tfc-other",
        &[784, 64, 64, 64, 10],
        7,
        RandomOptions { input_shape: Some(vec![1, 28, 28]), ..RandomOptions::default() },
    );
    dev.load(&bitloom_flow::weights::memory_images(&design, dir.path(), &other).unwrap()).unwrap();
    let ys = dev.infer(&values).unwrap();
    assert_eq!(ys, reference(&other), "padded weight words written at run time");
    assert_ne!(ys, reference(&model));
    board.stop().unwrap();
}
