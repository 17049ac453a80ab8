//! A loaded model, driven cycle by cycle.
//!
//! # Cycle semantics
//!
//! A [`Sim`] always rests with `clk` low, between two rising edges.
//!
//! * **Inputs** (`rst`, `in_valid`, `in_data`, `out_ready`) are changed while `clk` is low;
//!   every setter ([`Sim::set_input`], [`Sim::set_out_ready`]) evaluates the model at once, so
//!   the combinational outputs [`Sim::in_ready`], [`Sim::out_valid`] and [`Sim::out_data`]
//!   reflect the new inputs immediately.
//! * **A beat transfers** on a rising edge where `valid && ready` were both high just before
//!   it: an input beat when `in_valid && in_ready`, an output beat when `out_valid && out_ready`.
//!   So: set the inputs, look at the outputs, and the handshake you see is the one the next
//!   [`Sim::tick`] performs.
//! * **[`Sim::tick`]** is one full clock cycle: `clk = 1`, eval (registers update), `clk = 0`,
//!   eval. Inputs keep their values across it; outputs show the state after it.
//! * **[`Sim::cycle`]** counts ticks since [`Sim::new`] (reset cycles included).
//! * **Reset** ([`Sim::reset`]) holds `rst` high for `n` ticks with `in_valid` and `out_ready`
//!   low, then lowers `rst` (`rst` is synchronous, active high).
//!
//! Verilator's `$time` and the VCD time stamps use 10 time units per cycle: in cycle `n`
//! (0-based) the inputs are sampled at `10n+2`, the rising edge is at `10n+5` and the falling
//! edge at `10n+10`. With tracing on, the model is dumped at each of those three points, i.e.
//! at both clock edges and once with the inputs of the cycle.
//!
//! # Initialisation
//!
//! [`Sim::new`] creates a fresh `VerilatedContext` whose command line is
//! `bitloom-sim +bitloom_mem_dir=<absolute mem_dir>`, creates the model, and evaluates it once
//! with all inputs low, which runs the `initial` blocks (`$readmemh`). A Verilator warning at
//! this point (most often `$readmem file not found`) fails `new`, so a wrong memory directory
//! never leaves memories silently zero. The design is *not* reset: call [`Sim::reset`].

use std::path::{Path, PathBuf};

use crate::builder::BuiltModel;
use crate::error::SimError;
use crate::ffi::{self, CallError, Model};
use crate::wrapper::{
    CTL_IN_VALID, CTL_OUT_READY, CTL_RST, FLAG_FINISHED, FLAG_IN_READY, FLAG_OUT_VALID,
};

/// One instance of a built model, with its own Verilator context. `Send`, not `Sync`.
pub struct Sim {
    model: Model,
    in_bits: usize,
    out_bits: usize,
    /// Current `in_data`, exactly `in_words` words, bits above `in_bits` zero.
    pub(crate) in_buf: Vec<u64>,
    /// Scratch for `out_data`, exactly `out_words` words.
    pub(crate) out_buf: Vec<u64>,
    in_valid: bool,
    out_ready: bool,
    rst: bool,
    /// Flags of the last evaluation.
    flags: u32,
    cycle: u64,
    /// Set when a fatal error poisoned the instance.
    failed: Option<String>,
    tracing: Option<PathBuf>,
    mem_dir: PathBuf,
}

impl std::fmt::Debug for Sim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sim")
            .field("in_bits", &self.in_bits)
            .field("out_bits", &self.out_bits)
            .field("cycle", &self.cycle)
            .field("mem_dir", &self.mem_dir)
            .field("tracing", &self.tracing)
            .field("failed", &self.failed)
            .finish_non_exhaustive()
    }
}

/// Keeps bits `0..bits` of `words`, clears the rest.
pub(crate) fn mask_top(words: &mut [u64], bits: usize) {
    let rem = bits % 64;
    if rem != 0 {
        if let Some(last) = words.get_mut(bits / 64) {
            *last &= (1u64 << rem) - 1;
        }
    }
    for w in words.iter_mut().skip(bits.div_ceil(64)) {
        *w = 0;
    }
}

