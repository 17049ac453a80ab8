//! Every block alone: its Verilog core under Verilator and its rust-hdl cycle model, each
//! against plain integer math under random back-pressure; a golden-Verilog check,
//! Verilator's `-Wall` lint, and a yosys iCE40 synthesis check.
//!
//! Golden files live in `hdl/tests/golden/`; re-bless them with `BITLOOM_BLESS=1`.

use bitloom_compiler::ir::{DataflowGraph, Dwc, Fifo, Mvu, MvuMode, Node, Stream, Threshold};
use bitloom_compiler::model::{dense_output_type, threshold_output_type, BitMatrix, ThresholdOutput, ThresholdTable};
use bitloom_compiler::types::DataType;
use bitloom_hdl::engine::ModelSim;
use bitloom_sim::{build, run_stream, Backpressure, BuildRequest, Sim};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::{Path, PathBuf};
use std::process::Command;

fn require(tool: &str, package: &str) {
    let ok = Command::new(tool).arg("-V").output().map(|o| o.status.success()).unwrap_or(false)
        || Command::new(tool).arg("--version").output().map(|o| o.status.success()).unwrap_or(false);
    assert!(ok, "this test needs `{tool}`: install it with `apt-get install {package}` (or run scripts/setup.sh)");
}

fn cache() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("verilator-cache")
}

fn graph(node: Node, i: Stream, o: Stream) -> DataflowGraph {
    let g = DataflowGraph { name: "block".into(), nodes: vec![node], edges: vec![i, o] };
    bitloom_compiler::ir_verify::verify(&g).expect("test graph is valid");
    g
}

