//! Helpers shared by the hdl integration tests.

use bitloom_compiler::ir::DataflowGraph;
use bitloom_hdl::engine::ModelSim;
use bitloom_sim::{build, BuildRequest, Sim};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::PathBuf;

/// The Verilator build cache of these tests.
pub fn cache() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("verilator-cache")
}

/// The rust-hdl cycle models of `g` against its Verilog: `cycles` cycles of random stimulus
/// through both simulations, every port compared in every cycle. Returns the number of output
/// beats seen (so a test can insist that data actually flowed).
pub fn lockstep(g: &DataflowGraph, cycles: u64, stall: f64, seed: u64) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let rtl = bitloom_hdl::emit(g);
    let files = rtl.write_to(dir.path()).unwrap();
    let req = BuildRequest {
        rtl_files: files,
        top: rtl.top.clone(),
        in_bits: rtl.in_bits,
        out_bits: rtl.out_bits,
        trace: false,
    };
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
