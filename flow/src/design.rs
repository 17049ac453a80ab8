//! The build directory a `compile` writes and `sim` reads:
//!
//! ```text
//! build/design.json   the folded graph's streams, folding, II, estimates, memories, board and hash (this file's schema)
//! build/report.md     the same as a readable table
//! build/rtl/bitloom_top.v  the bare dataflow (top, engine wrappers, cores); *.mem are $readmemh weight files
//! build/rtl/bitloom_link.v  the board block: UART link, command engine, I/O adapter and the writable dataflow
//! build/rtl/bitloom_board.v  the FPGA top (clk, uart_rx, uart_tx, led[n-1:0])
//! build/rtl/bitloom_board_sim.v  the virtual board's simulation shell
//! build/rtl/bitloom_link_answer.mem  the link's answer buffer, holding the INFO answer (with the hash)
//! build/model/        the model the design was compiled from (reference for checking)
//! ```
//!
//! The design hash is SHA-256 over every file in `rtl/` but the answer buffer's image
//! (`bitloom_hdl::link::design_hash`); the board reports it in INFO, and the host refuses a
//! board whose hash differs from `design.json`'s.
//!
//! A build directory is never trusted: [`Design::load`], which every command that takes one
//! goes through, reads `design.json` with a size bound and checks it, the files in `rtl/` and the
//! hash against what the model copy compiles to (see [`Design::check`]), so an edited or damaged
//! build is an error that names the field or file, not a panic, an allocation abort or a
//! bitstream made from garbage.

use anyhow::{bail, Context, Result};
use bitloom_compiler::compile::Compiled;
use bitloom_compiler::estimate::NodeEstimate;
use bitloom_compiler::fold::FoldMap;
use bitloom_compiler::ir::{Node, Stream};
use serde::{Deserialize, Serialize};
use bitloom_hdl::link::{LinkError, LinkParams, ANSWER_MEM, BOARD_TOP, LINK_TOP, SIM_TOP};
use std::io::Read;
use std::path::{Path, PathBuf};
use crate::boards::Board;
use crate::fit::Fit;

/// The design hash of the files in `rtl_dir` (see the module doc).
pub fn hash_dir(rtl_dir: &Path) -> Result<[u8; 32]> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(rtl_dir).with_context(|| format!("reading {}", rtl_dir.display()))? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let file =
                std::fs::File::open(entry.path()).with_context(|| format!("opening {}", entry.path().display()))?;
            let text = read_limited(file, MAX_RTL_FILE_BYTES)
                .with_context(|| format!("reading {}", entry.path().display()))?;
            files.push((name, text));
        }
    }
    Ok(bitloom_hdl::link::design_hash(&files))
}

/// A run-time writable memory as `design.json` records it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct MemoryRecord {
    /// Id on the link.
    pub id: u8,
    /// The engine (layer) that owns it.
    pub engine: String,
    /// Weights or thresholds.
    pub kind: bitloom_hdl::memory::MemoryKind,
    /// Bits per word.
    pub width: usize,
    /// Words.
    pub depth: usize,
    /// How a model's values become the words.
    pub packing: String,
}

/// The board top level as `design.json` records it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct BoardRecord {
    /// The FPGA top module.
    pub top: String,
    /// Its Verilog files under `rtl/`, top last.
    pub rtl: Vec<String>,
    /// The simulation shell's module (the virtual board).
    pub sim_top: String,
    /// The shell's Verilog files under `rtl/`, top last.
    pub sim_rtl: Vec<String>,
    /// Clock frequency the UART divisor was computed for.
    pub clock_hz: u64,
    /// UART baud rate.
    pub baud: u32,
    /// Clock cycles per UART bit.
    pub divisor: u32,
    /// Data bytes of the request buffer.
    pub request_bytes: usize,
    /// Bytes of the answer buffer (computed answers; INFO sits above).
    pub answer_bytes: usize,
    /// Bytes of the receive FIFO.
    pub fifo_depth: usize,
    /// Vectors per INFER request at most.
    pub max_batch: usize,
    /// Data bytes per request at most (`2 + max_batch · input vector bytes`).
    pub max_request: usize,
    /// LEDs driven (`led[0]` heartbeat, `led[1]` busy, `led[2]` error).
    pub leds: usize,
    /// The board (a name in `bitloom boards`) the top level was built for; `None` for a
    /// generic top level (synthesized in a measurement harness).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// The board's pin file, in the build directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraints: Option<String>,
    /// The board oscillator's frequency when a PLL makes the design clock from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pll_in_hz: Option<u64>,
    /// The block RAM estimate on the board (see [`crate::fit`]): primitives used and available.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_blocks: Option<[u64; 2]>,
    /// The estimate per memory, as a table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_table: Option<String>,
}

