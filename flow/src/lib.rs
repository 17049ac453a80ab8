//! bitloom's build flow: the board table, the fit estimate and the fold search that fits a
//! board, the build directory format, a model's weights as memory words, the bit-exact
//! simulation check and synthesis, shared by the CLI, the benchmarks and the integration tests.

pub mod boards;
pub mod design;
pub mod engines;
pub mod fit;
pub mod inputs;
pub mod outputs;
pub mod progress;
pub mod weights;
pub mod simcheck;
pub mod synth;
