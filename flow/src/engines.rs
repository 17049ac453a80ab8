//! The engines benchmark (`bitloom bench --only engines`): what one lane of each engine kind and
//! width costs in hardware, measured, next to the compiler's analytic cost model.
//!
//! Every kind is a one-node graph (as the hardware's test cases build them,
//! `bitloom_hdl::blocks::one_node`) at two sizes, 1 and 16 units of the kind's unit (SIMD lanes of
//! an MVU at PE 1, PEs of a threshold unit, elements of a beat of a width converter or FIFO).
//! Each is emitted with its run-time writable memories' write port (as on a board, so yosys cannot
//! fold the weights into the logic) inside the measurement harness ([`crate::synth::measurement_top_distinct`])
//! and synthesized twice: `yosys synth_ice40` and nextpnr-ice40 on the UP5K (LUT4s, flip-flops,
//! block RAMs and DSPs from yosys, fmax from nextpnr), and `yosys synth_xilinx` for 7-series (LUT6s,
//! flip-flops, RAMB18 equivalents, DSP48E1). A unit's cost is the difference between the two sizes
//! over 15, so the harness and the per-engine control cancel out. The cost model's column is
//! [`NodeKind::cost`](bitloom_compiler::nodes::NodeKind::cost)'s LUTs taken the same way, against
//! the iCE40 LUT4s.
//!
//! Adding a kind (or a width) to the table is one line in [`kinds`].

use crate::boards::Family;
use crate::synth::{measurement_top_distinct, synthesize, Report, Target};
use anyhow::{Context, Result};
use bitloom_compiler::ir::{DataflowGraph, Dwc, Fifo, Node, Stream, Threshold};
use bitloom_compiler::model::{threshold_output_type, ThresholdOutput, ThresholdTable};
use bitloom_compiler::types::DataType;
use bitloom_hdl::blocks::{int_mvu, mvu, one_node, shift_mvu};
use rayon::prelude::*;
use std::fmt::Write as _;
use std::path::Path;

/// The two sizes every kind is built at; a unit's cost is the difference over `LARGE - SMALL`.
pub const SMALL: usize = 1;
/// See [`SMALL`].
pub const LARGE: usize = 16;

/// Concurrent syntheses (the benchmark machine's cores).
const JOBS: usize = 2;

/// One row of the table: an engine kind at one width.
pub struct Kind {
    /// What the row measures, e.g. `int_mvu w4 × uint4`.
    pub name: &'static str,
    /// What one unit is: `lane` (SIMD, at PE 1), `PE`, `element`.
    pub unit: &'static str,
    /// In the `--quick` subset.
    pub quick: bool,
    /// The one-node graph at `n` units.
    pub graph: fn(usize) -> DataflowGraph,
}

const fn kind(name: &'static str, unit: &'static str, quick: bool, graph: fn(usize) -> DataflowGraph) -> Kind {
    Kind { name, unit, quick, graph }
}