/// Schema version of `design.json`.
pub const DESIGN_VERSION: u32 = 1;

/// One engine as recorded in `design.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct NodeInfo {
    /// Name.
    pub name: String,
    /// Kind: mvu, shift_mvu, threshold, dwc, fifo.
    pub kind: String,
    /// PE (MVU, threshold).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pe: Option<usize>,
    /// SIMD (MVU).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub simd: Option<usize>,
    /// FIFO depth.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub depth: Option<usize>,
    /// Input stream.
    pub input: Stream,
    /// Output stream.
    pub output: Stream,
    /// Cycles per vector.
    pub cycles: usize,
    /// Memory bits.
    pub mem_bits: usize,
    /// LUT estimate.
    pub luts: usize,
}

/// `design.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Design {
    /// Always "bitloom-design".
    pub format: String,
    /// [`DESIGN_VERSION`].
    pub version: u32,
    /// Model name.
    pub name: String,
    /// Top module.
    pub top: String,
    /// Input stream of the top.
    pub input: Stream,
    /// Output stream of the top.
    pub output: Stream,
    /// Initiation interval bound in cycles.
    pub ii: usize,
    /// Sum of LUT estimates.
    pub luts: usize,
    /// Sum of memory bits.
    pub mem_bits: usize,
    /// Folding per matrix layer.
    pub folding: FoldMap,
    /// Engines in stream order.
    pub nodes: Vec<NodeInfo>,
    /// Verilog files under `rtl/`, top last.
    pub rtl: Vec<String>,
    /// The design hash (SHA-256, lowercase hex) the board reports in INFO.
    #[serde(default)]
    pub hash: String,
    /// The run-time writable memories, in id order.
    #[serde(default)]
    pub memories: Vec<MemoryRecord>,
    /// The board top level (absent in builds from before it existed).
    #[serde(default)]
    pub board: Option<BoardRecord>,
    /// Why the design has no board top level, when it has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub board_note: Option<String>,
}

impl Design {
    /// The record of a compiled graph whose Verilog files are `rtl`.
    pub fn new(c: &Compiled, top: &str, rtl: Vec<String>) -> Self {
        let g = &c.graph;
        let nodes = g
            .iter()
            .zip(&c.estimate.nodes)
            .map(|((id, n), e): (_, &NodeEstimate)| {
                let (pe, simd, depth) = match n {
                    Node::Mvu(m) => (Some(m.pe), Some(m.simd), None),
                    Node::IntMvu(m) => (Some(m.pe), Some(m.simd), None),
                    Node::ShiftMvu(m) => (Some(m.pe), Some(m.simd), None),
                    Node::Horq(m) => (Some(m.pe), Some(m.simd), None),
                    Node::Threshold(t) => (Some(t.pe), None, None),
                    Node::Fifo(f) => (None, None, Some(f.depth)),
                    Node::Dwc(_) => (None, None, None),
                };
                NodeInfo {
                    name: n.name().into(),
                    kind: n.kind().into(),
                    pe,
                    simd,
                    depth,
                    input: *g.input_of(id),
                    output: *g.output_of(id),
                    cycles: e.cycles,
                    mem_bits: e.mem_bits,
                    luts: e.luts,
                }
            })
            .collect();
        Design {
            format: "bitloom-design".into(),
            version: DESIGN_VERSION,
            name: g.name.clone(),
            top: top.into(),
            input: *g.input(),
            output: *g.output(),
            ii: c.estimate.ii,
            luts: c.estimate.luts,
            mem_bits: c.estimate.mem_bits,
            folding: c.folds.clone(),
            nodes,
            rtl,
            hash: String::new(),
            memories: bitloom_hdl::memory::memories(g)
                .into_iter()
                .map(|m| MemoryRecord {
                    id: m.id,
                    engine: m.engine,
                    kind: m.kind,
                    width: m.width,
                    depth: m.depth,
                    packing: m.kind.packing().to_string(),
                })
                .collect(),
            board: None,
            board_note: None,
        }
    }

