//! The model verifier: every [`Model`] that leaves [`crate::format::load`] or enters the
//! reference executor has passed [`verify`].
//!
//! Invariants, checked in this order (the first one broken is reported):
//!
//! 1. The model has at least one layer.
//! 2. The input type is `UInt(b)` with 1 ≤ b ≤ 16 or `Int(b)` with 2 ≤ b ≤ 16 (never bipolar).
//! 3. The input shape has at least one dimension, no zero dimension, and at most
//!    [`MAX_INPUT_ELEMENTS`] elements (the product is computed with overflow checks).
//!    The input convention's scale is finite and positive; its `mean` and `std` have 0, 1 or
//!    [`crate::model::InputSpec::channels`] finite values, and every `std` is positive. A source
//!    layout `nchw` of `C×H×W` comes with the native shape `[H, W, C]`, `C > 1`.
//! 4. Layer names are non-empty, made of `[A-Za-z0-9_]` (they become hardware identifiers),
//!    at most [`MAX_NAME_LEN`] characters long (they become file names), and unique.
//! 5. Vector lengths chain. A dense layer's (binary or integer) `in_features` equals the length
//!    of the incoming vector and its `out_features` is at least 1. A threshold layer keeps the
//!    length; its table has 1 row (shared), one row per element, or a divisor of the length
//!    (one row per channel of a channels-last map: element `i` uses row `i mod rows`). An integer
//!    dense layer's weight type has a supported bit count and holds every one of its weights.
//!    A HORQ layer has order 1 to 8, 1 or `in_features` prescale pairs (mult within 32 bits, add
//!    within 63), a shift of
//!    at most 62 and a saturation limit in `1 ..= 2³¹ − 1`.
//!    A convolution or pooling layer's input map (C×H×W, channels-last) holds exactly the
//!    incoming vector, its window fits (kernel and stride ≥ 1, kernel ≤ H and W), and a
//!    convolution's weight rows have K·K·C columns.
//! 6. A threshold layer's input is not bipolar; it has 1 ≤ k ≤ 255 thresholds per channel;
//!    bipolar output needs k = 1; with integer output, `bias` and `bias + k` lie in the `i32` range.
//! 7. Every threshold row is sorted ascending (non-decreasing; equal thresholds are allowed).
//! 8. Every threshold `T` lies in `lo ..= hi + 1`, where `lo ..= hi` is the range of the values
//!    entering the layer ([`value_ranges`]). `T = lo` is always reached, `T = hi + 1` never.
//! 9. Every layer's output type ([`layer_types`]) is at most 32 bits wide. For a binary dense
//!    layer this means `in_features · max|x| ≤ 2³¹ − 1` over the incoming type; for an integer
//!    one, the exact range of `Σ w·x` over its weights and the incoming type; for a HORQ layer,
//!    `order · Z · in_features` with `Z` the largest prescaled input magnitude.
//! 10. An epilogue has one finite scale and one finite bias per element of the model's output.
//!
//! Binary weights are ±1 by construction ([`crate::model::BitMatrix`]), integer weights are
//! integers by construction (the format rejects float tensors), and thresholds are integers
//! by construction (the format rejects float tensors), so NaN and infinities cannot occur.
//!
//! Two helpers describe the values between layers, for the compiler and the hardware. On a
//! verified model both are exact and never saturate:
//!
//! - [`value_ranges`]: the interval of values after each layer (the "value-range rule").
//! - [`layer_types`]: the element type after each layer, the same chain of
//!   [`Layer::output_type`] that lowering to the IR uses.

use crate::error::ModelError;
use crate::model::{int_dot_range, Conv2d, ConvWeights, FeatureMap, HorqDense, Layer, Model, ThresholdOutput};
use crate::types::DataType;
use std::collections::HashMap;

/// The most elements an input vector may have (2²⁶), so that no input can make the executor
/// allocate without bound.
pub const MAX_INPUT_ELEMENTS: usize = 1 << 26;

