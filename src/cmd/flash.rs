//! `bitloom flash BUILD [--dry-run]`: loads the bitstream `bitloom synth` made into the board,
//! with the first of the board's programmers (see `bitloom boards NAME`) that is installed;
//! when none is, prints the exact commands to run and exits with 1.

use anyhow::{bail, Context, Result};
use bitloom_flow::boards::{find_tool, Board, Family};
use bitloom_flow::design::Design;
use std::path::PathBuf;
use std::process::{Command, ExitCode};

/// Arguments of `flash`.
#[derive(clap::Args)]
pub struct Args {
    /// A directory written by `bitloom compile --board B` and `bitloom synth`.
    build: PathBuf,
    /// Print the command that would run, without running it.
    #[arg(long)]
    dry_run: bool,
}

/// Runs `flash`.
pub fn run(a: Args) -> Result<ExitCode> {
    let design = Design::load(&a.build)?;
    let name = design.board()?.target.clone().context(
        "this build has no board: compile it with `bitloom compile MODEL -o DIR --board NAME`, then `bitloom synth DIR`",
    )?;
    let board = Board::by_name(&name)?;
    let file = format!("bitstream.{}", board.bitstream_ext());
    let bitstream = a.build.join(&file);
    if !bitstream.is_file() {
        bail!("{} has no bitstream yet: run `bitloom synth {}` first", a.build.display(), a.build.display());
    }
    if board.family == Family::Xilinx7 && !a.build.join("program.tcl").is_file() {
        bail!("{} has no program.tcl: run `bitloom synth {}` again", a.build.display(), a.build.display());
    }
    // The commands run in the build directory, so the placeholders are file names there.
    let commands = board.program_commands(&file, "program.tcl");
    let installed = commands.iter().find(|c| c.first().is_some_and(|tool| find_tool(tool).is_some()));
    let Some(cmd) = installed else {
        eprintln!("no programmer for {} is installed; in {} run one of:", board.name, a.build.display());
        for c in &commands {
            println!("{}", c.join(" "));
        }
        return Ok(ExitCode::from(1));
    };
    println!("{}", cmd.join(" "));
    if a.dry_run {
        return Ok(ExitCode::SUCCESS);
    }
    let status = Command::new(&cmd[0])
        .args(&cmd[1..])
        .current_dir(&a.build)
        .status()
        .with_context(|| format!("running {}", cmd[0]))?;
    if !status.success() {
        bail!("{} failed ({status}); is the board plugged in and its USB device accessible?", cmd[0]);
    }
    Ok(ExitCode::SUCCESS)
}
