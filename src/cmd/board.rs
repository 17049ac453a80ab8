//! `bitloom board BUILD [--baud B | --divisor D] [--fault-rate P] [--seed S] [--latency-ms N]
//! [--max-mhz F]`: the virtual board.
//!
//! Prints the pseudo-terminal's path as the first line on stdout, then serves the Verilated
//! board top level of the build on it until stopped (Ctrl-C, or the process is killed).

use anyhow::{bail, Context, Result};
use bitloom_flow::design::Design;
use bitloom_sim::board::{BoardOptions, Faults, VirtualBoard};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Arguments of `board`.
#[derive(clap::Args)]
pub struct Args {
    /// A directory written by `bitloom compile`.
    build: PathBuf,
    /// The baud rate to simulate: the UART's divisor becomes clock / baud (default: the build's baud).
    #[arg(long, conflicts_with = "divisor")]
    baud: Option<u32>,
    /// Clock cycles per UART bit, at least 4 (instead of --baud).
    #[arg(long)]
    divisor: Option<u32>,
    /// Probability per byte (each direction) of a flipped, dropped or repeated byte, and per frame
    /// of a cut or repeated frame or a 50 ms stall.
    #[arg(long, default_value_t = 0.0)]
    fault_rate: f64,
    /// Seed of the fault pattern.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Hold every byte the board sends for this many milliseconds of wall time before the host
    /// can read it, as a USB-UART bridge does (FTDI's default latency timer is 16 ms).
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Simulate at most this many million clock cycles per second of wall time (default: as
    /// fast as the host allows), to reproduce a slow or busy host.
    #[arg(long)]
    max_mhz: Option<f64>,
    /// Print the simulated-time counters to stderr every this many seconds (0: never).
    #[arg(long, default_value_t = 0.0)]
    stats: f64,
}

/// Runs `board`.
pub fn run(a: Args) -> Result<ExitCode> {
    if !(0.0..1.0).contains(&a.fault_rate) {
        bail!("--fault-rate must be in [0, 1), got {}", a.fault_rate);
    }
    if let Some(f) = a.max_mhz.filter(|f| !(f.is_finite() && *f >= 1e-6)) {
        bail!("--max-mhz must be a positive number of MHz, got {f}");
    }
    if a.latency_ms > 60_000 {
        bail!("--latency-ms {} is over a minute; a serial link's latency is milliseconds", a.latency_ms);
    }
    let design = Design::load(&a.build)?;
    let board = design.board()?;
    let divisor = match (a.divisor, a.baud) {
        (Some(d), _) => d,
        (None, Some(b)) if b > 0 => ((board.clock_hz + u64::from(b) / 2) / u64::from(b)) as u32,
        (None, Some(_)) => bail!("--baud must be positive"),
        (None, None) => board.divisor,
    };
    if !(4..=0xFFFF).contains(&divisor) {
        bail!("a baud divisor of {divisor} cycles per bit: the UART needs 4 to 65535 (clock {} Hz)", board.clock_hz);
    }
    let opts = BoardOptions {
        divisor,
        faults: if a.fault_rate > 0.0 { Faults::at_rate(a.fault_rate, a.seed) } else { Faults::NONE },
        cache_dir: bitloom_sim::default_cache_dir(),
        latency: Duration::from_millis(a.latency_ms),
        max_cycles_per_sec: a.max_mhz.map(|f| f * 1e6),
    };
    let vb = VirtualBoard::start(&a.build, &opts).context("starting the virtual board")?;
    println!("{}", vb.pty_path().display());
    std::io::stdout().flush()?;
    eprintln!(
        "virtual board of {} on {}: {} cycles per bit ({} baud at {} Hz simulated), fault rate {}, latency {} ms, {}; stop with Ctrl-C",
        design.name,
        vb.pty_path().display(),
        divisor,
        board.clock_hz / u64::from(divisor),
        board.clock_hz,
        a.fault_rate,
        a.latency_ms,
        a.max_mhz.map_or("no speed cap".to_string(), |f| format!("at most {f} M cycles/s"))
    );
    let mut last = std::time::Instant::now();
    while vb.running() {
        std::thread::sleep(Duration::from_millis(50));
        if a.stats > 0.0 && last.elapsed().as_secs_f64() >= a.stats {
            last = std::time::Instant::now();
            let c = vb.counters();
            eprintln!("{} cycles, {} bytes in, {} bytes out, {} faults", c.cycles, c.bytes_in, c.bytes_out, c.faults);
        }
    }
    vb.stop().context("the virtual board stopped")?;
    Ok(ExitCode::SUCCESS)
}
