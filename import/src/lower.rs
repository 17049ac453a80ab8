//! Pass 6: the native model. Layer names become valid, unique hardware identifiers (derived from
//! the ONNX node names), and the model passes [`bitloom_compiler::verify::verify`] — the
//! verifier at the end of the pipeline.

use crate::error::ImportError;
use crate::streamline::{OutputMap, Streamlined};
use bitloom_compiler::model::{ConvWeights, FeatureMap, Layer, Model, ThresholdOutput};
use bitloom_compiler::verify::verify;
use std::collections::HashSet;

/// One native layer and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayerInfo {
    /// The native layer's name.
    pub name: String,
    /// The ONNX nodes folded into it, in order (its own node last).
    pub sources: Vec<String>,
}

/// The result of an import.
#[derive(Clone, Debug, PartialEq)]
pub struct Imported {
    /// The native model (verified).
    pub model: Model,
    /// Per layer, the ONNX nodes it came from.
    pub layers: Vec<LayerInfo>,
    /// How the native output relates to the graph's output.
    pub output: OutputMap,
    /// Decisions worth telling the user.
    pub notes: Vec<String>,
}

/// A valid layer name from an ONNX node name: characters outside `[A-Za-z0-9_]` become `_`,
/// leading and trailing `_` go, a leading digit gets an `n` in front, a long name is cut to fit the
/// verifier's limit, and a name already taken gets `_2`, `_3`, ….
pub fn layer_name(raw: &str, taken: &mut HashSet<String>) -> String {
    let mapped: String = raw.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect();
    let mut base = mapped.trim_matches('_').to_string();
    if base.is_empty() {
        base = "layer".into();
    }
    if base.starts_with(|c: char| c.is_ascii_digit()) {
        base.insert(0, 'n');
    }
    // Within the verifier's length limit, with room for a `_N` suffix (the name is ASCII).
    base.truncate(bitloom_compiler::verify::MAX_NAME_LEN - 6);
    let mut name = base.clone();
    let mut i = 2;
    while taken.contains(&name) {
        name = format!("{base}_{i}");
        i += 1;
    }
    taken.insert(name.clone());
    name
}

/// Builds and verifies the native model. `name` overrides the model name (the graph's name, or
/// `imported` when it has none).
pub fn lower(s: Streamlined, name: Option<&str>) -> Result<Imported, ImportError> {
    let mut taken = HashSet::new();
    let mut layers = s.layers;
    let mut infos = Vec::with_capacity(layers.len());
    for (layer, sources) in layers.iter_mut().zip(s.sources) {
        let n = layer_name(layer.name(), &mut taken);
        *layer.name_mut() = n.clone();
        infos.push(LayerInfo { name: n, sources });
    }
    let model_name = match name {
        Some(n) => n.to_string(),
        None if !s.name.trim().is_empty() => s.name.trim().to_string(),
        None => "imported".to_string(),
    };
    let model = Model { name: model_name, input: s.input, layers, epilogue: s.epilogue };
    verify(&model)?;
    Ok(Imported { model, layers: infos, output: s.output, notes: s.notes })
}

impl Imported {
    /// A one-line summary: input, every layer, and the output. Dense layers read `name dense
    /// in→out` (`int4`, `pow2_5`… after integer weights; nothing after ±1 weights), convolutions
    /// `name conv K×K/S C×H×W→O×H'×W'`, pooling `name maxpool K×K/S C×H×W→C×H'×W'`, thresholds
    /// `name threshold k×type` with `, shared` (one row) or `, per channel` (one row per channel).
    pub fn summary(&self) -> String {
        let m = &self.model;
        let mut parts = vec![format!("input {} {:?}", m.input.dtype, m.input.shape)];
        let types = bitloom_compiler::verify::layer_types(m);
        let map = |f: FeatureMap| format!("{}×{}×{}", f.channels, f.height, f.width);
        let mut len = m.input.len();
        for (layer, t) in m.layers.iter().zip(&types) {
            parts.push(match layer {
                Layer::BinaryDense(d) => format!("{} dense {}→{}", d.name, d.in_features(), d.out_features()),
                Layer::Dense(d) => {
                    format!("{} dense {}→{} {}", d.name, d.in_features(), d.out_features(), d.weight_type)
                }
                Layer::Conv2d(c) => {
                    let w = match &c.weights {
                        ConvWeights::Binary(_) => String::new(),
                        ConvWeights::Int(_, t) => format!(" {t}"),
                    };
                    let out = c.output().map_or_else(|| "?".into(), map);
                    format!("{} conv {k}×{k}/{} {}→{out}{w}", c.name, c.stride, map(c.input), k = c.kernel)
                }
                Layer::MaxPool2d(p) => {
                    let out = p.output().map_or_else(|| "?".into(), map);
                    format!("{} maxpool {k}×{k}/{} {}→{out}", p.name, p.stride, map(p.input), k = p.kernel)
                }
                Layer::Threshold(th) => {
                    let out = match th.output {
                        ThresholdOutput::Bipolar => "bipolar".to_string(),
                        ThresholdOutput::Integer { .. } => t.to_string(),
                    };
                    let rows = th.thresholds.rows();
                    let shared = if rows == 1 {
                        ", shared"
                    } else if rows < len {
                        ", per channel"
                    } else {
                        ""
                    };
                    format!("{} threshold {}×{out}{shared}", th.name, th.thresholds.steps())
                }
                other => format!("{} {}", other.name(), other.kind()),
            });
            len = layer.output_len(len);
        }
        let last = m.layers.last().map_or("", |l| l.name());
        let out = match (&self.output.label, self.output.epilogue) {
            (Some(topk), false) => format!("label = argmax of {last} ({topk})"),
            (Some(topk), true) => format!("label = argmax of the epilogue s·y + b of {last} ({topk})"),
            (None, false) => format!("{last}, graph output = {}·y + {}", self.output.scale, self.output.offset),
            (None, true) => format!("{last}, graph output = epilogue s·y + b (per output)"),
        };
        let convention = &m.input.convention;
        if !convention.is_identity() {
            parts[0] += &format!(", convention {convention}");
        }
        if let Some(src) = m.input.source {
            parts[0] += &format!(" (source NCHW {:?})", src.shape());
        }
        format!("{}: {} layers: {} → {out}", m.name, m.layers.len(), parts.join(" → "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layer_names_are_valid_and_short() {
        let mut taken = HashSet::new();
        assert_eq!(layer_name("/features/0/Conv", &mut taken), "features_0_Conv");
        assert_eq!(layer_name("0.weight", &mut taken), "n0_weight");
        let long = "x".repeat(200);
        let a = layer_name(&long, &mut taken);
        let b = layer_name(&long, &mut taken);
        assert!(a.len() <= bitloom_compiler::verify::MAX_NAME_LEN && b.len() <= bitloom_compiler::verify::MAX_NAME_LEN);
        assert_ne!(a, b);
    }
}
