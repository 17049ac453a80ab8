//! The shared harness for every block alone: it runs the cases each engine kind registers in
//! its module (`bitloom_hdl::blocks::cases`): its Verilog core under Verilator and its rust-hdl
//! cycle model, each against plain integer math under random back-pressure; the model in
//! lockstep with the Verilog; a golden-Verilog check, Verilator's `-Wall` lint, and a yosys
//! iCE40 synthesis check.
//!
//! Golden files live in `hdl/tests/golden/`; re-bless them with `BITLOOM_BLESS=1`.

mod common;

use bitloom_compiler::ir::{DataflowGraph, Stream};
use bitloom_hdl::blocks::Case;
use bitloom_hdl::engine::ModelSim;
use bitloom_sim::{build, run_stream, Backpressure, BuildRequest, Sim};
use common::{cache, lockstep};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::Path;
use std::process::Command;

/// Every kind's cases, or those whose name starts with `$BITLOOM_CASES` when it is set.
fn cases() -> Vec<Case> {
    let only = std::env::var("BITLOOM_CASES").ok();
    bitloom_hdl::blocks::cases()
        .into_iter()
        .filter(|c| only.as_ref().is_none_or(|p| c.name.starts_with(p.as_str())))
        .collect()
}

fn require(tool: &str, package: &str) {
    let ok = Command::new(tool).arg("-V").output().map(|o| o.status.success()).unwrap_or(false)
        || Command::new(tool).arg("--version").output().map(|o| o.status.success()).unwrap_or(false);
    assert!(ok, "this test needs `{tool}`: install it with `apt-get install {package}` (or run scripts/setup.sh)");
}

