//! Every native link block alone: its Verilog (as rust-hdl emits it) under Verilator against
//! rust-hdl's own simulation of the block, port for port in every cycle under random
//! stimulus; a golden-Verilog check; Verilator's lint; and a yosys iCE40 synthesis check.
//! (Behaviour against the protocol is the blocks' unit tests' and `board.rs`'s job.)
//!
//! All blocks sit side by side in one simulation shell (one Verilator build): its `in_data`
//! is every block's inputs concatenated, its `out_data` every block's outputs.
//! Golden files live in `hdl/tests/golden/link/`; re-bless them with `BITLOOM_BLESS=1`.

use bitloom_hdl::link::bench::Clocked;
use bitloom_hdl::link::command::CommandEngine;
use bitloom_hdl::link::crc::Crc32;
use bitloom_hdl::link::fifo::ByteFifo;
use bitloom_hdl::link::frame::{FrameRx, FrameTx};
use bitloom_hdl::link::misc::{Leds, ResetSync};
use bitloom_hdl::link::ram::ByteRam;
use bitloom_hdl::link::slip::{SlipDecoder, SlipEncoder};
use bitloom_hdl::link::status::StatusCounters;
use bitloom_hdl::link::uart::{UartRx, UartTx};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_hdl::core::atom::{Atom, AtomKind};
use rust_hdl::core::module_defines::ModuleDefines;
use rust_hdl::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

/// Sets an input port from a `u64`.
trait SetPort {
    fn set(&mut self, v: u64);
}

impl SetPort for Signal<In, Bit> {
    fn set(&mut self, v: u64) {
        self.next = v & 1 == 1;
    }
}

impl<const N: usize> SetPort for Signal<In, Bits<N>> {
    fn set(&mut self, v: u64) {
        self.next = (if N >= 64 { v } else { v & ((1 << N) - 1) }).into();
    }
}

/// Reads an output port as a `u64`.
trait GetPort {
    fn get(&self) -> u64;
}

impl GetPort for Signal<Out, Bit> {
    fn get(&self) -> u64 {
        u64::from(self.val())
    }
}

impl<const N: usize> GetPort for Signal<Out, Bits<N>> {
    fn get(&self) -> u64 {
        self.val().to_u64()
    }
}

/// A block under test, type-erased.
trait Dut {
    fn set(&mut self, inputs: &[u64]);
    fn get(&self) -> Vec<u64>;
    fn settle(&mut self);
    fn tick(&mut self);
}

struct Typed<B: Block> {
    tb: Clocked<B>,
    set: fn(&mut B, &[u64]),
    get: fn(&B) -> Vec<u64>,
}

impl<B: Block> Dut for Typed<B> {
    fn set(&mut self, inputs: &[u64]) {
        (self.set)(&mut self.tb.dut, inputs)
    }
    fn get(&self) -> Vec<u64> {
        (self.get)(&self.tb.dut)
    }
    fn settle(&mut self) {
        self.tb.settle()
    }
    fn tick(&mut self) {
        self.tb.tick()
    }
}

/// A port: name and width.
type Port = (String, usize);

/// The top-level ports of a block, inputs and outputs (the clock left out).
fn ports(block: &dyn Block) -> (Vec<Port>, Vec<Port>) {
    #[derive(Default)]
    struct P {
        depth: usize,
        ins: Vec<Port>,
        outs: Vec<Port>,
    }
    impl rust_hdl::core::probe::Probe for P {
        fn visit_start_scope(&mut self, _: &str, _: &dyn Block) {
            self.depth += 1;
        }
        fn visit_atom(&mut self, name: &str, a: &dyn Atom) {
            if self.depth == 1 && name != "clock" {
                match a.kind() {
                    AtomKind::InputParameter => self.ins.push((name.into(), a.bits())),
                    AtomKind::OutputParameter => self.outs.push((name.into(), a.bits())),
                    _ => {}
                }
            }
        }
        fn visit_end_scope(&mut self, _: &str, _: &dyn Block) {
            self.depth -= 1;
        }
    }
    let mut p = P::default();
    block.accept("top", &mut p);
    (p.ins, p.outs)
}

