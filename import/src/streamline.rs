//! Pass 5: streamlining, as FINN does it — every float scale and offset is folded away, leaving
//! integer layers.
//!
//! The pass walks the chain keeping the current tensor as an affine image of the integer vector
//! `q` the last native layer produced (or the raw input):
//!
//! ```text
//! v[i] = s[i] · q[i] + b[i]
//! ```
//!
//! - **Affine steps** (`Mul`, `Add`, `Sub`, `Div`, `Neg`, batch-norm, input normalisation) only
//!   update `s` and `b`: `s ← a ⊙ s`, `b ← a ⊙ b + c`.
//! - **Linear steps** `v ← W v + c` become a dense layer. Since
//!   `W v + c = (W · diag(s)) q + (W b + c)`, the product `W · diag(s)` must be `γ_r · N[r][c]`
//!   with `N` integers (one positive factor per row, [`row_scale`]): the incoming scale must
//!   have the same magnitude `σ` on every element (its sign goes into `N`'s columns), and each
//!   weight row an integer multiple of one scale. `N` in ±1 gives a binary dense layer, anything
//!   else an integer one whose type [`fit_weight_type`] picks (`intb`, or `pow2_b` when every
//!   value is 0 or ±2^e and that is narrower). Afterwards `s[r] = γ_r·σ` and
//!   `b[r] = (W b + c)[r]`. Anything else (float weights, per-element input scales) is an error
//!   naming the node.
//! - **Convolutions** are the same on every window: `N` per output channel in (ky, kx, c)
//!   order, the incoming scale one magnitude with one sign per channel, and `b` computed per
//!   output element from the window it reads.
//! - **Max pooling** commutes with `v = s·q + b` when `s ≥ 0` and `s`, `b` are the same at every
//!   position of a channel: `max(s·q + b) = s·max(q) + b`. When `q` is an accumulator read
//!   directly, channels with `s < 0` get their weight rows negated first (`q ← −q`); a
//!   decreasing map after a quantizer or on the input is refused (the maximum would be a
//!   minimum).
//! - **Quantizer steps** compare `v` with cut points `t`: `v ≥ t ⇔ s q + b ≥ t`, so for `s > 0`
//!   the integer threshold is `T = ⌈(t − b) / s⌉` (`⌊(t − b) / s⌋ + 1` for a strict `v > t`).
//!   When `s < 0` and `q` is an accumulator read directly, that layer's row (a convolution's
//!   channel, if all its elements have `s < 0`) is negated (`q ← −q`, `s ← −s`) so the native
//!   comparison stays `q ≥ T`; otherwise (the raw input, a threshold layer's output, a pooled
//!   map) the comparison is complemented instead
//!   (`v ≥ t ⇔ ¬(q ≥ ⌊(t − b)/s⌋ + 1)`) and the count is reversed in the output levels. With
//!   `s = 0` a cut is always or never reached. Thresholds are clamped to `lo ..= hi + 1` of the
//!   incoming integer range (the verifier's value-range rule). Quotients within 10⁻⁹ (relative)
//!   of an integer are taken as that integer, so exact ties (`v = t`) are reached as `≥` says,
//!   despite rounding in the float arithmetic. The layer's output levels
//!   `out_scale · count + out_bias` become the next `s`, `b`: one cut gives a bipolar layer
//!   (`count = (n + 1)/2`), more give `count + bias`, with `bias` chosen so the native values
//!   are the quantizer's integers when the levels allow it. The table has one row when every
//!   element's thresholds are equal, one per channel on a feature map when they repeat with the
//!   channel, else one per element.
//! - A quantizer right after a bipolar layer: the bipolar layer is turned into a 0/1 integer
//!   layer first (the native format does not threshold ±1 values).
//! - **The input convention** (`graph_input = (raw·scale − mean[c]) / std[c]`) is the first
//!   affine step: `s[i] = scale/std[c]`, `b[i] = −mean[c]/std[c]` for the channel `c` of element
//!   `i`. When the first layer quantizes the raw input and every one of its thresholds lies
//!   within 2 % of an edge of the input range (`lo ..= lo + m` or `hi + 1 − m ..= hi + 1`,
//!   `m = max(1, (hi − lo + 1)/50)`), the graph almost certainly expects scaled data (a graph
//!   trained on `x/255` fed raw 0..255 puts every cut at 0 or 1): that is refused unless allowed.
//! - **The output**: the graph's output is `s ⊙ q + b` of the last layer. The native model
//!   outputs `q`; that keeps the predicted label (argmax, or the `TopK` index) when every
//!   element has the same positive `s` and the same `b` (after negating rows of a final dense
//!   layer where `s < 0`, and rescaling the rows of a final integer dense layer to the smallest
//!   row scale when the ratios are integers), and the scale and offset are reported. Otherwise
//!   (a last layer's float bias, per-channel scales) `s` and `b` become the model's
//!   [`Epilogue`], applied on the host after the integer outputs.

use crate::chain::{Chain, Cut, Quantizer, Step, StepKind};
use crate::error::ImportError;
use bitloom_compiler::model::{
    int_dot_range, BinaryDense, BitMatrix, Conv2d, ConvWeights, Epilogue, FeatureMap, InputConvention, InputSpec, IntDense,
    IntMatrix, Layer, MaxPool2d, MultiThreshold, SourceLayout, ThresholdOutput, ThresholdTable, WeightType,
};

