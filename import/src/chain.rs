//! Pass 4: the folded graph as a chain of typed steps on the flattened vector.
//!
//! After constant folding, the nodes that remain must form one chain from the graph input to the
//! graph output (no branches, no skip connections). Each is turned into a [`Step`] whose
//! constants are expanded to one value per element of the flattened (row-major) tensor:
//!
//! | ONNX | step |
//! | --- | --- |
//! | `Add`, `Sub`, `Mul`, `Div` by a constant, `Neg`, `BatchNormalization` | [`StepKind::Affine`] `v ← a ⊙ v + c` |
//! | `MatMul`, `Gemm` (constant weights), `XnorPopcountMatMul` | [`StepKind::Linear`] `v ← W v + c` (XNOR-popcount as affine · linear · affine) |
//! | `Sign`, `BipolarQuant`, `Quant`, `MultiThreshold` (with a `Relu` directly before folded in) | [`StepKind::Quantize`]: cut points and output levels |
//! | `Conv` (2-D, K×K, one stride, no padding), `MaxPool` (likewise) | [`StepKind::Conv`], [`StepKind::MaxPool`] on channels-last maps |
//! | `Reshape`, `Flatten`, `Squeeze`, `Unsqueeze`, `Identity`, `Cast` to float | nothing: ONNX's row-major order is unchanged |
//! | `TopK` (k = 1, largest, last axis) as the last node | the output is the predicted label |
//!
//! Ops that only make sense on constants, and every other op, are refused with the node's name.
//!
//! **Vector order.** The vector is ONNX's row-major flattening of the tensor, except for feature
//! maps: when the graph has a `Conv` or `MaxPool`, a 4-D input `[1, C, H, W]` and every map a
//! convolution or pooling produces are kept **channels-last** (element `(y, x, c)` at
//! `(y·W + x)·C + c`, where ONNX has it at `c·H·W + y·W + x`), as the native layers want. The
//! chain remembers that order through `Reshape`/`Flatten` (which do not move data in ONNX), so
//! per-element constants (scales, biases, thresholds) are permuted to it and a `MatMul` after a
//! `Flatten` gets its weight columns permuted from ONNX's channel-major order to channels-last.
//! For one channel both orders are the same.

use crate::error::ImportError;
use crate::fold::{quant_bits, quant_range};
use crate::graph::{FinnType, Graph, Node, Op, Rounding, ValueId};
use crate::tensor::Tensor;
use bitloom_compiler::model::FeatureMap;
use bitloom_compiler::types::DataType;
use std::collections::HashMap;

/// One comparison of a quantizer: `v ≥ at` (or `v > at` when `strict`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cut {
    /// The cut point (may be ±∞: always / never reached).
    pub at: f64,
    /// `>` rather than `≥`.
    pub strict: bool,
}

/// A quantizer on the flattened vector: for element `i`, `count = #{j : v[i] ≥ cut[i][j]}`
/// (or `>` for strict cuts), and the output is `out_scale[i] · count + out_bias[i]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Quantizer {
    /// Cuts per element (`k`), the same for every element.
    pub steps: usize,
    /// `len · steps` cuts, element by element.
    pub cuts: Vec<Cut>,
    /// Per element: the output step between two levels.
    pub out_scale: Vec<f64>,
    /// Per element: the output for `count = 0`.
    pub out_bias: Vec<f64>,
}

/// What a step does to the vector `v`.
#[derive(Clone, Debug, PartialEq)]
pub enum StepKind {
    /// `v[i] ← scale[i] · v[i] + bias[i]`.
    Affine {
        /// Per-element factor.
        scale: Vec<f64>,
        /// Per-element offset.
        bias: Vec<f64>,
    },
    /// `v ← W v + bias`, `W` with `rows` rows of `cols` (row `r` makes output `r`).
    Linear {
        /// Output length.
        rows: usize,
        /// Input length.
        cols: usize,
        /// Row-major weights.
        weight: Vec<f64>,
        /// Per-output offset.
        bias: Vec<f64>,
    },
    /// A quantizer.
    Quantize(Quantizer),
    /// `y[oy, ox, o] = Σ W[o][(ky·K + kx)·C + c] · x[oy·S + ky, ox·S + kx, c] + bias[o]` on
    /// channels-last maps (the native convolution, plus a bias per output channel).
    Conv {
        /// The incoming map.
        input: FeatureMap,
        /// K.
        kernel: usize,
        /// S.
        stride: usize,
        /// Output channels (the weight rows).
        out_channels: usize,
        /// Row-major weights, `out_channels` rows of `K·K·C` columns in (ky, kx, c) order.
        weight: Vec<f64>,
        /// Per output channel.
        bias: Vec<f64>,
    },
    /// K×K max pooling with stride S on a channels-last map.
    MaxPool {
        /// The incoming map.
        input: FeatureMap,
        /// K.
        kernel: usize,
        /// S.
        stride: usize,
    },
}

