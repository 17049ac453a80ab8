//! The network on candle: convolutions (each maybe max-pooled) and fully connected layers,
//! batch-norm on every hidden layer (per channel after a convolution), one positive logit
//! scale, and the quantizer of the method in the forward pass.
//!
//! Every weight is a matrix `[out, fan_in]`, a convolution's row being one output channel's
//! kernel in candle's `(channel, ky, kx)` order, so each method quantizes convolutions and
//! dense layers alike. Feature maps travel channels-last (`[batch, height, width, channels]`,
//! the order of the integer model); a convolution turns them to candle's NCHW and back, and a
//! dense layer after a convolution reads the channels-last vector as the exported model does.
//! A max-pool follows the activation, as in the exported model, where it follows the threshold.
//!
//! Straight-through estimators are written as `x + (q(x) − x).detach()`: the forward pass sees
//! `q(x)`, the backward pass the gradient of `x` (candle has no custom autodiff, and needs none).
//!
//! Per method, with `h = clamp(y, lo, hi)` for a batch-norm output `y`:
//!
//! | method | weights used | hidden activation | layer input |
//! | --- | --- | --- | --- |
//! | float | `W` | `clamp(y, 0, 1)` | as is |
//! | bnn | `sign(W)` (latent `W` clipped to [−1, 1]) | `sign(y)`, gradient gated by `|y| ≤ 1` | as is |
//! | xnor | `α·sign(W)`, `α = mean|W|` per output (not on the last layer) | as bnn | as is |
//! | horq:k | as xnor | `clamp(y, −1, 1)` | `Σᵢ βᵢHᵢ`, residual binarization of order k (pixels centred to `x − 0.5` first) |
//! | inq:b | quantized part `ŵ` (frozen), the rest `W` | `round(255·clamp(y, 0, 1))/255` | as is |
//! | qil:w/a | `round(q·T(W))/q`, the QIL weight transformer | `round(q·T(y))/q`, activation transformer | as is |
//!
//! `sign(0) = +1` everywhere. The last layer has no batch-norm and no per-output scale, so the
//! predicted class is the argmax of the integer accumulators the exported model computes.

use crate::spec::{Arch, LayerShape, Method};
use anyhow::{bail, Result};
use bitloom_compiler::quantize::InqLevels;
use candle_core::{DType, Device, Tensor, Var, D};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Batch-norm parameters and running statistics.
pub struct Bn {
    /// Scale γ.
    pub gamma: Var,
    /// Shift β.
    pub beta: Var,
    /// Running mean.
    pub mean: Tensor,
    /// Running (unbiased) variance.
    pub var: Tensor,
}

/// Batch-norm ε.
pub const BN_EPS: f64 = 1e-5;
const BN_MOMENTUM: f64 = 0.1;

/// QIL's learned intervals for one layer (scalars).
pub struct QilParams {
    /// Weight interval centre `c_W`.
    pub cw: Var,
    /// Weight interval half-width (raw; `d = |raw| + 1e-3`).
    pub dw: Var,
    /// Weight exponent `γ` (clamped to [0.2, 5] in use).
    pub gw: Var,
    /// Activation interval centre `c_X`.
    pub cx: Var,
    /// Activation half-width (raw).
    pub dx: Var,
}

/// INQ's state for one layer.
pub struct InqState {
    /// The layer's levels (from the float weights).
    pub levels: InqLevels,
    /// 1 where the weight is quantized and frozen (U8, same shape as the weights).
    pub mask: Tensor,
    /// The quantized values (f32).
    pub wq: Tensor,
}

/// The network.
pub struct Net {
    /// The architecture.
    pub arch: Arch,
    /// Its weight layers, input first.
    pub shapes: Vec<LayerShape>,
    /// The method in the forward pass.
    pub method: Method,
    /// Binarize the pixels (`x ≥ 0.5` → +1, else −1) before the first layer, as FINN's TFC
    /// does, so the first layer is XNOR-popcount too (BNN and XNOR-Net only).
    pub binary_input: bool,
    /// Weights, `[out, in]` per layer.
    pub w: Vec<Var>,
    /// Batch-norm of every hidden layer.
    pub bn: Vec<Bn>,
    /// Logits are `exp(log_scale) · z`.
    pub log_scale: Var,
    /// QIL parameters per layer (empty unless QIL).
    pub qil: Vec<QilParams>,
    /// INQ state per layer (empty unless INQ).
    pub inq: Vec<InqState>,
}

