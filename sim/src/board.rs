//! The virtual board: the Verilated board top level (`bitloom_board_sim`, emitted by
//! `bitloom-hdl`'s `link` module) with its real UART, driven and sampled pin by pin, cycle by
//! cycle, from Rust, and served on a pseudo-terminal.
//!
//! ```text
//!  host program ──serial port──▶ /dev/pts/N ══ pty master ══▶ [faults] ▶ UartDriver ──uart_rx──▶ ┌──────────────┐
//!  (bitloom run,                                                                                  │ Verilated    │
//!   the driver)  ◀─────────────  /dev/pts/N ◀═ pty master ◀══ [faults] ◀ UartSampler ◀─uart_tx── │ board top    │
//!                                                                                                 └──────────────┘
//! ```
//!
//! Bytes cross in simulated time: a byte takes `10 · divisor` clock cycles on either line, as
//! on the FPGA. The simulation runs as fast as the host allows and pauses (no cycles, no CPU)
//! when there is nothing to do: no byte queued for the board, the `uart_rx` line idle, and the
//! board's `active` output low for [`QUIET_CYCLES`] cycles. [`BoardCounters`] counts simulated
//! cycles and bytes each way, for benchmarks in simulated time.
//!
//! [`BoardSim`] is the same board without a thread or a pty: push bytes, run cycles, take the
//! bytes it sent. [`VirtualBoard`] runs a `BoardSim` in a thread behind a pty (`openpty`, slave
//! in raw mode; a baud rate set on it is accepted but ignored), with optional [`Faults`].
//!
//! The simulation shell's ports (the simulator's stream bundle): `in_data[0]` = `uart_rx`,
//! `in_data[16:1]` = the baud divisor, `rst` = the board's reset request; `out_data` =
//! `{active, led_error, led_busy, led_heartbeat, uart_tx}`.

use crate::builder::{build, BuildRequest};
use crate::error::SimError;
use crate::sim::Sim;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::VecDeque;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The board block's Verilog file, in the build's `rtl/` directory.
pub const LINK_FILE: &str = "bitloom_link.v";
/// The simulation shell's Verilog file.
pub const SIM_FILE: &str = "bitloom_board_sim.v";
/// The simulation shell's module.
pub const SIM_TOP: &str = "bitloom_board_sim";
/// Bits of the shell's `in_data`.
pub const IN_BITS: usize = 17;
/// Bits of the shell's `out_data`.
pub const OUT_BITS: usize = 5;
/// Cycles of quiet (nothing queued, `active` low) before the simulation pauses.
pub const QUIET_CYCLES: u64 = 256;
/// The SLIP frame delimiter (frame-level faults cut and repeat frames at it).
const END: u8 = bitloom_protocol::slip::END;

/// Sends bytes on a UART line, 8N1, least significant bit first, `divisor` cycles per bit.
#[derive(Clone, Debug)]
pub struct UartDriver {
    divisor: u32,
    queue: VecDeque<u8>,
    /// The 10 bits of the byte on the line (start, data, stop), the current one at bit 0.
    bits: u16,
    left: u32,
    count: u32,
}

impl UartDriver {
    /// An idle line.
    pub fn new(divisor: u32) -> Self {
        UartDriver { divisor: divisor.max(1), queue: VecDeque::new(), bits: 0, left: 0, count: 0 }
    }

    /// Queues bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        self.queue.extend(bytes);
    }

    /// Bytes queued or on the line.
    pub fn pending(&self) -> usize {
        self.queue.len() + usize::from(self.left > 0)
    }

    /// The line level in the next cycle (then advances one cycle).
    pub fn next_bit(&mut self) -> bool {
        if self.left == 0 {
            match self.queue.pop_front() {
                Some(b) => {
                    self.bits = (u16::from(b) << 1) | (1 << 9);
                    self.left = 10;
                    self.count = 0;
                }
                None => return true,
            }
        }
        let level = self.bits & 1 == 1;
        self.count += 1;
        if self.count == self.divisor {
            self.count = 0;
            self.bits >>= 1;
            self.left -= 1;
        }
        level
    }
}

/// Receives bytes from a UART line sampled once per cycle, sampling each bit in its middle.
#[derive(Clone, Debug)]
pub struct UartSampler {
    divisor: u32,
    /// `None` while idle; else the cycles to the next sample and the bits taken.
    state: Option<(u32, u32, u16)>,
    /// Stop bits that were low.
    pub framing_errors: u64,
}

