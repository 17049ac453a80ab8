//! The board top level under Verilator through its real UART pins: every command of
//! `docs/protocol.md`, weights rewritten at run time, refusals, retries and corrupted frames;
//! and the rust-hdl model of the whole board (native link blocks, the I/O adapter's and the
//! engines' cycle models) against the Verilated board, pin for pin in every cycle.

use bitloom_compiler::compile::{compile, FoldChoice};
use bitloom_compiler::ir::DataflowGraph;
use bitloom_compiler::model::Model;
use bitloom_compiler::random_model::{random_bnn, RandomOptions};
use bitloom_hdl::link::{emit_board, LinkParams, ANSWER_MEM};
use bitloom_protocol::{slip, Command, ErrorCode, Info, Packet, Status, ERROR_CODE, RESPONSE_BIT};
use bitloom_sim::BoardSim;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::{Path, PathBuf};

fn cache() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("verilator-cache")
}

const SIZES: [usize; 3] = [20, 12, 6];
const HASH: [u8; 32] = [0x5A; 32];

fn model(seed: u64) -> Model {
    random_bnn(&format!("net{seed}"), &SIZES, seed, RandomOptions { ternary: true, ..RandomOptions::default() })
}

fn graph(m: &Model) -> DataflowGraph {
    compile(m, &FoldChoice::TargetIi(8)).unwrap().graph
}

/// A build directory (`rtl/` with the dataflow, the board and every memory file) for `g`.
fn build_dir(
    g: &DataflowGraph,
    params: &LinkParams,
    hash: [u8; 32],
) -> (tempfile::TempDir, bitloom_hdl::link::BoardRtl) {
    let dir = tempfile::tempdir().unwrap();
    let rtl = dir.path().join("rtl");
    bitloom_hdl::emit(g).write_to(&rtl).unwrap();
    let board = emit_board(g, params).unwrap();
    for (name, text) in board.files() {
        std::fs::write(rtl.join(name), text).unwrap();
    }
    std::fs::write(rtl.join(ANSWER_MEM), board.answer_mem(hash)).unwrap();
    (dir, board)
}

/// The host's side of the link, over a [`BoardSim`].
struct Host {
    board: BoardSim,
    seq: u8,
}

impl Host {
    fn new(dir: &Path, divisor: u32) -> Self {
        let mut board = BoardSim::new(dir, divisor, &cache()).expect("verilator build (scripts/setup.sh)");
        board.exchange(&[slip::END], 100_000).unwrap();
        Host { board, seq: 0 }
    }

    /// Sends raw wire bytes and returns the packets that came back (and undecodable frames as errors).
    fn raw(&mut self, wire: &[u8]) -> Vec<Result<Packet, String>> {
        let out = self.board.exchange(wire, 5_000_000).unwrap();
        let mut d = slip::Decoder::new(100_000);
        out.iter()
            .filter_map(|&b| match d.push(b) {
                slip::Event::Frame(f) => Some(Packet::parse(&f).map_err(|e| e.to_string())),
                slip::Event::Pending => None,
                e => Some(Err(format!("{e:?}"))),
            })
            .collect()
    }

    fn send(&mut self, seq: u8, code: u8, data: Vec<u8>) -> Vec<Result<Packet, String>> {
        self.raw(&Packet { seq, code, data }.to_frame())
    }

    /// One request, one answer with the same sequence number: its code and data.
    fn request(&mut self, command: Command, data: Vec<u8>) -> (u8, Vec<u8>) {
        self.seq = self.seq.wrapping_add(1);
        let seq = self.seq;
        let mut answers = self.send(seq, command as u8, data);
        assert_eq!(answers.len(), 1, "{command:?}: {answers:?}");
        let p = answers.remove(0).unwrap();
        assert_eq!(p.seq, seq);
        (p.code, p.data)
    }

    fn ok(&mut self, command: Command, data: Vec<u8>) -> Vec<u8> {
        let (code, data) = self.request(command, data);
        assert_eq!(code, RESPONSE_BIT | command as u8, "{command:?} answered {code:#x} {data:?}");
        data
    }

    fn refused(&mut self, command: Command, data: Vec<u8>) -> ErrorCode {
        let (code, data) = self.request(command, data);
        assert_eq!(code, ERROR_CODE, "{command:?} should be refused");
        ErrorCode::from_code(data[0]).unwrap()
    }

