//! The quantized model: what a user writes (see `docs/model-format.md`) and what the
//! reference executor runs. Loading and checking live in [`crate::format`] and [`crate::verify`].

use crate::types::DataType;

/// A quantized feed-forward network: an input vector and a chain of layers.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    /// Human-readable name, used in reports and the design hash.
    pub name: String,
    /// The input vector.
    pub input: InputSpec,
    /// Layers in execution order; each consumes the previous one's output.
    pub layers: Vec<Layer>,
    /// A float affine map applied on the host after the integer outputs, when the source
    /// network's output has no exact integer form (a last layer's bias or per-channel scale).
    pub epilogue: Option<Epilogue>,
}

impl Model {
    /// A model without an epilogue.
    pub fn new(name: impl Into<String>, input: InputSpec, layers: Vec<Layer>) -> Self {
        Self { name: name.into(), input, layers, epilogue: None }
    }

    /// The epilogue's `s·y + b` for the integer outputs `y`, when the model has one.
    pub fn epilogue_output(&self, y: &[i64]) -> Option<Vec<f64>> {
        self.epilogue.as_ref().map(|e| e.apply(y))
    }

    /// The predicted label for the integer outputs `y`: the index of the first maximum of the
    /// epilogue's `s·y + b` when there is one, else of `y`.
    pub fn label(&self, y: &[i64]) -> usize {
        match &self.epilogue {
            Some(e) => argmax_f64(&e.apply(y)),
            None => crate::reference::argmax(y),
        }
    }
}

/// The index of the first maximum (0 for an empty slice; NaN never wins).
pub fn argmax_f64(values: &[f64]) -> usize {
    let mut best = 0;
    for (i, &v) in values.iter().enumerate() {
        if v > values[best] || values[best].is_nan() {
            best = i;
        }
    }
    best
}

/// `out[i] = scale[i] · y[i] + bias[i]` in `f64` on the integer outputs `y`: what the source
/// graph outputs. The hardware and every bit-exact check stay on `y`.
#[derive(Clone, Debug, PartialEq)]
pub struct Epilogue {
    /// One factor per output.
    pub scale: Vec<f64>,
    /// One offset per output.
    pub bias: Vec<f64>,
}

impl Epilogue {
    /// The float outputs for the integer outputs `y` (elements past the shorter length are dropped;
    /// the verifier makes the lengths equal).
    pub fn apply(&self, y: &[i64]) -> Vec<f64> {
        y.iter().zip(self.scale.iter().zip(&self.bias)).map(|(&v, (&s, &b))| s * v as f64 + b).collect()
    }
}

/// How the raw integers the native model takes relate to what the source network was trained on:
/// the source graph's input is `(raw · scale − mean[c]) / std[c]` for channel `c` (torchvision's
/// `ToTensor` then `Normalize`). The importer has folded it into the first layer, so the native
/// model always takes the raw integers; the convention records what the data must be.
#[derive(Clone, Debug, PartialEq)]
pub struct InputConvention {
    /// Factor on the raw integers (e.g. 1/255).
    pub scale: f64,
    /// Subtracted after the scale: empty (0), one value for every channel, or one per channel.
    pub mean: Vec<f64>,
    /// Divides after the mean: empty (1), one value, or one per channel.
    pub std: Vec<f64>,
}

impl Default for InputConvention {
    fn default() -> Self {
        Self::IDENTITY
    }
}

impl InputConvention {
    /// The graph receives the raw integers.
    pub const IDENTITY: Self = Self { scale: 1.0, mean: Vec::new(), std: Vec::new() };

    /// Whether the graph receives the raw integers unchanged.
    pub fn is_identity(&self) -> bool {
        self.scale == 1.0 && self.mean.iter().all(|&m| m == 0.0) && self.std.iter().all(|&s| s == 1.0)
    }

    /// `(a, c)` with `graph_input = a · raw + c` for channel `c`.
    pub fn affine(&self, channel: usize) -> (f64, f64) {
        let pick = |v: &[f64], d: f64| match v.len() {
            0 => d,
            1 => v[0],
            _ => v.get(channel).copied().unwrap_or(d),
        };
        let (m, sd) = (pick(&self.mean, 0.0), pick(&self.std, 1.0));
        (self.scale / sd, -m / sd)
    }
}

