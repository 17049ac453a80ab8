//! The native model format: a directory with `model.json` (the layer chain) and
//! `weights.safetensors` (the tensors). `docs/model-format.md` is the specification; this
//! module implements it.
//!
//! Reading is bounded: `model.json` over [`MAX_JSON_BYTES`] and weight files over
//! [`MAX_WEIGHTS_BYTES`] are refused before they are read, every tensor's byte length is
//! checked against its shape (with overflow checks) and against the shape the layer needs, and
//! every loaded model passes [`crate::verify::verify`]. A weights file is read header first: the
//! 8-byte header length, then the header, each tensor's entry checked (errors name the tensor),
//! and only then the data section the header describes.

use crate::error::ModelError;
use crate::model::{
    BinaryDense, BitMatrix, Conv2d, ConvWeights, Epilogue, FeatureMap, HorqDense, InputConvention, InputSpec, IntDense,
    IntMatrix, Layer, MaxPool2d, Model, MultiThreshold, SourceLayout, ThresholdOutput, ThresholdTable, WeightType,
};
use crate::types::DataType;
use crate::verify::verify;
use safetensors::tensor::{Dtype, SafeTensorError, TensorView};
use safetensors::SafeTensors;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The value of `"format"` in `model.json`.
pub const FORMAT_NAME: &str = "bitloom-model";
/// The format version this build reads and writes.
pub const FORMAT_VERSION: u64 = 1;
/// The model description's file name inside a model directory.
pub const MODEL_FILE: &str = "model.json";
/// The tensor file's name inside a model directory.
pub const WEIGHTS_FILE: &str = "weights.safetensors";
/// Largest accepted `model.json` (16 MiB).
pub const MAX_JSON_BYTES: u64 = 16 << 20;
/// Largest accepted weights file (1 GiB).
pub const MAX_WEIGHTS_BYTES: u64 = 1 << 30;

/// `model.json`, field by field.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelFile {
    format: String,
    version: u64,
    name: String,
    input: InputFile,
    layers: Vec<LayerFile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    epilogue: Option<EpilogueFile>,
}

/// `s·y + b` per output, applied on the host after the integer outputs.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EpilogueFile {
    scale: Vec<f64>,
    bias: Vec<f64>,
}

/// `(raw · scale − mean[c]) / std[c]` is what the source graph received; absent: the raw integers.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConventionFile {
    scale: f64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    mean: Vec<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    std: Vec<f64>,
}

/// The source graph's input layout when the native input is a transpose of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum LayoutName {
    Nchw,
}

/// The two fields read before anything else, so that another format or version gets a clear
/// message rather than a complaint about unknown fields.
#[derive(Deserialize)]
struct Header {
    format: Option<String>,
    version: Option<u64>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct InputFile {
    shape: Vec<usize>,
    dtype: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    convention: Option<ConventionFile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    source_layout: Option<LayoutName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    source_shape: Option<Vec<usize>>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum LayerFile {
    Threshold { name: String, thresholds: String, output: OutputFile },
    BinaryDense { name: String, in_features: usize, out_features: usize, weights: String },
    Dense { name: String, in_features: usize, out_features: usize, weight_type: String, weights: String },
    HorqDense {
        name: String,
        in_features: usize,
        out_features: usize,
        order: u32,
        prescale: String,
        shift: u32,
        limit: i64,
        weights: String,
    },
    Conv2d {
        name: String,
        in_channels: usize,
        in_height: usize,
        in_width: usize,
        out_channels: usize,
        kernel: usize,
        stride: usize,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        weight_type: Option<String>,
        weights: String,
    },
    MaxPool2d { name: String, channels: usize, in_height: usize, in_width: usize, kernel: usize, stride: usize },
}

/// `"bipolar"` or `{"bias": b}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct OutputFile(ThresholdOutput);

impl Serialize for OutputFile {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            ThresholdOutput::Bipolar => s.serialize_str("bipolar"),
            ThresholdOutput::Integer { bias } => {
                let mut m = BTreeMap::new();
                m.insert("bias", bias);
                m.serialize(s)
            }
        }
    }
}