fn scalar(v: f32) -> Result<Var> {
    Ok(Var::from_tensor(&Tensor::new(&[v], &Device::Cpu)?)?)
}

/// `+1` where `x ≥ 0`, else `−1` (no gradient).
pub fn sign0(x: &Tensor) -> Result<Tensor> {
    Ok(x.detach().ge(0.0)?.to_dtype(DType::F32)?.affine(2.0, -1.0)?)
}

/// Forward `q`, backward the identity on `x`.
pub fn ste(x: &Tensor, q: &Tensor) -> Result<Tensor> {
    Ok((x + (q - x)?.detach())?)
}

/// HORQ's residual binarization of every row of `x` (`[batch, n]`) with order `k`, straight
/// through: `R⁰ = x`, `βᵢ = mean|Rⁱ⁻¹|`, `Hᵢ = sign(Rⁱ⁻¹)`, `Rⁱ = Rⁱ⁻¹ − βᵢHᵢ`, output `Σ βᵢHᵢ`.
pub fn horq(x: &Tensor, k: u32) -> Result<Tensor> {
    let mut r = x.detach();
    let mut approx = r.zeros_like()?;
    for _ in 0..k {
        let beta = r.abs()?.mean_keepdim(D::Minus1)?;
        let h = sign0(&r)?;
        let bh = h.broadcast_mul(&beta)?;
        approx = (approx + &bh)?;
        r = (r - bh)?;
    }
    ste(x, &approx)
}

impl Net {
    /// A fresh network: weights uniform in ±1/√fan_in (seeded), γ = 1, β = 0.
    pub fn new(arch: &Arch, method: Method, seed: u64) -> Result<Net> {
        let shapes = arch.layers()?;
        if matches!(method, Method::Horq(_)) && shapes.iter().any(|l| matches!(l, LayerShape::Conv { .. })) {
            bail!("HORQ is for dense layers: the integer model has no residual-binarized convolution (horq_dense only); use mlp:…");
        }
        let dev = Device::Cpu;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut w = Vec::new();
        let mut bn = Vec::new();
        for (l, shape) in shapes.iter().enumerate() {
            let (fan_in, out) = (shape.fan_in(), shape.out());
            let bound = 1.0 / (fan_in as f32).sqrt();
            let vals: Vec<f32> = (0..out * fan_in).map(|_| rng.gen_range(-bound..bound)).collect();
            w.push(Var::from_tensor(&Tensor::from_vec(vals, (out, fan_in), &dev)?)?);
            if l + 1 < shapes.len() {
                bn.push(Bn {
                    gamma: Var::from_tensor(&Tensor::ones(out, DType::F32, &dev)?)?,
                    beta: Var::from_tensor(&Tensor::zeros(out, DType::F32, &dev)?)?,
                    mean: Tensor::zeros(out, DType::F32, &dev)?,
                    var: Tensor::ones(out, DType::F32, &dev)?,
                });
            }
        }
        // A CNN's classifier reads a whole feature map, hundreds of ±1 inputs for binary
        // methods, so its logits would start saturated: the scale starts at 1/√fan_in. MLPs
        // keep scale 1, the setting the accuracy table was trained with.
        let binary = matches!(method, Method::Bnn | Method::Xnor);
        let log_scale = match (arch, shapes.last()) {
            (Arch::Cnn { .. }, Some(last)) if binary => -0.5 * (last.fan_in() as f32).ln(),
            _ => 0.0,
        };
        let net = Net {
            arch: arch.clone(),
            shapes,
            method,
            binary_input: false,
            w,
            bn,
            log_scale: scalar(log_scale)?,
            qil: Vec::new(),
            inq: Vec::new(),
        };
        Ok(net)
    }

    /// Number of weight layers.
    pub fn layers(&self) -> usize {
        self.w.len()
    }

    /// Whether layer `l` is hidden (followed by batch-norm and an activation).
    pub fn hidden(&self, l: usize) -> bool {
        l + 1 < self.layers()
    }