/// Relative tolerance when comparing float magnitudes that must be equal.
pub const REL_TOL: f64 = 1e-6;
/// Relative distance to an integer under which a threshold quotient counts as that integer.
pub const SNAP_TOL: f64 = 1e-9;

/// What the native model's output means in terms of the graph's output.
#[derive(Clone, Debug, PartialEq)]
pub struct OutputMap {
    /// The `TopK` node when the graph outputs the label.
    pub label: Option<String>,
    /// The graph's output is `scale · y + offset` of the native output `y`.
    pub scale: f64,
    /// See `scale`.
    pub offset: f64,
    /// The nodes after the last layer whose scale and offset are dropped (they do not change
    /// the label) or kept in the epilogue.
    pub folded: Vec<String>,
    /// Whether the scale and offset differ per output and live in the model's epilogue
    /// (`scale`, `offset` are then element 0's).
    pub epilogue: bool,
}

/// The streamlined network: native layers (named after their ONNX nodes, not yet sanitised).
#[derive(Clone, Debug, PartialEq)]
pub struct Streamlined {
    /// The graph's name.
    pub name: String,
    /// The native input.
    pub input: InputSpec,
    /// The layers.
    pub layers: Vec<Layer>,
    /// For each layer, the ONNX nodes folded into it (in order, the layer's own node last).
    pub sources: Vec<Vec<String>>,
    /// The output.
    pub output: OutputMap,
    /// The float map after the integer outputs, when they differ per output.
    pub epilogue: Option<Epilogue>,
    /// Notes carried from earlier passes.
    pub notes: Vec<String>,
}

/// The layer that produced `q`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Producer {
    Input,
    /// An accumulator: a dense layer or a convolution (binary or integer); `input` is the range
    /// of the values it reads.
    Acc { layer: usize, input: (i64, i64), op: &'static str },
    Threshold { layer: usize, bipolar: bool },
}

struct State {
    s: Vec<f64>,
    b: Vec<f64>,
    range: (i64, i64),
    producer: Producer,
    /// A max pooling lies between the producer and `q` (its rows can no longer be negated).
    pooled: bool,
    /// `q` is a channels-last feature map of this shape.
    map: Option<FeatureMap>,
    pending: Vec<String>,
    layers: Vec<Layer>,
    sources: Vec<Vec<String>>,
    notes: Vec<String>,
}

/// Streamlines the chain (see the module documentation). `convention` is what the graph
/// expects of the raw integers; `allow_collapsed` accepts an input quantizer whose thresholds
/// collapse onto the edge of the input range.
pub fn streamline(
    chain: &Chain,
    convention: &InputConvention,
    allow_collapsed: bool,
) -> Result<Streamlined, ImportError> {
    let n: usize = chain.input_shape.iter().product();
    let dtype = chain.input_dtype;
    let input = InputSpec {
        shape: chain.input_shape.clone(),
        dtype,
        convention: convention.clone(),
        source: chain.input_map.filter(|m| m.channels > 1).map(|m| SourceLayout::Nchw {
            channels: m.channels,
            height: m.height,
            width: m.width,
        }),
    };
    let channels = input.channels();
    for (what, v) in [("--input-mean", &convention.mean), ("--input-std", &convention.std)] {
        if v.len() > 1 && v.len() != channels {
            return Err(ImportError::Input {
                reason: format!(
                    "{what} has {} values, but the input {:?} has {channels} channels (give 1 or {channels})",
                    v.len(),
                    chain.input_shape
                ),
            });
        }
    }
    let (s, b): (Vec<f64>, Vec<f64>) = (0..n).map(|i| convention.affine(input.channel_of(i))).unzip();
    let mut st = State {
        s,
        b,
        range: (dtype.min(), dtype.max()),
        producer: Producer::Input,
        pooled: false,
        map: chain.input_map,
        pending: Vec::new(),
        layers: Vec::new(),
        sources: Vec::new(),
        notes: chain.notes.clone(),
    };
    // The threshold layer quantizing the raw input, if any, and its step.
    let mut input_quantizer = None;
    for step in &chain.steps {
        match &step.kind {
            StepKind::Affine { scale, bias } => {
                check_len(step, scale.len(), st.s.len())?;
                for i in 0..st.s.len() {
                    st.s[i] *= scale[i];
                    st.b[i] = scale[i] * st.b[i] + bias[i];
                }
                st.pending.push(step.node.clone());
            }
            StepKind::Linear { rows, cols, weight, bias } => dense(&mut st, step, *rows, *cols, weight, bias)?,
            StepKind::Conv { input, kernel, stride, out_channels, weight, bias } => {
                conv(&mut st, step, *input, *kernel, *stride, *out_channels, weight, bias)?
            }
            StepKind::MaxPool { input, kernel, stride } => max_pool(&mut st, step, *input, *kernel, *stride)?,
            StepKind::Quantize(q) => {
                let on_input = st.producer == Producer::Input;
                quantize(&mut st, step, q)?;
                if on_input {
                    input_quantizer = Some((st.layers.len() - 1, step));
                }
            }
        }
    }
    let (output, epilogue) = finish(&mut st, chain)?;
    // Checked last, so that what cannot be imported at all is reported first.
    if let (Some((layer, step)), false) = (input_quantizer, allow_collapsed) {
        check_not_collapsed(&st.layers[layer], step, dtype, convention)?;
    }
    if !convention.is_identity() {
        st.notes.push(format!("input convention {convention} folded into the first layer"));
    }
    let (layers, sources, notes) = (st.layers, st.sources, st.notes);
    Ok(Streamlined { name: chain.name.clone(), input, layers, sources, output, epilogue, notes })
}

