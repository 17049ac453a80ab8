//! The quantizers of the papers bitloom implements, as plain scalar functions: the reference
//! the training code (which runs them on tensors) is tested against, and the math the
//! exporters use to reach the integer form the hardware runs.
//!
//! - BNN (Hubara et al. 2016): [`sign`].
//! - XNOR-Net (Rastegari et al. 2016): [`xnor_scale`].
//! - INQ (Zhou et al. 2017): [`InqLevels`], [`inq_partition`].
//! - QIL (Jung et al. 2019): [`QilInterval`].
//! - HORQ (Li et al. 2017): [`residual_binarize`].
//! - Streamlining: [`affine_thresholds`] folds `scale·acc + bias ≥ level` into integer
//!   thresholds on the accumulator.

/// BNN's binarization: `sign(x)` with `sign(0) = +1`.
pub fn sign(x: f32) -> f32 {
    if x >= 0.0 {
        1.0
    } else {
        -1.0
    }
}

/// XNOR-Net's weight scale for one output channel: `α = mean|W|`, so `W ≈ α·sign(W)`.
pub fn xnor_scale(row: &[f32]) -> f32 {
    if row.is_empty() {
        return 0.0;
    }
    row.iter().map(|w| w.abs()).sum::<f32>() / row.len() as f32
}

/// INQ's allowed values for one layer: `P = {±2^n2, …, ±2^n1, 0}` with
/// `n1 = floor(log2(4·s/3))` for `s = max|W|` and `n2 = n1 + 1 − 2^(b−1)/2`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InqLevels {
    /// Largest exponent.
    pub n1: i32,
    /// Smallest exponent.
    pub n2: i32,
}

impl InqLevels {
    /// The levels for weights whose largest magnitude is `max_abs`, at `bits` bits (2..=8;
    /// one bit of the code is the zero). `None` when `max_abs` is zero or not finite.
    pub fn new(max_abs: f32, bits: u32) -> Option<InqLevels> {
        if !(max_abs.is_finite() && max_abs > 0.0 && (2..=8).contains(&bits)) {
            return None;
        }
        let n1 = (4.0 * f64::from(max_abs) / 3.0).log2().floor() as i32;
        let n2 = n1 + 1 - (1 << (bits - 1)) / 2;
        Some(InqLevels { n1, n2 })
    }

    /// The paper's rounding: `ŵ = β·sgn(w)` when `(α + β)/2 ≤ |w| < 3β/2` for adjacent
    /// levels `α < β` of `P` (with `α = 0` below `2^n2`), else 0. Magnitudes at or above
    /// `3·2^n1/2` (only possible for weights larger than the `max_abs` the levels were made for)
    /// clip to `2^n1`.
    pub fn quantize(&self, w: f32) -> f32 {
        let a = f64::from(w.abs());
        let top = 2f64.powi(self.n1);
        if a >= 1.5 * top {
            return (top as f32).copysign(w);
        }
        for e in (self.n2..=self.n1).rev() {
            let beta = 2f64.powi(e);
            let alpha = if e == self.n2 { 0.0 } else { 2f64.powi(e - 1) };
            if (alpha + beta) / 2.0 <= a && a < 1.5 * beta {
                return (beta as f32).copysign(w);
            }
        }
        0.0
    }

    /// The levels of the integer form of `weights` (quantized to these levels): the same
    /// largest exponent, and as smallest the least one a weight uses, but at most
    /// [`MAX_POW2_EXPONENT`] below the largest so every integer weight fits an `i32`. Only
    /// at 7 and 8 bits (32 and 64 levels) can a weight lie below that floor: its magnitude is
    /// under 2⁻³⁰ of the largest, and [`InqLevels::to_int`] rounds it to 0 or the floor.
    /// Dropping levels no weight uses changes no product and keeps the integers (and the
    /// hardware's sums) as small as the weights allow.
    pub fn used_by(&self, weights: &[f32]) -> InqLevels {
        let least = weights
            .iter()
            .filter(|w| **w != 0.0 && w.is_finite())
            .map(|w| f64::from(w.abs()).log2().round() as i32)
            .min()
            .unwrap_or(self.n1);
        let floor = self.n1 - MAX_POW2_EXPONENT as i32;
        InqLevels { n1: self.n1, n2: least.clamp(self.n2.max(floor), self.n1) }
    }

