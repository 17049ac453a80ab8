//! INQ end to end: a float MLP trained on the committed digits, quantized by `bitloom quantize
//! --method inq:5` (every `dense` layer, first and last included, gets power-of-two weights),
//! compiled onto shift-add MVUs and simulated in Verilator on real images, bit-exactly against
//! the reference, under back-pressure and at full speed (cycles within 1.05 × II).

mod common;

use bitloom_flow::simcheck::{simulate, SimOptions};
use bitloom_compiler::compile::FoldChoice;
use bitloom_compiler::fold::Folding;
use bitloom_compiler::ir::Node;
use bitloom_compiler::model::{
    int_dot_range, IntDense, IntMatrix, Layer, Model, MultiThreshold, ThresholdOutput, ThresholdTable, WeightType,
};
use bitloom_compiler::types::DataType;
use common::{bitloom, text};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A 784-24-12-10 MLP trained for a few epochs, then INQ-quantized to `method`, in `dir`.
fn inq_mlp(dir: &std::path::Path, method: &str) -> bitloom_compiler::model::Model {
    let data = common::digits_dir(dir);
    let (float, inq) = (dir.join("float"), dir.join("inq"));
    let train = ["train", "--arch", "mlp:784-24-12-10", "--method", "float"];
    common::make_model(&train, &data, &["--epochs", "3"], &float);
    common::make_model(&["quantize", float.to_str().unwrap(), "--method", method], &data, &["--epochs", "1"], &inq);
    bitloom_compiler::format::load(&inq).unwrap()
}

/// A random INQ MLP on uint8 pixels: `pow2_bits` dense layers `sizes[i] → sizes[i+1]` (a
/// quarter of the weights zero), uint2 activations after the first, bipolar after the others,
/// the last layer's sums the output. Thresholds are spread over each row's range, so every
/// level occurs.
fn random_inq(seed: u64, sizes: &[usize], bits: u32) -> Model {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut layers, mut dtype) = (Vec::new(), DataType::UInt(8));
    for (i, pair) in sizes.windows(2).enumerate() {
        let (mw, mh) = (pair[0], pair[1]);
        let values = (0..mh * mw)
            .map(|_| {
                // pow2_8 reaches 2^63; exponents below 16 keep the sums within 32 bits.
                let m = 1i32 << rng.gen_range(0..(1 << (bits - 2)).min(16));
                if rng.gen_bool(0.25) {
                    0
                } else if rng.gen() {
                    m
                } else {
                    -m
                }
            })
            .collect();
        let weights = IntMatrix::new(mh, mw, values).unwrap();
        let (lo, hi) = int_dot_range(&weights, dtype.min(), dtype.max());
        let name = format!("fc{i}");
        layers.push(Layer::Dense(IntDense { name, weights, weight_type: WeightType::Pow2(bits) }));
        if i + 2 == sizes.len() {
            break;
        }
        // A row's sums concentrate around its mean: thresholds within a tenth of the range.
        let (mid, spread) = (((lo + hi) / 2) as i64, ((hi - lo) / 20).max(1) as i64);
        let (steps, output) =
            if i == 0 { (3, ThresholdOutput::Integer { bias: 0 }) } else { (1, ThresholdOutput::Bipolar) };
        let values = (0..mh)
            .flat_map(|_| {
                let mut row: Vec<i64> = (0..steps).map(|_| rng.gen_range(mid - spread..=mid + spread)).collect();
                row.sort();
                row
            })
            .collect();
        let thresholds = ThresholdTable::new(mh, steps, values).unwrap();
        layers.push(Layer::Threshold(MultiThreshold { name: format!("act{i}"), thresholds, output }));
        dtype = if steps == 3 { DataType::UInt(2) } else { DataType::Bipolar };
    }
    let input = bitloom_compiler::model::InputSpec::new(vec![sizes[0]], DataType::UInt(8));
    Model { name: format!("inq{seed}"), input, layers, epilogue: None }
}