impl std::fmt::Display for InputConvention {
    /// `raw` for the identity, else e.g. `raw·1/255`, `(raw·1/255 − [0.1307]) / [0.3081]`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let inv = 1.0 / self.scale;
        let scale = if self.scale != 1.0 && inv.fract() == 0.0 && inv.abs() < 1e9 {
            format!("·1/{inv}")
        } else if self.scale != 1.0 {
            format!("·{}", self.scale)
        } else {
            String::new()
        };
        let list = |v: &[f64]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(", ");
        match (self.mean.is_empty(), self.std.is_empty()) {
            (true, true) => write!(f, "raw{scale}"),
            (false, true) => write!(f, "raw{scale} − [{}]", list(&self.mean)),
            (true, false) => write!(f, "raw{scale} / [{}]", list(&self.std)),
            (false, false) => write!(f, "(raw{scale} − [{}]) / [{}]", list(&self.mean), list(&self.std)),
        }
    }
}

/// The layout of the source graph's input when it differs from the native one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceLayout {
    /// The graph took `[N, C, H, W]` (PyTorch, FINN); the native input is channels-last
    /// `[H, W, C]`.
    Nchw {
        /// C.
        channels: usize,
        /// H.
        height: usize,
        /// W.
        width: usize,
    },
}

impl SourceLayout {
    /// The source shape without the batch dimension, e.g. `[3, 32, 32]`.
    pub fn shape(&self) -> Vec<usize> {
        match *self {
            SourceLayout::Nchw { channels, height, width } => vec![channels, height, width],
        }
    }

    /// The native element index of source element `i` (row-major in the source shape).
    pub fn native_index(&self, i: usize) -> usize {
        match *self {
            SourceLayout::Nchw { channels, height, width } => {
                let (c, p) = (i / (height * width), i % (height * width));
                p * channels + c
            }
        }
    }
}

/// The network input: a flat vector of `len` elements of `dtype` (uint8 pixels).
#[derive(Clone, Debug, PartialEq)]
pub struct InputSpec {
    /// Logical shape, e.g. `[1, 28, 28]`; its product is the vector length.
    pub shape: Vec<usize>,
    /// Element type; `UInt(8)` for images.
    pub dtype: DataType,
    /// What the source network expected of the raw integers (identity for native models).
    pub convention: InputConvention,
    /// The source graph's layout, when the native input is a transposed form of it.
    pub source: Option<SourceLayout>,
}

impl InputSpec {
    /// Raw integers of `dtype` in `shape`, with the identity convention and no source layout.
    pub fn new(shape: Vec<usize>, dtype: DataType) -> Self {
        Self { shape, dtype, convention: InputConvention::IDENTITY, source: None }
    }

    /// Number of elements in one input vector.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// The channel count the convention's per-channel values refer to: the source layout's `C`,
    /// the first of three dimensions (a row-major `[C, H, W]` input), else 1.
    pub fn channels(&self) -> usize {
        match (self.source, &self.shape[..]) {
            (Some(SourceLayout::Nchw { channels, .. }), _) => channels,
            (None, &[c, _, _]) => c,
            _ => 1,
        }
    }

    /// The channel of native element `i` (see [`InputSpec::channels`]).
    pub fn channel_of(&self, i: usize) -> usize {
        match (self.source, &self.shape[..]) {
            (Some(SourceLayout::Nchw { channels, .. }), _) => i % channels.max(1),
            (None, &[_, h, w]) => i / (h * w).max(1),
            _ => 0,
        }
    }

    /// Whether the input has no elements (never true for a verified model).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One layer.
#[derive(Clone, Debug, PartialEq)]
pub enum Layer {
    /// Fully-connected layer with ±1 weights.
    BinaryDense(BinaryDense),
    /// Per-channel multi-threshold activation (also the input quantizer).
    Threshold(MultiThreshold),
    /// Fully-connected layer with integer weights (INQ powers of two, QIL b-bit integers).
    Dense(IntDense),
    /// HORQ: residual binarization of the input, then a binary dense layer per order.
    HorqDense(HorqDense),
    /// 2-D convolution without padding on a channels-last feature map.
    Conv2d(Conv2d),
    /// 2-D max pooling on a channels-last feature map.
    MaxPool2d(MaxPool2d),
}

impl Layer {
    /// The layer's name, to rename it.
    pub fn name_mut(&mut self) -> &mut String {
        match self {
            Layer::BinaryDense(l) => &mut l.name,
            Layer::Threshold(l) => &mut l.name,
            Layer::Dense(l) => &mut l.name,
            Layer::HorqDense(l) => &mut l.name,
            Layer::Conv2d(l) => &mut l.name,
            Layer::MaxPool2d(l) => &mut l.name,
        }
    }

