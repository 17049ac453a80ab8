//! The bundled example `examples/tfc-w1a1`: a BNN trained by `bitloom train` (its README gives
//! the command and the accuracy); these tests pin what the hardware tests rely on.

use bitloom_compiler::format;
use bitloom_compiler::model::{Layer, Model, ThresholdOutput};
use bitloom_compiler::{data, reference};
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The committed example.
fn expected() -> Model {
    format::load(&root().join("examples/tfc-w1a1")).expect("the bundled example loads and verifies")
}

#[test]
fn example_is_a_binarized_mlp_with_an_input_quantizer() {
    let m = expected();
    assert_eq!(m.input.shape, [1, 28, 28]);
    let Layer::Threshold(q) = &m.layers[0] else { panic!("the first layer quantizes the pixels") };
    assert_eq!((q.thresholds.values(), q.output), (&[128][..], ThresholdOutput::Bipolar));
    assert!(m.layers.iter().all(|l| matches!(l, Layer::Threshold(_) | Layer::BinaryDense(_))));
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
    // Trained: 188 of the 200 committed digits (its README), none of which it trained on.
    let labels = data::load_labels(&root().join("tests/data/mnist-labels.idx.gz")).unwrap();
    let right = outputs.iter().zip(&labels).filter(|(o, &l)| reference::argmax(o) == usize::from(l)).count();
    assert_eq!(right, 188, "accuracy on the committed digits changed");
}
