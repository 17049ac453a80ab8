//! `bitloom bench [--quick]`: the performance tables.
//!
//! (a) the reference executor against an f32 GEMM baseline of the same network, batch 1 and
//! 256, in one run; (b) simulated cycles per inference against the II bound for several
//! foldings of the bundled example; (c) Verilator build time and simulated cycles per second
//! for a 784-1024-1024-1024-10 network; (d) the link: images per second and efficiency through
//! the virtual board at 115 200, 1 M and 3 M baud in simulated time, against the wire limit, with
//! 16 ms latency, a slowed board and a busy host; the demo's 20-image run repeated (`--runs`);
//! retries per injected fault; (e) the bundled example's board top level on the
//! iCEBreaker: logic cells, block RAM, fmax and II, and images per second at fmax and at the
//! board clock; (f) every engine kind's LUTs, flip-flops, block RAM and DSPs per lane on iCE40 and
//! 7-series, its fmax, and the cost model against yosys (`bitloom_flow::engines`).

use anyhow::{Context, Result};
use bitloom_flow::design::Design;
use bitloom_flow::simcheck::{random_inputs, simulate, SimOptions};
use bitloom_compiler::compile::FoldChoice;
use bitloom_compiler::fold::{FoldMap, Folding};
use bitloom_compiler::model::{Layer, Model, ThresholdOutput};
use bitloom_compiler::random_model::{random_bnn, RandomOptions};
use bitloom_compiler::reference::Executor;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Arguments of `bench`.
#[derive(clap::Args)]
pub struct Args {
    /// Fewer repetitions and smaller simulations (for a smoke run).
    #[arg(long)]
    quick: bool,
    /// Which tables: any of `reference`, `folding`, `verilator`, `link`, `board`, `engines` (default: all).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Repetitions of the README demo's 20-image run in the link table (default 20; 3 of 5 images with --quick).
    #[arg(long)]
    runs: Option<usize>,
    /// Scratch directory for builds.
    #[arg(long, default_value = "build/bench")]
    dir: PathBuf,
}