    /// The layer's `kind` in `model.json`.
    pub fn kind(&self) -> &'static str {
        match self {
            Layer::BinaryDense(_) => "binary_dense",
            Layer::Threshold(_) => "threshold",
            Layer::Dense(_) => "dense",
            Layer::HorqDense(_) => "horq_dense",
            Layer::Conv2d(_) => "conv2d",
            Layer::MaxPool2d(_) => "max_pool2d",
        }
    }

    /// The layer's name from the model file.
    pub fn name(&self) -> &str {
        match self {
            Layer::BinaryDense(l) => &l.name,
            Layer::Threshold(l) => &l.name,
            Layer::Dense(l) => &l.name,
            Layer::HorqDense(l) => &l.name,
            Layer::Conv2d(l) => &l.name,
            Layer::MaxPool2d(l) => &l.name,
        }
    }
}

/// `y[r] = Σ_c W[r][c] · x[c]` with `W[r][c] ∈ {−1, +1}`.
#[derive(Clone, Debug, PartialEq)]
pub struct BinaryDense {
    /// Layer name.
    pub name: String,
    /// The weights, `out_features` rows of `in_features` columns.
    pub weights: BitMatrix,
}

impl BinaryDense {
    /// MW: the input vector length.
    pub fn in_features(&self) -> usize {
        self.weights.cols()
    }

    /// MH: the output vector length.
    pub fn out_features(&self) -> usize {
        self.weights.rows()
    }
}

/// `y[r] = Σ_c W[r][c] · x[c]` with integer weights of a declared [`WeightType`].
#[derive(Clone, Debug, PartialEq)]
pub struct IntDense {
    /// Layer name.
    pub name: String,
    /// The weights, `out_features` rows of `in_features` columns.
    pub weights: IntMatrix,
    /// The set every weight belongs to (checked by the verifier; tells the hardware the encoding).
    pub weight_type: WeightType,
}

impl IntDense {
    /// MW: the input vector length.
    pub fn in_features(&self) -> usize {
        self.weights.cols()
    }

    /// MH: the output vector length.
    pub fn out_features(&self) -> usize {
        self.weights.rows()
    }

    /// The range `min ..= max` of outputs over inputs in `lo ..= hi`, exact per row (the
    /// extremes of `Σ w·x` pick `x = lo` or `x = hi` by the sign of each weight).
    pub fn output_range(&self, lo: i64, hi: i64) -> (i128, i128) {
        int_dot_range(&self.weights, lo, hi)
    }
}

/// The range of `Σ_c W[r][c]·x[c]` over all rows `r` and inputs `x[c] ∈ lo ..= hi`, exact per
/// row: each term's extremes pick `x = lo` or `x = hi` by the sign of the weight.
pub fn int_dot_range(w: &IntMatrix, lo: i64, hi: i64) -> (i128, i128) {
    let (mut min, mut max) = (i128::MAX, i128::MIN);
    for r in 0..w.rows() {
        let (mut a, mut b) = (0i128, 0i128);
        for &v in w.row(r) {
            let (p, q) = (i128::from(v) * i128::from(lo), i128::from(v) * i128::from(hi));
            a += p.min(q);
            b += p.max(q);
        }
        min = min.min(a);
        max = max.max(b);
    }
    (min, max)
}

