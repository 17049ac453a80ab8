//! Export of a trained network to the integer model the hardware runs (`Model`).
//!
//! Every layer's input is an integer code `c` standing for the value `s·c` (pixels: `s = 1/255`;
//! bipolar activations: `s = 1`; b-bit activations: `s = 1/(2^b − 1)`). A layer accumulates
//! `acc = Σ w_int·c` exactly, and its batch-norm output is `y = scale·acc + bias` with
//!
//! ```text
//! scale = γ · ws · s / √(σ² + ε),   bias = β − γ·μ / √(σ² + ε)
//! ```
//!
//! where `ws` is the weight scale (XNOR-Net's α per output, INQ's `2^n2`, QIL's `1/q`). The
//! activation's steps `y ≥ levelₖ` become integer thresholds on `acc`
//! ([`bitloom_compiler::quantize::affine_thresholds`]); a negative `scale` negates that output's
//! weight row so every comparison stays `≥`. HORQ folds the batch-norm into the next layer's
//! fixed-point prescale instead. The last layer has no batch-norm, so its raw accumulators
//! rank the classes as the float logits do.
//!
//! A convolution becomes a `conv2d` layer whose kernels are reordered to the model's
//! channels-last `(ky, kx, channel)` columns, its thresholds one row per output channel, and
//! its pooling a `max_pool2d` after the thresholds (max-pooling commutes with a monotone
//! quantizer, so pooling the codes equals quantizing the pooled values).

use crate::net::{Net, BN_EPS};
use crate::spec::{LayerShape, Method};
use anyhow::{bail, Result};
use bitloom_compiler::model::*;
use bitloom_compiler::quantize::affine_thresholds;
use bitloom_compiler::types::DataType;
use bitloom_compiler::verify::{value_ranges, verify};

/// Fractional bits of HORQ's fixed-point residuals (`±1.0` is `±2^16`): β is a floor of a
/// mean, so its relative error is about `2^-16 / mean|R|`.
pub const HORQ_FRAC_BITS: u32 = 16;

/// Extra fractional bits of the first HORQ layer's centred pixels (`2p − 255` scaled by `2^8`).
pub const HORQ_PIXEL_BITS: u32 = 8;

fn vec1(t: &candle_core::Tensor) -> Result<Vec<f32>> {
    Ok(t.flatten_all()?.to_vec1::<f32>()?)
}

/// Batch-norm of hidden layer `l` as `(γ/√(σ²+ε), β − γμ/√(σ²+ε))` per output.
fn bn_affine(net: &Net, l: usize) -> Result<Vec<(f64, f64)>> {
    let bn = &net.bn[l];
    let (g, b, m, v) = (vec1(bn.gamma.as_tensor())?, vec1(bn.beta.as_tensor())?, vec1(&bn.mean)?, vec1(&bn.var)?);
    Ok((0..g.len())
        .map(|i| {
            let k = f64::from(g[i]) / (f64::from(v[i]) + BN_EPS).sqrt();
            (k, f64::from(b[i]) - k * f64::from(m[i]))
        })
        .collect())
}

/// The value range after the layers built so far (`lo ..= hi` of the last one).
fn last_range(model: &Model) -> (i64, i64) {
    value_ranges(model).last().copied().unwrap_or((model.input.dtype.min(), model.input.dtype.max()))
}

/// Threshold layer for hidden layer `l`: `scale[r]·acc + bias[r] ≥ level` for each level;
/// returns the rows whose scale is negative (their weights must be negated).
fn thresholds(name: String, affine: &[(f64, f64)], levels: &[f64], range: (i64, i64), output: ThresholdOutput) -> (Layer, Vec<bool>) {
    let mut values = Vec::with_capacity(affine.len() * levels.len());
    let mut negate = Vec::with_capacity(affine.len());
    for &(scale, bias) in affine {
        values.extend(affine_thresholds(scale, bias, levels, range.0, range.1));
        negate.push(scale < 0.0);
    }
    let table = ThresholdTable::new(affine.len(), levels.len(), values).expect("rows × steps values");
    (Layer::Threshold(MultiThreshold { name, thresholds: table, output }), negate)
}