/// Runs the benchmarks and prints their tables.
pub fn run(a: Args) -> Result<ExitCode> {
    let want = |t: &str| a.only.is_empty() || a.only.iter().any(|o| o == t);
    std::fs::create_dir_all(&a.dir)?;
    if want("reference") {
        bench_reference(a.quick);
    }
    if want("folding") {
        bench_folding(&a.dir, a.quick)?;
    }
    if want("verilator") {
        bench_verilator(&a.dir, a.quick)?;
    }
    if want("link") {
        bench_link(&a.dir, a.quick, a.runs)?;
    }
    if want("board") {
        bench_board(&a.dir)?;
    }
    if want("engines") {
        bench_engines(&a.dir, a.quick)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The same network in f32: dense layers by GEMM, each threshold as a float compare.
struct FloatNet {
    layers: Vec<FloatLayer>,
}

enum FloatLayer {
    Dense { rows: usize, cols: usize, w: Vec<f32> },
    Sign { t: Vec<f32> },
}

impl FloatNet {
    fn new(model: &Model) -> Self {
        let mut len = model.input.len();
        let layers = model
            .layers
            .iter()
            .map(|l| match l {
                Layer::BinaryDense(d) => {
                    let (rows, cols) = (d.out_features(), d.in_features());
                    let w = (0..rows * cols).map(|i| if d.weights.get(i / cols, i % cols) { 1.0 } else { -1.0 }).collect();
                    len = rows;
                    FloatLayer::Dense { rows, cols, w }
                }
                Layer::Dense(d) => {
                    let (rows, cols) = (d.out_features(), d.in_features());
                    len = rows;
                    FloatLayer::Dense { rows, cols, w: d.weights.values().iter().map(|&w| w as f32).collect() }
                }
                Layer::HorqDense(_) | Layer::Conv2d(_) | Layer::MaxPool2d(_) => {
                    unreachable!("the bench networks are binary MLPs")
                }
                Layer::Threshold(t) => {
                    assert_eq!(t.output, ThresholdOutput::Bipolar, "the float baseline models sign activations");
                    FloatLayer::Sign { t: (0..len).map(|c| t.thresholds.row(c)[0] as f32).collect() }
                }
            })
            .collect();
        FloatNet { layers }
    }

    /// Runs a batch stored column-major: `x` is `len × batch`.
    fn run(&self, x: &[f32], batch: usize) -> Vec<f32> {
        let mut cur = x.to_vec();
        for l in &self.layers {
            match l {
                FloatLayer::Dense { rows, cols, w } => {
                    let mut y = vec![0f32; rows * batch];
                    // y (rows × batch) = W (rows × cols) · x (cols × batch), row-major.
                    unsafe {
                        // SAFETY: the slices hold exactly rows·cols, cols·batch and rows·batch
                        // elements with the row-major strides given.
                        matrixmultiply::sgemm(
                            *rows, *cols, batch, 1.0, w.as_ptr(), *cols as isize, 1, cur.as_ptr(), batch as isize, 1, 0.0,
                            y.as_mut_ptr(), batch as isize, 1,
                        );
                    }
                    cur = y;
                }
                FloatLayer::Sign { t } => {
                    for (i, v) in cur.iter_mut().enumerate() {
                        *v = if *v >= t[i / batch] { 1.0 } else { -1.0 };
                    }
                }
            }
        }
        cur
    }
}

fn time_per_item(reps: usize, items: usize, mut f: impl FnMut()) -> f64 {
    f();
    let start = Instant::now();
    for _ in 0..reps {
        f();
    }
    start.elapsed().as_secs_f64() / (reps * items) as f64
}

fn bench_reference(quick: bool) {
    let model = random_bnn("bench", &[784, 1024, 1024, 1024, 10], 7, RandomOptions::default());
    let exec = Executor::new(&model).expect("a generated model is valid");
    let float = FloatNet::new(&model);
    println!("## (a) reference executor vs f32 GEMM, 784-1024-1024-1024-10\n");
    println!("| batch | reference µs/inference | f32 GEMM µs/inference | speed-up |");
    println!("|---:|---:|---:|---:|");
    for batch in [1usize, 256] {
        let inputs = random_inputs(3, batch, 784, model.input.dtype);
        let mut x = vec![0f32; 784 * batch];
        for (b, img) in inputs.iter().enumerate() {
            for (i, &p) in img.iter().enumerate() {
                x[i * batch + b] = f32::from(p);
            }
        }
        let reps = if quick { 3 } else if batch == 1 { 2000 } else { 20 };
        let t_ref = time_per_item(reps, batch, || {
            if batch == 1 {
                std::hint::black_box(exec.run(&inputs[0]).unwrap());
            } else {
                std::hint::black_box(exec.run_batch(&inputs).unwrap());
            }
        });
        let t_f32 = time_per_item(reps, batch, || {
            std::hint::black_box(float.run(&x, batch));
        });
        println!("| {batch} | {:.2} | {:.2} | {:.1}x |", t_ref * 1e6, t_f32 * 1e6, t_f32 / t_ref);
    }
    println!("\nreference: bit-packed XNOR-popcount, batch 256 in parallel on {} threads; f32: matrixmultiply sgemm, one thread.\n", rayon::current_num_threads());
}

fn compile_into(model: &Model, choice: &FoldChoice, dir: &Path) -> Result<Design> {
    bitloom_flow::design::build(model, choice, dir)
}

fn sim_opts(cache: PathBuf) -> SimOptions {
    SimOptions { stall: 0.0, seed: 1, trace: None, cache_dir: cache, quiet: true }
}

fn bench_folding(dir: &Path, quick: bool) -> Result<()> {
    let model = bitloom_compiler::format::load(Path::new("examples/tfc-w1a1")).context("loading examples/tfc-w1a1 (run from the repository root)")?;
    println!("## (b) cycles per inference against the II bound, tfc-w1a1 (784-64-64-64-10)\n");
    println!("| target II | foldings (PE×SIMD per layer) | II bound | cycles/inference | ratio | mismatches |");
    println!("|---:|---|---:|---:|---:|---:|");
    let n = if quick { 8 } else { 64 };
    let inputs = random_inputs(5, n, 784, model.input.dtype);
    for target in [1568usize, 392, 98, 49] {
        let out = dir.join(format!("tfc-ii{target}"));
        let design = compile_into(&model, &FoldChoice::TargetIi(target), &out)?;
        let r = simulate(&out, &design, &model, &inputs, &sim_opts(bitloom_sim::default_cache_dir()))?;
        let folds: Vec<String> = design.folding.values().map(|f| format!("{}×{}", f.pe, f.simd)).collect();
        println!(
            "| {target} | {} | {} | {:.1} | {:.3} | {} |",
            folds.join(", "), design.ii, r.cycles_per_inference, r.cycles_per_inference / design.ii as f64, r.mismatches
        );
    }
    println!();
    Ok(())
}

fn bench_verilator(dir: &Path, quick: bool) -> Result<()> {
    let model = random_bnn("big", &[784, 1024, 1024, 1024, 10], 11, RandomOptions::default());
    let mut folds = FoldMap::new();
    let names: Vec<String> = model.layers.iter().filter(|l| matches!(l, Layer::BinaryDense(_))).map(|l| l.name().to_string()).collect();
    // BNN-PYNQ's published LFC folding (tests/data/lfc-finn.toml): SIMD 64 on 784 inputs and
    // PE 16 on 10 outputs pad.
    for (name, (pe, simd)) in names.iter().zip([(32, 64), (64, 32), (32, 64), (16, 8)]) {
        folds.insert(name.clone(), Folding { pe, simd });
    }
    let out = dir.join("big");
    let design = compile_into(&model, &FoldChoice::Explicit(folds), &out)?;
    // A fresh cache so the build is measured, not looked up.
    let cache = dir.join("verilator-cache");
    if cache.exists() {
        std::fs::remove_dir_all(&cache)?;
    }
    let n = if quick { 8 } else { 64 };
    let inputs = random_inputs(9, n, 784, model.input.dtype);
    let r = simulate(&out, &design, &model, &inputs, &sim_opts(cache))?;
    println!("## (c) Verilator, 784-1024-1024-1024-10 (PE×SIMD 32×64, 64×32, 32×64, 16×8)\n");
    println!("| build s | II bound | cycles/inference | ratio | simulated cycles/s | inputs | mismatches |");
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    println!(
        "| {:.1} | {} | {:.1} | {:.3} | {:.0} | {} | {} |\n",
        r.build_secs, design.ii, r.cycles_per_inference, r.cycles_per_inference / design.ii as f64, r.sim_cycles_per_sec, r.inputs, r.mismatches
    );
    Ok(())
}

/// The bundled example compiled for the iCEBreaker (the folding `compile --board` chooses, and
/// the next faster one) and synthesized as the board's top level.
fn bench_board(dir: &Path) -> Result<()> {
    use bitloom_flow::boards::Board;
    use bitloom_flow::synth::synthesize_board;
    let board = Board::by_name("icebreaker")?;
    let part = board.capacity()?;
    let model = bitloom_compiler::format::load(Path::new("examples/tfc-w1a1"))?;
    println!("## (e) tfc-w1a1's board top level on the iCEBreaker (iCE40UP5K, 12 MHz, UART link and dataflow)\n");
    println!("| target II | II | logic cells | block RAM | fmax MHz | images/s at fmax | images/s at 12 MHz | synthesis s |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    for target in [3136, 1568] {
        let out = dir.join(format!("board-{target}"));
        let link = bitloom_flow::design::link_for(Some(board), board.design_mhz, Default::default())?;
        // II 1568 passes the block RAM estimate (30 of 30) but yosys maps 31: synthesis has the last word.
        let design = match bitloom_flow::design::build_with(&model, &FoldChoice::TargetIi(target), &out, &link, Some(board)) {
            Ok(d) => d,
            Err(e) => {
                println!("| {target} | | | | | | | refused: {} |", e.to_string().lines().next().unwrap_or_default());
                continue;
            }
        };
        let start = Instant::now();
        match synthesize_board(&design, board, &out, 12.0) {
            Ok(r) => {
                let fmax = r.fmax_mhz.unwrap_or(0.0);
                println!(
                    "| {target} | {} | {} / {} | {} / {} | {fmax:.1} | {:.0} | {:.0} | {:.0} |",
                    design.ii,
                    r.luts,
                    part.luts,
                    r.brams,
                    part.rams,
                    fmax * 1e6 / design.ii as f64,
                    12e6 / design.ii as f64,
                    start.elapsed().as_secs_f64()
                );
            }
            Err(e) => println!("| {target} | {} | | | | | | does not fit: {} |", design.ii, e.to_string().lines().next().unwrap_or_default()),
        }
    }
    println!("\nThe link limits a real board long before the dataflow does: see the link table for images/s through the UART.\n");
    Ok(())
}

/// (f) Each engine kind's cost per lane on iCE40 and 7-series against the cost model.
fn bench_engines(dir: &Path, quick: bool) -> Result<()> {
    println!("## (f) Engines: cost per unit (cells at 16 units − cells at 1, over 15), yosys and nextpnr on the UP5K, yosys synth_xilinx, and the cost model\n");
    let table = bitloom_flow::engines::bench(&dir.join("engines"), quick)?;
    println!("{}", table.markdown());
    Ok(())
}

/// One way to run the virtual board for the link tables.
#[derive(Clone, Copy)]
struct LinkSetup {
    baud: u32,
    window: usize,
    latency_ms: u64,
    /// A cap on simulated cycles per second.
    max_mhz: Option<f64>,
    /// Busy loops on both cores for the duration.
    busy: bool,
    fault_rate: f64,
}

impl LinkSetup {
    const fn at(baud: u32) -> LinkSetup {
        LinkSetup { baud, window: 8, latency_ms: 0, max_mhz: None, busy: false, fault_rate: 0.0 }
    }

    fn host(&self) -> String {
        match (self.busy, self.max_mhz) {
            (true, _) => "busy (2 loops)".into(),
            (false, Some(f)) => format!("board ≤ {f} MHz"),
            (false, None) => "idle".into(),
        }
    }
}

/// What one connection to the virtual board measured.
#[derive(Default)]
struct LinkRun {
    /// Outputs that differ from the reference (must be 0), and images with no answer.
    mismatches: usize,
    missing: usize,
    cycles: u64,
    wall: f64,
    faults: u64,
    stats: bitloom_driver::LinkStats,
}

impl LinkRun {
    fn efficiency(&self) -> f64 {
        let s = &self.stats;
        (s.payload_out + s.payload_in) as f64 / (s.wire_out + s.wire_in).max(1) as f64
    }
}

/// Busy loops end by themselves after this long even if bitloom dies first.
const BUSY_BOUND: Duration = Duration::from_secs(1800);

/// The board of `out` set up as `setup`, `runs` connections of `images` each (a fresh
/// connection per run, as `bitloom run` makes), every answer checked; under faults, images are
/// sent ten at a time so one request given up on costs only its own ten.
fn link_runs(
    out: &Path,
    setup: LinkSetup,
    runs: usize,
    images: &[Vec<i64>],
    want: &[Vec<i64>],
) -> Result<Vec<LinkRun>> {
    use bitloom_driver::{Device, Options};
    use bitloom_sim::board::{BoardOptions, BusyLoops, Faults, VirtualBoard};
    let opts = BoardOptions {
        divisor: (12e6 / f64::from(setup.baud)).round() as u32,
        faults: if setup.fault_rate > 0.0 { Faults::at_rate(setup.fault_rate, 7) } else { Faults::NONE },
        cache_dir: bitloom_sim::default_cache_dir(),
        latency: Duration::from_millis(setup.latency_ms),
        max_cycles_per_sec: setup.max_mhz.map(|f| f * 1e6),
    };
    let vb = VirtualBoard::start(out, &opts)?;
    let _busy = if setup.busy { Some(BusyLoops::start(2, BUSY_BOUND)?) } else { None };
    let port = vb.pty_path().to_str().context("pty path")?.to_string();
    let options = Options { window: setup.window, ..Options::default() };
    let chunk = if setup.fault_rate > 0.0 { 10 } else { images.len() };
    let mut results = Vec::with_capacity(runs);
    for _ in 0..runs {
        let (c0, t0) = (vb.counters(), Instant::now());
        let mut run = LinkRun::default();
        let mut dev = match Device::open(&port, setup.baud, options) {
            Ok(dev) => dev,
            Err(bitloom_driver::Error::NoAnswer { .. }) if setup.fault_rate > 0.0 => {
                results.push(LinkRun { missing: images.len(), ..LinkRun::default() });
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        for (k, part) in images.chunks(chunk).enumerate() {
            match dev.infer(part) {
                Ok(got) => {
                    run.mismatches += got
                        .iter()
                        .zip(&want[k * chunk..])
                        .map(|(g, w)| g.iter().zip(w).filter(|(a, b)| a != b).count())
                        .sum::<usize>()
                }
                Err(bitloom_driver::Error::NoAnswer { .. }) if setup.fault_rate > 0.0 => run.missing += part.len(),
                Err(e) => return Err(e.into()),
            }
        }
        let c1 = vb.counters();
        (run.cycles, run.wall, run.faults, run.stats) =
            (c1.cycles - c0.cycles, t0.elapsed().as_secs_f64(), c1.faults - c0.faults, dev.stats());
        results.push(run);
    }
    vb.stop()?;
    Ok(results)
}

/// The bundled example behind the virtual board (its real UART RTL, bytes crossing in simulated
/// time at a 12 MHz clock) driven by the host driver through the pseudo-terminal, as `bitloom
/// run` does, with every output checked against the reference: throughput at several baud
/// rates, latencies and host loads; the README demo's 20-image run repeated `runs` times; and
/// retries per injected fault.
fn bench_link(dir: &Path, quick: bool, runs: Option<usize>) -> Result<()> {
    const CLOCK_HZ: f64 = 12e6;
    let board = bitloom_flow::boards::Board::by_name("icebreaker")?;
    let model = bitloom_compiler::format::load(Path::new("examples/tfc-w1a1"))?;
    let out = dir.join("link");
    // One build serves every baud rate: the virtual board takes the divisor as an input.
    let design = bitloom_flow::design::build_with(&model, &FoldChoice::TargetIi(3136), &out, &Default::default(), Some(board))?;
    let digits = Path::new("tests/data/mnist-images.idx.gz");
    let inputs = bitloom_flow::inputs::load_images(digits, &model.input, None, "the example's input")?;
    let want_one = bitloom_compiler::reference::run_batch(&model, &inputs)?;
    let in_vec = design.input.len;
    let batch = |n: usize| -> (Vec<Vec<i64>>, Vec<Vec<i64>>) {
        let xs = inputs.iter().cycle().take(n).map(|x| x.iter().map(|&v| i64::from(v)).collect()).collect();
        (xs, want_one.iter().cycle().take(n).cloned().collect())
    };
    println!(
        "## (d) the link: tfc-w1a1 through the virtual board (iCEBreaker build, 12 MHz, II {}), simulated time\n",
        design.ii
    );
    println!("| baud | window | latency ms | host | images | images/s | wire limit | of limit | payload limit | link efficiency | retries | dropped | mismatches | images/s wall | sim cycles/s |");
    println!("|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let s = LinkSetup::at;
    let scale = |n: usize| if quick { (n / 10).max(3) } else { n };
    let rows: Vec<(LinkSetup, usize)> = vec![
        (s(115_200), scale(20)),
        (s(1_000_000), scale(100)),
        (LinkSetup { window: 1, ..s(3_000_000) }, scale(100)),
        (s(3_000_000), scale(200)),
        (LinkSetup { latency_ms: 16, ..s(115_200) }, scale(20)),
        (LinkSetup { latency_ms: 16, ..s(3_000_000) }, scale(200)),
        (LinkSetup { max_mhz: Some(1.0), ..s(3_000_000) }, scale(20)),
        (LinkSetup { busy: true, ..s(115_200) }, scale(20)),
    ];
    for (setup, n) in rows {
        let (xs, want) = batch(n);
        let r = link_runs(&out, setup, 1, &xs, &want)?.remove(0);
        let secs = r.cycles as f64 / CLOCK_HZ;
        // The host → board direction carries the images: the line moves baud / 10 bytes a second.
        let bytes_per_sec = f64::from(setup.baud) / 10.0;
        let wire_limit = bytes_per_sec / (r.stats.wire_out as f64 / n as f64);
        let ips = n as f64 / secs;
        println!(
            "| {} | {} | {} | {} | {n} | {ips:.1} | {wire_limit:.1} | {:.1} % | {:.1} | {:.3} | {} | {} | {} | {:.1} | {:.2} M |",
            setup.baud,
            setup.window,
            setup.latency_ms,
            setup.host(),
            100.0 * ips / wire_limit,
            bytes_per_sec / in_vec as f64,
            r.efficiency(),
            r.stats.retries,
            r.stats.dropped,
            r.mismatches,
            n as f64 / r.wall,
            r.cycles as f64 / r.wall / 1e6
        );
    }
    println!(
        "\nimages/s = images ÷ simulated seconds (cycles ÷ 12 MHz) from the first request to the last answer (the \
         virtual board pauses while it waits, so latency costs wall time, not simulated time: see images/s wall). \
         Wire limit = (baud ÷ 10) ÷ the bytes the host sent per image (SLIP framing, header, CRC and data of the \
         INFER requests, INFO and retries included): the rate of a line busy with nothing but this protocol's \
         requests. Payload limit = (baud ÷ 10) ÷ {in_vec} input bytes per image. Link efficiency = payload ÷ wire \
         bytes, both directions. Window = the most requests in flight (the driver keeps the measured \
         bandwidth-delay product in flight, at least two). The dataflow alone would take {:.0} images/s (12 MHz ÷ \
         II {}).\n",
        CLOCK_HZ / design.ii as f64,
        design.ii
    );

    let runs = runs.unwrap_or(if quick { 3 } else { 20 });
    // The demo sends 20 digits; a smoke run sends 5 (a debug build simulates slowly).
    let digits = if quick { 5 } else { 20 };
    println!("### The README demo's run ({digits} digits at 115 200 baud, a fresh connection each run), repeated\n");
    println!("| latency ms | host | runs | runs with retries | retries | dropped | mismatches | least efficiency | images/s wall (mean) |");
    println!("|---:|---|---:|---:|---:|---:|---:|---:|---:|");
    let (xs, want) = batch(digits);
    for setup in [LinkSetup { busy: true, ..s(115_200) }, LinkSetup { latency_ms: 16, ..s(115_200) }, s(115_200)] {
        let r = link_runs(&out, setup, runs, &xs, &want)?;
        let with_retries = r.iter().filter(|r| r.stats.retries > 0).count();
        let sum = |f: fn(&LinkRun) -> u64| r.iter().map(f).sum::<u64>();
        let least = r.iter().map(LinkRun::efficiency).fold(f64::INFINITY, f64::min);
        let ips = r.iter().map(|r| digits as f64 / r.wall).sum::<f64>() / r.len() as f64;
        println!(
            "| {} | {} | {runs} | {with_retries} | {} | {} | {} | {least:.3} | {ips:.1} |",
            setup.latency_ms,
            setup.host(),
            sum(|r| r.stats.retries),
            sum(|r| r.stats.dropped),
            r.iter().map(|r| r.mismatches).sum::<usize>()
        );
    }
    println!("\nGoal: no retries in any zero-fault run, idle, with 16 ms latency and with both cores busy.\n");

    println!("### Under injected faults (`bitloom board --fault-rate P`, 3 Mbaud): every answer correct or reported missing\n");
    println!(
        "| fault rate | images | faults injected | retries | retries per fault | correct | missing | wrong outputs |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    let (xs, want) = batch(if quick { 10 } else { 100 });
    for rate in [1e-4, 1e-3, 3e-3] {
        let r = link_runs(&out, LinkSetup { fault_rate: rate, ..s(3_000_000) }, 1, &xs, &want)?.remove(0);
        println!(
            "| {rate} | {} | {} | {} | {:.2} | {} | {} | {} |",
            xs.len(),
            r.faults,
            r.stats.retries,
            r.stats.retries as f64 / r.faults.max(1) as f64,
            xs.len() - r.missing,
            r.missing,
            r.mismatches
        );
    }
    println!(
        "\nEach byte (each direction) is flipped, dropped or repeated with probability P; each frame cut, repeated or \
         followed by a 50 ms stall with probability P. Correct = images answered (every answered output is compared \
         with the reference: wrong outputs must be 0); missing = images of a request the driver gave up on, reported.\n"
    );
    Ok(())
}
