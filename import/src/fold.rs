//! Pass 3: constant folding and shape inference, in one walk over the nodes in topological order.
//!
//! - A node whose inputs are all constants is evaluated and removed; its outputs become
//!   constants. This folds weight quantizers (`Quant`/`BipolarQuant` on initializers), the
//!   `Transpose` Brevitas puts after them, scale chains such as TensorNorm's
//!   `Reciprocal(Sqrt(var + eps))` or `Pow(var + eps, 0.5)`, and `Constant` nodes.
//! - `Shape` of a computed value whose shape is known is a constant too, so the
//!   `Shape → Gather → Unsqueeze → Concat → Reshape` chain that `x.view(x.shape[0], -1)` exports
//!   folds to a constant-shape `Reshape`.
//! - Every remaining (computed) value gets its shape in [`Graph::shapes`]; `Conv` and `MaxPool`
//!   check their geometry here ([`crate::spatial`]), so an unsupported attribute is reported
//!   with the node's name before anything else.
//!
//! Constant evaluation follows ONNX (and QONNX for `Quant`/`BipolarQuant`) in `f64`.

use crate::error::ImportError;
use crate::graph::{Dim, Graph, Node, Op};
use crate::shape;
use crate::tensor::{numel, Tensor};

/// Folds constants and infers shapes (see the module documentation).
pub fn fold_constants(mut g: Graph) -> Result<Graph, ImportError> {
    let input_shape = concrete_input_shape(&g)?;
    g.shapes.insert(g.input, input_shape);
    let nodes = std::mem::take(&mut g.nodes);
    let mut kept = Vec::with_capacity(nodes.len());
    for node in nodes {
        let consts: Vec<Option<&Tensor>> = node.inputs.iter().map(|i| i.and_then(|v| g.constants.get(&v))).collect();
        let all_const = node.inputs.iter().zip(&consts).all(|(i, c)| i.is_none() || c.is_some());
        let outputs = if all_const {
            Some(eval(&node, &consts)?)
        } else if let (Op::Shape { start, end }, Some(s)) = (&node.op, g.shapes.get(&node.input(0)?)) {
            Some(vec![shape_of(s, *start, *end)])
        } else {
            None
        };
        match outputs {
            Some(values) => {
                for (out, t) in node.outputs.iter().zip(values) {
                    if let Some(out) = out {
                        g.constants.insert(*out, t);
                    }
                }
            }
            None => {
                let in_shapes: Vec<Option<&Vec<usize>>> =
                    node.inputs.iter().map(|i| i.and_then(|v| g.shapes.get(&v))).collect();
                let shapes = infer(&node, &in_shapes, &consts)?;
                for (out, s) in node.outputs.iter().zip(shapes) {
                    if let (Some(out), Some(s)) = (out, s) {
                        g.shapes.insert(*out, s);
                    }
                }
                kept.push(node);
            }
        }
    }
    g.nodes = kept;
    if g.constants.contains_key(&g.output) {
        return Err(ImportError::Model { reason: "the graph's output does not depend on its input (it is a constant)".into() });
    }
    Ok(g)
}

/// The graph input's shape with the batch dimension (a symbolic first dimension) set to 1.
fn concrete_input_shape(g: &Graph) -> Result<Vec<usize>, ImportError> {
    let bad = |reason: String| ImportError::Model { reason };
    let name = g.value_name(g.input);
    if g.input_shape.is_empty() {
        return Err(bad(format!("graph input {name:?} is a scalar; expected a tensor")));
    }
    let mut out = Vec::with_capacity(g.input_shape.len());
    for (i, d) in g.input_shape.iter().enumerate() {
        out.push(match d {
            Dim::Fixed(n) => *n,
            Dim::Symbolic(_) if i == 0 => 1,
            Dim::Symbolic(p) => {
                return Err(bad(format!(
                    "graph input {name:?}: dimension {i} is symbolic ({p:?}); only the first (batch) dimension may be"
                )))
            }
        });
    }
    if numel(&out).is_none_or(|n| n > bitloom_compiler::verify::MAX_INPUT_ELEMENTS) {
        return Err(bad(format!("graph input {name:?} of shape {out:?} has too many elements")));
    }
    Ok(out)
}

/// `Shape` with its `start`/`end` (clamped, as ONNX specifies).
fn shape_of(s: &[usize], start: i64, end: Option<i64>) -> Tensor {
    let r = s.len() as i64;
    let clampi = |a: i64| (if a < 0 { a + r } else { a }).clamp(0, r) as usize;
    let (a, b) = (clampi(start), clampi(end.unwrap_or(r)));
    Tensor::vector(s[a..b.max(a)].iter().map(|&d| d as f64).collect())
}

