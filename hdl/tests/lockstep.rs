//! The rust-hdl cycle models against the Verilog cores they describe: the same random
//! stimulus (data, `in_valid`, `out_ready`) drives both, and every port must agree in every
//! cycle — `in_ready` and `out_valid` always, `out_data` whenever it is valid.

mod common;

use bitloom_compiler::compile::{compile, FoldChoice};
use bitloom_compiler::ir::DataflowGraph;
use bitloom_compiler::random_model::{random_bnn, RandomOptions};
use bitloom_hdl::engine::ModelSim;
use bitloom_sim::{build, BuildRequest, Sim};
use common::{cache, lockstep};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

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
        for mut top in [
            bitloom_hdl::engine::Dataflow::new(&g, bitloom_hdl::TOP),
            bitloom_hdl::engine::Dataflow::writable(&g, bitloom_hdl::TOP),
        ] {
            rust_hdl::core::block::Block::connect_all(&mut top);
            rust_hdl::core::check_error::check_all(&top).unwrap_or_else(|e| panic!("{}: {e:?}", g.name));
        }
    }
}

/// The writable design inside its write-test shell, under both simulators, reset.
fn writable_pair(
    g: &DataflowGraph,
    dir: &std::path::Path,
) -> (Sim, ModelSim, bitloom_hdl::WriteShell, bitloom_hdl::Rtl) {
    let (rtl, shell) = bitloom_hdl::emit_write_shell(g);
    let files = rtl.write_to(dir).unwrap();
    let req = BuildRequest {
        rtl_files: files,
        top: rtl.top.clone(),
        in_bits: rtl.in_bits,
        out_bits: rtl.out_bits,
        trace: false,
    };
    let built = build(&req, &cache(), None).expect("verilator build (install verilator: scripts/setup.sh)");
    let mut vl = Sim::new(&built, dir).unwrap();
    let mut md = ModelSim::writable(g).unwrap();
    vl.reset(2).unwrap();
    md.set_reset(true).unwrap();
    md.tick().unwrap();
    md.tick().unwrap();
    md.set_reset(false).unwrap();
    (vl, md, shell, rtl)
}

#[test]
fn models_match_verilog_cycle_for_cycle_with_memory_writes() {
    let int_mlp = |seed, ii| {
        let model = bitloom_compiler::random_model::random_int_mlp("int", &[18, 10, 6], 4, 2, seed);
        compile(&model, &FoldChoice::TargetIi(ii)).unwrap().graph
    };
    for (g, stall) in [
        (network(7, &[20, 12, 6], false, false, 8), 0.3),
        (network(8, &[15, 10, 9, 4], true, true, 3), 0.2),
        (int_mlp(9, 12), 0.25),
        (horq_mlp(10), 0.25),
    ] {
        writes_while_streaming(&g, stall);
    }
}

/// Two HORQ layers (order 2 on uint8 pixels with a shared prescale, order 3 on the first's sums
/// with per-channel prescales), compiled at a small II.
fn horq_mlp(seed: u64) -> DataflowGraph {
    use bitloom_compiler::model::{BitMatrix, HorqDense, InputSpec, Layer, Model};
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut matrix = |rows: usize, cols: usize| {
        let mut w = BitMatrix::zeros(rows, cols);
        for r in 0..rows {
            for c in 0..cols {
                w.set(r, c, rng.gen());
            }
        }
        w
    };
    let (w0, w1) = (matrix(6, 12), matrix(4, 6));
    let fc1_prescale = (0..6).map(|c| (1000 + 37 * c, -(1 << 20) + 5 * c)).collect();
    let layers = vec![
        Layer::HorqDense(HorqDense {
            name: "fc0".into(),
            order: 2,
            prescale: vec![(512, -65280)],
            shift: 0,
            limit: 65280,
            weights: w0,
        }),
        Layer::HorqDense(HorqDense {
            name: "fc1".into(),
            order: 3,
            prescale: fc1_prescale,
            shift: 6,
            limit: 1 << 16,
            weights: w1,
        }),
    ];
    let input = InputSpec::new(vec![12], bitloom_compiler::types::DataType::UInt(8));
    let model = Model { name: "horq".into(), input, layers, epilogue: None };
    compile(&model, &FoldChoice::TargetIi(40)).unwrap().graph
}

