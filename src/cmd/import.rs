//! `bitloom import MODEL.onnx -o DIR [--name NAME] [--input-dtype uint8] [--verbose]`

use anyhow::{bail, Context, Result};
use bitloom_compiler::{format, types::DataType};
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

/// Runs `import`.
pub fn run(a: Args) -> Result<ExitCode> {
    let options = ImportOptions { name: a.name, input_dtype: a.input_dtype.as_deref().map(parse_dtype).transpose()? };
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
    println!("wrote {}", a.output.display());
    Ok(ExitCode::SUCCESS)
}
