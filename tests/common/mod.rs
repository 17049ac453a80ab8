//! Shared helpers for the integration tests: seeded random models and inputs.
#![allow(dead_code)]

use bitloom_compiler::model::*;
use bitloom_compiler::types::DataType;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::PathBuf;

/// Runs the `bitloom` binary in the repository root with the tests' Verilator cache.
pub fn bitloom(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_bitloom"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("BITLOOM_CACHE", cache_dir())
        .output()
        .unwrap()
}

/// A command's stdout and stderr, for assertion messages.
pub fn text(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr)
}

/// A Verilator cache shared by the tests of one checkout (content-hashed, so safe to share).
pub fn cache_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("verilator-cache")
}

/// The committed digits (`tests/data/mnist-*.idx.gz`) as a training data directory under `dir`
/// (the same 200 digits as the train and the test split), for `bitloom train --data`.
pub fn digits_dir(dir: &std::path::Path) -> PathBuf {
    let data = dir.join("digits");
    std::fs::create_dir_all(&data).unwrap();
    for split in ["train", "test"] {
        for kind in ["images", "labels"] {
            let from = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/data/mnist-{kind}.idx.gz"));
            std::fs::copy(from, data.join(format!("{split}-{kind}.idx.gz"))).unwrap();
        }
    }
    data
}

/// Runs `bitloom train` or `bitloom quantize` (`args`, then `extra` options such as
/// `--epochs`) on the data directory `data`, writing the model to `out`; fails the test with
/// the command's output if it fails.
pub fn make_model(args: &[&str], data: &std::path::Path, extra: &[&str], out: &std::path::Path) {
    let mut all = args.to_vec();
    all.extend(["--data", data.to_str().unwrap()]);
    all.extend(extra);
    all.extend(["-o", out.to_str().unwrap()]);
    let o = bitloom(&all);
    assert!(o.status.success(), "{all:?}: {}", text(&o));
}

/// Fails with a clear message when a tool the test needs is missing.
pub fn require_tool(tool: &str, package: &str) {
    // Some tools (icepack) exit non-zero on --version; being able to start it is enough.
    let ok = std::process::Command::new(tool).arg("--version").output().is_ok();
    assert!(ok, "this test needs `{tool}`: install it with `apt-get install {package}` (or run scripts/setup.sh)");
}

/// Random ±1 matrix.
pub fn random_matrix(rng: &mut ChaCha8Rng, rows: usize, cols: usize) -> BitMatrix {
    let mut w = BitMatrix::zeros(rows, cols);
    for r in 0..rows {
        for c in 0..cols {
            w.set(r, c, rng.gen());
        }
    }
    w
}

/// A random network: an input quantizer (1-bit or 2-bit), `sizes.len() - 1` dense layers with
/// bipolar or ternary activations between them, and optionally a final bipolar threshold.
pub fn random_network(seed: u64, sizes: &[usize], ternary: bool, final_threshold: bool) -> Model {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut layers = Vec::new();
    let first_multibit = rng.gen_bool(0.5);
    let mut dtype = if first_multibit {
        layers.push(Layer::Threshold(MultiThreshold {
            name: "inq".into(),
            thresholds: ThresholdTable::new(1, 3, vec![64, 128, 192]).unwrap(),
            output: ThresholdOutput::Integer { bias: 0 },
        }));
        DataType::UInt(2)
    } else {
        layers.push(Layer::Threshold(MultiThreshold {
            name: "inq".into(),
            thresholds: ThresholdTable::new(1, 1, vec![128]).unwrap(),
            output: ThresholdOutput::Bipolar,
        }));
        DataType::Bipolar
    };
    let n = sizes.len() - 1;
    for i in 0..n {
        let (mw, mh) = (sizes[i], sizes[i + 1]);
        layers.push(Layer::BinaryDense(BinaryDense { name: format!("fc{i}"), weights: random_matrix(&mut rng, mh, mw) }));
        let acc = dense_output_type(dtype, mw);
        let spread = ((mw as f64).sqrt() * (dtype.max() as f64)).ceil() as i64 + 1;
        let last = i == n - 1;
        if last && !final_threshold {
            break;
        }
        let (steps, output) = if ternary && !last {
            (2, ThresholdOutput::Integer { bias: -1 })
        } else {
            (1, ThresholdOutput::Bipolar)
        };
        let mut values = Vec::new();
        for _ in 0..mh {
            let mut row: Vec<i64> = (0..steps).map(|_| rng.gen_range(-spread..=spread).clamp(acc.min(), acc.max())).collect();
            row.sort();
            values.extend(row);
        }
        layers.push(Layer::Threshold(MultiThreshold {
            name: format!("act{i}"),
            thresholds: ThresholdTable::new(mh, steps, values).unwrap(),
            output,
        }));
        dtype = threshold_output_type(steps, output);
    }
    Model { name: format!("random{seed}"), input: InputSpec::new(vec![sizes[0]], DataType::UInt(8)), layers, epilogue: None }
}

