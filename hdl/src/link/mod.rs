//! The board top level: the dataflow behind a UART link that speaks the protocol of
//! `bitloom-protocol` (`docs/protocol.md`).
//!
//! ```text
//!            ┌──────────────────────────── LinkCore (fixed widths, native rust-hdl) ────────────────────────────┐
//! uart_rx ──▶│ UartRx ▶ ByteFifo ▶ SlipDecoder ▶ FrameRx ▶ request RAM ▶ CommandEngine ▶ answer RAM (+INFO) ▶   │
//!            │                                                 │   ▲          FrameTx ▶ SlipEncoder ▶ UartTx ─┼──▶ uart_tx
//!            │ ResetSync, StatusCounters, Leds                 ▼   │                                           │──▶ LEDs
//!            └─────────────────────────────────────────────────┬───┬───────────────────────────────────────────┘
//!                                      bytes, mode, mem, addr  │   │ bytes
//!                                                    ┌─────────▼───┴──────────┐  beats   ┌──────────────┐
//!                                                    │ LinkIo (generated core │ ───────▶ │  Dataflow    │
//!                                                    │  + cycle model)        │ ◀─────── │ (writable)   │
//!                                                    └────────────┬───────────┘          └──────▲───────┘
//!                                                                 └──── wr_en/wr_addr/wr_data ──┘
//! ```
//!
//! [`Board`] is the rust-hdl block (module `bitloom_link`) with ports `clk`, `rst_in`
//! (asynchronous, active high), `uart_rx`, `baud_div[16]`, and out `uart_tx`,
//! `led_heartbeat`, `led_busy`, `led_error`, `active`. Two thin Verilog tops instantiate it:
//! `bitloom_board` for the FPGA (ports `clk`, `uart_rx`, `uart_tx`, `led[n-1:0]`; the baud
//! divisor and LED polarity are constants, `rst_in` is low: a power-on reset runs inside) and
//! `bitloom_board_sim` for the virtual board (the simulator's stream ports: `in_data[0]` is
//! `uart_rx`, `in_data[16:1]` the baud divisor, `rst` is `rst_in`, `out_data` is
//! `{active, led_error, led_busy, led_heartbeat, uart_tx}`), whose Verilated library serves any
//! divisor and any weights of the same shapes. `active` (the link has work) tells the virtual
//! board when it may stop clocking.
//!
//! Sizes are chosen per design ([`plan`]): the request buffer holds a full INFER batch of
//! `max_batch` vectors, `2 + max_batch · input vector bytes`, which is also the most data a
//! request may carry (the host sizes WRITE requests to fit it); by default it is the fewest
//! 512-byte block RAMs that hold one input vector and one memory word (so small designs get
//! large batches and large ones fit small FPGAs), at most [`bitloom_protocol::MAX_DATA`]. The
//! answer buffer holds `max_batch` output vectors (at least the 32 STATUS bytes) and, above
//! them, the INFO bytes.

pub mod bench;
pub mod command;
pub mod core;
pub mod crc;
pub mod fifo;
pub mod frame;
pub mod io;
pub mod misc;
pub mod pll;
pub mod ram;
pub mod slip;
pub mod status;
pub mod uart;

use crate::engine::Dataflow;
use crate::memory::Memory;
use bitloom_compiler::ir::DataflowGraph;
use bitloom_compiler::types::DataType;
use bitloom_protocol::{Info, MemoryInfo, HASH_BYTES, MAX_DATA, VERSION};
use io::{IoShape, LinkIo};
use rust_hdl::core::module_defines::ModuleDefines;
use rust_hdl::prelude::*;
use std::fmt::Write as _;

/// Name of the rust-hdl board block's module.
pub const LINK_TOP: &str = "bitloom_link";
/// Name of the FPGA top module.
pub const BOARD_TOP: &str = "bitloom_board";
/// Name of the simulation shell module.
pub const SIM_TOP: &str = "bitloom_board_sim";
/// The answer buffer's initial contents (the INFO answer at its end).
pub const ANSWER_MEM: &str = "bitloom_link_answer.mem";
/// Bits of the simulation shell's `in_data`: `uart_rx`, then the 16-bit baud divisor.
pub const SIM_IN_BITS: usize = 17;
/// Bits of the simulation shell's `out_data`: `uart_tx`, heartbeat, busy, error, active.
pub const SIM_OUT_BITS: usize = 5;
/// The smallest baud divisor the UART supports.
pub const MIN_DIVISOR: u32 = 4;