impl UartSampler {
    /// A receiver for `divisor` cycles per bit.
    pub fn new(divisor: u32) -> Self {
        UartSampler { divisor: divisor.max(1), state: None, framing_errors: 0 }
    }

    /// Takes one cycle's line level; returns a byte when its stop bit is sampled.
    pub fn sample(&mut self, level: bool) -> Option<u8> {
        match &mut self.state {
            None => {
                if !level {
                    // Middle of the start bit.
                    self.state = Some((self.divisor / 2, 0, 0));
                }
                None
            }
            Some((wait, n, bits)) => {
                if *wait > 0 {
                    *wait -= 1;
                    return None;
                }
                *bits |= u16::from(level) << *n;
                *n += 1;
                *wait = self.divisor - 1;
                if *n < 10 {
                    return None;
                }
                let (bits, byte) = (*bits, (*bits >> 1) as u8);
                self.state = None;
                if bits & 1 != 0 {
                    return None; // a glitch, not a start bit
                }
                if bits >> 9 & 1 == 0 {
                    self.framing_errors += 1;
                    return None;
                }
                Some(byte)
            }
        }
    }

    /// Receiving a byte.
    pub fn busy(&self) -> bool {
        self.state.is_some()
    }
}

/// Simulated-time counters of a board.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BoardCounters {
    /// Clock cycles simulated.
    pub cycles: u64,
    /// Bytes driven onto `uart_rx` (after fault injection).
    pub bytes_in: u64,
    /// Bytes sampled from `uart_tx` (before fault injection).
    pub bytes_out: u64,
    /// Faults injected (each byte flipped, dropped or repeated, each frame cut or repeated,
    /// each stall).
    pub faults: u64,
}

/// The Verilated board, driven and sampled from Rust.
pub struct BoardSim {
    sim: Sim,
    driver: UartDriver,
    sampler: UartSampler,
    divisor: u32,
    quiet: u64,
    counters: BoardCounters,
    leds: u8,
}

impl BoardSim {
    /// Builds (or takes from `cache_dir`) the board of the design in `build_dir` (its
    /// `rtl/` holds the board's Verilog and every memory file), loads it and resets it.
    pub fn new(build_dir: &Path, divisor: u32, cache_dir: &Path) -> Result<BoardSim, SimError> {
        if !(4..=0xFFFF).contains(&divisor) {
            return Err(SimError::InvalidInput(format!(
                "baud divisor {divisor}: the UART needs 4 to 65535 cycles per bit"
            )));
        }
        let rtl = build_dir.join("rtl");
        let files = vec![rtl.join(LINK_FILE), rtl.join(SIM_FILE)];
        for f in &files {
            if !f.exists() {
                return Err(SimError::InvalidInput(format!(
                    "{} is missing: {} has no board top level (compile it again with this bitloom)",
                    f.display(),
                    build_dir.display()
                )));
            }
        }
        let req = BuildRequest {
            rtl_files: files,
            top: SIM_TOP.to_string(),
            in_bits: IN_BITS,
            out_bits: OUT_BITS,
            trace: false,
        };
        let built = build(&req, cache_dir, None)?;
        let mut sim = Sim::new(&built, &rtl)?;
        sim.in_buf[0] = (u64::from(divisor) << 1) | 1;
        sim.reset(4)?;
        let mut board = BoardSim {
            sim,
            driver: UartDriver::new(divisor),
            sampler: UartSampler::new(divisor),
            divisor,
            quiet: 0,
            counters: BoardCounters::default(),
            leds: 0,
        };
        // Past the power-on reset.
        board.run(64, &mut Vec::new())?;
        Ok(board)
    }

    /// Clock cycles per bit.
    pub fn divisor(&self) -> u32 {
        self.divisor
    }

    /// Queues bytes for `uart_rx`.
    pub fn push(&mut self, bytes: &[u8]) {
        self.driver.push(bytes);
        self.counters.bytes_in += bytes.len() as u64;
        self.quiet = 0;
    }

    /// Whether the board has nothing to do: no byte queued or on its way in, and the link
    /// quiet for [`QUIET_CYCLES`] cycles.
    pub fn idle(&self) -> bool {
        self.driver.pending() == 0 && self.quiet >= QUIET_CYCLES && !self.sampler.busy()
    }