/// Every kind and width of the table, one line each. MVUs are 16 rows at PE 1 with SIMD the
/// unit and 4 × SIMD columns, so every size folds a row into 4 beats and a lane carries its
/// share of the input buffer and weight memory (with a fixed width, the buffer's read
/// multiplexer would shrink as SIMD grows and hide the lanes). The shift-add and integer MVUs
/// at 5-bit weights × uint4 are also compared in [`Table::shift_vs_int`].
pub fn kinds() -> Vec<Kind> {
    use DataType::{Bipolar, UInt};
    vec![
        kind("mvu xnor", "lane", true, |s| mvu::graph(1, 16, 4 * s, 1, s, Bipolar)),
        kind("mvu ±x uint2", "lane", false, |s| mvu::graph(1, 16, 4 * s, 1, s, UInt(2))),
        kind("mvu ±x uint4", "lane", false, |s| mvu::graph(1, 16, 4 * s, 1, s, UInt(4))),
        kind("mvu ±x uint8", "lane", false, |s| mvu::graph(1, 16, 4 * s, 1, s, UInt(8))),
        kind("int_mvu w2 × uint2", "lane", false, |s| int_mvu::graph(1, (16, 4 * s), 2, (1, s), UInt(2))),
        kind("int_mvu w2 × uint4", "lane", false, |s| int_mvu::graph(1, (16, 4 * s), 2, (1, s), UInt(4))),
        kind("int_mvu w2 × uint8", "lane", false, |s| int_mvu::graph(1, (16, 4 * s), 2, (1, s), UInt(8))),
        kind("int_mvu w4 × uint2", "lane", false, |s| int_mvu::graph(1, (16, 4 * s), 4, (1, s), UInt(2))),
        kind("int_mvu w4 × uint4", "lane", false, |s| int_mvu::graph(1, (16, 4 * s), 4, (1, s), UInt(4))),
        kind("int_mvu w4 × uint8", "lane", false, |s| int_mvu::graph(1, (16, 4 * s), 4, (1, s), UInt(8))),
        kind("int_mvu w8 × uint2", "lane", false, |s| int_mvu::graph(1, (16, 4 * s), 8, (1, s), UInt(2))),
        kind("int_mvu w8 × uint4", "lane", false, |s| int_mvu::graph(1, (16, 4 * s), 8, (1, s), UInt(4))),
        kind("int_mvu w8 × uint8", "lane", false, |s| int_mvu::graph(1, (16, 4 * s), 8, (1, s), UInt(8))),
        kind(INT_W5_U4, "lane", true, |s| int_mvu::graph(1, (16, 4 * s), 5, (1, s), UInt(4))),
        kind(SHIFT_P5_U4, "lane", true, |s| shift_mvu::graph(1, (16, 4 * s, 5), (1, s), UInt(4))),
        kind("shift_mvu pow2_5 × uint8", "lane", false, |s| shift_mvu::graph(1, (16, 4 * s, 5), (1, s), UInt(8))),
        kind("threshold int12 → bipolar", "PE", true, threshold),
        kind("threshold int12 → uint2, shared row", "PE", false, threshold_shared),
        kind("threshold int12 → uint4, 15 steps", "PE", false, |pe| {
            threshold_unit(pe, 16, 15, ThresholdOutput::Integer { bias: 0 })
        }),
        kind("dwc uint4 ×1 → ×2", "element", true, dwc),
        kind("fifo uint4, depth 4", "element", true, fifo),
    ]
}

/// The two rows [`Table::shift_vs_int`] compares.
const INT_W5_U4: &str = "int_mvu w5 × uint4";
const SHIFT_P5_U4: &str = "shift_mvu pow2_5 × uint4";

/// A threshold unit of 16 channels per PE on 12-bit sums at PE `pe`: one threshold per channel
/// (a sign activation), each PE with its own slice of the run-time writable table.
fn threshold(pe: usize) -> DataflowGraph {
    threshold_unit(pe, 16, 1, ThresholdOutput::Bipolar)
}

/// As [`threshold`], three thresholds (uint2 outputs) in one row shared by every channel,
/// built into the hardware (as an input quantizer's).
fn threshold_shared(pe: usize) -> DataflowGraph {
    threshold_unit(pe, 1, 3, ThresholdOutput::Integer { bias: 0 })
}

fn threshold_unit(pe: usize, rows: usize, steps: usize, output: ThresholdOutput) -> DataflowGraph {
    // 16 channels per PE: NF = 16 at every size, so each stage memory keeps its depth and block
    // RAM or flip-flop form, and the difference is what a PE adds.
    let (len, input) = (16 * pe, DataType::Int(12));
    let rows = if rows == 1 { 1 } else { len };
    let values = (0..rows).flat_map(|c| (0..steps).map(move |s| (s as i64 - 1) * 100 + c as i64)).collect();
    let thresholds = ThresholdTable::new(rows, steps, values).expect("sorted rows");
    let o = Stream { dtype: threshold_output_type(steps, output), len, fold: pe };
    let node = Node::Threshold(Threshold { name: "thr".into(), thresholds, output, pe });
    one_node(node, Stream { dtype: input, len, fold: pe }, o)
}

/// A width converter from `n` to `2n` uint4 elements per beat, on vectors of 64.
fn dwc(n: usize) -> DataflowGraph {
    let s = |fold| Stream { dtype: DataType::UInt(4), len: 64, fold };
    one_node(Node::Dwc(Dwc { name: "dwc".into() }), s(n), s(2 * n))
}

/// A FIFO of 4 beats of `n` uint4 elements, on vectors of 64: in flip-flops at both sizes (a
/// deeper one moves into block RAM as it widens, and its LUTs per element go negative).
fn fifo(n: usize) -> DataflowGraph {
    let s = Stream { dtype: DataType::UInt(4), len: 64, fold: n };
    one_node(Node::Fifo(Fifo { name: "fifo".into(), depth: 4 }), s, s)
}

