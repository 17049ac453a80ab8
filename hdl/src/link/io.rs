//! The I/O adapter between the command engine's byte streams and the design's
//! run-time-width ports: bytes to input beats, output beats to bytes, bytes to memory words.
//!
//! Its widths come from the user's model, so like an [`Engine`](crate::engine::Engine) it is a
//! rust-hdl wrapper ([`LinkIo`]) around a Verilog core written for the design ([`emit`]) plus
//! a cycle model ([`IoModel`]) that rust-hdl simulates; the board lockstep test holds the two
//! equal in every cycle.
//!
//! Ports: `clk`, `rst`; from the command engine: `mode[2]` (0 idle, 1 infer, 2 write), `mem[8]`,
//! `addr[32]`, `start` (one cycle: clears the packers and latches `mem` and `addr`), a byte
//! stream in (`in_byte[8]`, `in_valid`, out `in_ready`), a byte stream out (`out_byte[8]`,
//! `out_valid`, in `out_ready`), and the memory table for `mem` (out `mem_ok`, `mem_wb[16]`,
//! `mem_depth[32]`, combinational); to the dataflow: `df_in_data[IW]`, `df_in_valid`, in
//! `df_in_ready`, in `df_out_data[OW]`, in `df_out_valid`, `df_out_ready`; to the memories:
//! `wr_en[NM]`, `wr_addr[AB]`, `wr_data[WB]` (registered).
//!
//! - **infer**: each input element arrives as `ceil(in_bits/8)` little-endian bytes, of which
//!   the low `in_bits` bits are kept; `fold` elements fill a beat, offered on `df_in` (a byte is
//!   refused while a full beat waits). Each output beat is held and sent as `fold` elements of
//!   `ceil(out_bits/8)` little-endian bytes, sign-extended when the output type is signed
//!   (bipolar elements are their bit: 1 = +1, 0 = −1).
//! - **write**: bytes fill a word of memory `mem` (`ceil(width/8)` bytes, little-endian); each
//!   full word is written at the next edge at `addr`, `addr + 1`, ….
//!
//! II: one byte per cycle in and out; a beat is offered the cycle after its last byte.

use crate::blocks::WritePort;
use crate::model::get_bits;
use crate::verilog::{clog2, put_bits};
use crate::wire::{mask, Wire};
use bitloom_compiler::ir::Stream;
use bitloom_compiler::types::DataType;
use rust_hdl::core::ast::{Verilog, Wrapper};
use rust_hdl::prelude::*;
use std::fmt::Write as _;

/// What the adapter needs to know about a design.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IoShape {
    /// The design's input stream.
    pub input: Stream,
    /// The design's output stream.
    pub output: Stream,
    /// The memories' write ports, in id order.
    pub memories: Vec<WritePort>,
}

impl IoShape {
    /// Bytes per input element on the link.
    pub fn in_elem_bytes(&self) -> usize {
        (self.input.dtype.bits() as usize).div_ceil(8)
    }

    /// Bytes per output element on the link.
    pub fn out_elem_bytes(&self) -> usize {
        (self.output.dtype.bits() as usize).div_ceil(8)
    }

    /// Bits of `wr_en`, `wr_addr`, `wr_data` (each at least 1).
    pub fn bus(&self) -> (usize, usize, usize) {
        let n = self.memories.len().max(1);
        let a = self.memories.iter().map(|p| p.addr_bits).max().unwrap_or(1);
        let w = self.memories.iter().map(|p| p.width).max().unwrap_or(1);
        (n, a, w)
    }

    /// Bytes of the widest memory word.
    pub fn max_word_bytes(&self) -> usize {
        self.memories.iter().map(|p| p.width.div_ceil(8)).max().unwrap_or(1)
    }
}

