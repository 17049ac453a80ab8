//! `bitloom compile MODEL -o DIR [--fold fold.toml | --target-ii N] [--clock-mhz F] [--baud B] [--link-buffer BYTES]`

use anyhow::{Context, Result};
use bitloom_compiler::compile::FoldChoice;
use bitloom_compiler::format;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `compile`.
#[derive(clap::Args)]
pub struct Args {
    /// Model directory (model.json + weights.safetensors).
    model: PathBuf,
    /// Output directory.
    #[arg(short, long, default_value = "build")]
    out: PathBuf,
    /// Fold file (TOML: one `[layer]` table with `pe` and `simd` per matrix layer).
    #[arg(long, conflicts_with = "target_ii")]
    fold: Option<PathBuf>,
    /// Choose the cheapest folding whose initiation interval is at most this many cycles.
    #[arg(long, default_value_t = 512)]
    target_ii: usize,
    /// Print the design record as JSON instead of the table.
    #[arg(long)]
    json: bool,
    /// The board clock in MHz (sets the UART's baud divisor).
    #[arg(long, default_value_t = 12.0)]
    clock_mhz: f64,
    /// The UART's baud rate.
    #[arg(long, default_value_t = 115_200)]
    baud: u32,
    /// Bytes of the link's request buffer (default: the smallest number of 512-byte blocks that hold one input vector).
    #[arg(long)]
    link_buffer: Option<usize>,
}

/// Runs `compile`.
pub fn run(a: Args) -> Result<ExitCode> {
    let model = format::load(&a.model).with_context(|| format!("loading model {}", a.model.display()))?;
    let choice = match &a.fold {
        Some(path) => FoldChoice::File(std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?),
        None => FoldChoice::TargetIi(a.target_ii),
    };
    if !(a.clock_mhz > 0.0 && a.clock_mhz < 2000.0) {
        anyhow::bail!("--clock-mhz must be a positive frequency below 2000, got {}", a.clock_mhz);
    }
    let link = bitloom_hdl::link::LinkParams {
        clock_hz: (a.clock_mhz * 1e6).round() as u64,
        baud: a.baud,
        request_bytes: a.link_buffer,
        ..Default::default()
    };
    let design = bitloom::design::build_with(&model, &choice, &a.out, &link)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&design)?);
    } else {
        print!("{}", design.report());
        println!("\nwrote {}", a.out.display());
    }
    Ok(ExitCode::SUCCESS)
}
