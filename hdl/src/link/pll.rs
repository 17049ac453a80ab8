//! Clock synthesis for the board top level: the parameters of the FPGA family's PLL (or MMCM)
//! that turns the board's oscillator into the design clock, and the primitive's instance.
//!
//! Each family's search walks the divider ranges its datasheet allows and keeps the output
//! closest to the request, in the same order as the family's own calculator (`icepll` for
//! iCE40, `ecppll` for ECP5), so the tests can hold our choice against theirs:
//!
//! | family | output | limits |
//! | --- | --- | --- |
//! | iCE40 `SB_PLL40_CORE`, simple feedback | `f_in · (DIVF+1) / (DIVR+1) / 2^DIVQ` | PFD 10–133 MHz, VCO 533–1066 MHz, output 16–275 MHz (iCE40 sysCLOCK PLL guide, TN1251) |
//! | ECP5 `EHXPLLL`, feedback from CLKOP | `f_in · CLKFB_DIV / CLKI_DIV`, VCO `= f_out · CLKOP_DIV` | PFD 3.125–400 MHz, VCO 400–800 MHz (ECP5 sysCLOCK guide, TN1263) |
//! | 7-series `MMCME2_BASE` | `f_in · M / D / O` | PFD 10–450 MHz, VCO 600–1200 MHz (speed grade −1, DS181) |

use std::fmt::Write as _;

/// A PLL configuration for one family's primitive.
#[derive(Clone, Debug, PartialEq)]
pub enum Pll {
    /// iCE40 `SB_PLL40_CORE` in simple feedback mode.
    Ice40 {
        /// Reference divider (0..=15): PFD = f_in / (DIVR + 1).
        divr: u32,
        /// Feedback divider (0..=127): VCO = PFD · (DIVF + 1).
        divf: u32,
        /// Output divider (1..=6): f_out = VCO / 2^DIVQ.
        divq: u32,
        /// Loop filter setting for the PFD frequency.
        filter_range: u32,
        /// Input frequency in MHz.
        fin_mhz: f64,
        /// The board clock enters on the PLL's own input pad, so the primitive is
        /// `SB_PLL40_PAD` (the pad cannot also feed the fabric); otherwise `SB_PLL40_CORE`.
        pad: bool,
    },
    /// ECP5 `EHXPLLL` with CLKOP fed back.
    Ecp5 {
        /// Input divider (1..=128).
        clki_div: u32,
        /// Feedback divider (1..=80).
        clkfb_div: u32,
        /// CLKOP divider (1..=128): VCO = f_out · CLKOP_DIV.
        clkop_div: u32,
        /// Input frequency in MHz.
        fin_mhz: f64,
    },
    /// Xilinx 7-series `MMCME2_BASE`.
    Xilinx7 {
        /// Input divider D (DIVCLK_DIVIDE, 1..=106).
        divclk: u32,
        /// Feedback multiplier M (CLKFBOUT_MULT_F, 2..=64).
        mult: u32,
        /// Output divider O (CLKOUT0_DIVIDE_F, 1..=128).
        out_div: u32,
        /// Input frequency in MHz.
        fin_mhz: f64,
    },
}

/// A requested clock no PLL setting can make.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error(
    "no {family} PLL setting makes {fout_mhz} MHz from {fin_mhz} MHz (it can make {lo:.3}–{hi:.3} MHz from this input)"
)]
pub struct PllError {
    /// The family.
    pub family: &'static str,
    /// Input.
    pub fin_mhz: f64,
    /// Requested output.
    pub fout_mhz: f64,
    /// Lowest output this input allows.
    pub lo: f64,
    /// Highest output this input allows.
    pub hi: f64,
}

/// How far from the request a PLL output may be: 0.5 %, well inside a UART's tolerance
/// (the baud divisor is computed from the achieved frequency anyway).
const TOLERANCE: f64 = 0.005;