/// Emits the adapter's Verilog core `module` for `shape`.
pub fn emit(module: &str, shape: &IoShape) -> String {
    let (iw, ow) = (shape.input.width(), shape.output.width());
    let (ib, ob) = (shape.input.dtype.bits() as usize, shape.output.dtype.bits() as usize);
    let (ieb, oeb) = (shape.in_elem_bytes(), shape.out_elem_bytes());
    let (ifold, ofold) = (shape.input.fold, shape.output.fold);
    let (nm, ab, wbits) = shape.bus();
    let wbb = shape.max_word_bytes();
    let signed_out = matches!(shape.output.dtype, DataType::Int(_));
    let mut v = String::new();
    let w = &mut v;
    writeln!(
        w,
        "// Link I/O adapter: {} x {} in ({ifold} per beat), {} x {} out ({ofold} per beat), {} memories",
        shape.input.len,
        shape.input.dtype,
        shape.output.len,
        shape.output.dtype,
        shape.memories.len()
    )
    .unwrap();
    writeln!(w, "module {module} (").unwrap();
    writeln!(w, "  input  wire clk,\n  input  wire rst,\n  input  wire [1:0] mode,\n  input  wire [7:0] mem,\n  input  wire [31:0] addr,\n  input  wire start,").unwrap();
    writeln!(w, "  input  wire [7:0] in_byte,\n  input  wire in_valid,\n  output wire in_ready,\n  output wire [7:0] out_byte,\n  output wire out_valid,\n  input  wire out_ready,").unwrap();
    writeln!(w, "  output reg  mem_ok,\n  output reg  [15:0] mem_wb,\n  output reg  [31:0] mem_depth,").unwrap();
    writeln!(w, "  output wire [{}:0] df_in_data,\n  output wire df_in_valid,\n  input  wire df_in_ready,\n  input  wire [{}:0] df_out_data,\n  input  wire df_out_valid,\n  output wire df_out_ready,", iw - 1, ow - 1).unwrap();
    writeln!(
        w,
        "  output reg  [{}:0] wr_en,\n  output reg  [{}:0] wr_addr,\n  output reg  [{}:0] wr_data\n);",
        nm - 1,
        ab - 1,
        wbits - 1
    )
    .unwrap();
    writeln!(w, "  /* verilator lint_off UNUSEDSIGNAL */").unwrap();
    // Memory table.
    writeln!(w, "  always @* begin").unwrap();
    writeln!(w, "    mem_ok = 1'b0; mem_wb = 16'd1; mem_depth = 32'd0;").unwrap();
    writeln!(w, "    case (mem)").unwrap();
    for (m, p) in shape.memories.iter().enumerate() {
        writeln!(
            w,
            "      8'd{m}: begin mem_ok = 1'b1; mem_wb = 16'd{}; mem_depth = 32'd{}; end",
            p.width.div_ceil(8),
            p.depth
        )
        .unwrap();
    }
    writeln!(w, "      default: ;").unwrap();
    writeln!(w, "    endcase").unwrap();
    writeln!(w, "  end").unwrap();
    // Packer.
    let (bw, lw) = (clog2(ieb.max(2)), clog2(ifold.max(2)));
    writeln!(w, "  reg [{}:0] ebuf;", 8 * ieb - 1).unwrap();
    writeln!(w, "  reg [{}:0] bc;", bw - 1).unwrap();
    writeln!(w, "  reg [{}:0] lane;", lw - 1).unwrap();
    writeln!(w, "  reg [{}:0] beat;", iw - 1).unwrap();
    writeln!(w, "  reg full;").unwrap();
    let value = if ieb == 1 { "in_byte".to_string() } else { format!("{{in_byte, ebuf[{}:8]}}", 8 * ieb - 1) };
    writeln!(w, "  wire [{}:0] value = {value};", 8 * ieb - 1).unwrap();
    writeln!(w, "  wire infer = mode == 2'd1;").unwrap();
    writeln!(w, "  wire write = mode == 2'd2;").unwrap();
    writeln!(w, "  assign in_ready = (infer && !full) || write;").unwrap();
    writeln!(w, "  assign df_in_valid = full;").unwrap();
    writeln!(w, "  assign df_in_data = beat;").unwrap();
    writeln!(w, "  always @(posedge clk) begin").unwrap();
    writeln!(w, "    if (df_in_valid && df_in_ready) full <= 1'b0;").unwrap();
    writeln!(w, "    if (infer && in_valid && in_ready) begin").unwrap();
    writeln!(w, "      ebuf <= value;").unwrap();
    writeln!(w, "      if (bc == {}) begin", lit(bw, ieb - 1)).unwrap();
    writeln!(w, "        bc <= 0;").unwrap();
    writeln!(w, "        beat[lane*{ib} +: {ib}] <= value[{}:0];", ib - 1).unwrap();
    writeln!(
        w,
        "        if (lane == {}) begin lane <= 0; full <= 1'b1; end else lane <= lane + 1'b1;",
        lit(lw, ifold - 1)
    )
    .unwrap();
    writeln!(w, "      end else bc <= bc + 1'b1;").unwrap();
    writeln!(w, "    end").unwrap();
    writeln!(w, "    if (rst || start) begin bc <= 0; lane <= 0; full <= 1'b0; end").unwrap();
    writeln!(w, "  end").unwrap();
    // Unpacker.
    let (jw, kw) = (clog2(ofold.max(2)), clog2(oeb.max(2)));
    writeln!(w, "  reg [{}:0] obeat;", ow - 1).unwrap();
    writeln!(w, "  reg [{}:0] j;", jw - 1).unwrap();
    writeln!(w, "  reg [{}:0] k;", kw - 1).unwrap();
    writeln!(w, "  reg holding;").unwrap();
    writeln!(w, "  wire [{}:0] elem = obeat[j*{ob} +: {ob}];", ob - 1).unwrap();
    let ext = if 8 * oeb == ob {
        "elem".to_string()
    } else if signed_out {
        format!("{{{{{}{{elem[{}]}}}}, elem}}", 8 * oeb - ob, ob - 1)
    } else {
        format!("{{{}'d0, elem}}", 8 * oeb - ob)
    };
    writeln!(w, "  wire [{}:0] wide = {ext};", 8 * oeb - 1).unwrap();
    writeln!(w, "  assign out_byte = wide[k*8 +: 8];").unwrap();
    writeln!(w, "  assign out_valid = holding;").unwrap();
    writeln!(w, "  assign df_out_ready = !holding;").unwrap();
    writeln!(w, "  always @(posedge clk) begin").unwrap();
    writeln!(
        w,
        "    if (df_out_valid && df_out_ready) begin obeat <= df_out_data; holding <= 1'b1; j <= 0; k <= 0; end"
    )
    .unwrap();
    writeln!(w, "    if (out_valid && out_ready) begin").unwrap();
    writeln!(w, "      if (k == {}) begin", lit(kw, oeb - 1)).unwrap();
    writeln!(w, "        k <= 0;").unwrap();
    writeln!(w, "        if (j == {}) holding <= 1'b0; else j <= j + 1'b1;", lit(jw, ofold - 1)).unwrap();
    writeln!(w, "      end else k <= k + 1'b1;").unwrap();
    writeln!(w, "    end").unwrap();
    writeln!(w, "    if (rst) holding <= 1'b0;").unwrap();
    writeln!(w, "  end").unwrap();
    // Writer.
    let cw = clog2(wbb.max(2));
    writeln!(w, "  reg [{}:0] wbuf;", 8 * wbb - 1).unwrap();
    writeln!(w, "  reg [{}:0] wc;", cw - 1).unwrap();
    writeln!(w, "  reg [{}:0] waddr;", ab - 1).unwrap();
    writeln!(w, "  reg [7:0] wmem;").unwrap();
    writeln!(w, "  reg [{}:0] wlast;", cw - 1).unwrap();
    writeln!(w, "  always @* begin").unwrap();
    writeln!(w, "    wlast = 0;").unwrap();
    writeln!(w, "    case (wmem)").unwrap();
    for (m, p) in shape.memories.iter().enumerate() {
        writeln!(w, "      8'd{m}: wlast = {};", lit(cw, p.width.div_ceil(8) - 1)).unwrap();
    }
    writeln!(w, "      default: ;").unwrap();
    writeln!(w, "    endcase").unwrap();
    writeln!(w, "  end").unwrap();
    writeln!(w, "  reg [{}:0] word;", 8 * wbb - 1).unwrap();
    writeln!(w, "  always @* begin word = wbuf; word[wc*8 +: 8] = in_byte; end").unwrap();
    writeln!(w, "  always @(posedge clk) begin").unwrap();
    writeln!(w, "    wr_en <= 0;").unwrap();
    writeln!(w, "    if (write && in_valid) begin").unwrap();
    writeln!(w, "      wbuf <= word;").unwrap();
    writeln!(w, "      if (wc == wlast) begin").unwrap();
    writeln!(w, "        wc <= 0;").unwrap();
    writeln!(w, "        wr_en <= {nm}'d1 << wmem;").unwrap();
    writeln!(w, "        wr_addr <= waddr;").unwrap();
    writeln!(w, "        wr_data <= word[{}:0];", wbits - 1).unwrap();
    writeln!(w, "        waddr <= waddr + 1'b1;").unwrap();
    writeln!(w, "      end else wc <= wc + 1'b1;").unwrap();
    writeln!(w, "    end").unwrap();
    writeln!(w, "    if (start) begin wc <= 0; waddr <= addr[{}:0]; wmem <= mem; end", ab - 1).unwrap();
    writeln!(w, "    if (rst) begin wc <= 0; wr_en <= 0; end").unwrap();
    writeln!(w, "  end").unwrap();
    writeln!(w, "  /* verilator lint_on UNUSEDSIGNAL */").unwrap();
    writeln!(w, "endmodule").unwrap();
    v
}