/// The most thresholds per channel (the count must fit 8 bits).
pub const MAX_THRESHOLD_STEPS: usize = 255;

/// The widest output type of any layer, in bits.
pub const MAX_VALUE_BITS: u32 = 32;

/// Checks every invariant listed in the module documentation.
pub fn verify(model: &Model) -> Result<(), ModelError> {
    if model.layers.is_empty() {
        return Err(ModelError::EmptyModel);
    }
    check_input(model)?;
    check_convention(model)?;
    check_names(model)?;

    let mut len = model.input.len();
    let mut dtype = model.input.dtype;
    let mut range = (dtype.min(), dtype.max());
    for layer in &model.layers {
        let name = || layer.name().to_string();
        match layer {
            Layer::BinaryDense(d) => {
                if d.in_features() != len {
                    return Err(ModelError::InFeatures { layer: name(), expected: len, got: d.in_features() });
                }
                if d.out_features() == 0 {
                    return Err(ModelError::NoOutputs { layer: name() });
                }
                len = d.out_features();
            }
            Layer::Dense(d) => {
                if d.in_features() != len {
                    return Err(ModelError::InFeatures { layer: name(), expected: len, got: d.in_features() });
                }
                if d.out_features() == 0 {
                    return Err(ModelError::NoOutputs { layer: name() });
                }
                if !d.weight_type.is_valid() {
                    return Err(ModelError::WeightTypeBits { layer: name(), weight_type: d.weight_type.to_string() });
                }
                let bad = d.weights.values().iter().position(|&w| !d.weight_type.contains(w.into()));
                if let Some(i) = bad {
                    return Err(ModelError::WeightOutOfType {
                        layer: name(),
                        row: i / len,
                        col: i % len,
                        value: d.weights.values()[i].into(),
                        weight_type: d.weight_type.to_string(),
                    });
                }
                len = d.out_features();
            }
            Layer::HorqDense(d) => {
                if d.in_features() != len {
                    return Err(ModelError::InFeatures { layer: name(), expected: len, got: d.in_features() });
                }
                if d.out_features() == 0 {
                    return Err(ModelError::NoOutputs { layer: name() });
                }
                if !(1..=HorqDense::MAX_ORDER).contains(&d.order) {
                    let reason = format!("HORQ order {} is not in 1..={}", d.order, HorqDense::MAX_ORDER);
                    return Err(ModelError::Horq { layer: name(), reason });
                }
                if d.prescale.len() != 1 && d.prescale.len() != len {
                    let reason = format!("{} prescale rows, expected 1 (shared) or {len} (one per channel)", d.prescale.len());
                    return Err(ModelError::Horq { layer: name(), reason });
                }
                let limit = i64::from(i32::MAX);
                // mult is a 32-bit multiplier; add carries the fixed-point offset at the full
                // precision of the shift, so it may use 62 bits.
                let add_limit = (1i64 << 62) - 1;
                if let Some(&(m, a)) = d.prescale.iter().find(|(m, a)| m.abs() > limit || a.abs() > add_limit) {
                    let reason = format!("prescale ({m}, {a}): mult must fit 32 bits and add 63");
                    return Err(ModelError::Horq { layer: name(), reason });
                }
                if d.shift > 62 || !(1..=limit).contains(&d.limit) {
                    let reason = format!("shift {} must be at most 62 and limit {} in 1..=2^31-1", d.shift, d.limit);
                    return Err(ModelError::Horq { layer: name(), reason });
                }
                len = d.out_features();
            }
            Layer::Conv2d(c) => {
                let out = check_window(layer.name(), c.input, len, c.kernel, c.stride)?;
                let (rows, cols) = (c.weights.rows(), c.weights.cols());
                if rows == 0 {
                    return Err(ModelError::NoOutputs { layer: name() });
                }
                let want = c.kernel * c.kernel * c.input.channels;
                if cols != want {
                    let reason = format!("weights have {cols} columns, kernel {0}×{0} × {1} channels needs {want}", c.kernel, c.input.channels);
                    return Err(ModelError::Geometry { layer: name(), reason });
                }
                if let ConvWeights::Int(w, t) = &c.weights {
                    if !t.is_valid() {
                        return Err(ModelError::WeightTypeBits { layer: name(), weight_type: t.to_string() });
                    }
                    if let Some(i) = w.values().iter().position(|&v| !t.contains(v.into())) {
                        return Err(ModelError::WeightOutOfType {
                            layer: name(),
                            row: i / cols,
                            col: i % cols,
                            value: w.values()[i].into(),
                            weight_type: t.to_string(),
                        });
                    }
                }
                len = FeatureMap { channels: rows, ..out }.len().unwrap_or(usize::MAX);
                if len > MAX_INPUT_ELEMENTS {
                    return Err(ModelError::Geometry { layer: name(), reason: format!("output of {len} elements is too large") });
                }
            }
            Layer::MaxPool2d(p) => {
                let out = check_window(layer.name(), p.input, len, p.kernel, p.stride)?;
                len = out.len().unwrap_or(usize::MAX);
            }
            Layer::Threshold(t) => {
                if dtype == DataType::Bipolar {
                    return Err(ModelError::ThresholdOnBipolar { layer: name() });
                }
                let (rows, steps) = (t.thresholds.rows(), t.thresholds.steps());
                if rows == 0 || len % rows != 0 {
                    return Err(ModelError::ThresholdRows { layer: name(), rows, channels: len });
                }
                if !(1..=MAX_THRESHOLD_STEPS).contains(&steps) {
                    return Err(ModelError::ThresholdSteps { layer: name(), steps });
                }
                match t.output {
                    ThresholdOutput::Bipolar if steps != 1 => {
                        return Err(ModelError::BipolarSteps { layer: name(), steps });
                    }
                    ThresholdOutput::Integer { bias } => {
                        let top = bias.checked_add(steps as i64);
                        if bias < i64::from(i32::MIN) || top.is_none_or(|top| top > i64::from(i32::MAX)) {
                            return Err(ModelError::BiasRange { layer: name(), bias, steps });
                        }
                    }
                    ThresholdOutput::Bipolar => {}
                }
                let (lo, hi) = range;
                for channel in 0..rows {
                    let row = t.thresholds.row(channel);
                    if let Some(index) = row.windows(2).position(|w| w[0] > w[1]) {
                        return Err(ModelError::UnsortedThresholds {
                            layer: name(),
                            channel,
                            index,
                            prev: row[index],
                            next: row[index + 1],
                        });
                    }
                    if let Some(&value) = row.iter().find(|&&v| v < lo || v > hi.saturating_add(1)) {
                        return Err(ModelError::ThresholdOutOfRange { layer: name(), channel, value, lo, hi });
                    }
                }
            }
        }
        dtype = match checked_output_type(layer, dtype) {
            Some(t) if t.bits() <= MAX_VALUE_BITS => t,
            other => {
                let dtype = other.map_or_else(|| "more than 32 bits".to_string(), |t| t.to_string());
                return Err(ModelError::TooWide { layer: name(), dtype });
            }
        };
        range = next_range(layer, range);
    }
    if let Some(e) = &model.epilogue {
        let bad = |reason: String| Err(ModelError::Epilogue { reason });
        if e.scale.len() != len || e.bias.len() != len {
            return bad(format!("{} scales and {} biases for an output of {len} elements", e.scale.len(), e.bias.len()));
        }
        if let Some(i) = (0..len).find(|&i| !e.scale[i].is_finite() || !e.bias[i].is_finite()) {
            return bad(format!("element {i}: scale {} and bias {} must be finite", e.scale[i], e.bias[i]));
        }
    }
    Ok(())
}