impl Pll {
    /// The iCE40 setting closest to `fout_mhz` (first found wins a tie, as in `icepll`); `pad`
    /// when the board clock enters on the PLL's input pad.
    pub fn ice40(fin_mhz: f64, fout_mhz: f64, pad: bool) -> Result<Pll, PllError> {
        let mut best: Option<(f64, Pll)> = None;
        let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
        for divr in 0..=15u32 {
            let pfd = fin_mhz / f64::from(divr + 1);
            if !(10.0..=133.0).contains(&pfd) {
                continue;
            }
            for divf in 0..=127u32 {
                let vco = pfd * f64::from(divf + 1);
                if !(533.0..=1066.0).contains(&vco) {
                    continue;
                }
                for divq in 1..=6u32 {
                    let f = vco / f64::from(1u32 << divq);
                    if !(16.0..=275.0).contains(&f) {
                        continue;
                    }
                    (lo, hi) = (lo.min(f), hi.max(f));
                    if best.as_ref().is_none_or(|(b, _)| (f - fout_mhz).abs() < (b - fout_mhz).abs()) {
                        let filter_range = ice40_filter_range(pfd);
                        best = Some((f, Pll::Ice40 { divr, divf, divq, filter_range, fin_mhz, pad }));
                    }
                }
            }
        }
        accept("iCE40", fin_mhz, fout_mhz, best, lo, hi)
    }

    /// The ECP5 setting closest to `fout_mhz`; among equals, the one whose VCO is nearest
    /// 600 MHz (as `ecppll` chooses).
    pub fn ecp5(fin_mhz: f64, fout_mhz: f64) -> Result<Pll, PllError> {
        let mut best: Option<(f64, f64, Pll)> = None;
        let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
        if (8.0..=400.0).contains(&fin_mhz) {
            for clki_div in 1..=128u32 {
                let pfd = fin_mhz / f64::from(clki_div);
                if !(3.125..=400.0).contains(&pfd) {
                    continue;
                }
                for clkfb_div in 1..=80u32 {
                    let f = pfd * f64::from(clkfb_div);
                    for clkop_div in 1..=128u32 {
                        let vco = f * f64::from(clkop_div);
                        if !(400.0..=800.0).contains(&vco) {
                            continue;
                        }
                        (lo, hi) = (lo.min(f), hi.max(f));
                        let err = (f - fout_mhz).abs();
                        let better = best
                            .as_ref()
                            .is_none_or(|(e, v, _)| err < *e || (err == *e && (vco - 600.0).abs() < (v - 600.0).abs()));
                        if better {
                            best = Some((err, vco, Pll::Ecp5 { clki_div, clkfb_div, clkop_div, fin_mhz }));
                        }
                    }
                }
            }
        }
        let best = best.map(|(_, _, p)| (p.output_mhz(), p));
        accept("ECP5", fin_mhz, fout_mhz, best, lo, hi)
    }

    /// The 7-series MMCM setting closest to `fout_mhz` (integer dividers; first found wins a tie).
    pub fn xilinx7(fin_mhz: f64, fout_mhz: f64) -> Result<Pll, PllError> {
        let mut best: Option<(f64, Pll)> = None;
        let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
        for divclk in 1..=106u32 {
            let pfd = fin_mhz / f64::from(divclk);
            if !(10.0..=450.0).contains(&pfd) {
                continue;
            }
            for mult in 2..=64u32 {
                let vco = pfd * f64::from(mult);
                if !(600.0..=1200.0).contains(&vco) {
                    continue;
                }
                for out_div in 1..=128u32 {
                    let f = vco / f64::from(out_div);
                    (lo, hi) = (lo.min(f), hi.max(f));
                    if best.as_ref().is_none_or(|(b, _)| (f - fout_mhz).abs() < (b - fout_mhz).abs()) {
                        best = Some((f, Pll::Xilinx7 { divclk, mult, out_div, fin_mhz }));
                    }
                }
            }
        }
        accept("7-series", fin_mhz, fout_mhz, best, lo, hi)
    }

