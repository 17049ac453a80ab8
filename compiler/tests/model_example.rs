//! The bundled example `examples/tfc-w1a1` is exactly `random_bnn("tfc-w1a1", [784, 64, 64, 64, 10],
//! seed 1)` with a `[1, 28, 28]` input. `BITLOOM_BLESS=1 cargo test -p bitloom-compiler --test
//! model_example` rewrites it.

use bitloom_compiler::format::{self, MODEL_FILE, WEIGHTS_FILE};
use bitloom_compiler::model::{Layer, Model};
use bitloom_compiler::random_model::{random_bnn, RandomOptions};
use bitloom_compiler::{data, reference};
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The example as the code defines it.
fn expected() -> Model {
    let opts = RandomOptions { input_shape: Some(vec![1, 28, 28]), ..RandomOptions::default() };
    random_bnn("tfc-w1a1", &[784, 64, 64, 64, 10], 1, opts)
}

#[test]
fn example_matches_its_generator() {
    let dir = root().join("examples/tfc-w1a1");
    let model = expected();
    if std::env::var_os("BITLOOM_BLESS").is_some_and(|v| v == "1") {
        format::save(&model, &dir).unwrap();
        eprintln!("rewrote {}", dir.display());
    }
    let loaded = format::load(&dir).unwrap_or_else(|e| panic!("{e} (regenerate with BITLOOM_BLESS=1)"));
    assert_eq!(loaded, model, "the committed example differs from random_bnn (regenerate with BITLOOM_BLESS=1)");
    // Byte for byte, too: saving is deterministic.
    let tmp = tempfile::tempdir().unwrap();
    format::save(&model, tmp.path()).unwrap();
    for f in [MODEL_FILE, WEIGHTS_FILE] {
        assert!(std::fs::read(dir.join(f)).unwrap() == std::fs::read(tmp.path().join(f)).unwrap(), "{f} differs");
    }
}

#[test]
fn example_shape_is_finn_tfc() {
    let m = expected();
    assert_eq!(m.input.len(), 784);
    let dense: Vec<(usize, usize)> = m
        .layers
        .iter()
        .filter_map(|l| match l {
            Layer::BinaryDense(d) => Some((d.in_features(), d.out_features())),
            _ => None,
        })
        .collect();
    assert_eq!(dense, vec![(784, 64), (64, 64), (64, 64), (64, 10)]);
}

#[test]
fn example_runs_on_the_mnist_subset() {
    // The generator, not the files: `example_matches_its_generator` may be rewriting them.
    let m = expected();
    let images = data::load_images(&root().join("tests/data/mnist-images.idx.gz")).unwrap();
    let inputs: Vec<&[u8]> = images.iter().collect();
    let outputs = reference::run_batch(&m, &inputs).unwrap();
    assert_eq!(outputs.len(), 200);
    for o in &outputs {
        assert_eq!(o.len(), 10);
        // 64 bipolar inputs: even accumulators in −64..=64.
        assert!(o.iter().all(|&v| v % 2 == 0 && (-64..=64).contains(&v)), "{o:?}");
    }
    // Untrained, but the outputs still depend on the input.
    let distinct: std::collections::HashSet<&Vec<i64>> = outputs.iter().collect();
    assert!(distinct.len() > 100, "only {} distinct outputs", distinct.len());
}