/// Inputs for a cycle, in port order.
type Stimulus = Box<dyn FnMut(&mut ChaCha8Rng, u64) -> Vec<u64>>;

/// One block: its name, Verilog, ports, simulation and stimulus.
struct Case {
    name: &'static str,
    verilog: String,
    ins: Vec<Port>,
    outs: Vec<Port>,
    dut: Box<dyn Dut>,
    stimulus: Stimulus,
}

/// A case for block type `$ty` made by `$make`, with its input and output fields in order.
macro_rules! case {
    ($name:literal, $make:expr, [$($i:ident),*], [$($o:ident),*], $stim:expr) => {{
        let block = $make;
        let (ins, outs) = ports(&block);
        let names_in: Vec<&str> = vec![$(stringify!($i)),*];
        let names_out: Vec<&str> = vec![$(stringify!($o)),*];
        assert_eq!(ins.iter().map(|p| p.0.as_str()).collect::<Vec<_>>(), names_in, "{}: inputs", $name);
        assert_eq!(outs.iter().map(|p| p.0.as_str()).collect::<Vec<_>>(), names_out, "{}: outputs", $name);
        let mut defines = ModuleDefines::default();
        let mut b = $make;
        b.connect_all();
        b.accept(&format!("t_{}", $name), &mut defines);
        let verilog = defines.defines();
        #[allow(unused_assignments, unused_variables, unused_mut)]
        let dut = Typed {
            tb: Clocked::new($make, |b| &mut b.clock),
            set: |b, v| {
                let mut k = 0;
                $(b.$i.set(v[k]); k += 1;)*
            },
            get: |b| vec![$(b.$o.get()),*],
        };
        Case { name: $name, verilog, ins, outs, dut: Box::new(dut), stimulus: Box::new($stim) }
    }};
}

/// Random bits of a value of `bits` bits.
fn r(rng: &mut ChaCha8Rng, bits: u32) -> u64 {
    rng.gen::<u64>() & if bits >= 64 { u64::MAX } else { (1 << bits) - 1 }
}

fn b(rng: &mut ChaCha8Rng, p: f64) -> u64 {
    u64::from(rng.gen_bool(p))
}

/// A byte full of SLIP's special values.
fn special(rng: &mut ChaCha8Rng) -> u64 {
    [0xC0, 0xDB, 0xDC, 0xDD, 0x00, 0x41, rng.gen::<u8>()][rng.gen_range(0..7)].into()
}