fn lit(width: usize, v: usize) -> String {
    crate::verilog::lit(width, v as i64)
}

/// The adapter's registers and logic in Rust, register for register its Verilog core.
#[derive(Clone, Debug)]
pub struct IoModel {
    shape: IoShape,
    ebuf: u64,
    bc: usize,
    lane: usize,
    beat: Vec<u64>,
    full: bool,
    obeat: Vec<u64>,
    j: usize,
    k: usize,
    holding: bool,
    wbuf: Vec<u8>,
    wc: usize,
    waddr: u64,
    wmem: u8,
    wr_en: u64,
    wr_addr: u64,
    wr_data: Vec<u64>,
}

/// The adapter's inputs in one cycle.
#[derive(Clone, Copy, Debug, Default)]
pub struct IoInputs<'a> {
    /// `rst`.
    pub rst: bool,
    /// `mode`.
    pub mode: u8,
    /// `mem`.
    pub mem: u8,
    /// `addr`.
    pub addr: u32,
    /// `start`.
    pub start: bool,
    /// `in_byte`.
    pub in_byte: u8,
    /// `in_valid`.
    pub in_valid: bool,
    /// `out_ready`.
    pub out_ready: bool,
    /// `df_in_ready`.
    pub df_in_ready: bool,
    /// `df_out_data`.
    pub df_out_data: &'a [u64],
    /// `df_out_valid`.
    pub df_out_valid: bool,
}