impl<'de> Deserialize<'de> for OutputFile {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        const EXPECTED: &str = "expected \"bipolar\" or {\"bias\": <integer>}";
        let v = serde_json::Value::deserialize(d)?;
        match &v {
            serde_json::Value::String(s) if s == "bipolar" => Ok(OutputFile(ThresholdOutput::Bipolar)),
            serde_json::Value::Object(m) if m.len() == 1 => match m.get("bias").map(|b| b.as_i64()) {
                Some(Some(bias)) => Ok(OutputFile(ThresholdOutput::Integer { bias })),
                Some(None) => Err(D::Error::custom(format!("output bias must be an integer, found {}", m["bias"]))),
                None => Err(D::Error::custom(format!("unknown output {v}, {EXPECTED}"))),
            },
            _ => Err(D::Error::custom(format!("unknown output {v}, {EXPECTED}"))),
        }
    }
}

/// Parses an input type name: `uintN` or `intN`.
fn parse_dtype(s: &str) -> Result<DataType, ModelError> {
    let bad = || ModelError::InputDtype { dtype: s.to_string() };
    let (unsigned, digits) = match (s.strip_prefix("uint"), s.strip_prefix("int")) {
        (Some(d), _) => (true, d),
        (None, Some(d)) => (false, d),
        _ => return Err(bad()),
    };
    if digits.is_empty() || digits.len() > 2 || digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let bits: u32 = digits.parse().map_err(|_| bad())?;
    let t = if unsigned { DataType::UInt(bits) } else { DataType::Int(bits) };
    let ok = if unsigned { (1..=16).contains(&bits) } else { (2..=16).contains(&bits) };
    if ok {
        Ok(t)
    } else {
        Err(bad())
    }
}

/// Reads a whole file, refusing it first if it is larger than `limit`.
fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, ModelError> {
    let io = |source| ModelError::Io { path: path.to_path_buf(), source };
    let file = fs::File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    if size > limit {
        return Err(ModelError::FileTooLarge { path: path.to_path_buf(), size, limit });
    }
    let mut buf = Vec::with_capacity(size as usize);
    // `take` guards against a file that grows while it is read.
    file.take(limit + 1).read_to_end(&mut buf).map_err(io)?;
    if buf.len() as u64 > limit {
        return Err(ModelError::FileTooLarge { path: path.to_path_buf(), size: buf.len() as u64, limit });
    }
    Ok(buf)
}

/// Largest safetensors header, as the `safetensors` crate allows.
const MAX_SAFETENSORS_HEADER: u64 = 100_000_000;

/// One entry of a safetensors header.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TensorEntry {
    dtype: String,
    shape: Vec<usize>,
    data_offsets: [u64; 2],
}

/// Bytes per element of a safetensors dtype name, `None` for a name the format lacks.
fn safetensors_dtype_size(name: &str) -> Option<u64> {
    Some(match name {
        "BOOL" | "U8" | "I8" | "F8_E5M2" | "F8_E4M3" => 1,
        "U16" | "I16" | "F16" | "BF16" => 2,
        "U32" | "I32" | "F32" => 4,
        "U64" | "I64" | "F64" => 8,
        _ => return None,
    })
}