fn cases() -> Vec<Case> {
    let reset = |rng: &mut ChaCha8Rng, c: u64| u64::from(c < 2 || rng.gen_bool(0.002));
    let mut line = bitloom_sim::board::UartDriver::new(5);
    vec![
        case!("uart_rx", UartRx::default(), [reset, divisor, rx], [data, valid, frame_error, busy], move |rng, c| {
            if line.pending() == 0 {
                line.push(&[rng.gen()]);
            }
            // The line from a real transmitter, with a flipped bit now and then.
            let bit = line.next_bit() ^ rng.gen_bool(0.002);
            vec![reset(rng, c), 5, u64::from(bit)]
        }),
        case!("uart_tx", UartTx::default(), [reset, divisor, data, valid], [ready, tx], move |rng, c| vec![
            reset(rng, c),
            4,
            r(rng, 8),
            b(rng, 0.3)
        ]),
        case!(
            "slip_decoder",
            SlipDecoder::default(),
            [reset, in_data, in_valid, out_ready],
            [in_ready, out_data, out_end, out_bad, out_valid],
            move |rng, c| { vec![reset(rng, c), special(rng), b(rng, 0.7), b(rng, 0.7)] }
        ),
        case!(
            "slip_encoder",
            SlipEncoder::default(),
            [reset, in_data, in_end, in_valid, out_ready],
            [in_ready, out_data, out_valid],
            move |rng, c| { vec![reset(rng, c), special(rng), b(rng, 0.1), b(rng, 0.6), b(rng, 0.6)] }
        ),
        case!("crc32", Crc32Clocked::default(), [crc_in, data], [crc_out], move |rng, _| vec![r(rng, 32), r(rng, 8)]),
        case!(
            "byte_ram",
            ByteRam::with_contents(48, &[1, 2, 3], Some("t_byte_ram.mem".into())),
            [read_addr, read_enable, write_addr, write_data, write_enable],
            [read_data],
            move |rng, _| { vec![rng.gen_range(0..48), b(rng, 0.5), rng.gen_range(0..48), r(rng, 8), b(rng, 0.5)] }
        ),
        case!(
            "byte_fifo",
            ByteFifo::new(16),
            [reset, in_data, in_valid, out_ready],
            [overflow, out_data, out_valid],
            move |rng, c| {
                let phase = (c / 300) % 2 == 0;
                vec![
                    reset(rng, c),
                    r(rng, 8),
                    b(rng, if phase { 0.8 } else { 0.2 }),
                    b(rng, if phase { 0.2 } else { 0.8 }),
                ]
            }
        ),
        case!(
            "frame_rx",
            FrameRx::new(24),
            [reset, tok_data, tok_end, tok_bad, tok_valid, done],
            [tok_ready, buf_addr, buf_data, buf_we, frame_valid, seq, code, len, ev_ok, ev_crc, ev_framing, ev_overrun],
            {
                // Mostly whole good packets as tokens, some corrupted.
                let mut tokens: std::collections::VecDeque<(u8, bool)> = Default::default();
                move |rng: &mut ChaCha8Rng, c| {
                    if tokens.is_empty() {
                        let n = rng.gen_range(0..30);
                        let mut bytes = bitloom_protocol::Packet {
                            seq: rng.gen(),
                            code: rng.gen(),
                            data: (0..n).map(|_| rng.gen()).collect(),
                        }
                        .to_bytes();
                        if rng.gen_bool(0.3) {
                            let k = rng.gen_range(0..bytes.len());
                            bytes[k] ^= 1 << rng.gen_range(0..8);
                        }
                        tokens.extend(bytes.into_iter().map(|x| (x, false)));
                        tokens.push_back((0, true));
                    }
                    let (data, end) = tokens[0];
                    let valid = rng.gen_bool(0.7);
                    // The block takes a token when not holding a frame: assume so, and correct with `done`.
                    if valid {
                        tokens.pop_front();
                    }
                    vec![reset(rng, c), u64::from(data), u64::from(end), b(rng, 0.02), u64::from(valid), b(rng, 0.3)]
                }
            }
        ),
        case!(
            "frame_tx",
            FrameTx::default(),
            [reset, start, seq, code, len, base, rd_data, tok_ready],
            [busy, rd_addr, rd_en, tok_data, tok_end, tok_valid],
            move |rng, c| {
                vec![
                    reset(rng, c),
                    b(rng, 0.05),
                    r(rng, 8),
                    r(rng, 8),
                    rng.gen_range(0..20),
                    r(rng, 13),
                    r(rng, 8),
                    b(rng, 0.6),
                ]
            }
        ),
        case!(
            "status",
            StatusCounters::default(),
            [
                reset,
                ev_ok,
                ev_crc,
                ev_framing,
                ev_overrun,
                ev_overflow,
                ev_duplicate,
                ev_refused,
                ev_inference,
                ev_word,
                hold,
                index,
                read
            ],
            [idle, value],
            move |rng, c| {
                let mut v = vec![reset(rng, c)];
                v.extend((0..9).map(|_| b(rng, 0.3)));
                v.extend([b(rng, 0.2), r(rng, 5), b(rng, 0.5)]);
                v
            }
        ),
        case!(
            "command",
            CommandEngine::new(20, 6, 3, 32, 50),
            [
                reset,
                f_valid,
                f_seq,
                f_code,
                f_len,
                q_data,
                tx_busy,
                s_value,
                s_idle,
                io_in_ready,
                io_out_data,
                io_out_valid,
                mem_ok,
                mem_wb,
                mem_depth
            ],
            [
                f_release,
                q_addr,
                q_en,
                a_addr,
                a_data,
                a_we,
                tx_start,
                tx_seq,
                tx_code,
                tx_len,
                tx_base,
                s_index,
                s_read,
                s_hold,
                io_mode,
                io_mem,
                io_addr,
                io_start,
                io_in_data,
                io_in_valid,
                io_out_ready,
                ev_dup,
                ev_refused,
                ev_infer,
                ev_word,
                busy
            ],
            {
                // A frame holds still for a while, as the frame receiver holds it.
                let mut frame = (0u64, 0u64, 0u64);
                move |rng: &mut ChaCha8Rng, c| {
                    if c % 150 == 0 {
                        let code = [1, 2, 3, 3, 3, 4, 5][rng.gen_range(0..7)];
                        let len = if code == 3 {
                            [2, 22][rng.gen_range(0..2)]
                        } else {
                            [0, 1, 2, 5, 7, 22, 42, 64][rng.gen_range(0..8)]
                        };
                        frame = (r(rng, 2), code, len);
                    }
                    vec![
                        reset(rng, c),
                        b(rng, 0.9),
                        frame.0,
                        frame.1,
                        frame.2,
                        u64::from(rng.gen_bool(0.4)),
                        b(rng, 0.2),
                        r(rng, 8),
                        b(rng, 0.5),
                        b(rng, 0.7),
                        r(rng, 8),
                        b(rng, 0.5),
                        b(rng, 0.9),
                        rng.gen_range(1..3),
                        if rng.gen_bool(0.5) { rng.gen_range(0..40) } else { 1 << 25 },
                    ]
                }
            }
        ),
        case!("reset_sync", ResetSync::default(), [rst_in], [reset], move |rng, _| vec![b(rng, 0.05)]),
        case!(
            "leds",
            Leds::new(400),
            [reset, busy, activity, error],
            [heartbeat, busy_led, error_led],
            move |rng, c| { vec![reset(rng, c), b(rng, 0.01), b(rng, 0.01), b(rng, 0.005)] }
        ),
    ]
}