fn sign_matrix(w: &[f32], rows: usize, cols: usize) -> BitMatrix {
    let mut m = BitMatrix::zeros(rows, cols);
    for r in 0..rows {
        for c in 0..cols {
            m.set(r, c, w[r * cols + c] >= 0.0);
        }
    }
    m
}

/// A layer's integer weights, rows in candle's column order.
enum Weights {
    Bits(BitMatrix),
    Ints(Vec<i32>, WeightType),
}

/// The matrix layer `l` of `net` with `weights`: a dense layer, or a convolution whose rows are
/// reordered from candle's `(channel, ky, kx)` to the model's channels-last `(ky, kx, channel)`.
fn matrix_layer(net: &Net, l: usize, weights: Weights) -> Layer {
    let shape = net.shapes[l];
    let (rows, cols) = (shape.out(), shape.fan_in());
    match shape {
        LayerShape::Dense { .. } => match weights {
            Weights::Bits(m) => Layer::BinaryDense(BinaryDense { name: format!("fc{l}"), weights: m }),
            Weights::Ints(v, t) => Layer::Dense(IntDense {
                name: format!("fc{l}"),
                weights: IntMatrix::new(rows, cols, v).expect("rows × cols"),
                weight_type: t,
            }),
        },
        LayerShape::Conv { channels, height, width, kernel, .. } => {
            // Model column (ky·K + kx)·C + c holds candle column c·K·K + ky·K + kx.
            let from = |col: usize| {
                let (pos, c) = (col / channels, col % channels);
                c * kernel * kernel + pos
            };
            let weights = match weights {
                Weights::Bits(m) => {
                    let mut out = BitMatrix::zeros(rows, cols);
                    for r in 0..rows {
                        for col in 0..cols {
                            out.set(r, col, m.get(r, from(col)));
                        }
                    }
                    ConvWeights::Binary(out)
                }
                Weights::Ints(v, t) => {
                    let out = (0..rows * cols).map(|i| v[(i / cols) * cols + from(i % cols)]).collect();
                    ConvWeights::Int(IntMatrix::new(rows, cols, out).expect("rows × cols"), t)
                }
            };
            Layer::Conv2d(Conv2d {
                name: format!("conv{l}"),
                input: FeatureMap { channels, height, width },
                kernel,
                stride: 1,
                weights,
            })
        }
    }
}

/// Negates the rows `negate` marks of the matrix layer `layer` (so `scale < 0` becomes `> 0`).
fn negate_rows(layer: &mut Layer, negate: &[bool]) {
    let flip_bits = |m: &mut BitMatrix| {
        for r in (0..m.rows()).filter(|&r| negate[r]) {
            for c in 0..m.cols() {
                let v = m.get(r, c);
                m.set(r, c, !v);
            }
        }
    };
    let flip_ints = |m: &IntMatrix| {
        let cols = m.cols();
        let v = m.values().iter().enumerate().map(|(i, &x)| if negate[i / cols] { -x } else { x }).collect();
        IntMatrix::new(m.rows(), cols, v).expect("same shape")
    };
    match layer {
        Layer::BinaryDense(d) => flip_bits(&mut d.weights),
        Layer::Dense(d) => d.weights = flip_ints(&d.weights),
        Layer::Conv2d(c) => match &mut c.weights {
            ConvWeights::Binary(m) => flip_bits(m),
            ConvWeights::Int(m, _) => *m = flip_ints(m),
        },
        _ => unreachable!("only matrix layers have rows of weights"),
    }
}

