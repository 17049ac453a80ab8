//! Training loops: plain training (float, BNN, XNOR-Net, HORQ), INQ's incremental
//! quantization, and QIL's progressive fine-tuning; evaluation.

use crate::dataset::{Dataset, Split};
use crate::net::{InqState, Net};
use crate::spec::Method;
use anyhow::{bail, Result};
use bitloom_compiler::quantize::{inq_partition, InqLevels};
use candle_core::{DType, Device, Tensor};
use candle_nn::{AdamW, Optimizer, ParamsAdamW};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// How to train.
#[derive(Clone, Debug)]
pub struct TrainOptions {
    /// Passes over the training set.
    pub epochs: usize,
    /// Examples per step.
    pub batch: usize,
    /// Adam's learning rate at the start (cosine decay to zero over the epochs).
    pub lr: f64,
    /// Seed for shuffling.
    pub seed: u64,
    /// Show progress bars.
    pub progress: bool,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions { epochs: 10, batch: 100, lr: 2e-3, seed: 1, progress: true }
    }
}

/// A batch of images as `[n, len]` floats in [0, 1].
pub fn images_tensor(split: &Split, idx: &[usize], len: usize) -> Result<Tensor> {
    let mut v = Vec::with_capacity(idx.len() * len);
    for &i in idx {
        let pixels = &split.images[i * len..(i + 1) * len];
        v.extend(pixels.iter().map(|&p| f32::from(p) / f32::from(crate::dataset::PIXEL_DIVISOR)));
    }
    Ok(Tensor::from_vec(v, (idx.len(), len), &Device::Cpu)?)
}

/// Test accuracy (fraction) of the network as candle computes it.
pub fn evaluate(net: &mut Net, split: &Split, len: usize) -> Result<f64> {
    let preds = predict(net, split, len)?;
    Ok(preds.iter().zip(&split.labels).filter(|(p, l)| **p == usize::from(**l)).count() as f64 / split.len() as f64)
}

/// Predicted classes, in evaluation mode: the first largest logit, the rule the reference
/// executor's `argmax` follows (binarized networks tie often).
pub fn predict(net: &mut Net, split: &Split, len: usize) -> Result<Vec<usize>> {
    let mut out = Vec::with_capacity(split.len());
    let idx: Vec<usize> = (0..split.len()).collect();
    for chunk in idx.chunks(1000) {
        let logits = net.forward(&images_tensor(split, chunk, len)?, false)?.to_vec2::<f32>()?;
        out.extend(logits.iter().map(|row| {
            row.iter().enumerate().fold(0, |best, (i, &v)| if v > row[best] { i } else { best })
        }));
    }
    Ok(out)
}

/// Trains `net` on `data.train` for `opts.epochs`; returns the final test accuracy.
pub fn train(net: &mut Net, data: &Dataset, opts: &TrainOptions, label: &str) -> Result<f64> {
    if data.image_len != net.arch.input_len() {
        bail!("the dataset's images have {} pixels, the network's input {}", data.image_len, net.arch.input_len());
    }
    if data.classes > net.arch.classes() {
        bail!("the dataset has {} classes, the network {} outputs", data.classes, net.arch.classes());
    }
    let mut opt = AdamW::new(net.vars(), ParamsAdamW { lr: opts.lr, weight_decay: 0.0, ..Default::default() })?;
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let n = data.train.len();
    let steps = n.div_ceil(opts.batch);
    let bar = crate::progress_bar(opts.progress, (opts.epochs * steps) as u64, label);
    let mut acc = 0.0;
    for epoch in 0..opts.epochs {
        let lr = opts.lr * 0.5 * (1.0 + (std::f64::consts::PI * epoch as f64 / opts.epochs as f64).cos());
        opt.set_learning_rate(lr);
        let mut order: Vec<usize> = (0..n).collect();
        order.shuffle(&mut rng);
        let (mut loss_sum, mut seen) = (0.0, 0usize);
        for chunk in order.chunks(opts.batch) {
            if chunk.len() < 2 {
                continue; // batch-norm needs two examples
            }
            let x = images_tensor(&data.train, chunk, data.image_len)?;
            let y: Vec<u32> = chunk.iter().map(|&i| u32::from(data.train.labels[i])).collect();
            let y = Tensor::from_vec(y, chunk.len(), &Device::Cpu)?;
            let logits = net.forward(&x, true)?;
            let loss = candle_nn::loss::cross_entropy(&logits, &y)?;
            opt.backward_step(&loss)?;
            net.clip()?;
            loss_sum += f64::from(loss.to_dtype(DType::F32)?.to_scalar::<f32>()?) * chunk.len() as f64;
            seen += chunk.len();
            bar.inc(1);
        }
        acc = evaluate(net, &data.test, data.image_len)?;
        bar.set_message(format!("epoch {}/{} loss {:.3} test {:.2} %", epoch + 1, opts.epochs, loss_sum / seen.max(1) as f64, 100.0 * acc));
    }
    bar.finish_and_clear();
    Ok(acc)
}

