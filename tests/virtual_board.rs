//! The host driver against the virtual board: the bundled example's board top level,
//! Verilated with its real UART at 4 clock cycles per bit, behind a pseudo-terminal opened as a
//! serial port, exactly as `bitloom run` opens a real one. Real MNIST images; every output is
//! compared with the reference executor.

mod common;

use bitloom_flow::design::{build_with, Design};
use bitloom_compiler::compile::FoldChoice;
use bitloom_compiler::data;
use bitloom_compiler::model::Model;
use bitloom_compiler::random_model::{random_bnn, RandomOptions};
use bitloom_driver::{Device, Error, Options};
use bitloom_hdl::link::LinkParams;
use bitloom_sim::board::{BoardOptions, Faults, VirtualBoard};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

/// The example compiled once for every test here: 12 MHz, 3 Mbaud (divisor 4).
fn build() -> &'static (PathBuf, Design, Model) {
    static BUILD: OnceLock<(PathBuf, Design, Model)> = OnceLock::new();
    BUILD.get_or_init(|| {
        common::require_tool("verilator", "verilator");
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("virtual-board-{}", std::process::id()));
        let model = bitloom_compiler::format::load(Path::new("examples/tfc-w1a1")).unwrap();
        let link = LinkParams { baud: 3_000_000, ..LinkParams::default() };
        let design = build_with(&model, &FoldChoice::TargetIi(512), &dir, &link, None).unwrap();
        (dir, design, model)
    })
}

fn start(faults: Faults) -> VirtualBoard {
    start_with(BoardOptions { faults, ..BoardOptions::default() })
}

/// A board of the shared build at divisor 4 (3 Mbaud) with `opts`' faults, latency and speed.
fn start_with(opts: BoardOptions) -> VirtualBoard {
    let opts = BoardOptions { divisor: 4, cache_dir: common::cache_dir(), ..opts };
    VirtualBoard::start(&build().0, &opts).expect("virtual board")
}

/// Twenty digits through `board` with the default driver options: every answer right, and the
/// link's counters (host and board) for the caller to judge.
fn twenty_digits(board: &VirtualBoard) -> (bitloom_driver::LinkStats, bitloom_protocol::Status) {
    let (_, design, model) = build();
    let mut dev = Device::open(&board.pty_path().to_string_lossy(), 3_000_000, options()).unwrap();
    dev.require_design(&design.hash_bytes().unwrap()).unwrap();
    let xs = images(20);
    assert_eq!(dev.infer(&values(&xs)).unwrap(), reference(model, &xs));
    let status = dev.status().unwrap();
    (dev.stats(), status)
}

fn options() -> Options {
    Options::default()
}

fn images(n: usize) -> Vec<Vec<u8>> {
    let imgs = data::load_images(Path::new("tests/data/mnist-images.idx.gz")).unwrap();
    (0..n).map(|i| imgs.image(i).to_vec()).collect()
}

fn values(xs: &[Vec<u8>]) -> Vec<Vec<i64>> {
    xs.iter().map(|x| x.iter().map(|&v| i64::from(v)).collect()).collect()
}

fn reference(m: &Model, xs: &[Vec<u8>]) -> Vec<Vec<i64>> {
    bitloom_compiler::reference::run_batch(m, xs).unwrap()
}

