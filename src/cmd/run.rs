//! `bitloom run BUILD --port P --input IMAGES [--labels L] [--limit N] [--check]
//! [--load-weights MODEL] [--json]`: inputs through a board (or the virtual board) with the
//! host driver, then the link's report: retries, dropped frames, efficiency, round trips and
//! the board's own fault counters (STATUS).
//!
//! The board's design hash must be the build's; `--load-weights` first writes another model's
//! weights and thresholds (same shapes) into the board's memories; `--check` compares every
//! output with the reference executor of the model the board now computes.

use anyhow::{bail, Context, Result};
use bitloom_flow::design::Design;
use bitloom_flow::inputs::{count_correct, describe_input, load_images};
use bitloom_compiler::{format, reference};
use bitloom_driver::{Device, Options};
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Arguments of `run`.
#[derive(clap::Args)]
pub struct Args {
    /// A directory written by `bitloom compile` (the board must run its bitstream).
    build: PathBuf,
    /// Serial port of the board (or the virtual board's pseudo-terminal).
    #[arg(long)]
    port: String,
    /// Baud rate (default: the build's; ignored on a pseudo-terminal).
    #[arg(long)]
    baud: Option<u32>,
    /// Images (IDX, plain or gzip, or .npy).
    #[arg(long)]
    input: PathBuf,
    /// Labels (IDX); with them, accuracy is reported.
    #[arg(long)]
    labels: Option<PathBuf>,
    /// At most this many inputs.
    #[arg(long)]
    limit: Option<usize>,
    /// Compare every output with the reference executor.
    #[arg(long)]
    check: bool,
    /// Write this model's weights and thresholds into the board first (same shapes as the build).
    #[arg(long)]
    load_weights: Option<PathBuf>,
    /// Milliseconds to wait for the first answer (beyond its wire time) before the driver has
    /// measured the link; later timeouts follow the round trips it measures.
    #[arg(long, alias = "timeout-ms", default_value_t = 1000)]
    initial_rto_ms: u64,
    /// The least timeout in milliseconds (beyond a request's wire time).
    #[arg(long, default_value_t = 200)]
    min_rto_ms: u64,
    /// The most a timeout grows to by back-off, in milliseconds.
    #[arg(long, default_value_t = 5000)]
    max_rto_ms: u64,
    /// Times a request is sent again before giving up.
    #[arg(long, default_value_t = 6)]
    retries: u32,
    /// The most requests in flight (the driver keeps the measured bandwidth-delay product in flight).
    #[arg(long, default_value_t = 8)]
    window: usize,
    /// Write every request's round trip to this file, one line each: command, attempts, round
    /// trip, nominal wire time and requests in flight (milliseconds), to diagnose a link.
    #[arg(long)]
    rtt_log: Option<PathBuf>,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct RunReport {
    inputs: usize,
    checked: bool,
    mismatches: usize,
    correct: Option<usize>,
    accuracy: Option<f64>,
    retries: u64,
    timeouts: u64,
    dropped_frames: u64,
    srtt_ms: Option<f64>,
    max_rtt_ms: f64,
    wall_secs: f64,
    images_per_sec: f64,
    link_efficiency: f64,
    wire_bytes: u64,
    payload_bytes: u64,
    design_hash: String,
    loaded: Option<String>,
    board: BoardCounters,
    /// The input and its convention.
    input: String,
    /// The label of each output: the argmax of the epilogue's `s·y + b` when the model has one.
    labels: Vec<usize>,
    /// Per input, the epilogue's `s·y + b` of the board's integers, when the model has one.
    epilogue_outputs: Option<Vec<Vec<f64>>>,
}

#[derive(Serialize)]
struct BoardCounters {
    frames_ok: u32,
    crc_errors: u32,
    framing_errors: u32,
    overruns: u32,
    duplicates: u32,
    refused: u32,
    inferences: u32,
    words_written: u32,
}

/// Runs `run`; the exit code is 1 when `--check` found a difference.
pub fn run(a: Args) -> Result<ExitCode> {
    let design = Design::load(&a.build)?;
    let record = design.board()?;
    let hash = design.hash_bytes()?;
    let mut model = format::load(&a.build.join("model")).context("loading the build's model copy")?;
    let inputs = load_images(&a.input, &model.input, a.limit, "the design's input")?;
    let n = inputs.len();
    if n == 0 {
        bail!("no inputs");
    }
    let loaded = match &a.load_weights {
        Some(path) => {
            let m = format::load(path).with_context(|| format!("loading model {}", path.display()))?;
            // The images were arranged for the build's input; the new model must read them alike.
            if m.input.source != model.input.source {
                bail!(
                    "{} reads its input as {:?} (source {:?}), the build as {:?} (source {:?})",
                    path.display(),
                    m.input.shape,
                    m.input.source.map(|s| s.shape()),
                    model.input.shape,
                    model.input.source.map(|s| s.shape())
                );
            }
            Some((bitloom_flow::weights::memory_images(&design, &a.build, &m)?, m))
        }
        None => None,
    };

    let options = Options {
        initial_rto: Duration::from_millis(a.initial_rto_ms.max(1)),
        min_rto: Duration::from_millis(a.min_rto_ms),
        max_rto: Duration::from_millis(a.max_rto_ms.max(1)),
        retries: a.retries,
        window: a.window,
    };
    let mut dev = Device::open(&a.port, a.baud.unwrap_or(record.baud), options)
        .with_context(|| format!("connecting to the board on {}", a.port))?;
    dev.require_design(&hash)?;
    if a.rtt_log.is_some() {
        dev.record_round_trips();
    }
    let loaded_name = match loaded {
        Some((images, m)) => {
            dev.load(&images).context("writing the new weights")?;
            let name = m.name.clone();
            model = m;
            Some(name)
        }
        None => None,
    };

    let values: Vec<Vec<i64>> = inputs.iter().map(|x| x.iter().map(|&v| i64::from(v)).collect()).collect();
    let before = dev.stats();
    let start = Instant::now();
    let raw = dev.infer(&values).context("inference on the board")?;
    let wall = start.elapsed().as_secs_f64();
    let after = dev.stats();
    // Bipolar outputs travel as their bit: decode them as the design's type does.
    let dtype = design.output.dtype;
    let outputs: Vec<Vec<i64>> = raw
        .iter()
        .map(|v| {
            v.iter()
                .map(|&x| if dtype == bitloom_compiler::types::DataType::Bipolar { dtype.decode(x as u64) } else { x })
                .collect()
        })
        .collect();

    let mismatches = if a.check {
        let want = reference::run_batch(&model, &inputs).context("reference execution")?;
        let mut bad = 0;
        for (k, (w, g)) in want.iter().zip(&outputs).enumerate() {
            let d = w.iter().zip(g).filter(|(x, y)| x != y).count();
            if d > 0 && bad == 0 && !a.json {
                eprintln!("input {k}: the board gave {g:?}, the reference {w:?}");
            }
            bad += d;
        }
        bad
    } else {
        0
    };
    // The epilogue runs here, on the host, after the board's integers.
    let labels: Vec<usize> = outputs.iter().map(|o| model.label(o)).collect();
    let epilogue_outputs: Option<Vec<Vec<f64>>> =
        model.epilogue.is_some().then(|| outputs.iter().filter_map(|o| model.epilogue_output(o)).collect());
    let classes = outputs.first().map_or(0, Vec::len);
    let correct = a.labels.as_deref().map(|path| count_correct(path, &a.input, &labels, classes)).transpose()?;
    let s = dev.status().context("reading the board's counters")?;
    if let Some(path) = &a.rtt_log {
        write_round_trips(path, dev.round_trips())?;
    }
    let wire = (after.wire_out - before.wire_out) + (after.wire_in - before.wire_in);
    let payload = (after.payload_out - before.payload_out) + (after.payload_in - before.payload_in);
    let report = RunReport {
        inputs: n,
        checked: a.check,
        mismatches,
        correct,
        accuracy: correct.map(|c| c as f64 / n as f64),
        retries: after.retries,
        timeouts: after.timeouts,
        dropped_frames: after.dropped,
        srtt_ms: dev.timer().srtt().map(|d| d.as_secs_f64() * 1e3),
        max_rtt_ms: after.max_rtt.as_secs_f64() * 1e3,
        wall_secs: wall,
        images_per_sec: n as f64 / wall.max(1e-9),
        link_efficiency: payload as f64 / wire.max(1) as f64,
        wire_bytes: wire,
        payload_bytes: payload,
        design_hash: design.hash.clone(),
        loaded: loaded_name,
        board: BoardCounters {
            frames_ok: s.frames_ok,
            crc_errors: s.crc_errors,
            framing_errors: s.framing_errors,
            overruns: s.overruns,
            duplicates: s.duplicates,
            refused: s.refused,
            inferences: s.inferences,
            words_written: s.words_written,
        },
        input: describe_input(&model.input),
        labels,
        epilogue_outputs,
    };
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("inputs               {}", report.inputs);
        println!("input                {}", report.input);
        if a.check {
            println!("mismatches           {}", report.mismatches);
        }
        for line in bitloom_flow::outputs::label_lines("labels", &report.labels, report.epilogue_outputs.as_ref(), 21) {
            println!("{line}");
        }
        if let (Some(c), Some(acc)) = (report.correct, report.accuracy) {
            println!("accuracy             {acc:.4} ({c}/{n})");
        }
        println!("images / s           {:.1} (wall time {:.3} s)", report.images_per_sec, report.wall_secs);
        println!("link efficiency      {:.3} ({} payload of {} wire bytes)", report.link_efficiency, payload, wire);
        println!(
            "retries              {} ({} by the timer; {} frames dropped)",
            report.retries, report.timeouts, report.dropped_frames
        );
        println!(
            "round trips          longest {:.1} ms; timer's smoothed excess over the wire time {}",
            report.max_rtt_ms,
            report.srtt_ms.map_or("none".to_string(), |v| format!("{v:.1} ms"))
        );
        println!(
            "board                {} frames, {} CRC errors, {} framing errors, {} overruns, {} duplicates",
            s.frames_ok, s.crc_errors, s.framing_errors, s.overruns, s.duplicates
        );
    }
    Ok(if mismatches == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// The `--rtt-log` file.
fn write_round_trips(path: &std::path::Path, trips: &[bitloom_driver::RoundTrip]) -> Result<()> {
    use std::fmt::Write as _;
    let mut text = String::from("# command attempts rtt_ms wire_ms in_flight\n");
    for t in trips {
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        let _ = writeln!(text, "{:?} {} {:.3} {:.3} {}", t.command, t.attempts, ms(t.rtt), ms(t.wire), t.in_flight);
    }
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}
