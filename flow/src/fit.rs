//! Whether a design's memories fit a board's block RAM, estimated before synthesis so that
//! `compile --board` can refuse early, with numbers, or choose a folding that fits.
//!
//! Logic is estimated too, for choosing a folding only (synthesis decides whether it fits):
//! [`LOGIC_FACTOR_TENTHS`] / 10 × the compiler's LUT estimate of the dataflow (which counts the datapath's
//! LUTs, not its registers or control) plus [`LINK_LUTS`] for the link.
//!
//! Every run-time writable memory (weights, thresholds) and each buffer of the link (request,
//! answer with INFO, receive FIFO) becomes block RAM primitives of the board's family in the
//! cheapest of the primitive's aspect ratios, as yosys maps a memory with one write and one
//! read port. A memory built of several physical ones (a threshold unit's binary-search
//! stages, one per lane after the first) counts each at its own width and depth, times its
//! copies; the stages the hardware builds of flip-flops count no block RAM. The dataflow's stream FIFOs are small and left to the margin: synthesis has the
//! last word, and `bitloom synth` names any resource that overflows.

use crate::boards::{Board, BoardError, Family};
use bitloom_compiler::compile::{compile, CompileError, FoldChoice};
use bitloom_compiler::error::ModelError;
use bitloom_compiler::model::Model;
use bitloom_hdl::link::LinkParams;
use std::fmt::Write as _;

/// Measured logic cells per estimated dataflow LUT, in tenths: the bundled example's board top
/// level at II 3136 takes 4361 of the UP5K's cells, about 2060 of them the dataflow's, against
/// the compiler's estimate of 764 LUT4s (the cost model as fitted to yosys by
/// `bitloom bench --only engines`; the rest are flip-flops, carries and control).
pub const LOGIC_FACTOR_TENTHS: u64 = 27;
/// Logic of the link (UART, SLIP, CRC, command engine, I/O adapter, counters): about 2 300
/// iCE40 cells measured, rounded up.
pub const LINK_LUTS: u64 = 2500;

/// A board's block RAM and logic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    /// The primitive's name.
    pub primitive: &'static str,
    /// How many the part has.
    pub blocks: u64,
    /// Bits per primitive.
    pub block_bits: u64,
    /// Logic cells / LUTs.
    pub luts: u64,
}

impl Budget {
    /// The budget of `board`'s part (`[[part]]` in `constraints/boards.toml`).
    pub fn of(board: &Board) -> Result<Budget, BoardError> {
        let p = board.capacity()?;
        Ok(Budget { primitive: &p.ram, blocks: p.rams, block_bits: p.ram_bits, luts: p.luts })
    }
}

/// The primitive's aspect ratios (width, depth) with one write and one read port.
fn shapes(family: Family) -> &'static [(usize, usize)] {
    match family {
        Family::Ice40 => &[(16, 256), (8, 512), (4, 1024), (2, 2048)],
        Family::Ecp5 | Family::Xilinx7 => &[(36, 512), (18, 1024), (9, 2048), (4, 4096), (2, 8192), (1, 16384)],
    }
}

/// Primitives for a `width × depth` memory: the cheapest aspect ratio, whole primitives tiled.
pub fn blocks(family: Family, width: usize, depth: usize) -> u64 {
    if width == 0 || depth == 0 {
        return 0;
    }
    shapes(family).iter().map(|&(w, d)| (width.div_ceil(w) * depth.div_ceil(d)) as u64).min().unwrap_or(0)
}

/// One memory's share.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemoryUse {
    /// What it holds.
    pub what: String,
    /// Bits per word.
    pub width: usize,
    /// Words.
    pub depth: usize,
    /// Memories of this shape.
    pub copies: usize,
    /// Primitives, all copies.
    pub blocks: u64,
}

/// The estimate for one design on one board.
#[derive(Clone, Debug)]
pub struct Fit {
    /// The board.
    pub board: String,
    /// Its budget.
    pub budget: Budget,
    /// Each memory.
    pub uses: Vec<MemoryUse>,
    /// The compiler's LUT estimate of the dataflow.
    pub dataflow_luts: u64,
}

