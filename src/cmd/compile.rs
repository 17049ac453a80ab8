//! `bitloom compile MODEL -o DIR [--board B] [--fold fold.toml | --target-ii N] [--clock-mhz F] [--baud B] [--link-buffer BYTES]`

use anyhow::{Context, Result};
use bitloom_compiler::compile::FoldChoice;
use bitloom_compiler::format;
use bitloom_flow::boards::Board;
use bitloom_flow::design::link_for;
use bitloom_flow::fit::fastest_fitting;
use bitloom_hdl::link::LinkParams;
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
    /// Build the top level for this board (see `bitloom boards`): its clock, LEDs and pin file;
    /// a design whose memories cannot fit the board is refused.
    #[arg(long)]
    board: Option<String>,
    /// Fold file (TOML: one `[layer]` table with `pe` and `simd` per matrix layer).
    #[arg(long, conflicts_with = "target_ii")]
    fold: Option<PathBuf>,
    /// Choose the cheapest folding whose initiation interval is at most this many cycles
    /// [default: 512; with --board, the fastest folding whose memories fit the board].
    #[arg(long)]
    target_ii: Option<usize>,
    /// Print the design record as JSON instead of the table.
    #[arg(long)]
    json: bool,
    /// The design clock in MHz (sets the UART's baud divisor) [default: 12; with --board, the
    /// board's design clock]. With --board, a clock other than the board's oscillator is made by a PLL.
    #[arg(long)]
    clock_mhz: Option<f64>,
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
    let board = a.board.as_deref().map(Board::by_name).transpose()?;
    let clock_mhz = a.clock_mhz.or(board.map(|b| b.design_mhz)).unwrap_or(12.0);
    let base = LinkParams { baud: a.baud, request_bytes: a.link_buffer, ..Default::default() };
    let link = link_for(board, clock_mhz, base)?;
    let choice = match (&a.fold, a.target_ii, board) {
        (Some(path), _, _) => FoldChoice::File(bitloom_compiler::fold::read_fold_file(path)?),
        (None, Some(ii), _) => FoldChoice::TargetIi(ii),
        (None, None, None) => FoldChoice::TargetIi(512),
        (None, None, Some(b)) => fastest_fitting(&model, &link, b)?,
    };
    let design = bitloom_flow::design::build_with(&model, &choice, &a.out, &link, board)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&design)?);
    } else {
        print!("{}", design.report());
        println!("\nwrote {}", a.out.display());
    }
    Ok(ExitCode::SUCCESS)
}