    /// The LEDs as last sampled: bit 0 heartbeat, 1 busy, 2 error.
    pub fn leds(&self) -> u8 {
        self.leds
    }

    /// The counters so far.
    pub fn counters(&self) -> BoardCounters {
        self.counters
    }

    /// Runs up to `cycles` cycles (fewer if the board goes idle), appending the bytes it sends
    /// to `out`.
    pub fn run(&mut self, cycles: u64, out: &mut Vec<u8>) -> Result<(), SimError> {
        for _ in 0..cycles {
            let pending = self.driver.pending() > 0;
            let rx = self.driver.next_bit();
            self.sim.in_buf[0] = (u64::from(self.divisor) << 1) | u64::from(rx);
            self.sim.step(true, true)?;
            let o = self.sim.out_buf[0];
            self.counters.cycles += 1;
            self.leds = (o >> 1 & 7) as u8;
            if let Some(b) = self.sampler.sample(o & 1 == 1) {
                out.push(b);
                self.counters.bytes_out += 1;
            }
            let active = o >> 4 & 1 == 1;
            self.quiet = if active || pending || !rx || self.sampler.busy() { 0 } else { self.quiet + 1 };
            if self.idle() {
                break;
            }
        }
        Ok(())
    }

    /// Pushes `input`, runs until the board is idle again (at most `max_cycles`), and returns
    /// what it sent.
    pub fn exchange(&mut self, input: &[u8], max_cycles: u64) -> Result<Vec<u8>, SimError> {
        self.push(input);
        let mut out = Vec::new();
        let start = self.counters.cycles;
        while !self.idle() && self.counters.cycles - start < max_cycles {
            self.run(4096, &mut out)?;
        }
        Ok(out)
    }
}

/// Faults the virtual board injects into the link, each direction.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Faults {
    /// Probability per byte of a fault: a bit flip, a drop or a repeat, equally likely.
    pub byte_rate: f64,
    /// Probability per frame of a frame fault: cut short (host to board), repeated, or a stall
    /// of the whole board for [`Faults::stall`].
    pub frame_rate: f64,
    /// How long a stall lasts (wall time: the host's timeouts are wall time).
    pub stall: Duration,
    /// Seed of the fault pattern.
    pub seed: u64,
}

impl Faults {
    /// No faults.
    pub const NONE: Faults = Faults { byte_rate: 0.0, frame_rate: 0.0, stall: Duration::ZERO, seed: 0 };

    /// Byte and frame faults at `rate` each, 50 ms stalls.
    pub fn at_rate(rate: f64, seed: u64) -> Faults {
        Faults { byte_rate: rate, frame_rate: rate, stall: Duration::from_millis(50), seed }
    }

    fn any(&self) -> bool {
        self.byte_rate > 0.0 || self.frame_rate > 0.0
    }
}

/// Applies [`Faults`] to the bytes of one direction, frame by frame.
struct Injector {
    faults: Faults,
    rng: ChaCha8Rng,
    frame: Vec<u8>,
    /// Whether frames may be cut (only towards the board: the host sees cut answers as
    /// corrupted bytes anyway).
    cut: bool,
}

impl Injector {
    fn new(faults: Faults, seed: u64, cut: bool) -> Self {
        Injector { faults, rng: ChaCha8Rng::seed_from_u64(faults.seed ^ seed), frame: Vec::new(), cut }
    }

    /// Takes bytes; returns what goes on, the number of faults and whether to stall.
    fn apply(&mut self, bytes: &[u8], out: &mut Vec<u8>) -> (u64, bool) {
        if !self.faults.any() {
            out.extend_from_slice(bytes);
            return (0, false);
        }
        let (mut faults, mut stall) = (0, false);
        for &b in bytes {
            if self.faults.byte_rate > 0.0 && self.rng.gen_bool(self.faults.byte_rate) {
                faults += 1;
                match self.rng.gen_range(0..3) {
                    0 => self.frame.push(b ^ (1 << self.rng.gen_range(0..8))),
                    1 => {}
                    _ => self.frame.extend([b, b]),
                }
            } else {
                self.frame.push(b);
            }
            if self.frame.last() == Some(&END) {
                let frame = std::mem::take(&mut self.frame);
                if self.faults.frame_rate > 0.0 && self.rng.gen_bool(self.faults.frame_rate) {
                    faults += 1;
                    match self.rng.gen_range(0..3) {
                        0 if self.cut && frame.len() > 2 => {
                            let keep = self.rng.gen_range(1..frame.len() - 1);
                            out.extend_from_slice(&frame[..keep]);
                            out.push(END);
                        }
                        1 => {
                            out.extend_from_slice(&frame);
                            out.extend_from_slice(&frame);
                        }
                        _ => {
                            stall = true;
                            out.extend_from_slice(&frame);
                        }
                    }
                } else {
                    out.extend_from_slice(&frame);
                }
            }
        }
        (faults, stall)
    }
}