/// A step with the node it comes from.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// The ONNX node's name.
    pub node: String,
    /// Its op type.
    pub op: String,
    /// What it does.
    pub kind: StepKind,
}

/// The graph as a chain of steps.
#[derive(Clone, Debug, PartialEq)]
pub struct Chain {
    /// The graph's name.
    pub name: String,
    /// The native input shape: the ONNX input's without the batch dimension, or `[H, W, C]`
    /// when a `[1, C, H, W]` input with `C > 1` is read channels-last.
    pub input_shape: Vec<usize>,
    /// The input as a channels-last feature map, when the graph has a `Conv` or `MaxPool` and a
    /// 4-D input.
    pub input_map: Option<FeatureMap>,
    /// The input element type.
    pub input_dtype: DataType,
    /// The steps in order.
    pub steps: Vec<Step>,
    /// The `TopK` node when the graph's output is the predicted label.
    pub label: Option<String>,
    /// Decisions worth telling the user (e.g. where the input type came from).
    pub notes: Vec<String>,
}

/// Builds the chain. `input_dtype` overrides the input type read from the graph.
pub fn to_chain(g: &Graph, input_dtype: Option<DataType>) -> Result<Chain, ImportError> {
    let mut notes = Vec::new();
    let input_dtype = pick_input_dtype(g, input_dtype, &mut notes)?;
    let full = g.shapes.get(&g.input).ok_or_else(|| ImportError::Bug("input shape not inferred".into()))?;
    let mut input_shape = if full.len() >= 2 { full[1..].to_vec() } else { full.clone() };
    let spatial = g.nodes.iter().any(|n| matches!(n.op, Op::Conv(_) | Op::MaxPool(_)));
    let input_map = match full[..] {
        [_, channels, height, width] if spatial => Some(FeatureMap { channels, height, width }),
        _ => None,
    };
    if let Some(m) = input_map.filter(|m| m.channels > 1) {
        input_shape = vec![m.height, m.width, m.channels];
        notes.push(format!(
            "the input [N, {c}, {h}, {w}] is read channels-last: the native input is [{h}, {w}, {c}] (HWC), so the host \
             sends pixel (y, x) channel c at index (y·{w} + x)·{c} + c",
            c = m.channels,
            h = m.height,
            w = m.width
        ));
    }
    // The order of the vector: `Some(map)` when it is the channels-last order of an NCHW map.
    let mut layout = input_map;

    let mut users: HashMap<ValueId, Vec<usize>> = HashMap::new();
    for (i, n) in g.nodes.iter().enumerate() {
        for v in n.inputs.iter().flatten() {
            if g.constants.contains_key(v) {
                continue;
            }
            let list = users.entry(*v).or_default();
            if list.last() != Some(&i) {
                list.push(i);
            }
        }
    }
    let mut visited = vec![false; g.nodes.len()];
    let mut steps = Vec::new();
    let mut cur = g.input;
    let mut shape = full.clone();
    let mut label = None;
    let mut pending_relu: Option<&Node> = None;
    loop {
        let consumers = users.get(&cur).map_or(&[][..], |v| &v[..]);
        if cur == g.output {
            if let Some(&i) = consumers.first() {
                let n = &g.nodes[i];
                return Err(n.unsupported(format!(
                    "it consumes the graph output {:?}; the output must be the end of the chain",
                    g.value_name(cur)
                )));
            }
            break;
        }
        let node = match consumers {
            [] => {
                return Err(ImportError::Model {
                    reason: format!("value {:?} is not used by any node and is not the graph output", g.value_name(cur)),
                })
            }
            [i] => &g.nodes[*i],
            [a, b, ..] => {
                return Err(g.nodes[*b].unsupported(format!(
                    "value {:?} feeds {} nodes ({} and {}); only chains are supported (no branches or skip connections)",
                    g.value_name(cur),
                    consumers.len(),
                    g.nodes[*a].name,
                    g.nodes[*b].name
                )))
            }
        };
        visited[users[&cur][0]] = true;
        let dynamic: Vec<usize> =
            node.inputs.iter().enumerate().filter(|(_, v)| v.is_some_and(|v| !g.constants.contains_key(&v))).map(|(i, _)| i).collect();
        if dynamic.len() != 1 {
            return Err(node.unsupported("it combines two computed tensors; only operations with constants are supported"));
        }
        let pos = dynamic[0];
        let out = node.output()?;
        let out_shape = g.shapes.get(&out).cloned();
        let n: usize = shape.iter().product();
        let konst = |i: usize| -> Result<&Tensor, ImportError> {
            let v = node.input(i)?;
            g.constants.get(&v).ok_or_else(|| node.unsupported(format!("input {i} must be a constant")))
        };
        let relu = pending_relu.take();
        if let Some(relu) = relu {
            if !matches!(node.op, Op::Sign | Op::BipolarQuant | Op::Quant { .. } | Op::MultiThreshold { .. }) {
                return Err(relu.unsupported(format!(
                    "Relu is only supported directly before a quantizer (Quant, BipolarQuant, MultiThreshold, Sign), \
                     where it folds into the thresholds; here it is followed by {} ({})",
                    node.name, node.op_type
                )));
            }
        }
        let step = |kind| Step { node: node.name.clone(), op: node.op_type.clone(), kind };
        let expand = |t: &Tensor, what: &str| -> Result<Vec<f64>, ImportError> {
            let v = t.broadcast_to(&shape).ok_or_else(|| {
                node.unsupported(format!(
                    "{what} of shape {:?} does not broadcast to the tensor's shape {shape:?} (it may only scale or shift it)",
                    t.shape()
                ))
            })?;
            Ok(to_vector_order(layout, v, 1))
        };
        match &node.op {
            Op::Identity => {}
            Op::Cast { to } => {
                use crate::onnx::data_type as dt;
                if ![dt::FLOAT, dt::DOUBLE].contains(to) {
                    return Err(node.unsupported(format!("Cast of a computed tensor to {} is not supported", dt::name(*to))));
                }
            }
            Op::Reshape { .. } | Op::Flatten { .. } | Op::Squeeze { .. } | Op::Unsqueeze { .. } => {}
            Op::Add | Op::Sub | Op::Mul | Op::Div => {
                let c = expand(konst(1 - pos)?, "the constant operand")?;
                if out_shape.as_ref() != Some(&shape) {
                    return Err(node.unsupported(format!(
                        "the constant operand of shape {:?} broadcasts the tensor of shape {shape:?} to {out_shape:?}",
                        konst(1 - pos)?.shape()
                    )));
                }
                let ones = vec![1.0; n];
                let zeros = vec![0.0; n];
                let kind = match (&node.op, pos) {
                    (Op::Add, _) => StepKind::Affine { scale: ones, bias: c },
                    (Op::Sub, 0) => StepKind::Affine { scale: ones, bias: c.iter().map(|x| -x).collect() },
                    (Op::Sub, _) => StepKind::Affine { scale: vec![-1.0; n], bias: c },
                    (Op::Mul, _) => StepKind::Affine { scale: c, bias: zeros },
                    (Op::Div, 0) => {
                        if let Some(i) = c.iter().position(|&x| x == 0.0 || !x.is_finite()) {
                            return Err(node.invalid(format!("divides by {} (element {i})", c[i])));
                        }
                        StepKind::Affine { scale: c.iter().map(|x| 1.0 / x).collect(), bias: zeros }
                    }
                    _ => return Err(node.unsupported("divides a constant by the tensor, which is not an affine map")),
                };
                steps.push(step(kind));
            }
            Op::Neg => steps.push(step(StepKind::Affine { scale: vec![-1.0; n], bias: vec![0.0; n] })),
            Op::BatchNorm { epsilon } => {
                if shape.len() < 2 {
                    return Err(node.invalid(format!("needs a tensor of rank 2 or more, found {shape:?}")));
                }
                let ch = shape[1];
                let inner: usize = shape[2..].iter().product();
                let mut params = Vec::with_capacity(4);
                for (i, what) in [(1, "scale"), (2, "B"), (3, "mean"), (4, "var")] {
                    let t = konst(i)?;
                    if t.len() != ch {
                        return Err(node.invalid(format!("{what} has {} values for {ch} channels", t.len())));
                    }
                    params.push(t.data().to_vec());
                }
                let (mut scale, mut bias) = (Vec::with_capacity(n), Vec::with_capacity(n));
                for i in 0..n {
                    let c = (i / inner) % ch;
                    let den = (params[3][c] + epsilon).sqrt();
                    if den.is_nan() || den == 0.0 {
                        return Err(node.invalid(format!("channel {c}: var + epsilon = {} is not positive", params[3][c] + epsilon)));
                    }
                    let a = params[0][c] / den;
                    scale.push(a);
                    bias.push(params[1][c] - params[2][c] * a);
                }
                let (scale, bias) = (to_vector_order(layout, scale, 1), to_vector_order(layout, bias, 1));
                steps.push(step(StepKind::Affine { scale, bias }));
            }
            Op::MatMul | Op::Gemm { .. } | Op::XnorPopcountMatMul => {
                if pos != 0 {
                    return Err(node.unsupported("the computed tensor is the right operand; only x·W with constant W is supported"));
                }
                let w = konst(1)?;
                let (lead, k) = match shape.split_last() {
                    Some((&k, lead)) => (lead.iter().product::<usize>(), k),
                    None => (0, 0),
                };
                if lead != 1 {
                    return Err(node.unsupported(format!(
                        "multiplies a {shape:?} tensor: only one vector at a time (all but the last dimension 1) is supported; \
                         flatten the tensor first"
                    )));
                }
                let (mut alpha, mut beta, mut trans_b) = (1.0, 1.0, false);
                if let Op::Gemm { alpha: a, beta: b, trans_a, trans_b: tb } = &node.op {
                    if *trans_a {
                        return Err(node.unsupported("transA = 1 is not supported (the computed tensor must be a row vector)"));
                    }
                    (alpha, beta, trans_b) = (*a, *b, *tb);
                }
                let [w0, w1] = *w.shape() else {
                    return Err(node.invalid(format!("the weight must be 2-D, found {:?}", w.shape())));
                };
                let (wk, rows) = if trans_b { (w1, w0) } else { (w0, w1) };
                if wk != k {
                    return Err(node.invalid(format!("the weight {:?} does not fit an input of {k} elements", w.shape())));
                }
                // weight[r][c] multiplies input c into output r; input c of the vector is element
                // onnx[c] of the ONNX tensor (a permutation after channels-last maps).
                let onnx = vector_to_onnx(layout, k);
                let mut weight = vec![0.0; rows * k];
                for r in 0..rows {
                    for c in 0..k {
                        let oc = onnx.as_ref().map_or(c, |p| p[c]);
                        let v = if trans_b { w.data()[r * k + oc] } else { w.data()[oc * rows + r] };
                        weight[r * k + c] = alpha * v;
                    }
                }
                if onnx.is_some() {
                    notes.push(format!(
                        "{}: weight columns permuted from ONNX's channel-major (NCHW) flattening to the channels-last order of the \
                         {}×{}×{} map",
                        node.name,
                        layout.map_or(0, |m| m.channels),
                        layout.map_or(0, |m| m.height),
                        layout.map_or(0, |m| m.width)
                    ));
                }
                let mut bias = vec![0.0; rows];
                if let (Op::Gemm { .. }, Some(Some(_))) = (&node.op, node.inputs.get(2)) {
                    let c = konst(2)?;
                    bias = c.broadcast_to(&[1, rows]).ok_or_else(|| node.invalid(format!("C of shape {:?} does not broadcast to [1, {rows}]", c.shape())))?;
                    bias.iter_mut().for_each(|b| *b *= beta);
                }
                if let Op::XnorPopcountMatMul = node.op {
                    if let Some(&v) = w.data().iter().find(|&&v| v != 0.0 && v != 1.0) {
                        return Err(node.invalid(format!("XNOR-popcount weights must be 0 or 1 (BINARY), found {v}")));
                    }
                    // ((2x − 1)·(2W − 1) + K) / 2
                    steps.push(step(StepKind::Affine { scale: vec![2.0; n], bias: vec![-1.0; n] }));
                    weight.iter_mut().for_each(|v| *v = 2.0 * *v - 1.0);
                    steps.push(step(StepKind::Linear { rows, cols: k, weight, bias }));
                    steps.push(step(StepKind::Affine { scale: vec![0.5; rows], bias: vec![k as f64 / 2.0; rows] }));
                } else {
                    steps.push(step(StepKind::Linear { rows, cols: k, weight, bias }));
                }
                layout = None;
            }
            Op::Relu => {
                pending_relu = Some(node);
            }
            Op::Sign => {
                let q = Quantizer { steps: 1, cuts: vec![Cut { at: 0.0, strict: false }; n], out_scale: vec![2.0; n], out_bias: vec![-1.0; n] };
                steps.push(step(StepKind::Quantize(relu_fold(q, relu))));
            }
            Op::BipolarQuant => {
                let s = expand(konst(1)?, "the scale")?;
                let q = Quantizer {
                    steps: 1,
                    cuts: vec![Cut { at: 0.0, strict: false }; n],
                    out_scale: s.iter().map(|s| 2.0 * s).collect(),
                    out_bias: s.iter().map(|s| -s).collect(),
                };
                steps.push(step(StepKind::Quantize(relu_fold(q, relu))));
            }
            Op::Quant { signed, narrow, rounding } => {
                let s = expand(konst(1)?, "the scale")?;
                let z = expand(konst(2)?, "the zero point")?;
                let bits = quant_bits(node, konst(3)?)?;
                if let Some(i) = s.iter().position(|&s| !(s > 0.0 && s.is_finite())) {
                    return Err(node.unsupported(format!("scale {} (element {i}) is not positive; only positive scales are supported", s[i])));
                }
                let q = if bits == 1 && *signed {
                    Quantizer {
                        steps: 1,
                        cuts: z.iter().zip(&s).map(|(z, s)| Cut { at: -z * s, strict: false }).collect(),
                        out_scale: s.iter().map(|s| 2.0 * s).collect(),
                        out_bias: z.iter().zip(&s).map(|(z, s)| (-1.0 - z) * s).collect(),
                    }
                } else {
                    let (lo, hi) = quant_range(*signed, *narrow, bits);
                    let k = (hi - lo) as usize;
                    if k > bitloom_compiler::verify::MAX_THRESHOLD_STEPS {
                        return Err(node.unsupported(format!(
                            "{bits}-bit activations need {k} thresholds; the native format allows at most {}",
                            bitloom_compiler::verify::MAX_THRESHOLD_STEPS
                        )));
                    }
                    let levels: Vec<Cut> = (lo + 1..=hi).map(|l| rounding_cut(*rounding, l)).collect();
                    let mut cuts = Vec::with_capacity(n * k);
                    for i in 0..n {
                        cuts.extend(levels.iter().map(|c| Cut { at: (c.at - z[i]) * s[i], strict: c.strict }));
                    }
                    Quantizer {
                        steps: k,
                        cuts,
                        out_scale: s.clone(),
                        out_bias: z.iter().zip(&s).map(|(z, s)| (lo as f64 - z) * s).collect(),
                    }
                };
                steps.push(step(StepKind::Quantize(relu_fold(q, relu))));
            }
            Op::MultiThreshold { out_scale, out_bias, out_dtype, channels_last } => {
                let t = konst(1)?;
                let [rows, k] = *t.shape() else {
                    return Err(node.invalid(format!("thresholds must be 2-D [channels, steps], found {:?}", t.shape())));
                };
                if k == 0 || k > bitloom_compiler::verify::MAX_THRESHOLD_STEPS {
                    return Err(node.unsupported(format!("{k} thresholds per channel; the native format allows 1 to 255")));
                }
                let axis = if *channels_last { shape.len().saturating_sub(1) } else { 1 };
                let ch = *shape.get(axis).ok_or_else(|| node.invalid(format!("no channel axis in a tensor of shape {shape:?}")))?;
                if rows != 1 && rows != ch {
                    return Err(node.invalid(format!("{rows} threshold rows for {ch} channels (expected 1 or {ch})")));
                }
                check_out_dtype(node, *out_scale, *out_bias, out_dtype, k)?;
                let inner: usize = shape[axis + 1..].iter().product();
                let mut cuts = Vec::with_capacity(n * k);
                for i in 0..n {
                    let r = if rows == 1 { 0 } else { (i / inner) % ch };
                    cuts.extend(t.data()[r * k..(r + 1) * k].iter().map(|&at| Cut { at, strict: false }));
                }
                if let Some(c) = cuts.iter().find(|c| c.at.is_nan()) {
                    return Err(node.invalid(format!("threshold {} is NaN", c.at)));
                }
                let cuts = to_vector_order(layout, cuts, k);
                let q = Quantizer { steps: k, cuts, out_scale: vec![*out_scale; n], out_bias: vec![*out_bias; n] };
                steps.push(step(StepKind::Quantize(relu_fold(q, relu))));
            }
            Op::TopK { axis, largest, .. } => {
                let a = crate::shape::norm_axis(*axis, shape.len(), false).map_err(|e| node.invalid(e))?;
                let k = out_shape.as_ref().map_or(0, |s| s[a]);
                if !largest || k != 1 || a + 1 != shape.len() || shape[..a].iter().product::<usize>() != 1 {
                    return Err(node.unsupported(format!(
                        "only TopK with k = 1 and largest = 1 over the last axis of a single vector is supported \
                         (the label select); found k = {k}, largest = {largest}, axis {a} of {shape:?}"
                    )));
                }
                let indices = node.outputs.get(1).copied().flatten();
                if indices != Some(g.output) {
                    return Err(node.unsupported("only TopK's indices may be the graph output (the predicted label)"));
                }
                if node.outputs[0].is_some_and(|v| users.contains_key(&v)) {
                    return Err(node.unsupported("TopK's values are used by another node; only the indices (the label) are supported"));
                }
                if !is_row_major(layout) {
                    return Err(node.unsupported(
                        "TopK over a channels-last feature map is not supported: flatten it through a MatMul first",
                    ));
                }
                label = Some(node.name.clone());
                break;
            }
            Op::Conv(a) => {
                let w = konst(1)?;
                let geo = crate::spatial::conv(node, a, &shape, w.shape())?;
                check_channels_last(node, layout, geo.input)?;
                let (o, cin, kk) = (geo.output.channels, geo.input.channels, geo.kernel);
                let cols = kk * kk * cin;
                // OIHW → one row per output channel in (ky, kx, c) order.
                let mut weight = vec![0.0; o * cols];
                for r in 0..o {
                    for c in 0..cin {
                        for ky in 0..kk {
                            for kx in 0..kk {
                                weight[r * cols + (ky * kk + kx) * cin + c] = w.data()[((r * cin + c) * kk + ky) * kk + kx];
                            }
                        }
                    }
                }
                let bias = match node.inputs.get(2).copied().flatten() {
                    Some(_) => {
                        let b = konst(2)?;
                        if b.len() != o {
                            return Err(node.invalid(format!("the bias has {} values for {o} output channels", b.len())));
                        }
                        b.data().to_vec()
                    }
                    None => vec![0.0; o],
                };
                steps.push(step(StepKind::Conv { input: geo.input, kernel: kk, stride: geo.stride, out_channels: o, weight, bias }));
                layout = Some(geo.output);
            }
            Op::MaxPool(a) => {
                let geo = crate::spatial::pool(node, a, &shape)?;
                check_channels_last(node, layout, geo.input)?;
                steps.push(step(StepKind::MaxPool { input: geo.input, kernel: geo.kernel, stride: geo.stride }));
                layout = Some(geo.output);
            }
            Op::Transpose { .. } => {
                return Err(node.unsupported(
                    "transposing a computed tensor is not supported: the native layers work on the flattened vector",
                ))
            }
            Op::Sqrt | Op::Reciprocal | Op::Pow | Op::Shape { .. } | Op::Gather { .. } | Op::Concat { .. } | Op::Constant(_) => {
                return Err(node.unsupported("this op is only supported on constants, not on the computed tensor"))
            }
        }
        cur = out;
        shape = out_shape.ok_or_else(|| ImportError::Bug(format!("no shape for the output of {}", node.name)))?;
    }
    if label.is_none() && !is_row_major(layout) {
        let m = layout.unwrap_or(FeatureMap { channels: 0, height: 0, width: 0 });
        return Err(ImportError::Output {
            reason: format!(
                "the graph's output is a {}×{}×{} feature map, which the native model would output channels-last; \
                 end the graph with a MatMul/Gemm",
                m.channels, m.height, m.width
            ),
        });
    }
    if let Some(relu) = pending_relu {
        return Err(relu.unsupported("Relu is only supported directly before a quantizer, where it folds into the thresholds; here it ends the graph"));
    }
    if let Some(i) = visited.iter().position(|v| !v) {
        let n = &g.nodes[i];
        return Err(n.unsupported("it is not on the chain from the graph input to the output (branches are not supported)"));
    }
    Ok(Chain { name: g.name.clone(), input_shape, input_map, input_dtype, steps, label, notes })
}