/// How the board's link is built.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkParams {
    /// The design's clock frequency in Hz.
    pub clock_hz: u64,
    /// The UART's baud rate.
    pub baud: u32,
    /// Data bytes of the request buffer; `None` chooses (see the module doc).
    pub request_bytes: Option<usize>,
    /// Bytes of the receive FIFO.
    pub fifo_depth: usize,
    /// LEDs of the board, `led[0]` first: heartbeat, busy, error, then unused (off). `true`
    /// where the LED is lit by a low pin.
    pub leds_active_low: Vec<bool>,
    /// The PLL that makes the design clock (`clock_hz`) from the board's oscillator, when
    /// they differ; its `locked` output holds the link in reset.
    pub pll: Option<pll::Pll>,
}

impl Default for LinkParams {
    /// 12 MHz, 115 200 baud, buffers chosen per design, three active-high LEDs.
    fn default() -> Self {
        LinkParams {
            clock_hz: 12_000_000,
            baud: 115_200,
            request_bytes: None,
            fifo_depth: 512,
            leds_active_low: vec![false; 3],
            pll: None,
        }
    }
}

/// A design the link cannot serve, or parameters it cannot meet.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum LinkError {
    /// The baud rate does not divide the clock closely enough.
    #[error("a {clock_hz} Hz clock cannot make {baud} baud: the divisor {divisor} gives {actual} baud ({error_pct:.1} % off, at most 2 % works) and must be at least {MIN_DIVISOR}")]
    Baud {
        /// Clock.
        clock_hz: u64,
        /// Asked for.
        baud: u32,
        /// The nearest divisor.
        divisor: u64,
        /// Its baud rate.
        actual: u64,
        /// Its error in percent.
        error_pct: f64,
    },
    /// The design's input or output stream pads its last beat; the link packs whole beats
    /// (`bitloom_compiler::passes::fold_graph` keeps a compiled design's boundaries whole).
    #[error("the design's {which} stream of {len} elements at {fold} per beat pads its last beat: the link needs whole beats")]
    PaddedBoundary {
        /// "input" or "output".
        which: &'static str,
        /// Elements per vector.
        len: usize,
        /// Elements per beat.
        fold: usize,
    },
    /// One input or output vector, or one memory word, does not fit a packet.
    #[error("{what} of {bytes} bytes does not fit a link packet of at most {MAX_DATA} data bytes")]
    TooBig {
        /// What.
        what: String,
        /// Its size.
        bytes: usize,
    },
    /// The request buffer asked for is too small or too large.
    #[error("a request buffer of {asked} bytes does not work: it must hold {need} bytes (one input vector and its count, and one memory word with its header) and at most {MAX_DATA}")]
    Buffer {
        /// Asked for.
        asked: usize,
        /// The least that works.
        need: usize,
    },
    /// More memories than ids.
    #[error("the design has {0} writable memories; the link numbers at most 255")]
    TooManyMemories(usize),
    /// LED count.
    #[error("the board top drives 1 to 8 LEDs, not {0}")]
    Leds(usize),
}

/// The sizes of one design's link and what INFO reports.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkPlan {
    /// Clock cycles per UART bit.
    pub divisor: u32,
    /// Bytes per input vector on the link.
    pub in_vec_bytes: usize,
    /// Bytes per output vector on the link.
    pub out_vec_bytes: usize,
    /// The most vectors per INFER (and `2 + max_batch·in_vec_bytes` the most data per request).
    pub max_batch: usize,
    /// Data bytes of the request buffer.
    pub request_bytes: usize,
    /// Bytes of the answer buffer for computed answers.
    pub answer_bytes: usize,
    /// Bytes of the receive FIFO.
    pub fifo_depth: usize,
    /// The INFO answer, with a zero hash (see [`LinkPlan::info`]).
    pub info: Info,
    /// The parameters.
    pub params: LinkParams,
}

