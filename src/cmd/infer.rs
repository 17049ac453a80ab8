//! `bitloom infer MODEL --input IDX [--labels IDX] [--limit N] [--json]`

use anyhow::{Context, Result};
use bitloom_flow::inputs::{count_correct, describe_input, load_images};
use bitloom_compiler::{format, reference};
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// Arguments of `infer`.
#[derive(clap::Args)]
pub struct Args {
    /// Model directory.
    model: PathBuf,
    /// Images (IDX, plain or gzip, or .npy).
    #[arg(long)]
    input: PathBuf,
    /// Labels (IDX); with them, accuracy is reported.
    #[arg(long)]
    labels: Option<PathBuf>,
    /// At most this many inputs.
    #[arg(long)]
    limit: Option<usize>,
    /// Print one JSON object (with every prediction).
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct InferReport {
    inputs: usize,
    /// The input and its convention.
    input: String,
    /// Labels: the argmax of the epilogue's output when the model has one, else of the integers.
    predictions: Vec<usize>,
    /// Per input, the epilogue's `s·y + b` (the source graph's output), when the model has one.
    epilogue_outputs: Option<Vec<Vec<f64>>>,
    correct: Option<usize>,
    accuracy: Option<f64>,
    wall_secs: f64,
    inferences_per_sec: f64,
}

/// Runs `infer`.
pub fn run(a: Args) -> Result<ExitCode> {
    let model = format::load(&a.model).with_context(|| format!("loading model {}", a.model.display()))?;
    let inputs = load_images(&a.input, &model.input, a.limit, "the model input")?;
    let n = inputs.len();
    let start = Instant::now();
    let outputs = reference::run_batch(&model, &inputs)?;
    let wall = start.elapsed().as_secs_f64();
    let predictions: Vec<usize> = outputs.iter().map(|o| model.label(o)).collect();
    let epilogue_outputs: Option<Vec<Vec<f64>>> =
        model.epilogue.is_some().then(|| outputs.iter().filter_map(|o| model.epilogue_output(o)).collect());
    let correct = a
        .labels
        .as_deref()
        .map(|path| count_correct(path, &a.input, &predictions, outputs.first().map_or(0, Vec::len)))
        .transpose()?;
    let r = InferReport {
        inputs: n,
        input: describe_input(&model.input),
        epilogue_outputs,
        accuracy: correct.map(|c| c as f64 / n.max(1) as f64),
        correct,
        wall_secs: wall,
        inferences_per_sec: n as f64 / wall.max(1e-9),
        predictions,
    };
    if a.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        println!("inputs         {}", r.inputs);
        println!("input          {}", r.input);
        for line in bitloom_flow::outputs::label_lines("predictions", &r.predictions, r.epilogue_outputs.as_ref(), 15) {
            println!("{line}");
        }
        if let (Some(c), Some(acc)) = (r.correct, r.accuracy) {
            println!("accuracy       {:.2}% ({c}/{n})", acc * 100.0);
        }
        println!("throughput     {:.0} inferences/s ({:.3} s)", r.inferences_per_sec, r.wall_secs);
    }
    Ok(ExitCode::SUCCESS)
}