/// How to run a virtual board.
#[derive(Clone, Debug)]
pub struct BoardOptions {
    /// Clock cycles per UART bit.
    pub divisor: u32,
    /// Faults to inject.
    pub faults: Faults,
    /// The Verilator build cache.
    pub cache_dir: PathBuf,
    /// Wall time every byte the board sends is held before the host can read it, as a USB-UART
    /// bridge holds it (an FTDI chip's latency timer is 16 ms by default).
    pub latency: Duration,
    /// At most this many simulated clock cycles per second of wall time (`None`: as fast as
    /// the host allows), to reproduce a board slower than the link, or a slow or busy host.
    pub max_cycles_per_sec: Option<f64>,
}

impl Default for BoardOptions {
    /// Divisor 8, no faults, the default cache, no latency, no speed cap.
    fn default() -> Self {
        BoardOptions {
            divisor: 8,
            faults: Faults::NONE,
            cache_dir: crate::builder::default_cache_dir(),
            latency: Duration::ZERO,
            max_cycles_per_sec: None,
        }
    }
}

/// Counters shared with the board's thread.
#[derive(Default)]
struct SharedCounters {
    cycles: AtomicU64,
    bytes_in: AtomicU64,
    bytes_out: AtomicU64,
    faults: AtomicU64,
}

/// A [`BoardSim`] in a thread, served on a pseudo-terminal. Stops when dropped.
pub struct VirtualBoard {
    path: PathBuf,
    stop: Arc<AtomicBool>,
    counters: Arc<SharedCounters>,
    thread: Option<JoinHandle<Result<(), SimError>>>,
}

impl std::fmt::Debug for VirtualBoard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VirtualBoard").field("path", &self.path).field("counters", &self.counters()).finish()
    }
}

fn io_err(context: &str, e: impl Into<std::io::Error>) -> SimError {
    SimError::io(context.to_string(), e.into())
}

impl VirtualBoard {
    /// Builds and starts the board of the design in `build_dir` (see [`BoardSim::new`]) and
    /// opens its pseudo-terminal.
    pub fn start(build_dir: &Path, opts: &BoardOptions) -> Result<VirtualBoard, SimError> {
        if let Some(r) = opts.max_cycles_per_sec.filter(|r| !(r.is_finite() && *r >= 1.0)) {
            return Err(SimError::InvalidInput(format!("a speed cap of {r} cycles per second: it must be at least 1")));
        }
        let board = BoardSim::new(build_dir, opts.divisor, &opts.cache_dir)?;
        let pty = nix::pty::openpty(None, None).map_err(|e| io_err("openpty", e))?;
        // SAFETY: `openpty` just returned these two descriptors, open and owned by nobody else;
        // each is wrapped exactly once, so each is closed exactly once.
        let (master, slave) = unsafe { (OwnedFd::from_raw_fd(pty.master), OwnedFd::from_raw_fd(pty.slave)) };
        // Raw mode at once: no echo, no CR/LF translation, 8-bit clean.
        let mut t = nix::sys::termios::tcgetattr(slave.as_raw_fd()).map_err(|e| io_err("tcgetattr", e))?;
        nix::sys::termios::cfmakeraw(&mut t);
        nix::sys::termios::tcsetattr(slave.as_raw_fd(), nix::sys::termios::SetArg::TCSANOW, &t)
            .map_err(|e| io_err("tcsetattr", e))?;
        let path = nix::unistd::ttyname(slave.as_raw_fd()).map_err(|e| io_err("ttyname", e))?;
        let flags =
            nix::fcntl::fcntl(master.as_raw_fd(), nix::fcntl::FcntlArg::F_GETFL).map_err(|e| io_err("fcntl", e))?;
        let flags = nix::fcntl::OFlag::from_bits_truncate(flags) | nix::fcntl::OFlag::O_NONBLOCK;
        nix::fcntl::fcntl(master.as_raw_fd(), nix::fcntl::FcntlArg::F_SETFL(flags)).map_err(|e| io_err("fcntl", e))?;
        let stop = Arc::new(AtomicBool::new(false));
        let counters = Arc::new(SharedCounters::default());
        let (stop2, counters2, pace) = (stop.clone(), counters.clone(), Pace::new(opts));
        let thread = std::thread::Builder::new()
            .name("bitloom-virtual-board".into())
            .spawn(move || serve(board, master, slave, pace, &stop2, &counters2))
            .map_err(|e| io_err("spawning the board thread", e))?;
        Ok(VirtualBoard { path, stop, counters, thread: Some(thread) })
    }