impl LinkPlan {
    /// INFO with the design hash.
    pub fn info(&self, hash: [u8; HASH_BYTES]) -> Info {
        Info { hash, ..self.info.clone() }
    }

    /// The most data bytes one request may carry.
    pub fn max_request(&self) -> usize {
        2 + self.max_batch * self.in_vec_bytes
    }
}

/// The baud divisor for a clock and baud rate, within 2 %.
pub fn divisor(clock_hz: u64, baud: u32) -> Result<u32, LinkError> {
    let d = ((clock_hz + u64::from(baud) / 2) / u64::from(baud.max(1))).max(1);
    let actual = clock_hz / d;
    let error_pct = (actual as f64 - f64::from(baud)).abs() / f64::from(baud.max(1)) * 100.0;
    if d < u64::from(MIN_DIVISOR) || d > 0xFFFF || error_pct > 2.0 {
        return Err(LinkError::Baud { clock_hz, baud, divisor: d, actual, error_pct });
    }
    Ok(d as u32)
}

fn round_up(n: usize, to: usize) -> usize {
    n.div_ceil(to) * to
}

/// Chooses the link's sizes for `g` and describes it for INFO.
pub fn plan(g: &DataflowGraph, memories: &[Memory], params: &LinkParams) -> Result<LinkPlan, LinkError> {
    let divisor = divisor(params.clock_hz, params.baud)?;
    if memories.len() > 255 {
        return Err(LinkError::TooManyMemories(memories.len()));
    }
    if !(1..=8).contains(&params.leds_active_low.len()) {
        return Err(LinkError::Leds(params.leds_active_low.len()));
    }
    let (i, o) = (g.input(), g.output());
    for (which, s) in [("input", i), ("output", o)] {
        if s.padding() != 0 {
            return Err(LinkError::PaddedBoundary { which, len: s.len, fold: s.fold });
        }
    }
    let in_vec = i.len * (i.dtype.bits() as usize).div_ceil(8);
    let out_vec = o.len * (o.dtype.bits() as usize).div_ceil(8);
    let wmax = memories.iter().map(Memory::word_bytes).max().unwrap_or(1);
    for (what, bytes, limit) in [
        ("an input vector with its count".to_string(), 2 + in_vec, MAX_DATA),
        ("an output vector".to_string(), out_vec, MAX_DATA),
        ("a memory word with its WRITE header".to_string(), 5 + wmax, MAX_DATA),
    ] {
        if bytes > limit {
            return Err(LinkError::TooBig { what, bytes });
        }
    }
    // The request buffer: a batch of at least `b` vectors that also holds one word.
    let need = |b: usize| 2 + b.max((3 + wmax).div_ceil(in_vec)) * in_vec;
    let request_bytes = match params.request_bytes {
        Some(r) if r < need(1) || r > MAX_DATA => return Err(LinkError::Buffer { asked: r, need: need(1) }),
        Some(r) => r,
        None if need(1) <= MAX_DATA => round_up(need(1), 512).min(MAX_DATA),
        None => return Err(LinkError::Buffer { asked: MAX_DATA, need: need(1) }),
    };
    let max_batch = ((request_bytes - 2) / in_vec).min(MAX_DATA / out_vec.max(1)).min(usize::from(u16::MAX));
    let answer_bytes = (max_batch * out_vec).max(32);
    let signed = |t: DataType| matches!(t, DataType::Int(_));
    let info = Info {
        version: VERSION,
        hash: [0; HASH_BYTES],
        in_len: i.len as u32,
        in_bits: i.dtype.bits() as u8,
        in_signed: signed(i.dtype),
        out_len: o.len as u32,
        out_bits: o.dtype.bits() as u8,
        out_signed: signed(o.dtype),
        max_batch: max_batch as u16,
        memories: memories
            .iter()
            .map(|m| MemoryInfo { id: m.id, width: m.width as u16, depth: m.depth as u32 })
            .collect(),
    };
    Ok(LinkPlan {
        divisor,
        in_vec_bytes: in_vec,
        out_vec_bytes: out_vec,
        max_batch,
        request_bytes,
        answer_bytes,
        fifo_depth: params.fifo_depth,
        info,
        params: params.clone(),
    })
}