/// Simulates vectors through a one-block design, under Verilator and under rust-hdl, and
/// returns each simulator's output vectors.
fn simulate(g: &DataflowGraph, vectors: &[Vec<i64>], stall: f64, dir: &Path) -> [(&'static str, Vec<Vec<i64>>); 2] {
    [("verilator", simulate_verilator(g, vectors, stall, dir)), ("rust-hdl", simulate_model(g, vectors, stall))]
}

/// The vectors packed into beats, with random bits in each last beat's padding: no block may
/// read it (`ir::Stream`).
fn noisy_beats(s: &Stream, vectors: &[Vec<i64>]) -> Vec<Vec<u64>> {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let real = (s.fold - s.padding()) * s.dtype.bits() as usize;
    let mut out = Vec::new();
    for v in vectors {
        let mut beats = s.pack(v);
        let last = beats.last_mut().expect("a vector has a beat");
        for pos in real..s.width() {
            last[pos / 64] |= u64::from(rng.gen::<bool>()) << (pos % 64);
        }
        out.extend(beats);
    }
    out
}

/// The rust-hdl model of a design, driven with the stream protocol under random back-pressure.
fn simulate_model(g: &DataflowGraph, vectors: &[Vec<i64>], stall: f64) -> Vec<Vec<i64>> {
    let mut sim = ModelSim::new(g).unwrap();
    sim.set_reset(true).unwrap();
    sim.tick().unwrap();
    sim.tick().unwrap();
    sim.set_reset(false).unwrap();
    let beats = noisy_beats(g.input(), vectors);
    let per = g.output().beats();
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let (mut next, mut outputs) = (0, Vec::new());
    while outputs.len() < vectors.len() * per {
        assert!(sim.cycle() < 100_000, "rust-hdl model deadlocked");
        let valid = next < beats.len() && !rng.gen_bool(stall);
        let ready = !rng.gen_bool(stall);
        sim.set_input(valid, beats.get(next).map_or(&[][..], |b| &b[..])).unwrap();
        sim.set_out_ready(ready).unwrap();
        if valid && sim.in_ready() {
            next += 1;
        }
        if ready && sim.out_valid() {
            outputs.push(sim.out_data().to_vec());
        }
        sim.tick().unwrap();
    }
    outputs.chunks(per).map(|c| g.output().unpack(c)).collect()
}

/// The Verilog of a design under Verilator.
fn simulate_verilator(g: &DataflowGraph, vectors: &[Vec<i64>], stall: f64, dir: &Path) -> Vec<Vec<i64>> {
    require("verilator", "verilator");
    let rtl = bitloom_hdl::emit(g);
    let files = rtl.write_to(dir).unwrap();
    let req = BuildRequest {
        rtl_files: files,
        top: rtl.top.clone(),
        in_bits: rtl.in_bits,
        out_bits: rtl.out_bits,
        trace: false,
    };
    let built = build(&req, &cache(), None).unwrap();
    let mut sim = Sim::new(&built, dir).unwrap();
    sim.reset(2).unwrap();
    let beats = noisy_beats(g.input(), vectors);
    let per = g.output().beats();
    let bp = Backpressure { in_stall: stall, out_stall: stall, seed: 9 };
    let run = run_stream(&mut sim, &beats, vectors.len() * per, &bp, 1_000_000, None).unwrap();
    run.outputs.chunks(per).map(|c| g.output().unpack(c)).collect()
}

fn golden(name: &str, g: &DataflowGraph) {
    let rtl = bitloom_hdl::emit(g);
    let text: String = rtl.modules.iter().map(|m| m.text.clone()).collect::<Vec<_>>().join("\n");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(format!("{name}.v"));
    if std::env::var_os("BITLOOM_BLESS").is_some() {
        std::fs::write(&path, &text).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing {}: run with BITLOOM_BLESS=1", path.display()));
    if want != text {
        let diff: Vec<String> = want
            .lines()
            .zip(text.lines())
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .take(5)
            .map(|(i, (a, b))| format!("line {}:\n- {a}\n+ {b}", i + 1))
            .collect();
        panic!(
            "{} differs from the emitted Verilog (re-bless with BITLOOM_BLESS=1):\n{}",
            path.display(),
            diff.join("\n")
        );
    }
}

/// Verilator -Wall lint and a yosys synth_ice40 run; returns yosys's cell count.
fn lint_and_synth(g: &DataflowGraph, dir: &Path) -> usize {
    require("verilator", "verilator");
    require("yosys", "yosys");
    let rtl = bitloom_hdl::emit(g);
    let files = rtl.write_to(dir).unwrap();
    let lint = Command::new("verilator")
        .args(["--lint-only", "-Wall", "--top-module", &rtl.top])
        .args(&files)
        .output()
        .unwrap();
    assert!(lint.status.success(), "verilator lint:\n{}", String::from_utf8_lossy(&lint.stderr));
    let names: Vec<String> = files.iter().map(|f| f.file_name().unwrap().to_string_lossy().into_owned()).collect();
    let script = format!("read_verilog {}; synth_ice40 -top {}; tee -o stat.txt stat", names.join(" "), rtl.top);
    let out = Command::new("yosys").args(["-q", "-p", &script]).current_dir(dir).output().unwrap();
    let log = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "yosys:\n{log}");
    let stat = std::fs::read_to_string(dir.join("stat.txt")).unwrap();
    let cells = stat
        .lines()
        .find_map(|l| l.trim().strip_prefix("Number of cells:").map(|n| n.trim().parse::<usize>().unwrap()))
        .expect("yosys stat prints a cell count");
    assert!(cells > 0, "synthesis produced an empty design");
    cells
}

#[test]
fn every_case_matches_integer_math_under_backpressure() {
    for case in cases() {
        let dir = tempfile::tempdir().unwrap();
        for (sim, got) in simulate(&case.graph, &case.inputs, case.stall, dir.path()) {
            assert_eq!(got.len(), case.expected.len(), "{sim}: {}: output vectors", case.name);
            for (k, (y, want)) in got.iter().zip(&case.expected).enumerate() {
                assert_eq!(y, want, "{sim}: {}: vector {k}", case.name);
            }
        }
    }
}

#[test]
fn every_case_model_in_lockstep_with_its_verilog() {
    for case in cases() {
        let beats = lockstep(&case.graph, 1500, case.stall, 17);
        assert!(beats > 10, "{}: only {beats} output beats in 1500 cycles", case.name);
    }
}

#[test]
fn golden_verilog() {
    for case in cases() {
        golden(case.name, &case.graph);
    }
}

#[test]
fn every_case_lints_clean_and_synthesizes_for_ice40() {
    for case in cases() {
        let dir = tempfile::tempdir().unwrap();
        let cells = lint_and_synth(&case.graph, dir.path());
        eprintln!("{}: {cells} iCE40 cells", case.name);
    }
}

#[test]
fn every_kind_in_a_compiled_network_has_cases() {
    use bitloom_compiler::compile::{compile, FoldChoice};
    use bitloom_compiler::random_model::{random_bnn, RandomOptions};
    let kinds: std::collections::BTreeSet<&str> =
        bitloom_hdl::blocks::cases().iter().map(|c| c.graph.nodes[0].kind()).collect();
    let model = random_bnn("net", &[20, 12, 6], 1, RandomOptions { ternary: true, ..RandomOptions::default() });
    let g = compile(&model, &FoldChoice::TargetIi(8)).unwrap().graph;
    for node in &g.nodes {
        assert!(kinds.contains(node.kind()), "no block case for kind {} (register them in its module)", node.kind());
    }
    assert!(g.nodes.iter().any(|n| n.kind() == "dwc"), "the network should need a width converter");
}