impl IoModel {
    /// The model of the adapter for `shape`, registers zero.
    pub fn new(shape: &IoShape) -> Self {
        let (_, _, wbits) = shape.bus();
        IoModel {
            shape: shape.clone(),
            ebuf: 0,
            bc: 0,
            lane: 0,
            beat: vec![0; shape.input.width().div_ceil(64)],
            full: false,
            obeat: vec![0; shape.output.width().div_ceil(64)],
            j: 0,
            k: 0,
            holding: false,
            wbuf: vec![0; shape.max_word_bytes()],
            wc: 0,
            waddr: 0,
            wmem: 0,
            wr_en: 0,
            wr_addr: 0,
            wr_data: vec![0; wbits.div_ceil(64)],
        }
    }

    /// `mem_ok`, `mem_wb`, `mem_depth` for `mem`.
    pub fn table(&self, mem: u8) -> (bool, u16, u32) {
        match self.shape.memories.get(usize::from(mem)) {
            Some(p) => (true, p.width.div_ceil(8) as u16, p.depth as u32),
            None => (false, 1, 0),
        }
    }

    /// `in_ready` in `mode`.
    pub fn in_ready(&self, mode: u8) -> bool {
        (mode == 1 && !self.full) || mode == 2
    }

    /// `out_byte` and `out_valid`.
    pub fn out(&self) -> (u8, bool) {
        let ob = self.shape.output.dtype.bits() as usize;
        let elem = get_bits(&self.obeat, self.j * ob, ob);
        let signed = matches!(self.shape.output.dtype, DataType::Int(_));
        let wide = if signed && ob < 64 && elem >> (ob - 1) & 1 == 1 { elem | !((1u64 << ob) - 1) } else { elem };
        let byte = if self.k < 8 {
            (wide >> (8 * self.k)) as u8
        } else if signed && (wide >> 63) == 1 {
            0xFF
        } else {
            0
        };
        (byte, self.holding)
    }

    /// `df_in_data` and `df_in_valid`.
    pub fn df_in(&self) -> (&[u64], bool) {
        (&self.beat, self.full)
    }

    /// `df_out_ready`.
    pub fn df_out_ready(&self) -> bool {
        !self.holding
    }

    /// `wr_en`, `wr_addr`, `wr_data` (registers).
    pub fn wr(&self) -> (u64, u64, &[u64]) {
        (self.wr_en, self.wr_addr, &self.wr_data)
    }

