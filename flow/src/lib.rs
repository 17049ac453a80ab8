//! The `bitloom` command's library side: the build directory format and the bit-exact
//! simulation check shared by the CLI, the benchmarks and the integration tests.

pub mod boards;
pub mod design;
pub mod fit;
pub mod inputs;
pub mod outputs;
pub mod progress;
pub mod weights;
pub mod simcheck;
pub mod synth;