/// High-order residual quantization (HORQ) of the incoming vector, then ±1 weights.
///
/// In integers, with `N = in_features` and `ch` the channel's prescale row:
///
/// ```text
/// R⁰[c] = clamp((mult[ch]·x[c] + add[ch]) >> shift, −limit, limit)
///                                                     (batch-norm folded to fixed point)
/// for i in 1..=order:
///     βᵢ    = floor(Σ_c |Rⁱ⁻¹[c]| / N)                (the residual's mean magnitude)
///     Hᵢ[c] = +1 if Rⁱ⁻¹[c] ≥ 0 else −1               (sign, sign(0) = +1)
///     Rⁱ[c] = Rⁱ⁻¹[c] − βᵢ·Hᵢ[c]
/// y[r] = Σ_i βᵢ · Σ_c W[r][c]·Hᵢ[c]
/// ```
///
/// `>>` is an arithmetic shift (floor division by `2^shift`). The saturation at `limit` bounds
/// every residual whatever the input range, so the hardware's widths stay small while
/// `mult` keeps its precision; the exporter calibrates `shift` so saturation is rare.
///
/// Order 1 is XNOR-Net's input binarization with its scale β₁; each further order binarizes
/// what the previous ones missed. The hardware computes one XNOR-popcount per order.
#[derive(Clone, Debug, PartialEq)]
pub struct HorqDense {
    /// Layer name.
    pub name: String,
    /// Residual order k, 1 ≤ k ≤ [`HorqDense::MAX_ORDER`].
    pub order: u32,
    /// Prescale `(mult, add)` per channel, or one pair shared by every channel.
    pub prescale: Vec<(i64, i64)>,
    /// Right shift after the prescale, 0 ≤ shift ≤ 62.
    pub shift: u32,
    /// Saturation of `R⁰`: `1 ≤ limit < 2³¹`.
    pub limit: i64,
    /// The ±1 weights, `out_features` rows of `in_features` columns.
    pub weights: BitMatrix,
}

impl HorqDense {
    /// The highest residual order accepted.
    pub const MAX_ORDER: u32 = 8;

    /// MW: the input vector length.
    pub fn in_features(&self) -> usize {
        self.weights.cols()
    }

    /// MH: the output vector length.
    pub fn out_features(&self) -> usize {
        self.weights.rows()
    }

    /// The prescale of channel `c`.
    pub fn prescale_of(&self, c: usize) -> (i64, i64) {
        self.prescale[if self.prescale.len() == 1 { 0 } else { c }]
    }

    /// `R⁰[c]` for input `x` of channel `c`.
    pub fn residual0(&self, c: usize, x: i64) -> i64 {
        let (m, a) = self.prescale_of(c);
        let v = (i128::from(m) * i128::from(x) + i128::from(a)) >> self.shift;
        v.clamp(-i128::from(self.limit), i128::from(self.limit)) as i64
    }

    /// `Z`, the largest `|R⁰[c]|` over inputs in `lo ..= hi` (at most `limit`). Every `βᵢ` and
    /// every `|Rⁱ[c]|` is at most `Z` (`|Rⁱ| = ||Rⁱ⁻¹| − βᵢ| ≤ max(|Rⁱ⁻¹|, βᵢ)`), so
    /// `|y| ≤ order · Z · N`.
    pub fn max_residual(&self, lo: i64, hi: i64) -> i128 {
        self.prescale
            .iter()
            .map(|&(m, a)| {
                let f = |x: i64| ((i128::from(m) * i128::from(x) + i128::from(a)) >> self.shift).abs();
                f(lo).max(f(hi)).min(i128::from(self.limit))
            })
            .max()
            .unwrap_or(0)
    }

    /// The bound `order · Z · N` on `|y|`.
    pub fn output_bound(&self, lo: i64, hi: i64) -> i128 {
        i128::from(self.order) * self.max_residual(lo, hi) * self.in_features() as i128
    }
}

/// The shape of a feature map, stored channels-last: element `(y, x, c)` is at index
/// `(y·width + x)·channels + c`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeatureMap {
    /// Channels C.
    pub channels: usize,
    /// Height H.
    pub height: usize,
    /// Width W.
    pub width: usize,
}

impl FeatureMap {
    /// Number of elements, `None` on overflow.
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> Option<usize> {
        self.channels.checked_mul(self.height)?.checked_mul(self.width)
    }

    /// Output size along one axis of a `kernel`×`kernel` window moved by `stride` without
    /// padding; `None` when the window does not fit or the stride is 0.
    pub fn windows(extent: usize, kernel: usize, stride: usize) -> Option<usize> {
        (kernel >= 1 && stride >= 1 && kernel <= extent).then(|| (extent - kernel) / stride + 1)
    }
}

