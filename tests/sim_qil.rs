//! Integer-weight MLPs through the integer MVU: a QIL 4/4 model trained and quantized by
//! bitloom on the committed digits, the importer's 4-bit QONNX MLP, and random integer MLPs
//! (`random_int_mlp`) under random foldings, each compiled and simulated in Verilator
//! bit-exactly against the reference, under back-pressure and at full speed within 1.05 × II.

mod common;

use bitloom_flow::simcheck::{simulate, SimOptions};
use bitloom_compiler::compile::FoldChoice;
use bitloom_compiler::random_model::random_int_mlp;
use common::{bitloom, compile_and_check, text};

#[test]
fn qil_mlp_trained_on_digits_simulates_bit_exactly() {
    common::require_tool("verilator", "verilator");
    let dir = tempfile::tempdir().unwrap();
    let data = common::digits_dir(dir.path());
    let (float, qil) = (dir.path().join("float"), dir.path().join("qil"));
    let opts = |epochs| ["--epochs", epochs, "--batch", "25"];
    common::make_model(&["train", "--arch", "mlp:784-32-10", "--method", "float"], &data, &opts("3"), &float);
    common::make_model(&["quantize", float.to_str().unwrap(), "--method", "qil:4/4"], &data, &opts("2"), &qil);
    compile_and_check(&qil, &dir.path().join("b1"), &[], "int_mvu");
    compile_and_check(&qil, &dir.path().join("b8"), &["--target-ii", "64"], "int_mvu");
}

#[test]
fn imported_w4a4_qonnx_mlp_simulates_bit_exactly() {
    common::require_tool("verilator", "verilator");
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m");
    let o = bitloom(&["import", "tests/data/onnx/mlp_w4a4_qonnx.onnx", "-o", model.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    compile_and_check(&model, &dir.path().join("b"), &["--target-ii", "200"], "int_mvu");
}

#[test]
fn random_integer_mlps_under_random_foldings() {
    common::require_tool("verilator", "verilator");
    // The last two fold with padding (PE not dividing MH, SIMD not dividing MW).
    let cases = [(1, [40, 12, 6], 2, 2, false), (2, [24, 15, 10], 8, 1, false), (3, [36, 20, 8], 4, 3, false)];
    let padded = [(4, [37, 11, 7], 4, 2, true), (5, [26, 9, 5], 3, 1, true)];
    for (seed, sizes, wbits, abits, pad) in cases.into_iter().chain(padded) {
        let model = random_int_mlp(&format!("int{seed}"), &sizes, wbits, abits, seed);
        let folds = if pad {
            common::random_padded_folding(seed + 100, &model)
        } else {
            common::random_folding(seed + 100, &model)
        };
        let dir = tempfile::tempdir().unwrap();
        let design = bitloom_flow::design::build(&model, &FoldChoice::Explicit(folds.clone()), dir.path()).unwrap();
        let inputs = common::random_inputs(seed, 10, sizes[0], model.input.dtype);
        for stall in [0.3, 0.0] {
            let opts = SimOptions { stall, seed, trace: None, cache_dir: common::cache_dir(), quiet: true };
            let r = simulate(dir.path(), &design, &model, &inputs, &opts).unwrap();
            assert_eq!(r.mismatches, 0, "seed {seed} folds {folds:?}: first mismatch {:?}", r.first_mismatch);
            assert_eq!(r.inputs, 10);
            if stall == 0.0 {
                let ii = design.ii as f64;
                assert!(
                    r.cycles_per_inference <= 1.05 * ii,
                    "seed {seed}: {} cycles vs II {ii}",
                    r.cycles_per_inference
                );
            }
        }
    }
}

/// Another integer model of the same shapes loads into a build (`bitloom run --load-weights`):
/// the output types hold any weights of the weight type, so every memory keeps its shape.
#[test]
fn a_retrained_integer_model_loads_into_the_build() {
    let (a, b) = (random_int_mlp("a", &[30, 12, 6], 4, 2, 1), random_int_mlp("a", &[30, 12, 6], 4, 2, 2));
    let dir = tempfile::tempdir().unwrap();
    let design = bitloom_flow::design::build(&a, &FoldChoice::TargetIi(10), dir.path()).unwrap();
    let images = bitloom_flow::weights::memory_images(&design, dir.path(), &b).unwrap();
    let own = bitloom_flow::weights::memory_images(&design, dir.path(), &a).unwrap();
    assert_eq!(images.len(), 3, "two weight memories and one threshold memory");
    for (x, y) in images.iter().zip(&own) {
        assert_eq!((x.id, x.width, x.words.len()), (y.id, y.width, y.words.len()));
    }
    assert_ne!(images[0].words, own[0].words, "the new model's weights");
}