impl Sim {
    /// Loads `built` and creates an instance whose `$readmemh` files come from `mem_dir`.
    ///
    /// `mem_dir` must be an existing directory (it may be empty for designs without
    /// memories). See the [module doc](self) for what happens here.
    pub fn new(built: &BuiltModel, mem_dir: &Path) -> Result<Sim, SimError> {
        if !mem_dir.is_dir() {
            return Err(SimError::InvalidInput(format!(
                "memory directory {} does not exist or is not a directory",
                mem_dir.display()
            )));
        }
        let mem_dir = std::path::absolute(mem_dir)
            .map_err(|e| SimError::io(format!("cannot resolve {}", mem_dir.display()), e))?;
        let args = [
            c"bitloom-sim".to_owned(),
            ffi::path_arg("+bitloom_mem_dir=", &mem_dir)?,
        ];
        let model = Model::load(&built.lib_path, built.in_bits, built.out_bits, &args)?;
        let mut sim = Sim {
            model,
            in_bits: built.in_bits,
            out_bits: built.out_bits,
            in_buf: vec![0; built.in_bits.div_ceil(64)],
            out_buf: vec![0; built.out_bits.div_ceil(64)],
            in_valid: false,
            out_ready: false,
            rst: false,
            flags: 0,
            cycle: 0,
            failed: None,
            tracing: None,
            mem_dir,
        };
        // The first evaluation runs the initial blocks.
        let init = sim.eval_inputs();
        let warnings = sim.model.take_warnings();
        match init {
            Err(SimError::Runtime { message, .. }) => {
                let detail = if warnings.is_empty() {
                    message
                } else {
                    format!("{}\n{message}", warnings.trim_end())
                };
                Err(SimError::Init {
                    mem_dir: sim.mem_dir.clone(),
                    detail,
                })
            }
            Err(e) => Err(e),
            Ok(()) if !warnings.is_empty() => Err(SimError::Init {
                mem_dir: sim.mem_dir.clone(),
                detail: warnings.trim_end().to_string(),
            }),
            Ok(()) => Ok(sim),
        }
    }

    /// Width of `in_data` in bits.
    pub fn in_bits(&self) -> usize {
        self.in_bits
    }

    /// Width of `out_data` in bits.
    pub fn out_bits(&self) -> usize {
        self.out_bits
    }

    /// `u64` words of an `in_data` value.
    pub fn in_words(&self) -> usize {
        self.in_buf.len()
    }

    /// `u64` words of an `out_data` value.
    pub fn out_words(&self) -> usize {
        self.out_buf.len()
    }

    /// The memory directory this instance reads (absolute).
    pub fn mem_dir(&self) -> &Path {
        &self.mem_dir
    }

    fn ctl(&self) -> u32 {
        (if self.in_valid { CTL_IN_VALID } else { 0 })
            | (if self.out_ready { CTL_OUT_READY } else { 0 })
            | (if self.rst { CTL_RST } else { 0 })
    }

    fn call_error(&mut self, e: CallError) -> SimError {
        match e {
            CallError::Fatal(message) => {
                let message = if message.is_empty() {
                    "unknown fatal error".to_string()
                } else {
                    message
                };
                self.failed = Some(message.clone());
                SimError::Runtime {
                    cycle: self.cycle,
                    message,
                }
            }
            CallError::Failed(message) => SimError::InvalidInput(message),
            CallError::NoTrace => SimError::TraceNotEnabled,
        }
    }

    fn check_alive(&self) -> Result<(), SimError> {
        match &self.failed {
            Some(message) => Err(SimError::Runtime {
                cycle: self.cycle,
                message: message.clone(),
            }),
            None => Ok(()),
        }
    }

    /// Applies the stored inputs and evaluates.
    fn eval_inputs(&mut self) -> Result<(), SimError> {
        self.check_alive()?;
        match self.model.set(self.ctl(), &self.in_buf) {
            Ok(flags) => {
                self.flags = flags;
                Ok(())
            }
            Err(e) => Err(self.call_error(e)),
        }
    }

    /// Holds `rst` high for `cycles` ticks (with `in_valid` and `out_ready` low), then lowers it.
    pub fn reset(&mut self, cycles: u64) -> Result<(), SimError> {
        self.rst = true;
        self.in_valid = false;
        self.out_ready = false;
        self.eval_inputs()?;
        for _ in 0..cycles {
            self.tick()?;
        }
        self.rst = false;
        self.eval_inputs()
    }

    /// Sets `in_valid` and `in_data` and evaluates. `data` is little-endian `u64` words; missing
    /// words are zero, words and bits beyond the port's width are ignored.
    pub fn set_input(&mut self, valid: bool, data: &[u64]) -> Result<(), SimError> {
        self.in_valid = valid;
        let n = data.len().min(self.in_buf.len());
        self.in_buf[..n].copy_from_slice(&data[..n]);
        self.in_buf[n..].fill(0);
        mask_top(&mut self.in_buf, self.in_bits);
        self.eval_inputs()
    }

    /// Sets `out_ready` and evaluates.
    pub fn set_out_ready(&mut self, ready: bool) -> Result<(), SimError> {
        self.out_ready = ready;
        self.eval_inputs()
    }