/// After hidden layer `l`'s matrix: its thresholds (rows negated where the scale is negative)
/// and, for a pooled convolution, the max-pool.
fn activation_layers(model: &mut Model, net: &Net, l: usize, affine: &[(f64, f64)], levels: &[f64], output: ThresholdOutput) {
    let range = last_range(model);
    let (layer, negate) = thresholds(format!("act{l}"), affine, levels, range, output);
    if let Some(matrix) = model.layers.last_mut() {
        negate_rows(matrix, &negate);
    }
    model.layers.push(layer);
    if let (LayerShape::Conv { out, pool, .. }, Some((height, width))) = (net.shapes[l], net.shapes[l].conv_out()) {
        if pool > 1 {
            model.layers.push(Layer::MaxPool2d(MaxPool2d {
                name: format!("pool{l}"),
                input: FeatureMap { channels: out, height, width },
                kernel: pool,
                stride: pool,
            }));
        }
    }
}

/// The integer model of `net` for images of `input_shape` (8-bit pixels).
pub fn export(net: &Net, name: &str, input_shape: &[usize]) -> Result<Model> {
    let input = InputSpec { convention: crate::dataset::convention(), ..InputSpec::new(input_shape.to_vec(), DataType::UInt(8)) };
    let mut model = Model::new(name, input, Vec::new());
    // The float network saw a pixel p as p/255 (the convention the model records).
    let mut s_in = model.input.convention.scale;
    if net.binary_input {
        if !matches!(net.method, Method::Bnn | Method::Xnor) {
            bail!("binarized input is for BNN and XNOR-Net networks");
        }
        // x ≥ 0.5 ⟺ p/255 ≥ 0.5 ⟺ p ≥ 128 for integer pixels.
        let table = ThresholdTable::new(1, 1, vec![128]).expect("one threshold");
        model.layers.push(Layer::Threshold(MultiThreshold { name: "in_quant".into(), thresholds: table, output: ThresholdOutput::Bipolar }));
        s_in = 1.0;
    }
    for l in 0..net.layers() {
        let (rows, cols) = (net.shapes[l].out(), net.shapes[l].fan_in());
        let w = vec1(net.w[l].as_tensor())?;
        let hidden = net.hidden(l);
        match net.method {
            Method::Float => bail!("a float network has no integer form: quantize it first (bitloom quantize)"),
            Method::Bnn | Method::Xnor => {
                let alpha: Vec<f64> = if net.method == Method::Xnor && hidden {
                    (0..rows).map(|r| w[r * cols..(r + 1) * cols].iter().map(|v| f64::from(v.abs())).sum::<f64>() / cols as f64).collect()
                } else {
                    vec![1.0; rows]
                };
                model.layers.push(matrix_layer(net, l, Weights::Bits(sign_matrix(&w, rows, cols))));
                if hidden {
                    let affine: Vec<(f64, f64)> =
                        bn_affine(net, l)?.iter().zip(&alpha).map(|(&(k, b), &a)| (k * a * s_in, b)).collect();
                    activation_layers(&mut model, net, l, &affine, &[0.0], ThresholdOutput::Bipolar);
                    s_in = 1.0;
                }
            }
            Method::Inq(bits) => {
                let Some(state) = net.inq.get(l) else { bail!("INQ state missing for layer {l}") };
                let wq = vec1(&state.wq)?;
                let levels = state.levels.used_by(&wq);
                let ints: Vec<i32> = wq.iter().map(|&q| levels.to_int(q)).collect();
                model.layers.push(matrix_layer(net, l, Weights::Ints(ints, WeightType::Pow2(bits))));
                if hidden {
                    let affine: Vec<(f64, f64)> = bn_affine(net, l)?.iter().map(|&(k, b)| (k * levels.scale() * s_in, b)).collect();
                    let steps: Vec<f64> = (1..=255).map(|k| (f64::from(k) - 0.5) / 255.0).collect();
                    activation_layers(&mut model, net, l, &affine, &steps, ThresholdOutput::Integer { bias: 0 });
                    s_in = 1.0 / 255.0;
                }
            }
            Method::Qil { w: wb, a: ab } => {
                let (wi, xi) = net.qil_intervals(l)?;
                let q = f64::from((1u32 << (wb - 1)) - 1);
                let ints: Vec<i32> = w.iter().map(|&v| wi.weight_int(v, wb)).collect();
                model.layers.push(matrix_layer(net, l, Weights::Ints(ints, WeightType::Int(wb))));
                if hidden {
                    let affine: Vec<(f64, f64)> = bn_affine(net, l)?.iter().map(|&(k, b)| (k * s_in / q, b)).collect();
                    let levels = xi.activation_levels(ab);
                    activation_layers(&mut model, net, l, &affine, &levels, ThresholdOutput::Integer { bias: 0 });
                    s_in = 1.0 / f64::from((1u32 << ab) - 1);
                }
            }
            Method::Horq(order) => {
                let weights = sign_matrix(&w, rows, cols);
                let layer = if l == 0 {
                    // Centred pixels in exact fixed point: R⁰ = (2p − 255)·2^8 stands for p/255 − 0.5.
                    let g = 1i64 << HORQ_PIXEL_BITS;
                    HorqDense { name: format!("fc{l}"), order, prescale: vec![(2 * g, -255 * g)], shift: 0, limit: 255 * g, weights }
                } else {
                    horq_layer(net, l, order, weights, s_in)?
                };
                model.layers.push(Layer::HorqDense(layer));
                // The next layer's input code is this layer's output y_int, in units of this
                // layer's residuals: 1/(510·2^8) after the first layer, 2^-F after the others.
                s_in = if l == 0 { 1.0 / (510.0 * f64::from(HORQ_PIXEL_BITS).exp2()) } else { (-f64::from(HORQ_FRAC_BITS)).exp2() };
            }
        }
    }
    verify(&model)?;
    Ok(model)
}