fn int_list(node: &Node, t: &Tensor, what: &str) -> Result<Vec<i64>, ImportError> {
    t.as_ints().ok_or_else(|| node.invalid(format!("{what} must be integers, found {:?}", t.data())))
}

/// Evaluates a node whose inputs are all constants.
fn eval(node: &Node, c: &[Option<&Tensor>]) -> Result<Vec<Tensor>, ImportError> {
    let arg = |i: usize| -> Result<&Tensor, ImportError> {
        c.get(i).copied().flatten().ok_or_else(|| node.invalid(format!("input {i} is missing")))
    };
    let too_big = || node.invalid("operands do not broadcast, or the result has too many elements");
    let zip = |f: fn(f64, f64) -> f64| -> Result<Vec<Tensor>, ImportError> {
        Ok(vec![Tensor::zip(arg(0)?, arg(1)?, f).ok_or_else(too_big)?])
    };
    let reshaped = |s: Result<Vec<usize>, String>| -> Result<Vec<Tensor>, ImportError> {
        let s = s.map_err(|e| node.invalid(e))?;
        Ok(vec![arg(0)?.reshaped(s).ok_or_else(|| node.invalid("reshape changes the element count"))?])
    };
    Ok(match &node.op {
        Op::Constant(t) => vec![t.clone()],
        Op::Identity => vec![arg(0)?.clone()],
        Op::Add => zip(|a, b| a + b)?,
        Op::Sub => zip(|a, b| a - b)?,
        Op::Mul => zip(|a, b| a * b)?,
        Op::Div => zip(|a, b| a / b)?,
        Op::Neg => vec![arg(0)?.map(|x| -x)],
        Op::Sqrt => vec![arg(0)?.map(f64::sqrt)],
        Op::Reciprocal => vec![arg(0)?.map(|x| 1.0 / x)],
        Op::Pow => zip(f64::powf)?,
        Op::Relu => vec![arg(0)?.map(|x| x.max(0.0))],
        // ONNX Sign on constants: sign(0) = 0.
        Op::Sign => vec![arg(0)?.map(|x| if x > 0.0 { 1.0 } else if x < 0.0 { -1.0 } else { 0.0 })],
        Op::Cast { to } => {
            use crate::onnx::data_type as dt;
            let f: fn(f64) -> f64 = match *to {
                dt::FLOAT => |x| x as f32 as f64,
                dt::DOUBLE => |x| x,
                dt::BOOL => |x| f64::from(u8::from(x != 0.0)),
                dt::INT8 | dt::INT16 | dt::INT32 | dt::INT64 | dt::UINT8 | dt::UINT16 | dt::UINT32 | dt::UINT64 => f64::trunc,
                other => return Err(node.unsupported(format!("Cast to {} is not supported", dt::name(other)))),
            };
            vec![arg(0)?.map(f)]
        }
        Op::Reshape { allowzero } => {
            let spec = int_list(node, arg(1)?, "the shape")?;
            reshaped(shape::reshape(arg(0)?.shape(), &spec, *allowzero))?
        }
        Op::Flatten { axis } => reshaped(shape::flatten(arg(0)?.shape(), *axis))?,
        Op::Squeeze { axes } => {
            let axes = match (axes, c.get(1).copied().flatten()) {
                (Some(a), _) => Some(a.clone()),
                (None, Some(t)) => Some(int_list(node, t, "the axes")?),
                (None, None) => None,
            };
            reshaped(shape::squeeze(arg(0)?.shape(), axes.as_deref()))?
        }
        Op::Unsqueeze { axes } => {
            let axes = match axes {
                Some(a) => a.clone(),
                None => int_list(node, arg(1)?, "the axes")?,
            };
            reshaped(shape::unsqueeze(arg(0)?.shape(), &axes))?
        }
        Op::Transpose { perm } => {
            let t = arg(0)?;
            let perm: Vec<usize> = match perm {
                Some(p) => p.iter().map(|&a| shape::norm_axis(a, t.shape().len(), false)).collect::<Result<_, _>>().map_err(|e| node.invalid(e))?,
                None => (0..t.shape().len()).rev().collect(),
            };
            vec![t.transpose(&perm).ok_or_else(|| node.invalid(format!("invalid permutation {perm:?}")))?]
        }
        Op::Shape { start, end } => vec![shape_of(arg(0)?.shape(), *start, *end)],
        Op::Gather { axis } => {
            let t = arg(0)?;
            let a = shape::norm_axis(*axis, t.shape().len(), false).map_err(|e| node.invalid(e))?;
            vec![t.gather(a, arg(1)?).ok_or_else(|| node.invalid("indices out of range"))?]
        }
        Op::Concat { axis } => {
            let parts: Vec<&Tensor> = (0..c.len()).map(arg).collect::<Result<_, _>>()?;
            let a = shape::norm_axis(*axis, parts[0].shape().len(), false).map_err(|e| node.invalid(e))?;
            vec![Tensor::concat(&parts, a).ok_or_else(|| node.invalid("inputs do not fit together"))?]
        }
        Op::BipolarQuant => {
            let x = Tensor::zip(arg(0)?, arg(1)?, |x, s| if x >= 0.0 { s } else { -s }).ok_or_else(too_big)?;
            vec![x]
        }
        Op::Quant { signed, narrow, rounding } => {
            let bits = quant_bits(node, arg(3)?)?;
            let (lo, hi) = quant_range(*signed, *narrow, bits);
            let (signed, rounding) = (*signed, *rounding);
            let scale = arg(1)?;
            if scale.data().iter().any(|&s| s.is_nan() || s == 0.0) {
                return Err(node.invalid("scale is zero or NaN"));
            }
            let u = Tensor::zip(arg(0)?, scale, |x, s| x / s).ok_or_else(too_big)?;
            let u = Tensor::zip(&u, arg(2)?, |u, z| u + z).ok_or_else(too_big)?;
            let q = u.map(|u| {
                if bits == 1 && signed {
                    if u >= 0.0 {
                        1.0
                    } else {
                        -1.0
                    }
                } else {
                    rounding.apply(u.clamp(lo as f64, hi as f64))
                }
            });
            let q = Tensor::zip(&q, arg(2)?, |q, z| q - z).ok_or_else(too_big)?;
            vec![Tensor::zip(&q, scale, |q, s| q * s).ok_or_else(too_big)?]
        }
        _ => {
            return Err(node.unsupported(
                "all of its inputs are constants, and the importer cannot evaluate this op on constants",
            ))
        }
    })
}

