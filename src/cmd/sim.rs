//! `bitloom sim BUILD [--input IDX] [--limit N] [--stall P] [--trace out.vcd] [--json]`

use anyhow::{bail, Context, Result};
use bitloom_flow::design::Design;
use bitloom_flow::inputs::load_images;
use bitloom_flow::simcheck::{random_inputs, simulate, SimOptions, SimReport};
use bitloom_compiler::format;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Most bytes of random inputs `sim` draws (`--limit` times the input length).
const MAX_RANDOM_INPUT_BYTES: usize = 256 << 20;

/// Arguments of `sim`.
#[derive(clap::Args)]
pub struct Args {
    /// A directory written by `bitloom compile`.
    build: PathBuf,
    /// Images to simulate (IDX, plain or gzip, or .npy); without it, seeded random inputs.
    #[arg(long)]
    input: Option<PathBuf>,
    /// At most this many inputs (random inputs: exactly this many, at most 256 MiB of them).
    #[arg(long, default_value_t = 16)]
    limit: usize,
    /// Probability per cycle of withholding input valid and output ready (0 ≤ P < 1).
    #[arg(long, default_value_t = 0.0)]
    stall: f64,
    /// Seed for random inputs and back-pressure.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Write a VCD waveform trace here.
    #[arg(long)]
    trace: Option<PathBuf>,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

/// Runs `sim`; the exit code is 1 when any output differs from the reference.
pub fn run(a: Args) -> Result<ExitCode> {
    if !(0.0..1.0).contains(&a.stall) {
        bail!("--stall must be in [0, 1), got {}", a.stall);
    }
    // Checked before the (possibly long) Verilator build.
    if let Some(trace) = &a.trace {
        let parent = trace.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        if !parent.is_dir() {
            bail!("--trace {}: the directory {} does not exist", trace.display(), parent.display());
        }
    }
    let design = Design::load(&a.build)?;
    let model = format::load(&a.build.join("model")).context("loading the design's model copy")?;
    let len = model.input.len();
    let inputs: Vec<Vec<u8>> = match &a.input {
        Some(path) => load_images(path, &model.input, Some(a.limit), "the model input")?,
        None => {
            let bytes = a.limit.checked_mul(len).filter(|&b| b <= MAX_RANDOM_INPUT_BYTES);
            if bytes.is_none() {
                bail!(
                    "--limit {}: {} random inputs of {len} elements are more than {} MiB; use a smaller --limit",
                    a.limit,
                    a.limit,
                    MAX_RANDOM_INPUT_BYTES >> 20
                );
            }
            random_inputs(a.seed, a.limit, len, model.input.dtype)
        }
    };
    if inputs.is_empty() {
        bail!("no inputs to simulate");
    }
    let opts = SimOptions {
        stall: a.stall,
        seed: a.seed,
        trace: a.trace.clone(),
        cache_dir: bitloom_sim::default_cache_dir(),
        quiet: a.json,
    };
    let r = simulate(&a.build, &design, &model, &inputs, &opts)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        print_report(&r);
    }
    Ok(if r.mismatches == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn print_report(r: &SimReport) {
    println!("inputs               {}", r.inputs);
    println!("input                {}", r.input);
    println!("mismatches           {}", r.mismatches);
    for line in bitloom_flow::outputs::label_lines("labels", &r.labels, r.epilogue_outputs.as_ref(), 21) {
        println!("{line}");
    }
    if let Some(m) = &r.first_mismatch {
        println!("first mismatch       input {} layer {} index {}: expected {}, got {}", m.input, m.layer, m.index, m.expected, m.got);
    }
    println!("cycles / inference   {:.1} (steady state, stall {})", r.cycles_per_inference, r.stall);
    println!("II bound             {} ({:.3}x)", r.ii_bound, r.cycles_per_inference / r.ii_bound as f64);
    println!("first latency        {} cycles", r.first_latency);
    println!("total cycles         {}", r.total_cycles);
    println!("wall time            {:.3} s (build {:.1} s{})", r.wall_secs, r.build_secs, if r.build_cached { ", cached" } else { "" });
    println!("simulated cycles/s   {:.0}", r.sim_cycles_per_sec);
}
