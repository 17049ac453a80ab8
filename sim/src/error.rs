//! The one error type of this crate.

use std::path::PathBuf;

/// Everything that can go wrong while building, loading or driving a simulation.
///
/// The `Display` text of each variant is written for the person running `bitloom`: it says
/// what failed and carries the tool output that explains why.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    /// `verilator` is not on `PATH`.
    #[error("verilator not found: install it with `apt-get install verilator`")]
    VerilatorNotFound,

    /// Another tool the build needs (`make`) is not on `PATH`.
    #[error("{tool} not found on PATH: {hint}")]
    ToolNotFound {
        /// The missing program.
        tool: &'static str,
        /// How to get it.
        hint: &'static str,
    },

    /// The [`BuildRequest`](crate::BuildRequest) itself is unusable (no files, a bad top name,
    /// a zero width, ...).
    #[error("invalid build request: {0}")]
    InvalidRequest(String),

    /// A file-system operation failed.
    #[error("{context}")]
    Io {
        /// What was being done, with the path.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// A tool could not be started at all.
    #[error("cannot run `{tool}`")]
    Spawn {
        /// The program.
        tool: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// Verilator rejected the Verilog (syntax error, unknown module, ...).
    #[error("verilator failed on top module `{top}` (exit status {status}):\n{output}")]
    Verilate {
        /// The top module.
        top: String,
        /// Verilator's exit status, as text.
        status: String,
        /// Verilator's messages (stderr, then stdout).
        output: String,
    },

    /// The top module's ports do not follow the bitloom port contract.
    #[error("top module `{top}` does not match the bitloom port contract: {detail}")]
    PortMismatch {
        /// The top module.
        top: String,
        /// Which ports are wrong, and how.
        detail: String,
    },

    /// The C++ compile or link of the verilated model failed.
    #[error("C++ build of the verilated `{top}` failed (full log: {}):\n{output}", log.display())]
    Compile {
        /// The top module.
        top: String,
        /// The tail of the compiler output.
        output: String,
        /// Where the whole log was saved.
        log: PathBuf,
    },

    /// The shared library could not be loaded or lacks a symbol.
    #[error("cannot load simulation library {}: {detail}", path.display())]
    Load {
        /// The library.
        path: PathBuf,
        /// The loader's message.
        detail: String,
    },

    /// The library loads but was built for something else (another wrapper version, other widths).
    #[error("simulation library {} does not match: {detail}", path.display())]
    Incompatible {
        /// The library.
        path: PathBuf,
        /// What differs.
        detail: String,
    },

    /// The design failed while initialising (`initial` blocks, `$readmemh`).
    #[error("design initialisation failed (memory directory {}): {detail}", mem_dir.display())]
    Init {
        /// The memory directory passed to [`Sim::new`](crate::Sim::new).
        mem_dir: PathBuf,
        /// Verilator's messages.
        detail: String,
    },

    /// Verilator's run time reported a fatal error (`$stop`, a bad memory file, ...). The
    /// [`Sim`](crate::Sim) is unusable afterwards: every further call returns this error again.
    #[error("simulation failed at cycle {cycle}: {message}")]
    Runtime {
        /// The cycle at which it happened.
        cycle: u64,
        /// Verilator's message.
        message: String,
    },

    /// A trace call on a model built without `trace: true`.
    #[error("VCD tracing needs a model built with `trace: true` (this one was built without it)")]
    TraceNotEnabled,

    /// The stream did not finish within `max_cycles`.
    #[error(
        "simulation did not finish within max_cycles = {max_cycles} (deadlock?): after {cycles} cycles, \
         {in_beats} of {in_total} input beats were accepted and {out_beats} of {out_expected} \
         output beats arrived"
    )]
    Deadlock {
        /// The limit that was hit.
        max_cycles: u64,
        /// Cycles simulated in this run.
        cycles: u64,
        /// Input beats the design accepted.
        in_beats: usize,
        /// Input beats offered in total.
        in_total: usize,
        /// Output beats received.
        out_beats: usize,
        /// Output beats expected.
        out_expected: usize,
    },

    /// The design produced an output beat beyond the expected count.
    #[error(
        "design produced more output than expected: beat {beat} (counting from 1) arrived at cycle \
         {cycle} of the run, but only {expected} were expected"
    )]
    ExtraOutput {
        /// The 1-based number of the extra beat.
        beat: usize,
        /// The run-relative cycle it arrived in.
        cycle: u64,
        /// The expected number of beats.
        expected: usize,
    },

    /// Input to a stream run or a [`Sim`](crate::Sim) call is malformed.
    #[error("invalid input: {0}")]
    InvalidInput(String),
}

impl SimError {
    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> SimError {
        SimError::Io {
            context: context.into(),
            source,
        }
    }
}