/// Weights of a convolution: ±1 bits or integers of a declared type.
#[derive(Clone, Debug, PartialEq)]
pub enum ConvWeights {
    /// ±1 (XNOR-popcount with bipolar input).
    Binary(BitMatrix),
    /// Integers of a [`WeightType`].
    Int(IntMatrix, WeightType),
}

impl ConvWeights {
    /// Rows (output channels).
    pub fn rows(&self) -> usize {
        match self {
            ConvWeights::Binary(m) => m.rows(),
            ConvWeights::Int(m, _) => m.rows(),
        }
    }

    /// Columns (`kernel·kernel·in_channels`).
    pub fn cols(&self) -> usize {
        match self {
            ConvWeights::Binary(m) => m.cols(),
            ConvWeights::Int(m, _) => m.cols(),
        }
    }
}

/// `y[oy, ox, o] = Σ_{ky, kx, c} W[o][(ky·K + kx)·C + c] · x[oy·S + ky, ox·S + kx, c]`: a
/// K×K convolution with stride S and no padding. Each weight row is one output channel's
/// kernel in the same channels-last order as the input, so a convolution is a dense layer
/// applied to every window (the sliding-window + MVU structure of the hardware).
#[derive(Clone, Debug, PartialEq)]
pub struct Conv2d {
    /// Layer name.
    pub name: String,
    /// The incoming feature map.
    pub input: FeatureMap,
    /// Kernel size K (square).
    pub kernel: usize,
    /// Stride S.
    pub stride: usize,
    /// `out_channels` rows of `K·K·in_channels` columns.
    pub weights: ConvWeights,
}

impl Conv2d {
    /// The output feature map (`None` when the kernel does not fit).
    pub fn output(&self) -> Option<FeatureMap> {
        Some(FeatureMap {
            channels: self.weights.rows(),
            height: FeatureMap::windows(self.input.height, self.kernel, self.stride)?,
            width: FeatureMap::windows(self.input.width, self.kernel, self.stride)?,
        })
    }
}

/// `y[oy, ox, c] = max_{ky, kx < K} x[oy·S + ky, ox·S + kx, c]`, no padding.
#[derive(Clone, Debug, PartialEq)]
pub struct MaxPool2d {
    /// Layer name.
    pub name: String,
    /// The incoming feature map.
    pub input: FeatureMap,
    /// Window size K (square).
    pub kernel: usize,
    /// Stride S.
    pub stride: usize,
}

impl MaxPool2d {
    /// The output feature map (`None` when the window does not fit).
    pub fn output(&self) -> Option<FeatureMap> {
        Some(FeatureMap {
            channels: self.input.channels,
            height: FeatureMap::windows(self.input.height, self.kernel, self.stride)?,
            width: FeatureMap::windows(self.input.width, self.kernel, self.stride)?,
        })
    }
}

/// The values an integer weight may take, in the scaled integer form the hardware runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WeightType {
    /// `bits`-bit two's complement: `−2^(bits−1) ..= 2^(bits−1) − 1` (QIL; 2 ≤ bits ≤ 16).
    Int(u32),
    /// INQ's `bits`-bit powers of two: 0 or `±2^e` with `0 ≤ e < 2^(bits−2)` and
    /// `e ≤` [`crate::quantize::MAX_POW2_EXPONENT`] (2 ≤ bits ≤ 8; `bits = 2` is ternary; the
    /// cap matters at 7 and 8 bits only, where the weights are stored as `i32`). A multiply
    /// becomes a shift by `e`.
    Pow2(u32),
}

impl WeightType {
    /// Whether `w` belongs to the set.
    pub fn contains(self, w: i64) -> bool {
        match self {
            WeightType::Int(b) => (-(1i64 << (b - 1))..(1i64 << (b - 1))).contains(&w),
            WeightType::Pow2(b) => {
                let m = w.unsigned_abs();
                let top = (1u32 << (b - 2)).min(crate::quantize::MAX_POW2_EXPONENT + 1);
                w == 0 || (m.is_power_of_two() && m.trailing_zeros() < top)
            }
        }
    }