    /// The hash as bytes.
    pub fn hash_bytes(&self) -> Result<[u8; 32]> {
        let mut h = [0u8; 32];
        if self.hash.len() != 64 || !self.hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            bail!("design.json has no valid design hash (64 hex digits); compile the model again with this bitloom");
        }
        for (i, b) in h.iter_mut().enumerate() {
            *b = u8::from_str_radix(&self.hash[2 * i..2 * i + 2], 16).context("design.json's hash is not hex")?;
        }
        Ok(h)
    }

    /// The board record, or an error saying the build has none.
    pub fn board(&self) -> Result<&BoardRecord> {
        match (&self.board, &self.board_note) {
            (Some(b), _) => Ok(b),
            (None, Some(note)) => bail!("this design has no board top level: {note}"),
            (None, None) => bail!("this build has no board top level (compile the model again with this bitloom)"),
        }
    }

    /// Reads `<dir>/design.json` and checks the build directory before anything uses it (see
    /// [`Design::check`]); every command that takes a build directory comes through here.
    pub fn load(dir: &Path) -> Result<Self> {
        let d = Self::read(dir)?;
        let model = bitloom_compiler::format::load(&dir.join("model"))
            .with_context(|| format!("loading the model copy of the build {}", dir.display()))?;
        d.check(dir, &model)?;
        Ok(d)
    }

    /// Reads and parses `<dir>/design.json` alone (at most [`MAX_DESIGN_BYTES`] of it).
    fn read(dir: &Path) -> Result<Self> {
        let path = dir.join("design.json");
        let file = std::fs::File::open(&path)
            .with_context(|| format!("{} is not a compiled design (run `bitloom compile` first)", dir.display()))?;
        let text = read_limited(file, MAX_DESIGN_BYTES).with_context(|| format!("reading {}", path.display()))?;
        let d: Design = serde_json::from_slice(&text).with_context(|| format!("parsing {}", path.display()))?;
        if d.format != "bitloom-design" || d.version != DESIGN_VERSION {
            bail!("{}: not a bitloom design of version {DESIGN_VERSION}", path.display());
        }
        Ok(d)
    }

    /// Checks that the build in `dir` is what `model` (its model copy) compiles to with the
    /// recorded folding: every field of `design.json` that matters (streams, folding, nodes,
    /// II, estimates, memories, Verilog files, the board record's buffer plan) is derived again
    /// and compared; the dataflow's Verilog and `.mem` files are generated again and compared
    /// with the files in `rtl/` (a `.mem` file is first checked for its word count and hex
    /// width), and so are the board's files unless a PLL makes its clock; and the design hash is
    /// computed again over `rtl/`. The error names the field or file that disagrees.
    pub fn check(&self, dir: &Path, model: &bitloom_compiler::model::Model) -> Result<()> {
        let path = dir.join("design.json");
        let edited = "compile the model again (`bitloom compile`) rather than editing a build";
        let shapes = bitloom_compiler::compile::matrix_shapes(model);
        if let Some(name) = self.folding.keys().find(|k| !shapes.iter().any(|s| &s.name == *k)) {
            bail!(
                "{}: the folding names layer {name:?}, which is not a matrix layer of the model copy; {edited}",
                path.display()
            );
        }
        let choice = bitloom_compiler::compile::FoldChoice::Explicit(self.folding.clone());
        let compiled = bitloom_compiler::compile::compile(model, &choice).with_context(|| {
            format!("{}: the recorded folding does not fit the model copy; {edited}", path.display())
        })?;
        let rtl = bitloom_hdl::emit(&compiled.graph);
        let names = rtl.modules.iter().map(|m| format!("{}.v", m.name)).collect();
        let expected = Design::new(&compiled, &rtl.top, names);
        let (mut got, mut want) = (serde_json::to_value(self)?, serde_json::to_value(&expected)?);
        // Checked below, or not derivable from the model copy.
        for key in ["hash", "board", "board_note"] {
            for v in [&mut got, &mut want] {
                v.as_object_mut().map(|o| o.remove(key));
            }
        }
        if let Some((field, g, w)) = first_difference("", &got, &want) {
            bail!(
                "{}: {field} is {g}, but the model copy with the recorded folding gives {w}; {edited}",
                path.display()
            );
        }
        let rtl_dir = dir.join("rtl");
        for m in &rtl.modules {
            check_same(&rtl_dir.join(format!("{}.v", m.name)), &m.text, "the Verilog the model copy compiles to")?;
            for mem in &m.mems {
                check_mem(&rtl_dir.join(&mem.name), mem)?;
            }
        }
        let hash = self.hash_bytes()?;
        let mut answer = None;
        if let Some(b) = &self.board {
            let link =
                board_link(b, &compiled.graph).with_context(|| format!("{}: the board record", path.display()))?;
            if let (Some(t), Some(pins)) = (&b.target, &b.constraints) {
                let text = Board::by_name(t)?.render_constraints();
                check_same(&dir.join(pins), &text, &format!("the pin file of the board {t}"))?;
            }
            // A PLL's settings are not in the record: then the hash alone covers the board files.
            if b.pll_in_hz.is_none() {
                for (name, text) in link.files() {
                    check_same(&rtl_dir.join(&name), &text, "the board file bitloom writes for this design")?;
                }
                // Checked after the hash, which it carries (and which does not cover it).
                answer = Some(link.answer_mem(hash));
            }
        }
        let on_disk = hash_dir(&rtl_dir)?;
        if on_disk != hash {
            bail!(
                "the design hash in {} ({}) is not the hash of the files in {} ({}): the dataflow's Verilog and \
                 memory files match the model copy, so the hash, a board file or an added file was edited; {edited}",
                path.display(),
                self.hash,
                rtl_dir.display(),
                on_disk.iter().map(|b| format!("{b:02x}")).collect::<String>()
            );
        }
        if let Some(text) = answer {
            check_same(&rtl_dir.join(ANSWER_MEM), &text, "the answer buffer (INFO) bitloom writes for this design")?;
        }
        Ok(())
    }

    /// Verilog files, top last.
    pub fn rtl_files(&self, dir: &Path) -> Vec<PathBuf> {
        self.rtl.iter().map(|f| dir.join("rtl").join(f)).collect()
    }

    /// The report as Markdown.
    pub fn report(&self) -> String {
        let mut s = format!("# {} — dataflow design\n\n", self.name);
        s += &format!(
            "II bound: **{} cycles** per inference. Estimated LUTs: {}. Memory: {} bits.\n\n",
            self.ii, self.luts, self.mem_bits
        );
        s += &format!("Input: {} × {} ({} per beat, {} bits). Output: {} × {} ({} per beat, {} bits).\n\n",
            self.input.len, self.input.dtype, self.input.fold, self.input.width(),
            self.output.len, self.output.dtype, self.output.fold, self.output.width());
        s += "| node | kind | in | out | PE | SIMD | cycles | mem bits | LUTs (est.) |\n";
        s += "|---|---|---|---|---:|---:|---:|---:|---:|\n";
        let opt = |v: Option<usize>| v.map_or("".to_string(), |v| v.to_string());
        for n in &self.nodes {
            s += &format!(
                "| {} | {} | {}×{} /{} | {}×{} /{} | {} | {} | {} | {} | {} |\n",
                n.name, n.kind, n.input.len, n.input.dtype, n.input.fold, n.output.len, n.output.dtype, n.output.fold,
                opt(n.pe), opt(n.simd), n.cycles, n.mem_bits, n.luts
            );
        }
        if let Some(b) = &self.board {
            s += &format!(
                "\n## Board top level\n\n`{}` ({}): {} Hz clock, UART at {} baud (divisor {}). Request buffer {} bytes \
                 (INFER batches of up to {} vectors, requests of up to {} data bytes), answer buffer {} bytes, receive FIFO {} bytes, {} LEDs.\n",
                b.top,
                b.rtl.join(", "),
                b.clock_hz,
                b.baud,
                b.divisor,
                b.request_bytes,
                b.max_batch,
                b.max_request,
                b.answer_bytes,
                b.fifo_depth,
                b.leds
            );
        }
        if let Some(b) = &self.board {
            if let (Some(t), Some(c)) = (&b.target, &b.constraints) {
                s += &format!("Built for the board `{t}` (pins in `{c}`).");
                if let Some(fin) = b.pll_in_hz {
                    s += &format!(" A PLL makes the {} Hz design clock from the board's {fin} Hz oscillator.", b.clock_hz);
                }
                s += "\n";
            }
            if let Some(table) = &b.memory_table {
                s += &format!("\nBlock RAM estimate (synthesis has the last word):\n\n```\n{table}```\n");
            }
        }
        if let Some(note) = &self.board_note {
            s += &format!("\nNo board top level: {note}.\n");
        }
        if !self.memories.is_empty() {
            s += "\n## Run-time writable memories\n\n| id | engine | kind | width | depth |\n|---:|---|---|---:|---:|\n";
            for m in &self.memories {
                s += &format!("| {} | {} | {:?} | {} | {} |\n", m.id, m.engine, m.kind, m.width, m.depth);
            }
        }
        if !self.hash.is_empty() {
            s += &format!("\nDesign hash: `{}`\n", self.hash);
        }
        s
    }
}

