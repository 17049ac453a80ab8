//! Every method end to end on real digits (the 200 committed in `tests/data/`): train a tiny
//! network, export it, and check that the integer model on the reference executor predicts
//! what candle's evaluation of the same quantized network predicts, image by image.
//!
//! A prediction agrees when candle's class has the largest integer output: binarized networks
//! tie often in integers, and float rounding then picks among the tied classes arbitrarily.
//! Beyond ties there is no tolerance for BNN, XNOR-Net, INQ and HORQ on these images (their
//! integer models are exact refactorings, or HORQ's 16-bit fixed point); QIL may differ on a
//! couple of images because its activation levels are irrational in general, so a float value
//! can sit within rounding of a level.

use bitloom_compiler::reference::{argmax, Executor};
use bitloom_train::checkpoint;
use bitloom_train::dataset::{self, Dataset, Split};
use bitloom_train::export::export;
use bitloom_train::fit::{self, predict, TrainOptions};
use bitloom_train::net::Net;
use bitloom_train::spec::{Arch, Method};
use std::path::PathBuf;

fn digits() -> Dataset {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/data");
    let images = bitloom_compiler::data::load_images(&root.join("mnist-images.idx.gz")).unwrap();
    let labels = bitloom_compiler::data::load_labels(&root.join("mnist-labels.idx.gz")).unwrap();
    let all = Split { images: images.pixels, labels };
    // Train on 150, test on all 200 (the point is agreement, not accuracy).
    Dataset { name: "digits".into(), train: all.take(150, 784), test: all, image_len: 784, shape: vec![28, 28], classes: 10 }
}

fn mlp(sizes: &[usize]) -> Arch {
    Arch::Mlp(sizes.to_vec())
}

fn options() -> TrainOptions {
    TrainOptions { epochs: 3, batch: 25, lr: 5e-3, seed: 3, progress: false }
}

/// Images on which candle's class is not a largest output of the integer model.
fn disagreements(net: &mut Net, data: &Dataset) -> usize {
    let model = export(net, "t", &[1, 28, 28]).expect("exports and verifies");
    let exec = Executor::new(&model).unwrap();
    let candle = predict(net, &data.test, 784).unwrap();
    data.test
        .images
        .chunks(784)
        .zip(&candle)
        .filter(|(img, &c)| {
            let out = exec.run(img).unwrap();
            out[c] < out[argmax(&out)]
        })
        .count()
}

#[test]
fn binary_methods_export_exactly() {
    let data = digits();
    for (method, binary_input) in [(Method::Bnn, false), (Method::Bnn, true), (Method::Xnor, false)] {
        let mut net = Net::new(&mlp(&[784, 48, 32, 10]), method, 5).unwrap();
        net.binary_input = binary_input;
        let acc = fit::train(&mut net, &data, &options(), "t").unwrap();
        assert!(acc > 0.3, "{method} learned nothing: {acc}");
        assert_eq!(disagreements(&mut net, &data), 0, "{method} (binary input {binary_input})");
        // And the hardware compiles it.
        let model = export(&net, "t", &[1, 28, 28]).unwrap();
        bitloom_compiler::compile::compile(&model, &bitloom_compiler::compile::FoldChoice::TargetIi(64)).unwrap();
    }
}

#[test]
fn inq_and_qil_start_from_float_and_export() {
    let data = digits();
    let mut float = Net::new(&mlp(&[784, 48, 10]), Method::Float, 7).unwrap();
    let f = fit::train(&mut float, &data, &options(), "float").unwrap();
    assert!(f > 0.5, "float learned nothing: {f}");
    let dir = tempfile::tempdir().unwrap();
    let rec = checkpoint::record(&float, &data, 3, 7, f, 0.0);
    checkpoint::save(&float, &rec, dir.path()).unwrap();

    let (mut inq, _) = checkpoint::load(dir.path()).unwrap();
    let (a, b) = (predict(&mut inq, &data.test, 784).unwrap(), predict(&mut float, &data.test, 784).unwrap());
    assert_eq!(a, b, "checkpoint round trip");
    fit::inq(&mut inq, 4, &data, &TrainOptions { epochs: 1, ..options() }).unwrap();
    assert_eq!(disagreements(&mut inq, &data), 0, "INQ");
    // Every weight is a 4-bit power of two (or zero) in the exported model.
    let model = export(&inq, "t", &[1, 28, 28]).unwrap();
    use bitloom_compiler::model::{Layer, WeightType};
    assert!(model.layers.iter().any(|l| matches!(l, Layer::Dense(d) if d.weight_type == WeightType::Pow2(4))));

    let (mut qil, _) = checkpoint::load(dir.path()).unwrap();
    fit::qil(&mut qil, 4, 4, &data, &TrainOptions { epochs: 1, ..options() }).unwrap();
    let d = disagreements(&mut qil, &data);
    assert!(d <= 2, "QIL: {d} of 200 predictions differ");
}

