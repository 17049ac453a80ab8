//! `bitloom compile MODEL -o DIR [--fold fold.toml | --target-ii N]`

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
}

/// Runs `compile`.
pub fn run(a: Args) -> Result<ExitCode> {
    let model = format::load(&a.model).with_context(|| format!("loading model {}", a.model.display()))?;
    let choice = match &a.fold {
        Some(path) => FoldChoice::File(std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?),
        None => FoldChoice::TargetIi(a.target_ii),
    };
    let design = bitloom::design::build(&model, &choice, &a.out)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&design)?);
    } else {
        print!("{}", design.report());
        println!("\nwrote {}", a.out.display());
    }
    Ok(ExitCode::SUCCESS)
}