/// The combinational CRC with a clock port, so every case has one.
#[derive(LogicBlock, Default)]
struct Crc32Clocked {
    clock: Signal<In, Clock>,
    crc_in: Signal<In, Bits<32>>,
    data: Signal<In, Bits<8>>,
    crc_out: Signal<Out, Bits<32>>,
    crc: Crc32,
}

impl Logic for Crc32Clocked {
    #[hdl_gen]
    fn update(&mut self) {
        self.crc.crc_in.next = self.crc_in.val();
        self.crc.data.next = self.data.val();
        self.crc_out.next = self.crc.crc_out.val();
    }
}

fn cache() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("verilator-cache")
}

/// The shell: every case's module, inputs and outputs packed into the stream ports.
fn shell(cases: &[Case]) -> (String, usize, usize) {
    let total = |ports: fn(&Case) -> &Vec<Port>| cases.iter().flat_map(|c| ports(c).iter().map(|p| p.1)).sum::<usize>();
    let (iw, ow) = (total(|c| &c.ins), total(|c| &c.outs));
    let mut v = String::from("/* verilator lint_off DECLFILENAME */\n/* verilator lint_off UNUSEDSIGNAL */\n");
    v += &format!(
        "module link_blocks (\n{}\n);\n  assign in_ready = 1'b1;\n  assign out_valid = 1'b1;\n",
        bitloom_hdl::verilog::stream_ports(iw, ow, false)
    );
    let (mut i, mut o) = (0, 0);
    for c in cases {
        let mut conns = vec![".clock(clk)".to_string()];
        for (name, w) in &c.ins {
            conns.push(format!(".{name}(in_data[{}:{i}])", i + w - 1));
            i += w;
        }
        for (name, w) in &c.outs {
            conns.push(format!(".{name}(out_data[{}:{o}])", o + w - 1));
            o += w;
        }
        v += &format!("  t_{} {} ({});\n", c.name, c.name, conns.join(", "));
    }
    v += "endmodule\n";
    for c in cases {
        v += &c.verilog;
    }
    (v, iw, ow)
}

