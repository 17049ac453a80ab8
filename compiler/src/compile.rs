//! The compile pipeline: model → dataflow graph → folded graph with converters and FIFOs.
//! The IR verifier runs after every pass.

use crate::estimate::{estimate, Estimate};
use crate::fold::{self, FoldError, FoldMap, MatrixShape};
use crate::ir::DataflowGraph;
use crate::ir_verify::{self, IrError};
use crate::model::{Layer, Model};
use crate::passes;

/// How to pick the folding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FoldChoice {
    /// The cheapest folding whose II is at most this.
    TargetIi(usize),
    /// A fold file's text (TOML).
    File(String),
    /// Exactly these foldings.
    Explicit(FoldMap),
}

/// A compile failure.
#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    /// The folding request is invalid for this model.
    #[error(transparent)]
    Fold(#[from] FoldError),
    /// The model has a layer kind the hardware does not implement yet.
    #[error(
        "layer {layer}: {kind} layers run in the reference executor (`bitloom infer`) but have no hardware engine yet"
    )]
    Unsupported {
        /// The layer.
        layer: String,
        /// What kind of layer.
        kind: &'static str,
    },
    /// A pass broke an IR invariant: a bug in bitloom.
    #[error("internal compiler error (please report)")]
    Bug(#[from] IrError),
}

/// The result of compiling: the folded graph and its estimates.
#[derive(Clone, Debug)]
pub struct Compiled {
    /// The final graph.
    pub graph: DataflowGraph,
    /// The folding applied per matrix layer.
    pub folds: FoldMap,
    /// Analytic estimates.
    pub estimate: Estimate,
}

/// Matrix layers as the folding search sees them.
pub fn matrix_shapes(model: &Model) -> Vec<MatrixShape> {
    model
        .layers
        .iter()
        .filter_map(|l| match l {
            Layer::BinaryDense(d) => {
                Some(MatrixShape { name: d.name.clone(), mh: d.out_features(), mw: d.in_features() })
            }
            _ => None,
        })
        .collect()
}

/// FIFO depths are capped here (beats); deeper vectors still work, at some throughput cost.
pub const MAX_FIFO_DEPTH: usize = 4096;

/// Runs every pass on a verified model.
pub fn compile(model: &Model, choice: &FoldChoice) -> Result<Compiled, CompileError> {
    // `len` is the length of the vector each layer receives.
    let mut len = model.input.len();
    for layer in &model.layers {
        let incoming = len;
        len = layer.output_len(len);
        let kind = match layer {
            Layer::Dense(_) => "integer-weight dense",
            Layer::HorqDense(_) => "HORQ dense",
            Layer::Conv2d(_) => "convolution",
            Layer::MaxPool2d(_) => "max-pooling",
            // Per-channel rows of a feature map (fewer rows than elements) need the
            // convolution engines; the threshold unit indexes rows by element.
            Layer::Threshold(t) if t.thresholds.rows() != 1 && t.thresholds.rows() != incoming => {
                "per-channel (feature-map) threshold"
            }
            Layer::BinaryDense(_) | Layer::Threshold(_) => continue,
        };
        return Err(CompileError::Unsupported { layer: layer.name().to_string(), kind });
    }
    let shapes = matrix_shapes(model);
    let folds = match choice {
        FoldChoice::TargetIi(ii) => fold::choose(&shapes, *ii)?,
        FoldChoice::File(text) => fold::parse_fold_file(text, &shapes)?,
        FoldChoice::Explicit(map) => {
            for s in &shapes {
                if let Some(f) = map.get(&s.name) {
                    fold::Folding::new(&s.name, s.mh, s.mw, f.pe, f.simd)?;
                }
            }
            map.clone()
        }
    };
    let g = passes::lower_model(model);
    ir_verify::verify(&g)?;
    let g = passes::fold_graph(&g, &folds);
    ir_verify::verify(&g)?;
    let g = passes::insert_fifos(&g, MAX_FIFO_DEPTH);
    ir_verify::verify(&g)?;
    let estimate = estimate(&g);
    Ok(Compiled { graph: g, folds, estimate })
}