/// Whether the vector order `layout` is ONNX's row-major order (always so for one channel or
/// one pixel).
fn is_row_major(layout: Option<FeatureMap>) -> bool {
    layout.is_none_or(|m| m.channels == 1 || m.height * m.width == 1)
}

/// For each position of a vector of `n` elements in the order `layout`, the ONNX (row-major)
/// index of its element; `None` when the two orders are the same. Position `(y·W + x)·C + c`
/// holds ONNX element `c·H·W + y·W + x`.
pub fn vector_to_onnx(layout: Option<FeatureMap>, n: usize) -> Option<Vec<usize>> {
    let m = layout.filter(|_| !is_row_major(layout))?;
    let (c, hw) = (m.channels, m.height * m.width);
    debug_assert_eq!(c * hw, n);
    Some((0..n).map(|p| (p % c) * hw + p / c).collect())
}

/// ONNX-ordered per-element values (`group` consecutive values per element) in the vector's
/// order.
fn to_vector_order<T: Copy>(layout: Option<FeatureMap>, values: Vec<T>, group: usize) -> Vec<T> {
    match vector_to_onnx(layout, values.len() / group.max(1)) {
        None => values,
        Some(p) => p.iter().flat_map(|&i| values[i * group..(i + 1) * group].iter().copied()).collect(),
    }
}