    /// One rising edge.
    pub fn clock(&mut self, x: &IoInputs) {
        let ib = self.shape.input.dtype.bits() as usize;
        let ieb = self.shape.in_elem_bytes();
        let (infer, write) = (x.mode == 1, x.mode == 2);
        let in_ready = self.in_ready(x.mode);
        let df_out_ready = self.df_out_ready();
        let (_, out_valid) = self.out();
        // Packer.
        if self.full && x.df_in_ready {
            self.full = false;
        }
        if infer && x.in_valid && in_ready {
            let value =
                if ieb == 1 { u64::from(x.in_byte) } else { u64::from(x.in_byte) << (8 * (ieb - 1)) | self.ebuf >> 8 };
            self.ebuf = value;
            if self.bc == ieb - 1 {
                self.bc = 0;
                let lane_bits = value & if ib >= 64 { u64::MAX } else { (1 << ib) - 1 };
                for b in 0..ib {
                    let p = self.lane * ib + b;
                    self.beat[p / 64] = self.beat[p / 64] & !(1 << (p % 64)) | (lane_bits >> b & 1) << (p % 64);
                }
                if self.lane == self.shape.input.fold - 1 {
                    self.lane = 0;
                    self.full = true;
                } else {
                    self.lane += 1;
                }
            } else {
                self.bc += 1;
            }
        }
        if x.rst || x.start {
            (self.bc, self.lane, self.full) = (0, 0, false);
        }
        // Unpacker.
        let oeb = self.shape.out_elem_bytes();
        let mut take_beat = false;
        if x.df_out_valid && df_out_ready {
            take_beat = true;
        }
        if out_valid && x.out_ready {
            if self.k == oeb - 1 {
                self.k = 0;
                if self.j == self.shape.output.fold - 1 {
                    self.holding = false;
                } else {
                    self.j += 1;
                }
            } else {
                self.k += 1;
            }
        }
        if take_beat {
            self.obeat.copy_from_slice(x.df_out_data);
            mask(&mut self.obeat, self.shape.output.width());
            (self.holding, self.j, self.k) = (true, 0, 0);
        }
        if x.rst {
            self.holding = false;
        }
        // Writer.
        self.wr_en = 0;
        if write && x.in_valid {
            let mut word = self.wbuf.clone();
            if let Some(b) = word.get_mut(self.wc) {
                *b = x.in_byte;
            }
            self.wbuf.clone_from(&word);
            let last = self.shape.memories.get(usize::from(self.wmem)).map_or(0, |p| p.width.div_ceil(8) - 1);
            if self.wc == last {
                self.wc = 0;
                let (nm, ab, wbits) = self.shape.bus();
                self.wr_en = if usize::from(self.wmem) < nm { 1 << self.wmem } else { 0 };
                self.wr_addr = self.waddr;
                self.wr_data.fill(0);
                for (i, &b) in word.iter().enumerate() {
                    if 8 * i < wbits {
                        put_bits(&mut self.wr_data, 8 * i, 8.min(wbits - 8 * i), u64::from(b));
                    }
                }
                self.waddr = (self.waddr + 1) & if ab >= 64 { u64::MAX } else { (1 << ab) - 1 };
            } else {
                self.wc += 1;
            }
        }
        if x.start {
            let (_, ab, _) = self.shape.bus();
            self.wc = 0;
            self.waddr = u64::from(x.addr) & if ab >= 64 { u64::MAX } else { (1 << ab) - 1 };
            self.wmem = x.mem;
        }
        if x.rst {
            self.wc = 0;
            self.wr_en = 0;
        }
    }
}