    fn status(&mut self) -> Status {
        Status::parse(&self.ok(Command::Status, vec![])).unwrap()
    }

    fn infer(&mut self, info: &Info, xs: &[Vec<u8>]) -> Vec<Vec<i64>> {
        let mut data = (xs.len() as u16).to_le_bytes().to_vec();
        xs.iter().for_each(|x| data.extend(x));
        let ans = self.ok(Command::Infer, data);
        let ob = info.out_bytes();
        assert_eq!(ans.len(), xs.len() * info.out_len as usize * ob);
        ans.chunks(info.out_len as usize * ob)
            .map(|v| {
                v.chunks(ob)
                    .map(|e| {
                        let mut raw = 0u64;
                        for (i, &b) in e.iter().enumerate() {
                            raw |= u64::from(b) << (8 * i);
                        }
                        let bits = 8 * ob as u32;
                        if info.out_signed {
                            ((raw << (64 - bits)) as i64) >> (64 - bits)
                        } else {
                            raw as i64
                        }
                    })
                    .collect()
            })
            .collect()
    }

    /// Writes every memory of `g`'s design as the host would, at most `max` data bytes a request.
    fn load(&mut self, g: &DataflowGraph, max: usize) -> u32 {
        let mut words = 0;
        for m in bitloom_hdl::memory::memories(g) {
            let per = (max - 5) / m.word_bytes();
            for (k, chunk) in m.bytes().chunks(per).enumerate() {
                let mut d = vec![m.id];
                d.extend(((k * per) as u32).to_le_bytes());
                chunk.iter().for_each(|w| d.extend(w));
                self.ok(Command::Write, d);
                words += chunk.len() as u32;
            }
        }
        words
    }
}

fn inputs(n: usize, seed: u64) -> Vec<Vec<u8>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n).map(|_| (0..SIZES[0]).map(|_| rng.gen()).collect()).collect()
}

fn reference(m: &Model, xs: &[Vec<u8>]) -> Vec<Vec<i64>> {
    bitloom_compiler::reference::run_batch(m, xs).unwrap()
}

#[test]
fn every_command_through_the_uart_and_new_weights_at_run_time() {
    let (a, b) = (model(11), model(12));
    let (ga, gb) = (graph(&a), graph(&b));
    assert_eq!(bitloom_hdl::memory::constants(&ga), bitloom_hdl::memory::constants(&gb));
    let (dir, board) = build_dir(&ga, &LinkParams::default(), HASH);
    let mut host = Host::new(dir.path(), 4);

    let info = Info::parse(&host.ok(Command::Info, vec![])).unwrap();
    assert_eq!(info, board.plan.info(HASH));
    assert!(info.max_batch >= 2, "{info:?}");

    let xs = inputs(info.max_batch as usize, 1);
    assert_eq!(host.infer(&info, &xs), reference(&a, &xs), "built weights");

    let words = host.load(&gb, board.plan.max_request());
    let ys = host.infer(&info, &xs);
    assert_eq!(ys, reference(&b, &xs), "weights written at run time");
    assert_ne!(ys, reference(&a, &xs));

    host.load(&ga, 64);
    assert_eq!(host.infer(&info, &xs[..1]), reference(&a, &xs[..1]), "written back, in small requests");
    assert_eq!(host.infer(&info, &[]), Vec::<Vec<i64>>::new(), "an empty batch");

    let s = host.status();
    let expected_words = 2 * words;
    assert_eq!(
        (s.inferences as usize, s.words_written, s.crc_errors, s.refused),
        (2 * xs.len() + 1, expected_words, 0, 0),
        "{s:?}"
    );
    assert!(s.frames_ok > 5);
    let c = host.board.counters();
    eprintln!("{} cycles, {} bytes in, {} bytes out", c.cycles, c.bytes_in, c.bytes_out);
}