#[test]
fn info_inference_and_new_weights_through_the_pty() {
    let (dir, design, model) = build();
    let board = start(Faults::NONE);
    let mut dev = Device::open(&board.pty_path().to_string_lossy(), 3_000_000, options()).unwrap();
    dev.require_design(&design.hash_bytes().unwrap()).unwrap();
    let info = dev.info().clone();
    assert_eq!((info.in_len, info.in_bits, info.out_len, info.out_signed), (784, 8, 10, true));
    assert_eq!(info.memories.len(), design.memories.len());

    let xs = images(24);
    let t = std::time::Instant::now();
    assert_eq!(dev.infer(&values(&xs)).unwrap(), reference(model, &xs), "the built weights");
    let wall = t.elapsed().as_secs_f64();
    let c = board.counters();
    let sim_secs = c.cycles as f64 / 12e6;
    eprintln!(
        "24 images: {:.0} images/s wall, {:.0} images/s simulated at 12 MHz; {} bytes in, {} out ({:.0} bytes/s simulated, {:.0} wall)",
        24.0 / wall,
        24.0 / sim_secs,
        c.bytes_in,
        c.bytes_out,
        c.bytes_in as f64 / sim_secs,
        c.bytes_in as f64 / wall
    );

    // Another model of the same shapes (same input quantizer): its words through WRITE.
    let other = random_bnn(
        "tfc-other",
        &[784, 64, 64, 64, 10],
        7,
        RandomOptions { input_shape: Some(vec![1, 28, 28]), ..RandomOptions::default() },
    );
    let images_b = bitloom_flow::weights::memory_images(design, dir, &other).unwrap();
    dev.load(&images_b).unwrap();
    let ys = dev.infer(&values(&xs[..6])).unwrap();
    assert_eq!(ys, reference(&other, &xs[..6]), "weights written at run time");
    assert_ne!(ys, reference(model, &xs[..6]));
    // And back.
    dev.load(&bitloom_flow::weights::memory_images(design, dir, model).unwrap()).unwrap();
    assert_eq!(dev.infer(&values(&xs[..3])).unwrap(), reference(model, &xs[..3]));
    let s = dev.status().unwrap();
    let words: u32 = design.memories.iter().map(|m| m.depth as u32).sum();
    assert_eq!((s.inferences, s.words_written, s.crc_errors), (33, 2 * words, 0), "{s:?}");
    assert_eq!(dev.stats().retries, 0);
    board.stop().unwrap();
}

#[test]
fn faults_cost_retries_never_wrong_answers() {
    let (_, design, model) = build();
    let xs = images(8);
    let want = reference(model, &xs);
    // Byte faults at `rate`; frame faults (cut, repeated, stalled) on a quarter of the frames.
    for (rate, seed) in [(3e-4, 1), (1e-3, 2), (2e-3, 4), (5e-3, 3)] {
        let board = start(Faults { byte_rate: rate, frame_rate: 0.25, stall: Duration::from_millis(50), seed });
        let opts = Options {
            min_rto: Duration::from_millis(50),
            max_rto: Duration::from_millis(250), // a short back-off cap keeps the runs that give up short
            retries: 20,
            ..Options::default()
        };
        let outcome = Device::open(&board.pty_path().to_string_lossy(), 3_000_000, opts).and_then(|mut dev| {
            dev.require_design(&design.hash_bytes().unwrap())?;
            let ys = dev.infer(&values(&xs))?;
            Ok((ys, dev.stats(), dev.status()?))
        });
        match outcome {
            Ok((ys, stats, status)) => {
                assert_eq!(ys, want, "fault rate {rate}: a wrong answer");
                eprintln!(
                    "fault rate {rate}: {} faults, {} retries, {} dropped, board {status:?}",
                    board.counters().faults,
                    stats.retries,
                    stats.dropped
                );
            }
            // Failures are reported, never silent.
            Err(e) => {
                assert!(matches!(e, Error::NoAnswer { .. }), "fault rate {rate}: {e}");
                eprintln!("fault rate {rate}: gave up with: {e}");
                assert!(rate >= 2e-3, "fault rate {rate} should not exhaust 20 retries");
            }
        }
        assert!(board.counters().faults > 0, "fault rate {rate}: no fault injected");
    }
}

