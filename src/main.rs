//! `bitloom`: quantized neural networks to streaming FPGA accelerators.

mod cmd;

use clap::{Parser, Subcommand};

/// Quantized neural networks to streaming FPGA accelerators.
#[derive(Parser)]
#[command(name = "bitloom", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Import an ONNX model (QONNX / FINN-ONNX) into the native model format.
    Import(cmd::import::Args),
    /// Run a model on the integer reference executor (the truth hardware is checked against).
    Infer(cmd::infer::Args),
    /// Compile a model into a folded dataflow design: Verilog, memory files, report.
    Compile(cmd::compile::Args),
    /// Simulate a compiled design cycle-accurately with Verilator, checked bit-exactly.
    Sim(cmd::sim::Args),
    /// Benchmarks: reference vs float, cycles vs II, Verilator build and speed.
    Bench(cmd::bench::Args),
    /// Train a network with a quantization method (float, bnn, xnor, horq:K).
    Train(cmd::train::TrainArgs),
    /// Quantize a trained float network (inq:B, qil:W/A) with retraining.
    Quantize(cmd::train::QuantizeArgs),
    /// Test accuracy of a trained or imported model.
    Eval(cmd::eval::Args),
    /// Regenerate a report: `accuracy` trains every method and writes docs/accuracy.md with a chart.
    Report(cmd::report::Args),
    /// Synthesize a compiled design: utilization, fmax and a bitstream (yosys + nextpnr).
    Synth(cmd::synth::Args),
    /// Load a synthesized bitstream into its board (openFPGALoader, iceprog, Vivado), or print the command.
    Flash(cmd::flash::Args),
    /// The board table: part, package, clock, UART pins, toolchain, installed or not, connected or not.
    Boards(cmd::boards::Args),
    /// The virtual board: the compiled board top level, simulated, served on a pseudo-terminal.
    Board(cmd::board::Args),
    /// Run inputs through a board (or the virtual board) with the host driver.
    Run(cmd::run::Args),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Import(a) => cmd::import::run(a),
        Command::Infer(a) => cmd::infer::run(a),
        Command::Compile(a) => cmd::compile::run(a),
        Command::Sim(a) => cmd::sim::run(a),
        Command::Bench(a) => cmd::bench::run(a),
        Command::Synth(a) => cmd::synth::run(a),
        Command::Train(a) => cmd::train::run_train(a),
        Command::Quantize(a) => cmd::train::run_quantize(a),
        Command::Eval(a) => cmd::eval::run(a),
        Command::Report(a) => cmd::report::run(a),
        Command::Flash(a) => cmd::flash::run(a),
        Command::Boards(a) => cmd::boards::run(a),
        Command::Board(a) => cmd::board::run(a),
        Command::Run(a) => cmd::run::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::from(2)
        }
    }
}