#[allow(unused_imports)] // not every test crate that includes this module uses it
pub use bitloom_flow::simcheck::random_inputs;

/// A random legal folding for every dense layer of `model`, padded ones included: PE anywhere
/// in `1..=MH` rounded up to a power of two, SIMD likewise (at least one layer pads).
pub fn random_padded_folding(seed: u64, model: &Model) -> bitloom_compiler::fold::FoldMap {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let shapes = bitloom_compiler::compile::matrix_shapes(model);
    loop {
        let folds: bitloom_compiler::fold::FoldMap = shapes
            .iter()
            .map(|s| {
                let pe = rng.gen_range(1..=s.mh.next_power_of_two());
                let simd = rng.gen_range(1..=s.mw.next_power_of_two());
                (s.name.clone(), bitloom_compiler::fold::Folding { pe, simd })
            })
            .collect();
        if shapes.iter().any(|s| folds[&s.name].pads(s.mh, s.mw)) {
            return folds;
        }
    }
}

/// A random legal folding for every dense layer of `model`.
pub fn random_folding(seed: u64, model: &Model) -> bitloom_compiler::fold::FoldMap {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let divisors = |n: usize| (1..=n).filter(|d| n % d == 0).collect::<Vec<_>>();
    bitloom_compiler::compile::matrix_shapes(model)
        .into_iter()
        .map(|s| {
            let pes = divisors(s.mh);
            let simds = divisors(s.mw);
            let f = bitloom_compiler::fold::Folding { pe: pes[rng.gen_range(0..pes.len())], simd: simds[rng.gen_range(0..simds.len())] };
            (s.name, f)
        })
        .collect()
}

/// The committed digits (`tests/data`).
pub const DIGITS: &str = "tests/data/mnist-images.idx.gz";

/// `bitloom sim` of `build` on the first `limit` digits with stall probability `stall`, as JSON.
pub fn sim_digits(build: &std::path::Path, limit: usize, stall: f64) -> serde_json::Value {
    let (limit, stall) = (limit.to_string(), stall.to_string());
    let o =
        bitloom(&["sim", build.to_str().unwrap(), "--input", DIGITS, "--limit", &limit, "--stall", &stall, "--json"]);
    assert!(o.status.success(), "{}", text(&o));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&o)))
}

/// Compiles `model` into `build` with `extra` options (the design must use engine `kind`), then
/// simulates 12 digits stalled and at full speed: no mismatch, and the full-speed cycles within
/// 1.05 × II. Returns `design.json`.
pub fn compile_and_check(
    model: &std::path::Path,
    build: &std::path::Path,
    extra: &[&str],
    kind: &str,
) -> serde_json::Value {
    let mut args = vec!["compile", model.to_str().unwrap(), "-o", build.to_str().unwrap()];
    args.extend(extra);
    let o = bitloom(&args);
    assert!(o.status.success(), "{}", text(&o));
    let design: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(build.join("design.json")).unwrap()).unwrap();
    assert!(
        design["nodes"].as_array().unwrap().iter().any(|n| n["kind"] == kind),
        "the design should use the {kind} engine: {design}"
    );
    let v = sim_digits(build, 12, 0.3);
    assert_eq!(v["mismatches"], 0, "{v}");
    assert_eq!(v["inputs"], 12, "{v}");
    let v = sim_digits(build, 12, 0.0);
    assert_eq!(v["mismatches"], 0, "{v}");
    let (cycles, ii) = (v["cycles_per_inference"].as_f64().unwrap(), design["ii"].as_f64().unwrap());
    assert!(cycles <= 1.05 * ii, "{cycles} cycles per inference against II {ii}");
    design
}
