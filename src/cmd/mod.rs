//! One module per subcommand, each with its `Args` and a `run` function.

pub mod bench;
pub mod boards;
pub mod board;
pub mod compile;
pub mod eval;
pub mod flash;
pub mod import;
pub mod infer;
pub mod report;
pub mod run;
pub mod sim;
pub mod synth;
pub mod train;