/// INQ (Zhou et al. 2017) from a trained float network: for each accumulated portion (50 %,
/// 75 %, 87.5 %, 100 %) the largest-magnitude weights of every layer (first and last too) are
/// quantized to `{0, ±2^n2 … ±2^n1}` and frozen, and the rest retrained for `opts.epochs`
/// (batch-norm and the logit scale keep training throughout).
pub fn inq(net: &mut Net, bits: u32, data: &Dataset, opts: &TrainOptions) -> Result<f64> {
    net.method = Method::Inq(bits);
    net.inq.clear();
    for w in &net.w {
        let m = w.as_tensor().abs()?.max_all()?.to_scalar::<f32>()?;
        let Some(levels) = InqLevels::new(m, bits) else { bail!("a layer has only zero weights") };
        let shape = w.as_tensor().shape().clone();
        net.inq.push(InqState {
            levels,
            mask: Tensor::zeros(&shape, DType::U8, &Device::Cpu)?,
            wq: Tensor::zeros(&shape, DType::F32, &Device::Cpu)?,
        });
    }
    let mut acc = 0.0;
    for (step, portion) in [0.5, 0.75, 0.875, 1.0].into_iter().enumerate() {
        for l in 0..net.layers() {
            let current = net.effective_weight(l)?.flatten_all()?.to_vec1::<f32>()?;
            let old_mask = net.inq[l].mask.flatten_all()?.to_vec1::<u8>()?;
            let old_q = net.inq[l].wq.flatten_all()?.to_vec1::<f32>()?;
            let chosen = inq_partition(&current, portion);
            let levels = net.inq[l].levels;
            let (mut mask, mut q) = (Vec::with_capacity(current.len()), Vec::with_capacity(current.len()));
            for i in 0..current.len() {
                let frozen = old_mask[i] == 1 || chosen[i];
                mask.push(u8::from(frozen));
                q.push(if old_mask[i] == 1 { old_q[i] } else if frozen { levels.quantize(current[i]) } else { 0.0 });
            }
            let shape = net.w[l].as_tensor().shape().clone();
            net.inq[l].mask = Tensor::from_vec(mask, &shape, &Device::Cpu)?;
            net.inq[l].wq = Tensor::from_vec(q, &shape, &Device::Cpu)?;
        }
        // After the last portion every weight is frozen; one epoch settles batch-norm.
        let epochs = if portion < 1.0 { opts.epochs } else { 1 };
        let o = TrainOptions { epochs, seed: opts.seed + step as u64, ..opts.clone() };
        acc = train(net, data, &o, &format!("inq:{bits} {:.1} %", portion * 100.0))?;
    }
    Ok(acc)
}

/// QIL (Jung et al. 2019) from a trained float network, fine-tuned progressively: 5/5, then one
/// bit less on each side per stage down to `w/a` bits, `opts.epochs` per stage, the intervals
/// trained with the task loss.
pub fn qil(net: &mut Net, w_bits: u32, a_bits: u32, data: &Dataset, opts: &TrainOptions) -> Result<f64> {
    let mut stages = Vec::new();
    let (mut w, mut a) = (w_bits.max(5), a_bits.max(5));
    loop {
        stages.push((w, a));
        if (w, a) == (w_bits, a_bits) {
            break;
        }
        w = (w - 1).max(w_bits);
        a = (a - 1).max(a_bits);
    }
    net.init_qil(stages[0].0, stages[0].1)?;
    let mut acc = 0.0;
    for (i, &(w, a)) in stages.iter().enumerate() {
        net.method = Method::Qil { w, a };
        let o = TrainOptions { seed: opts.seed + i as u64, ..opts.clone() };
        acc = train(net, data, &o, &format!("qil:{w}/{a}"))?;
    }
    Ok(acc)
}