/// The board's rust-hdl block (module `bitloom_link`, see the module doc).
pub struct Board {
    /// Clock.
    pub clk: Signal<In, Clock>,
    /// Asynchronous reset request, active high.
    pub rst_in: Signal<In, Bit>,
    /// UART from the host.
    pub uart_rx: Signal<In, Bit>,
    /// Clock cycles per UART bit.
    pub baud_div: Signal<In, Bits<16>>,
    /// UART to the host.
    pub uart_tx: Signal<Out, Bit>,
    /// Heartbeat LED (active high).
    pub led_heartbeat: Signal<Out, Bit>,
    /// Busy LED (active high).
    pub led_busy: Signal<Out, Bit>,
    /// Error LED (active high).
    pub led_error: Signal<Out, Bit>,
    /// The link has work (for the virtual board; unused on the FPGA).
    pub active: Signal<Out, Bit>,
    /// The fixed-width link.
    pub core: core::LinkCore,
    /// The I/O adapter.
    pub io: LinkIo,
    /// The dataflow, with its memory write bus.
    pub dataflow: Dataflow,
}

impl Board {
    /// The board for `g` as planned.
    pub fn new(g: &DataflowGraph, plan: &LinkPlan) -> Self {
        let dataflow = Dataflow::writable(g, crate::TOP);
        let shape = IoShape {
            input: *g.input(),
            output: *g.output(),
            memories: dataflow.write_ports().into_iter().map(|(_, p)| p).collect(),
        };
        let core = core::LinkCore::new(&core::CoreParams {
            clock_hz: plan.params.clock_hz,
            fifo_depth: plan.fifo_depth,
            request_bytes: plan.request_bytes,
            answer_bytes: plan.answer_bytes,
            info: plan.info.to_bytes(),
            answer_file: ANSWER_MEM.to_string(),
            in_vec_bytes: plan.in_vec_bytes,
            out_vec_bytes: plan.out_vec_bytes,
            max_batch: plan.max_batch,
        });
        Board {
            clk: Default::default(),
            rst_in: Default::default(),
            uart_rx: Default::default(),
            baud_div: Default::default(),
            uart_tx: Default::default(),
            led_heartbeat: Default::default(),
            led_busy: Default::default(),
            led_error: Default::default(),
            active: Default::default(),
            core,
            io: LinkIo::new(&format!("{LINK_TOP}_io"), &shape),
            dataflow,
        }
    }

    /// The Verilog of the block tree: module `bitloom_link`, its children, the adapter's and
    /// the engines' cores.
    pub fn verilog(&self) -> String {
        let mut defines = ModuleDefines::default();
        self.accept(LINK_TOP, &mut defines);
        defines.defines()
    }
}

impl Logic for Board {
    fn update(&mut self) {
        let (core, io, df) = (&mut self.core, &mut self.io, &mut self.dataflow);
        core.clock.next = self.clk.val();
        core.rst_in.next = self.rst_in.val();
        core.uart_rx.next = self.uart_rx.val();
        core.baud_div.next = self.baud_div.val();
        self.uart_tx.next = core.uart_tx.val();
        self.led_heartbeat.next = core.led_heartbeat.val();
        self.led_busy.next = core.led_busy.val();
        self.led_error.next = core.led_error.val();
        self.active.next = core.active.val();
        io.clk.next = self.clk.val();
        io.rst.next = core.reset.val();
        io.mode.next = core.io_mode.val();
        io.mem.next = core.io_mem.val();
        io.addr.next = core.io_addr.val();
        io.start.next = core.io_start.val();
        io.in_byte.next = core.io_in_data.val();
        io.in_valid.next = core.io_in_valid.val();
        core.io_in_ready.next = io.in_ready.val();
        core.io_out_data.next = io.out_byte.val();
        core.io_out_valid.next = io.out_valid.val();
        io.out_ready.next = core.io_out_ready.val();
        core.mem_ok.next = io.mem_ok.val();
        core.mem_wb.next = io.mem_wb.val();
        core.mem_depth.next = io.mem_depth.val();
        df.clk.next = self.clk.val();
        df.rst.next = core.reset.val();
        df.in_data.drive(io.df_in_data.val());
        df.in_valid.next = io.df_in_valid.val();
        io.df_in_ready.next = df.in_ready.val();
        io.df_out_data.drive(df.out_data.val());
        io.df_out_valid.next = df.out_valid.val();
        df.out_ready.next = io.df_out_ready.val();
        df.wr_en.drive(io.wr_en.val());
        df.wr_addr.drive(io.wr_addr.val());
        df.wr_data.drive(io.wr_data.val());
    }

