//! Errors of the model format, the model verifier, the reference executor and the data readers.
//!
//! Every variant carries its context (file, layer, channel, expected and actual values) and its
//! doc comment says what its message says. User input never panics; it ends up here.

use std::path::PathBuf;

/// A model that cannot be read, written, or executed: malformed files and broken invariants.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// Reading or writing `path` failed.
    #[error("{path}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A file is larger than the format allows; it is refused before it is read.
    #[error("{path}: {size} bytes is more than the limit of {limit} bytes")]
    FileTooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
        /// The limit for this kind of file.
        limit: u64,
    },
    /// `model.json` is not valid JSON or does not match the schema (unknown fields and unknown
    /// layer kinds are named in `message`).
    #[error("{path}: {message}")]
    Json {
        /// The file.
        path: PathBuf,
        /// The parser's message, with line and column.
        message: String,
    },
    /// `model.json` does not say `"format": "bitloom-model"`.
    #[error("{path}: \"format\" is {found:?}, expected \"bitloom-model\"")]
    WrongFormat {
        /// The file.
        path: PathBuf,
        /// What it says instead.
        found: String,
    },
    /// `model.json` has a format version this build does not read.
    #[error("{path}: format version {found} is not supported (this build reads version {supported})")]
    UnsupportedVersion {
        /// The file.
        path: PathBuf,
        /// The version in the file.
        found: u64,
        /// The version this build reads.
        supported: u64,
    },
    /// The input element type is not `uintN` (1 ≤ N ≤ 16) or `intN` (2 ≤ N ≤ 16).
    #[error("input dtype {dtype:?} is not supported: use uintN (N = 1..=16) or intN (N = 2..=16), e.g. \"uint8\"")]
    InputDtype {
        /// The type as written (or displayed).
        dtype: String,
    },
    /// The input shape is empty, has a zero dimension, or has too many elements.
    #[error("input shape {shape:?} is invalid: {reason}")]
    InputShape {
        /// The shape.
        shape: Vec<usize>,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The input convention (scale, mean, std) is not usable.
    #[error("input convention is invalid: {reason}")]
    InputConvention {
        /// What is wrong with it.
        reason: String,
    },
    /// The recorded source layout does not describe the input shape.
    #[error("input source layout is invalid: {reason}")]
    SourceLayout {
        /// What is wrong with it.
        reason: String,
    },
    /// The epilogue does not fit the model's output.
    #[error("epilogue is invalid: {reason}")]
    Epilogue {
        /// What is wrong with it.
        reason: String,
    },
    /// The weights file is not a valid safetensors file (truncated, bad header, bad offsets).
    #[error("{path}: not a valid safetensors file: {reason}")]
    Safetensors {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A layer names a tensor that the weights file does not contain.
    #[error("layer {layer}: tensor {tensor:?} is not in the weights file")]
    MissingTensor {
        /// The layer.
        layer: String,
        /// The tensor name.
        tensor: String,
    },
    /// A tensor has the wrong element type.
    #[error("layer {layer}: tensor {tensor:?} has dtype {got}, expected {expected}")]
    TensorDtype {
        /// The layer.
        layer: String,
        /// The tensor name.
        tensor: String,
        /// The accepted dtypes.
        expected: &'static str,
        /// The dtype found.
        got: String,
    },
    /// Thresholds are stored as floating point; they must be integers.
    #[error(
        "layer {layer}: thresholds {tensor:?} have dtype {got}; thresholds must be integers (I32 or I64): \
         fold scales and batch-norm into integer thresholds before export"
    )]
    FloatThresholds {
        /// The layer.
        layer: String,
        /// The tensor name.
        tensor: String,
        /// The float dtype found.
        got: String,
    },
    /// A tensor has the wrong shape.
    #[error("layer {layer}: tensor {tensor:?} has shape {got:?}, expected {expected}")]
    TensorShape {
        /// The layer.
        layer: String,
        /// The tensor name.
        tensor: String,
        /// The expected shape, in words.
        expected: String,
        /// The shape found.
        got: Vec<usize>,
    },
    /// A binary weight is not −1 or +1.
    #[error("layer {layer}: weight [{row}, {col}] is {value}, expected -1 or +1")]
    WeightValue {
        /// The layer.
        layer: String,
        /// Output row.
        row: usize,
        /// Input column.
        col: usize,
        /// The value found.
        value: i8,
    },
    /// An integer weight type with an unsupported bit count.
    #[error("layer {layer}: weight type {weight_type} is not supported: use intN (N = 2..=16) or pow2_N (N = 2..=8)")]
    WeightTypeBits {
        /// The layer.
        layer: String,
        /// The type.
        weight_type: String,
    },
    /// An integer weight outside its layer's declared type.
    #[error("layer {layer}: weight [{row}, {col}] is {value}, not in the layer's weight type {weight_type}")]
    WeightOutOfType {
        /// The layer.
        layer: String,
        /// Output row.
        row: usize,
        /// Input column.
        col: usize,
        /// The value found.
        value: i64,
        /// The declared type.
        weight_type: String,
    },
    /// A HORQ layer's order or prescale table is invalid.
    #[error("layer {layer}: {reason}")]
    Horq {
        /// The layer.
        layer: String,
        /// What is wrong.
        reason: String,
    },
    /// A convolution or pooling layer's geometry does not fit.
    #[error("layer {layer}: {reason}")]
    Geometry {
        /// The layer.
        layer: String,
        /// What is wrong.
        reason: String,
    },
    /// The model has no layers.
    #[error("the model has no layers")]
    EmptyModel,
    /// A layer name is empty or has characters other than `[A-Za-z0-9_]` (names become hardware
    /// identifiers).
    #[error("layer {index}: name {name:?} must be non-empty and made of A-Z, a-z, 0-9 and _")]
    BadName {
        /// Position of the layer.
        index: usize,
        /// The name.
        name: String,
    },
    /// Two layers have the same name.
    #[error("layer name {name:?} is used twice (layers {first} and {second})")]
    DuplicateName {
        /// The name.
        name: String,
        /// Position of the first use.
        first: usize,
        /// Position of the second use.
        second: usize,
    },
    /// A dense layer's `in_features` differs from the length of the vector it receives.
    #[error("layer {layer}: in_features is {got}, but the incoming vector has {expected} elements")]
    InFeatures {
        /// The layer.
        layer: String,
        /// Length of the incoming vector.
        expected: usize,
        /// The layer's in_features.
        got: usize,
    },
    /// A dense layer has no outputs.
    #[error("layer {layer}: out_features must be at least 1")]
    NoOutputs {
        /// The layer.
        layer: String,
    },
    /// A threshold table has a row count other than 1 (shared) or the channel count.
    #[error("layer {layer}: {rows} threshold rows, expected 1 (shared), {channels} (one per element) or a divisor of {channels} (one per channel of a channels-last feature map)")]
    ThresholdRows {
        /// The layer.
        layer: String,
        /// Rows in the table.
        rows: usize,
        /// Length of the incoming vector.
        channels: usize,
    },
    /// A threshold layer has a number of thresholds per channel outside 1..=255.
    #[error("layer {layer}: {steps} thresholds per channel, expected 1 to 255")]
    ThresholdSteps {
        /// The layer.
        layer: String,
        /// Thresholds per channel.
        steps: usize,
    },
    /// A threshold layer with bipolar output has more than one threshold per channel.
    #[error("layer {layer}: bipolar output needs exactly 1 threshold per channel, found {steps}")]
    BipolarSteps {
        /// The layer.
        layer: String,
        /// Thresholds per channel.
        steps: usize,
    },
    /// The output bias puts the output values outside the 32-bit range.
    #[error("layer {layer}: output bias {bias} with {steps} thresholds leaves the 32-bit range")]
    BiasRange {
        /// The layer.
        layer: String,
        /// The bias.
        bias: i64,
        /// Thresholds per channel.
        steps: usize,
    },
    /// A row of thresholds is not sorted ascending.
    #[error("layer {layer}: thresholds of channel {channel} are not sorted ascending: T[{index}] = {prev} > T[{}] = {next}", index + 1)]
    UnsortedThresholds {
        /// The layer.
        layer: String,
        /// The channel (table row).
        channel: usize,
        /// Position of the first out-of-order pair.
        index: usize,
        /// The larger, earlier value.
        prev: i64,
        /// The smaller, later value.
        next: i64,
    },
    /// A threshold lies outside the range of values the layer can receive, extended by one
    /// (`lo ..= hi + 1`).
    #[error("layer {layer}: threshold {value} of channel {channel} is out of range: incoming values lie in {lo}..={hi}, so thresholds must lie in {lo}..={}", hi + 1)]
    ThresholdOutOfRange {
        /// The layer.
        layer: String,
        /// The channel (table row).
        channel: usize,
        /// The threshold.
        value: i64,
        /// Smallest incoming value.
        lo: i64,
        /// Largest incoming value.
        hi: i64,
    },
    /// A threshold layer follows a layer with bipolar output.
    #[error(
        "layer {layer}: a threshold layer cannot take bipolar (±1) input; fold it into the previous threshold layer"
    )]
    ThresholdOnBipolar {
        /// The layer.
        layer: String,
    },
    /// A layer's output values need more than 32 bits.
    #[error("layer {layer}: output values need type {dtype}, wider than the 32 bits supported")]
    TooWide {
        /// The layer.
        layer: String,
        /// The type the output would need.
        dtype: String,
    },
    /// An input vector has the wrong length.
    #[error("input has {got} elements, the model expects {expected}")]
    InputLength {
        /// The model's input length.
        expected: usize,
        /// The length given.
        got: usize,
    },
    /// An input element is not representable in the model's input type.
    #[error("input element {index} is {value}, outside the input type {dtype}")]
    InputValue {
        /// Position in the input vector.
        index: usize,
        /// The value.
        value: i64,
        /// The model's input type.
        dtype: String,
    },
    /// A layer name longer than [`crate::verify::MAX_NAME_LEN`] characters (names become
    /// hardware identifiers and file names).
    #[error("layer {index}: name {name:?} has {len} characters, more than the limit of {limit}")]
    NameTooLong {
        /// Position of the layer.
        index: usize,
        /// The name.
        name: String,
        /// Its length.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// One tensor's entry in the safetensors header is invalid.
    #[error("{path}: tensor {tensor:?}: {reason}")]
    SafetensorsTensor {
        /// The file.
        path: PathBuf,
        /// The tensor.
        tensor: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// A data file (IDX or `.npy`) that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// Reading `path` failed (for example, it does not exist).
    #[error("{path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The gzip stream is corrupt.
    #[error("{path}: corrupt gzip data")]
    Gzip {
        /// The file.
        path: PathBuf,
        /// The decompressor's error.
        source: std::io::Error,
    },
    /// The file (or its decompressed content) is larger than the limit.
    #[error("{path}: more than the limit of {limit} bytes")]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit.
        limit: u64,
    },
    /// The file is neither IDX nor `.npy` (nor a gzip of one).
    #[error("{path}: unknown file format (first bytes {first:02x?}); expected IDX, .npy, or a gzip of one")]
    UnknownFormat {
        /// The file.
        path: PathBuf,
        /// Its first bytes.
        first: Vec<u8>,
    },
    /// An IDX file with an element type other than unsigned bytes.
    #[error("{path}: IDX element type 0x{code:02x} ({name}) is not supported; only unsigned bytes (0x08)")]
    IdxType {
        /// The file.
        path: PathBuf,
        /// The type code.
        code: u8,
        /// The type's name.
        name: &'static str,
    },
    /// The file holds an array of the wrong rank (images need ≥ 2 dimensions, labels exactly 1).
    #[error("{path}: {what} need {expected} dimensions, the file has {got}")]
    Rank {
        /// The file.
        path: PathBuf,
        /// "images" or "labels".
        what: &'static str,
        /// The expected rank, in words.
        expected: &'static str,
        /// The rank found.
        got: usize,
    },
    /// The declared dimensions are zero where they must not be, or their product overflows or
    /// exceeds the size limit.
    #[error("{path}: invalid dimensions {dims:?}: {reason}")]
    Dims {
        /// The file.
        path: PathBuf,
        /// The dimensions declared.
        dims: Vec<u64>,
        /// What is wrong with them.
        reason: &'static str,
    },
    /// The file is shorter than its header says.
    #[error("{path}: truncated: the header declares {expected} bytes of data, the file has {got}")]
    Truncated {
        /// The file.
        path: PathBuf,
        /// Bytes the header declares.
        expected: u64,
        /// Bytes present.
        got: u64,
    },
    /// The file has bytes after the declared data.
    #[error("{path}: {extra} bytes after the {expected} bytes the header declares")]
    TrailingBytes {
        /// The file.
        path: PathBuf,
        /// Bytes the header declares.
        expected: u64,
        /// Bytes beyond them.
        extra: u64,
    },
    /// A `.npy` header that cannot be parsed.
    #[error("{path}: bad .npy header: {reason}")]
    NpyHeader {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A `.npy` array of a type other than uint8, or in Fortran order.
    #[error("{path}: .npy arrays must be uint8 in C order, this one is {descr}")]
    NpyDtype {
        /// The file.
        path: PathBuf,
        /// The array's type description.
        descr: String,
    },
    /// An element that is not an integer in `0..=255` (pixels and labels are bytes).
    #[error("{path}: element {index} is {value}, not an integer in 0..=255")]
    Value {
        /// The file.
        path: PathBuf,
        /// Position of the element in the array (row-major).
        index: usize,
        /// The value, as stored.
        value: String,
    },
}
