use crate::compile::CompileError;
use crate::ir::{DataflowGraph, Horq, IntMvu, Mvu, MvuMode, Node, ShiftMvu, Stream, Threshold};
use crate::model::{Layer, Model, WeightType};

/// One engine per layer, everything fully folded (PE = SIMD = 1). Layer names become node
/// names (the model verifier has made them unique; the IR verifier checks their characters).
/// A layer kind with no hardware engine yet is [`CompileError::Unsupported`].
pub fn lower_model(model: &Model) -> Result<DataflowGraph, CompileError> {
    let mut edges = vec![input_stream(model)];
    let mut nodes = Vec::with_capacity(model.layers.len());
    for (node, out) in lowered_layers(model) {
        nodes.push(node?);
        edges.push(out);
    }
    Ok(DataflowGraph { name: model.name.clone(), nodes, edges })
}

fn input_stream(model: &Model) -> Stream {
    Stream { dtype: model.input.dtype, len: model.input.len(), fold: 1 }
}

/// Each layer's engine (or why it has none) and the stream it produces, fully folded.
pub(crate) fn lowered_layers(model: &Model) -> impl Iterator<Item = (Result<Node, CompileError>, Stream)> + '_ {
    model.layers.iter().scan(input_stream(model), |stream, layer| {
        let node = lower_layer(layer, stream);
        // The integer MVU's output holds any weights of its type (run-time loading), a
        // superset of the layer's exact range.
        let dtype = match &node {
            Ok(Node::IntMvu(m)) => m.output_type(stream.dtype),
            _ => layer.output_type(stream.dtype),
        };
        *stream = Stream { dtype, len: layer.output_len(stream.len), fold: 1 };
        Some((node, *stream))
    })
}

/// The engine of one layer that receives `input`: the one place that maps layer kinds to node
/// kinds.
fn lower_layer(layer: &Layer, input: &Stream) -> Result<Node, CompileError> {
    let kind = match layer {
        Layer::BinaryDense(d) => {
            return Ok(Node::Mvu(Mvu {
                name: d.name.clone(),
                weights: d.weights.clone(),
                mode: MvuMode::for_input(input.dtype),
                pe: 1,
                simd: 1,
            }))
        }
        // Per-channel rows of a feature map (fewer rows than elements) need the
        // convolution engines; the threshold unit indexes rows by element.
        Layer::Threshold(t) if t.thresholds.rows() != 1 && t.thresholds.rows() != input.len => {
            "per-channel (feature-map) threshold"
        }
        Layer::Threshold(t) => {
            return Ok(Node::Threshold(Threshold {
                name: t.name.clone(),
                thresholds: t.thresholds.clone(),
                output: t.output,
                pe: 1,
            }))
        }
        Layer::Dense(d) => match d.weight_type {
            WeightType::Int(wbits) => {
                return Ok(Node::IntMvu(IntMvu {
                    name: d.name.clone(),
                    weights: d.weights.clone(),
                    wbits,
                    pe: 1,
                    simd: 1,
                }))
            }
            WeightType::Pow2(bits) => {
                return Ok(Node::ShiftMvu(ShiftMvu {
                    name: d.name.clone(),
                    weights: d.weights.clone(),
                    bits,
                    pe: 1,
                    simd: 1,
                }))
            }
        },
        Layer::HorqDense(_) if input.dtype == crate::types::DataType::Bipolar => "HORQ dense on bipolar input",
        Layer::HorqDense(d) => return Ok(Node::Horq(Horq { layer: d.clone(), pe: 1, simd: 1 })),
        Layer::Conv2d(_) => "convolution",
        Layer::MaxPool2d(_) => "max-pooling",
    };
    Err(CompileError::Unsupported { layer: layer.name().to_string(), kind })
}