/// The link of a build: `link` with the design clock `clock_mhz` and, for a `board`, its
/// LEDs' polarity and the PLL that makes `clock_mhz` from the board's oscillator when the two
/// differ (the UART divisor then comes from the clock the PLL really makes).
pub fn link_for(board: Option<&Board>, clock_mhz: f64, mut link: LinkParams) -> Result<LinkParams> {
    if !(clock_mhz > 0.0 && clock_mhz < 2000.0) {
        bail!("--clock-mhz must be a positive frequency below 2000, got {clock_mhz}");
    }
    let mut clock_hz = (clock_mhz * 1e6).round() as u64;
    if let Some(b) = board {
        link.leds_active_low = b.leds.iter().take(crate::boards::MAX_LEDS).map(|l| l.active_low).collect();
        if (clock_mhz - b.clock.mhz).abs() > 1e-9 {
            use bitloom_hdl::link::pll::Pll;
            let pll = match b.family {
                crate::boards::Family::Ice40 => Pll::ice40(b.clock.mhz, clock_mhz, b.pll_pad),
                crate::boards::Family::Ecp5 => Pll::ecp5(b.clock.mhz, clock_mhz),
                crate::boards::Family::Xilinx7 => Pll::xilinx7(b.clock.mhz, clock_mhz),
            }
            .with_context(|| format!("the {} MHz design clock for {}", clock_mhz, b.name))?;
            clock_hz = (pll.output_mhz() * 1e6).round() as u64;
            link.pll = Some(pll);
        }
    }
    link.clock_hz = clock_hz;
    Ok(link)
}