    fn connect(&mut self) {
        self.uart_tx.connect();
        self.led_heartbeat.connect();
        self.led_busy.connect();
        self.led_error.connect();
        self.active.connect();
        let (core, io, df) = (&mut self.core, &mut self.io, &mut self.dataflow);
        for s in [&mut core.rst_in, &mut core.uart_rx, &mut core.io_in_ready, &mut core.io_out_valid, &mut core.mem_ok]
        {
            s.connect();
        }
        core.clock.connect();
        core.baud_div.connect();
        core.io_out_data.connect();
        core.mem_wb.connect();
        core.mem_depth.connect();
        io.clk.connect();
        for s in
            [&mut io.rst, &mut io.start, &mut io.in_valid, &mut io.out_ready, &mut io.df_in_ready, &mut io.df_out_valid]
        {
            s.connect();
        }
        io.mode.connect();
        io.mem.connect();
        io.addr.connect();
        io.in_byte.connect();
        io.df_out_data.connect();
        df.clk.connect();
        df.rst.connect();
        df.in_data.connect();
        df.in_valid.connect();
        df.out_ready.connect();
        df.wr_en.connect();
        df.wr_addr.connect();
        df.wr_data.connect();
    }

    fn hdl(&self) -> Verilog {
        let pairs: [(&str, &str); 40] = [
            ("core$clock", "clk"),
            ("core$rst_in", "rst_in"),
            ("core$uart_rx", "uart_rx"),
            ("core$baud_div", "baud_div"),
            ("uart_tx", "core$uart_tx"),
            ("led_heartbeat", "core$led_heartbeat"),
            ("led_busy", "core$led_busy"),
            ("led_error", "core$led_error"),
            ("active", "core$active"),
            ("io$clk", "clk"),
            ("io$rst", "core$reset"),
            ("io$mode", "core$io_mode"),
            ("io$mem", "core$io_mem"),
            ("io$addr", "core$io_addr"),
            ("io$start", "core$io_start"),
            ("io$in_byte", "core$io_in_data"),
            ("io$in_valid", "core$io_in_valid"),
            ("core$io_in_ready", "io$in_ready"),
            ("core$io_out_data", "io$out_byte"),
            ("core$io_out_valid", "io$out_valid"),
            ("io$out_ready", "core$io_out_ready"),
            ("core$mem_ok", "io$mem_ok"),
            ("core$mem_wb", "io$mem_wb"),
            ("core$mem_depth", "io$mem_depth"),
            ("dataflow$clk", "clk"),
            ("dataflow$rst", "core$reset"),
            ("dataflow$in_data", "io$df_in_data"),
            ("dataflow$in_valid", "io$df_in_valid"),
            ("io$df_in_ready", "dataflow$in_ready"),
            ("io$df_out_data", "dataflow$out_data"),
            ("io$df_out_valid", "dataflow$out_valid"),
            ("dataflow$out_ready", "io$df_out_ready"),
            ("dataflow$wr_en", "io$wr_en"),
            ("dataflow$wr_addr", "io$wr_addr"),
            ("dataflow$wr_data", "io$wr_data"),
            ("", ""),
            ("", ""),
            ("", ""),
            ("", ""),
            ("", ""),
        ];
        let mut v = String::from("always @(*) begin\n");
        for (lhs, rhs) in pairs.iter().filter(|(l, _)| !l.is_empty()) {
            writeln!(v, "    {lhs} = {rhs};").unwrap();
        }
        v.push_str("end\n");
        Verilog::Custom(v)
    }
}