impl Fit {
    /// Estimates `memories` (what, width, depth, copies) and a dataflow of `dataflow_luts` on
    /// `board`.
    pub fn estimate(
        board: &Board,
        memories: impl IntoIterator<Item = (String, usize, usize, usize)>,
        dataflow_luts: u64,
    ) -> Result<Fit, BoardError> {
        let budget = Budget::of(board)?;
        let uses = memories
            .into_iter()
            .map(|(what, width, depth, copies)| MemoryUse {
                blocks: copies as u64 * blocks(board.family, width, depth),
                what,
                width,
                depth,
                copies,
            })
            .collect();
        Ok(Fit { board: board.name.clone(), budget, uses, dataflow_luts })
    }

    /// Primitives in all.
    pub fn blocks(&self) -> u64 {
        self.uses.iter().map(|u| u.blocks).sum()
    }

    /// Bits the memories hold.
    pub fn bits(&self) -> u64 {
        self.uses.iter().map(|u| (u.width * u.depth * u.copies) as u64).sum()
    }

    /// Whether the estimate is within the budget.
    pub fn fits(&self) -> bool {
        self.blocks() <= self.budget.blocks
    }

    /// The logic estimate: [`LOGIC_FACTOR_TENTHS`] / 10 × the dataflow's LUT estimate + [`LINK_LUTS`].
    pub fn logic(&self) -> u64 {
        (LOGIC_FACTOR_TENTHS * self.dataflow_luts).div_ceil(10) + LINK_LUTS
    }

    /// Whether the estimate leaves a tenth of the blocks (at least one) and a tenth of the
    /// logic free: the margin `compile --board` keeps when it chooses the folding itself, for
    /// what the estimate cannot see (yosys does not always find the cheapest tiling).
    pub fn fits_with_margin(&self) -> bool {
        self.blocks() + (self.budget.blocks / 10).max(1) <= self.budget.blocks
            && self.logic() * 10 <= self.budget.luts * 9
    }

    /// A table of the memories and the verdict.
    pub fn table(&self) -> String {
        let mut s = String::new();
        for u in &self.uses {
            let copies = if u.copies == 1 { String::new() } else { format!(" (×{})", u.copies) };
            let what = format!("{}{copies}", u.what);
            writeln!(s, "  {:<28} {:>5} × {:<6} {:>4} {}", what, u.width, u.depth, u.blocks, self.budget.primitive)
                .unwrap();
        }
        writeln!(
            s,
            "  {:<28} {:>14} {:>4} of {} on {} ({} of {} kbit)",
            "total",
            "",
            self.blocks(),
            self.budget.blocks,
            self.board,
            self.bits().div_ceil(1024),
            self.budget.blocks * self.budget.block_bits / 1024
        )
        .unwrap();
        writeln!(
            s,
            "  {:<28} {:>14} {:>4} of {} LUTs (for choosing a folding)",
            "logic",
            "",
            self.logic(),
            self.budget.luts
        )
        .unwrap();
        s
    }
}

/// Why no folding fits a board.
#[derive(Debug, thiserror::Error)]
pub enum FitError {
    /// The model fails its verifier.
    #[error("the model is invalid: {0}")]
    Invalid(#[from] ModelError),
    /// The compiler refused the model.
    #[error(transparent)]
    Compile(#[from] CompileError),
    /// Every folding was skipped: no memory word can travel in a packet of the link.
    #[error("no folding of the model can be estimated on {board}: {reason}")]
    NoFolding {
        /// The board.
        board: String,
        /// Why the last folding tried was skipped.
        reason: String,
    },
    /// Even the slowest folding is over the budget.
    #[error(
        "the model does not fit {board} even at its slowest folding (II {ii}): an estimated {blocks} {primitive} of \
         {available} and {logic} of {luts} LUTs:\n{table}"
    )]
    DoesNotFit {
        /// The board.
        board: String,
        /// The slowest folding's II.
        ii: usize,
        /// Its block RAM primitives.
        blocks: u64,
        /// The primitive's name.
        primitive: &'static str,
        /// The board's primitives.
        available: u64,
        /// Its logic estimate.
        logic: u64,
        /// The board's LUTs.
        luts: u64,
        /// [`Fit::table`] of the slowest folding.
        table: String,
    },
}

