//! `bitloom synth BUILD [--family F] [--device D] [--package P] [--clock-mhz F] [--json]`
//!
//! Synthesizes the design's dataflow inside a measurement harness (clock in, one LED out;
//! see `synth::measurement_top`), giving real utilization, fmax and a bitstream for the
//! chosen device: the numbers the board top level builds on.

use anyhow::{bail, Context, Result};
use bitloom::design::Design;
use bitloom::boards::Family;
use bitloom::synth::{measurement_top, synthesize, Target};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `synth`.
#[derive(clap::Args)]
pub struct Args {
    /// A directory written by `bitloom compile`.
    build: PathBuf,
    /// FPGA family: ice40, ecp5 or xilinx7.
    #[arg(long, default_value = "ice40")]
    family: String,
    /// nextpnr device (up5k, hx8k, 25k, 85k) or Xilinx part.
    #[arg(long, default_value = "up5k")]
    device: String,
    /// Package (sg48, ct256, CABGA381, …).
    #[arg(long, default_value = "sg48")]
    package: String,
    /// Clock the design must meet, in MHz.
    #[arg(long, default_value_t = 12.0)]
    clock_mhz: f64,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

/// Runs `synth`; the exit code is 1 when timing is not met.
pub fn run(a: Args) -> Result<ExitCode> {
    let family = match a.family.as_str() {
        "ice40" => Family::Ice40,
        "ecp5" => Family::Ecp5,
        "xilinx7" => Family::Xilinx7,
        other => bail!("unknown family {other:?}: use ice40, ecp5 or xilinx7"),
    };
    if !(a.clock_mhz.is_finite() && a.clock_mhz > 0.0) {
        bail!("--clock-mhz must be positive, got {}", a.clock_mhz);
    }
    let design = Design::load(&a.build)?;
    let rtl_dir = a.build.join("rtl");
    let dir = a.build.join("synth");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    // The memory files sit next to the netlist yosys reads them from.
    for entry in std::fs::read_dir(&rtl_dir).with_context(|| format!("reading {}", rtl_dir.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "mem") {
            std::fs::copy(&path, dir.join(path.file_name().unwrap_or_default()))?;
        }
    }
    let harness = dir.join("bitloom_measure.v");
    std::fs::write(&harness, measurement_top("bitloom_measure", design.input.width(), design.output.width()))?;
    let mut files = design.rtl_files(&a.build);
    files.push(harness);
    let target = Target { family, device: a.device.clone(), package: a.package.clone(), constraints: None, clock_mhz: a.clock_mhz };
    let report = synthesize(&files, "bitloom_measure", &target, &dir)?;
    let fmax = report.fmax_mhz.unwrap_or(0.0);
    let ips_fmax = fmax * 1e6 / design.ii as f64;
    let ips_clock = a.clock_mhz * 1e6 / design.ii as f64;
    if a.json {
        let mut v = serde_json::to_value(&report)?;
        v["ii"] = design.ii.into();
        v["images_per_sec_at_fmax"] = report.fmax_mhz.map(|_| ips_fmax).into();
        v["images_per_sec_at_clock"] = ips_clock.into();
        println!("{v}");
    } else {
        println!("{} on {} {} ({:?})", design.name, a.device, a.package, family);
        for (name, u) in &report.resources {
            if u.used > 0 {
                println!("  {name:<16} {:>6} / {}", u.used, u.available);
            }
        }
        match report.fmax_mhz {
            Some(f) => println!(
                "  fmax {f:.1} MHz against {:.1} MHz: timing {}",
                a.clock_mhz,
                if report.timing_met { "met" } else { "NOT met" }
            ),
            None => println!("  no timing: resource estimate only (a bitstream for this family needs Vivado)"),
        }
        if report.fmax_mhz.is_some() {
            println!("  II {} cycles: {ips_fmax:.0} images/s at fmax, {ips_clock:.0} at {:.1} MHz", design.ii, a.clock_mhz);
        } else {
            println!("  II {} cycles: {ips_clock:.0} images/s at {:.1} MHz if timing is met", design.ii, a.clock_mhz);
        }
        if let Some(b) = &report.bitstream {
            println!("  bitstream {}", b.display());
        }
    }
    Ok(if report.timing_met || report.fmax_mhz.is_none() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