/// Reads a safetensors file header first: the header length is checked against the file
/// size and the format's limit before the header is read, every tensor entry is checked
/// (dtype, shape, offsets; the error names the tensor) before the data is read, and the data
/// section must be exactly as long as the entries say.
fn read_safetensors(path: &Path) -> Result<Vec<u8>, ModelError> {
    let io = |source| ModelError::Io { path: path.to_path_buf(), source };
    let bad = |reason: String| ModelError::Safetensors { path: path.to_path_buf(), reason };
    let file = fs::File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    if size > MAX_WEIGHTS_BYTES {
        return Err(ModelError::FileTooLarge { path: path.to_path_buf(), size, limit: MAX_WEIGHTS_BYTES });
    }
    // `take` guards against a file that grows while it is read.
    let mut file = file.take(size);
    let mut buf = Vec::with_capacity(8);
    (&mut file).take(8).read_to_end(&mut buf).map_err(io)?;
    if buf.len() < 8 {
        return Err(bad(safetensors_reason(&SafeTensorError::HeaderTooSmall)));
    }
    let n = u64::from_le_bytes(buf[..8].try_into().expect("8 bytes"));
    if n > MAX_SAFETENSORS_HEADER {
        return Err(bad(format!("the header length {n} is more than the limit of {MAX_SAFETENSORS_HEADER} bytes")));
    }
    if 8 + n > size {
        return Err(bad(format!("the header length {n} points past the end of the {size}-byte file (truncated)")));
    }
    (&mut file).take(n).read_to_end(&mut buf).map_err(io)?;
    if (buf.len() as u64) < 8 + n {
        return Err(bad("the file shrank while it was read".into()));
    }
    let table: BTreeMap<String, serde_json::Value> = serde_json::from_slice(&buf[8..])
        .map_err(|e| bad(format!("the header is not a JSON object of tensors: {e}")))?;
    let data_len = size - 8 - n;
    let mut end = 0u64;
    for (name, value) in table {
        if name == "__metadata__" {
            continue;
        }
        let tensor_err =
            |reason: String| ModelError::SafetensorsTensor { path: path.to_path_buf(), tensor: name.clone(), reason };
        let e: TensorEntry = serde_json::from_value(value).map_err(|e| tensor_err(format!("invalid entry: {e}")))?;
        let esize =
            safetensors_dtype_size(&e.dtype).ok_or_else(|| tensor_err(format!("unknown dtype {:?}", e.dtype)))?;
        let bytes = e
            .shape
            .iter()
            .try_fold(esize, |acc, &d| acc.checked_mul(d as u64))
            .ok_or_else(|| tensor_err(format!("shape {:?} overflows when multiplied out", e.shape)))?;
        let [start, stop] = e.data_offsets;
        if stop < start || stop - start != bytes {
            return Err(tensor_err(format!(
                "data offsets [{start}, {stop}] hold {} bytes, but shape {:?} of {} needs {bytes}",
                stop.saturating_sub(start),
                e.shape,
                e.dtype
            )));
        }
        if stop > data_len {
            return Err(tensor_err(format!(
                "data offsets [{start}, {stop}] point past the {data_len}-byte data section (truncated)"
            )));
        }
        end = end.max(stop);
    }
    if end != data_len {
        return Err(bad(format!(
            "the data section has {data_len} bytes, but the tensors end at byte {end} (trailing bytes)"
        )));
    }
    buf.try_reserve_exact(data_len as usize).map_err(|_| bad(format!("cannot allocate {data_len} bytes")))?;
    file.read_to_end(&mut buf).map_err(io)?;
    if buf.len() as u64 != size {
        return Err(bad("the file changed size while it was read".into()));
    }
    Ok(buf)
}

fn safetensors_reason(e: &SafeTensorError) -> String {
    match e {
        SafeTensorError::HeaderTooSmall => "shorter than the 8-byte header length (truncated)".into(),
        SafeTensorError::InvalidHeaderLength => "the header length points past the end of the file (truncated)".into(),
        SafeTensorError::MetadataIncompleteBuffer => {
            "the data section's length differs from the header's tensor offsets (truncated or trailing bytes)".into()
        }
        SafeTensorError::HeaderTooLarge => "the header is larger than 100 MB".into(),
        SafeTensorError::InvalidHeader => "the header is not UTF-8".into(),
        SafeTensorError::InvalidHeaderDeserialization => {
            "the header is not a valid tensor table (unknown dtype or malformed JSON)".into()
        }
        SafeTensorError::ValidationOverflow => "a tensor's shape overflows when multiplied out".into(),
        SafeTensorError::TensorInvalidInfo => "a tensor's byte length does not match its shape and dtype".into(),
        SafeTensorError::InvalidOffset(name) => format!("tensor {name:?} has invalid data offsets"),
        other => format!("{other:?}"),
    }
}