/// A convolution or pooling needs its input map in channels-last order.
fn check_channels_last(node: &Node, layout: Option<FeatureMap>, map: FeatureMap) -> Result<(), ImportError> {
    let ok = match layout {
        Some(m) => m == map || (is_row_major(layout) && (map.channels == 1 || map.height * map.width == 1)),
        None => map.channels == 1 || map.height * map.width == 1,
    };
    if !ok {
        let was = match layout {
            Some(m) => format!("the channels-last order of a {}×{}×{} map", m.channels, m.height, m.width),
            None => "channel-major (NCHW) order, e.g. from a MatMul reshaped to a map".to_string(),
        };
        return Err(node.unsupported(format!(
            "its {}×{}×{} input map is in {was}; the native layers need it channels-last",
            map.channels, map.height, map.width
        )));
    }
    Ok(())
}

/// The cut of level `l` of a `Quant` in the quantizer's own units (`u = x/scale + zeropt`):
/// `round(u) ≥ l ⇔ u ≥ at` (or `u > at` when `strict`), for each rounding mode.
pub fn rounding_cut(mode: Rounding, l: i64) -> Cut {
    let lf = l as f64;
    let (at, strict) = match mode {
        Rounding::Floor => (lf, false),
        Rounding::Ceil => (lf - 1.0, true),
        // A tie l − ½ rounds to the even one of l − 1 and l.
        Rounding::HalfEven => (lf - 0.5, l % 2 != 0),
        Rounding::HalfUp => (lf - 0.5, l <= 0),
        Rounding::HalfDown => (lf - 0.5, l >= 1),
        Rounding::Up => {
            if l >= 1 {
                (lf - 1.0, true)
            } else {
                (lf, false)
            }
        }
        Rounding::Down => {
            if l >= 1 {
                (lf, false)
            } else {
                (lf - 1.0, true)
            }
        }
    };
    Cut { at, strict }
}