fn pack(values: &[(u64, usize)], words: usize) -> Vec<u64> {
    let mut w = vec![0u64; words];
    let mut pos = 0;
    for &(v, bits) in values {
        for k in 0..bits {
            if v >> k & 1 == 1 {
                w[(pos + k) / 64] |= 1 << ((pos + k) % 64);
            }
        }
        pos += bits;
    }
    w
}

fn unpack(words: &[u64], pos: usize, bits: usize) -> u64 {
    (0..bits).fold(0, |v, k| v | (words[(pos + k) / 64] >> ((pos + k) % 64) & 1) << k)
}

#[test]
fn every_link_block_matches_its_verilog_under_verilator() {
    let mut cases = cases();
    let dir = tempfile::tempdir().unwrap();
    let (text, iw, ow) = shell(&cases);
    let file = dir.path().join("link_blocks.v");
    std::fs::write(&file, &text).unwrap();
    std::fs::write(dir.path().join("t_byte_ram.mem"), "01\n02\n03\n").unwrap();
    let req = bitloom_sim::BuildRequest {
        rtl_files: vec![file],
        top: "link_blocks".into(),
        in_bits: iw,
        out_bits: ow,
        trace: false,
    };
    let built = bitloom_sim::build(&req, &cache(), None).expect("verilator build (scripts/setup.sh)");
    let mut vl = bitloom_sim::Sim::new(&built, dir.path()).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(99);
    let mut out = vec![0u64; ow.div_ceil(64)];
    let mut seen: Vec<Vec<bool>> = cases.iter().map(|c| vec![false; c.outs.len()]).collect();
    for cycle in 0..20_000u64 {
        let mut all = Vec::new();
        for c in cases.iter_mut() {
            let v = (c.stimulus)(&mut rng, cycle);
            c.dut.set(&v);
            c.dut.settle();
            all.extend(v.iter().zip(&c.ins).map(|(&x, p)| (x, p.1)));
        }
        vl.set_input(true, &pack(&all, iw.div_ceil(64))).unwrap();
        vl.out_data(&mut out);
        let mut pos = 0;
        for (k, c) in cases.iter().enumerate() {
            let got = c.dut.get();
            for (j, ((name, w), g)) in c.outs.iter().zip(&got).enumerate() {
                let want = unpack(&out, pos, *w);
                assert_eq!(
                    *g, want,
                    "{}.{name} differs in cycle {cycle} (rust-hdl {g:#x}, verilator {want:#x})",
                    c.name
                );
                seen[k][j] |= want != 0;
                pos += w;
            }
        }
        for c in cases.iter_mut() {
            c.dut.tick();
        }
        vl.tick().unwrap();
    }
    // Every output moved at least once, so the stimulus reached it.
    for (c, s) in cases.iter().zip(&seen) {
        for ((name, _), moved) in c.outs.iter().zip(s) {
            assert!(*moved, "{}.{name} never left zero: the stimulus misses it", c.name);
        }
    }
}

fn golden(name: &str, text: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/link").join(format!("{name}.v"));
    if std::env::var_os("BITLOOM_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing {}: run with BITLOOM_BLESS=1", path.display()));
    if want != text {
        let diff: Vec<String> = want
            .lines()
            .zip(text.lines())
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .take(5)
            .map(|(i, (a, b))| format!("line {}:\n- {a}\n+ {b}", i + 1))
            .collect();
        panic!(
            "{} differs from the emitted Verilog (re-bless with BITLOOM_BLESS=1):\n{}",
            path.display(),
            diff.join("\n")
        );
    }
}