    /// The parameters the optimizer trains. INQ freezes its quantized weights by masking, so
    /// the weights stay in the list.
    pub fn vars(&self) -> Vec<Var> {
        let mut v: Vec<Var> = self.w.clone();
        for b in &self.bn {
            v.push(b.gamma.clone());
            v.push(b.beta.clone());
        }
        v.push(self.log_scale.clone());
        for q in &self.qil {
            v.extend([q.cw.clone(), q.dw.clone(), q.gw.clone(), q.cx.clone(), q.dx.clone()]);
        }
        v
    }

    /// Starts QIL from the current weights: weight interval `[0, 0.8·max|W|]`, `γ = 1`, and the
    /// activation interval `[0, 1]` (so the first forward pass matches the float network's
    /// `clamp(y, 0, 1)` up to rounding).
    pub fn init_qil(&mut self, w_bits: u32, a_bits: u32) -> Result<()> {
        self.qil.clear();
        for w in &self.w {
            let m = w.as_tensor().abs()?.max_all()?.to_scalar::<f32>()?;
            self.qil.push(QilParams {
                cw: scalar(0.4 * m)?,
                dw: scalar(0.4 * m)?,
                gw: scalar(1.0)?,
                cx: scalar(0.5)?,
                dx: scalar(0.5)?,
            });
        }
        self.method = Method::Qil { w: w_bits, a: a_bits };
        Ok(())
    }

    /// The QIL interval of layer `l`'s weights and activations as plain numbers.
    pub fn qil_intervals(&self, l: usize) -> Result<(bitloom_compiler::quantize::QilInterval, bitloom_compiler::quantize::QilInterval)> {
        let q = &self.qil[l];
        let s = |v: &Var| -> Result<f32> { Ok(v.as_tensor().to_vec1::<f32>()?[0]) };
        let w = bitloom_compiler::quantize::QilInterval { c: s(&q.cw)?, d: s(&q.dw)?.abs() + 1e-3, gamma: s(&q.gw)?.clamp(0.2, 5.0) };
        let x = bitloom_compiler::quantize::QilInterval { c: s(&q.cx)?, d: s(&q.dx)?.abs() + 1e-3, gamma: 1.0 };
        Ok((w, x))
    }

    /// The weights layer `l` computes with.
    pub fn effective_weight(&self, l: usize) -> Result<Tensor> {
        let w = self.w[l].as_tensor();
        Ok(match self.method {
            Method::Float => w.clone(),
            Method::Bnn => ste(w, &sign0(w)?)?,
            Method::Xnor | Method::Horq(_) => {
                let b = ste(w, &sign0(w)?)?;
                if self.hidden(l) {
                    b.broadcast_mul(&w.abs()?.mean_keepdim(1)?)?
                } else {
                    b
                }
            }
            Method::Inq(_) => match self.inq.get(l) {
                Some(s) => s.mask.where_cond(&s.wq, w)?,
                None => w.clone(),
            },
            Method::Qil { w: bits, .. } => {
                let q = &self.qil[l];
                let d = (q.dw.as_tensor().abs()? + 1e-3)?;
                let alpha = (d.recip()? * 0.5)?;
                let beta = ((q.cw.as_tensor() * -0.5)?.div(&d)? + 0.5)?;
                let gamma = q.gw.as_tensor().clamp(0.2, 5.0)?;
                let base = w.abs()?.broadcast_mul(&alpha)?.broadcast_add(&beta)?.clamp(1e-12, 1.0)?;
                let t = base.log()?.broadcast_mul(&gamma)?.exp()?;
                let hat = (t * sign0(w)?)?;
                let levels = ((1u32 << (bits - 1)) - 1) as f64;
                let q = ((&hat * levels)?.round()? / levels)?;
                ste(&hat, &q)?
            }
        })
    }

    /// Batch-norm of hidden layer `l`; in training, batch statistics and a running-average update.
    fn batch_norm(&mut self, l: usize, z: &Tensor, train: bool) -> Result<Tensor> {
        let bn = &mut self.bn[l];
        let (mean, var) = if train {
            let mean = z.mean_keepdim(0)?;
            let var = z.broadcast_sub(&mean)?.sqr()?.mean_keepdim(0)?;
            let n = z.dim(0)? as f64;
            let unbiased = (var.detach().squeeze(0)? * (n / (n - 1.0).max(1.0)))?;
            bn.mean = ((&bn.mean * (1.0 - BN_MOMENTUM))? + (mean.detach().squeeze(0)? * BN_MOMENTUM)?)?;
            bn.var = ((&bn.var * (1.0 - BN_MOMENTUM))? + (unbiased * BN_MOMENTUM)?)?;
            (mean, var)
        } else {
            (bn.mean.unsqueeze(0)?, bn.var.unsqueeze(0)?)
        };
        let xhat = z.broadcast_sub(&mean)?.broadcast_div(&(var + BN_EPS)?.sqrt()?)?;
        Ok(xhat.broadcast_mul(bn.gamma.as_tensor())?.broadcast_add(bn.beta.as_tensor())?)
    }

