//! The build directory a `compile` writes and `sim` reads:
//!
//! ```text
//! build/design.json   the folded graph's streams, folding, II and estimates (this file's schema)
//! build/report.md     the same as a readable table
//! build/rtl/bitloom_top.v  the design (top, engine wrappers, cores); *.mem are $readmemh weight files
//! build/model/        the model the design was compiled from (reference for checking)
//! ```

use anyhow::{bail, Context, Result};
use bitloom_compiler::compile::Compiled;
use bitloom_compiler::estimate::NodeEstimate;
use bitloom_compiler::fold::FoldMap;
use bitloom_compiler::ir::{Node, Stream};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Schema version of `design.json`.
pub const DESIGN_VERSION: u32 = 1;

/// One engine as recorded in `design.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct NodeInfo {
    /// Name.
    pub name: String,
    /// Kind: mvu, threshold, dwc, fifo.
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
        }
    }

    /// Reads `<dir>/design.json`.
    pub fn load(dir: &Path) -> Result<Self> {
        let path = dir.join("design.json");
        let meta = std::fs::metadata(&path)
            .with_context(|| format!("{} is not a compiled design (run `bitloom compile` first)", dir.display()))?;
        if meta.len() > 64 << 20 {
            bail!("{}: {} bytes is too large for a design file", path.display(), meta.len());
        }
        let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        let d: Design = serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        if d.format != "bitloom-design" || d.version != DESIGN_VERSION {
            bail!("{}: not a bitloom design of version {DESIGN_VERSION}", path.display());
        }
        Ok(d)
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
        s
    }
}

/// Compiles `model` into `out`: rtl/, design.json, report.md and a copy of the model.
pub fn build(model: &bitloom_compiler::model::Model, choice: &bitloom_compiler::compile::FoldChoice, out: &Path) -> Result<Design> {
    bitloom_compiler::verify::verify(model).context("the model is invalid")?;
    let compiled = bitloom_compiler::compile::compile(model, choice)?;
    let rtl = bitloom_hdl::emit(&compiled.graph);
    let rtl_dir = out.join("rtl");
    if rtl_dir.exists() {
        std::fs::remove_dir_all(&rtl_dir).with_context(|| format!("clearing {}", rtl_dir.display()))?;
    }
    let files = rtl.write_to(&rtl_dir).with_context(|| format!("writing {}", rtl_dir.display()))?;
    let names = files.iter().map(|f| f.file_name().unwrap().to_string_lossy().into_owned()).collect();
    let design = Design::new(&compiled, &rtl.top, names);
    bitloom_compiler::format::save(model, &out.join("model")).context("saving the model copy")?;
    std::fs::write(out.join("design.json"), serde_json::to_string_pretty(&design)?)?;
    std::fs::write(out.join("report.md"), design.report())?;
    Ok(design)
}
