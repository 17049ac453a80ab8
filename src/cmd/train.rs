//! `bitloom train --arch mlp:784-256-256-10 --method bnn --data fashion-mnist -o DIR`
//! and `bitloom quantize FLOAT_DIR --method inq:5 --data fashion-mnist -o DIR`.

use anyhow::{bail, Result};
use bitloom_train::checkpoint::{self, Record};
use bitloom_train::dataset::{self, Dataset};
use bitloom_train::fit::{self, TrainOptions};
use bitloom_train::net::Net;
use bitloom_train::spec::{Arch, Method};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Options shared by `train` and `quantize`.
#[derive(clap::Args)]
pub struct Common {
    /// fashion-mnist, mnist, or a directory with {train,test}-{images,labels}.idx[.gz].
    #[arg(long)]
    data: String,
    /// Passes over the training set (per stage for INQ and QIL).
    #[arg(long, default_value_t = 10)]
    epochs: usize,
    /// Examples per step.
    #[arg(long, default_value_t = 100)]
    batch: usize,
    /// Adam's initial learning rate (cosine decay).
    #[arg(long, default_value_t = 2e-3)]
    lr: f64,
    /// Seed for initialisation and shuffling.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Train on at most this many examples (quick runs).
    #[arg(long)]
    train_limit: Option<usize>,
    /// Output directory.
    #[arg(short, long)]
    output: PathBuf,
    /// Print the record as JSON.
    #[arg(long)]
    json: bool,
}

/// Arguments of `train`.
#[derive(clap::Args)]
pub struct TrainArgs {
    /// Architecture: mlp:IN-H1-…-OUT (e.g. mlp:784-256-256-10), or cnn:CxHxW-…-OUT with cKxN (K×K
    /// convolution into N channels), pK (K×K max-pool after a convolution), dN (hidden dense layer),
    /// e.g. cnn:1x28x28-c3x16-p2-c3x32-p2-d64-10.
    #[arg(long)]
    arch: String,
    /// float, bnn, xnor or horq:K (INQ and QIL start from a float model: `bitloom quantize`).
    #[arg(long)]
    method: String,
    /// Binarize pixels at 128 before the first layer (FINN TFC style; bnn and xnor only).
    #[arg(long)]
    binarize_input: bool,
    #[command(flatten)]
    common: Common,
}

/// Arguments of `quantize`.
#[derive(clap::Args)]
pub struct QuantizeArgs {
    /// A float model written by `bitloom train --method float`.
    from: PathBuf,
    /// inq:B (2..=8 bits) or qil:W/A.
    #[arg(long)]
    method: String,
    #[command(flatten)]
    common: Common,
}

fn options(c: &Common) -> Result<TrainOptions> {
    if c.epochs == 0 || c.batch < 2 || !(c.lr > 0.0 && c.lr.is_finite()) {
        bail!("need --epochs ≥ 1, --batch ≥ 2 and a positive --lr");
    }
    Ok(TrainOptions { epochs: c.epochs, batch: c.batch, lr: c.lr, seed: c.seed, progress: true })
}

fn data(c: &Common) -> Result<Dataset> {
    let mut d = dataset::load(&c.data)?;
    if let Some(n) = c.train_limit {
        d.train = d.train.take(n, d.image_len);
    }
    Ok(d)
}

fn report(record: &Record, dir: &Path, json: bool) -> Result<ExitCode> {
    if json {
        println!("{}", serde_json::to_string(record)?);
    } else {
        let int = record.accuracy_integer.map_or(String::new(), |a| format!(", integer model {:.2} %", 100.0 * a));
        println!(
            "{} {} on {} (inputs {}): test accuracy {:.2} % (candle){int} in {:.0} s → {}",
            record.method,
            record.arch,
            record.dataset,
            record.input_convention,
            100.0 * record.accuracy_float,
            record.train_secs,
            dir.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `train`.
pub fn run_train(a: TrainArgs) -> Result<ExitCode> {
    let arch = Arch::parse(&a.arch)?;
    let method = Method::parse(&a.method)?;
    if !method.trains_from_scratch() {
        bail!("{method} starts from a trained float model: bitloom train --method float …, then bitloom quantize DIR --method {method}");
    }
    let opts = options(&a.common)?;
    let data = data(&a.common)?;
    if a.binarize_input && !matches!(method, Method::Bnn | Method::Xnor) {
        bail!("--binarize-input is for bnn and xnor");
    }
    let mut net = Net::new(&arch, method, a.common.seed)?;
    net.binary_input = a.binarize_input;
    let t = Instant::now();
    let acc = fit::train(&mut net, &data, &opts, &method.to_string())?;
    let record = checkpoint::record(&net, &data, opts.epochs, opts.seed, acc, t.elapsed().as_secs_f64());
    let record = bitloom_train::save_trained(&net, record, &data, &a.common.output)?;
    report(&record, &a.common.output, a.common.json)
}

/// Runs `quantize`.
pub fn run_quantize(a: QuantizeArgs) -> Result<ExitCode> {
    let method = Method::parse(&a.method)?;
    let (mut net, from) = checkpoint::load(&a.from)?;
    if net.method != Method::Float {
        bail!("{} holds a {} model; quantize starts from a float one", a.from.display(), net.method);
    }
    let opts = options(&a.common)?;
    let data = data(&a.common)?;
    let t = Instant::now();
    let acc = match method {
        Method::Inq(bits) => fit::inq(&mut net, bits, &data, &opts)?,
        Method::Qil { w, a: ab } => fit::qil(&mut net, w, ab, &data, &opts)?,
        other => bail!("quantize does {other} no differently from training it: use bitloom train --method {other}"),
    };
    let mut record = checkpoint::record(&net, &data, opts.epochs, opts.seed, acc, t.elapsed().as_secs_f64());
    record.from = Some(format!("{} ({})", a.from.display(), from.method));
    let record = bitloom_train::save_trained(&net, record, &data, &a.common.output)?;
    report(&record, &a.common.output, a.common.json)
}