    /// Whether the bit count is one the format accepts.
    pub fn is_valid(self) -> bool {
        match self {
            WeightType::Int(b) => (2..=16).contains(&b),
            WeightType::Pow2(b) => (2..=8).contains(&b),
        }
    }
}

impl std::fmt::Display for WeightType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WeightType::Int(b) => write!(f, "int{b}"),
            WeightType::Pow2(b) => write!(f, "pow2_{b}"),
        }
    }
}

impl std::str::FromStr for WeightType {
    type Err = ();

    /// `int<b>` or `pow2_<b>`, with the bit counts [`WeightType::is_valid`] accepts.
    fn from_str(s: &str) -> Result<Self, ()> {
        let bits = |d: &str| -> Result<u32, ()> {
            if d.is_empty() || d.len() > 2 || d.starts_with('0') || !d.bytes().all(|b| b.is_ascii_digit()) {
                return Err(());
            }
            d.parse().map_err(|_| ())
        };
        let t = match (s.strip_prefix("pow2_"), s.strip_prefix("int")) {
            (Some(d), _) => WeightType::Pow2(bits(d)?),
            (None, Some(d)) => WeightType::Int(bits(d)?),
            _ => return Err(()),
        };
        if t.is_valid() {
            Ok(t)
        } else {
            Err(())
        }
    }
}

/// A dense row-major matrix of integer weights.
#[derive(Clone, PartialEq, Eq)]
pub struct IntMatrix {
    rows: usize,
    cols: usize,
    values: Vec<i32>,
}

impl IntMatrix {
    /// A matrix from row-major values; `values.len()` must be `rows * cols`.
    pub fn new(rows: usize, cols: usize, values: Vec<i32>) -> Option<Self> {
        (rows.checked_mul(cols)? == values.len()).then_some(Self { rows, cols, values })
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Row `r`.
    pub fn row(&self, r: usize) -> &[i32] {
        &self.values[r * self.cols..(r + 1) * self.cols]
    }

    /// All values, row-major.
    pub fn values(&self) -> &[i32] {
        &self.values
    }
}

impl std::fmt::Debug for IntMatrix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IntMatrix({}x{})", self.rows, self.cols)
    }
}

/// FINN's MultiThreshold: `y[i] = #{ j : x[i] ≥ T[ch(i)][j] } + bias`, or for bipolar
/// output one threshold and `y = +1` when `x ≥ T`, else −1.
#[derive(Clone, Debug, PartialEq)]
pub struct MultiThreshold {
    /// Layer name.
    pub name: String,
    /// Thresholds, one sorted row per channel, or a single row shared by all channels.
    pub thresholds: ThresholdTable,
    /// How the count is turned into the output value.
    pub output: ThresholdOutput,
}

/// How a threshold count becomes an output value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThresholdOutput {
    /// One threshold: +1 when reached, −1 otherwise.
    Bipolar,
    /// `count + bias`: e.g. two thresholds and bias −1 give ternary −1/0/+1.
    Integer {
        /// Added to the count (FINN's `out_bias`).
        bias: i64,
    },
}

/// Thresholds as a `rows × steps` table; `rows` is 1 (shared) or the channel count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThresholdTable {
    rows: usize,
    steps: usize,
    values: Vec<i64>,
}

impl ThresholdTable {
    /// A table from row-major values; `values.len()` must be `rows * steps`.
    pub fn new(rows: usize, steps: usize, values: Vec<i64>) -> Option<Self> {
        (rows.checked_mul(steps)? == values.len()).then_some(Self { rows, steps, values })
    }

    /// Number of rows (1 = shared by every channel).
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Thresholds per channel (k).
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// The thresholds applying to element `i`: row `i mod rows`. One row is shared by every
    /// element; `rows` equal to the vector length gives each element its own; `rows` = C after
    /// a convolution (channels-last vectors) gives each channel its own.
    pub fn row(&self, i: usize) -> &[i64] {
        let r = i % self.rows;
        &self.values[r * self.steps..(r + 1) * self.steps]
    }

    /// All values, row-major.
    pub fn values(&self) -> &[i64] {
        &self.values
    }
}

/// A dense matrix of ±1 stored one bit per entry (1 is +1), rows padded to whole u64 words.
#[derive(Clone, PartialEq, Eq)]
pub struct BitMatrix {
    rows: usize,
    cols: usize,
    words_per_row: usize,
    bits: Vec<u64>,
}

