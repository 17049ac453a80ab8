//! The CLI's board path end to end: `compile` writes the board top level, `board` serves it as
//! the virtual board (the pty path on the first line), `run --check --json` drives it with
//! the host driver and compares every output with the reference, `--load-weights` rewrites it.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

fn bitloom(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bitloom"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("BITLOOM_CACHE", common::cache_dir())
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr)
}

/// `bitloom board` in the background, with the pty path it printed; killed when dropped.
struct Board(Child, String);

impl Board {
    fn start(build: &str, extra: &[&str]) -> Board {
        let mut child = Command::new(env!("CARGO_BIN_EXE_bitloom"))
            .args(["board", build])
            .args(extra)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("BITLOOM_CACHE", common::cache_dir())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert!(line.starts_with("/dev/"), "first line of `bitloom board`: {line:?}");
        Board(child, line.trim().to_string())
    }
}

impl Drop for Board {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn compile_board_run_check_json() {
    common::require_tool("verilator", "verilator");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tfc");
    let out_s = out.to_str().unwrap();
    let o = bitloom(&["compile", "examples/tfc-w1a1", "-o", out_s, "--clock-mhz", "12", "--baud", "3000000"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("Board top level"), "{}", text(&o));
    for f in [
        "rtl/bitloom_link.v",
        "rtl/bitloom_board.v",
        "rtl/bitloom_board_sim.v",
        "rtl/bitloom_link_answer.mem",
        "rtl/bitloom_top.v",
    ] {
        assert!(out.join(f).exists(), "missing {f}");
    }
    let design: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("design.json")).unwrap()).unwrap();
    assert_eq!(design["hash"].as_str().unwrap().len(), 64);
    assert_eq!(design["board"]["divisor"], 4);
    assert_eq!(design["memories"].as_array().unwrap().len(), 7);

    let board = Board::start(out_s, &[]);
    let run = |extra: &[&str]| {
        let mut args = vec!["run", out_s, "--port", &board.1, "--input", "tests/data/mnist-images.idx.gz"];
        args.extend(extra);
        bitloom(&args)
    };
    let o = run(&["--labels", "tests/data/mnist-labels.idx.gz", "--limit", "12", "--check", "--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for key in ["inputs", "mismatches", "retries", "images_per_sec", "link_efficiency", "accuracy"] {
        assert!(v.get(key).is_some(), "missing {key} in {v}");
    }
    assert_eq!(
        (v["inputs"].as_u64(), v["mismatches"].as_u64(), v["retries"].as_u64()),
        (Some(12), Some(0), Some(0)),
        "{v}"
    );
    assert!(v["link_efficiency"].as_f64().unwrap() > 0.9, "{v}");

    // Behind a 16 ms bridge, on a board slowed to a third of real time: still no retries, and the
    // report names the board's fault counters.
    let slow = Board::start(out_s, &["--latency-ms", "16", "--max-mhz", "4"]);
    let o = bitloom(&[
        "run",
        out_s,
        "--port",
        &slow.1,
        "--input",
        "tests/data/mnist-images.idx.gz",
        "--limit",
        "6",
        "--check",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    for line in ["mismatches           0", "retries              0 (0 by the timer; 0 frames dropped)", "0 overruns"] {
        assert!(text(&o).contains(line), "{line:?} in {}", text(&o));
    }
    drop(slow);

    // Another model's weights of the same shapes, checked against that model.
    let other = dir.path().join("other");
    let model = bitloom_compiler::random_model::random_bnn(
        "tfc-other",
        &[784, 64, 64, 64, 10],
        5,
        bitloom_compiler::random_model::RandomOptions { input_shape: Some(vec![1, 28, 28]), ..Default::default() },
    );
    bitloom_compiler::format::save(&model, &other).unwrap();
    let o = run(&["--limit", "4", "--check", "--load-weights", other.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("mismatches           0"), "{}", text(&o));

    // A build of another design is refused by its hash, before anything runs.
    let out2 = dir.path().join("tfc2");
    let o = bitloom(&[
        "compile",
        "examples/tfc-w1a1",
        "-o",
        out2.to_str().unwrap(),
        "--baud",
        "3000000",
        "--target-ii",
        "256",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let o = bitloom(&[
        "run",
        out2.to_str().unwrap(),
        "--port",
        &board.1,
        "--input",
        "tests/data/mnist-images.idx.gz",
        "--limit",
        "1",
    ]);
    assert!(!o.status.success());
    assert!(text(&o).contains("the board runs design"), "{}", text(&o));
    assert!(Path::new(&board.1).exists());
}

#[test]
fn board_and_run_errors_are_clear() {
    let o = bitloom(&["board", "/nonexistent/build"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("not a compiled design"), "{}", text(&o));
    let o = bitloom(&["board", "/nonexistent/build", "--max-mhz", "0"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("--max-mhz must be a positive"), "{}", text(&o));
    let o = bitloom(&["run", "/nonexistent/build", "--port", "/dev/null", "--input", "x"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("not a compiled design"), "{}", text(&o));
}