fn check_convention(model: &Model) -> Result<(), ModelError> {
    let input = &model.input;
    // The layout first: the channel count below depends on it.
    if let Some(crate::model::SourceLayout::Nchw { channels, height, width }) = input.source {
        if channels < 2 || input.shape != [height, width, channels] {
            return Err(ModelError::SourceLayout {
                reason: format!(
                    "nchw source [{channels}, {height}, {width}] needs the native shape [{height}, {width}, {channels}] \
                     with more than one channel, found {:?}",
                    input.shape
                ),
            });
        }
    }
    let c = &input.convention;
    let bad = |reason: String| Err(ModelError::InputConvention { reason });
    if !(c.scale.is_finite() && c.scale > 0.0) {
        return bad(format!("scale {} must be finite and positive", c.scale));
    }
    let channels = input.channels();
    for (what, v) in [("mean", &c.mean), ("std", &c.std)] {
        if v.len() > 1 && v.len() != channels {
            return bad(format!("{} {what} values for an input of {channels} channels (give 1 or {channels})", v.len()));
        }
        if let Some(x) = v.iter().find(|x| !x.is_finite()) {
            return bad(format!("{what} {x} is not finite"));
        }
    }
    if let Some(s) = c.std.iter().find(|&&s| s <= 0.0) {
        return bad(format!("std {s} must be positive"));
    }
    Ok(())
}