/// HORQ layer `l ≥ 1`: its input is the previous layer's `y_int` (per channel `c`), which the
/// float network sees as `clamp(BN(α_c·s·y_int), −1, 1)`. In fixed point with `F` fractional
/// bits: `R⁰ = clamp((mult·y_int + add) >> shift, ±2^F)` with `mult = round(scale·2^(F+shift))`,
/// `add = round(bias·2^(F+shift)) + 2^(shift−1)` (the half makes the floor a rounding), and
/// `shift` as large as keeps every `mult` within 30 bits and `add` within 61 (full precision).
fn horq_layer(net: &Net, l: usize, order: u32, weights: BitMatrix, s_in: f64) -> Result<HorqDense> {
    let prev = vec1(net.w[l - 1].as_tensor())?;
    let (rows_prev, cols_prev) = (net.shapes[l - 1].out(), net.shapes[l - 1].fan_in());
    let alpha: Vec<f64> = (0..rows_prev)
        .map(|r| prev[r * cols_prev..(r + 1) * cols_prev].iter().map(|v| f64::from(v.abs())).sum::<f64>() / cols_prev as f64)
        .collect();
    let affine: Vec<(f64, f64)> = bn_affine(net, l - 1)?.iter().zip(&alpha).map(|(&(k, b), &a)| (k * a * s_in, b)).collect();
    let f = HORQ_FRAC_BITS as i32;
    let kmax = affine.iter().map(|(k, _)| k.abs()).fold(0.0f64, f64::max).max(1e-300);
    let bmax = affine.iter().map(|(_, b)| b.abs()).fold(0.0f64, f64::max).max(1e-300);
    // Largest shift with every |mult| < 2^30 and |add| < 2^61.
    let by_mult = (30.0 - kmax.log2()).floor() as i32 - f;
    let by_add = (61.0 - bmax.log2()).floor() as i32 - f;
    let shift = by_mult.min(by_add).clamp(0, 44) as u32;
    let unit = f64::from(f as u32 + shift).exp2();
    let half = if shift > 0 { 1i64 << (shift - 1) } else { 0 };
    let prescale = affine.iter().map(|&(k, b)| ((k * unit).round() as i64, (b * unit).round() as i64 + half)).collect();
    Ok(HorqDense { name: format!("fc{l}"), order, prescale, shift, limit: 1 << HORQ_FRAC_BITS, weights })
}