/// A small design's I/O adapter core and the two board tops.
fn generated() -> Vec<(&'static str, String)> {
    use bitloom_compiler::ir::Stream;
    use bitloom_compiler::types::DataType;
    use bitloom_hdl::blocks::WritePort;
    use bitloom_hdl::link::io::{emit, IoShape};
    let shape = IoShape {
        input: Stream { dtype: DataType::UInt(10), len: 6, fold: 3 },
        output: Stream { dtype: DataType::Int(5), len: 4, fold: 2 },
        memories: vec![WritePort::new(12, 10), WritePort::new(3, 40)],
    };
    let model = bitloom_compiler::random_model::random_bnn("n", &[20, 12, 6], 1, Default::default());
    let g =
        bitloom_compiler::compile::compile(&model, &bitloom_compiler::compile::FoldChoice::TargetIi(8)).unwrap().graph;
    let board = bitloom_hdl::link::emit_board(
        &g,
        &bitloom_hdl::link::LinkParams { leds_active_low: vec![true, false, true, true], ..Default::default() },
    )
    .unwrap();
    vec![("link_io", emit("t_link_io", &shape)), ("board_top", board.board), ("board_sim", board.sim)]
}

#[test]
fn golden_verilog() {
    for c in cases() {
        golden(c.name, &c.verilog);
    }
    for (name, text) in generated() {
        golden(name, &text);
    }
}

#[test]
fn every_link_block_lints_and_synthesizes_for_ice40() {
    for tool in ["verilator", "yosys"] {
        let ok = Process::new(tool).arg("-V").output().map(|o| o.status.success()).unwrap_or(false);
        assert!(ok, "this test needs `{tool}`: install it with `apt-get install {tool}` (or run scripts/setup.sh)");
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t_byte_ram.mem"), "01\n02\n03\n").unwrap();
    let mut blocks: Vec<(String, String)> = cases().into_iter().map(|c| (format!("t_{}", c.name), c.verilog)).collect();
    blocks.extend(
        generated()
            .into_iter()
            .filter(|(n, _)| *n == "link_io")
            .map(|(_, t)| ("t_link_io".to_string(), format!("/* verilator lint_off DECLFILENAME */\n{t}"))),
    );
    for (top, text) in blocks {
        let file = dir.path().join(format!("{top}.v"));
        std::fs::write(&file, &text).unwrap();
        // rust-hdl's Verilog sizes literals at 32 bits: Verilator's WIDTH warnings are expected there.
        let lint = Process::new("verilator")
            .args([
                "--lint-only",
                "-Wall",
                "-Wno-WIDTH",
                "-Wno-DECLFILENAME",
                "-Wno-UNUSEDSIGNAL",
                "-Wno-UNUSEDPARAM",
                "-Wno-UNOPTFLAT",
                "--top-module",
                &top,
            ])
            .arg(&file)
            .output()
            .unwrap();
        assert!(lint.status.success(), "verilator lint of {top}:\n{}", String::from_utf8_lossy(&lint.stderr));
        let script = format!("read_verilog {top}.v; synth_ice40 -top {top}; tee -o {top}.stat stat");
        let out = Process::new("yosys").args(["-q", "-p", &script]).current_dir(dir.path()).output().unwrap();
        assert!(
            out.status.success(),
            "yosys on {top}:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let stat = std::fs::read_to_string(dir.path().join(format!("{top}.stat"))).unwrap();
        let cells: usize = stat
            .lines()
            .find_map(|l| l.trim().strip_prefix("Number of cells:").map(|n| n.trim().parse().unwrap()))
            .unwrap();
        assert!(cells > 0, "{top}: empty");
        eprintln!("{top}: {cells} iCE40 cells");
    }
}