fn check_input(model: &Model) -> Result<(), ModelError> {
    let dtype = model.input.dtype;
    let ok = match dtype {
        DataType::UInt(b) => (1..=16).contains(&b),
        DataType::Int(b) => (2..=16).contains(&b),
        DataType::Bipolar => false,
    };
    if !ok {
        return Err(ModelError::InputDtype { dtype: dtype.to_string() });
    }
    let shape = &model.input.shape;
    let bad = |reason| Err(ModelError::InputShape { shape: shape.clone(), reason });
    if shape.is_empty() {
        return bad("it has no dimensions");
    }
    if shape.contains(&0) {
        return bad("it has a zero dimension");
    }
    match shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d)) {
        Some(n) if n <= MAX_INPUT_ELEMENTS => Ok(()),
        _ => bad("more than 2^26 elements"),
    }
}

/// The longest layer name: names become module, memory-file and tensor names, and with the
/// suffixes added to them they must stay well inside a file system's 255-byte file names.
pub const MAX_NAME_LEN: usize = 64;

fn check_names(model: &Model) -> Result<(), ModelError> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (index, layer) in model.layers.iter().enumerate() {
        let name = layer.name();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(ModelError::BadName { index, name: name.to_string() });
        }
        if name.len() > MAX_NAME_LEN {
            return Err(ModelError::NameTooLong {
                index,
                name: name.to_string(),
                len: name.len(),
                limit: MAX_NAME_LEN,
            });
        }
        if let Some(&first) = seen.get(name) {
            return Err(ModelError::DuplicateName { name: name.to_string(), first, second: index });
        }
        seen.insert(name, index);
    }
    Ok(())
}

/// Checks that a `kernel`×`kernel` window with `stride` fits the feature map `map`, which must
/// describe the incoming vector of `len` elements; returns the output map (with `map`'s
/// channels).
fn check_window(layer: &str, map: FeatureMap, len: usize, kernel: usize, stride: usize) -> Result<FeatureMap, ModelError> {
    let err = |reason: String| ModelError::Geometry { layer: layer.to_string(), reason };
    if map.len() != Some(len) {
        return Err(err(format!(
            "input map {}×{}×{} (channels × height × width) does not hold the incoming {len} elements",
            map.channels, map.height, map.width
        )));
    }
    if kernel == 0 || stride == 0 {
        return Err(err(format!("kernel {kernel} and stride {stride} must both be at least 1")));
    }
    match (FeatureMap::windows(map.height, kernel, stride), FeatureMap::windows(map.width, kernel, stride)) {
        (Some(height), Some(width)) => Ok(FeatureMap { height, width, ..map }),
        _ => Err(err(format!("a {kernel}×{kernel} window does not fit the {}×{} map", map.height, map.width))),
    }
}

