//! `bitloom import MODEL.onnx -o DIR [--name NAME] [--input-dtype uint8] [--input-scale 1/255]
//! [--input-mean M,..] [--input-std S,..] [--allow-collapsed-input] [--verbose]`

use anyhow::{bail, Context, Result};
use bitloom_compiler::{format, model::InputConvention, types::DataType};
use bitloom_import::{import_file, ImportOptions};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `import`.
#[derive(clap::Args)]
pub struct Args {
    /// The ONNX file: QONNX as Brevitas exports it, or FINN-ONNX after tidy-up / streamlining.
    model: PathBuf,
    /// The native model directory to write (created if missing).
    #[arg(short, long)]
    output: PathBuf,
    /// The model's name (default: the ONNX graph's name).
    #[arg(long)]
    name: Option<String>,
    /// The input element type, uintN or intN (default: the input's finn_datatype annotation,
    /// else uint8: the graph input receives raw 0..255 pixel values).
    #[arg(long)]
    input_dtype: Option<String>,
    /// What the graph was trained on: graph_input = raw · SCALE (a fraction such as 1/255 or a
    /// decimal); default 1 (the graph receives the raw integers).
    #[arg(long, value_name = "SCALE")]
    input_scale: Option<String>,
    /// Per-channel mean subtracted after the scale (torchvision's Normalize), comma-separated.
    #[arg(long, value_name = "M,..", value_delimiter = ',')]
    input_mean: Vec<f64>,
    /// Per-channel std dividing after the mean (torchvision's Normalize), comma-separated.
    #[arg(long, value_name = "S,..", value_delimiter = ',')]
    input_std: Vec<f64>,
    /// Import even when the input quantizer's thresholds collapse onto the edge of the raw
    /// input range (which means the convention is most likely wrong).
    #[arg(long)]
    allow_collapsed_input: bool,
    /// Also print the ONNX nodes folded into each layer and the importer's notes.
    #[arg(short, long)]
    verbose: bool,
}

fn parse_dtype(s: &str) -> Result<DataType> {
    let t = match (s.strip_prefix("uint"), s.strip_prefix("int")) {
        (Some(b), _) => b.parse().ok().filter(|b| (1..=16).contains(b)).map(DataType::UInt),
        (None, Some(b)) => b.parse().ok().filter(|b| (2..=16).contains(b)).map(DataType::Int),
        _ => None,
    };
    match t {
        Some(t) => Ok(t),
        None => bail!("--input-dtype {s:?}: expected uintN (N = 1..=16) or intN (N = 2..=16), e.g. uint8"),
    }
}

/// A positive finite scale: `a/b` or a decimal.
fn parse_scale(s: &str) -> Result<f64> {
    let num = |t: &str| t.trim().parse::<f64>().ok();
    let v = match s.split_once('/') {
        Some((a, b)) => num(a).zip(num(b)).map(|(a, b)| a / b),
        None => num(s),
    };
    match v {
        Some(v) if v.is_finite() && v > 0.0 => Ok(v),
        _ => bail!("--input-scale {s:?}: expected a positive fraction or decimal, e.g. 1/255 or 0.00392156862745098"),
    }
}

/// The convention from the options; every value must be finite and every std positive.
fn convention(a: &Args) -> Result<InputConvention> {
    if let Some(m) = a.input_mean.iter().find(|m| !m.is_finite()) {
        bail!("--input-mean: {m} is not a finite number");
    }
    if let Some(s) = a.input_std.iter().find(|s| !(s.is_finite() && **s > 0.0)) {
        bail!("--input-std: {s} is not a positive finite number");
    }
    let scale = a.input_scale.as_deref().map(parse_scale).transpose()?.unwrap_or(1.0);
    Ok(InputConvention { scale, mean: a.input_mean.clone(), std: a.input_std.clone() })
}

/// Runs `import`.
pub fn run(a: Args) -> Result<ExitCode> {
    let options = ImportOptions {
        convention: convention(&a)?,
        allow_collapsed_input: a.allow_collapsed_input,
        name: a.name,
        input_dtype: a.input_dtype.as_deref().map(parse_dtype).transpose()?,
    };
    let imported = import_file(&a.model, &options).with_context(|| format!("importing {}", a.model.display()))?;
    format::save(&imported.model, &a.output).with_context(|| format!("writing {}", a.output.display()))?;
    println!("{}", imported.summary());
    if a.verbose {
        for l in &imported.layers {
            println!("  {:<24} ← {}", l.name, l.sources.join(", "));
        }
        if !imported.output.folded.is_empty() {
            println!("  after the last layer: {}", imported.output.folded.join(", "));
        }
        for n in &imported.notes {
            println!("  note: {n}");
        }
    }
    if let Some(e) = &imported.model.epilogue {
        println!(
            "epilogue: the graph's output is s·y + b per output ({} outputs), applied on the host after the integer outputs",
            e.scale.len()
        );
    }
    println!("wrote {}", a.output.display());
    Ok(ExitCode::SUCCESS)
}