/// Folds a `Relu` in front of a quantizer: `max(v, 0) ≥ t` always holds for `t ≤ 0`
/// (`> t` for `t < 0`), and is `v ≥ t` otherwise.
fn relu_fold(mut q: Quantizer, relu: Option<&Node>) -> Quantizer {
    if relu.is_some() {
        for c in &mut q.cuts {
            if c.at < 0.0 || (c.at == 0.0 && !c.strict) {
                *c = Cut { at: f64::NEG_INFINITY, strict: false };
            }
        }
    }
    q
}

/// Checks that MultiThreshold's levels `out_scale·j + out_bias` (j = 0..=k) fit `out_dtype`.
fn check_out_dtype(node: &Node, scale: f64, bias: f64, dtype: &FinnType, k: usize) -> Result<(), ImportError> {
    let levels: Vec<f64> = (0..=k).map(|j| scale * j as f64 + bias).collect();
    if !scale.is_finite() || !bias.is_finite() {
        return Err(node.invalid(format!("out_scale {scale} / out_bias {bias} are not finite")));
    }
    if *dtype == FinnType::Bipolar && (k != 1 || levels != [-1.0, 1.0]) {
        return Err(node.invalid(format!(
            "out_dtype BIPOLAR needs one threshold and outputs -1, +1; here {k} threshold(s) give {levels:?} \
             (out_scale {scale}, out_bias {bias})"
        )));
    }
    if let Some((lo, hi)) = dtype.range() {
        if levels.iter().all(|l| l.fract() == 0.0) {
            if let Some(l) = levels.iter().find(|&&l| l < lo as f64 || l > hi as f64) {
                return Err(node.invalid(format!(
                    "out_dtype {dtype} cannot hold the output {l} ({k} thresholds, out_scale {scale}, out_bias {bias})"
                )));
            }
        }
    }
    Ok(())
}