/// Reads the model in directory `dir` and verifies it.
pub fn load(dir: &Path) -> Result<Model, ModelError> {
    let json_path = dir.join(MODEL_FILE);
    let json = read_bounded(&json_path, MAX_JSON_BYTES)?;
    let json_err = |e: serde_json::Error| ModelError::Json { path: json_path.clone(), message: e.to_string() };
    let header: Header = serde_json::from_slice(&json).map_err(json_err)?;
    let format = header.format.unwrap_or_default();
    if format != FORMAT_NAME {
        return Err(ModelError::WrongFormat { path: json_path, found: format });
    }
    match header.version {
        Some(FORMAT_VERSION) => {}
        Some(found) => {
            return Err(ModelError::UnsupportedVersion { path: json_path, found, supported: FORMAT_VERSION })
        }
        None => {
            return Err(ModelError::Json { path: json_path, message: "missing field `version`".into() });
        }
    }
    let file: ModelFile = serde_json::from_slice(&json).map_err(json_err)?;
    let dtype = parse_dtype(&file.input.dtype)?;
    let weights_path = dir.join(WEIGHTS_FILE);
    let bytes = read_safetensors(&weights_path)?;
    let tensors = SafeTensors::deserialize(&bytes)
        .map_err(|e| ModelError::Safetensors { path: weights_path.clone(), reason: safetensors_reason(&e) })?;
    let mut layers = Vec::with_capacity(file.layers.len());
    for l in &file.layers {
        layers.push(match l {
            LayerFile::BinaryDense { name, in_features, out_features, weights } => {
                let t = tensor(&tensors, name, weights)?;
                Layer::BinaryDense(BinaryDense {
                    name: name.clone(),
                    weights: read_weights(name, weights, &t, &dense_shape(*out_features, *in_features))?,
                })
            }
            LayerFile::Dense { name, in_features, out_features, weight_type, weights } => {
                let weight_type: WeightType = weight_type.parse().map_err(|()| ModelError::WeightTypeBits {
                    layer: name.clone(),
                    weight_type: weight_type.clone(),
                })?;
                let t = tensor(&tensors, name, weights)?;
                Layer::Dense(IntDense {
                    name: name.clone(),
                    weights: read_int_weights(name, weights, &t, &dense_shape(*out_features, *in_features))?,
                    weight_type,
                })
            }
            LayerFile::HorqDense { name, in_features, out_features, order, prescale, shift, limit, weights } => {
                let w = tensor(&tensors, name, weights)?;
                let p = tensor(&tensors, name, prescale)?;
                Layer::HorqDense(HorqDense {
                    name: name.clone(),
                    order: *order,
                    prescale: read_prescale(name, prescale, &p)?,
                    shift: *shift,
                    limit: *limit,
                    weights: read_weights(name, weights, &w, &dense_shape(*out_features, *in_features))?,
                })
            }
            LayerFile::Conv2d {
                name,
                in_channels,
                in_height,
                in_width,
                out_channels,
                kernel,
                stride,
                weight_type,
                weights,
            } => {
                let t = tensor(&tensors, name, weights)?;
                let shape = conv_shape(*out_channels, *kernel, *in_channels);
                let weights = match weight_type {
                    None => ConvWeights::Binary(read_weights(name, weights, &t, &shape)?),
                    Some(wt) => {
                        let parsed = wt
                            .parse()
                            .map_err(|()| ModelError::WeightTypeBits { layer: name.clone(), weight_type: wt.clone() })?;
                        ConvWeights::Int(read_int_weights(name, weights, &t, &shape)?, parsed)
                    }
                };
                let input = FeatureMap { channels: *in_channels, height: *in_height, width: *in_width };
                Layer::Conv2d(Conv2d { name: name.clone(), input, kernel: *kernel, stride: *stride, weights })
            }
            LayerFile::MaxPool2d { name, channels, in_height, in_width, kernel, stride } => {
                let input = FeatureMap { channels: *channels, height: *in_height, width: *in_width };
                Layer::MaxPool2d(MaxPool2d { name: name.clone(), input, kernel: *kernel, stride: *stride })
            }
            LayerFile::Threshold { name, thresholds, output } => {
                let t = tensor(&tensors, name, thresholds)?;
                Layer::Threshold(MultiThreshold {
                    name: name.clone(),
                    thresholds: read_thresholds(name, thresholds, &t)?,
                    output: output.0,
                })
            }
        });
    }
    let convention = match file.input.convention {
        Some(c) => InputConvention { scale: c.scale, mean: c.mean, std: c.std },
        None => InputConvention::IDENTITY,
    };
    let source = match (file.input.source_layout, file.input.source_shape) {
        (None, None) => None,
        (Some(LayoutName::Nchw), Some(s)) => match s[..] {
            [channels, height, width] => Some(SourceLayout::Nchw { channels, height, width }),
            _ => {
                let reason = format!("source_shape {s:?} must be [C, H, W] for the nchw layout");
                return Err(ModelError::SourceLayout { reason });
            }
        },
        _ => {
            let reason = "source_layout and source_shape go together".to_string();
            return Err(ModelError::SourceLayout { reason });
        }
    };
    let input = InputSpec { shape: file.input.shape, dtype, convention, source };
    let epilogue = file.epilogue.map(|e| Epilogue { scale: e.scale, bias: e.bias });
    let model = Model { name: file.name, input, layers, epilogue };
    verify(&model)?;
    Ok(model)
}

