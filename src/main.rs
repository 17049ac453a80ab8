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
    /// Run a model on the integer reference executor (the truth hardware is checked against).
    Infer(cmd::infer::Args),
    /// Compile a model into a folded dataflow design: Verilog, memory files, report.
    Compile(cmd::compile::Args),
    /// Simulate a compiled design cycle-accurately with Verilator, checked bit-exactly.
    Sim(cmd::sim::Args),
    /// Benchmarks: reference vs float, cycles vs II, Verilator build and speed.
    Bench(cmd::bench::Args),
    /// The virtual board: the compiled board top level, simulated, served on a pseudo-terminal.
    Board(cmd::board::Args),
    /// Run inputs through a board (or the virtual board) with the host driver.
    Run(cmd::run::Args),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Infer(a) => cmd::infer::run(a),
        Command::Compile(a) => cmd::compile::run(a),
        Command::Sim(a) => cmd::sim::run(a),
        Command::Bench(a) => cmd::bench::run(a),
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