    /// The integer the hardware stores for a quantized weight `ŵ`: `ŵ / 2^n2` rounded, which
    /// is 0 or `±2^e` with `0 ≤ e ≤ n1 − n2` (a [`crate::model::WeightType::Pow2`] value once
    /// `n1 − n2 ≤ MAX_POW2_EXPONENT`, as [`InqLevels::used_by`] makes it).
    pub fn to_int(&self, q: f32) -> i32 {
        (f64::from(q) / 2f64.powi(self.n2)).round() as i32
    }

    /// The scale of the integer form: `ŵ = to_int(ŵ) · 2^n2`.
    pub fn scale(&self) -> f64 {
        2f64.powi(self.n2)
    }
}

/// The largest exponent of an integer power-of-two weight: `2^30` is the largest power of two
/// an `i32` holds.
pub const MAX_POW2_EXPONENT: u32 = 30;

/// INQ's pruning-inspired partition: the `fraction` of weights with the largest magnitudes
/// (ties broken by position, so the choice is deterministic) are quantized and frozen; returns
/// one flag per weight. The accumulated portions of the paper are 0.5, 0.75, 0.875, 1.
pub fn inq_partition(weights: &[f32], fraction: f64) -> Vec<bool> {
    let n = weights.len();
    let k = ((fraction.clamp(0.0, 1.0) * n as f64).round() as usize).min(n);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| weights[b].abs().total_cmp(&weights[a].abs()).then(a.cmp(&b)));
    let mut frozen = vec![false; n];
    for &i in &order[..k] {
        frozen[i] = true;
    }
    frozen
}

/// QIL's quantization interval for one layer: centre `c`, half-width `d` (both learned), and
/// for weights the exponent `γ`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QilInterval {
    /// Centre of the interval, `c`.
    pub c: f32,
    /// Half-width of the interval, `d > 0`.
    pub d: f32,
    /// Exponent of the weight transformer (1 for activations).
    pub gamma: f32,
}

impl QilInterval {
    /// `α = 0.5/d`.
    pub fn alpha(&self) -> f32 {
        0.5 / self.d
    }

    /// `β = −0.5·c/d + 0.5`.
    pub fn beta(&self) -> f32 {
        -0.5 * self.c / self.d + 0.5
    }

    /// The weight transformer: `0` if `|w| < c − d`, `sgn(w)` if `|w| > c + d`, else
    /// `sgn(w)·(α|w| + β)^γ`.
    pub fn transform_weight(&self, w: f32) -> f32 {
        let a = w.abs();
        if a < self.c - self.d {
            0.0
        } else if a > self.c + self.d {
            1f32.copysign(w)
        } else {
            (self.alpha() * a + self.beta()).powf(self.gamma).copysign(w)
        }
    }

    /// The activation transformer (`γ = 1`): `0` below `c − d`, `1` above `c + d`, else `αx + β`.
    pub fn transform_activation(&self, x: f32) -> f32 {
        if x < self.c - self.d {
            0.0
        } else if x > self.c + self.d {
            1.0
        } else {
            self.alpha() * x + self.beta()
        }
    }

    /// A quantized weight's integer: `round(ŵ·q)` with `q = 2^(bits−1) − 1` (symmetric,
    /// a [`crate::model::WeightType::Int`] value of `bits` bits).
    pub fn weight_int(&self, w: f32, bits: u32) -> i32 {
        let q = ((1u32 << (bits - 1)) - 1) as f32;
        (self.transform_weight(w) * q).round() as i32
    }

    /// A quantized activation's integer: `round(x̂·q)` with `q = 2^bits − 1`.
    pub fn activation_int(&self, x: f32, bits: u32) -> i32 {
        let q = ((1u32 << bits) - 1) as f32;
        (self.transform_activation(x) * q).round() as i32
    }

