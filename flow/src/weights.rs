//! A model's weights and thresholds as the words of a compiled design's run-time memories,
//! for `bitloom run --load-weights` and for programs that reload a board.
//!
//! The model is compiled with the design's own folding, so its memories have the design's
//! shapes; every memory must then match `design.json` (id, width, depth), and every shared
//! threshold row, which the hardware holds as constants, must equal the build's.

use crate::design::Design;
use anyhow::{bail, Context, Result};
use bitloom_compiler::compile::{compile, FoldChoice};
use bitloom_compiler::model::Model;
use bitloom_driver::MemoryImage;
use std::path::Path;

/// The memory images that make the board of the design in `build_dir` compute `model`.
pub fn memory_images(design: &Design, build_dir: &Path, model: &Model) -> Result<Vec<MemoryImage>> {
    bitloom_compiler::verify::verify(model).context("the model to load is invalid")?;
    let fold = FoldChoice::Explicit(design.folding.clone());
    let g = compile(model, &fold).with_context(|| format!("compiling {} with the build's folding", model.name))?.graph;
    if g.input() != &design.input || g.output() != &design.output {
        bail!(
            "{} takes {:?} and gives {:?}, but the build takes {:?} and gives {:?}",
            model.name,
            g.input(),
            g.output(),
            design.input,
            design.output
        );
    }
    let built = bitloom_compiler::format::load(&build_dir.join("model")).context("loading the build's model copy")?;
    let built = compile(&built, &fold).context("compiling the build's model copy")?.graph;
    let (want, got) = (bitloom_hdl::memory::constants(&built), bitloom_hdl::memory::constants(&g));
    for ((name, a), (_, b)) in want.iter().zip(&got) {
        if a != b {
            bail!("layer {name}'s constants (a shared threshold row, or a HORQ layer's shift and limit) are built into the hardware ({a:?}); {} has {b:?}: compile and program a new build", model.name);
        }
    }
    if want.len() != got.len() {
        bail!("{} has {} shared threshold rows, the build {}", model.name, got.len(), want.len());
    }
    let memories = bitloom_hdl::memory::memories(&g);
    if memories.len() != design.memories.len() {
        bail!("{} has {} run-time memories, the build {}", model.name, memories.len(), design.memories.len());
    }
    memories
        .into_iter()
        .zip(&design.memories)
        .map(|(m, d)| {
            if (m.id, m.width, m.depth) != (d.id, d.width, d.depth) || m.engine != d.engine {
                bail!(
                    "memory {} ({}) is {} × {} bits in the build, {} × {} bits ({}) in {}",
                    d.id,
                    d.engine,
                    d.depth,
                    d.width,
                    m.depth,
                    m.width,
                    m.engine,
                    model.name
                );
            }
            Ok(MemoryImage { id: m.id, name: m.engine.clone(), width: m.width as u16, words: m.bytes() })
        })
        .collect()
}
