//! `bitloom infer MODEL --input IDX [--labels IDX] [--limit N] [--json]`

use anyhow::{bail, Context, Result};
use bitloom_compiler::{data, format, reference};
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
    predictions: Vec<usize>,
    correct: Option<usize>,
    accuracy: Option<f64>,
    wall_secs: f64,
    inferences_per_sec: f64,
}

/// Runs `infer`.
pub fn run(a: Args) -> Result<ExitCode> {
    let model = format::load(&a.model).with_context(|| format!("loading model {}", a.model.display()))?;
    let images = data::load_images(&a.input).with_context(|| format!("reading {}", a.input.display()))?;
    if images.shape.iter().product::<usize>() != model.input.len() {
        bail!("{}: images of shape {:?} do not fit the model input of {} elements", a.input.display(), images.shape, model.input.len());
    }
    let n = a.limit.unwrap_or(images.count).min(images.count);
    let inputs: Vec<Vec<u8>> = (0..n).map(|i| images.image(i).to_vec()).collect();
    let start = Instant::now();
    let outputs = reference::run_batch(&model, &inputs)?;
    let wall = start.elapsed().as_secs_f64();
    let predictions: Vec<usize> = outputs.iter().map(|o| reference::argmax(o)).collect();
    let correct = match &a.labels {
        Some(path) => {
            let labels = data::load_labels(path).with_context(|| format!("reading {}", path.display()))?;
            if labels.len() < n {
                bail!("{}: {} labels for {n} images", path.display(), labels.len());
            }
            Some(predictions.iter().zip(&labels).filter(|(p, l)| **p == usize::from(**l)).count())
        }
        None => None,
    };
    let r = InferReport {
        inputs: n,
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
        let shown: Vec<String> = r.predictions.iter().take(20).map(|p| p.to_string()).collect();
        println!("predictions    {}{}", shown.join(" "), if n > 20 { " …" } else { "" });
        if let (Some(c), Some(acc)) = (r.correct, r.accuracy) {
            println!("accuracy       {:.2}% ({c}/{n})", acc * 100.0);
        }
        println!("throughput     {:.0} inferences/s ({:.3} s)", r.inferences_per_sec, r.wall_secs);
    }
    Ok(ExitCode::SUCCESS)
}