#[test]
fn random_inq_mlps_bit_exact_under_random_foldings() {
    common::require_tool("verilator", "verilator");
    // The last two fold with padding (PE not dividing MH, SIMD not dividing MW).
    let cases =
        [(1, vec![40, 12, 9, 6], 5, false), (2, vec![30, 16, 10], 3, false), (3, vec![24, 8, 8, 4], 8, false)];
    let padded = [(4, vec![37, 11, 7], 5, true), (5, vec![26, 9, 5], 4, true)];
    for (seed, sizes, bits, pad) in cases.into_iter().chain(padded) {
        let model = random_inq(seed, &sizes, bits);
        bitloom_compiler::verify::verify(&model).unwrap();
        let folds = if pad {
            common::random_padded_folding(seed + 10, &model)
        } else {
            common::random_folding(seed + 10, &model)
        };
        let dir = tempfile::tempdir().unwrap();
        let design = bitloom_flow::design::build(&model, &FoldChoice::Explicit(folds.clone()), dir.path()).unwrap();
        let inputs = common::random_inputs(seed, 12, sizes[0], DataType::UInt(8));
        // Every activation layer's outputs take several values: the check is not vacuous.
        let exec = bitloom_compiler::reference::Executor::new(&model).unwrap();
        let runs: Vec<Vec<Vec<i64>>> = inputs.iter().map(|x| exec.run_layers(x).unwrap()).collect();
        for (l, layer) in model.layers.iter().enumerate().filter(|(_, l)| matches!(l, Layer::Threshold(_))) {
            let seen: std::collections::BTreeSet<i64> = runs.iter().flat_map(|r| r[l].iter().copied()).collect();
            assert!(seen.len() > 1, "seed {seed}: {} always gives {seen:?}", layer.name());
        }
        for stall in [0.3, 0.0] {
            let opts = SimOptions { stall, seed, trace: None, cache_dir: common::cache_dir(), quiet: true };
            let r = simulate(dir.path(), &design, &model, &inputs, &opts).unwrap();
            assert_eq!(r.mismatches, 0, "seed {seed} folds {folds:?}: first mismatch {:?}", r.first_mismatch);
            assert_eq!(r.inputs, 12);
            if stall == 0.0 {
                let ratio = r.cycles_per_inference / design.ii as f64;
                assert!(
                    ratio <= 1.05,
                    "seed {seed} {folds:?}: {} cycles/inference vs II {}",
                    r.cycles_per_inference,
                    design.ii
                );
            }
        }
    }
}