fn pick_input_dtype(g: &Graph, given: Option<DataType>, notes: &mut Vec<String>) -> Result<DataType, ImportError> {
    let name = g.value_name(g.input);
    if let Some(t) = given {
        notes.push(format!("input type {t} (given)"));
        return Ok(t);
    }
    let from_annotation = match &g.input_datatype {
        Some(FinnType::UInt(b)) if (1..=16).contains(b) => Some(DataType::UInt(*b)),
        Some(FinnType::Binary) => Some(DataType::UInt(1)),
        Some(FinnType::Int(b)) if (2..=16).contains(b) => Some(DataType::Int(*b)),
        Some(t @ FinnType::Float(_)) => {
            notes.push(format!("the input's finn_datatype annotation {t} is not an integer type; ignored"));
            None
        }
        Some(t) => {
            return Err(ImportError::Model {
                reason: format!(
                    "graph input {name:?} is annotated {t}; the native input must be uintN (N ≤ 16) or intN (2 ≤ N ≤ 16)"
                ),
            })
        }
        None => None,
    };
    if let Some(t) = from_annotation {
        notes.push(format!("input type {t} (from the finn_datatype annotation)"));
        return Ok(t);
    }
    notes.push("input type uint8 (the default: the graph input receives raw 0..255 values)".into());
    Ok(DataType::UInt(8))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cut rule equals clamp-then-round for every rounding mode, on a grid with ties.
    #[test]
    fn rounding_cuts_match_rounding() {
        let modes = [
            Rounding::HalfEven,
            Rounding::Ceil,
            Rounding::Floor,
            Rounding::Up,
            Rounding::Down,
            Rounding::HalfUp,
            Rounding::HalfDown,
        ];
        for mode in modes {
            for (lo, hi) in [(-2i64, 1i64), (0, 3), (-7, 7), (0, 1)] {
                for step in -40..=40 {
                    let u = f64::from(step) * 0.25;
                    let direct = mode.apply(u.clamp(lo as f64, hi as f64)) as i64;
                    let count = (lo + 1..=hi)
                        .filter(|&l| {
                            let c = rounding_cut(mode, l);
                            if c.strict {
                                u > c.at
                            } else {
                                u >= c.at
                            }
                        })
                        .count() as i64;
                    assert_eq!(lo + count, direct, "{mode:?} u = {u} range {lo}..={hi}");
                }
            }
        }
    }
}