    /// The activation after hidden layer `l`'s batch-norm.
    fn activation(&self, l: usize, y: &Tensor) -> Result<Tensor> {
        Ok(match self.method {
            Method::Float => y.clamp(0.0, 1.0)?,
            Method::Bnn | Method::Xnor => ste(&y.clamp(-1.0, 1.0)?, &sign0(y)?)?,
            Method::Horq(_) => y.clamp(-1.0, 1.0)?,
            Method::Inq(_) => {
                let c = y.clamp(0.0, 1.0)?;
                ste(&c, &((&c * 255.0)?.round()? / 255.0)?)?
            }
            Method::Qil { a: bits, .. } => {
                let q = &self.qil[l];
                let d = (q.dx.as_tensor().abs()? + 1e-3)?;
                let alpha = (d.recip()? * 0.5)?;
                let beta = ((q.cx.as_tensor() * -0.5)?.div(&d)? + 0.5)?;
                let hat = y.broadcast_mul(&alpha)?.broadcast_add(&beta)?.clamp(0.0, 1.0)?;
                let levels = ((1u32 << bits) - 1) as f64;
                ste(&hat, &((&hat * levels)?.round()? / levels)?)?
            }
        })
    }

    /// Logits for a batch `x` of `[batch, input_len]` pixels scaled to [0, 1] (channels-last).
    pub fn forward(&mut self, x: &Tensor, train: bool) -> Result<Tensor> {
        let mut a = if self.binary_input { sign0(&(x - 0.5)?)? } else { x.clone() };
        let batch = x.dim(0)?;
        for l in 0..self.layers() {
            if let Method::Horq(k) = self.method {
                // Pixels are all ≥ 0, so their first-order sign carries nothing: centre them.
                if l == 0 {
                    a = (a - 0.5)?;
                }
                a = horq(&a, k)?;
            }
            let w = self.effective_weight(l)?;
            match self.shapes[l] {
                LayerShape::Dense { .. } => {
                    let z = a.matmul(&w.t()?)?;
                    if self.hidden(l) {
                        let y = self.batch_norm(l, &z, train)?;
                        a = self.activation(l, &y)?;
                    } else {
                        a = z.broadcast_mul(&self.log_scale.as_tensor().exp()?)?;
                    }
                }
                LayerShape::Conv { channels, height, width, kernel, out, pool } => {
                    let nchw = a.reshape((batch, height, width, channels))?.permute((0, 3, 1, 2))?.contiguous()?;
                    let z = nchw.conv2d(&w.reshape((out, channels, kernel, kernel))?, 0, 1, 1, 1)?;
                    let (oh, ow) = (z.dim(2)?, z.dim(3)?);
                    // Batch-norm and the activation per channel: one row per pixel.
                    let rows = z.permute((0, 2, 3, 1))?.reshape((batch * oh * ow, out))?;
                    let y = self.batch_norm(l, &rows, train)?;
                    let mut act = self.activation(l, &y)?.reshape((batch, oh, ow, out))?;
                    if pool > 1 {
                        act = act.permute((0, 3, 1, 2))?.contiguous()?.max_pool2d(pool)?.permute((0, 2, 3, 1))?;
                    }
                    a = act.contiguous()?.reshape((batch, ()))?;
                }
            }
        }
        Ok(a)
    }

    /// Keeps BNN/XNOR/HORQ latent weights in [−1, 1] (BNN's clipping).
    pub fn clip(&self) -> Result<()> {
        if matches!(self.method, Method::Bnn | Method::Xnor | Method::Horq(_)) {
            for w in &self.w {
                w.set(&w.as_tensor().clamp(-1.0, 1.0)?)?;
            }
        }
        Ok(())
    }
}