/// Compiles `model` into `out` with the default link (12 MHz, 115 200 baud): see [`build_with`].
pub fn build(model: &bitloom_compiler::model::Model, choice: &bitloom_compiler::compile::FoldChoice, out: &Path) -> Result<Design> {
    build_with(model, choice, out, &LinkParams::default(), None)
}

/// The fit estimate of a compiled design with the link `params` on `board`: every writable
/// memory, the larger stream FIFOs and the link's buffers, and the logic (see [`crate::fit`]).
pub fn board_fit(compiled: &Compiled, params: &LinkParams, board: &Board) -> Result<Fit> {
    let graph = &compiled.graph;
    let memories = bitloom_hdl::memory::memories(graph);
    let plan = bitloom_hdl::link::plan(graph, &memories, params).context("the board top level")?;
    let info_bytes = plan.info([0; 32]).to_bytes().len();
    // Each physical memory of a writable memory at its own shape: a threshold unit's stages (the
    // ones built of flip-flops take no block RAM), a HORQ engine's block RAMs behind its one port.
    let mut uses: Vec<(String, usize, usize, usize)> = Vec::new();
    for m in &memories {
        let what = format!("{} {}", m.engine, format!("{:?}", m.kind).to_lowercase());
        if let Some((id, bitloom_compiler::ir::Node::Horq(h))) = graph.iter().find(|(_, n)| n.name() == m.engine) {
            let parts = bitloom_hdl::blocks::horq::block_memories(h, graph.input_of(id), graph.output_of(id));
            uses.extend(parts.into_iter().map(|(part, w, d)| (format!("{} {part}", m.engine), w, d, 1)));
        } else {
            uses.extend(m.banks.iter().filter(|b| !b.logic).map(|b| {
                (format!("{what}{}{}", if b.what.is_empty() { "" } else { " " }, b.what), b.width, b.depth, b.copies)
            }));
        }
    }
    // Stream FIFOs of half a block or more are block RAM too; smaller ones become flip-flops.
    for (id, node) in graph.iter() {
        if let bitloom_compiler::ir::Node::Fifo(f) = node {
            let width = graph.input_of(id).width();
            if width * f.depth >= 512 {
                uses.push((format!("{} stream FIFO", f.name), width, f.depth, 1));
            }
        }
    }
    uses.push(("link request buffer".into(), 8, plan.request_bytes, 1));
    uses.push(("link answer buffer and INFO".into(), 8, plan.answer_bytes + info_bytes, 1));
    uses.push(("link receive FIFO".into(), 8, plan.fifo_depth, 1));
    uses.push(("link status counters".into(), 8, 32, 1));
    Ok(Fit::estimate(board, uses, compiled.estimate.luts as u64)?)
}