    /// The pre-activation values at which the quantized activation steps up: `x̂·q` reaches
    /// `k − 0.5` for `k = 1..=q`, i.e. `x = ((k − 0.5)/q − β)/α` (the interval is increasing).
    /// `activation_int(x) = #{ k : x ≥ level_k }` except exactly at a level, where `round`
    /// breaks the tie upward too.
    pub fn activation_levels(&self, bits: u32) -> Vec<f64> {
        let q = f64::from((1u32 << bits) - 1);
        let (alpha, beta) = (f64::from(self.alpha()), f64::from(self.beta()));
        (1..=(1u32 << bits) - 1).map(|k| ((f64::from(k) - 0.5) / q - beta) / alpha).collect()
    }
}

/// HORQ's residual binarization of order `k`: `R⁰ = x`, `βᵢ = mean|Rⁱ⁻¹|`,
/// `Hᵢ = sign(Rⁱ⁻¹)`, `Rⁱ = Rⁱ⁻¹ − βᵢ·Hᵢ`; returns `(βᵢ, Hᵢ)` for `i = 1..=k`, so that
/// `x ≈ Σ βᵢ·Hᵢ`.
pub fn residual_binarize(x: &[f32], order: u32) -> Vec<(f32, Vec<f32>)> {
    let mut r = x.to_vec();
    let n = r.len().max(1) as f32;
    (0..order)
        .map(|_| {
            let beta = r.iter().map(|v| v.abs()).sum::<f32>() / n;
            let h: Vec<f32> = r.iter().map(|&v| sign(v)).collect();
            for (v, s) in r.iter_mut().zip(&h) {
                *v -= beta * s;
            }
            (beta, h)
        })
        .collect()
}

