//! `scripts/make_model.py` writes models that load, and its independent NumPy implementation of
//! the semantics agrees with the reference executor. Needs `python3` with numpy and safetensors
//! (`scripts/setup.sh` installs them).

use bitloom_compiler::format;
use bitloom_compiler::model::{Layer, ThresholdOutput};
use bitloom_compiler::reference::Executor;
use std::path::{Path, PathBuf};
use std::process::Command;

fn python_ready() -> bool {
    Command::new("python3").args(["-c", "import numpy, safetensors"]).output().is_ok_and(|o| o.status.success())
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/make_model.py")
}

#[derive(serde::Deserialize)]
struct Check {
    inputs: Vec<Vec<u8>>,
    outputs: Vec<Vec<i64>>,
}

fn make(dir: &Path, extra: &[&str]) -> Check {
    let check = dir.join("check.json");
    let out = Command::new("python3")
        .arg(script())
        .arg(dir.join("model"))
        .args(["--check", check.to_str().unwrap()])
        .args(extra)
        .output()
        .expect("running python3");
    assert!(out.status.success(), "make_model.py failed:\n{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&std::fs::read(check).unwrap()).unwrap()
}

#[test]
fn python_models_load_and_agree_with_numpy() {
    assert!(python_ready(), "python3 with numpy and safetensors is needed: run scripts/setup.sh (it pip-installs them)");
    let cases: [&[&str]; 3] = [
        &[],
        &["--sizes", "784,100,37,10", "--seed", "3", "--ternary", "--input-shape", "1,28,28"],
        &["--sizes", "65,64,63,129,2", "--seed", "9", "--final-bipolar", "--input-threshold", "100"],
    ];
    for extra in cases {
        let dir = tempfile::tempdir().unwrap();
        let check = make(dir.path(), extra);
        let model = format::load(&dir.path().join("model")).unwrap_or_else(|e| panic!("{extra:?}: {e}"));
        if extra.contains(&"--ternary") {
            assert!(model
                .layers
                .iter()
                .any(|l| matches!(l, Layer::Threshold(t) if t.output == ThresholdOutput::Integer { bias: -1 })));
        }
        let ex = Executor::new(&model).unwrap();
        assert_eq!(check.inputs.len(), 8);
        for (x, y) in check.inputs.iter().zip(&check.outputs) {
            assert_eq!(&ex.run(x).unwrap(), y, "{extra:?}");
        }
        // The outputs are not trivially constant.
        assert!(check.outputs.iter().any(|o| o != &check.outputs[0]), "{extra:?}");
    }
}
