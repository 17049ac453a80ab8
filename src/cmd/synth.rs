//! `bitloom synth BUILD [--json]` — and for a build without a board, `[--family F] [--device D] [--package P] [--clock-mhz F]`.
//!
//! A build compiled with `--board` is synthesized as that board's top level (`bitloom_board`:
//! PLL, UART link, dataflow) with its pin file, into `BUILD/bitstream.bin` (iCE40) or
//! `BUILD/bitstream.bit` (ECP5; Xilinx when Vivado is installed). A build without a board is
//! synthesized inside a measurement harness (clock in, one LED out; see
//! `synth::measurement_top`) for the chosen device: real utilization and fmax of the dataflow.

use anyhow::{bail, Result};
use bitloom_flow::boards::{Board, Family};
use bitloom_flow::design::Design;
use bitloom_flow::synth::{measurement_top, synthesize, synthesize_board, Report, Target};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `synth`.
#[derive(clap::Args)]
pub struct Args {
    /// A directory written by `bitloom compile`.
    build: PathBuf,
    /// FPGA family for a build without a board: ice40, ecp5 or xilinx7 [default: ice40].
    #[arg(long)]
    family: Option<String>,
    /// nextpnr device (up5k, hx8k, 25k, 85k, …; an unknown one is refused with the list) or Xilinx
    /// part, for a build without a board [default: up5k, 25k for ecp5, xc7a35tcpg236-1 for xilinx7].
    #[arg(long)]
    device: Option<String>,
    /// Package (sg48, ct256, CABGA381, …), for a build without a board [default: sg48, CABGA381
    /// for ecp5, CPG236 for xilinx7].
    #[arg(long)]
    package: Option<String>,
    /// Clock the design must meet, in MHz [default: the design's clock].
    #[arg(long)]
    clock_mhz: Option<f64>,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

/// Runs `synth`; the exit code is 1 when timing is not met.
pub fn run(a: Args) -> Result<ExitCode> {
    let design = Design::load(&a.build)?;
    let design_mhz = design.board.as_ref().map_or(12.0, |b| b.clock_hz as f64 / 1e6);
    let clock_mhz = a.clock_mhz.unwrap_or(design_mhz);
    if !(clock_mhz.is_finite() && clock_mhz > 0.0) {
        bail!("--clock-mhz must be positive, got {clock_mhz}");
    }
    let dir = bitloom_flow::synth::stage(&a.build)?;
    let board = match design.board.as_ref().and_then(|b| b.target.as_ref()) {
        Some(name) => {
            if a.family.is_some() || a.device.is_some() || a.package.is_some() {
                bail!("this build is for the board {name}, whose part is fixed; compile without --board for a generic build");
            }
            Some(Board::by_name(name)?)
        }
        None => None,
    };
    let (report, what) = match board {
        Some(b) => {
            (synthesize_board(&design, b, &a.build, clock_mhz)?, format!("board {} ({} {})", b.name, b.part, b.package))
        }
        None => {
            let family = match a.family.as_deref().unwrap_or("ice40") {
                "ice40" => Family::Ice40,
                "ecp5" => Family::Ecp5,
                "xilinx7" => Family::Xilinx7,
                other => bail!("unknown family {other:?}: use ice40, ecp5 or xilinx7"),
            };
            let (default_device, default_package) = family.default_device();
            let device = a.device.clone().unwrap_or_else(|| default_device.into());
            family.check_device(&device)?;
            let package = a.package.clone().unwrap_or_else(|| default_package.into());
            if package.is_empty() || !package.bytes().all(|b| b.is_ascii_alphanumeric()) {
                bail!("--package {package:?} is not a package name (letters and digits, such as sg48 or CABGA381)");
            }
            let harness = dir.join("bitloom_measure.v");
            std::fs::write(&harness, measurement_top("bitloom_measure", design.input.width(), design.output.width()))?;
            let mut files = design.rtl_files(&a.build);
            files.push(harness);
            let target =
                Target { family, device: device.clone(), package: package.clone(), constraints: None, clock_mhz };
            (
                synthesize(&files, "bitloom_measure", &target, &dir)?,
                format!("{device} {package} ({family:?}, measurement harness)"),
            )
        }
    };
    print_report(&design, &report, &what, a.json)?;
    Ok(if report.timing_met || report.fmax_mhz.is_none() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn print_report(design: &Design, report: &Report, what: &str, json: bool) -> Result<()> {
    let fmax = report.fmax_mhz.unwrap_or(0.0);
    let ips_fmax = fmax * 1e6 / design.ii as f64;
    let ips_clock = report.clock_mhz * 1e6 / design.ii as f64;
    if json {
        let mut v = serde_json::to_value(report)?;
        v["ii"] = design.ii.into();
        v["images_per_sec_at_fmax"] = report.fmax_mhz.map(|_| ips_fmax).into();
        v["images_per_sec_at_clock"] = ips_clock.into();
        println!("{v}");
        return Ok(());
    }
    println!("{} on {what}", design.name);
    for (name, u) in &report.resources {
        if u.used > 0 {
            println!("  {name:<16} {:>6} / {}", u.used, u.available);
        }
    }
    match report.fmax_mhz {
        Some(f) => println!(
            "  fmax {f:.1} MHz against {:.1} MHz: timing {}",
            report.clock_mhz,
            if report.timing_met { "met" } else { "NOT met" }
        ),
        None => println!("  no timing: resource estimate only (a bitstream for this family needs Vivado)"),
    }
    if report.fmax_mhz.is_some() {
        println!(
            "  II {} cycles: {ips_fmax:.0} images/s at fmax, {ips_clock:.0} at {:.1} MHz",
            design.ii, report.clock_mhz
        );
    } else {
        println!("  II {} cycles: {ips_clock:.0} images/s at {:.1} MHz if timing is met", design.ii, report.clock_mhz);
    }
    if let Some(b) = &report.bitstream {
        println!("  bitstream {}", b.display());
    }
    Ok(())
}