#[test]
fn driver_errors_are_clear() {
    let (_, design, _) = build();
    let board = start(Faults::NONE);
    let mut dev = Device::open(&board.pty_path().to_string_lossy(), 3_000_000, options()).unwrap();

    let mut hash = design.hash_bytes().unwrap();
    hash[0] ^= 1;
    let e = dev.require_design(&hash).unwrap_err();
    assert!(matches!(e, Error::DesignMismatch { .. }) && e.to_string().contains(&design.hash), "{e}");

    let e = dev.read_memory(0, 0, 1).unwrap_err();
    assert!(matches!(e, Error::Refused { code: bitloom_protocol::ErrorCode::UnknownCommand, .. }), "{e}");
    let e = dev.write_memory(99, 0, &[vec![0]]).unwrap_err();
    assert!(e.to_string().contains("no memory 99"), "{e}");
    let e = dev.infer(&[vec![0; 783]]).unwrap_err();
    assert!(e.to_string().contains("783 elements"), "{e}");
    let e = dev.infer(&[vec![256; 784]]).unwrap_err();
    assert!(e.to_string().contains("outside"), "{e}");
    let e = dev.load(&[]).unwrap_err();
    assert!(e.to_string().contains("no words for the board's memory 0"), "{e}");
    // Models that the build cannot take: other shapes, other built-in thresholds.
    let (dir, _, _) = build();
    let small = random_bnn(
        "small",
        &[784, 32, 10],
        3,
        RandomOptions { input_shape: Some(vec![1, 28, 28]), ..RandomOptions::default() },
    );
    let e = bitloom_flow::weights::memory_images(design, dir, &small).unwrap_err();
    assert!(format!("{e:#}").contains("folding") || format!("{e:#}").contains("build"), "{e:#}");
    let shifted =
        RandomOptions { input_shape: Some(vec![1, 28, 28]), input_threshold: 100, ..RandomOptions::default() };
    let e =
        bitloom_flow::weights::memory_images(design, dir, &random_bnn("t", &[784, 64, 64, 64, 10], 3, shifted)).unwrap_err();
    assert!(e.to_string().contains("built into the hardware"), "{e:#}");
    // The link still works after all that.
    assert_eq!(dev.infer(&values(&images(1))).unwrap().len(), 1);
    drop(dev);

    // A second open of the same port is refused while the first holds it; a missing port is named.
    let _held = Device::open(&board.pty_path().to_string_lossy(), 3_000_000, options()).unwrap();
    assert!(Device::open(&board.pty_path().to_string_lossy(), 3_000_000, options()).is_err());
    let e = Device::open("/dev/bitloom-no-such-port", 3_000_000, options()).err().unwrap();
    assert!(matches!(e, Error::PortNotFound { .. }), "{e}");
}

#[test]
fn a_board_that_never_answers_is_reported() {
    // A pseudo-terminal with nobody behind it.
    let pty = nix::pty::openpty(None, None).unwrap();
    let path = nix::unistd::ttyname(pty.slave).unwrap();
    let ms = Duration::from_millis;
    let opts = Options { initial_rto: ms(50), min_rto: ms(50), max_rto: ms(100), retries: 3, window: 1 };
    let e = Device::open(&path.to_string_lossy(), 115_200, opts).err().unwrap();
    assert!(matches!(e, Error::NoAnswer { attempts: 4, .. }), "{e}");
    assert!(e.to_string().contains("attempts over"), "{e}");
    let _ = nix::unistd::close(pty.master);
    let _ = nix::unistd::close(pty.slave);
}

/// A USB bridge's 16 ms latency timer on every answer: the timer and window follow it, nothing
/// is sent twice, and the wider window never overruns the board.
#[test]
fn no_retries_behind_a_16_ms_bridge() {
    let board = start_with(BoardOptions { latency: Duration::from_millis(16), ..BoardOptions::default() });
    let (stats, status) = twenty_digits(&board);
    assert_eq!((stats.retries, stats.dropped), (0, 0), "{stats:?}");
    assert_eq!((status.overruns, status.crc_errors, status.duplicates), (0, 0, 0), "{status:?}");
    // The timer learned the latency (the excess over the wire time).
    assert!(stats.max_rtt >= Duration::from_millis(16), "{stats:?}");
}

/// A board simulated at 1 M cycles per second, twelve times slower than the 12 MHz FPGA it
/// models: its answers come twelve times later than the wire time says, and still nothing is
/// sent twice.
#[test]
fn no_retries_from_a_board_slower_than_real_time() {
    let board = start_with(BoardOptions { max_cycles_per_sec: Some(1e6), ..BoardOptions::default() });
    let (stats, status) = twenty_digits(&board);
    assert_eq!((stats.retries, stats.dropped), (0, 0), "{stats:?}");
    assert_eq!(status.overruns, 0, "{status:?}");
}

/// Two busy loops keep both cores busy while the digits go through: no retries. The loops end
/// when `busy` is dropped, on failure too.
#[test]
fn no_retries_while_both_cores_are_busy() {
    let board = start(Faults::NONE);
    let busy = bitloom_sim::BusyLoops::start(2, Duration::from_secs(300)).unwrap();
    let (stats, status) = twenty_digits(&board);
    drop(busy);
    assert_eq!((stats.retries, stats.dropped), (0, 0), "{stats:?}");
    assert_eq!(status.overruns, 0, "{status:?}");
}
