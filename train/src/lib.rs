//! bitloom's training front end: the quantization methods of BNN, XNOR-Net, HORQ, INQ and QIL
//! trained on candle (CPU), and their export to the integer model the compiler and the
//! hardware run. The formulas are in `bitloom_compiler::quantize` (scalar references) and
//! [`net`] (the same on tensors, with straight-through estimators).
//!
//! A trained network is a directory: `train.json` (what was trained, how, and the measured
//! accuracies), `params.safetensors` (everything needed to continue training or quantize),
//! and for quantized methods the native model (`model.json` + `weights.safetensors`).
#![warn(missing_docs)]

pub mod checkpoint;
pub mod dataset;
pub mod export;
pub mod fit;
pub mod net;
pub mod spec;

use indicatif::{ProgressBar, ProgressStyle};

/// A progress bar for `steps` steps, hidden when `show` is false or stderr is not a terminal.
pub fn progress_bar(show: bool, steps: u64, label: &str) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(steps);
    let style = ProgressStyle::with_template("{prefix:>12} [{bar:30}] {pos}/{len} {msg} (ETA {eta})")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    bar.set_style(style);
    bar.set_prefix(label.to_string());
    bar
}

use anyhow::{Context, Result};
use std::path::Path;

/// Accuracy (fraction) of an integer model on `split`, on the reference executor.
pub fn integer_accuracy(model: &bitloom_compiler::model::Model, split: &dataset::Split, len: usize) -> Result<f64> {
    let exec = bitloom_compiler::reference::Executor::new(model)?;
    let inputs: Vec<&[u8]> = split.images.chunks(len).collect();
    let outputs = exec.run_batch(&inputs)?;
    let right = outputs
        .iter()
        .zip(&split.labels)
        .filter(|(o, &l)| model.label(o) == usize::from(l))
        .count();
    Ok(right as f64 / split.len().max(1) as f64)
}

/// Saves a trained network into `dir`: for quantized methods the integer model too, whose
/// reference-executor accuracy goes into the record.
pub fn save_trained(net: &net::Net, mut record: checkpoint::Record, data: &dataset::Dataset, dir: &Path) -> Result<checkpoint::Record> {
    if net.method != spec::Method::Float {
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("trained").replace(|c: char| !c.is_ascii_alphanumeric(), "_");
        let mut shape = vec![1];
        shape.extend_from_slice(&data.shape);
        let model = export::export(net, &name, &shape).context("exporting the integer model")?;
        bitloom_compiler::format::save(&model, dir).with_context(|| format!("writing the model into {}", dir.display()))?;
        record.accuracy_integer = Some(integer_accuracy(&model, &data.test, data.image_len)?);
    }
    checkpoint::save(net, &record, dir)?;
    Ok(record)
}