/// Random writes land in random memories of `g` while data streams: both simulations must agree
/// on every port in every cycle, including a read of a word in the cycle it is written.
fn writes_while_streaming(g: &DataflowGraph, stall: f64) {
    let dir = tempfile::tempdir().unwrap();
    let (mut vl, mut md, shell, rtl) = writable_pair(g, dir.path());
    let mems = bitloom_hdl::memory::memories(g);
    assert!(mems.len() >= 2, "{}: expected several memories", g.name);
    let mut rng = ChaCha8Rng::seed_from_u64(23);
    let mut beat = vec![0u64; g.input().width().div_ceil(64)];
    let mut out = vec![0u64; rtl.out_bits.div_ceil(64)];
    let (mut beats, mut writes) = (0, 0);
    for cycle in 0..3000u64 {
        let valid = !rng.gen_bool(stall);
        let ready = !rng.gen_bool(stall);
        let (en, addr, data) = if rng.gen_bool(0.1) {
            let m = &mems[rng.gen_range(0..mems.len())];
            // Addresses past the end are ignored by both.
            let addr = rng.gen_range(0..m.depth as u64 + 1);
            let data: Vec<u64> = (0..m.width.div_ceil(64)).map(|_| rng.gen()).collect();
            writes += 1;
            (1u64 << m.id, addr, data)
        } else {
            (0, 0, vec![])
        };
        vl.set_input(valid, &shell.pack(&beat, en, addr, &data)).unwrap();
        vl.set_out_ready(ready).unwrap();
        md.set_input(valid, &beat).unwrap();
        md.set_write(&[en], addr, &data).unwrap();
        md.set_out_ready(ready).unwrap();
        assert_eq!(md.in_ready(), vl.in_ready(), "{}: in_ready differs in cycle {cycle}", g.name);
        assert_eq!(md.out_valid(), vl.out_valid(), "{}: out_valid differs in cycle {cycle}", g.name);
        if vl.out_valid() {
            vl.out_data(&mut out);
            assert_eq!(md.out_data(), &out[..], "{}: out_data differs in cycle {cycle}", g.name);
            beats += ready as usize;
        }
        if valid && vl.in_ready() {
            for (k, w) in beat.iter_mut().enumerate() {
                let bits = (g.input().width() - 64 * k).min(64);
                *w = if bits == 64 { rng.gen() } else { rng.gen::<u64>() & ((1 << bits) - 1) };
            }
        }
        vl.tick().unwrap();
        md.tick().unwrap();
    }
    assert!(beats > 10 && writes > 100, "{}: {beats} output beats, {writes} writes", g.name);
}

#[test]
fn new_weights_written_through_the_port_give_the_new_models_results() {
    // Two models of the same shapes; the design is built from the first, the second's words are
    // written through the port, and both simulators then compute the second model exactly.
    let sizes = [24, 16, 8];
    let opts = RandomOptions { ternary: true, ..RandomOptions::default() };
    let (a, b) = (random_bnn("a", &sizes, 31, opts.clone()), random_bnn("b", &sizes, 32, opts));
    let fold = FoldChoice::TargetIi(8);
    let (ga, gb) = (compile(&a, &fold).unwrap().graph, compile(&b, &fold).unwrap().graph);
    assert_eq!(bitloom_hdl::memory::constants(&ga), bitloom_hdl::memory::constants(&gb));
    let new = bitloom_hdl::memory::memories(&gb);
    let dir = tempfile::tempdir().unwrap();
    let (mut vl, mut md, shell, _) = writable_pair(&ga, dir.path());
    for m in &new {
        for (addr, word) in m.words.iter().enumerate() {
            let packed = shell.pack(&[], 1 << m.id, addr as u64, word);
            vl.set_input(false, &packed).unwrap();
            md.set_write(&[1 << m.id], addr as u64, word).unwrap();
            vl.tick().unwrap();
            md.tick().unwrap();
        }
    }
    vl.set_input(false, &[]).unwrap();
    md.set_write(&[0], 0, &[]).unwrap();

    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let inputs: Vec<Vec<u8>> = (0..6).map(|_| (0..sizes[0]).map(|_| rng.gen()).collect()).collect();
    let want = bitloom_compiler::reference::run_batch(&b, &inputs).unwrap();
    let old = bitloom_compiler::reference::run_batch(&a, &inputs).unwrap();
    assert_ne!(want, old, "the two models should disagree somewhere");
    let beats: Vec<Vec<u64>> =
        inputs.iter().flat_map(|x| ga.input().pack(&x.iter().map(|&v| i64::from(v)).collect::<Vec<_>>())).collect();
    let per = ga.output().beats();
    let (mut next, mut got_vl, mut got_md) = (0, Vec::new(), Vec::new());
    let mut out = vec![0u64; ga.output().width().div_ceil(64)];
    for _ in 0..20_000 {
        let valid = next < beats.len();
        let beat = beats.get(next).cloned().unwrap_or_default();
        vl.set_input(valid, &shell.pack(&beat, 0, 0, &[])).unwrap();
        vl.set_out_ready(true).unwrap();
        md.set_input(valid, &beat).unwrap();
        md.set_out_ready(true).unwrap();
        if vl.out_valid() {
            vl.out_data(&mut out);
            got_vl.push(out.clone());
        }
        if md.out_valid() {
            got_md.push(md.out_data().to_vec());
        }
        if valid && vl.in_ready() {
            next += 1;
        }
        vl.tick().unwrap();
        md.tick().unwrap();
        if got_vl.len() == inputs.len() * per {
            break;
        }
    }
    for (sim, got) in [("verilator", got_vl), ("rust-hdl", got_md)] {
        let vectors: Vec<Vec<i64>> = got.chunks(per).map(|c| ga.output().unpack(c)).collect();
        assert_eq!(vectors, want, "{sim}: outputs after writing model b's memories");
    }
}