    /// The pseudo-terminal's path, to open as a serial port.
    pub fn pty_path(&self) -> &Path {
        &self.path
    }

    /// The simulated-time counters so far.
    pub fn counters(&self) -> BoardCounters {
        BoardCounters {
            cycles: self.counters.cycles.load(Ordering::Relaxed),
            bytes_in: self.counters.bytes_in.load(Ordering::Relaxed),
            bytes_out: self.counters.bytes_out.load(Ordering::Relaxed),
            faults: self.counters.faults.load(Ordering::Relaxed),
        }
    }

    /// Whether the board's thread still runs (it ends on a simulation error).
    pub fn running(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }

    /// Stops the board; returns the simulation's error if it failed.
    pub fn stop(mut self) -> Result<(), SimError> {
        self.finish()
    }

    fn finish(&mut self) -> Result<(), SimError> {
        self.stop.store(true, Ordering::Relaxed);
        match self.thread.take() {
            Some(t) => {
                t.join().unwrap_or_else(|_| Err(SimError::InvalidInput("the virtual board's thread panicked".into())))
            }
            None => Ok(()),
        }
    }
}

impl Drop for VirtualBoard {
    fn drop(&mut self) {
        let _ = self.finish();
    }
}

/// What shapes the board thread's timing: faults, latency towards the host, a speed cap.
struct Pace {
    faults: Faults,
    latency: Duration,
    max_cycles_per_sec: Option<f64>,
}

impl Pace {
    fn new(o: &BoardOptions) -> Pace {
        Pace { faults: o.faults, latency: o.latency, max_cycles_per_sec: o.max_cycles_per_sec }
    }
}

/// The board's thread: pty bytes in, cycles, pty bytes out, until stopped.
fn serve(
    mut board: BoardSim,
    master: OwnedFd,
    _slave: OwnedFd,
    pace: Pace,
    stop: &AtomicBool,
    counters: &SharedCounters,
) -> Result<(), SimError> {
    let fd = master.as_raw_fd();
    let faults = pace.faults;
    let mut to_board = Injector::new(faults, 1, true);
    let mut to_host = Injector::new(faults, 2, false);
    let (mut buf, mut sent, mut out) = ([0u8; 4096], Vec::new(), Vec::new());
    // Bytes for the host, each chunk with the instant it may be read (`pace.latency` after it
    // left the board).
    let mut pending_out = VecDeque::<(Instant, Vec<u8>)>::new();
    // The speed cap's reference: wall time and cycles when the board last woke up.
    let mut since: Option<(Instant, u64)> = None;
    while !stop.load(Ordering::Relaxed) {
        // Host to board.
        match nix::unistd::read(fd, &mut buf) {
            Ok(n) if n > 0 => {
                sent.clear();
                let (f, stall) = to_board.apply(&buf[..n], &mut sent);
                counters.faults.fetch_add(f, Ordering::Relaxed);
                if stall {
                    std::thread::sleep(faults.stall);
                }
                board.push(&sent);
            }
            // EAGAIN: nothing; EIO: no client has the slave open (we hold it, so rare).
            _ => {}
        }
        if board.idle() {
            since = None;
            // Sleep until a byte arrives or the next held chunk is due.
            let due = pending_out.front().map(|(t, _)| t.saturating_duration_since(Instant::now()));
            if due.is_none_or(|d| !d.is_zero()) {
                let ms = due.map_or(5, |d| d.as_millis().clamp(1, 5) as i32);
                let mut pfd = [nix::poll::PollFd::new(fd, nix::poll::PollFlags::POLLIN)];
                let _ = nix::poll::poll(&mut pfd, ms);
            }
        } else {
            let (t0, c0) = *since.get_or_insert((Instant::now(), board.counters().cycles));
            out.clear();
            board.run(2048, &mut out)?;
            let c = board.counters();
            counters.cycles.store(c.cycles, Ordering::Relaxed);
            counters.bytes_in.store(c.bytes_in, Ordering::Relaxed);
            counters.bytes_out.store(c.bytes_out, Ordering::Relaxed);
            if !out.is_empty() {
                sent.clear();
                let (f, stall) = to_host.apply(&out, &mut sent);
                counters.faults.fetch_add(f, Ordering::Relaxed);
                if stall {
                    std::thread::sleep(faults.stall);
                }
                if !sent.is_empty() {
                    pending_out.push_back((Instant::now() + pace.latency, std::mem::take(&mut sent)));
                }
            }
            if let Some(rate) = pace.max_cycles_per_sec {
                // Ahead of the cap: wait until the wall clock catches up with the cycles run.
                let due = t0 + Duration::from_secs_f64((c.cycles - c0) as f64 / rate);
                let ahead = due.saturating_duration_since(Instant::now());
                if !ahead.is_zero() {
                    std::thread::sleep(ahead);
                }
            }
        }
        // Board to host, what is due, as much as the pty takes.
        let now = Instant::now();
        while let Some((t, chunk)) = pending_out.front_mut() {
            if *t > now {
                break;
            }
            match nix::unistd::write(fd, chunk) {
                Ok(n) if n == chunk.len() => {
                    pending_out.pop_front();
                }
                Ok(n) => {
                    chunk.drain(..n);
                    break;
                }
                _ => break,
            }
        }
    }
    Ok(())
}