/// The integer thresholds on an accumulator `a` for `scale·a + bias ≥ levelₖ` (levels
/// ascending), so that a threshold layer's count equals the number of levels reached.
///
/// With `scale > 0`: `a ≥ (levelₖ − bias)/scale`, so `Tₖ = ceil((levelₖ − bias)/scale)`. With
/// `scale < 0` the comparison would flip to `a ≤ …`; instead the thresholds returned are for
/// `−a` (`−a ≥ (levelₖ − bias)/|scale|`), and the caller negates the channel's weights so the
/// accumulator is `−a`, as DESIGN.md's streamlining rule says.
/// `scale = 0` makes the outcome constant: every level `≤ bias` is always reached (threshold
/// `lo`), every other never (`hi + 1`). Results are clamped to `lo ..= hi + 1`, the range the
/// verifier accepts for values in `lo ..= hi`.
///
/// Float rounding: `(level − bias)/scale` within 1e-9 (relative) of an integer is taken as that
/// integer, so a tie computed in float still counts as reached, as it does in exact arithmetic.
pub fn affine_thresholds(scale: f64, bias: f64, levels: &[f64], lo: i64, hi: i64) -> Vec<i64> {
    let clamp = |t: f64| -> i64 {
        if t.is_nan() || t > (hi as f64) + 1.0 {
            hi + 1
        } else if t < lo as f64 {
            lo
        } else {
            t as i64
        }
    };
    levels
        .iter()
        .map(|&level| {
            if scale == 0.0 {
                return if bias >= level { lo } else { hi + 1 };
            }
            let t = (level - bias) / scale.abs();
            let near = t.round();
            let t = if (t - near).abs() <= 1e-9 * near.abs().max(1.0) { near } else { t.ceil() };
            clamp(t)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bnn_and_xnor() {
        assert_eq!([sign(-0.3), sign(0.0), sign(2.0)], [-1.0, 1.0, 1.0]);
        assert_eq!(xnor_scale(&[0.5, -1.5, 1.0]), 1.0);
    }

    #[test]
    fn inq_levels_by_hand() {
        // s = 0.9: 4s/3 = 1.2, n1 = 0; 5 bits: n2 = 0 + 1 − 8 = −7.
        let l = InqLevels::new(0.9, 5).unwrap();
        assert_eq!((l.n1, l.n2), (0, -7));
        // s = 0.3: 4s/3 = 0.4, n1 = −2; 3 bits: n2 = −2 + 1 − 2 = −3.
        let l3 = InqLevels::new(0.3, 3).unwrap();
        assert_eq!((l3.n1, l3.n2), (-2, -3));
        // Ternary: n2 = n1.
        let l2 = InqLevels::new(0.3, 2).unwrap();
        assert_eq!((l2.n1, l2.n2), (-2, -2));
        assert_eq!(InqLevels::new(0.0, 5), None);
        assert_eq!(InqLevels::new(1.0, 9), None);
    }

    #[test]
    fn inq_rounding_rule_by_hand() {
        let l = InqLevels::new(0.3, 3).unwrap(); // P = {0, ±1/8, ±1/4}
        // β = 1/4, α = 1/8: [3/16, 3/8) → 1/4.  β = 1/8, α = 0: [1/16, 3/16) → 1/8.
        for (w, q) in [(0.3, 0.25), (0.19, 0.25), (-0.1875, -0.25), (0.18, 0.125), (0.0625, 0.125), (0.06, 0.0), (-0.5, -0.25)] {
            assert_eq!(l.quantize(w), q, "w = {w}");
        }
        assert_eq!([l.to_int(0.25), l.to_int(-0.125), l.to_int(0.0)], [2, -1, 0]);
        assert_eq!(l.scale(), 0.125);
        // Every quantized weight's integer is a Pow2(bits) value.
        let t = crate::model::WeightType::Pow2(3);
        for i in -100..100 {
            let w = i as f32 / 200.0;
            assert!(t.contains(l.to_int(l.quantize(w)).into()), "{w}");
        }
    }

    #[test]
    fn inq_integer_form_drops_unused_levels_and_fits_i32() {
        let t = crate::model::WeightType::Pow2(8);
        // 8 bits: 64 levels, n1 = 0, n2 = −63.
        let l = InqLevels::new(1.0, 8).unwrap();
        assert_eq!((l.n1, l.n2), (0, -63));
        // Used levels 2⁰ and 2⁻⁴ only: the integers are ±16 and ±1.
        let u = l.used_by(&[1.0, -0.0625, 0.0, 0.5]);
        assert_eq!((u.n1, u.n2), (0, -4));
        assert_eq!([u.to_int(1.0), u.to_int(-0.0625), u.to_int(0.5)], [16, -1, 8]);
        // A weight at 2⁻⁶⁰ is below the floor 2⁻³⁰: the largest integer is 2³⁰, and the tiny
        // weight rounds to 0 (2⁻³⁰ away from the floor's half).
        let u = l.used_by(&[1.0, 2f32.powi(-60)]);
        assert_eq!((u.n1, u.n2), (0, -30));
        assert_eq!([u.to_int(1.0), u.to_int(2f32.powi(-60)), u.to_int(-2f32.powi(-30))], [1 << 30, 0, -1]);
        for q in [1.0, -0.5, 2f32.powi(-30), 2f32.powi(-60)] {
            assert!(t.contains(u.to_int(q).into()), "{q}");
        }
        assert!(!t.contains(1 << 31), "2^31 is not an i32 weight");
        // No nonzero weight: the integer form is the largest level alone.
        assert_eq!(l.used_by(&[0.0]).n2, 0);
    }

    #[test]
    fn inq_partition_takes_largest_first() {
        let w = [0.1, -0.9, 0.5, 0.5, -0.2, 0.05, 0.7, 0.3];
        assert_eq!(inq_partition(&w, 0.5), [false, true, true, true, false, false, true, false]);
        assert_eq!(inq_partition(&w, 0.25), [false, true, false, false, false, false, true, false]);
        assert!(inq_partition(&w, 1.0).iter().all(|&f| f));
        assert!(!inq_partition(&w, 0.0).iter().any(|&f| f));
    }

    #[test]
    fn qil_by_hand() {
        let q = QilInterval { c: 0.5, d: 0.25, gamma: 2.0 };
        // α = 2, β = −0.5·0.5/0.25 + 0.5 = −0.5.
        assert_eq!((q.alpha(), q.beta()), (2.0, -0.5));
        assert_eq!(q.transform_weight(0.2), 0.0); // below c − d = 0.25
        assert_eq!(q.transform_weight(-0.8), -1.0); // above c + d = 0.75
        assert!((q.transform_weight(0.5) - 0.25).abs() < 1e-6); // (2·0.5 − 0.5)² = 0.25
        assert!((q.transform_weight(-0.6) + 0.49).abs() < 1e-6); // −(1.2 − 0.5)² = −0.49
        // 4-bit weights: q = 7; 0.49·7 = 3.43 → 3.
        assert_eq!(q.weight_int(-0.6, 4), -3);
        let a = QilInterval { c: 1.0, d: 1.0, gamma: 1.0 }; // α = 0.5, β = 0
        assert_eq!([a.transform_activation(-1.0), a.transform_activation(1.0), a.transform_activation(3.0)], [0.0, 0.5, 1.0]);
        // 2-bit activations: q = 3; x = 1 → 0.5·3 = 1.5 → 2.
        assert_eq!(a.activation_int(1.0, 2), 2);
        // Steps at x̂·3 = 0.5, 1.5, 2.5 → x = 1/3, 1, 5/3.
        let levels = a.activation_levels(2);
        for (l, want) in levels.iter().zip([1.0 / 3.0, 1.0, 5.0 / 3.0]) {
            assert!((l - want).abs() < 1e-6, "{levels:?}");
        }
        for i in -20..60 {
            let x = i as f32 / 20.0;
            let count = levels.iter().filter(|&&l| f64::from(x) >= l - 1e-9).count() as i32;
            assert_eq!(count, a.activation_int(x, 2), "x = {x}");
        }
    }

    #[test]
    fn horq_by_hand() {
        // x = (3, −1, 1, −3): β₁ = 2, H₁ = (+, −, +, −), R¹ = (1, 1, −1, −1); β₂ = 1, H₂ = (+, +, −, −), R² = 0.
        let r = residual_binarize(&[3.0, -1.0, 1.0, -3.0], 3);
        assert_eq!(r[0], (2.0, vec![1.0, -1.0, 1.0, -1.0]));
        assert_eq!(r[1], (1.0, vec![1.0, 1.0, -1.0, -1.0]));
        assert_eq!(r[2].0, 0.0);
        // The approximation error shrinks with the order.
        let x = [0.3, -1.7, 2.2, 0.1, -0.4, 0.9];
        let err = |k: u32| -> f32 {
            let parts = residual_binarize(&x, k);
            x.iter().enumerate().map(|(i, v)| (v - parts.iter().map(|(b, h)| b * h[i]).sum::<f32>()).powi(2)).sum()
        };
        assert!(err(1) > err(2) && err(2) > err(3), "{} {} {}", err(1), err(2), err(3));
    }

    #[test]
    fn affine_thresholds_by_hand() {
        // 0.5·a − 1 ≥ 0 ⟺ a ≥ 2; ≥ 1 ⟺ a ≥ 4 (exact ties count as reached).
        assert_eq!(affine_thresholds(0.5, -1.0, &[0.0, 1.0], -10, 10), [2, 4]);
        // 0.3·a + 0.1 ≥ 0 ⟺ a ≥ −1/3, so the smallest integer reaching it is 0.
        assert_eq!(affine_thresholds(0.3, 0.1, &[0.0], -10, 10), [0]);
        // Float noise at a tie: 0.1·a ≥ 0.3 ⟺ a ≥ 3, though 0.3/0.1 = 2.9999999999999996.
        assert_eq!(affine_thresholds(0.1, 0.0, &[0.3], -10, 10), [3]);
        // Clamped to lo ..= hi + 1; zero scale gives constants.
        assert_eq!(affine_thresholds(1.0, 0.0, &[-100.0, 100.0], -10, 10), [-10, 11]);
        assert_eq!(affine_thresholds(0.0, 0.5, &[0.0, 1.0], -10, 10), [-10, 11]);
        // Negative scale: the caller negates the accumulator; −0.5·a ≥ −1 ⟺ a ≤ 2 ⟺ −a ≥ −2.
        assert_eq!(affine_thresholds(-0.5, 0.0, &[-1.0], -10, 10), [-2]);
    }
}