/// The fastest folding whose memories and logic fit `board` with a margin (see
/// [`Fit::fits_with_margin`]). The II targets tried, fastest first, are the heaviest layer's
/// weight count halved again and again (the foldings that tile its weights evenly) and the
/// powers of two.
pub fn fastest_fitting(model: &Model, link: &LinkParams, board: &Board) -> Result<FoldChoice, FitError> {
    bitloom_compiler::verify::verify(model)?;
    // The layer sizes do not depend on the folding.
    let any = compile(model, &FoldChoice::TargetIi(512))?;
    let heaviest =
        any.graph.iter().filter_map(|(_, n)| n.as_kind().fold_space()).map(|s| s.mw * s.mh).max().unwrap_or(1);
    let mut targets: Vec<usize> = (0..usize::BITS).map(|k| 1usize << k).take_while(|&t| t < heaviest).collect();
    targets.extend(std::iter::successors(Some(heaviest), |&t| (t % 2 == 0).then_some(t / 2)));
    targets.sort_unstable();
    targets.dedup();
    let mut slowest = None;
    let mut skipped = String::from("no folding was tried");
    for t in targets {
        let choice = FoldChoice::TargetIi(t);
        let compiled = compile(model, &choice)?;
        // Foldings so wide that a memory word cannot travel in a packet are skipped.
        let fit = match crate::design::board_fit(&compiled, link, board) {
            Ok(fit) => fit,
            Err(e) => {
                skipped = format!("{e:#}");
                continue;
            }
        };
        if fit.fits_with_margin() {
            return Ok(choice);
        }
        slowest = Some((compiled.estimate.ii, fit));
    }
    let (ii, fit) = slowest.ok_or_else(|| FitError::NoFolding { board: board.name.clone(), reason: skipped })?;
    Err(FitError::DoesNotFit {
        board: board.name.clone(),
        ii,
        blocks: fit.blocks(),
        primitive: fit.budget.primitive,
        available: fit.budget.blocks,
        logic: fit.logic(),
        luts: fit.budget.luts,
        table: fit.table(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_counts_by_hand() {
        // 32 × 1568 on iCE40: 2 wide × 7 deep in 16×256 = 14 (2×2048 would take 16).
        assert_eq!(blocks(Family::Ice40, 32, 1568), 14);
        // A 48-bit, 16-deep threshold table still takes three 16-bit-wide blocks.
        assert_eq!(blocks(Family::Ice40, 48, 16), 3);
        assert_eq!(blocks(Family::Ice40, 8, 1024), 2);
        assert_eq!(blocks(Family::Ice40, 1, 640), 1);
        assert_eq!(blocks(Family::Ice40, 0, 640), 0);
        // ECP5 / 7-series 18 kbit: 32 × 1568 is 1 × 4 in 36×512.
        assert_eq!(blocks(Family::Ecp5, 32, 1568), 4);
        assert_eq!(blocks(Family::Xilinx7, 1, 20000), 2);
    }

    #[test]
    fn verdict_and_table() {
        let board = Board::by_name("icebreaker").unwrap();
        let uses = [("fc0 weights".to_string(), 32, 1568, 1), ("request buffer".into(), 8, 1024, 1)];
        let fit = Fit::estimate(board, uses, 600).unwrap();
        assert_eq!(fit.blocks(), 16);
        assert!(fit.fits());
        assert!(fit.table().contains("16 of 30 on icebreaker"), "{}", fit.table());
        assert!(fit.fits_with_margin());
        assert_eq!(fit.logic(), 1620 + LINK_LUTS);
        let tight = Fit::estimate(board, [("w".to_string(), 16, 256 * 28, 1)], 600).unwrap();
        assert!(tight.fits() && !tight.fits_with_margin());
        // 2.7 · 900 + 2500 = 4930 LUTs is over nine tenths of the UP5K's 5280.
        let busy = Fit::estimate(board, [("w".to_string(), 16, 256, 1)], 900).unwrap();
        assert!(busy.fits() && !busy.fits_with_margin());
        let big = Fit::estimate(board, [("w".to_string(), 1024, 1024, 1)], 600).unwrap();
        assert!(!big.fits());
        // Copies: eight 23-bit stage memories of 64 words take two blocks each.
        let lanes = Fit::estimate(board, [("t stage 1".to_string(), 23, 64, 8)], 600).unwrap();
        assert_eq!(lanes.blocks(), 16);
        assert_eq!(lanes.bits(), 23 * 64 * 8);
        assert!(lanes.table().contains("t stage 1 (×8)"), "{}", lanes.table());
    }
}
