//! HORQ end to end: MLPs trained by `bitloom train --method horq:K` (K = 1, 2, 3) on the
//! committed digits, every layer a HORQ engine (the first on uint8 pixels, the next on the
//! previous engine's signed sums), compiled under several foldings and simulated in Verilator
//! bit-exactly against the reference, under back-pressure and at full speed within 1.05 × II;
//! and the committed example `examples/mlp-horq2` on a few images.

mod common;

use common::{bitloom, compile_and_check, text};
use std::path::Path;

/// Trains `mlp:784-16-10` with `horq:order` on the committed digits into `out`.
fn train_horq(dir: &Path, order: u32, out: &Path) {
    let data = common::digits_dir(dir);
    let method = format!("horq:{order}");
    let o = bitloom(&[
        "train",
        "--arch",
        "mlp:784-16-10",
        "--method",
        &method,
        "--data",
        data.to_str().unwrap(),
        "--epochs",
        "2",
        "--batch",
        "25",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
}

/// The HORQ nodes of a `design.json`.
fn horq_nodes(design: &serde_json::Value) -> Vec<serde_json::Value> {
    design["nodes"].as_array().unwrap().iter().filter(|n| n["kind"] == "horq").cloned().collect()
}

#[test]
fn horq_mlps_of_orders_1_to_3_trained_on_digits_simulate_bit_exactly() {
    common::require_tool("verilator", "verilator");
    for order in 1..=3 {
        let dir = tempfile::tempdir().unwrap();
        let model = dir.path().join(format!("horq{order}"));
        train_horq(dir.path(), order, &model);
        let fold = dir.path().join("fold.toml");
        std::fs::write(&fold, "[fc0]\npe = 4\nsimd = 8\n[fc1]\npe = 2\nsimd = 4\n").unwrap();
        for (build, extra) in [("b1", vec![]), ("b2", vec!["--fold", fold.to_str().unwrap()])] {
            let design = compile_and_check(&model, &dir.path().join(build), &extra, "horq");
            let nodes = horq_nodes(&design);
            assert_eq!(nodes.len(), 2, "every layer is a HORQ engine: {design}");
            assert_eq!(nodes[0]["input"]["dtype"]["type"], "uint", "the pixels: {design}");
            assert_eq!(nodes[1]["input"]["dtype"]["type"], "int", "the first engine's sums: {design}");
            if build == "b2" {
                assert_eq!((nodes[0]["pe"].as_u64(), nodes[0]["simd"].as_u64()), (Some(4), Some(8)));
                // II of an order-k layer: (k−1)·max(NF·SF, SF + QB + 3) + max(NF·SF, SF + MW + QB + 6)
                // with NF·SF = 4·98 and QB = 16 (limit 255·2^8): here the load of 784 pixels is
                // the longer part of the last order.
                let want = u64::from(order - 1) * 392 + (98 + 784 + 16 + 6);
                assert_eq!(nodes[0]["cycles"].as_u64(), Some(want), "order {order}");
            }
        }
    }
}

/// The committed example compiles for its board and simulates bit-exactly (a few images).
#[test]
fn the_mlp_horq2_example_compiles_for_its_board_and_simulates_bit_exactly() {
    common::require_tool("verilator", "verilator");
    let dir = tempfile::tempdir().unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/mlp-horq2");
    let fold = example.join("fold.toml");
    let build = dir.path().join("b");
    // The README's build: the OrangeCrab at 40 MHz.
    let extra = ["--board", "orangecrab", "--clock-mhz", "40", "--fold", fold.to_str().unwrap()];
    let design = compile_and_check(&example, &build, &extra, "horq");
    assert_eq!(horq_nodes(&design).len(), 2, "{design}");
}

/// `bitloom run --load-weights` of a HORQ build: another model with other weights and prescales
/// but the same shift and limit becomes the build's memory words (the MVU weights, then the
/// prescale); one with another shift is refused, naming the constants.
#[test]
fn another_horq_models_weights_and_prescale_load_into_the_build() {
    use bitloom_compiler::compile::FoldChoice;
    use bitloom_compiler::model::Layer;
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/mlp-horq2");
    let model = bitloom_compiler::format::load(&example).unwrap();
    let text = std::fs::read_to_string(example.join("fold.toml")).unwrap();
    let shapes = bitloom_compiler::compile::matrix_shapes(&model);
    let choice = FoldChoice::Explicit(bitloom_compiler::fold::parse_fold_file(&text, &shapes).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let design = bitloom_flow::design::build(&model, &choice, dir.path()).unwrap();
    let own = bitloom_flow::weights::memory_images(&design, dir.path(), &model).unwrap();
    assert_eq!(own.iter().map(|m| (m.width, m.words.len())).collect::<Vec<_>>(), [(95, 3137), (95, 176)]);
    let mut other = model.clone();
    let Layer::HorqDense(mut h) = other.layers[1].clone() else { panic!("fc1 is a HORQ layer") };
    h.prescale.iter_mut().for_each(|p| p.0 += 1);
    h.weights.set(0, 0, !h.weights.get(0, 0));
    other.layers[1] = Layer::HorqDense(h.clone());
    let images = bitloom_flow::weights::memory_images(&design, dir.path(), &other).unwrap();
    assert_eq!(images[0].words, own[0].words, "fc0 is unchanged");
    assert_ne!(images[1].words[0], own[1].words[0], "fc1's first weight word");
    assert_ne!(images[1].words[160], own[1].words[160], "fc1's first prescale word (after NF·SF = 160)");
    h.shift += 1;
    other.layers[1] = Layer::HorqDense(h);
    let err = bitloom_flow::weights::memory_images(&design, dir.path(), &other).unwrap_err();
    assert!(format!("{err:#}").contains("constants"), "{err:#}");
}