#[test]
fn refusals_retries_and_corrupted_frames() {
    let a = model(21);
    let g = graph(&a);
    let (dir, board) = build_dir(&g, &LinkParams { request_bytes: Some(512), ..LinkParams::default() }, HASH);
    let mut host = Host::new(dir.path(), 5);
    let info = board.plan.info(HASH);
    let mem = &info.memories[0];
    let wb = mem.word_bytes();

    assert_eq!(host.refused(Command::Read, vec![0, 0, 0, 0, 0, 1, 0]), ErrorCode::UnknownCommand);
    let (code, data) = {
        host.seq += 1;
        let mut a = host.send(host.seq, 0x42, vec![]);
        let p = a.remove(0).unwrap();
        (p.code, p.data)
    };
    assert_eq!((code, data), (ERROR_CODE, vec![ErrorCode::UnknownCommand as u8]));
    assert_eq!(host.refused(Command::Info, vec![1]), ErrorCode::BadLength);
    assert_eq!(host.refused(Command::Status, vec![1]), ErrorCode::BadLength);
    assert_eq!(host.refused(Command::Write, vec![0, 0, 0]), ErrorCode::BadLength);
    assert_eq!(host.refused(Command::Write, vec![99, 0, 0, 0, 0, 1]), ErrorCode::BadMemory);
    let mut d = vec![0u8];
    d.extend(mem.depth.to_le_bytes());
    d.extend(vec![0; wb]);
    assert_eq!(host.refused(Command::Write, d), ErrorCode::OutOfRange);
    let mut d = vec![0u8];
    d.extend(u32::MAX.to_le_bytes());
    d.extend(vec![0; wb]);
    assert_eq!(host.refused(Command::Write, d), ErrorCode::OutOfRange, "offset + words wraps 32 bits");
    let mut d = vec![0u8, 0, 0, 0, 0];
    d.extend(vec![0; wb + 1]);
    assert_eq!(host.refused(Command::Write, d), ErrorCode::BadLength, "not whole words");
    let mut d = (info.max_batch + 1).to_le_bytes().to_vec();
    d.extend(vec![0; SIZES[0]]);
    assert_eq!(host.refused(Command::Infer, d), ErrorCode::BatchTooLarge);
    let mut d = 1u16.to_le_bytes().to_vec();
    d.extend(vec![0; SIZES[0] - 1]);
    assert_eq!(host.refused(Command::Infer, d), ErrorCode::BadLength);
    assert_eq!(host.refused(Command::Infer, vec![0]), ErrorCode::BadLength);
    // A refused WRITE wrote nothing.
    let xs = inputs(2, 3);
    assert_eq!(host.infer(&info, &xs), reference(&a, &xs));

    // A retry (same seq) gets the stored answer, byte for byte, and runs nothing again.
    let before = host.status();
    host.seq += 1;
    let seq = host.seq;
    let mut req = 1u16.to_le_bytes().to_vec();
    req.extend(&xs[0]);
    let first = host.send(seq, Command::Infer as u8, req.clone());
    let again = host.send(seq, Command::Infer as u8, req);
    assert_eq!(first, again);
    assert_eq!(first.len(), 1);
    let after = host.status();
    assert_eq!((after.inferences - before.inferences, after.duplicates - before.duplicates), (1, 1));

    // Corrupted, truncated, overlong and badly escaped frames: dropped, counted, never answered.
    let good =
        Packet { seq: 200, code: Command::Infer as u8, data: vec![1, 0].into_iter().chain(xs[1].clone()).collect() };
    let mut crc = good.to_bytes();
    crc[7] ^= 4;
    let mut wire = Vec::new();
    slip::encode(&crc, &mut wire);
    slip::encode(&good.to_bytes()[..5], &mut wire);
    let long = Packet { seq: 201, code: Command::Write as u8, data: vec![0; 600] };
    wire.extend(long.to_frame());
    wire.extend([0x01, slip::ESC, 0x07, 0x02, slip::END]);
    assert_eq!(host.raw(&wire), vec![]);
    let s = host.status();
    assert_eq!((s.crc_errors, s.framing_errors - after.framing_errors, s.overruns), (1, 2, 1), "{s:?}");
    assert_eq!(s.refused - after.refused, 0);
    assert_eq!(s.inferences, after.inferences);
    // The link still works.
    assert_eq!(host.infer(&info, &xs[1..]), reference(&a, &xs[1..]));
}