/// The adapter as a rust-hdl block: fixed-width ports as `Signal`s, the design's widths as
/// [`Wire`]s, simulated through [`IoModel`], emitted as a wrapper around [`emit`]'s core.
pub struct LinkIo {
    /// Clock.
    pub clk: Signal<In, Clock>,
    /// Synchronous reset.
    pub rst: Signal<In, Bit>,
    /// Mode.
    pub mode: Signal<In, Bits<2>>,
    /// Memory for WRITE.
    pub mem: Signal<In, Bits<8>>,
    /// First word address for WRITE.
    pub addr: Signal<In, Bits<32>>,
    /// Start (one cycle).
    pub start: Signal<In, Bit>,
    /// Byte in.
    pub in_byte: Signal<In, Bits<8>>,
    /// `in_byte` valid.
    pub in_valid: Signal<In, Bit>,
    /// The adapter takes the byte.
    pub in_ready: Signal<Out, Bit>,
    /// Byte out.
    pub out_byte: Signal<Out, Bits<8>>,
    /// `out_byte` valid.
    pub out_valid: Signal<Out, Bit>,
    /// The engine takes the byte.
    pub out_ready: Signal<In, Bit>,
    /// `mem` exists.
    pub mem_ok: Signal<Out, Bit>,
    /// Bytes per word of `mem`.
    pub mem_wb: Signal<Out, Bits<16>>,
    /// Words of `mem`.
    pub mem_depth: Signal<Out, Bits<32>>,
    /// Input beat to the dataflow.
    pub df_in_data: Wire<Out>,
    /// Beat valid.
    pub df_in_valid: Signal<Out, Bit>,
    /// The dataflow takes the beat.
    pub df_in_ready: Signal<In, Bit>,
    /// Output beat from the dataflow.
    pub df_out_data: Wire<In>,
    /// Beat valid.
    pub df_out_valid: Signal<In, Bit>,
    /// The adapter takes the beat.
    pub df_out_ready: Signal<Out, Bit>,
    /// Memory write enables.
    pub wr_en: Wire<Out>,
    /// Memory write address.
    pub wr_addr: Wire<Out>,
    /// Memory write word.
    pub wr_data: Wire<Out>,
    core_name: String,
    core: String,
    model: IoModel,
}

impl LinkIo {
    /// The adapter for `shape`; its core module is named `module`.
    pub fn new(module: &str, shape: &IoShape) -> Self {
        let (nm, ab, wb) = shape.bus();
        LinkIo {
            clk: Default::default(),
            rst: Default::default(),
            mode: Default::default(),
            mem: Default::default(),
            addr: Default::default(),
            start: Default::default(),
            in_byte: Default::default(),
            in_valid: Default::default(),
            in_ready: Default::default(),
            out_byte: Default::default(),
            out_valid: Default::default(),
            out_ready: Default::default(),
            mem_ok: Default::default(),
            mem_wb: Default::default(),
            mem_depth: Default::default(),
            df_in_data: Wire::new(shape.input.width()),
            df_in_valid: Default::default(),
            df_in_ready: Default::default(),
            df_out_data: Wire::new(shape.output.width()),
            df_out_valid: Default::default(),
            df_out_ready: Default::default(),
            wr_en: Wire::new(nm),
            wr_addr: Wire::new(ab),
            wr_data: Wire::new(wb),
            core_name: module.to_string(),
            core: emit(module, shape),
            model: IoModel::new(shape),
        }
    }

    /// The Verilog core.
    pub fn core(&self) -> &str {
        &self.core
    }
}

impl Logic for LinkIo {
    fn update(&mut self) {
        let mode = self.mode.val().to_u8();
        if self.clk.pos_edge() {
            let inputs = IoInputs {
                rst: self.rst.val(),
                mode,
                mem: self.mem.val().to_u8(),
                addr: self.addr.val().to_u32(),
                start: self.start.val(),
                in_byte: self.in_byte.val().to_u8(),
                in_valid: self.in_valid.val(),
                out_ready: self.out_ready.val(),
                df_in_ready: self.df_in_ready.val(),
                df_out_data: self.df_out_data.val(),
                df_out_valid: self.df_out_valid.val(),
            };
            self.model.clock(&inputs);
        }
        let (ok, wb, depth) = self.model.table(self.mem.val().to_u8());
        self.mem_ok.next = ok;
        self.mem_wb.next = u64::from(wb).into();
        self.mem_depth.next = u64::from(depth).into();
        self.in_ready.next = self.model.in_ready(mode);
        let (byte, valid) = self.model.out();
        self.out_byte.next = u64::from(byte).into();
        self.out_valid.next = valid;
        let (beat, full) = self.model.df_in();
        self.df_in_data.drive(beat);
        self.df_in_valid.next = full;
        self.df_out_ready.next = self.model.df_out_ready();
        let (en, addr, data) = self.model.wr();
        self.wr_en.drive(&[en]);
        self.wr_addr.drive(&[addr]);
        self.wr_data.drive(data);
    }