fn tensor<'a>(tensors: &'a SafeTensors<'a>, layer: &str, name: &str) -> Result<TensorView<'a>, ModelError> {
    tensors.tensor(name).map_err(|_| ModelError::MissingTensor { layer: layer.to_string(), tensor: name.to_string() })
}

fn dtype_name(d: Dtype) -> String {
    format!("{d:?}")
}

fn is_float(d: Dtype) -> bool {
    matches!(d, Dtype::F8_E5M2 | Dtype::F8_E4M3 | Dtype::F16 | Dtype::BF16 | Dtype::F32 | Dtype::F64)
}

fn read_weights(layer: &str, name: &str, t: &TensorView<'_>, shape: &Shape) -> Result<BitMatrix, ModelError> {
    if t.dtype() != Dtype::I8 {
        return Err(ModelError::TensorDtype {
            layer: layer.into(),
            tensor: name.into(),
            expected: "I8 (values -1 and +1)",
            got: dtype_name(t.dtype()),
        });
    }
    let (rows, cols) = shape.check(layer, name, t)?;
    // safetensors has checked that the data holds exactly the shape's product of bytes, so the
    // matrix below is no larger than the file.
    let mut m = BitMatrix::zeros(rows, cols);
    for (i, &b) in t.data().iter().enumerate() {
        let (row, col) = (i / cols, i % cols);
        match b as i8 {
            1 => m.set(row, col, true),
            -1 => {}
            value => return Err(ModelError::WeightValue { layer: layer.into(), row, col, value }),
        }
    }
    Ok(m)
}

/// A HORQ prescale table: I32 or I64 of shape `[rows, 2]`, each row `(mult, add)`.
fn read_prescale(layer: &str, name: &str, t: &TensorView<'_>) -> Result<Vec<(i64, i64)>, ModelError> {
    if is_float(t.dtype()) {
        return Err(ModelError::TensorDtype {
            layer: layer.into(),
            tensor: name.into(),
            expected: "I32 or I64 (batch-norm folded to fixed-point mult and add)",
            got: dtype_name(t.dtype()),
        });
    }
    let values = read_i64s(layer, name, t)?;
    if t.shape().len() != 2 || t.shape()[1] != 2 {
        return Err(ModelError::TensorShape {
            layer: layer.into(),
            tensor: name.into(),
            expected: "[rows, 2] (mult, add per channel)".into(),
            got: t.shape().to_vec(),
        });
    }
    Ok(values.chunks_exact(2).map(|p| (p[0], p[1])).collect())
}

/// An integer tensor (I32 or I64) as `i64`s; float tensors get their own error.
fn read_i64s(layer: &str, name: &str, t: &TensorView<'_>) -> Result<Vec<i64>, ModelError> {
    let data = t.data();
    Ok(match t.dtype() {
        Dtype::I32 => {
            data.chunks_exact(4).map(|c| i64::from(i32::from_le_bytes(c.try_into().unwrap_or_default()))).collect()
        }
        Dtype::I64 => data.chunks_exact(8).map(|c| i64::from_le_bytes(c.try_into().unwrap_or_default())).collect(),
        d if is_float(d) => {
            return Err(ModelError::FloatThresholds { layer: layer.into(), tensor: name.into(), got: dtype_name(d) })
        }
        d => {
            return Err(ModelError::TensorDtype {
                layer: layer.into(),
                tensor: name.into(),
                expected: "I32 or I64",
                got: dtype_name(d),
            })
        }
    })
}