/// Refuses an input quantizer whose every threshold lies within 2 % of an edge of the raw
/// input range: the graph then cannot tell raw inputs apart, which is what a graph trained on
/// scaled data (`x/255`) does with raw pixels.
fn check_not_collapsed(
    layer: &Layer,
    step: &Step,
    dtype: bitloom_compiler::types::DataType,
    convention: &InputConvention,
) -> Result<(), ImportError> {
    let (lo, hi) = (dtype.min(), dtype.max());
    // Inputs of a few values (binary, 2- and 3-bit) have every threshold near an edge legitimately.
    if hi - lo < 8 {
        return Ok(());
    }
    let Layer::Threshold(t) = layer else { return Ok(()) };
    // The band at each edge: 2 % of the range, at least one value (0..=5 and 251..=256 for uint8).
    let band = ((hi - lo + 1) / 50).max(1);
    let values = t.thresholds.values();
    if !values.iter().all(|&v| v <= lo + band || v > hi - band) {
        return Ok(());
    }
    let mut distinct: Vec<i64> = values.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    let hint = if convention.is_identity() {
        "the graph most likely expects scaled inputs: give the convention it was trained with, e.g. --input-scale 1/255 \
         (and --input-mean/--input-std for a Normalize)"
    } else {
        "the convention given does not match what the graph expects: check --input-scale, --input-mean and --input-std"
    };
    Err(ImportError::Input {
        reason: format!(
            "node {} ({}): every threshold of the input quantizer lies at the edge of the raw input range {lo}..={hi} \
             (thresholds {distinct:?} under the convention {convention}), so it cannot tell raw inputs apart; {hint}; \
             --allow-collapsed-input imports it anyway",
            step.node, step.op
        ),
    })
}

fn check_len(step: &Step, got: usize, want: usize) -> Result<(), ImportError> {
    if got != want {
        return Err(ImportError::Bug(format!("node {}: step of length {got} on a vector of {want}", step.node)));
    }
    Ok(())
}

fn unsupported(step: &Step, reason: String) -> ImportError {
    ImportError::Unsupported { node: step.node.clone(), op: step.op.clone(), reason }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= REL_TOL * a.abs().max(b.abs())
}

/// The largest weight magnitude an integer weight may have after folding (`int16`).
pub const MAX_INT_WEIGHT: i64 = 1 << 15;

/// The integer form of one weight row: the largest `γ > 0` such that every `|v| / γ` is an
/// integer of at most [`MAX_INT_WEIGHT`]; `Some(0.0)` for a row of zeros, `None` when no such
/// `γ` exists (float weights, or a non-finite value).
///
/// A row whose non-zero magnitudes are all equal within [`REL_TOL`] is `±γ` (and zeros). Otherwise
/// the candidates are `m / j` for the smallest magnitude `m` and `j = 1, 2, …`, and a quotient
/// counts as an integer within [`SNAP_TOL`] (relative): folding a `Quant` computes `n·scale`
/// exactly, so this only absorbs the rounding of the folding, not float weights. The first
/// candidate that fits gives the smallest integers: a row of a `b`-bit `Quant` gives its
/// integers (divided by their common factor), a row of INQ's `0, ±2^e` gives `0, ±2^(e − e_min)`.
pub fn row_scale(row: &[f64]) -> Option<f64> {
    if row.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let mut mags: Vec<f64> = row.iter().map(|v| v.abs()).filter(|&m| m > 0.0).collect();
    if mags.is_empty() {
        return Some(0.0);
    }
    mags.sort_by(|a, b| b.total_cmp(a));
    mags.dedup();
    let (m_min, m_max) = (mags[mags.len() - 1], mags[0]);
    if close(m_min, m_max) {
        return Some(m_max);
    }
    let limit = MAX_INT_WEIGHT as f64;
    for j in 1..=MAX_INT_WEIGHT {
        let g = m_min / j as f64;
        if m_max / g > limit + 0.5 {
            return None;
        }
        let integral = |m: &f64| {
            let q = m / g;
            (q - q.round()).abs() <= SNAP_TOL * q
        };
        if mags.iter().all(integral) {
            return Some(g);
        }
    }
    None
}

/// The weight type of integer weights: `Pow2(p)` when every value is 0 or `±2^e` and `p` (the
/// fewest bits with `e < 2^(p−2)`) is fewer than the bits `b` of the narrowest two's complement
/// type holding them, else `Int(b)`; `None` past 16 bits (and 8 for powers of two).
pub fn fit_weight_type(values: impl Iterator<Item = i64> + Clone) -> Option<WeightType> {
    let int_bits = (2..=16u32).find(|&b| values.clone().all(|v| WeightType::Int(b).contains(v)));
    let pow2_bits = (2..=8u32).find(|&b| values.clone().all(|v| WeightType::Pow2(b).contains(v)));
    match (int_bits, pow2_bits) {
        (Some(i), Some(p)) if p < i => Some(WeightType::Pow2(p)),
        (Some(i), _) => Some(WeightType::Int(i)),
        (None, Some(p)) => Some(WeightType::Pow2(p)),
        (None, None) => None,
    }
}