/// [`Layer::output_type`], or `None` when the result would be wider than 32 bits (computed
/// without overflow, so it is safe on any model).
fn checked_output_type(layer: &Layer, input: DataType) -> Option<DataType> {
    let limit = (1u64 << (MAX_VALUE_BITS - 1)) - 1;
    match layer {
        Layer::BinaryDense(d) => {
            let max_abs = input.min().unsigned_abs().max(input.max().unsigned_abs());
            let s = max_abs.checked_mul(d.in_features() as u64)?;
            (s <= limit).then(|| layer.output_type(input))
        }
        Layer::Dense(d) => {
            let (lo, hi) = d.output_range(input.min(), input.max());
            (lo >= -i128::from(limit) - 1 && hi <= i128::from(limit)).then(|| layer.output_type(input))
        }
        Layer::HorqDense(d) => {
            (d.output_bound(input.min(), input.max()) <= i128::from(limit)).then(|| layer.output_type(input))
        }
        Layer::Conv2d(c) => {
            let (lo, hi) = conv_range(c, input.min(), input.max());
            (lo >= -i128::from(limit) - 1 && hi <= i128::from(limit)).then(|| layer.output_type(input))
        }
        Layer::MaxPool2d(_) => Some(input),
        Layer::Threshold(t) => {
            if let ThresholdOutput::Integer { bias } = t.output {
                let top = bias.checked_add(i64::try_from(t.thresholds.steps()).ok()?)?;
                if bias < -(limit as i64) - 1 || top > limit as i64 {
                    return None;
                }
            }
            Some(layer.output_type(input))
        }
    }
}

/// The range of a convolution's outputs for inputs in `lo ..= hi`: as a binary or an integer
/// dense layer over one window.
fn conv_range(c: &Conv2d, lo: i64, hi: i64) -> (i128, i128) {
    match &c.weights {
        ConvWeights::Binary(w) => {
            let s = i128::from(lo.unsigned_abs().max(hi.unsigned_abs())) * w.cols() as i128;
            (-s, s)
        }
        ConvWeights::Int(w, _) => int_dot_range(w, lo, hi),
    }
}

/// The value-range rule: the interval of values `layer` produces from values in `range`.
/// Saturates instead of overflowing (only possible on models the verifier rejects).
fn next_range(layer: &Layer, (lo, hi): (i64, i64)) -> (i64, i64) {
    match layer {
        Layer::BinaryDense(d) => {
            let max_abs = lo.unsigned_abs().max(hi.unsigned_abs());
            let s = max_abs.saturating_mul(d.in_features() as u64).min(i64::MAX as u64) as i64;
            (-s, s)
        }
        Layer::Dense(d) => {
            let (a, b) = d.output_range(lo, hi);
            let sat = |v: i128| v.clamp(i64::MIN.into(), i64::MAX.into()) as i64;
            (sat(a), sat(b))
        }
        Layer::HorqDense(d) => {
            let s = d.output_bound(lo, hi).min(i64::MAX.into()) as i64;
            (-s, s)
        }
        Layer::Conv2d(c) => {
            let (a, b) = conv_range(c, lo, hi);
            let sat = |v: i128| v.clamp(i64::MIN.into(), i64::MAX.into()) as i64;
            (sat(a), sat(b))
        }
        Layer::MaxPool2d(_) => (lo, hi),
        Layer::Threshold(t) => match t.output {
            ThresholdOutput::Bipolar => (-1, 1),
            ThresholdOutput::Integer { bias } => (bias, bias.saturating_add(t.thresholds.steps() as i64)),
        },
    }
}