    fn connect(&mut self) {
        self.in_ready.connect();
        self.out_byte.connect();
        self.out_valid.connect();
        self.mem_ok.connect();
        self.mem_wb.connect();
        self.mem_depth.connect();
        self.df_in_data.connect();
        self.df_in_valid.connect();
        self.df_out_ready.connect();
        self.wr_en.connect();
        self.wr_addr.connect();
        self.wr_data.connect();
    }

    fn hdl(&self) -> Verilog {
        let ports = [
            ("clk", "clk"),
            ("rst", "rst"),
            ("mode", "mode"),
            ("mem", "mem"),
            ("addr", "addr"),
            ("start", "start"),
            ("in_byte", "in_byte"),
            ("in_valid", "in_valid"),
            ("in_ready", "in_ready"),
            ("out_byte", "out_byte"),
            ("out_valid", "out_valid"),
            ("out_ready", "out_ready"),
            ("mem_ok", "mem_ok"),
            ("mem_wb", "mem_wb"),
            ("mem_depth", "mem_depth"),
            ("df_in_data", "df_in_data"),
            ("df_in_valid", "df_in_valid"),
            ("df_in_ready", "df_in_ready"),
            ("df_out_data", "df_out_data"),
            ("df_out_valid", "df_out_valid"),
            ("df_out_ready", "df_out_ready"),
            ("wr_en", "wr_en"),
            ("wr_addr", "wr_addr"),
            ("wr_data", "wr_data"),
        ];
        let conns: Vec<String> = ports.iter().map(|(p, s)| format!(".{p}({s})")).collect();
        Verilog::Wrapper(Wrapper {
            code: format!("{} core ({});", self.core_name, conns.join(", ")),
            cores: self.core.clone(),
        })
    }
}

impl Block for LinkIo {
    fn connect_all(&mut self) {
        self.connect();
    }

    fn update_all(&mut self) {
        self.update();
        self.clk.update_all();
        self.rst.update_all();
        self.mode.update_all();
        self.mem.update_all();
        self.addr.update_all();
        self.start.update_all();
        self.in_byte.update_all();
        self.in_valid.update_all();
        self.in_ready.update_all();
        self.out_byte.update_all();
        self.out_valid.update_all();
        self.out_ready.update_all();
        self.mem_ok.update_all();
        self.mem_wb.update_all();
        self.mem_depth.update_all();
        self.df_in_data.update_all();
        self.df_in_valid.update_all();
        self.df_in_ready.update_all();
        self.df_out_data.update_all();
        self.df_out_valid.update_all();
        self.df_out_ready.update_all();
        self.wr_en.update_all();
        self.wr_addr.update_all();
        self.wr_data.update_all();
    }

    fn has_changed(&self) -> bool {
        self.clk.has_changed()
            || self.rst.has_changed()
            || self.mode.has_changed()
            || self.mem.has_changed()
            || self.addr.has_changed()
            || self.start.has_changed()
            || self.in_byte.has_changed()
            || self.in_valid.has_changed()
            || self.in_ready.has_changed()
            || self.out_byte.has_changed()
            || self.out_valid.has_changed()
            || self.out_ready.has_changed()
            || self.mem_ok.has_changed()
            || self.mem_wb.has_changed()
            || self.mem_depth.has_changed()
            || self.df_in_data.has_changed()
            || self.df_in_valid.has_changed()
            || self.df_in_ready.has_changed()
            || self.df_out_data.has_changed()
            || self.df_out_valid.has_changed()
            || self.df_out_ready.has_changed()
            || self.wr_en.has_changed()
            || self.wr_addr.has_changed()
            || self.wr_data.has_changed()
    }