/// Integer weights: `w[r][c] · sign[c] = γ_r · n[r][c]`.
struct IntRows {
    gamma: Vec<f64>,
    n: Vec<i64>,
    binary: bool,
}

/// Splits `rows × cols` weights (with the column signs of the incoming scale folded in) into one
/// positive scale per row and integers; every `|n| = 1` makes them binary. A row of zeros takes
/// the smallest scale of the others (its output is 0 whatever the scale).
fn integer_rows(step: &Step, rows: usize, cols: usize, w: &[f64], sign: impl Fn(usize) -> f64) -> Result<IntRows, ImportError> {
    let mut gamma = Vec::with_capacity(rows);
    let mut n = Vec::with_capacity(rows * cols);
    for r in 0..rows {
        let row = &w[r * cols..(r + 1) * cols];
        let g = row_scale(row).ok_or_else(|| {
            let mut mags: Vec<f64> = row.iter().map(|v| v.abs()).collect();
            mags.sort_by(f64::total_cmp);
            mags.dedup_by(|a, b| close(*a, *b));
            let shown: Vec<String> = mags.iter().take(4).map(|m| format!("{m}")).collect();
            unsupported(
                step,
                format!(
                    "weights are not integers after folding: row {r} (magnitudes {{{}{}}}) is not an integer multiple of one \
                     scale with integers of at most 16 bits; quantize the weights (Quant, BipolarQuant) before export",
                    shown.join(", "),
                    if mags.len() > 4 { ", …" } else { "" }
                ),
            )
        })?;
        gamma.push(g);
        n.extend(row.iter().enumerate().map(|(c, &v)| if g == 0.0 { 0 } else { ((v / g).round() * sign(c)) as i64 }));
    }
    let smallest = gamma.iter().copied().filter(|&g| g > 0.0).fold(f64::INFINITY, f64::min);
    for g in gamma.iter_mut().filter(|g| **g == 0.0) {
        *g = if smallest.is_finite() { smallest } else { 1.0 };
    }
    let binary = n.iter().all(|v| v.abs() == 1);
    Ok(IntRows { gamma, n, binary })
}

/// The native weights of an accumulator layer.
enum Weights {
    Binary(BitMatrix),
    Int(IntMatrix, WeightType),
}

fn native_weights(step: &Step, rows: usize, cols: usize, ints: &IntRows) -> Result<Weights, ImportError> {
    if ints.binary {
        let mut bits = BitMatrix::zeros(rows, cols);
        for (i, &v) in ints.n.iter().enumerate() {
            bits.set(i / cols, i % cols, v > 0);
        }
        return Ok(Weights::Binary(bits));
    }
    int_weights((&step.node, &step.op), rows, cols, ints.n.clone())
}

/// A node's name and op, for errors.
type Who<'a> = (&'a str, &'a str);

fn int_weights(who: Who, rows: usize, cols: usize, n: Vec<i64>) -> Result<Weights, ImportError> {
    let t = fit_weight_type(n.iter().copied()).ok_or_else(|| {
        let max = n.iter().map(|v| v.unsigned_abs()).max().unwrap_or(0);
        ImportError::Unsupported {
            node: who.0.to_string(),
            op: who.1.to_string(),
            reason: format!("integer weights up to {max} in magnitude need more than 16 bits"),
        }
    })?;
    let values = n.into_iter().map(|v| v as i32).collect();
    let m = IntMatrix::new(rows, cols, values).ok_or_else(|| ImportError::Bug("weight matrix size".into()))?;
    Ok(Weights::Int(m, t))
}

/// The range of `Σ w·x` of an accumulator layer over inputs in `lo ..= hi` (the verifier's rule).
fn acc_range(layer: &Layer, (lo, hi): (i64, i64)) -> (i64, i64) {
    let binary = |cols: usize| {
        let s = lo.unsigned_abs().max(hi.unsigned_abs()).saturating_mul(cols as u64).min(i64::MAX as u64) as i64;
        (-s, s)
    };
    let sat = |(a, b): (i128, i128)| (a.clamp(i64::MIN.into(), i64::MAX.into()) as i64, b.clamp(i64::MIN.into(), i64::MAX.into()) as i64);
    match layer {
        Layer::BinaryDense(d) => binary(d.in_features()),
        Layer::Dense(d) => sat(d.output_range(lo, hi)),
        Layer::Conv2d(Conv2d { weights: ConvWeights::Binary(w), .. }) => binary(w.cols()),
        Layer::Conv2d(Conv2d { weights: ConvWeights::Int(w, _), .. }) => sat(int_dot_range(w, lo, hi)),
        _ => (lo, hi),
    }
}