/// Compiles `model` into `out`: rtl/ (the bare dataflow and the board top level with its link
/// as `link` says), design.json with the design hash, report.md and a copy of the model.
/// With a `board`, the top level is for that board: its pin file is written next to
/// design.json, and a design whose memories cannot fit the board's block RAM is refused
/// before anything is written.
pub fn build_with(
    model: &bitloom_compiler::model::Model,
    choice: &bitloom_compiler::compile::FoldChoice,
    out: &Path,
    link: &LinkParams,
    target: Option<&Board>,
) -> Result<Design> {
    bitloom_compiler::verify::verify(model).context("the model is invalid")?;
    let compiled = bitloom_compiler::compile::compile(model, choice)?;
    // A link the user configured wrongly is an error; a design whose vectors or words cannot
    // travel in a packet still compiles, without a board top level (but not for a board).
    let (board, note) = match bitloom_hdl::link::emit_board(&compiled.graph, link) {
        Ok(b) => (Some(b), None),
        Err(e @ (LinkError::TooBig { .. } | LinkError::TooManyMemories(_))) if target.is_none() => {
            (None, Some(e.to_string()))
        }
        Err(e) => return Err(e).context("the board top level"),
    };
    let fit = target.map(|t| board_fit(&compiled, link, t)).transpose()?;
    if let (Some(t), Some(fit)) = (target, &fit) {
        if !fit.fits() {
            bail!(
                "the design does not fit {}: its memories need an estimated {} {} of {} at II {}:\n{}\
                 fold it further (a higher --target-ii) or leave --target-ii out to let bitloom choose",
                t.name,
                fit.blocks(),
                fit.budget.primitive,
                fit.budget.blocks,
                compiled.estimate.ii,
                fit.table()
            );
        }
    }
    let rtl = bitloom_hdl::emit(&compiled.graph);
    let rtl_dir = out.join("rtl");
    if rtl_dir.exists() {
        std::fs::remove_dir_all(&rtl_dir).with_context(|| format!("clearing {}", rtl_dir.display()))?;
    }
    let files = rtl.write_to(&rtl_dir).with_context(|| format!("writing {}", rtl_dir.display()))?;
    for (name, text) in board.iter().flat_map(|b| b.files()) {
        std::fs::write(rtl_dir.join(&name), text).with_context(|| format!("writing {name}"))?;
    }
    let hash = hash_dir(&rtl_dir)?;
    let names = files.iter().map(|f| f.file_name().unwrap().to_string_lossy().into_owned()).collect();
    let mut design = Design::new(&compiled, &rtl.top, names);
    design.hash = hash.iter().map(|b| format!("{b:02x}")).collect();
    design.board_note = note;
    if let Some(board) = &board {
        std::fs::write(rtl_dir.join(ANSWER_MEM), board.answer_mem(hash))?;
        let mut record = board_record(&board.plan);
        if let Some(t) = target {
            let name = t.constraints_file();
            std::fs::write(out.join(&name), t.render_constraints()).with_context(|| format!("writing {name}"))?;
            record.target = Some(t.name.clone());
            record.constraints = Some(name);
            record.pll_in_hz = link.pll.as_ref().map(|_| (t.clock.mhz * 1e6).round() as u64);
            if let Some(fit) = &fit {
                record.memory_blocks = Some([fit.blocks(), fit.budget.blocks]);
                record.memory_table = Some(fit.table());
            }
        }
        design.board = Some(record);
    }
    bitloom_compiler::format::save(model, &out.join("model")).context("saving the model copy")?;
    std::fs::write(out.join("design.json"), serde_json::to_string_pretty(&design)?)?;
    std::fs::write(out.join("report.md"), design.report())?;
    Ok(design)
}

