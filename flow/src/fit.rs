//! Whether a design's memories fit a board's block RAM, estimated before synthesis so that
//! `compile --board` can refuse early, with numbers, or choose a folding that fits.
//!
//! Logic is estimated too, for choosing a folding only (synthesis decides whether it fits):
//! [`LOGIC_FACTOR`] × the compiler's LUT estimate of the dataflow (which counts the datapath's
//! LUTs, not its registers or control) plus [`LINK_LUTS`] for the link.
//!
//! Every run-time writable memory (weights, thresholds) and each buffer of the link (request,
//! answer with INFO, receive FIFO) becomes block RAM primitives of the board's family in the
//! cheapest of the primitive's aspect ratios, as yosys maps a memory with one write and one
//! read port. The dataflow's stream FIFOs are small and left to the margin: synthesis has the
//! last word, and `bitloom synth` names any resource that overflows.

use crate::boards::{Board, Family};
use anyhow::{bail, Result};
use std::fmt::Write as _;

/// Measured cells per estimated dataflow LUT: the bundled example's dataflow on the UP5K at
/// II 1568 and 3136 takes about 2.5–3 logic cells per LUT of the compiler's estimate.
pub const LOGIC_FACTOR: u64 = 3;
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
    /// The budget of `board`'s part (from the family data sheets).
    pub fn of(board: &Board) -> Result<Budget> {
        let p = board.part.to_ascii_lowercase();
        let (primitive, blocks, block_bits, luts) = match board.family {
            // iCE40 UltraPlus data sheet (FPGA-DS-02008): 30 × 4 kbit EBR, 5 280 LUT4s.
            Family::Ice40 if p == "ice40up5k" => ("SB_RAM40_4K", 30, 4096, 5280),
            // iCE40 LP/HX data sheet (DS1040): HX8K has 32 × 4 kbit EBR, 7 680 logic cells.
            Family::Ice40 if p == "ice40hx8k" => ("SB_RAM40_4K", 32, 4096, 7680),
            // ECP5 family data sheet (FPGA-DS-02012): 25F 56 × 18 kbit EBR, 24k LUTs; 85F 208, 84k.
            Family::Ecp5 if p.starts_with("lfe5u-25f") => ("DP16KD", 56, 18432, 24_288),
            Family::Ecp5 if p.starts_with("lfe5u-85f") => ("DP16KD", 208, 18432, 83_640),
            // 7-series overview (DS180): XC7A35T 50 × 36 kbit = 100 RAMB18, 20 800 LUTs; XC7Z020 140 × 36 kbit, 53 200.
            Family::Xilinx7 if p.starts_with("xc7a35t") => ("RAMB18E1", 100, 18432, 20_800),
            Family::Xilinx7 if p.starts_with("xc7z020") => ("RAMB18E1", 280, 18432, 53_200),
            _ => bail!("no memory budget is known for {} ({})", board.part, board.name),
        };
        Ok(Budget { primitive, blocks, block_bits, luts })
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
    /// Primitives.
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
    /// Estimates `memories` (what, width, depth) and a dataflow of `dataflow_luts` on `board`.
    pub fn estimate(
        board: &Board,
        memories: impl IntoIterator<Item = (String, usize, usize)>,
        dataflow_luts: u64,
    ) -> Result<Fit> {
        let budget = Budget::of(board)?;
        let uses = memories
            .into_iter()
            .map(|(what, width, depth)| MemoryUse { blocks: blocks(board.family, width, depth), what, width, depth })
            .collect();
        Ok(Fit { board: board.name.clone(), budget, uses, dataflow_luts })
    }

    /// Primitives in all.
    pub fn blocks(&self) -> u64 {
        self.uses.iter().map(|u| u.blocks).sum()
    }

    /// Bits the memories hold.
    pub fn bits(&self) -> u64 {
        self.uses.iter().map(|u| (u.width * u.depth) as u64).sum()
    }

    /// Whether the estimate is within the budget.
    pub fn fits(&self) -> bool {
        self.blocks() <= self.budget.blocks
    }

    /// The logic estimate: [`LOGIC_FACTOR`] × the dataflow's LUT estimate + [`LINK_LUTS`].
    pub fn logic(&self) -> u64 {
        LOGIC_FACTOR * self.dataflow_luts + LINK_LUTS
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
            writeln!(s, "  {:<28} {:>5} × {:<6} {:>4} {}", u.what, u.width, u.depth, u.blocks, self.budget.primitive)
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
        let uses = [("fc0 weights".to_string(), 32, 1568), ("request buffer".into(), 8, 1024)];
        let fit = Fit::estimate(board, uses, 600).unwrap();
        assert_eq!(fit.blocks(), 16);
        assert!(fit.fits());
        assert!(fit.table().contains("16 of 30 on icebreaker"), "{}", fit.table());
        assert!(fit.fits_with_margin());
        assert_eq!(fit.logic(), 3 * 600 + LINK_LUTS);
        let tight = Fit::estimate(board, [("w".to_string(), 16, 256 * 28)], 600).unwrap();
        assert!(tight.fits() && !tight.fits_with_margin());
        // 3 · 800 + 2500 = 4900 LUTs is over nine tenths of the UP5K's 5280.
        let busy = Fit::estimate(board, [("w".to_string(), 16, 256)], 800).unwrap();
        assert!(busy.fits() && !busy.fits_with_margin());
        let big = Fit::estimate(board, [("w".to_string(), 1024, 1024)], 600).unwrap();
        assert!(!big.fits());
    }
}