/// Integer weights as I8, I16 or I32, shape `[out_features, in_features]`; the verifier
/// checks them against the layer's weight type.
fn read_int_weights(layer: &str, name: &str, t: &TensorView<'_>, shape: &Shape) -> Result<IntMatrix, ModelError> {
    let data = t.data();
    let values: Vec<i32> = match t.dtype() {
        Dtype::I8 => data.iter().map(|&b| i32::from(b as i8)).collect(),
        Dtype::I16 => data.chunks_exact(2).map(|c| i32::from(i16::from_le_bytes([c[0], c[1]]))).collect(),
        Dtype::I32 => data.chunks_exact(4).map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect(),
        d => {
            return Err(ModelError::TensorDtype {
                layer: layer.into(),
                tensor: name.into(),
                expected: "I8, I16 or I32 (integer weights)",
                got: dtype_name(d),
            })
        }
    };
    let (rows, cols) = shape.check(layer, name, t)?;
    // safetensors has checked the byte length against the shape, so this cannot fail.
    IntMatrix::new(rows, cols, values).ok_or_else(|| ModelError::TensorShape {
        layer: layer.into(),
        tensor: name.into(),
        expected: shape.describe.clone(),
        got: t.shape().to_vec(),
    })
}

/// The shape a weight tensor must have: its dimensions and how to describe them in an error.
/// The first dimension becomes the matrix rows, the product of the others its columns.
struct Shape {
    dims: Vec<usize>,
    describe: String,
}

impl Shape {
    /// Checks `t` against the shape; returns `(rows, cols)`.
    fn check(&self, layer: &str, name: &str, t: &TensorView<'_>) -> Result<(usize, usize), ModelError> {
        if t.shape() != self.dims.as_slice() {
            return Err(ModelError::TensorShape {
                layer: layer.into(),
                tensor: name.into(),
                expected: self.describe.clone(),
                got: t.shape().to_vec(),
            });
        }
        // safetensors has checked that the product does not overflow.
        Ok((self.dims[0], self.dims[1..].iter().product()))
    }
}

fn dense_shape(out_features: usize, in_features: usize) -> Shape {
    Shape {
        dims: vec![out_features, in_features],
        describe: format!("[out_features, in_features] = [{out_features}, {in_features}]"),
    }
}

fn conv_shape(out_channels: usize, kernel: usize, in_channels: usize) -> Shape {
    Shape {
        dims: vec![out_channels, kernel, kernel, in_channels],
        describe: format!(
            "[out_channels, kernel, kernel, in_channels] = [{out_channels}, {kernel}, {kernel}, {in_channels}]"
        ),
    }
}

fn read_thresholds(layer: &str, name: &str, t: &TensorView<'_>) -> Result<ThresholdTable, ModelError> {
    let values = read_i64s(layer, name, t)?;
    let shape = t.shape();
    let [rows, steps] = *shape else {
        return Err(ModelError::TensorShape {
            layer: layer.into(),
            tensor: name.into(),
            expected: "[rows, thresholds per channel]".into(),
            got: shape.to_vec(),
        });
    };
    ThresholdTable::new(rows, steps, values).ok_or_else(|| ModelError::TensorShape {
        layer: layer.into(),
        tensor: name.into(),
        expected: "as many values as rows × thresholds".into(),
        got: shape.to_vec(),
    })
}

/// Tensor names `save` uses for a layer's weights and thresholds.
fn weights_name(layer: &str) -> String {
    format!("{layer}.weight")
}

fn thresholds_name(layer: &str) -> String {
    format!("{layer}.thresholds")
}