/// A `Quant` node's bit width: a scalar integer from 1 to 24.
pub fn quant_bits(node: &Node, t: &Tensor) -> Result<u32, ImportError> {
    match t.as_scalar() {
        Some(b) if b.fract() == 0.0 && (1.0..=24.0).contains(&b) => Ok(b as u32),
        _ => Err(node.unsupported(format!("bit width {:?} is not supported: it must be one integer from 1 to 24", t.data()))),
    }
}

/// The integer range of a `Quant` node (QONNX `min_int` / `max_int`).
pub fn quant_range(signed: bool, narrow: bool, bits: u32) -> (i64, i64) {
    let (lo, hi) = if signed { (-(1i64 << (bits - 1)), (1i64 << (bits - 1)) - 1) } else { (0, (1i64 << bits) - 1) };
    match (signed, narrow) {
        (true, true) => (lo + 1, hi),
        (false, true) => (lo, hi - 1),
        _ => (lo, hi),
    }
}

/// Output shapes of a node with at least one computed input (`None`: not inferred).
fn infer(node: &Node, s: &[Option<&Vec<usize>>], c: &[Option<&Tensor>]) -> Result<Vec<Option<Vec<usize>>>, ImportError> {
    let n_out = node.outputs.len();
    let x = match s.first().copied().flatten() {
        Some(x) => x.clone(),
        None => {
            // The first input is a constant (or of unknown shape): only elementwise ops and
            // MatMul with a constant left operand can have it so; their shape rules below need
            // the other operand.
            match (&node.op, c.first().copied().flatten(), s.get(1).copied().flatten()) {
                (Op::Add | Op::Sub | Op::Mul | Op::Div, Some(a), Some(b)) => {
                    let out = crate::tensor::broadcast_shape(a.shape(), b).ok_or_else(|| node.invalid("operands do not broadcast"))?;
                    return Ok(vec![Some(out)]);
                }
                _ => return Ok(vec![None; n_out]),
            }
        }
    };
    let operand = |i: usize| -> Option<Vec<usize>> {
        s.get(i).copied().flatten().cloned().or_else(|| c.get(i).copied().flatten().map(|t| t.shape().to_vec()))
    };
    let one = |r: Result<Vec<usize>, String>| -> Result<Vec<Option<Vec<usize>>>, ImportError> {
        let mut v = vec![Some(r.map_err(|e| node.invalid(e))?)];
        v.resize(n_out, None);
        Ok(v)
    };
    match &node.op {
        Op::Add | Op::Sub | Op::Mul | Op::Div | Op::Pow => {
            let b = operand(1).ok_or_else(|| node.invalid("input 1 has no known shape"))?;
            one(crate::tensor::broadcast_shape(&x, &b).ok_or_else(|| format!("shapes {x:?} and {b:?} do not broadcast")))
        }
        Op::Sign | Op::Relu | Op::Identity | Op::Neg | Op::Sqrt | Op::Reciprocal | Op::Cast { .. } | Op::Quant { .. }
        | Op::BipolarQuant | Op::MultiThreshold { .. } | Op::BatchNorm { .. } => one(Ok(x)),
        Op::MatMul | Op::XnorPopcountMatMul => {
            let w = operand(1).ok_or_else(|| node.invalid("input 1 has no known shape"))?;
            one(match (&x[..], &w[..]) {
                (&[.., k], &[k2, n]) if k == k2 => {
                    let mut out = x.clone();
                    out.pop();
                    out.push(n);
                    Ok(out)
                }
                _ => Err(format!("shapes {x:?} and {w:?} do not fit a matrix product with a 2-D right operand")),
            })
        }
        Op::Gemm { trans_a, trans_b, .. } => {
            let w = operand(1).ok_or_else(|| node.invalid("input 1 has no known shape"))?;
            one(match (&x[..], &w[..]) {
                (&[m, k], &[w0, w1]) => {
                    let (m, k) = if *trans_a { (k, m) } else { (m, k) };
                    let (k2, n) = if *trans_b { (w1, w0) } else { (w0, w1) };
                    if k == k2 {
                        Ok(vec![m, n])
                    } else {
                        Err(format!("shapes {x:?} and {w:?} do not fit (transA = {trans_a}, transB = {trans_b})"))
                    }
                }
                _ => Err(format!("Gemm needs 2-D operands, found {x:?} and {w:?}")),
            })
        }
        Op::Reshape { allowzero } => {
            let spec = c.get(1).copied().flatten().ok_or_else(|| node.unsupported("the target shape is computed at run time; only constant shapes are supported"))?;
            one(shape::reshape(&x, &int_list(node, spec, "the shape")?, *allowzero))
        }
        Op::Flatten { axis } => one(shape::flatten(&x, *axis)),
        Op::Squeeze { axes } => {
            let axes = match (axes, c.get(1).copied().flatten()) {
                (Some(a), _) => Some(a.clone()),
                (None, Some(t)) => Some(int_list(node, t, "the axes")?),
                (None, None) if node.inputs.get(1).copied().flatten().is_some() => {
                    return Err(node.unsupported("the axes are computed at run time; only constant axes are supported"))
                }
                (None, None) => None,
            };
            one(shape::squeeze(&x, axes.as_deref()))
        }
        Op::Unsqueeze { axes } => {
            let axes = match (axes, c.get(1).copied().flatten()) {
                (Some(a), _) => a.clone(),
                (None, Some(t)) => int_list(node, t, "the axes")?,
                (None, None) => return Err(node.unsupported("the axes are missing or computed at run time")),
            };
            one(shape::unsqueeze(&x, &axes))
        }
        Op::Transpose { perm } => {
            let perm: Vec<usize> = match perm {
                Some(p) => p.iter().map(|&a| shape::norm_axis(a, x.len(), false)).collect::<Result<_, _>>().map_err(|e| node.invalid(e))?,
                None => (0..x.len()).rev().collect(),
            };
            if perm.len() != x.len() {
                return Err(node.invalid(format!("permutation {perm:?} does not fit rank {}", x.len())));
            }
            one(Ok(perm.iter().map(|&p| x[p]).collect()))
        }
        Op::Conv(a) => {
            let w = c.get(1).copied().flatten().ok_or_else(|| node.unsupported("the weights are computed at run time; only constant weights are supported"))?;
            let g = crate::spatial::conv(node, a, &x, w.shape())?;
            let o = g.output;
            one(Ok(vec![1, o.channels, o.height, o.width]))
        }
        Op::MaxPool(a) => {
            let o = crate::spatial::pool(node, a, &x)?.output;
            one(Ok(vec![1, o.channels, o.height, o.width]))
        }
        Op::TopK { axis, k, .. } => {
            let k = match (k, c.get(1).copied().flatten()) {
                (Some(k), _) => *k,
                (None, Some(t)) => match t.as_ints().as_deref() {
                    Some(&[k]) => k,
                    _ => return Err(node.invalid(format!("K must be one integer, found {:?}", t.data()))),
                },
                (None, None) => return Err(node.unsupported("K is computed at run time; only a constant K is supported")),
            };
            let a = shape::norm_axis(*axis, x.len(), false).map_err(|e| node.invalid(e))?;
            if k < 1 || k as usize > x[a] {
                return Err(node.invalid(format!("K = {k} is out of range for axis {a} of size {}", x[a])));
            }
            let mut out = x.clone();
            out[a] = k as usize;
            Ok(vec![Some(out.clone()), Some(out)])
        }
        _ => Ok(vec![None; n_out]),
    }
}