    fn accept(&self, name: &str, probe: &mut dyn Probe) {
        probe.visit_start_scope(name, self);
        self.clk.accept("clk", probe);
        self.rst.accept("rst", probe);
        self.mode.accept("mode", probe);
        self.mem.accept("mem", probe);
        self.addr.accept("addr", probe);
        self.start.accept("start", probe);
        self.in_byte.accept("in_byte", probe);
        self.in_valid.accept("in_valid", probe);
        self.in_ready.accept("in_ready", probe);
        self.out_byte.accept("out_byte", probe);
        self.out_valid.accept("out_valid", probe);
        self.out_ready.accept("out_ready", probe);
        self.mem_ok.accept("mem_ok", probe);
        self.mem_wb.accept("mem_wb", probe);
        self.mem_depth.accept("mem_depth", probe);
        self.df_in_data.accept("df_in_data", probe);
        self.df_in_valid.accept("df_in_valid", probe);
        self.df_in_ready.accept("df_in_ready", probe);
        self.df_out_data.accept("df_out_data", probe);
        self.df_out_valid.accept("df_out_valid", probe);
        self.df_out_ready.accept("df_out_ready", probe);
        self.wr_en.accept("wr_en", probe);
        self.wr_addr.accept("wr_addr", probe);
        self.wr_data.accept("wr_data", probe);
        probe.visit_end_scope(name, self);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::bench::Clocked;

    fn shape() -> IoShape {
        IoShape {
            input: Stream { dtype: DataType::UInt(10), len: 6, fold: 3 },
            output: Stream { dtype: DataType::Int(5), len: 4, fold: 2 },
            memories: vec![WritePort::new(12, 10), WritePort::new(3, 40)],
        }
    }

    #[test]
    fn bytes_become_beats_beats_become_bytes_and_words_are_written() {
        let s = shape();
        let mut tb = Clocked::new(LinkIo::new("io", &s), |b| &mut b.clk);
        tb.dut.rst.next = true;
        tb.tick();
        tb.dut.rst.next = false;
        // Infer: six 10-bit elements, two bytes each, as two beats of three.
        tb.dut.mode.next = 1.into();
        tb.dut.start.next = true;
        tb.tick();
        tb.dut.start.next = false;
        let elems: [u64; 6] = [1, 1023, 512, 7, 0, 300];
        let mut bytes: Vec<u8> = elems.iter().flat_map(|&e| (e as u16).to_le_bytes()).collect();
        bytes[1] |= 0xF0; // bits above in_bits are ignored
        let (mut i, mut beats) = (0, Vec::new());
        // The dataflow takes beats; it offers one output beat: elements -3 and 9.
        let out_beat = (0b11101u64) | (9 << 5);
        let mut offered = false;
        let mut out_bytes = Vec::new();
        for _ in 0..100 {
            tb.dut.in_byte.next = u64::from(bytes.get(i).copied().unwrap_or(0)).into();
            tb.dut.in_valid.next = i < bytes.len();
            tb.dut.df_in_ready.next = true;
            tb.dut.df_out_valid.next = !offered;
            tb.dut.df_out_data.drive(&[out_beat]);
            tb.dut.out_ready.next = true;
            tb.settle();
            if tb.dut.in_valid.val() && tb.dut.in_ready.val() {
                i += 1;
            }
            if tb.dut.df_in_valid.val() {
                beats.push(tb.dut.df_in_data.val()[0]);
            }
            if tb.dut.df_out_valid.val() && tb.dut.df_out_ready.val() {
                offered = true;
            }
            if tb.dut.out_valid.val() {
                out_bytes.push(tb.dut.out_byte.val().to_u8());
            }
            tb.tick();
        }
        let want: Vec<u64> = elems.chunks(3).map(|c| c[0] | c[1] << 10 | c[2] << 20).collect();
        assert_eq!(beats, want);
        assert_eq!(out_bytes, vec![0xFD, 9], "sign-extended to a byte each");
        // Write: memory 1 has 3-bit words in one byte each, from address 38.
        tb.dut.mode.next = 2.into();
        tb.dut.mem.next = 1.into();
        tb.dut.addr.next = 38.into();
        tb.dut.start.next = true;
        tb.settle();
        assert!(tb.dut.mem_ok.val());
        assert_eq!((tb.dut.mem_wb.val().to_u64(), tb.dut.mem_depth.val().to_u64()), (1, 40));
        tb.tick();
        tb.dut.start.next = false;
        let mut writes = Vec::new();
        for b in [5u8, 0xFF, 2] {
            tb.dut.in_byte.next = u64::from(b).into();
            tb.dut.in_valid.next = true;
            tb.tick();
            writes.push((tb.dut.wr_en.val()[0], tb.dut.wr_addr.val()[0], tb.dut.wr_data.val()[0]));
        }
        // The bus is as wide as the widest memory; memory 1 keeps the low 3 bits.
        assert_eq!(writes, vec![(2, 38, 5), (2, 39, 0xFF), (2, 40, 2)]);
        tb.dut.mem.next = 2.into();
        tb.settle();
        assert!(!tb.dut.mem_ok.val());
    }
}