/// Simulates vectors through a one-block design, under Verilator and under rust-hdl, and
/// returns each simulator's output vectors.
fn simulate(g: &DataflowGraph, vectors: &[Vec<i64>], stall: f64, dir: &Path) -> [(&'static str, Vec<Vec<i64>>); 2] {
    [("verilator", simulate_verilator(g, vectors, stall, dir)), ("rust-hdl", simulate_model(g, vectors, stall))]
}

/// The rust-hdl model of a design, driven with the stream protocol under random back-pressure.
fn simulate_model(g: &DataflowGraph, vectors: &[Vec<i64>], stall: f64) -> Vec<Vec<i64>> {
    let mut sim = ModelSim::new(g).unwrap();
    sim.set_reset(true).unwrap();
    sim.tick().unwrap();
    sim.tick().unwrap();
    sim.set_reset(false).unwrap();
    let beats: Vec<Vec<u64>> = vectors.iter().flat_map(|v| g.input().pack(v)).collect();
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
    let req = BuildRequest { rtl_files: files, top: rtl.top.clone(), in_bits: rtl.in_bits, out_bits: rtl.out_bits, trace: false };
    let built = build(&req, &cache(), None).unwrap();
    let mut sim = Sim::new(&built, dir).unwrap();
    sim.reset(2).unwrap();
    let beats: Vec<Vec<u64>> = vectors.iter().flat_map(|v| g.input().pack(v)).collect();
    let per = g.output().beats();
    let bp = Backpressure { in_stall: stall, out_stall: stall, seed: 9 };
    let run = run_stream(&mut sim, &beats, vectors.len() * per, &bp, 1_000_000, None).unwrap();
    run.outputs.chunks(per).map(|c| g.output().unpack(c)).collect()
}

fn values(rng: &mut ChaCha8Rng, t: DataType, n: usize) -> Vec<i64> {
    (0..n).map(|_| if t == DataType::Bipolar { if rng.gen() { 1 } else { -1 } } else { rng.gen_range(t.min()..=t.max()) }).collect()
}

fn golden(name: &str, g: &DataflowGraph) {
    let rtl = bitloom_hdl::emit(g);
    let text: String = rtl.modules.iter().map(|m| m.text.clone()).collect::<Vec<_>>().join("\n");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(format!("{name}.v"));
    if std::env::var_os("BITLOOM_BLESS").is_some() {
        std::fs::write(&path, &text).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("missing {}: run with BITLOOM_BLESS=1", path.display()));
    if want != text {
        let diff: Vec<String> = want
            .lines()
            .zip(text.lines())
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .take(5)
            .map(|(i, (a, b))| format!("line {}:\n- {a}\n+ {b}", i + 1))
            .collect();
        panic!("{} differs from the emitted Verilog (re-bless with BITLOOM_BLESS=1):\n{}", path.display(), diff.join("\n"));
    }
}

/// Verilator -Wall lint and a yosys synth_ice40 run; returns yosys's cell count.
fn lint_and_synth(g: &DataflowGraph, dir: &Path) -> usize {
    require("verilator", "verilator");
    require("yosys", "yosys");
    let rtl = bitloom_hdl::emit(g);
    let files = rtl.write_to(dir).unwrap();
    let lint = Command::new("verilator").args(["--lint-only", "-Wall", "--top-module", &rtl.top]).args(&files).output().unwrap();
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

fn mvu_graph(seed: u64, mh: usize, mw: usize, pe: usize, simd: usize, input: DataType) -> (DataflowGraph, BitMatrix) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut w = BitMatrix::zeros(mh, mw);
    for r in 0..mh {
        for c in 0..mw {
            w.set(r, c, rng.gen());
        }
    }
    let mode = if input == DataType::Bipolar { MvuMode::Xnor } else { MvuMode::SignedAdd };
    let node = Node::Mvu(Mvu { name: "mvu".into(), weights: w.clone(), mode, pe, simd });
    let i = Stream { dtype: input, len: mw, fold: simd };
    let o = Stream { dtype: dense_output_type(input, mw), len: mh, fold: pe };
    (graph(node, i, o), w)
}

fn mvu_check(seed: u64, mh: usize, mw: usize, pe: usize, simd: usize, input: DataType, stall: f64) {
    let (g, w) = mvu_graph(seed, mh, mw, pe, simd, input);
    let mut rng = ChaCha8Rng::seed_from_u64(seed + 1);
    let xs: Vec<Vec<i64>> = (0..6).map(|_| values(&mut rng, input, mw)).collect();
    let dir = tempfile::tempdir().unwrap();
    for (sim, got) in simulate(&g, &xs, stall, dir.path()) {
        for (x, y) in xs.iter().zip(&got) {
            let want: Vec<i64> = (0..mh).map(|r| (0..mw).map(|c| if w.get(r, c) { x[c] } else { -x[c] }).sum()).collect();
            assert_eq!(y, &want, "{sim}: MVU {mh}x{mw} PE {pe} SIMD {simd} {input}");
        }
    }
}

#[test]
fn mvu_xnor_matches_integer_math_under_backpressure() {
    mvu_check(1, 6, 12, 3, 4, DataType::Bipolar, 0.3);
    mvu_check(2, 7, 9, 1, 9, DataType::Bipolar, 0.5);
}

#[test]
fn mvu_signed_add_matches_integer_math_under_backpressure() {
    mvu_check(3, 6, 10, 2, 5, DataType::Int(2), 0.3);
    mvu_check(4, 4, 6, 4, 1, DataType::UInt(8), 0.3);
}

fn threshold_graph(shared: bool, output: ThresholdOutput, steps: usize) -> DataflowGraph {
    let (len, pe, input) = (12, 3, DataType::Int(6));
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let rows = if shared { 1 } else { len };
    let mut values = Vec::new();
    for _ in 0..rows {
        let mut r: Vec<i64> = (0..steps).map(|_| rng.gen_range(-33..=32)).collect();
        r.sort();
        values.extend(r);
    }
    let thresholds = ThresholdTable::new(rows, steps, values).unwrap();
    let node = Node::Threshold(Threshold { name: "thr".into(), thresholds, output, pe });
    let o = Stream { dtype: threshold_output_type(steps, output), len, fold: pe };
    graph(node, Stream { dtype: input, len, fold: pe }, o)
}

fn threshold_check(shared: bool, output: ThresholdOutput, steps: usize) {
    let g = threshold_graph(shared, output, steps);
    let Node::Threshold(t) = &g.nodes[0] else { unreachable!() };
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    let xs: Vec<Vec<i64>> = (0..5).map(|_| values(&mut rng, DataType::Int(6), 12)).collect();
    let dir = tempfile::tempdir().unwrap();
    for (sim, got) in simulate(&g, &xs, 0.3, dir.path()) {
        for (x, y) in xs.iter().zip(&got) {
            let want: Vec<i64> = x
                .iter()
                .enumerate()
                .map(|(c, &a)| {
                    let n = t.thresholds.row(c).iter().filter(|&&th| a >= th).count() as i64;
                    match output {
                        ThresholdOutput::Bipolar => if n == 1 { 1 } else { -1 },
                        ThresholdOutput::Integer { bias } => n + bias,
                    }
                })
                .collect();
            assert_eq!(y, &want, "{sim}: threshold");
        }
    }
}

#[test]
fn threshold_per_channel_and_shared_under_backpressure() {
    threshold_check(false, ThresholdOutput::Integer { bias: -1 }, 2);
    threshold_check(true, ThresholdOutput::Bipolar, 1);
    threshold_check(false, ThresholdOutput::Integer { bias: 0 }, 7);
}

fn passthrough_check(node: Node, i: Stream, o: Stream) {
    let g = graph(node, i, o);
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let xs: Vec<Vec<i64>> = (0..7).map(|_| values(&mut rng, i.dtype, i.len)).collect();
    let dir = tempfile::tempdir().unwrap();
    for (sim, got) in simulate(&g, &xs, 0.4, dir.path()) {
        assert_eq!(got, xs, "{sim}: {}", g.nodes[0].name());
    }
}

#[test]
fn dwc_split_and_gather_pass_values_through() {
    let s = |fold| Stream { dtype: DataType::Int(3), len: 12, fold };
    passthrough_check(Node::Dwc(Dwc { name: "split".into() }), s(6), s(2));
    passthrough_check(Node::Dwc(Dwc { name: "gather".into() }), s(3), s(12));
}

#[test]
fn fifo_passes_values_through() {
    let s = Stream { dtype: DataType::UInt(5), len: 12, fold: 3 };
    passthrough_check(Node::Fifo(Fifo { name: "fifo".into(), depth: 3 }), s, s);
}

fn all_blocks() -> Vec<(&'static str, DataflowGraph)> {
    let s = |fold| Stream { dtype: DataType::Int(3), len: 12, fold };
    vec![
        ("mvu_xnor", mvu_graph(1, 6, 12, 3, 4, DataType::Bipolar).0),
        ("mvu_signed", mvu_graph(3, 6, 10, 2, 5, DataType::Int(2)).0),
        ("threshold_channels", threshold_graph(false, ThresholdOutput::Integer { bias: -1 }, 2)),
        ("threshold_shared", threshold_graph(true, ThresholdOutput::Bipolar, 1)),
        ("dwc_split", graph(Node::Dwc(Dwc { name: "split".into() }), s(6), s(2))),
        ("dwc_gather", graph(Node::Dwc(Dwc { name: "gather".into() }), s(3), s(12))),
        ("fifo", graph(Node::Fifo(Fifo { name: "fifo".into(), depth: 4 }), s(3), s(3))),
    ]
}

#[test]
fn golden_verilog() {
    for (name, g) in all_blocks() {
        golden(name, &g);
    }
}

#[test]
fn every_block_lints_clean_and_synthesizes_for_ice40() {
    for (name, g) in all_blocks() {
        let dir = tempfile::tempdir().unwrap();
        let cells = lint_and_synth(&g, dir.path());
        eprintln!("{name}: {cells} iCE40 cells");
    }
}
