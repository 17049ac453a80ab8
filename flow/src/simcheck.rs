//! Runs inputs through a compiled design in Verilator and checks every output value against
//! the integer reference executor.

use crate::design::Design;
use crate::progress;
use anyhow::{Context, Result};
use bitloom_compiler::model::Model;
use bitloom_compiler::reference;
use bitloom_compiler::types::DataType;
use bitloom_sim::stream::{run_stream, Backpressure};
use bitloom_sim::{build, BuildRequest, Sim};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// How to simulate.
#[derive(Clone, Debug)]
pub struct SimOptions {
    /// Probability per cycle that the testbench withholds input valid and output ready.
    pub stall: f64,
    /// Seed of the back-pressure pattern.
    pub seed: u64,
    /// Write a VCD trace here.
    pub trace: Option<PathBuf>,
    /// Verilator build cache.
    pub cache_dir: PathBuf,
    /// No progress bars.
    pub quiet: bool,
}

/// The first output that differs from the reference.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Mismatch {
    /// Input number.
    pub input: usize,
    /// Layer whose output differs (the design's last layer: its output is what leaves the chip).
    pub layer: String,
    /// Element index.
    pub index: usize,
    /// Reference value.
    pub expected: i64,
    /// Hardware value.
    pub got: i64,
}

/// What a simulation run measured.
#[derive(Clone, Debug, Serialize)]
pub struct SimReport {
    /// Inputs simulated.
    pub inputs: usize,
    /// Output values that differ from the reference.
    pub mismatches: usize,
    /// The first of them.
    pub first_mismatch: Option<Mismatch>,
    /// Steady-state cycles between consecutive results.
    pub cycles_per_inference: f64,
    /// The II bound from folding.
    pub ii_bound: usize,
    /// Cycles from reset release to the last output.
    pub total_cycles: u64,
    /// Latency of the first inference in cycles.
    pub first_latency: u64,
    /// Wall time of the simulation (without the build).
    pub wall_secs: f64,
    /// Simulated cycles per wall second.
    pub sim_cycles_per_sec: f64,
    /// Verilator build time (0 when cached).
    pub build_secs: f64,
    /// Whether the build came from the cache.
    pub build_cached: bool,
    /// Probability of a stall per cycle on each side.
    pub stall: f64,
    /// The input and its convention.
    pub input: String,
    /// The label of each hardware output: the argmax of the epilogue's `s·y + b` when the model
    /// has one, else of the integers.
    pub labels: Vec<usize>,
    /// Per input, the epilogue's `s·y + b` of the hardware's integers, when the model has one.
    pub epilogue_outputs: Option<Vec<Vec<f64>>>,
}

/// Builds (or reuses) the Verilated model of the design in `dir`.
pub fn build_design(dir: &Path, design: &Design, opts: &SimOptions) -> Result<bitloom_sim::BuiltModel> {
    let req = BuildRequest {
        rtl_files: design.rtl_files(dir),
        top: design.top.clone(),
        in_bits: design.input.width(),
        out_bits: design.output.width(),
        trace: opts.trace.is_some(),
    };
    let pb = progress::spinner("verilating", opts.quiet);
    let report = |msg: &str| pb.set_message(msg.to_string());
    let built = build(&req, &opts.cache_dir, Some(&report)).context("building the simulation")?;
    pb.finish_and_clear();
    Ok(built)
}

