//! Saving and loading a trained network: `train.json` and `params.safetensors`, plus the
//! native integer model for quantized methods.

use crate::dataset::Dataset;
use crate::net::{Bn, InqState, Net, QilParams};
use crate::spec::{Arch, Method};
use anyhow::{bail, Context, Result};
use bitloom_compiler::quantize::InqLevels;
use candle_core::{Device, Tensor, Var};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

/// `train.json`: what was trained and what it scored.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Record {
    /// Always "bitloom-trained".
    pub format: String,
    /// The architecture.
    pub arch: String,
    /// The method.
    pub method: String,
    /// Dataset name.
    pub dataset: String,
    /// Epochs (per stage for INQ and QIL).
    pub epochs: usize,
    /// Seed.
    pub seed: u64,
    /// Test accuracy as candle evaluates the (quantized) network.
    pub accuracy_float: f64,
    /// Test accuracy of the exported integer model on the reference executor (quantized methods).
    pub accuracy_integer: Option<f64>,
    /// Test examples.
    pub test_examples: usize,
    /// Wall time of the training (and quantization) in seconds, this step only.
    pub train_secs: f64,
    /// INQ's exponent ranges per layer `(n1, n2)`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inq_levels: Vec<(i32, i32)>,
    /// Pixels binarized at 0.5 before the first layer.
    #[serde(default)]
    pub binary_input: bool,
    /// The model this one was quantized from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// What the float network saw of the raw pixels (e.g. `raw·1/255`), as the exported model
    /// records it; empty in records written before it was recorded.
    #[serde(default)]
    pub input_convention: String,
}

/// File names inside a trained-model directory.
pub const RECORD_FILE: &str = "train.json";
/// The parameters.
pub const PARAMS_FILE: &str = "params.safetensors";

/// Writes `net` and its record into `dir`.
pub fn save(net: &Net, record: &Record, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut t: HashMap<String, Tensor> = HashMap::new();
    for (l, w) in net.w.iter().enumerate() {
        t.insert(format!("w{l}"), w.as_tensor().clone());
    }
    for (l, b) in net.bn.iter().enumerate() {
        t.insert(format!("bn{l}.gamma"), b.gamma.as_tensor().clone());
        t.insert(format!("bn{l}.beta"), b.beta.as_tensor().clone());
        t.insert(format!("bn{l}.mean"), b.mean.clone());
        t.insert(format!("bn{l}.var"), b.var.clone());
    }
    t.insert("log_scale".into(), net.log_scale.as_tensor().clone());
    for (l, q) in net.qil.iter().enumerate() {
        for (k, v) in [("cw", &q.cw), ("dw", &q.dw), ("gw", &q.gw), ("cx", &q.cx), ("dx", &q.dx)] {
            t.insert(format!("qil{l}.{k}"), v.as_tensor().clone());
        }
    }
    for (l, s) in net.inq.iter().enumerate() {
        t.insert(format!("inq{l}.mask"), s.mask.clone());
        t.insert(format!("inq{l}.wq"), s.wq.clone());
    }
    candle_core::safetensors::save(&t, dir.join(PARAMS_FILE))?;
    std::fs::write(dir.join(RECORD_FILE), serde_json::to_string_pretty(record)?)?;
    Ok(())
}

/// Reads a trained network from `dir`.
pub fn load(dir: &Path) -> Result<(Net, Record)> {
    let rpath = dir.join(RECORD_FILE);
    let text = std::fs::read_to_string(&rpath)
        .with_context(|| format!("{} is not a trained model (no {RECORD_FILE})", dir.display()))?;
    let record: Record = serde_json::from_str(&text).with_context(|| format!("reading {}", rpath.display()))?;
    if record.format != "bitloom-trained" {
        bail!("{}: format {:?}, expected \"bitloom-trained\"", rpath.display(), record.format);
    }
    let arch = Arch::parse(&record.arch)?;
    let method = Method::parse(&record.method)?;
    let ppath = dir.join(PARAMS_FILE);
    let mut t = candle_core::safetensors::load(&ppath, &Device::Cpu).with_context(|| format!("reading {}", ppath.display()))?;
    let mut take = |name: &str, shape: &[usize]| -> Result<Tensor> {
        let v = t.remove(name).with_context(|| format!("{}: tensor {name} is missing", ppath.display()))?;
        if v.dims() != shape {
            bail!("{}: tensor {name} has shape {:?}, expected {shape:?}", ppath.display(), v.dims());
        }
        Ok(v)
    };
    let mut net = Net::new(&arch, method, 0)?;
    net.binary_input = record.binary_input;
    let shapes = net.shapes.clone();
    for (l, s) in shapes.iter().enumerate() {
        net.w[l] = Var::from_tensor(&take(&format!("w{l}"), &[s.out(), s.fan_in()])?)?;
    }
    for (l, shape) in shapes.iter().enumerate().take(net.bn.len()) {
        let n = shape.out();
        net.bn[l] = Bn {
            gamma: Var::from_tensor(&take(&format!("bn{l}.gamma"), &[n])?)?,
            beta: Var::from_tensor(&take(&format!("bn{l}.beta"), &[n])?)?,
            mean: take(&format!("bn{l}.mean"), &[n])?,
            var: take(&format!("bn{l}.var"), &[n])?,
        };
    }
    net.log_scale = Var::from_tensor(&take("log_scale", &[1])?)?;
    if let Method::Qil { .. } = method {
        for l in 0..net.layers() {
            let mut s = |k: &str| -> Result<Var> { Ok(Var::from_tensor(&take(&format!("qil{l}.{k}"), &[1])?)?) };
            net.qil.push(QilParams { cw: s("cw")?, dw: s("dw")?, gw: s("gw")?, cx: s("cx")?, dx: s("dx")? });
        }
    }
    if let Method::Inq(bits) = method {
        if record.inq_levels.len() != net.layers() {
            bail!("{}: INQ levels for {} layers, the network has {}", rpath.display(), record.inq_levels.len(), net.layers());
        }
        for (l, (s, &(n1, n2))) in shapes.iter().zip(&record.inq_levels).enumerate() {
            let shape = [s.out(), s.fan_in()];
            if n1 - n2 != (1 << (bits - 2)) - 1 {
                bail!("{}: layer {l}'s INQ levels ({n1}, {n2}) do not fit {bits} bits", rpath.display());
            }
            net.inq.push(InqState { levels: InqLevels { n1, n2 }, mask: take(&format!("inq{l}.mask"), &shape)?, wq: take(&format!("inq{l}.wq"), &shape)? });
        }
    }
    Ok((net, record))
}

/// A new record for `net` trained on `data`.
pub fn record(net: &Net, data: &Dataset, epochs: usize, seed: u64, accuracy_float: f64, secs: f64) -> Record {
    Record {
        format: "bitloom-trained".into(),
        arch: net.arch.to_string(),
        method: net.method.to_string(),
        dataset: data.name.clone(),
        epochs,
        seed,
        accuracy_float,
        accuracy_integer: None,
        test_examples: data.test.len(),
        train_secs: secs,
        inq_levels: net.inq.iter().map(|s| (s.levels.n1, s.levels.n2)).collect(),
        binary_input: net.binary_input,
        from: None,
        input_convention: crate::dataset::convention().to_string(),
    }
}