/// Busy-loop child processes that keep the host's cores busy, to reproduce a loaded machine
/// (benchmarks and tests). Each is a `bash` loop that ends by itself after a bound; all are
/// killed when this is dropped, so they never outlive it.
pub struct BusyLoops(Vec<std::process::Child>);

impl BusyLoops {
    /// Starts `n` loops, each ending by itself after `bound` at the latest.
    pub fn start(n: usize, bound: Duration) -> Result<BusyLoops, SimError> {
        let script = format!("while [ $SECONDS -lt {} ]; do :; done", bound.as_secs().max(1));
        let mut loops = BusyLoops(Vec::with_capacity(n));
        for _ in 0..n {
            let child = std::process::Command::new("bash")
                .args(["-c", &script])
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::null())
                .spawn()
                .map_err(|e| io_err("starting a busy loop (bash)", e))?;
            loops.0.push(child); // if a later one fails, dropping `loops` kills these
        }
        Ok(loops)
    }

    /// The loops' process ids.
    pub fn pids(&self) -> Vec<u32> {
        self.0.iter().map(std::process::Child::id).collect()
    }
}

impl Drop for BusyLoops {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn driver_and_sampler_agree_at_any_divisor() {
        for d in [4, 5, 16] {
            let bytes: Vec<u8> = (0..50u32).map(|i| (i * 37 + 11) as u8).chain([0, 0xFF, 0xC0]).collect();
            let mut tx = UartDriver::new(d);
            let mut rx = UartSampler::new(d);
            tx.push(&bytes);
            let mut got = Vec::new();
            let mut cycles = 0u64;
            while tx.pending() > 0 || rx.busy() {
                if let Some(b) = rx.sample(tx.next_bit()) {
                    got.push(b);
                }
                cycles += 1;
            }
            assert_eq!(got, bytes);
            assert!(cycles <= 10 * u64::from(d) * bytes.len() as u64 + 2 * u64::from(d), "{cycles} cycles");
            assert_eq!(rx.framing_errors, 0);
        }
    }

    #[test]
    fn injector_without_faults_is_transparent_and_with_faults_changes_bytes() {
        let bytes: Vec<u8> = (0..2000u32).map(|i| if i % 50 == 49 { END } else { i as u8 }).collect();
        let mut out = Vec::new();
        assert_eq!(Injector::new(Faults::NONE, 0, true).apply(&bytes, &mut out), (0, false));
        assert_eq!(out, bytes);
        out.clear();
        let (faults, _) = Injector::new(Faults { stall: Duration::ZERO, ..Faults::at_rate(0.05, 3) }, 0, true)
            .apply(&bytes, &mut out);
        assert!(faults > 50 && out != bytes, "{faults} faults");
    }
}