/// The range `lo ..= hi` of the values after each layer (one entry per layer), by the
/// value-range rule:
///
/// - the input ranges over its whole type (`0 ..= 255` for `uint8`);
/// - a binary dense layer with `N` inputs in `lo ..= hi` gives `−S ..= S` with
///   `S = N · max(|lo|, |hi|)` (every weight sign is possible, so this is the range over all
///   weight matrices; for bipolar input `S = N`);
/// - an integer dense layer gives the exact range of `Σ w·x` over its actual weights
///   ([`crate::model::IntDense::output_range`]);
/// - a HORQ layer gives `−B ..= B`, `B = order · Z · N` ([`HorqDense::output_bound`]);
/// - a convolution gives what a dense layer over one window gives; max pooling keeps the range;
/// - a bipolar threshold layer gives `−1 ..= 1`; an integer one `bias ..= bias + k`.
///
/// Exact on verified models; on others it saturates at `i64` bounds and never panics.
pub fn value_ranges(model: &Model) -> Vec<(i64, i64)> {
    let mut range = (model.input.dtype.min(), model.input.dtype.max());
    model
        .layers
        .iter()
        .map(|layer| {
            range = next_range(layer, range);
            range
        })
        .collect()
}

/// The element type after each layer (one entry per layer): the chain of
/// [`Layer::output_type`] from the input type, exactly as lowering to the IR computes it.
///
/// - bipolar thresholds give [`DataType::Bipolar`];
/// - integer thresholds give `smallest_for(bias, bias + k)`;
/// - a binary dense layer gives `smallest_for(−S, S)` with `S = in_features · max|x|` over the
///   incoming *type* ([`crate::model::dense_output_type`]); for bipolar input `S = in_features`;
/// - an integer dense layer gives `smallest_for(lo, hi)` of its exact output range over the
///   incoming type.
///   This covers the value range of [`value_ranges`] and can be one bit wider than it (e.g. after
///   a ternary layer, whose type `int2` also holds −2).
///
/// Meaningful on verified models only; on a model whose values would exceed 32 bits the entry
/// is `Int(63)` instead of panicking.
pub fn layer_types(model: &Model) -> Vec<DataType> {
    let mut dtype = model.input.dtype;
    model
        .layers
        .iter()
        .map(|layer| {
            dtype = checked_output_type(layer, dtype).unwrap_or(DataType::Int(63));
            dtype
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{BinaryDense, BitMatrix, InputSpec, MultiThreshold, ThresholdTable};

    fn dense(name: &str, rows: usize, cols: usize) -> Layer {
        Layer::BinaryDense(BinaryDense { name: name.into(), weights: BitMatrix::zeros(rows, cols) })
    }

    fn thr(name: &str, rows: usize, steps: usize, values: Vec<i64>, output: ThresholdOutput) -> Layer {
        Layer::Threshold(MultiThreshold {
            name: name.into(),
            thresholds: ThresholdTable::new(rows, steps, values).unwrap(),
            output,
        })
    }

    fn model(layers: Vec<Layer>) -> Model {
        Model { name: "m".into(), input: InputSpec::new(vec![4], DataType::UInt(8)), layers, epilogue: None }
    }

    #[test]
    fn ranges_and_types() {
        let m = model(vec![
            thr("q", 1, 1, vec![128], ThresholdOutput::Bipolar),
            dense("fc0", 3, 4),
            thr("a0", 3, 2, vec![-1, 1, 0, 0, -4, 5], ThresholdOutput::Integer { bias: -1 }),
            dense("fc1", 2, 3),
        ]);
        verify(&m).unwrap();
        assert_eq!(value_ranges(&m), vec![(-1, 1), (-4, 4), (-1, 1), (-3, 3)]);
        assert_eq!(layer_types(&m), vec![DataType::Bipolar, DataType::Int(4), DataType::Int(2), DataType::Int(4)]);
    }

    #[test]
    fn raw_input_dense() {
        let m = model(vec![dense("fc0", 2, 4)]);
        verify(&m).unwrap();
        assert_eq!(value_ranges(&m), vec![(-1020, 1020)]);
        assert_eq!(layer_types(&m), vec![DataType::Int(11)]);
    }

    #[test]
    fn threshold_range_edges() {
        // 0 ..= 256 is allowed on uint8 input, -1 and 257 are not.
        verify(&model(vec![thr("q", 1, 2, vec![0, 256], ThresholdOutput::Integer { bias: 0 })])).unwrap();
        for bad in [-1, 257] {
            let m = model(vec![thr("q", 1, 1, vec![bad], ThresholdOutput::Bipolar)]);
            match verify(&m) {
                Err(ModelError::ThresholdOutOfRange { value, lo: 0, hi: 255, .. }) => assert_eq!(value, bad),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn too_wide() {
        let mut m = model(vec![dense("fc0", 1, 4)]);
        m.input.shape = vec![1 << 16];
        m.input.dtype = DataType::UInt(16);
        m.layers = vec![dense("fc0", 1, 1 << 16)];
        assert!(matches!(verify(&m), Err(ModelError::TooWide { .. })), "{:?}", verify(&m));
        assert_eq!(layer_types(&m), vec![DataType::Int(63)]);
        m.layers = vec![dense("fc0", 1, 1 << 15)];
        m.input.shape = vec![1 << 15];
        verify(&m).unwrap();
        assert_eq!(layer_types(&m), vec![DataType::Int(32)]);
    }

    #[test]
    fn threshold_on_bipolar_and_bias() {
        let q = || thr("q", 1, 1, vec![1], ThresholdOutput::Bipolar);
        let m = model(vec![q(), thr("q2", 1, 1, vec![0], ThresholdOutput::Bipolar)]);
        assert!(matches!(verify(&m), Err(ModelError::ThresholdOnBipolar { .. })));
        let m = model(vec![thr("q", 1, 1, vec![1], ThresholdOutput::Integer { bias: i64::MAX })]);
        assert!(matches!(verify(&m), Err(ModelError::BiasRange { .. })));
        let m = model(vec![thr("q", 1, 1, vec![1], ThresholdOutput::Integer { bias: i64::from(i32::MAX) - 1 })]);
        verify(&m).unwrap();
    }

    #[test]
    fn input_checks() {
        let mut m = model(vec![dense("fc0", 1, 4)]);
        m.input.shape = vec![usize::MAX, 2];
        assert!(matches!(verify(&m), Err(ModelError::InputShape { .. })));
        m.input.shape = vec![];
        assert!(matches!(verify(&m), Err(ModelError::InputShape { .. })));
        m.input.shape = vec![4, 0];
        assert!(matches!(verify(&m), Err(ModelError::InputShape { .. })));
        m.input.shape = vec![2, 2];
        for bad in [DataType::Bipolar, DataType::UInt(17), DataType::Int(1), DataType::UInt(0)] {
            m.input.dtype = bad;
            assert!(matches!(verify(&m), Err(ModelError::InputDtype { .. })), "{bad}");
        }
        m.input.dtype = DataType::Int(4);
        verify(&m).unwrap();
    }

    #[test]
    fn names() {
        let m = model(vec![dense("fc-0", 1, 4)]);
        assert!(matches!(verify(&m), Err(ModelError::BadName { index: 0, .. })));
        let m = model(vec![dense("", 1, 4)]);
        assert!(matches!(verify(&m), Err(ModelError::BadName { .. })));
        let long = "l".repeat(MAX_NAME_LEN + 1);
        let m = model(vec![dense(&long, 1, 4)]);
        match verify(&m) {
            Err(e @ ModelError::NameTooLong { index: 0, len: 65, .. }) => assert!(e.to_string().contains(&long), "{e}"),
            other => panic!("{other:?}"),
        }
        verify(&model(vec![dense(&"l".repeat(MAX_NAME_LEN), 1, 4)])).unwrap();
    }
}