/// The incoming scale must have one magnitude on every element (its sign goes into the weights'
/// columns); returns it.
fn uniform_magnitude(st: &State, step: &Step) -> Result<f64, ImportError> {
    let sigma = st.s.first().map_or(0.0, |s| s.abs());
    if let Some(i) = st.s.iter().position(|s| !s.is_finite() || *s == 0.0 || !close(s.abs(), sigma)) {
        let from = if st.pending.is_empty() { String::new() } else { format!(" (folded from {})", st.pending.join(", ")) };
        return Err(unsupported(
            step,
            format!(
                "the scale of its input is not the same on every element{from}: element 0 is scaled by {}, element {i} by {}; \
                 folded into the weights they would not be one integer matrix",
                st.s[0], st.s[i]
            ),
        ));
    }
    Ok(sigma)
}

/// Records a new accumulator layer.
fn push_acc(st: &mut State, step: &Step, layer: Layer, s: Vec<f64>, b: Vec<f64>) {
    let input = st.range;
    st.range = acc_range(&layer, input);
    st.s = s;
    st.b = b;
    if let Layer::Dense(IntDense { weight_type, .. }) | Layer::Conv2d(Conv2d { weights: ConvWeights::Int(_, weight_type), .. }) = &layer {
        st.notes.push(format!("{}: integer weights, {weight_type}", step.node));
    }
    st.layers.push(layer);
    st.pending.push(step.node.clone());
    st.sources.push(std::mem::take(&mut st.pending));
    let op = match step.op.as_str() {
        "Gemm" => "Gemm",
        "Conv" => "Conv",
        "XnorPopcountMatMul" => "XnorPopcountMatMul",
        _ => "MatMul",
    };
    st.producer = Producer::Acc { layer: st.layers.len() - 1, input, op };
    st.pooled = false;
}

