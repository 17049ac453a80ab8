use crate::ir::{DataflowGraph, Mvu, MvuMode, Node, Stream, Threshold};
use crate::model::{Layer, Model};
use crate::types::DataType;

/// One engine per layer, everything fully folded (PE = SIMD = 1). The model is one
/// [`crate::compile::compile`] accepts (only binary dense and threshold layers so far). Layer names become node
/// names (the model verifier has made them unique; the IR verifier checks their characters).
pub fn lower_model(model: &Model) -> DataflowGraph {
    let mut stream = Stream { dtype: model.input.dtype, len: model.input.len(), fold: 1 };
    let mut edges = vec![stream];
    let mut nodes = Vec::with_capacity(model.layers.len());
    for layer in &model.layers {
        let node = match layer {
            Layer::BinaryDense(d) => Node::Mvu(Mvu {
                name: d.name.clone(),
                weights: d.weights.clone(),
                mode: if stream.dtype == DataType::Bipolar { MvuMode::Xnor } else { MvuMode::SignedAdd },
                pe: 1,
                simd: 1,
            }),
            Layer::Dense(_) | Layer::HorqDense(_) | Layer::Conv2d(_) | Layer::MaxPool2d(_) => {
                unreachable!("compile refuses layer {} before lowering", layer.name())
            }
            Layer::Threshold(t) => Node::Threshold(Threshold {
                name: t.name.clone(),
                thresholds: t.thresholds.clone(),
                output: t.output,
                pe: 1,
            }),
        };
        stream = Stream { dtype: layer.output_type(stream.dtype), len: layer.output_len(stream.len), fold: 1 };
        nodes.push(node);
        edges.push(stream);
    }
    DataflowGraph { name: model.name.clone(), nodes, edges }
}