    /// The output frequency in MHz.
    pub fn output_mhz(&self) -> f64 {
        match *self {
            Pll::Ice40 { divr, divf, divq, fin_mhz, .. } => {
                fin_mhz / f64::from(divr + 1) * f64::from(divf + 1) / f64::from(1u32 << divq)
            }
            Pll::Ecp5 { clki_div, clkfb_div, fin_mhz, .. } => fin_mhz / f64::from(clki_div) * f64::from(clkfb_div),
            Pll::Xilinx7 { divclk, mult, out_div, fin_mhz } => {
                fin_mhz / f64::from(divclk) * f64::from(mult) / f64::from(out_div)
            }
        }
    }

    /// The primitive's instance, `clk_in` in, `clk_out` and `locked` out (nets declared by the caller).
    pub fn instance(&self, clk_in: &str, clk_out: &str, locked: &str) -> String {
        let mut v = String::new();
        let fout = self.output_mhz();
        match *self {
            Pll::Ice40 { divr, divf, divq, filter_range, fin_mhz, pad } => {
                writeln!(
                    v,
                    "  // {fin_mhz} MHz in, {fout:.3} MHz out: PFD {:.3} MHz, VCO {:.3} MHz",
                    fin_mhz / f64::from(divr + 1),
                    fout * f64::from(1u32 << divq)
                )
                .unwrap();
                let (prim, input) =
                    if pad { ("SB_PLL40_PAD", "PACKAGEPIN") } else { ("SB_PLL40_CORE", "REFERENCECLK") };
                writeln!(v, "  {prim} #(.FEEDBACK_PATH(\"SIMPLE\"), .DIVR(4'd{divr}), .DIVF(7'd{divf}), .DIVQ(3'd{divq}), .FILTER_RANGE(3'd{filter_range}))").unwrap();
                writeln!(v, "    pll (.{input}({clk_in}), .PLLOUTGLOBAL({clk_out}), .LOCK({locked}), .RESETB(1'b1), .BYPASS(1'b0));").unwrap();
            }
            Pll::Ecp5 { clki_div, clkfb_div, clkop_div, fin_mhz } => {
                // CPHASE (CLKOP_DIV − 1) / 2 is the zero-degree phase ecppll writes.
                writeln!(v, "  // {fin_mhz} MHz in, {fout:.3} MHz out: VCO {:.3} MHz", fout * f64::from(clkop_div))
                    .unwrap();
                writeln!(v, "  (* FREQUENCY_PIN_CLKI=\"{fin_mhz}\" *) (* FREQUENCY_PIN_CLKOP=\"{fout:.3}\" *) (* ICP_CURRENT=\"12\" *) (* LPF_RESISTOR=\"8\" *) (* MFG_ENABLE_FILTEROPAMP=\"1\" *) (* MFG_GMCREF_SEL=\"2\" *)").unwrap();
                writeln!(v, "  EHXPLLL #(.PLLRST_ENA(\"DISABLED\"), .INTFB_WAKE(\"DISABLED\"), .STDBY_ENABLE(\"DISABLED\"), .DPHASE_SOURCE(\"DISABLED\"), .CLKOP_ENABLE(\"ENABLED\"), .FEEDBK_PATH(\"CLKOP\"), .CLKI_DIV({clki_div}), .CLKFB_DIV({clkfb_div}), .CLKOP_DIV({clkop_div}), .CLKOP_CPHASE({}), .CLKOP_FPHASE(0))", (clkop_div - 1) / 2).unwrap();
                writeln!(v, "    pll (.CLKI({clk_in}), .CLKFB({clk_out}), .CLKOP({clk_out}), .LOCK({locked}), .RST(1'b0), .STDBY(1'b0), .PHASESEL0(1'b0), .PHASESEL1(1'b0), .PHASEDIR(1'b1), .PHASESTEP(1'b1), .PHASELOADREG(1'b1), .PLLWAKESYNC(1'b0), .ENCLKOP(1'b0));").unwrap();
            }
            Pll::Xilinx7 { divclk, mult, out_div, fin_mhz } => {
                writeln!(
                    v,
                    "  // {fin_mhz} MHz in, {fout:.3} MHz out: VCO {:.3} MHz",
                    fin_mhz / f64::from(divclk) * f64::from(mult)
                )
                .unwrap();
                writeln!(v, "  wire pll_fb, pll_out;").unwrap();
                writeln!(v, "  MMCME2_BASE #(.CLKIN1_PERIOD({:.3}), .DIVCLK_DIVIDE({divclk}), .CLKFBOUT_MULT_F({mult}.0), .CLKOUT0_DIVIDE_F({out_div}.0))", 1000.0 / fin_mhz).unwrap();
                writeln!(v, "    pll (.CLKIN1({clk_in}), .CLKFBIN(pll_fb), .CLKFBOUT(pll_fb), .CLKOUT0(pll_out), .LOCKED({locked}), .RST(1'b0), .PWRDWN(1'b0));").unwrap();
                writeln!(v, "  BUFG pll_bufg (.I(pll_out), .O({clk_out}));").unwrap();
            }
        }
        v
    }
}

