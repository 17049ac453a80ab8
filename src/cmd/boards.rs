//! `bitloom boards [BOARD] [--constraints] [--json]`
//!
//! The board table: part, package, clocks, UART pins, toolchain, whether that toolchain is installed here and
//! whether a board with the table's USB bridge is plugged in. With a board name, its pins, programmer commands,
//! sources and notes; with `--constraints`, its pin file as `bitloom` generates it.

use anyhow::Result;
use bitloom_flow::boards::{boards, mhz, Board, ToolStatus};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `boards`.
#[derive(clap::Args)]
pub struct Args {
    /// Show only this board, in detail.
    board: Option<String>,
    /// Print the board's pin file (PCF, LPF or XDC) for the bitloom top level.
    #[arg(long, requires = "board")]
    constraints: bool,
    /// Print JSON (an array of boards, or one board).
    #[arg(long, conflicts_with = "constraints")]
    json: bool,
}

/// A board with what this machine knows about it.
#[derive(Serialize)]
struct BoardReport<'a> {
    #[serde(flatten)]
    board: &'a Board,
    /// Every tool of the toolchain is on PATH.
    tools_installed: bool,
    /// Tool name → path.
    tools_found: BTreeMap<String, PathBuf>,
    /// Tools not on PATH.
    tools_missing: Vec<String>,
    /// The USB bridge's `vid:pid`, if the board has one.
    usb_id: Option<String>,
    /// Serial ports whose USB ids match that bridge.
    connected_ports: Vec<String>,
}

/// Runs `boards`.
pub fn run(a: Args) -> Result<ExitCode> {
    let selected: Vec<&Board> = match &a.board {
        Some(name) => vec![Board::by_name(name)?],
        None => boards()?.iter().collect(),
    };
    if a.constraints {
        print!("{}", selected[0].render_constraints());
        return Ok(ExitCode::SUCCESS);
    }
    let ports = usb_serial_ports();
    let reports: Vec<BoardReport> = selected.iter().map(|b| report(b, b.toolchain.locate(), &ports)).collect();
    if a.json {
        let text = match a.board {
            Some(_) => serde_json::to_string_pretty(&reports[0])?,
            None => serde_json::to_string_pretty(&reports)?,
        };
        println!("{text}");
    } else if a.board.is_some() {
        print!("{}", detail(&reports[0]));
    } else {
        print!("{}", table(&reports));
    }
    Ok(ExitCode::SUCCESS)
}

fn report<'a>(board: &'a Board, tools: ToolStatus, ports: &[UsbPort]) -> BoardReport<'a> {
    let connected_ports = match &board.usb {
        Some(u) => ports.iter().filter(|p| p.vid == u.vid && p.pid == u.pid).map(|p| p.name.clone()).collect(),
        None => Vec::new(),
    };
    BoardReport {
        board,
        tools_installed: tools.complete(),
        tools_found: tools.found.into_iter().collect(),
        tools_missing: tools.missing,
        usb_id: board.usb.as_ref().map(|u| u.id()),
        connected_ports,
    }
}

fn tools_text(r: &BoardReport) -> String {
    if r.tools_installed {
        "installed".into()
    } else {
        format!("missing {}", r.tools_missing.join(", "))
    }
}

fn usb_text(r: &BoardReport) -> String {
    match &r.board.usb {
        Some(u) if u.uart => format!("{} {}", u.id(), u.chip),
        Some(u) => format!("{} {} (not to the FPGA)", u.id(), u.chip),
        None => "none".into(),
    }
}

fn connected_text(r: &BoardReport) -> String {
    match (&r.board.usb, r.connected_ports.is_empty()) {
        (None, _) => "-".into(),
        (Some(_), true) => "no".into(),
        (Some(_), false) => format!("yes: {}", r.connected_ports.join(", ")),
    }
}