/// Largest file in `rtl/` that the hash is computed over (the weights of a 1 GiB model, one bit
/// per weight in hex, need a quarter of it).
const MAX_RTL_FILE_BYTES: u64 = 1 << 30;

/// Largest `design.json` (a design of thousands of layers needs a few megabytes).
pub const MAX_DESIGN_BYTES: u64 = 64 << 20;

/// Reads at most `limit` bytes of `r`; more is an error. The size on disk is not trusted
/// (`/dev/zero` has none).
fn read_limited(r: impl Read, limit: u64) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    r.take(limit + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > limit {
        bail!("more than the limit of {limit} bytes");
    }
    Ok(buf)
}

/// Checks that `path` holds exactly `text`, which is `what`.
fn check_same(path: &Path, text: &str, what: &str) -> Result<()> {
    if read_file_limited(path, text.len() as u64 + 1)? != text.as_bytes() {
        bail!(
            "{} differs from {what}; compile the model again (`bitloom compile`) rather than editing a build",
            path.display()
        );
    }
    Ok(())
}

fn read_file_limited(path: &Path, limit: u64) -> Result<Vec<u8>> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    // A longer file differs anyway; reading one byte beyond the expected size is enough.
    let mut buf = Vec::new();
    file.take(limit).read_to_end(&mut buf).with_context(|| format!("reading {}", path.display()))?;
    Ok(buf)
}

/// The first field (a JSON path like `nodes[2].pe`) where `got` and `want` differ, with both values.
fn first_difference(at: &str, got: &serde_json::Value, want: &serde_json::Value) -> Option<(String, String, String)> {
    use serde_json::Value;
    let field = |k: &str| if at.is_empty() { k.to_string() } else { format!("{at}.{k}") };
    match (got, want) {
        (Value::Object(g), Value::Object(w)) => {
            for (k, wv) in w {
                match g.get(k) {
                    Some(gv) => {
                        if let Some(d) = first_difference(&field(k), gv, wv) {
                            return Some(d);
                        }
                    }
                    None => return Some((field(k), "missing".into(), wv.to_string())),
                }
            }
            g.keys().find(|k| !w.contains_key(*k)).map(|k| (field(k), g[k].to_string(), "absent".into()))
        }
        (Value::Array(g), Value::Array(w)) if g.len() == w.len() => {
            g.iter().zip(w).enumerate().find_map(|(i, (gv, wv))| first_difference(&format!("{at}[{i}]"), gv, wv))
        }
        (Value::Array(g), Value::Array(w)) => {
            Some((format!("{at} (length)"), g.len().to_string(), w.len().to_string()))
        }
        _ if got == want => None,
        _ => Some((at.to_string(), got.to_string(), want.to_string())),
    }
}