    /// `in_ready` as of the last evaluation.
    pub fn in_ready(&self) -> bool {
        self.flags & FLAG_IN_READY != 0
    }

    /// `out_valid` as of the last evaluation.
    pub fn out_valid(&self) -> bool {
        self.flags & FLAG_OUT_VALID != 0
    }

    /// Whether the design has executed `$finish`.
    pub fn finished(&self) -> bool {
        self.flags & FLAG_FINISHED != 0
    }

    /// Copies `out_data` into `out` as little-endian `u64` words: the first
    /// `min(out.len(), out_words())` words are written, any further words of `out` are zeroed.
    pub fn out_data(&self, out: &mut [u64]) {
        if out.len() >= self.out_buf.len() {
            let (head, rest) = out.split_at_mut(self.out_buf.len());
            self.model.read_out(head);
            rest.fill(0);
        } else {
            let mut full = vec![0; self.out_buf.len()];
            self.model.read_out(&mut full);
            out.copy_from_slice(&full[..out.len()]);
        }
    }

    /// One full clock cycle: `clk = 1`, eval, `clk = 0`, eval.
    pub fn tick(&mut self) -> Result<(), SimError> {
        self.check_alive()?;
        match self.model.tick() {
            Ok(flags) => {
                self.flags = flags;
                self.cycle += 1;
                Ok(())
            }
            Err(e) => {
                self.cycle += 1;
                Err(self.call_error(e))
            }
        }
    }

    /// Ticks since [`Sim::new`].
    pub fn cycle(&self) -> u64 {
        self.cycle
    }

    /// Warnings Verilator's run time reported since the last call (e.g. from `$readmemh`
    /// calls made after initialisation), one per entry.
    pub fn take_warnings(&mut self) -> Vec<String> {
        self.model
            .take_warnings()
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// Starts writing a VCD trace to `path` (replacing the file, closing a trace already open).
    /// Needs a model built with `trace: true`.
    pub fn trace_open(&mut self, path: &Path) -> Result<(), SimError> {
        if !self.model.has_trace() {
            return Err(SimError::TraceNotEnabled);
        }
        self.check_alive()?;
        // Open from Rust first for a proper I/O error (Verilator's message is terse).
        std::fs::File::create(path)
            .map_err(|e| SimError::io(format!("cannot create VCD file {}", path.display()), e))?;
        let cpath = ffi::c_path(path)?;
        match self.model.trace_open(&cpath) {
            Ok(()) => {
                self.tracing = Some(path.to_path_buf());
                Ok(())
            }
            Err(e) => Err(self.call_error(e)),
        }
    }

    /// Flushes and closes the VCD trace (no-op when none is open).
    pub fn trace_close(&mut self) -> Result<(), SimError> {
        if !self.model.has_trace() {
            return Err(SimError::TraceNotEnabled);
        }
        self.tracing = None;
        self.check_alive()?;
        match self.model.trace_close() {
            Ok(()) => Ok(()),
            Err(e) => Err(self.call_error(e)),
        }
    }

    /// The fast path of [`crate::stream`]: with `in_data` = `self.in_buf`, set the handshake
    /// inputs, evaluate, sample (copying `out_data` into `self.out_buf` when an output beat
    /// leaves) and tick. Returns the flags sampled before the rising edge.
    #[inline]
    pub(crate) fn step(&mut self, in_valid: bool, out_ready: bool) -> Result<u32, SimError> {
        self.check_alive()?;
        self.in_valid = in_valid;
        self.out_ready = out_ready;
        let ctl = self.ctl();
        let r = self.model.cycle(ctl, &self.in_buf, &mut self.out_buf);
        self.cycle += 1;
        match r {
            Ok(flags) => Ok(flags),
            Err(e) => Err(self.call_error(e)),
        }
    }

    /// After [`Sim::step`]s: record the current handshake inputs and re-evaluate, so the
    /// getters are up to date.
    pub(crate) fn settle(&mut self, in_valid: bool, out_ready: bool) -> Result<(), SimError> {
        self.in_valid = in_valid;
        self.out_ready = out_ready;
        self.eval_inputs()
    }
}

#[cfg(test)]
mod tests {
    use super::mask_top;

    #[test]
    fn mask_top_clears_bits_above_the_width() {
        let mut w = [u64::MAX; 3];
        mask_top(&mut w, 130);
        assert_eq!(w, [u64::MAX, u64::MAX, 3]);
        let mut w = [u64::MAX; 2];
        mask_top(&mut w, 64);
        assert_eq!(w, [u64::MAX, 0]);
        let mut w = [u64::MAX; 1];
        mask_top(&mut w, 8);
        assert_eq!(w, [0xff]);
    }
}