/// Writes `model` (after verifying it) into directory `dir`, creating the directory.
///
/// Weights are stored as I8 ±1 under `<layer>.weight`, thresholds as I64 under
/// `<layer>.thresholds`. The output is deterministic: the same model gives the same bytes.
pub fn save(model: &Model, dir: &Path) -> Result<(), ModelError> {
    verify(model)?;
    let io = |path: PathBuf| move |source| ModelError::Io { path, source };
    fs::create_dir_all(dir).map_err(io(dir.to_path_buf()))?;

    let mut layers = Vec::with_capacity(model.layers.len());
    // Owned tensor bytes, keyed by name (sorted, so the file is deterministic).
    let mut data: BTreeMap<String, (Dtype, Vec<usize>, Vec<u8>)> = BTreeMap::new();
    for layer in &model.layers {
        match layer {
            Layer::BinaryDense(d) => {
                let (rows, cols) = (d.out_features(), d.in_features());
                let tname = weights_name(&d.name);
                data.insert(tname.clone(), (Dtype::I8, vec![rows, cols], bipolar_bytes(&d.weights)));
                layers.push(LayerFile::BinaryDense {
                    name: d.name.clone(),
                    in_features: cols,
                    out_features: rows,
                    weights: tname,
                });
            }
            Layer::Dense(d) => {
                let (rows, cols) = (d.out_features(), d.in_features());
                let (dtype, bytes) = int_bytes(d.weights.values());
                let tname = weights_name(&d.name);
                data.insert(tname.clone(), (dtype, vec![rows, cols], bytes));
                layers.push(LayerFile::Dense {
                    name: d.name.clone(),
                    in_features: cols,
                    out_features: rows,
                    weight_type: d.weight_type.to_string(),
                    weights: tname,
                });
            }
            Layer::HorqDense(d) => {
                let (rows, cols) = (d.out_features(), d.in_features());
                let (wname, pname) = (weights_name(&d.name), format!("{}.prescale", d.name));
                data.insert(wname.clone(), (Dtype::I8, vec![rows, cols], bipolar_bytes(&d.weights)));
                let bytes = d.prescale.iter().flat_map(|&(m, a)| [m, a]).flat_map(i64::to_le_bytes).collect();
                data.insert(pname.clone(), (Dtype::I64, vec![d.prescale.len(), 2], bytes));
                layers.push(LayerFile::HorqDense {
                    name: d.name.clone(),
                    in_features: cols,
                    out_features: rows,
                    order: d.order,
                    prescale: pname,
                    shift: d.shift,
                    limit: d.limit,
                    weights: wname,
                });
            }
            Layer::Conv2d(c) => {
                let tname = weights_name(&c.name);
                let (k, cin) = (c.kernel, c.input.channels);
                let shape = vec![c.weights.rows(), k, k, cin];
                let (dtype, bytes, weight_type) = match &c.weights {
                    ConvWeights::Binary(w) => (Dtype::I8, bipolar_bytes(w), None),
                    ConvWeights::Int(w, t) => {
                        let (dtype, bytes) = int_bytes(w.values());
                        (dtype, bytes, Some(t.to_string()))
                    }
                };
                data.insert(tname.clone(), (dtype, shape, bytes));
                layers.push(LayerFile::Conv2d {
                    name: c.name.clone(),
                    in_channels: cin,
                    in_height: c.input.height,
                    in_width: c.input.width,
                    out_channels: c.weights.rows(),
                    kernel: k,
                    stride: c.stride,
                    weight_type,
                    weights: tname,
                });
            }
            Layer::MaxPool2d(p) => layers.push(LayerFile::MaxPool2d {
                name: p.name.clone(),
                channels: p.input.channels,
                in_height: p.input.height,
                in_width: p.input.width,
                kernel: p.kernel,
                stride: p.stride,
            }),
            Layer::Threshold(t) => {
                let bytes = t.thresholds.values().iter().flat_map(|v| v.to_le_bytes()).collect();
                let tname = thresholds_name(&t.name);
                data.insert(tname.clone(), (Dtype::I64, vec![t.thresholds.rows(), t.thresholds.steps()], bytes));
                layers.push(LayerFile::Threshold {
                    name: t.name.clone(),
                    thresholds: tname,
                    output: OutputFile(t.output),
                });
            }
        }
    }
    let file = ModelFile {
        format: FORMAT_NAME.into(),
        version: FORMAT_VERSION,
        name: model.name.clone(),
        input: input_file(&model.input),
        layers,
        epilogue: model.epilogue.as_ref().map(|e| EpilogueFile { scale: e.scale.clone(), bias: e.bias.clone() }),
    };
    let json_path = dir.join(MODEL_FILE);
    let json = to_json(&file).map_err(|e| ModelError::Json { path: json_path.clone(), message: e.to_string() })?;
    fs::write(&json_path, json).map_err(io(json_path.clone()))?;

    let weights_path = dir.join(WEIGHTS_FILE);
    let st_err =
        |e: SafeTensorError| ModelError::Safetensors { path: weights_path.clone(), reason: safetensors_reason(&e) };
    let views = data
        .iter()
        .map(|(name, (dtype, shape, bytes))| Ok((name.as_str(), TensorView::new(*dtype, shape.clone(), bytes)?)))
        .collect::<Result<Vec<_>, SafeTensorError>>()
        .map_err(st_err)?;
    let bytes = safetensors::serialize(views, &None).map_err(st_err)?;
    fs::write(&weights_path, bytes).map_err(io(weights_path.clone()))?;
    Ok(())
}