impl Block for Board {
    fn connect_all(&mut self) {
        self.connect();
        self.core.connect_all();
        self.io.connect_all();
        self.dataflow.connect_all();
    }

    fn update_all(&mut self) {
        self.update();
        self.clk.update_all();
        self.rst_in.update_all();
        self.uart_rx.update_all();
        self.baud_div.update_all();
        self.uart_tx.update_all();
        self.led_heartbeat.update_all();
        self.led_busy.update_all();
        self.led_error.update_all();
        self.active.update_all();
        self.core.update_all();
        self.io.update_all();
        self.dataflow.update_all();
    }

    fn has_changed(&self) -> bool {
        self.clk.has_changed()
            || self.rst_in.has_changed()
            || self.uart_rx.has_changed()
            || self.baud_div.has_changed()
            || self.uart_tx.has_changed()
            || self.led_heartbeat.has_changed()
            || self.led_busy.has_changed()
            || self.led_error.has_changed()
            || self.active.has_changed()
            || self.core.has_changed()
            || self.io.has_changed()
            || self.dataflow.has_changed()
    }

    fn accept(&self, name: &str, probe: &mut dyn Probe) {
        probe.visit_start_scope(name, self);
        self.clk.accept("clk", probe);
        self.rst_in.accept("rst_in", probe);
        self.uart_rx.accept("uart_rx", probe);
        self.baud_div.accept("baud_div", probe);
        self.uart_tx.accept("uart_tx", probe);
        self.led_heartbeat.accept("led_heartbeat", probe);
        self.led_busy.accept("led_busy", probe);
        self.led_error.accept("led_error", probe);
        self.active.accept("active", probe);
        self.core.accept("core", probe);
        self.io.accept("io", probe);
        self.dataflow.accept("dataflow", probe);
        probe.visit_end_scope(name, self);
    }
}

/// The FPGA top `bitloom_board`: the board block with the baud divisor and LED polarity as
/// constants (ports `clk`, `uart_rx`, `uart_tx`, `led[n-1:0]`).
pub fn board_top(plan: &LinkPlan) -> String {
    let n = plan.params.leds_active_low.len();
    let mut v = String::new();
    writeln!(
        v,
        "// bitloom board top: {} Hz clock, {} baud (divisor {}), {n} LEDs",
        plan.params.clock_hz, plan.params.baud, plan.divisor
    )
    .unwrap();
    writeln!(v, "module {BOARD_TOP} (\n  input  wire clk,\n  input  wire uart_rx,\n  output wire uart_tx,\n  output wire [{}:0] led\n);", n - 1).unwrap();
    writeln!(v, "  wire heartbeat, busy, error;").unwrap();
    let (clk, rst) = match &plan.params.pll {
        None => ("clk", "1'b0"),
        Some(pll) => {
            // The link's reset synchroniser holds everything until the PLL locks.
            writeln!(v, "  wire clk_pll, pll_locked;").unwrap();
            v += &pll.instance("clk", "clk_pll", "pll_locked");
            ("clk_pll", "~pll_locked")
        }
    };
    writeln!(v, "  {LINK_TOP} link (.clk({clk}), .rst_in({rst}), .uart_rx(uart_rx), .baud_div(16'd{}), .uart_tx(uart_tx), .led_heartbeat(heartbeat), .led_busy(busy), .led_error(error), .active());", plan.divisor).unwrap();
    let sources = ["heartbeat", "busy", "error"];
    for (k, &low) in plan.params.leds_active_low.iter().enumerate() {
        let lit = sources.get(k).map_or("1'b0".to_string(), |s| s.to_string());
        writeln!(v, "  assign led[{k}] = {}{lit};", if low { "~" } else { "" }).unwrap();
    }
    writeln!(v, "endmodule").unwrap();
    v
}