/// Resources per unit.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Cells {
    /// LUTs (iCE40 LUT4, 7-series LUT1..LUT6).
    pub luts: f64,
    /// Flip-flops.
    pub ffs: f64,
    /// Block RAMs (iCE40 SB_RAM40_4K, 7-series RAMB18 equivalents).
    pub brams: f64,
    /// DSP blocks (SB_MAC16, DSP48E1).
    pub dsps: f64,
}

impl Cells {
    /// The design's cells in `r`, without the harness's `chain` flip-flops (one per input bit).
    fn of(family: Family, r: &Report, chain: usize) -> Cells {
        let sum = |pred: &dyn Fn(&str) -> bool| r.cells.iter().filter(|(k, _)| pred(k)).map(|(_, v)| *v).sum::<u64>();
        let (luts, ffs, brams, dsps) = match family {
            Family::Xilinx7 => (
                sum(&|k| k.starts_with("LUT")),
                sum(&|k| k.starts_with("FD")),
                sum(&|k| k.starts_with("RAMB18")) + 2 * sum(&|k| k.starts_with("RAMB36")),
                sum(&|k| k.starts_with("DSP48")),
            ),
            _ => (
                sum(&|k| k == "SB_LUT4"),
                sum(&|k| k.starts_with("SB_DFF")),
                sum(&|k| k.starts_with("SB_RAM40")),
                sum(&|k| k == "SB_MAC16"),
            ),
        };
        Cells {
            luts: luts as f64,
            ffs: ffs.saturating_sub(chain as u64) as f64,
            brams: brams as f64,
            dsps: dsps as f64,
        }
    }

    /// `(large − small) / units`.
    fn per_unit(large: Cells, small: Cells, units: f64) -> Cells {
        Cells {
            luts: (large.luts - small.luts) / units,
            ffs: (large.ffs - small.ffs) / units,
            brams: (large.brams - small.brams) / units,
            dsps: (large.dsps - small.dsps) / units,
        }
    }
}

/// One kind's measured and modelled cost per unit.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// [`Kind::name`].
    pub kind: &'static str,
    /// [`Kind::unit`].
    pub unit: &'static str,
    /// iCE40 (yosys `synth_ice40`) per unit.
    pub ice40: Cells,
    /// nextpnr-ice40's fmax of the design at [`LARGE`] units, on the UP5K.
    pub fmax_mhz: Option<f64>,
    /// 7-series (yosys `synth_xilinx`) per unit.
    pub xilinx: Cells,
    /// The cost model's LUTs per unit.
    pub model_luts: f64,
}

impl Row {
    /// The cost model's LUTs over yosys's iCE40 LUT4s (1.0 is exact).
    pub fn ratio(&self) -> f64 {
        self.model_luts / self.ice40.luts
    }
}

/// The engines table.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// One row per kind, in [`kinds`] order.
    pub rows: Vec<Row>,
}

impl Table {
    /// The shift-add lane's iCE40 LUTs over the integer lane's at 5-bit weights × uint4, with the
    /// shift-add lane's DSPs on both families, when both rows were measured.
    pub fn shift_vs_int(&self) -> Option<(f64, f64)> {
        let find = |k: &str| self.rows.iter().find(|r| r.kind == k);
        let (s, i) = (find(SHIFT_P5_U4)?, find(INT_W5_U4)?);
        Some((s.ice40.luts / i.ice40.luts, s.ice40.dsps + s.xilinx.dsps))
    }

    /// The table as Markdown.
    pub fn markdown(&self) -> String {
        let mut s = String::new();
        s.push_str(
            "| kind | unit | iCE40 LUT4 | FF | BRAM | DSP | fmax MHz | 7-series LUT | FF | RAMB18 | DSP48E1 | model LUT4 | model / yosys |\n",
        );
        s.push_str("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for r in &self.rows {
            let fmax = r.fmax_mhz.map_or("—".to_string(), |f| format!("{f:.1}"));
            let (a, x) = (r.ice40, r.xilinx);
            writeln!(
                s,
                "| {} | {} | {:.1} | {:.1} | {:.2} | {:.2} | {fmax} | {:.1} | {:.1} | {:.2} | {:.2} | {:.1} | {:.2} |",
                r.kind,
                r.unit,
                a.luts,
                a.ffs,
                a.brams,
                a.dsps,
                x.luts,
                x.ffs,
                x.brams,
                x.dsps,
                r.model_luts,
                r.ratio()
            )
            .unwrap();
        }
        if let Some((ratio, dsps)) = self.shift_vs_int() {
            writeln!(
                s,
                "\nShift-add lane against integer lane at 5-bit weights × uint4: {ratio:.2}× the LUT4s (goal ≤ 0.5×), {dsps} DSPs."
            )
            .unwrap();
        }
        s
    }
}