fn table(reports: &[BoardReport]) -> String {
    let head =
        ["board", "part", "package", "clock", "uart rx", "uart tx", "toolchain", "tools", "USB bridge", "connected"];
    let rows: Vec<[String; 10]> = reports
        .iter()
        .map(|r| {
            let b = r.board;
            [
                b.name.clone(),
                b.part.clone(),
                b.package.clone(),
                format!("{} MHz", mhz(b.clock.mhz)),
                b.uart_rx.pin.clone(),
                b.uart_tx.pin.clone(),
                b.toolchain.name().to_string(),
                tools_text(r),
                usb_text(r),
                connected_text(r),
            ]
        })
        .collect();
    let mut width = head.map(str::len);
    for row in &rows {
        for (w, cell) in width.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| -> String {
        let padded: Vec<String> = cells.iter().zip(&width).map(|(c, w)| format!("{c:<w$}")).collect();
        padded.join("  ").trim_end().to_string() + "\n"
    };
    let mut s = line(head.to_vec());
    for row in &rows {
        s += &line(row.iter().map(String::as_str).collect());
    }
    s +=
        "\nuart rx is the FPGA's input. Several boards share the FT2232H's 0403:6010: `connected` says a bridge with\n";
    s += "the board's USB id is plugged in, not which board it is. `bitloom boards NAME` shows pins, programmer and wiring.\n";
    s
}

fn detail(r: &BoardReport) -> String {
    let b = r.board;
    let mut s = format!("{} — {}\n", b.name, b.title);
    let mut field = |k: &str, v: String| s += &format!("  {k:<11}  {v}\n");
    field("family", format!("{}: {} in {}", b.family.name(), b.part, b.package));
    let pll = if b.pll { "from a PLL" } else { "no PLL" };
    field(
        "clock",
        format!(
            "pin {} ({}), {} MHz; design clock {} MHz, {pll}",
            b.clock.pin,
            b.clock.net,
            mhz(b.clock.mhz),
            mhz(b.design_mhz)
        ),
    );
    field(
        "uart",
        format!(
            "rx (FPGA input) pin {} ({}), tx pin {} ({})",
            b.uart_rx.pin, b.uart_rx.net, b.uart_tx.pin, b.uart_tx.net
        ),
    );
    let leds: Vec<String> = b
        .leds
        .iter()
        .enumerate()
        .map(|(i, l)| format!("led[{i}] {} ({}{})", l.pin, l.net, if l.active_low { ", active low" } else { "" }))
        .collect();
    field("leds", leds.join(", "));
    let found: Vec<String> = r.tools_found.iter().map(|(t, p)| format!("{t} at {}", p.display())).collect();
    let mut tools = format!("{}: {}", b.toolchain.name(), tools_text(r));
    if !found.is_empty() {
        tools += &format!(" ({})", found.join(", "));
    }
    field("toolchain", tools);
    let bit = format!("bitstream.{}", b.bitstream_ext());
    for (i, cmd) in b.program_commands(&bit, "program.tcl").iter().enumerate() {
        field(if i == 0 { "program" } else { "" }, cmd.join(" "));
    }
    field("usb", format!("{}; connected: {}", usb_text(r), connected_text(r)));
    field("pin file", format!("constraints/{}", b.constraints_file()));
    for (i, src) in b.sources.iter().enumerate() {
        field(if i == 0 { "sources" } else { "" }, src.clone());
    }
    for (i, n) in b.notes.iter().enumerate() {
        field(if i == 0 { "notes" } else { "" }, n.clone());
    }
    s
}

/// A serial port behind a USB device.
struct UsbPort {
    name: String,
    vid: u16,
    pid: u16,
}

/// The USB serial ports of this machine (none where they cannot be listed).
fn usb_serial_ports() -> Vec<UsbPort> {
    // serialport's sysfs scan (built without libudev) panics when /sys/class/tty is missing, as in some containers.
    if cfg!(target_os = "linux") && !std::path::Path::new("/sys/class/tty").is_dir() {
        return Vec::new();
    }
    match serialport::available_ports() {
        Ok(ports) => ports
            .into_iter()
            .filter_map(|p| match p.port_type {
                serialport::SerialPortType::UsbPort(u) => Some(UsbPort { name: p.port_name, vid: u.vid, pid: u.pid }),
                _ => None,
            })
            .collect(),
        Err(e) => {
            eprintln!("warning: cannot list serial ports: {e}");
            Vec::new()
        }
    }
}