/// The rust-hdl model of the board and the Verilated board, pin for pin in every cycle, under
/// a traffic mix: INFO, INFER, WRITE, a refusal, a corrupted frame, a retry.
#[test]
fn rust_hdl_board_matches_verilator_cycle_for_cycle() {
    use bitloom_hdl::link::bench::Clocked;
    use bitloom_hdl::link::Board;
    use bitloom_sim::board::{UartDriver, IN_BITS, LINK_FILE, OUT_BITS, SIM_FILE, SIM_TOP};
    let a = model(31);
    let g = graph(&a);
    let params = LinkParams::default();
    let (dir, board) = build_dir(&g, &params, [0; 32]);
    let rtl = dir.path().join("rtl");
    let req = bitloom_sim::BuildRequest {
        rtl_files: vec![rtl.join(LINK_FILE), rtl.join(SIM_FILE)],
        top: SIM_TOP.into(),
        in_bits: IN_BITS,
        out_bits: OUT_BITS,
        trace: false,
    };
    let built = bitloom_sim::build(&req, &cache(), None).unwrap();
    let mut vl = bitloom_sim::Sim::new(&built, &rtl).unwrap();
    let mut md = Clocked::new(Board::new(&g, &board.plan), |b| &mut b.clk);

    let divisor = 4u32;
    let mut wire = vec![slip::END];
    wire.extend(Packet { seq: 1, code: Command::Info as u8, data: vec![] }.to_frame());
    let mut infer = 2u16.to_le_bytes().to_vec();
    inputs(2, 9).iter().for_each(|x| infer.extend(x));
    wire.extend(Packet { seq: 2, code: Command::Infer as u8, data: infer.clone() }.to_frame());
    let m = &bitloom_hdl::memory::memories(&graph(&model(32)))[0];
    let mut write = vec![m.id, 1, 0, 0, 0];
    m.bytes()[1..3].iter().for_each(|w| write.extend(w));
    wire.extend(Packet { seq: 3, code: Command::Write as u8, data: write }.to_frame());
    wire.extend(Packet { seq: 4, code: Command::Infer as u8, data: infer.clone() }.to_frame());
    wire.extend(Packet { seq: 4, code: Command::Infer as u8, data: infer }.to_frame());
    wire.extend(Packet { seq: 5, code: Command::Read as u8, data: vec![0; 7] }.to_frame());
    let mut bad = Packet { seq: 6, code: Command::Status as u8, data: vec![] }.to_frame();
    bad[1] ^= 1;
    wire.extend(bad);
    wire.extend(Packet { seq: 7, code: Command::Status as u8, data: vec![] }.to_frame());
    let mut uart = UartDriver::new(divisor);
    uart.push(&wire);

    vl.reset(3).unwrap();
    md.dut.rst_in.next = true;
    md.dut.baud_div.next = u64::from(divisor).into();
    md.dut.uart_rx.next = true;
    for _ in 0..3 {
        md.tick();
    }
    md.dut.rst_in.next = false;
    let mut out = [0u64];
    let (mut edges, mut quiet, mut cycles) = (0, 0, 0);
    for cycle in 0..400_000u64 {
        cycles = cycle;
        let rx = uart.next_bit();
        vl.set_input(true, &[(u64::from(divisor) << 1) | u64::from(rx)]).unwrap();
        vl.out_data(&mut out);
        md.dut.uart_rx.next = rx;
        md.settle();
        let pins = |tx: bool, hb: bool, busy: bool, err: bool, act: bool| [tx, hb, busy, err, act];
        let want = pins(
            out[0] & 1 == 1,
            out[0] >> 1 & 1 == 1,
            out[0] >> 2 & 1 == 1,
            out[0] >> 3 & 1 == 1,
            out[0] >> 4 & 1 == 1,
        );
        let d = &md.dut;
        let got = pins(d.uart_tx.val(), d.led_heartbeat.val(), d.led_busy.val(), d.led_error.val(), d.active.val());
        assert_eq!(got, want, "pins [tx, heartbeat, busy, error, active] differ in cycle {cycle}");
        edges += usize::from(cycle > 0 && !want[0]);
        quiet = if want[4] || uart.pending() > 0 { 0 } else { quiet + 1 };
        if quiet > 200 {
            break;
        }
        vl.tick().unwrap();
        md.tick();
    }
    eprintln!("{cycles} cycles in lockstep, uart_tx low in {edges}");
    assert_eq!(uart.pending(), 0, "the traffic did not finish");
    assert!(edges > 1000, "the board answered ({edges} low cycles on uart_tx)");
}