fn dense(st: &mut State, step: &Step, rows: usize, cols: usize, w: &[f64], c: &[f64]) -> Result<(), ImportError> {
    check_len(step, cols, st.s.len())?;
    check_len(step, w.len(), rows * cols)?;
    let sigma = uniform_magnitude(st, step)?;
    let ints = integer_rows(step, rows, cols, w, |col| st.s[col].signum())?;
    let mut s_new = Vec::with_capacity(rows);
    let mut b_new = Vec::with_capacity(rows);
    for r in 0..rows {
        let row = &w[r * cols..(r + 1) * cols];
        b_new.push(c[r] + row.iter().zip(&st.b).map(|(v, b)| v * b).sum::<f64>());
        s_new.push(ints.gamma[r] * sigma);
    }
    let name = step.node.clone();
    let layer = match native_weights(step, rows, cols, &ints)? {
        Weights::Binary(weights) => Layer::BinaryDense(BinaryDense { name, weights }),
        Weights::Int(weights, weight_type) => Layer::Dense(IntDense { name, weights, weight_type }),
    };
    st.map = None;
    push_acc(st, step, layer, s_new, b_new);
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn conv(
    st: &mut State,
    step: &Step,
    input: FeatureMap,
    kernel: usize,
    stride: usize,
    out_channels: usize,
    w: &[f64],
    bias: &[f64],
) -> Result<(), ImportError> {
    let n = input.len().ok_or_else(|| ImportError::Bug("map size".into()))?;
    check_len(step, n, st.s.len())?;
    let (cin, cols) = (input.channels, kernel * kernel * input.channels);
    check_len(step, w.len(), out_channels * cols)?;
    let sigma = uniform_magnitude(st, step)?;
    if let Some(i) = (0..n).find(|&i| st.s[i].signum() != st.s[i % cin].signum()) {
        return Err(unsupported(
            step,
            format!(
                "the sign of its input's scale differs between positions of channel {} (element {} is scaled by {}, element {i} \
                 by {}); a convolution needs one sign per channel",
                i % cin,
                i % cin,
                st.s[i % cin],
                st.s[i]
            ),
        ));
    }
    let ints = integer_rows(step, out_channels, cols, w, |col| st.s[col % cin].signum())?;
    let layer = Conv2d {
        name: step.node.clone(),
        input,
        kernel,
        stride,
        weights: match native_weights(step, out_channels, cols, &ints)? {
            Weights::Binary(m) => ConvWeights::Binary(m),
            Weights::Int(m, t) => ConvWeights::Int(m, t),
        },
    };
    let out = layer.output().ok_or_else(|| ImportError::Bug("conv geometry".into()))?;
    let mut s_new = Vec::with_capacity(out.len().unwrap_or(0));
    let mut b_new = Vec::with_capacity(out.len().unwrap_or(0));
    for oy in 0..out.height {
        for ox in 0..out.width {
            for o in 0..out_channels {
                let row = &w[o * cols..(o + 1) * cols];
                let mut acc = bias[o];
                for ky in 0..kernel {
                    let start = ((oy * stride + ky) * input.width + ox * stride) * cin;
                    let part = &row[ky * kernel * cin..(ky + 1) * kernel * cin];
                    acc += part.iter().zip(&st.b[start..start + kernel * cin]).map(|(v, b)| v * b).sum::<f64>();
                }
                b_new.push(acc);
                s_new.push(ints.gamma[o] * sigma);
            }
        }
    }
    st.map = Some(out);
    push_acc(st, step, Layer::Conv2d(layer), s_new, b_new);
    Ok(())
}

fn max_pool(st: &mut State, step: &Step, input: FeatureMap, kernel: usize, stride: usize) -> Result<(), ImportError> {
    let n = input.len().ok_or_else(|| ImportError::Bug("map size".into()))?;
    check_len(step, n, st.s.len())?;
    let c = input.channels;
    // max(s·q + b) = s·max(q) + b needs one s ≥ 0 and one b per channel.
    negate_negative_rows(st)?;
    for i in 0..n {
        let ch = i % c;
        let (s, b) = (st.s[i], st.b[i]);
        if !close(s, st.s[ch]) || (b - st.b[ch]).abs() > REL_TOL * st.s[ch].abs().max(b.abs()) {
            return Err(unsupported(
                step,
                format!(
                    "channel {ch} is scaled and offset differently at different positions ({}·q + {} and {s}·q + {b}); max \
                     pooling commutes only with one increasing map per channel",
                    st.s[ch], st.b[ch]
                ),
            ));
        }
    }
    if let Some(ch) = (0..c.min(n)).find(|&ch| st.s[ch] < 0.0) {
        let from = if st.pending.is_empty() { String::new() } else { format!(" (folded from {})", st.pending.join(", ")) };
        return Err(unsupported(
            step,
            format!(
                "its input decreases with the integers of the layer before it (channel {ch} is {}·q + {}{from}), so the \
                 maximum would be a minimum of those integers; max pooling is supported on a map that increases with them: \
                 after a convolution (whose rows are negated for a negative scale) or after a quantizer with a positive \
                 output scale (Conv → BatchNorm → Sign/MultiThreshold → MaxPool, as FINN orders it)",
                st.s[ch], st.b[ch]
            ),
        ));
    }
    let layer = MaxPool2d { name: step.node.clone(), input, kernel, stride };
    let out = layer.output().ok_or_else(|| ImportError::Bug("pool geometry".into()))?;
    let len = out.len().unwrap_or(0);
    st.s = (0..len).map(|i| st.s[i % c]).collect();
    st.b = (0..len).map(|i| st.b[i % c]).collect();
    st.layers.push(Layer::MaxPool2d(layer));
    st.pending.push(step.node.clone());
    st.sources.push(std::mem::take(&mut st.pending));
    st.map = Some(out);
    st.pooled = true;
    Ok(())
}

/// Where `q` is an accumulator read directly (no pooling since), negates the rows whose
/// elements all have `s < 0` — `s·q + b = (−s)·(−q) + b` — so the comparisons and maxima after
/// it increase with `q`: row `i` of a dense layer for element `i`, or output channel `o` of a
/// convolution when every element of that channel has `s < 0`. Integer weights get their type
/// again (negating `−2^(b−1)` needs one more bit) and the range is recomputed.
fn negate_negative_rows(st: &mut State) -> Result<(), ImportError> {
    let Producer::Acc { layer, input, op } = st.producer else { return Ok(()) };
    if st.pooled {
        return Ok(());
    }
    let n = st.s.len();
    let rows = match &st.layers[layer] {
        Layer::BinaryDense(d) => d.out_features(),
        Layer::Dense(d) => d.out_features(),
        Layer::Conv2d(c) => c.weights.rows(),
        _ => return Ok(()),
    };
    let mut neg = vec![true; rows];
    let mut seen = vec![false; rows];
    for i in 0..n {
        neg[i % rows] &= st.s[i] < 0.0;
        seen[i % rows] = true;
    }
    for (n, s) in neg.iter_mut().zip(&seen) {
        *n &= *s;
    }
    if !neg.iter().any(|&x| x) {
        return Ok(());
    }
    for i in 0..n {
        if neg[i % rows] {
            st.s[i] = -st.s[i];
        }
    }
    let l = &mut st.layers[layer];
    let name = l.name().to_string();
    let who = (name.as_str(), op);
    match l {
        Layer::BinaryDense(d) => negate_bits(&mut d.weights, &neg),
        Layer::Conv2d(Conv2d { weights: ConvWeights::Binary(w), .. }) => negate_bits(w, &neg),
        Layer::Dense(d) => {
            if let Weights::Int(m, t) = negate_ints(who, &d.weights, &neg)? {
                (d.weights, d.weight_type) = (m, t);
            }
        }
        Layer::Conv2d(Conv2d { weights, .. }) => {
            if let ConvWeights::Int(w, _) = weights {
                if let Weights::Int(m, t) = negate_ints(who, w, &neg)? {
                    *weights = ConvWeights::Int(m, t);
                }
            }
        }
        _ => {}
    }
    st.range = acc_range(&st.layers[layer], input);
    Ok(())
}

fn negate_bits(w: &mut BitMatrix, neg: &[bool]) {
    for (r, _) in neg.iter().enumerate().filter(|(_, &n)| n) {
        for c in 0..w.cols() {
            let v = w.get(r, c);
            w.set(r, c, !v);
        }
    }
}

fn negate_ints(who: Who, w: &IntMatrix, neg: &[bool]) -> Result<Weights, ImportError> {
    let cols = w.cols();
    let n = w.values().iter().enumerate().map(|(i, &v)| if neg[i / cols] { -i64::from(v) } else { i64::from(v) }).collect();
    int_weights(who, w.rows(), cols, n)
}

/// The output needs one scale on every element. A final integer dense layer whose rows got
/// different scales from [`row_scale`] (e.g. a per-tensor `Quant` scale `α` where one row's
/// integers share a factor 2, giving `2α`) is rescaled to the smallest: row `r` is multiplied
/// by `γ_r / γ_min` when that is an integer.
fn unify_output_scale(st: &mut State) -> Result<(), ImportError> {
    let Producer::Acc { layer, input, op } = st.producer else { return Ok(()) };
    if st.pooled || st.s.iter().all(|&s| close(s, st.s[0])) {
        return Ok(());
    }
    let Layer::Dense(d) = &st.layers[layer] else { return Ok(()) };
    let smallest = st.s.iter().copied().fold(f64::INFINITY, f64::min);
    if !(smallest > 0.0 && smallest.is_finite()) {
        return Ok(());
    }
    let factors: Vec<f64> = st.s.iter().map(|&s| snap(s / smallest)).collect();
    if factors.iter().any(|f| f.fract() != 0.0 || *f > MAX_INT_WEIGHT as f64) {
        return Ok(());
    }
    let cols = d.weights.cols();
    let n = d.weights.values().iter().enumerate().map(|(i, &v)| i64::from(v) * factors[i / cols] as i64).collect();
    let name = d.name.clone();
    let Weights::Int(m, t) = int_weights((&name, op), d.weights.rows(), cols, n)? else { return Ok(()) };
    if let Layer::Dense(d) = &mut st.layers[layer] {
        (d.weights, d.weight_type) = (m, t);
    }
    st.s.iter_mut().for_each(|s| *s = smallest);
    st.range = acc_range(&st.layers[layer], input);
    st.notes.push(format!("{name}: rows rescaled to one scale {smallest} for the output, weights {t}"));
    Ok(())
}

/// Takes `x` as the integer it is within [`SNAP_TOL`] of, if any.
pub fn snap(x: f64) -> f64 {
    let r = x.round();
    if (x - r).abs() <= SNAP_TOL * x.abs().max(1.0) {
        r
    } else {
        x
    }
}

/// The integer threshold on `q` (a value in `lo ..= hi`, scale `s > 0`, offset `b`) for the cut
/// `v ≥ at` (`v > at` if strict) on `v = s·q + b`, clamped to `lo ..= hi + 1`.
pub fn int_threshold(cut: Cut, s: f64, b: f64, (lo, hi): (i64, i64)) -> Option<i64> {
    let (lo_f, hi_f) = (lo as f64, hi as f64 + 1.0);
    let t = if cut.at == f64::NEG_INFINITY {
        lo_f
    } else if cut.at == f64::INFINITY {
        hi_f
    } else if s == 0.0 {
        let reached = if cut.strict { b > cut.at } else { b >= cut.at };
        if reached {
            lo_f
        } else {
            hi_f
        }
    } else {
        let x = snap((cut.at - b) / s);
        if x.is_nan() {
            return None;
        }
        let x = x.clamp(lo_f - 2.0, hi_f + 1.0);
        if cut.strict {
            x.floor() + 1.0
        } else {
            x.ceil()
        }
    };
    Some(t.clamp(lo_f, hi_f) as i64)
}

fn quantize(st: &mut State, step: &Step, q: &Quantizer) -> Result<(), ImportError> {
    let n = st.s.len();
    check_len(step, q.out_scale.len(), n)?;
    check_len(step, q.cuts.len(), n * q.steps)?;
    if let Producer::Threshold { layer, bipolar: true } = st.producer {
        // ±1 = 2c − 1 with c ∈ {0, 1}: make the layer output c instead.
        if let Layer::Threshold(t) = &mut st.layers[layer] {
            t.output = ThresholdOutput::Integer { bias: 0 };
        }
        for i in 0..n {
            st.b[i] -= st.s[i];
            st.s[i] *= 2.0;
        }
        st.range = (0, 1);
        st.producer = Producer::Threshold { layer, bipolar: false };
    }
    let k = q.steps;
    negate_negative_rows(st)?;
    let mut values = Vec::with_capacity(n * k);
    let mut out_scale = q.out_scale.clone();
    let mut out_bias = q.out_bias.clone();
    for i in 0..n {
        let s = st.s[i];
        let cuts = &q.cuts[i * k..(i + 1) * k];
        let start = values.len();
        for &cut in cuts {
            let t = if s < 0.0 {
                // v ≥ t ⇔ q ≤ x ⇔ ¬(q ≥ ⌊x⌋ + 1); v > t ⇔ q < x ⇔ ¬(q ≥ ⌈x⌉).
                let flipped = Cut { at: -cut.at, strict: !cut.strict };
                int_threshold(flipped, -s, -st.b[i], st.range)
            } else {
                int_threshold(cut, s, st.b[i], st.range)
            };
            values.push(t.ok_or_else(|| {
                ImportError::Invalid {
                    node: step.node.clone(),
                    op: step.op.clone(),
                    reason: format!("element {i}: a threshold is NaN after folding the scales before it"),
                }
            })?);
        }
        if s < 0.0 {
            // The native count is of the complemented comparisons: count = k − count'.
            out_bias[i] += k as f64 * out_scale[i];
            out_scale[i] = -out_scale[i];
        }
        values[start..].sort_unstable();
    }
    // One row shared by every element, one per channel of a map, or one per element.
    let period = |p: usize| p > 0 && n % p == 0 && (p..n).all(|i| values[i * k..(i + 1) * k] == values[(i % p) * k..(i % p + 1) * k]);
    let rows = [Some(1), st.map.map(|m| m.channels)].into_iter().flatten().find(|&p| period(p)).unwrap_or(n);
    values.truncate(rows * k);
    let table = ThresholdTable::new(rows, k, values).ok_or_else(|| ImportError::Bug("threshold table size".into()))?;

    let output;
    if k == 1 {
        output = ThresholdOutput::Bipolar;
        for i in 0..n {
            st.s[i] = out_scale[i] / 2.0;
            st.b[i] = out_bias[i] + out_scale[i] / 2.0;
        }
        st.range = (-1, 1);
    } else {
        let ratio = out_bias.first().zip(out_scale.first()).map(|(b, s)| b / s);
        let bias = match ratio {
            Some(r) if r.fract() == 0.0 && r.abs() < 1e9 && (0..n).all(|i| out_scale[i] != 0.0 && out_bias[i] / out_scale[i] == r) => r as i64,
            _ => 0,
        };
        output = ThresholdOutput::Integer { bias };
        for i in 0..n {
            st.s[i] = out_scale[i];
            st.b[i] = out_bias[i] - bias as f64 * out_scale[i];
        }
        st.range = (bias, bias + k as i64);
    }
    st.layers.push(Layer::Threshold(MultiThreshold { name: step.node.clone(), thresholds: table, output }));
    st.pending.push(step.node.clone());
    st.sources.push(std::mem::take(&mut st.pending));
    st.producer = Producer::Threshold { layer: st.layers.len() - 1, bipolar: k == 1 };
    st.pooled = false;
    Ok(())
}

fn finish(st: &mut State, chain: &Chain) -> Result<(OutputMap, Option<Epilogue>), ImportError> {
    if st.layers.is_empty() {
        return Err(ImportError::Model {
            reason: "the graph has no MatMul/Gemm and no quantizer: there is no layer to import".into(),
        });
    }
    negate_negative_rows(st)?;
    unify_output_scale(st)?;
    let (s0, b0) = (st.s[0], st.b[0]);
    if let Some(i) = (0..st.s.len()).find(|&i| !st.s[i].is_finite() || !st.b[i].is_finite()) {
        let last = st.layers.last().map_or("", |l| l.name());
        return Err(ImportError::Output {
            reason: format!(
                "the graph's output is s·y + b of the integers y of the last layer ({last}), with s = {}, b = {} for element {i}: \
                 not finite",
                st.s[i], st.b[i]
            ),
        });
    }
    let uniform =
        st.s.iter().all(|&s| s > 0.0 && close(s, s0)) && st.b.iter().all(|&b| (b - b0).abs() <= REL_TOL * s0.abs());
    let epilogue = (!uniform).then(|| Epilogue { scale: st.s.clone(), bias: st.b.clone() });
    if epilogue.is_some() {
        let last = st.layers.last().map_or("", |l| l.name());
        st.notes.push(format!(
            "the graph's output is s·y + b with a scale and offset per output after {last}: kept as the epilogue, applied on \
             the host after the integer outputs (the label is the argmax of s·y + b)"
        ));
    }
    let output = OutputMap {
        label: chain.label.clone(),
        scale: s0,
        offset: b0,
        folded: std::mem::take(&mut st.pending),
        epilogue: epilogue.is_some(),
    };
    Ok((output, epilogue))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_and_ties() {
        let c = |at| Cut { at, strict: false };
        // v = 0.5·q + 0.25 ≥ 1.25 ⇔ q ≥ 2 (exact tie at q = 2)
        assert_eq!(int_threshold(c(1.25), 0.5, 0.25, (-10, 10)), Some(2));
        // strict: v > 1.25 ⇔ q ≥ 3
        assert_eq!(int_threshold(Cut { at: 1.25, strict: true }, 0.5, 0.25, (-10, 10)), Some(3));
        // 1/3 scale: v = q/3 ≥ 1 ⇔ q ≥ 3 even though 1/(1/3) is 3.0000000000000004
        assert_eq!(int_threshold(c(1.0), 1.0 / 3.0, 0.0, (-10, 10)), Some(3));
        // clamped to lo ..= hi + 1
        assert_eq!(int_threshold(c(-1e30), 1.0, 0.0, (-10, 10)), Some(-10));
        assert_eq!(int_threshold(c(1e30), 1.0, 0.0, (-10, 10)), Some(11));
        assert_eq!(int_threshold(c(f64::NEG_INFINITY), 1.0, 0.0, (0, 255)), Some(0));
        // s = 0: constant v = b
        assert_eq!(int_threshold(c(0.0), 0.0, 0.5, (0, 1)), Some(0));
        assert_eq!(int_threshold(c(0.0), 0.0, -0.5, (0, 1)), Some(2));
        assert_eq!(int_threshold(c(f64::NAN), 1.0, 0.0, (0, 1)), None);
    }
}
