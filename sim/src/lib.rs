//! bitloom's simulator: run-time Verilator builds of emitted Verilog, a Rust handle on the
//! built model, and stream drivers with random back-pressure.
//!
//! The `bitloom` binary never runs cargo. At run time it emits Verilog for a design, then:
//!
//! 1. [`build`] writes a C++ wrapper generated for the design's port widths, verilates the
//!    Verilog with it and compiles everything into one shared library, `libsim.so`, kept in a
//!    content-addressed cache (see [`build`] for the key and the cache layout);
//! 2. [`Sim::new`] loads that library with `libloading` and creates one model instance with its
//!    own `VerilatedContext`, whose command line carries `+bitloom_mem_dir=<dir>` so the design's
//!    `$readmemh` calls find their memory files (the process never changes directory);
//! 3. [`Sim`] drives the model cycle by cycle ([`Sim::set_input`], [`Sim::tick`], ...), and
//!    [`stream::run_stream`] feeds whole streams of beats under random back-pressure.
//!
//! The [`board`] module is the virtual board: a build's board top level, driven pin by pin
//! through its UART and served on a pseudo-terminal ([`VirtualBoard`]), or driven directly
//! ([`BoardSim`]).
//!
//! # The port contract
//!
//! Every simulated top module has exactly these ports (`IW`, `OW` from 1 to a few thousand bits):
//!
//! ```verilog
//! module <top> (
//!   input  wire clk, input wire rst,            // rst: synchronous, active high
//!   input  wire [IW-1:0] in_data, input wire in_valid, output wire in_ready,
//!   output wire [OW-1:0] out_data, output wire out_valid, input wire out_ready);
//! ```
//!
//! The build checks this against the ports Verilator found, so a width that differs from
//! [`BuildRequest::in_bits`] / [`BuildRequest::out_bits`] is an error, not silent truncation.
//! Extra *output* ports are allowed (and ignored); extra *input* ports are rejected, since the
//! simulator would tie them to 0 without anyone noticing.
//!
//! Data crosses the API as little-endian `u64` words: bit `i` of a port is bit `i % 64` of word
//! `i / 64`; a port of `n` bits takes `n.div_ceil(64)` words.
//!
//! # Memory files
//!
//! Designs load their memories like this, and each [`Sim`] gets its own directory:
//!
//! ```verilog
//! `ifdef VERILATOR
//!   string memdir;
//!   initial begin
//!     if (!$value$plusargs("bitloom_mem_dir=%s", memdir)) memdir = ".";
//!     $readmemh({memdir, "/fc0_w.mem"}, mem);
//!   end
//! `else
//!   initial $readmemh("fc0_w.mem", mem);
//! `endif
//! ```
//!
//! A built library is reusable with any number of memory directories (new weights need no
//! rebuild), and several models (the same library or different ones) may be alive at once, on
//! any threads. A memory file that cannot be found makes [`Sim::new`] fail instead of leaving
//! the memory silently zero.
//!
//! # Cycle semantics
//!
//! See the [`sim`] module: inputs change while `clk` is low, a beat transfers on
//! the rising edge where `valid && ready`, and [`Sim::tick`] is `clk=1, eval, clk=0, eval`.
//!
//! # Errors
//!
//! Every failure is a [`SimError`] whose message says what went wrong and, for tool failures,
//! carries the tool's own output. Verilator run-time fatal errors (`$stop`, a malformed memory
//! file, ...) do not abort the process: they become [`SimError::Runtime`] and poison that one
//! [`Sim`].
#![warn(missing_docs)]

pub mod board;
mod builder;
mod error;
mod ffi;
pub mod sim;
pub mod stream;
mod wrapper;

pub use board::{BoardCounters, BoardOptions, BoardSim, BusyLoops, Faults, VirtualBoard};
pub use builder::{build, default_cache_dir, BuildRequest, BuiltModel};
pub use error::SimError;
pub use sim::Sim;
pub use stream::{run_stream, Backpressure, StreamRun};
