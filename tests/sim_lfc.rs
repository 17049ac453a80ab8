//! BNN-PYNQ's published LFC folding (`tests/data/lfc-finn.toml`: SIMD 64 on 784 inputs, PE 16
//! on 10 outputs, both padded) on an LFC-shaped network (784-1024-1024-1024-10).
//!
//! The compile test runs in the suite; the Verilator simulation of the whole network is
//! large (a few minutes to build), so it is `#[ignore]`d and run by hand:
//! `cargo test --release --test sim_lfc -- --ignored`. `tests/sim_random.rs` simulates the same
//! non-dividing ratios on a network an eighth of the width in the suite.

mod common;

use bitloom_flow::simcheck::{simulate, SimOptions};
use bitloom_compiler::compile::{compile, FoldChoice};
use bitloom_compiler::ir::Node;
use bitloom_compiler::nodes::MatrixKind;

const SIZES: [usize; 5] = [784, 1024, 1024, 1024, 10];

fn fold_file() -> FoldChoice {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/lfc-finn.toml");
    FoldChoice::File(std::fs::read_to_string(path).unwrap())
}

#[test]
fn lfc_compiles_with_the_published_folding() {
    let model = common::random_network(7, &SIZES, false, false);
    let c = compile(&model, &fold_file()).unwrap();
    let g = &c.graph;
    let mvus: Vec<(usize, usize, usize)> = g
        .nodes
        .iter()
        .filter_map(|n| if let Node::Mvu(m) = n { Some((m.sf(), m.nf(), m.sf() * m.nf())) } else { None })
        .collect();
    // BNN-PYNQ's weight memories: 416, 512, 512 and 128 words.
    assert_eq!(mvus, [(13, 32, 416), (32, 16, 512), (16, 32, 512), (128, 1, 128)]);
    assert_eq!(c.estimate.ii, 512);
    // Padded inside, whole at the boundaries.
    assert!(g.edges.iter().any(|e| e.padding() != 0));
    assert_eq!((g.input().padding(), g.output().padding()), (0, 0));
    let weights: Vec<usize> = bitloom_hdl::memory::memories(g)
        .iter()
        .filter(|m| m.kind == bitloom_hdl::memory::MemoryKind::Weights)
        .map(|m| m.depth)
        .collect();
    assert_eq!(weights, [416, 512, 512, 128]);
}

#[test]
#[ignore = "builds the whole LFC in Verilator (minutes); run by hand"]
fn lfc_simulates_bit_exactly_with_the_published_folding() {
    common::require_tool("verilator", "verilator");
    let model = common::random_network(7, &SIZES, false, false);
    let dir = tempfile::tempdir().unwrap();
    let design = bitloom_flow::design::build(&model, &fold_file(), dir.path()).unwrap();
    let inputs = common::random_inputs(7, 4, SIZES[0], model.input.dtype);
    let opts = SimOptions { stall: 0.0, seed: 7, trace: None, cache_dir: common::cache_dir(), quiet: true };
    let r = simulate(dir.path(), &design, &model, &inputs, &opts).unwrap();
    eprintln!(
        "LFC: II {}, {:.1} cycles per inference, {} LUTs estimated",
        design.ii, r.cycles_per_inference, design.luts
    );
    assert_eq!(r.mismatches, 0, "first mismatch {:?}", r.first_mismatch);
    assert!(r.cycles_per_inference <= 1.05 * design.ii as f64);
}
