//! One module per subcommand, each with its `Args` and a `run` function.

pub mod bench;
pub mod board;
pub mod compile;
pub mod infer;
pub mod run;
pub mod sim;