#[test]
fn horq_exports_exactly_up_to_ties() {
    let data = digits();
    for k in [1, 2] {
        let mut net = Net::new(&mlp(&[784, 48, 32, 10]), Method::Horq(k), 11).unwrap();
        fit::train(&mut net, &data, &options(), "horq").unwrap();
        assert_eq!(disagreements(&mut net, &data), 0, "HORQ order {k}");
    }
}

#[test]
fn datasets_load_from_a_directory_and_missing_ones_say_how_to_get_them() {
    let data = digits();
    let dir = tempfile::tempdir().unwrap();
    dataset::write_split(dir.path(), "train", &data.train, &data.shape).unwrap();
    dataset::write_split(dir.path(), "test", &data.test, &data.shape).unwrap();
    let d = dataset::load(dir.path().to_str().unwrap()).unwrap();
    assert_eq!((d.train.len(), d.test.len(), d.classes, d.image_len), (150, 200, 10, 784));
    let e = dataset::load("no-such-dataset").unwrap_err().to_string();
    assert!(e.contains("fashion-mnist, mnist, or a directory"), "{e}");
}

/// Two convolutions, the second reading a 4-channel map, so the export's reordering of each
/// kernel from candle's (channel, ky, kx) to the model's channels-last (ky, kx, channel) order,
/// and the pooled maps' channels-last flattening before the classifier, decide every output:
/// any mistake there makes the integer model disagree on most images.
const CNN: &str = "cnn:1x28x28-c5x4-p2-c3x8-p2-10";

#[test]
fn cnn_binary_methods_export_exactly() {
    let data = digits();
    for (method, binary_input) in [(Method::Bnn, true), (Method::Xnor, false)] {
        let mut net = Net::new(&Arch::parse(CNN).unwrap(), method, 5).unwrap();
        net.binary_input = binary_input;
        let acc = fit::train(&mut net, &data, &options(), "t").unwrap();
        assert!(acc > 0.3, "{method} learned nothing: {acc}");
        assert_eq!(disagreements(&mut net, &data), 0, "{method} CNN");
        let model = export(&net, "t", &[1, 28, 28]).unwrap();
        let kinds: Vec<&str> = model.layers.iter().map(|l| l.kind()).collect();
        let expect = ["conv2d", "threshold", "max_pool2d", "conv2d", "threshold", "max_pool2d", "binary_dense"];
        assert_eq!(kinds[kinds.len() - expect.len()..], expect, "{kinds:?}");
    }
}

#[test]
fn cnn_inq_and_qil_start_from_float_and_export() {
    let data = digits();
    let mut float = Net::new(&Arch::parse(CNN).unwrap(), Method::Float, 7).unwrap();
    let f = fit::train(&mut float, &data, &options(), "float").unwrap();
    assert!(f > 0.3, "float learned nothing: {f}");
    let dir = tempfile::tempdir().unwrap();
    checkpoint::save(&float, &checkpoint::record(&float, &data, 3, 7, f, 0.0), dir.path()).unwrap();
    let (mut inq, rec) = checkpoint::load(dir.path()).unwrap();
    assert_eq!(rec.arch, CNN);
    assert_eq!(predict(&mut inq, &data.test, 784).unwrap(), predict(&mut float, &data.test, 784).unwrap(), "round trip");
    fit::inq(&mut inq, 4, &data, &TrainOptions { epochs: 1, ..options() }).unwrap();
    assert_eq!(disagreements(&mut inq, &data), 0, "INQ CNN");
    let (mut qil, _) = checkpoint::load(dir.path()).unwrap();
    fit::qil(&mut qil, 4, 4, &data, &TrainOptions { epochs: 1, ..options() }).unwrap();
    assert!(disagreements(&mut qil, &data) <= 2, "QIL CNN");
}

#[test]
fn horq_refuses_convolutions() {
    let e = Net::new(&Arch::parse(CNN).unwrap(), Method::Horq(2), 1).err().unwrap().to_string();
    assert!(e.contains("HORQ is for dense layers"), "{e}");
}
