//! Mutation test of the ONNX reader: the committed ONNX models, damaged by bit flips,
//! truncations, byte insertions and edits of length fields, must import or fail with an
//! error, never panic. A fixed number of cases keeps it to a few seconds.

#[path = "../../compiler/tests/mutation/mod.rs"]
mod mutation;

use bitloom_import::{import_bytes, ImportOptions};
use mutation::{apply, mutations};
use proptest::prelude::*;
use std::path::Path;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/onnx").join(name)).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn damaged_onnx_never_panics(which in 0usize..2, muts in mutations()) {
        let name = ["cnv_w1a1_qonnx.onnx", "mlp_w4a4_qonnx.onnx"][which];
        let bytes = apply(&fixture(name), &muts);
        if let Ok(imported) = import_bytes(&bytes, &ImportOptions::default()) {
            // What imports is a valid model.
            bitloom_compiler::verify::verify(&imported.model).unwrap();
        }
    }
}