impl BitMatrix {
    /// An all −1 matrix.
    pub fn zeros(rows: usize, cols: usize) -> Self {
        let words_per_row = cols.div_ceil(64);
        Self { rows, cols, words_per_row, bits: vec![0; rows * words_per_row] }
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Whether entry (r, c) is +1.
    pub fn get(&self, r: usize, c: usize) -> bool {
        debug_assert!(r < self.rows && c < self.cols);
        self.bits[r * self.words_per_row + c / 64] >> (c % 64) & 1 == 1
    }

    /// Sets entry (r, c) to +1 (`true`) or −1.
    pub fn set(&mut self, r: usize, c: usize, plus_one: bool) {
        debug_assert!(r < self.rows && c < self.cols);
        let w = &mut self.bits[r * self.words_per_row + c / 64];
        let m = 1u64 << (c % 64);
        if plus_one {
            *w |= m
        } else {
            *w &= !m
        }
    }

    /// Row `r` as packed words; bits past `cols` are zero.
    pub fn row_words(&self, r: usize) -> &[u64] {
        &self.bits[r * self.words_per_row..(r + 1) * self.words_per_row]
    }
}

impl std::fmt::Debug for BitMatrix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BitMatrix({}x{})", self.rows, self.cols)
    }
}

/// The element type a dense layer produces from `input`-typed elements: wide enough for
/// `±in_features · max|x|` over the whole input type. One rule for the verifier, the IR and
/// the hardware accumulators.
pub fn dense_output_type(input: DataType, in_features: usize) -> DataType {
    let max_abs = input.min().unsigned_abs().max(input.max().unsigned_abs()) as i64;
    let s = max_abs.saturating_mul(in_features as i64);
    DataType::smallest_for(-s, s)
}

/// The element type a threshold layer produces: bipolar, or the count plus bias
/// (`bias ..= bias + steps`).
pub fn threshold_output_type(steps: usize, output: ThresholdOutput) -> DataType {
    match output {
        ThresholdOutput::Bipolar => DataType::Bipolar,
        ThresholdOutput::Integer { bias } => DataType::smallest_for(bias, bias + steps as i64),
    }
}

impl Layer {
    /// The length of the vector this layer produces from `input_len` elements (0 for a
    /// window that does not fit, which the verifier rejects).
    pub fn output_len(&self, input_len: usize) -> usize {
        match self {
            Layer::BinaryDense(d) => d.out_features(),
            Layer::Dense(d) => d.out_features(),
            Layer::HorqDense(d) => d.out_features(),
            Layer::Conv2d(c) => c.output().and_then(|m| m.len()).unwrap_or(0),
            Layer::MaxPool2d(p) => p.output().and_then(|m| m.len()).unwrap_or(0),
            Layer::Threshold(_) => input_len,
        }
    }

    /// The element type this layer produces when fed `input`-typed elements.
    pub fn output_type(&self, input: DataType) -> DataType {
        match self {
            Layer::BinaryDense(d) => dense_output_type(input, d.in_features()),
            Layer::Threshold(t) => threshold_output_type(t.thresholds.steps(), t.output),
            Layer::Dense(d) => {
                // Exact on verified models, which keep the range within 32 bits.
                let (lo, hi) = d.output_range(input.min(), input.max());
                DataType::smallest_for(i64::try_from(lo).unwrap_or(i64::MIN), i64::try_from(hi).unwrap_or(i64::MAX))
            }
            Layer::HorqDense(d) => {
                let s = i64::try_from(d.output_bound(input.min(), input.max())).unwrap_or(i64::MAX);
                DataType::smallest_for(-s, s)
            }
            Layer::Conv2d(c) => match &c.weights {
                ConvWeights::Binary(w) => dense_output_type(input, w.cols()),
                ConvWeights::Int(w, _) => {
                    let (lo, hi) = int_dot_range(w, input.min(), input.max());
                    DataType::smallest_for(i64::try_from(lo).unwrap_or(i64::MIN), i64::try_from(hi).unwrap_or(i64::MAX))
                }
            },
            Layer::MaxPool2d(_) => input,
        }
    }
}