fn input_file(input: &InputSpec) -> InputFile {
    let c = &input.convention;
    InputFile {
        shape: input.shape.clone(),
        dtype: input.dtype.to_string(),
        // The identity convention is written as no field, so native models keep their bytes.
        convention: (*c != InputConvention::IDENTITY)
            .then(|| ConventionFile { scale: c.scale, mean: c.mean.clone(), std: c.std.clone() }),
        source_layout: input.source.map(|_| LayoutName::Nchw),
        source_shape: input.source.map(|s| s.shape()),
    }
}

/// Integer weights in the narrowest dtype that holds every one.
fn int_bytes(values: &[i32]) -> (Dtype, Vec<u8>) {
    if values.iter().all(|&w| i8::try_from(w).is_ok()) {
        (Dtype::I8, values.iter().map(|&w| w as i8 as u8).collect())
    } else if values.iter().all(|&w| i16::try_from(w).is_ok()) {
        (Dtype::I16, values.iter().flat_map(|&w| (w as i16).to_le_bytes()).collect())
    } else {
        (Dtype::I32, values.iter().flat_map(|&w| w.to_le_bytes()).collect())
    }
}

/// ±1 weights as I8 bytes, row-major.
fn bipolar_bytes(w: &BitMatrix) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(w.rows() * w.cols());
    for r in 0..w.rows() {
        bytes.extend((0..w.cols()).map(|c| if w.get(r, c) { 1u8 } else { (-1i8) as u8 }));
    }
    bytes
}

/// `model.json` text: the top level indented, the input and each layer on one line.
fn to_json(file: &ModelFile) -> Result<String, serde_json::Error> {
    let mut out = String::from("{\n");
    out += &format!("  \"format\": {},\n", serde_json::to_string(&file.format)?);
    out += &format!("  \"version\": {},\n", file.version);
    out += &format!("  \"name\": {},\n", serde_json::to_string(&file.name)?);
    out += &format!("  \"input\": {},\n", serde_json::to_string(&file.input)?);
    out += "  \"layers\": [\n";
    for (i, layer) in file.layers.iter().enumerate() {
        let sep = if i + 1 < file.layers.len() { "," } else { "" };
        out += &format!("    {}{sep}\n", serde_json::to_string(layer)?);
    }
    out += "  ]";
    if let Some(e) = &file.epilogue {
        out += &format!(",\n  \"epilogue\": {}", serde_json::to_string(e)?);
    }
    out += "\n}\n";
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dtype_names() {
        assert_eq!(parse_dtype("uint8").unwrap(), DataType::UInt(8));
        assert_eq!(parse_dtype("int16").unwrap(), DataType::Int(16));
        assert_eq!(parse_dtype("uint1").unwrap(), DataType::UInt(1));
        for bad in ["uint0", "int1", "uint17", "uint", "float32", "bipolar", "uint+8", "uint008", "uint08", "UINT8", ""]
        {
            assert!(parse_dtype(bad).is_err(), "{bad}");
        }
        for t in [DataType::UInt(8), DataType::Int(3)] {
            assert_eq!(parse_dtype(&t.to_string()).unwrap(), t);
        }
    }

    #[test]
    fn output_json() {
        let b: OutputFile = serde_json::from_str("\"bipolar\"").unwrap();
        assert_eq!(b.0, ThresholdOutput::Bipolar);
        let i: OutputFile = serde_json::from_str("{\"bias\": -1}").unwrap();
        assert_eq!(i.0, ThresholdOutput::Integer { bias: -1 });
        assert_eq!(serde_json::to_string(&i).unwrap(), "{\"bias\":-1}");
        assert_eq!(serde_json::to_string(&b).unwrap(), "\"bipolar\"");
        for bad in ["\"ternary\"", "{\"bias\": 1.5}", "{\"bias\": 1, \"x\": 2}", "{}", "3"] {
            assert!(serde_json::from_str::<OutputFile>(bad).is_err(), "{bad}");
        }
    }
}
