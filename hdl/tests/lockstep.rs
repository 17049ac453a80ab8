//! The rust-hdl cycle models against the Verilog cores they describe: the same random
//! stimulus (data, `in_valid`, `out_ready`) drives both, and every port must agree in every
//! cycle — `in_ready` and `out_valid` always, `out_data` whenever it is valid.

use bitloom_compiler::compile::{compile, FoldChoice};
use bitloom_compiler::ir::DataflowGraph;
use bitloom_compiler::random_model::{random_bnn, RandomOptions};
use bitloom_hdl::engine::ModelSim;
use bitloom_sim::{build, BuildRequest, Sim};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::PathBuf;

fn cache() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("verilator-cache")
}

/// Runs `cycles` cycles of random stimulus through both simulations of `g`; returns the
/// number of output beats seen (so a test can insist that data actually flowed).
fn lockstep(g: &DataflowGraph, cycles: u64, stall: f64, seed: u64) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let rtl = bitloom_hdl::emit(g);
    let files = rtl.write_to(dir.path()).unwrap();
    let req = BuildRequest { rtl_files: files, top: rtl.top.clone(), in_bits: rtl.in_bits, out_bits: rtl.out_bits, trace: false };
    let built = build(&req, &cache(), None).expect("verilator build (install verilator: scripts/setup.sh)");
    let mut vl = Sim::new(&built, dir.path()).unwrap();
    let mut md = ModelSim::new(g).unwrap();
    vl.reset(2).unwrap();
    md.set_reset(true).unwrap();
    md.tick().unwrap();
    md.tick().unwrap();
    md.set_reset(false).unwrap();

    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let words = rtl.in_bits.div_ceil(64);
    let mut data = vec![0u64; words];
    let mut vl_out = vec![0u64; rtl.out_bits.div_ceil(64)];
    let mut beats = 0;
    for cycle in 0..cycles {
        // New data only after a transfer, as a well-behaved producer does.
        let valid = !rng.gen_bool(stall);
        let ready = !rng.gen_bool(stall);
        vl.set_input(valid, &data).unwrap();
        vl.set_out_ready(ready).unwrap();
        md.set_input(valid, &data).unwrap();
        md.set_out_ready(ready).unwrap();
        assert_eq!(md.in_ready(), vl.in_ready(), "{}: in_ready differs in cycle {cycle}", g.name);
        assert_eq!(md.out_valid(), vl.out_valid(), "{}: out_valid differs in cycle {cycle}", g.name);
        if vl.out_valid() {
            vl.out_data(&mut vl_out);
            assert_eq!(md.out_data(), &vl_out[..], "{}: out_data differs in cycle {cycle}", g.name);
            beats += ready as usize;
        }
        if valid && vl.in_ready() {
            for (k, w) in data.iter_mut().enumerate() {
                let bits = (rtl.in_bits - 64 * k).min(64);
                *w = if bits == 64 { rng.gen() } else { rng.gen::<u64>() & ((1 << bits) - 1) };
            }
        }
        vl.tick().unwrap();
        md.tick().unwrap();
    }
    beats
}

fn network(seed: u64, sizes: &[usize], ternary: bool, final_bipolar: bool, ii: usize) -> DataflowGraph {
    let opts = RandomOptions { ternary, final_bipolar, ..RandomOptions::default() };
    let model = random_bnn(&format!("net{seed}"), sizes, seed, opts);
    compile(&model, &FoldChoice::TargetIi(ii)).unwrap().graph
}

#[test]
fn models_match_verilog_cycle_for_cycle_on_whole_networks() {
    // Raw bipolar input words: the input quantizer sees random uint8 pixels.
    let cases = [
        (network(1, &[20, 12, 6], false, false, 8), 0.3),
        (network(2, &[15, 10, 9, 4], true, false, 5), 0.25),
        (network(3, &[24, 16, 8], false, true, 24), 0.0),
        (network(4, &[12, 7, 5], true, true, 1), 0.4),
    ];
    for (g, stall) in &cases {
        let beats = lockstep(g, 3000, *stall, 17);
        assert!(beats > 10, "{}: only {beats} output beats in 3000 cycles", g.name);
        eprintln!("{}: {} engines, {beats} output beats agreed", g.name, g.nodes.len());
    }
}

#[test]
fn designs_pass_rust_hdl_structural_checks() {
    // Every signal driven, every input connected, no combinational loop.
    for g in [network(5, &[20, 12, 6], true, false, 4), network(6, &[9, 5], false, true, 1)] {
        let mut top = bitloom_hdl::engine::Dataflow::new(&g, bitloom_hdl::TOP);
        rust_hdl::core::block::Block::connect_all(&mut top);
        rust_hdl::core::check_error::check_all(&top).unwrap_or_else(|e| panic!("{}: {e:?}", g.name));
    }
}
