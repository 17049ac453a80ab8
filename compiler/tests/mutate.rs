//! Mutation tests of the readers of user files: valid files (a model directory, IDX, `.npy`,
//! their gzip) are damaged by bit flips, truncations, byte insertions and edits of their
//! length fields, and every reader must answer with a value or an error, never a panic or an
//! unbounded allocation. The number of cases is fixed, so each test takes a few seconds.

use bitloom_compiler::data::{load_images, load_labels, read_images, write_idx};
use bitloom_compiler::format::{self, MODEL_FILE, WEIGHTS_FILE};
use bitloom_compiler::random_model::{random_bnn, RandomOptions};
mod mutation;

use mutation::{apply, mutation, mutations};
use proptest::prelude::*;
use std::io::Write;
use std::path::Path;

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn npy(descr: &str, shape: &str, data: &[u8]) -> Vec<u8> {
    let mut h = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
    while (10 + h.len() + 1) % 64 != 0 {
        h.push(' ');
    }
    h.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(h.len() as u16).to_le_bytes());
    out.extend_from_slice(h.as_bytes());
    out.extend_from_slice(data);
    out
}

/// Valid data files: IDX images and labels, `.npy` of bytes and of floats, and gzips of them.
fn data_files() -> Vec<Vec<u8>> {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("a.idx");
    let pixels: Vec<u8> = (0..3 * 4 * 5).map(|i| (i * 7) as u8).collect();
    write_idx(&p, &[3, 4, 5], &pixels).unwrap();
    let idx = std::fs::read(&p).unwrap();
    write_idx(&p, &[6], &[1, 2, 3, 4, 5, 6]).unwrap();
    let labels = std::fs::read(&p).unwrap();
    let floats: Vec<u8> = pixels.iter().flat_map(|&v| f32::from(v).to_le_bytes()).collect();
    let npy_u8 = npy("|u1", "(3, 4, 5)", &pixels);
    let npy_f4 = npy("<f4", "(3, 4, 5)", &floats);
    vec![gzip(&idx), gzip(&npy_f4), idx, labels, npy_u8, npy_f4]
}

/// A valid model directory's two files.
fn model_files() -> (Vec<u8>, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let model = random_bnn("m", &[12, 8, 4], 3, RandomOptions { ternary: true, ..Default::default() });
    format::save(&model, dir.path()).unwrap();
    (std::fs::read(dir.path().join(MODEL_FILE)).unwrap(), std::fs::read(dir.path().join(WEIGHTS_FILE)).unwrap())
}

fn check_data(path: &Path) {
    // Any answer is fine; a panic fails the test.
    let _ = load_images(path);
    let _ = read_images(path, Some(1));
    let _ = load_labels(path);
    let _ = bitloom_compiler::data::image_count(path);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn damaged_data_files_never_panic(which in 0usize..6, muts in mutations()) {
        let files = data_files();
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x");
        std::fs::write(&p, apply(&files[which], &muts)).unwrap();
        check_data(&p);
        // The same damage inside a gzip stream.
        std::fs::write(&p, gzip(&apply(&files[which % 4 + 2], &muts))).unwrap();
        check_data(&p);
    }

    #[test]
    fn damaged_model_directories_never_panic(
        json_muts in proptest::collection::vec(mutation(), 0..3),
        weight_muts in proptest::collection::vec(mutation(), 0..3),
    ) {
        let (json, weights) = model_files();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(MODEL_FILE), apply(&json, &json_muts)).unwrap();
        std::fs::write(dir.path().join(WEIGHTS_FILE), apply(&weights, &weight_muts)).unwrap();
        if let Ok(model) = format::load(dir.path()) {
            // A model that loads is valid: it runs.
            let x = vec![0u8; model.input.len()];
            let _ = bitloom_compiler::reference::run_batch(&model, &[x]);
        }
    }
}

#[test]
fn the_valid_files_are_valid() {
    let files = data_files();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x");
    for (i, f) in files.iter().enumerate() {
        std::fs::write(&p, f).unwrap();
        let ok = if i == 3 { load_labels(&p).is_ok() } else { load_images(&p).is_ok() };
        assert!(ok, "file {i}");
    }
    let (json, weights) = model_files();
    std::fs::write(dir.path().join(MODEL_FILE), json).unwrap();
    std::fs::write(dir.path().join(WEIGHTS_FILE), weights).unwrap();
    format::load(dir.path()).unwrap();
}