/// The board link the design gets with the board record's clock, baud rate, buffer sizes and
/// LEDs, with the record's buffer plan checked against it field by field.
fn board_link(b: &BoardRecord, graph: &bitloom_compiler::ir::DataflowGraph) -> Result<bitloom_hdl::link::BoardRtl> {
    if !(1..=8).contains(&b.leds) {
        bail!("leds is {}, expected 1 to 8", b.leds);
    }
    let target = b.target.as_deref().map(Board::by_name).transpose()?;
    let leds_active_low = match target {
        Some(t) => t.leds.iter().take(8).map(|l| l.active_low).collect(),
        None => vec![false; b.leds],
    };
    let params = LinkParams {
        clock_hz: b.clock_hz,
        baud: b.baud,
        request_bytes: Some(b.request_bytes),
        fifo_depth: b.fifo_depth,
        leds_active_low,
        pll: None,
    };
    let emitted = bitloom_hdl::link::emit_board(graph, &params)?;
    let want = board_record(&emitted.plan);
    let fields: [(&str, u64, u64); 7] = [
        ("divisor", b.divisor.into(), want.divisor.into()),
        ("answer_bytes", b.answer_bytes as u64, want.answer_bytes as u64),
        ("max_batch", b.max_batch as u64, want.max_batch as u64),
        ("max_request", b.max_request as u64, want.max_request as u64),
        ("request_bytes", b.request_bytes as u64, want.request_bytes as u64),
        ("fifo_depth", b.fifo_depth as u64, want.fifo_depth as u64),
        ("leds", b.leds as u64, want.leds as u64),
    ];
    if let Some((name, g, w)) = fields.iter().find(|(_, g, w)| g != w) {
        bail!("{name} is {g}, but the link plan for this design gives {w}");
    }
    if (&b.top, &b.rtl, &b.sim_top, &b.sim_rtl) != (&want.top, &want.rtl, &want.sim_top, &want.sim_rtl) {
        bail!("the top modules or file lists differ from the ones bitloom writes ({} in {:?})", want.top, want.rtl);
    }
    let pins = target.map(|t| t.constraints_file());
    if b.constraints != pins {
        let (got, board) = (b.constraints.as_deref().unwrap_or("absent"), b.target.as_deref().unwrap_or("(none)"));
        bail!(
            "constraints is {got:?}, but the board {board} has the pin file {:?}",
            pins.as_deref().unwrap_or("(none)")
        );
    }
    Ok(emitted)
}

/// Checks a `$readmemh` file against the memory it initialises: one word of `width` bits in
/// hex per line, as many lines as words, and then the words themselves.
fn check_mem(path: &Path, want: &bitloom_hdl::verilog::MemFile) -> Result<()> {
    let expected = want.render();
    let text = read_file_limited(path, expected.len() as u64 + 1)?;
    let digits = want.width.div_ceil(4);
    let lines: Vec<&[u8]> = text.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect();
    if let Some((i, l)) =
        lines.iter().enumerate().find(|(_, l)| l.len() != digits || !l.iter().all(u8::is_ascii_hexdigit))
    {
        bail!(
            "{}: word {i} is {:?}, not {digits} hex digits ({} bits); the file is damaged: compile the model again",
            path.display(),
            String::from_utf8_lossy(&l[..l.len().min(40)]),
            want.width
        );
    }
    if lines.len() != want.words.len() {
        bail!(
            "{}: {}{} words, expected {}; the file is damaged: compile the model again",
            path.display(),
            if text.len() > expected.len() { "more than " } else { "" },
            lines.len(),
            want.words.len()
        );
    }
    check_same(path, &expected, "the words of the model copy")
}

fn board_record(p: &bitloom_hdl::link::LinkPlan) -> BoardRecord {
    let (link_v, board_v, sim_v) = (format!("{LINK_TOP}.v"), format!("{BOARD_TOP}.v"), format!("{SIM_TOP}.v"));
    BoardRecord {
        top: BOARD_TOP.into(),
        rtl: vec![link_v.clone(), board_v],
        sim_top: SIM_TOP.into(),
        sim_rtl: vec![link_v, sim_v],
        clock_hz: p.params.clock_hz,
        baud: p.params.baud,
        divisor: p.divisor,
        request_bytes: p.request_bytes,
        answer_bytes: p.answer_bytes,
        fifo_depth: p.fifo_depth,
        max_batch: p.max_batch,
        max_request: p.max_request(),
        leds: p.params.leds_active_low.len(),
        target: None,
        constraints: None,
        pll_in_hz: None,
        memory_blocks: None,
        memory_table: None,
    }
}