/// The iCE40 loop filter setting for a PFD frequency (the thresholds `icepll` uses).
fn ice40_filter_range(pfd_mhz: f64) -> u32 {
    match pfd_mhz {
        f if f < 17.0 => 1,
        f if f < 26.0 => 2,
        f if f < 44.0 => 3,
        f if f < 66.0 => 4,
        f if f < 101.0 => 5,
        _ => 6,
    }
}

fn accept(
    family: &'static str,
    fin_mhz: f64,
    fout_mhz: f64,
    best: Option<(f64, Pll)>,
    lo: f64,
    hi: f64,
) -> Result<Pll, PllError> {
    match best {
        Some((f, p)) if (f - fout_mhz).abs() <= TOLERANCE * fout_mhz => Ok(p),
        _ => Err(PllError { family, fin_mhz, fout_mhz, lo: if lo.is_finite() { lo } else { 0.0 }, hi }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ice40_hand_cases() {
        // 12 → 24 MHz: PFD 12, VCO 768 = 12·64, /32 (icepll: DIVR 0, DIVF 63, DIVQ 5, FILTER_RANGE 1).
        assert_eq!(
            Pll::ice40(12.0, 24.0, false).unwrap(),
            Pll::Ice40 { divr: 0, divf: 63, divq: 5, filter_range: 1, fin_mhz: 12.0, pad: false }
        );
        // 100 → 50 MHz: PFD 100, VCO 800, /16 (icepll: DIVR 0, DIVF 7, DIVQ 4, FILTER_RANGE 5).
        assert_eq!(
            Pll::ice40(100.0, 50.0, false).unwrap(),
            Pll::Ice40 { divr: 0, divf: 7, divq: 4, filter_range: 5, fin_mhz: 100.0, pad: false }
        );
        let e = Pll::ice40(12.0, 400.0, false).unwrap_err();
        assert!(e.to_string().contains("no iCE40 PLL setting makes 400 MHz"), "{e}");
    }

    #[test]
    fn ecp5_hand_cases() {
        // 25 → 40 MHz: 25 / 5 · 8, CLKOP_DIV 15 puts the VCO at 600 MHz (ecppll's choice).
        assert_eq!(
            Pll::ecp5(25.0, 40.0).unwrap(),
            Pll::Ecp5 { clki_div: 5, clkfb_div: 8, clkop_div: 15, fin_mhz: 25.0 }
        );
        // 48 MHz is not reachable from 25 MHz within 0.5 % (the nearest is 46.875).
        assert!(Pll::ecp5(25.0, 48.0).is_err());
        let inst = Pll::ecp5(25.0, 40.0).unwrap().instance("clk", "clk_pll", "locked");
        assert!(inst.contains(".CLKOP_CPHASE(7)"), "{inst}");
    }

    #[test]
    fn xilinx7_hand_cases() {
        // 125 → 100 MHz: VCO 125 · 8 = 1000 MHz, / 10.
        let p = Pll::xilinx7(125.0, 100.0).unwrap();
        assert!((p.output_mhz() - 100.0).abs() < 1e-9, "{p:?}");
        let Pll::Xilinx7 { divclk, mult, .. } = p else { panic!() };
        let vco = 125.0 / f64::from(divclk) * f64::from(mult);
        assert!((600.0..=1200.0).contains(&vco));
    }
}