/// The simulation shell `bitloom_board_sim` (see the module doc).
pub fn sim_top() -> String {
    let mut v = String::new();
    writeln!(v, "// bitloom virtual board: the board block behind the simulator's stream ports.").unwrap();
    writeln!(v, "module {SIM_TOP} (\n{}\n);", crate::verilog::stream_ports(SIM_IN_BITS, SIM_OUT_BITS, false)).unwrap();
    writeln!(v, "  /* verilator lint_off UNUSEDSIGNAL */").unwrap();
    writeln!(v, "  wire unused = in_valid | out_ready;").unwrap();
    writeln!(v, "  /* verilator lint_on UNUSEDSIGNAL */").unwrap();
    writeln!(v, "  assign in_ready = 1'b1;").unwrap();
    writeln!(v, "  assign out_valid = 1'b1;").unwrap();
    writeln!(v, "  {LINK_TOP} link (.clk(clk), .rst_in(rst), .uart_rx(in_data[0]), .baud_div(in_data[16:1]), .uart_tx(out_data[0]), .led_heartbeat(out_data[1]), .led_busy(out_data[2]), .led_error(out_data[3]), .active(out_data[4]));").unwrap();
    writeln!(v, "endmodule").unwrap();
    v
}

/// The board design's files.
#[derive(Clone, Debug)]
pub struct BoardRtl {
    /// The sizes and INFO.
    pub plan: LinkPlan,
    /// `bitloom_link.v`: the board block tree.
    pub link: String,
    /// `bitloom_board.v`: the FPGA top.
    pub board: String,
    /// `bitloom_board_sim.v`: the simulation shell.
    pub sim: String,
    /// The answer buffer's contents before the INFO bytes (zeros).
    answer_bytes: usize,
}

impl BoardRtl {
    /// The Verilog files as (name, text), in the order a tool reads them (the top last).
    pub fn files(&self) -> Vec<(String, String)> {
        vec![
            (format!("{LINK_TOP}.v"), self.link.clone()),
            (format!("{BOARD_TOP}.v"), self.board.clone()),
            (format!("{SIM_TOP}.v"), self.sim.clone()),
        ]
    }

    /// The answer buffer's `$readmemh` file, INFO carrying `hash`.
    pub fn answer_mem(&self, hash: [u8; HASH_BYTES]) -> String {
        let mut bytes = vec![0u8; self.answer_bytes];
        bytes.extend(self.plan.info(hash).to_bytes());
        bytes.iter().map(|b| format!("{b:02x}\n")).collect()
    }
}

/// Emits the board design for `g`.
pub fn emit_board(g: &DataflowGraph, params: &LinkParams) -> Result<BoardRtl, LinkError> {
    let memories = crate::memory::memories(g);
    let plan = plan(g, &memories, params)?;
    let board = Board::new(g, &plan);
    let link = format!(
        "// bitloom board block for {:?}: link (request buffer {} bytes, answer buffer {} bytes, FIFO {} bytes, max batch {}) and dataflow\n/* verilator lint_off DECLFILENAME */\n{}",
        g.name,
        plan.request_bytes,
        plan.answer_bytes,
        plan.fifo_depth,
        plan.max_batch,
        board.verilog()
    );
    Ok(BoardRtl { board: board_top(&plan), sim: sim_top(), link, answer_bytes: plan.answer_bytes, plan })
}

/// The design hash: SHA-256 over the build's files (its Verilog and memory images) except
/// the answer buffer's image [`ANSWER_MEM`], which holds the hash itself. Files are taken in
/// name order, each as its name, a zero byte, its length (`u64`, little-endian) and its bytes.
pub fn design_hash(files: &[(String, Vec<u8>)]) -> [u8; HASH_BYTES] {
    use sha2::{Digest, Sha256};
    let mut sorted: Vec<&(String, Vec<u8>)> = files.iter().filter(|(n, _)| n != ANSWER_MEM).collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut h = Sha256::new();
    for (name, bytes) in sorted {
        h.update(name.as_bytes());
        h.update([0]);
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    }
    h.finalize().into()
}