/// Measures every kind (only the `--quick` subset if `quick`), building in `dir`, at most
/// [`JOBS`] syntheses at a time.
pub fn bench(dir: &Path, quick: bool) -> Result<Table> {
    let kinds: Vec<Kind> = kinds().into_iter().filter(|k| k.quick || !quick).collect();
    let mut jobs = Vec::new();
    for (k, _) in kinds.iter().enumerate() {
        for n in [SMALL, LARGE] {
            for family in [Family::Ice40, Family::Xilinx7] {
                jobs.push((k, n, family));
            }
        }
    }
    let pool = rayon::ThreadPoolBuilder::new().num_threads(JOBS).build().context("starting the synthesis threads")?;
    let reports: Vec<(Report, usize)> = pool.install(|| {
        jobs.par_iter()
            .map(|&(k, n, family)| {
                let slug: String =
                    kinds[k].name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
                let sub = dir.join(format!("{slug}-{n}-{}", family.name()));
                measure(&(kinds[k].graph)(n), family, &sub)
                    .with_context(|| format!("{} at {n} {}s on {}", kinds[k].name, kinds[k].unit, family.name()))
            })
            .collect::<Result<_>>()
    })?;
    let units = (LARGE - SMALL) as f64;
    let cells = |family, (report, in_bits): &(Report, usize)| Cells::of(family, report, *in_bits);
    let rows = kinds
        .iter()
        .enumerate()
        .map(|(k, kind)| {
            // Jobs are (small ice40, small xilinx, large ice40, large xilinx) per kind.
            let r = &reports[4 * k..4 * k + 4];
            let model = |n| bitloom_compiler::estimate::estimate(&(kind.graph)(n)).luts as f64;
            Row {
                kind: kind.name,
                unit: kind.unit,
                ice40: Cells::per_unit(cells(Family::Ice40, &r[2]), cells(Family::Ice40, &r[0]), units),
                fmax_mhz: r[2].0.fmax_mhz,
                xilinx: Cells::per_unit(cells(Family::Xilinx7, &r[3]), cells(Family::Xilinx7, &r[1]), units),
                model_luts: (model(LARGE) - model(SMALL)) / units,
            }
        })
        .collect();
    Ok(Table { rows })
}

/// Synthesizes `g` (with its memories' write port) in the measurement harness for `family` in
/// `dir`; returns the report and the harness's input bits. The report is kept in
/// `dir/measured.json` under the hash of the Verilog and memory files, so a second run (after a
/// change to the cost model, say) synthesizes only what changed.
fn measure(g: &DataflowGraph, family: Family, dir: &Path) -> Result<(Report, usize)> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let rtl = if bitloom_hdl::memory::memories(g).is_empty() {
        bitloom_hdl::emit(g)
    } else {
        bitloom_hdl::emit_write_shell(g).0
    };
    let mut files = rtl.write_to(dir).with_context(|| format!("writing {}", dir.display()))?;
    let harness = dir.join("bitloom_measure.v");
    std::fs::write(&harness, measurement_top_distinct("bitloom_measure", rtl.in_bits, rtl.out_bits))?;
    files.push(harness);
    let mut sources = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "v" || e == "mem") {
            let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
            sources.push((name, std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?));
        }
    }
    let hash = hex(&bitloom_hdl::link::design_hash(&sources));
    let cache = dir.join("measured.json");
    if let Ok(text) = std::fs::read_to_string(&cache) {
        if let Ok((h, report)) = serde_json::from_str::<(String, Report)>(&text) {
            if h == hash {
                return Ok((report, rtl.in_bits));
            }
        }
    }
    let (device, package) = family.default_device();
    let target = Target { family, device: device.into(), package: package.into(), constraints: None, clock_mhz: 48.0 };
    let report = synthesize(&files, "bitloom_measure", &target, dir)?;
    std::fs::write(&cache, serde_json::to_string(&(hash, &report))?)
        .with_context(|| format!("writing {}", cache.display()))?;
    Ok((report, rtl.in_bits))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