/// An INQ MLP on 28×28 pixels compiles for the iCEBreaker (its weights in block RAM).
#[test]
fn random_inq_mlp_compiles_for_icebreaker() {
    let dir = tempfile::tempdir().unwrap();
    let (m, out) = (dir.path().join("m"), dir.path().join("b"));
    bitloom_compiler::format::save(&random_inq(4, &[784, 8, 8, 10], 5), &m).unwrap();
    let o = bitloom(&["compile", m.to_str().unwrap(), "-o", out.to_str().unwrap(), "--board", "icebreaker"]);
    assert!(o.status.success(), "{}", text(&o));
    let design: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("design.json")).unwrap()).unwrap();
    let kinds: Vec<&str> = design["nodes"].as_array().unwrap().iter().map(|n| n["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "shift_mvu").count(), 3, "{kinds:?}");
}

#[test]
fn inq5_mlp_on_shift_add_mvus_bit_exact_on_digits() {
    common::require_tool("verilator", "verilator");
    let dir = tempfile::tempdir().unwrap();
    let model = inq_mlp(dir.path(), "inq:5");
    let images = bitloom_compiler::data::load_images("tests/data/mnist-images.idx.gz".as_ref()).unwrap();
    let inputs: Vec<Vec<u8>> = images.pixels.chunks(784).take(10).map(<[u8]>::to_vec).collect();
    // Two foldings. PE stays small: a threshold word holds PE × 255 thresholds of 8-bit
    // activations, and Verilator refuses constants over 65 536 bits.
    let fold = |f: [(usize, usize); 3]| {
        let f = f.iter().enumerate().map(|(k, &(pe, simd))| (format!("fc{k}"), Folding { pe, simd }));
        FoldChoice::Explicit(f.collect())
    };
    let folds = [fold([(4, 16), (4, 8), (2, 4)]), fold([(2, 49), (3, 6), (5, 12)])];
    for (k, fold) in folds.iter().enumerate() {
        let out = dir.path().join(format!("build{k}"));
        let design = bitloom_flow::design::build(&model, fold, &out).unwrap();
        let c = bitloom_compiler::compile::compile(&model, fold).unwrap();
        let shift = c.graph.nodes.iter().filter(|n| matches!(n, Node::ShiftMvu(_))).count();
        assert_eq!(shift, 3, "every dense layer, first and last included, is a shift-add MVU");
        for stall in [0.3, 0.0] {
            let opts = SimOptions { stall, seed: 5, trace: None, cache_dir: common::cache_dir(), quiet: true };
            let r = simulate(&out, &design, &model, &inputs, &opts).unwrap();
            assert_eq!(r.mismatches, 0, "{fold:?} stall {stall}: first mismatch {:?}", r.first_mismatch);
            assert_eq!(r.inputs, 10);
            if stall == 0.0 {
                let ratio = r.cycles_per_inference / design.ii as f64;
                assert!(ratio <= 1.05, "{fold:?}: {} cycles/inference vs II {}", r.cycles_per_inference, design.ii);
            }
        }
    }
}

/// The virtual board (the board top level under Verilator behind a pty, its real UART) runs an
/// INQ MLP bit-exactly, then another model's power-of-two weights written at run time through
/// the link (`bitloom run --load-weights`' path): the same model with every row's columns
/// shuffled, so each layer's exact output type, and with it every memory's shape, is unchanged.
#[test]
fn inq_mlp_on_the_virtual_board_with_weights_written_at_run_time() {
    use bitloom_driver::{Device, Options};
    use bitloom_sim::board::{BoardOptions, Faults, VirtualBoard};
    use rand::seq::SliceRandom;
    common::require_tool("verilator", "verilator");
    let dir = tempfile::tempdir().unwrap();
    let model = random_inq(6, &[48, 12, 8, 6], 5);
    let link = bitloom_hdl::link::LinkParams { baud: 3_000_000, ..Default::default() };
    let design = bitloom_flow::design::build_with(&model, &FoldChoice::TargetIi(64), dir.path(), &link, None).unwrap();
    let mut other = model.clone();
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    for layer in &mut other.layers {
        if let Layer::Dense(d) = layer {
            let rows = (0..d.weights.rows()).flat_map(|r| {
                let mut row = d.weights.row(r).to_vec();
                row.shuffle(&mut rng);
                row
            });
            d.weights = IntMatrix::new(d.weights.rows(), d.weights.cols(), rows.collect()).unwrap();
        }
    }
    let opts = BoardOptions { divisor: 4, faults: Faults::NONE, cache_dir: common::cache_dir(), ..BoardOptions::default() };
    let board = VirtualBoard::start(dir.path(), &opts).expect("virtual board");
    let options = Options::default();
    let mut dev = Device::open(&board.pty_path().to_string_lossy(), 3_000_000, options).unwrap();
    dev.require_design(&design.hash_bytes().unwrap()).unwrap();
    let xs = common::random_inputs(3, 8, 48, DataType::UInt(8));
    let values: Vec<Vec<i64>> = xs.iter().map(|x| x.iter().map(|&v| i64::from(v)).collect()).collect();
    let reference = |m: &Model| bitloom_compiler::reference::run_batch(m, &xs).unwrap();
    assert_eq!(dev.infer(&values).unwrap(), reference(&model), "the built weights");
    dev.load(&bitloom_flow::weights::memory_images(&design, dir.path(), &other).unwrap()).unwrap();
    let ys = dev.infer(&values).unwrap();
    assert_eq!(ys, reference(&other), "weights written at run time");
    assert_ne!(ys, reference(&model));
    board.stop().unwrap();
}