/// Simulates `inputs` through the design in `dir` and compares every output with the
/// reference execution of `model`.
pub fn simulate(dir: &Path, design: &Design, model: &Model, inputs: &[Vec<u8>], opts: &SimOptions) -> Result<SimReport> {
    let built = build_design(dir, design, opts)?;
    let mut sim = Sim::new(&built, &dir.join("rtl")).context("loading the simulation")?;
    if let Some(path) = &opts.trace {
        sim.trace_open(path).with_context(|| format!("opening trace {}", path.display()))?;
    }
    let expected = reference::run_batch(model, inputs).context("reference execution")?;

    let mut beats = Vec::with_capacity(inputs.len() * design.input.beats());
    for x in inputs {
        let values: Vec<i64> = x.iter().map(|&v| i64::from(v)).collect();
        beats.extend(design.input.pack(&values));
    }
    let out_per = design.output.beats();
    let n_out = inputs.len() * out_per;
    sim.reset(4)?;
    let pb = progress::bar(inputs.len() as u64, "simulating", opts.quiet);
    let tick = |done: u64| pb.set_position(done / out_per as u64);
    let bp = Backpressure { in_stall: opts.stall, out_stall: opts.stall, seed: opts.seed };
    // Generous bound: every inference within 50× its II plus the pipeline fill, stalls scaled in.
    let slack = 1.0 / (1.0 - opts.stall.min(0.95)).powi(2);
    let max_cycles = ((inputs.len() as f64 + 4.0) * (design.ii as f64 * 50.0 + 10_000.0) * slack) as u64;
    let start = Instant::now();
    let run = run_stream(&mut sim, &beats, n_out, &bp, max_cycles, Some(&tick)).context("simulation")?;
    let wall = start.elapsed().as_secs_f64();
    pb.finish_and_clear();
    if opts.trace.is_some() {
        sim.trace_close()?;
    }

    let layer = model.layers.last().map(|l| l.name().to_string()).unwrap_or_default();
    let mut mismatches = 0;
    let mut first = None;
    let mut labels = Vec::with_capacity(expected.len());
    let mut epilogue_outputs = model.epilogue.as_ref().map(|_| Vec::with_capacity(expected.len()));
    for (n, want) in expected.iter().enumerate() {
        let got = design.output.unpack(&run.outputs[n * out_per..(n + 1) * out_per]);
        // The epilogue runs on the host, after the integers the hardware returns.
        labels.push(model.label(&got));
        if let (Some(all), Some(e)) = (epilogue_outputs.as_mut(), model.epilogue_output(&got)) {
            all.push(e);
        }
        for (index, (&e, &g)) in want.iter().zip(&got).enumerate() {
            if e != g {
                mismatches += 1;
                first.get_or_insert(Mismatch { input: n, layer: layer.clone(), index, expected: e, got: g });
            }
        }
    }
    // The time of each inference's last output beat; steady state skips the pipeline fill.
    let done: Vec<u64> = run.out_cycles.chunks(out_per).map(|c| *c.last().unwrap()).collect();
    let cycles_per_inference = steady_state(&done);
    Ok(SimReport {
        inputs: inputs.len(),
        mismatches,
        first_mismatch: first,
        cycles_per_inference,
        ii_bound: design.ii,
        total_cycles: run.cycles,
        first_latency: done.first().copied().unwrap_or(0),
        wall_secs: wall,
        sim_cycles_per_sec: run.cycles as f64 / wall.max(1e-9),
        build_secs: built.build_secs,
        build_cached: built.cached,
        stall: opts.stall,
        input: crate::inputs::describe_input(&model.input),
        labels,
        epilogue_outputs,
    })
}

/// `n` seeded random input vectors of `len` elements drawn uniformly from the values of
/// `dtype` that an input byte can hold (`max(min, 0) ..= min(max, 255)`), the same for the
/// same seed.
pub fn random_inputs(seed: u64, n: usize, len: usize, dtype: DataType) -> Vec<Vec<u8>> {
    use rand::{Rng, SeedableRng};
    let (lo, hi) = (dtype.min().clamp(0, 255) as u8, dtype.max().clamp(0, 255) as u8);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    // The full byte range keeps the sequence earlier versions drew for uint8 inputs.
    let mut draw = || if (lo, hi) == (0, 255) { rng.gen() } else { rng.gen_range(lo..=hi) };
    (0..n).map(|_| (0..len).map(|_| draw()).collect()).collect()
}

/// Mean cycles between results after the first quarter (the pipeline fill); with fewer than
/// three results, the mean from reset.
pub fn steady_state(done: &[u64]) -> f64 {
    match done.len() {
        0 => 0.0,
        1 | 2 => *done.last().unwrap() as f64 / done.len() as f64,
        n => {
            let k = (n / 4).max(1);
            (done[n - 1] - done[k - 1]) as f64 / (n - k) as f64
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_inputs_lie_in_the_input_type() {
        for dtype in [
            DataType::UInt(1),
            DataType::UInt(4),
            DataType::UInt(8),
            DataType::Int(2),
            DataType::Int(8),
            DataType::UInt(12),
        ] {
            let xs = random_inputs(7, 20, 50, dtype);
            assert_eq!((xs.len(), xs[0].len()), (20, 50));
            assert!(xs.iter().flatten().all(|&v| dtype.contains(i64::from(v))), "{dtype}");
            let hi = dtype.max().min(255) as u8;
            assert!(xs.iter().flatten().any(|&v| v == hi), "{dtype}: the top of the range is drawn");
        }
        assert_eq!(random_inputs(3, 2, 9, DataType::UInt(8)), random_inputs(3, 2, 9, DataType::UInt(8)));
    }
}
