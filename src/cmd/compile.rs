//! `bitloom compile MODEL -o DIR [--board B] [--fold fold.toml | --target-ii N] [--clock-mhz F] [--baud B] [--link-buffer BYTES]`

use anyhow::{bail, Context, Result};
use bitloom_flow::boards::{Board, Family};
use bitloom_flow::design::board_fit;
use bitloom_compiler::compile::FoldChoice;
use bitloom_compiler::format;
use bitloom_compiler::model::Model;
use bitloom_hdl::link::pll::Pll;
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
    if !(clock_mhz > 0.0 && clock_mhz < 2000.0) {
        bail!("--clock-mhz must be a positive frequency below 2000, got {clock_mhz}");
    }
    let mut link = LinkParams { baud: a.baud, request_bytes: a.link_buffer, ..Default::default() };
    let mut clock_hz = (clock_mhz * 1e6).round() as u64;
    if let Some(b) = board {
        link.leds_active_low = b.leds.iter().take(8).map(|l| l.active_low).collect();
        if (clock_mhz - b.clock.mhz).abs() > 1e-9 {
            let pll = match b.family {
                Family::Ice40 => Pll::ice40(b.clock.mhz, clock_mhz, b.pll_pad),
                Family::Ecp5 => Pll::ecp5(b.clock.mhz, clock_mhz),
                Family::Xilinx7 => Pll::xilinx7(b.clock.mhz, clock_mhz),
            }
            .with_context(|| format!("the {} MHz design clock for {}", clock_mhz, b.name))?;
            // The UART divisor comes from the clock the PLL really makes.
            clock_hz = (pll.output_mhz() * 1e6).round() as u64;
            link.pll = Some(pll);
        }
    }
    link.clock_hz = clock_hz;
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

/// The fastest folding whose memories and logic fit `board` with a margin (see
/// [`bitloom_flow::fit::Fit::fits_with_margin`]). The II targets tried, fastest first, are the
/// heaviest layer's weight count halved again and again (the foldings that tile its weights
/// evenly) and the powers of two.
fn fastest_fitting(model: &Model, link: &LinkParams, board: &Board) -> Result<FoldChoice> {
    bitloom_compiler::verify::verify(model).context("the model is invalid")?;
    // The layer sizes do not depend on the folding.
    let any = bitloom_compiler::compile::compile(model, &FoldChoice::TargetIi(512))?;
    let heaviest =
        any.graph.iter().filter_map(|(_, n)| n.as_kind().fold_space()).map(|s| s.mw * s.mh).max().unwrap_or(1);
    let mut targets: Vec<usize> = (0..usize::BITS).map(|k| 1usize << k).take_while(|&t| t < heaviest).collect();
    targets.extend(std::iter::successors(Some(heaviest), |&t| (t % 2 == 0).then_some(t / 2)));
    targets.sort_unstable();
    targets.dedup();
    let mut slowest = None;
    for t in targets {
        let choice = FoldChoice::TargetIi(t);
        let compiled = bitloom_compiler::compile::compile(model, &choice)?;
        // Foldings so wide that a memory word cannot travel in a packet are skipped.
        let Ok(fit) = board_fit(&compiled, link, board) else { continue };
        if fit.fits_with_margin() {
            return Ok(choice);
        }
        slowest = Some((compiled, fit));
    }
    let (slowest, fit) = slowest.context("no folding was tried")?;
    bail!(
        "the model does not fit {} even at its slowest folding (II {}): an estimated {} {} of {} and {} of {} LUTs:\n{}",
        board.name,
        slowest.estimate.ii,
        fit.blocks(),
        fit.budget.primitive,
        fit.budget.blocks,
        fit.logic(),
        fit.budget.luts,
        fit.table()
    )
}
