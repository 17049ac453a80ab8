//! Pass 2: the typed graph. [`Graph::from_proto`] turns the decoded protobuf into nodes whose ops
//! are a closed enum ([`Op`]) with typed attributes, values named by [`ValueId`] handles, and
//! constant tensors decoded. Unknown ops, unknown attributes, mistyped attributes, wrong input
//! counts, references to values no earlier node produces, and custom ops of unknown domains are
//! refused here, each error naming its node.

use crate::error::ImportError;
use crate::onnx::{attribute_type as at, AttributeProto, GraphProto, ModelProto, NodeProto};
use crate::tensor::Tensor;
use std::cell::Cell;
use std::collections::HashMap;

/// A value (tensor) of the graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ValueId(pub u32);

/// One dimension of the graph input's declared shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dim {
    /// A fixed size.
    Fixed(usize),
    /// A symbolic or unknown size (the batch dimension of an export).
    Symbolic(String),
}

/// How a `Quant` node rounds (its `rounding_mode`, as QONNX defines them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rounding {
    /// `ROUND` / `HALF_EVEN`: to nearest, ties to even (numpy's `round`).
    HalfEven,
    /// `CEIL`.
    Ceil,
    /// `FLOOR`.
    Floor,
    /// `UP`: away from zero.
    Up,
    /// `DOWN`: toward zero.
    Down,
    /// `HALF_UP`: to nearest, ties away from zero.
    HalfUp,
    /// `HALF_DOWN`: to nearest, ties toward zero.
    HalfDown,
}

impl Rounding {
    /// Applies the rounding to `x`.
    pub fn apply(self, x: f64) -> f64 {
        match self {
            Rounding::HalfEven => x.round_ties_even(),
            Rounding::Ceil => x.ceil(),
            Rounding::Floor => x.floor(),
            Rounding::Up => x.signum() * x.abs().ceil(),
            Rounding::Down => x.trunc(),
            Rounding::HalfUp => x.signum() * (x.abs() + 0.5).floor(),
            Rounding::HalfDown => x.signum() * (x.abs() - 0.5).ceil(),
        }
    }
}

/// A FINN/QONNX datatype name, as in MultiThreshold's `out_dtype` and `finn_datatype`
/// annotations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FinnType {
    /// `BIPOLAR`: −1, +1.
    Bipolar,
    /// `BINARY`: 0, 1.
    Binary,
    /// `TERNARY`: −1, 0, +1.
    Ternary,
    /// `INTn`.
    Int(u32),
    /// `UINTn`.
    UInt(u32),
    /// A float or scaled type (`FLOAT32`, `FLOAT16`, `SCALEDINT<n>`): no integer range.
    Float(String),
}

impl FinnType {
    /// Parses a datatype name.
    pub fn parse(s: &str) -> Option<Self> {
        let bits = |d: &str| d.parse::<u32>().ok().filter(|b| (1..=64).contains(b));
        Some(match s {
            "BIPOLAR" => FinnType::Bipolar,
            "BINARY" => FinnType::Binary,
            "TERNARY" => FinnType::Ternary,
            "FLOAT32" | "FLOAT16" | "BFLOAT16" => FinnType::Float(s.into()),
            _ if s.starts_with("SCALEDINT<") => FinnType::Float(s.into()),
            _ if s.starts_with("UINT") => FinnType::UInt(bits(&s[4..])?),
            _ if s.starts_with("INT") => FinnType::Int(bits(&s[3..])?),
            _ => return None,
        })
    }

    /// The integer range of the type, if it has one.
    pub fn range(&self) -> Option<(i64, i64)> {
        match *self {
            FinnType::Bipolar | FinnType::Ternary => Some((-1, 1)),
            FinnType::Binary => Some((0, 1)),
            FinnType::Int(b) if b <= 63 => Some((-(1i64 << (b - 1)), (1i64 << (b - 1)) - 1)),
            FinnType::UInt(b) if b <= 62 => Some((0, (1i64 << b) - 1)),
            _ => None,
        }
    }
}

impl std::fmt::Display for FinnType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FinnType::Bipolar => write!(f, "BIPOLAR"),
            FinnType::Binary => write!(f, "BINARY"),
            FinnType::Ternary => write!(f, "TERNARY"),
            FinnType::Int(b) => write!(f, "INT{b}"),
            FinnType::UInt(b) => write!(f, "UINT{b}"),
            FinnType::Float(s) => write!(f, "{s}"),
        }
    }
}

/// An op with its attributes, typed.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// `MatMul`.
    MatMul,
    /// `Gemm`: `alpha·A'·B' + beta·C`.
    Gemm {
        /// Scale of the product.
        alpha: f64,
        /// Scale of `C`.
        beta: f64,
        /// Whether `A` is transposed.
        trans_a: bool,
        /// Whether `B` is transposed.
        trans_b: bool,
    },
    /// `Conv` (2-D; the geometry is checked by [`crate::spatial`]).
    Conv(Window),
    /// `MaxPool` (2-D; the geometry is checked by [`crate::spatial`]).
    MaxPool(Window),
    /// `BatchNormalization` (inference form).
    BatchNorm {
        /// Added to the variance.
        epsilon: f64,
    },
    /// `Sign` (taken as FINN does: `x ≥ 0` gives +1).
    Sign,
    /// `Relu`.
    Relu,
    /// `Identity`.
    Identity,
    /// `Neg`.
    Neg,
    /// `Sqrt` (constants only).
    Sqrt,
    /// `Reciprocal` (constants only).
    Reciprocal,
    /// `Pow` (constants only: TensorNorm's `Pow(var + eps, 0.5)`).
    Pow,
    /// `Add`.
    Add,
    /// `Sub`.
    Sub,
    /// `Mul`.
    Mul,
    /// `Div`.
    Div,
    /// `Reshape`.
    Reshape {
        /// A 0 in the shape means 0 rather than "copy this dimension".
        allowzero: bool,
    },
    /// `Flatten`.
    Flatten {
        /// Dimensions before `axis` become the first output dimension.
        axis: i64,
    },
    /// `Squeeze`; axes from the attribute (opset < 13) or the second input.
    Squeeze {
        /// The attribute's axes.
        axes: Option<Vec<i64>>,
    },
    /// `Unsqueeze`; axes from the attribute (opset < 13) or the second input.
    Unsqueeze {
        /// The attribute's axes.
        axes: Option<Vec<i64>>,
    },
    /// `Transpose`.
    Transpose {
        /// The permutation (reversed axes when absent).
        perm: Option<Vec<i64>>,
    },
    /// `TopK`.
    TopK {
        /// The axis.
        axis: i64,
        /// Largest (rather than smallest) values.
        largest: bool,
        /// `k` from the attribute (opset 1); later opsets take it as the second input.
        k: Option<i64>,
    },
    /// `Shape`.
    Shape {
        /// First axis.
        start: i64,
        /// One past the last axis.
        end: Option<i64>,
    },
    /// `Gather`.
    Gather {
        /// The axis.
        axis: i64,
    },
    /// `Concat`.
    Concat {
        /// The axis.
        axis: i64,
    },
    /// `Cast`.
    Cast {
        /// The target data type code.
        to: i32,
    },
    /// `Constant`.
    Constant(Tensor),
    /// QONNX `Quant`: `y = scale·(round(clamp(x/scale + zeropt)) − zeropt)`.
    Quant {
        /// Signed integer range.
        signed: bool,
        /// Narrow range (drops the most negative value when signed, the largest when unsigned).
        narrow: bool,
        /// Rounding.
        rounding: Rounding,
    },
    /// QONNX `BipolarQuant`: `y = scale·(x ≥ 0 ? +1 : −1)`.
    BipolarQuant,
    /// FINN/QONNX `MultiThreshold`: `y = out_scale·#{j : x ≥ T[c][j]} + out_bias`.
    MultiThreshold {
        /// Multiplies the count.
        out_scale: f64,
        /// Added after scaling.
        out_bias: f64,
        /// The declared output type.
        out_dtype: FinnType,
        /// Channels are the last axis (`NHWC`, `NC`) rather than axis 1 (`NCHW`).
        channels_last: bool,
    },
    /// FINN `XnorPopcountMatMul`: `((2x−1)·(2W−1) + K) / 2` for binary `x`, `W`.
    XnorPopcountMatMul,
}

/// The window attributes of `Conv` and `MaxPool`, as written (absent ones are `None`); what the
/// native layers accept is checked by [`crate::spatial`] once the input shape is known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Window {
    /// `kernel_shape`.
    pub kernel_shape: Option<Vec<i64>>,
    /// `strides`.
    pub strides: Option<Vec<i64>>,
    /// `pads` (begin values of every axis, then end values).
    pub pads: Option<Vec<i64>>,
    /// `dilations`.
    pub dilations: Option<Vec<i64>>,
    /// `auto_pad` (`NOTSET` when absent).
    pub auto_pad: String,
    /// `group` (Conv; 1 when absent).
    pub group: i64,
    /// `ceil_mode` (MaxPool).
    pub ceil_mode: bool,
}

/// A node of the typed graph.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The node's name (`<op>_<index>` when the file has none).
    pub name: String,
    /// The ONNX op type, as written.
    pub op_type: String,
    /// The typed op.
    pub op: Op,
    /// Inputs (`None` for an omitted optional input).
    pub inputs: Vec<Option<ValueId>>,
    /// Outputs (`None` for an omitted optional output).
    pub outputs: Vec<Option<ValueId>>,
}

impl Node {
    /// An [`ImportError::Invalid`] about this node.
    pub fn invalid(&self, reason: impl Into<String>) -> ImportError {
        ImportError::Invalid { node: self.name.clone(), op: self.op_type.clone(), reason: reason.into() }
    }

    /// An [`ImportError::Unsupported`] about this node.
    pub fn unsupported(&self, reason: impl Into<String>) -> ImportError {
        ImportError::Unsupported { node: self.name.clone(), op: self.op_type.clone(), reason: reason.into() }
    }

    /// Input `i`, which must be present.
    pub fn input(&self, i: usize) -> Result<ValueId, ImportError> {
        self.inputs.get(i).copied().flatten().ok_or_else(|| self.invalid(format!("input {i} is missing")))
    }

    /// The first output.
    pub fn output(&self) -> Result<ValueId, ImportError> {
        self.outputs.first().copied().flatten().ok_or_else(|| self.invalid("it has no output"))
    }
}

/// The typed graph: nodes in topological order over numbered values.
#[derive(Clone, Debug, PartialEq)]
pub struct Graph {
    /// The graph's name.
    pub name: String,
    /// Value names, indexed by [`ValueId`].
    pub values: Vec<String>,
    /// Nodes, in topological order.
    pub nodes: Vec<Node>,
    /// Constant values (initializers; folding adds the values it computes).
    pub constants: HashMap<ValueId, Tensor>,
    /// The one graph input that is not a constant.
    pub input: ValueId,
    /// Its declared shape.
    pub input_shape: Vec<Dim>,
    /// Its `finn_datatype` annotation, if any (e.g. `UINT8`).
    pub input_datatype: Option<FinnType>,
    /// The graph's one output.
    pub output: ValueId,
    /// Shapes of the computed (non-constant) values; filled by [`crate::fold`].
    pub shapes: HashMap<ValueId, Vec<usize>>,
}

impl Graph {
    /// The name of a value.
    pub fn value_name(&self, v: ValueId) -> &str {
        &self.values[v.0 as usize]
    }

    /// Builds the typed graph from a decoded model.
    pub fn from_proto(model: &ModelProto) -> Result<Graph, ImportError> {
        let bad = |reason: String| ImportError::Model { reason };
        // Opset versions are not checked: the parsers accept the attribute and input forms of
        // every opset the ops below exist in, and unknown domains are refused per node.
        let g = model.graph.as_ref().ok_or_else(|| bad("the model has no graph".into()))?;
        if !model.opset_import.iter().any(|o| is_standard_domain(&o.domain)) {
            return Err(bad("the model declares no opset for the ONNX domain (opset_import); is the file truncated?".into()));
        }
        build(g)
    }
}

fn is_standard_domain(d: &str) -> bool {
    d.is_empty() || d == "ai.onnx"
}

/// The custom-op domains whose `Quant`, `BipolarQuant`, `MultiThreshold` and
/// `XnorPopcountMatMul` the importer reads.
fn custom_domain(d: &str) -> Option<&'static str> {
    match d {
        "qonnx.custom_op.general" => Some("qonnx.custom_op.general"),
        "finn.custom_op.general" => Some("finn.custom_op.general"),
        "onnx.brevitas" => Some("onnx.brevitas"),
        "finn" => Some("finn"),
        _ => None,
    }
}

fn build(g: &GraphProto) -> Result<Graph, ImportError> {
    let bad = |reason: String| ImportError::Model { reason };
    if !g.sparse_initializer.is_empty() {
        return Err(bad("sparse initializers are not supported".into()));
    }
    let mut values: Vec<String> = Vec::new();
    let mut ids: HashMap<String, ValueId> = HashMap::new();
    let mut constants = HashMap::new();
    let mut intern = |name: &str, values: &mut Vec<String>| -> ValueId {
        *ids.entry(name.to_string()).or_insert_with(|| {
            values.push(name.to_string());
            ValueId(values.len() as u32 - 1)
        })
    };
    for t in &g.initializer {
        let id = intern(&t.name, &mut values);
        let tensor = Tensor::from_proto(t).map_err(|reason| ImportError::Tensor { name: t.name.clone(), reason })?;
        if constants.insert(id, tensor).is_some() {
            return Err(ImportError::Tensor { name: t.name.clone(), reason: "defined twice".into() });
        }
    }
    let dynamic_inputs: Vec<_> = g.input.iter().filter(|i| !g.initializer.iter().any(|t| t.name == i.name)).collect();
    let [input_info] = dynamic_inputs[..] else {
        let names: Vec<&str> = dynamic_inputs.iter().map(|i| i.name.as_str()).collect();
        return Err(bad(format!(
            "the graph has {} inputs that are not constants ({names:?}); exactly one is supported",
            names.len()
        )));
    };
    let input = intern(&input_info.name, &mut values);
    let shape = input_info
        .r#type
        .as_ref()
        .and_then(|t| t.tensor_type.as_ref())
        .and_then(|t| t.shape.as_ref())
        .ok_or_else(|| bad(format!("graph input {:?} has no tensor shape", input_info.name)))?;
    let elem = input_info.r#type.as_ref().and_then(|t| t.tensor_type.as_ref()).map_or(0, |t| t.elem_type);
    use crate::onnx::data_type as dt;
    if ![dt::FLOAT, dt::DOUBLE, dt::FLOAT16, dt::UINT8, dt::INT8, dt::UINT16, dt::INT16, dt::INT32].contains(&elem) {
        return Err(bad(format!(
            "graph input {:?} has element type {}; expected a float or integer tensor",
            input_info.name,
            dt::name(elem)
        )));
    }
    let input_shape: Vec<Dim> = shape
        .dim
        .iter()
        .map(|d| match (d.dim_value, &d.dim_param) {
            (Some(v), _) if v > 0 => Dim::Fixed(v as usize),
            (_, Some(p)) if !p.is_empty() => Dim::Symbolic(p.clone()),
            (v, _) => Dim::Symbolic(v.map_or_else(|| "?".into(), |v| v.to_string())),
        })
        .collect();
    let mut input_datatype = None;
    for a in &g.quantization_annotation {
        if a.tensor_name != input_info.name {
            continue;
        }
        for e in &a.quant_parameter_tensor_names {
            if e.key == "finn_datatype" {
                input_datatype = Some(FinnType::parse(&e.value).ok_or_else(|| {
                    bad(format!("graph input {:?}: unknown finn_datatype {:?}", input_info.name, e.value))
                })?);
            }
        }
    }
    let [output_info] = &g.output[..] else {
        let names: Vec<&str> = g.output.iter().map(|o| o.name.as_str()).collect();
        return Err(bad(format!("the graph has {} outputs ({names:?}); exactly one is supported", names.len())));
    };

    let mut defined: Vec<bool> = vec![true; values.len()];
    let mut nodes = Vec::with_capacity(g.node.len());
    for (index, n) in g.node.iter().enumerate() {
        let name = if n.name.is_empty() { format!("{}_{index}", n.op_type) } else { n.name.clone() };
        let mut inputs = Vec::with_capacity(n.input.len());
        for i in &n.input {
            if i.is_empty() {
                inputs.push(None);
                continue;
            }
            let id = intern(i, &mut values);
            defined.resize(values.len(), false);
            if !defined[id.0 as usize] {
                return Err(ImportError::Invalid {
                    node: name,
                    op: n.op_type.clone(),
                    reason: format!("input {i:?} is not produced by an earlier node, an initializer or the graph input (nodes must be in topological order)"),
                });
            }
            inputs.push(Some(id));
        }
        let mut outputs = Vec::with_capacity(n.output.len());
        for o in &n.output {
            if o.is_empty() {
                outputs.push(None);
                continue;
            }
            let id = intern(o, &mut values);
            defined.resize(values.len(), false);
            if std::mem::replace(&mut defined[id.0 as usize], true) {
                return Err(ImportError::Invalid {
                    node: name,
                    op: n.op_type.clone(),
                    reason: format!("output {o:?} is already defined elsewhere"),
                });
            }
            outputs.push(Some(id));
        }
        let op = parse_op(n, &name, &inputs)?;
        nodes.push(Node { name, op_type: n.op_type.clone(), op, inputs, outputs });
    }
    let output = *ids.get(&output_info.name).filter(|id| defined.get(id.0 as usize) == Some(&true)).ok_or_else(|| {
        bad(format!("graph output {:?} is not produced by any node", output_info.name))
    })?;
    Ok(Graph {
        name: g.name.clone(),
        values,
        nodes,
        constants,
        input,
        input_shape,
        input_datatype,
        output,
        shapes: HashMap::new(),
    })
}

/// Typed access to a node's attributes; every attribute must be read by the op's parser, so an
/// attribute the importer does not know is an error rather than silently ignored.
struct Attrs<'a> {
    node: &'a NodeProto,
    name: &'a str,
    used: Vec<Cell<bool>>,
}

impl<'a> Attrs<'a> {
    fn new(node: &'a NodeProto, name: &'a str) -> Self {
        Self { node, name, used: node.attribute.iter().map(|_| Cell::new(false)).collect() }
    }

    fn err(&self, reason: String) -> ImportError {
        ImportError::Invalid { node: self.name.into(), op: self.node.op_type.clone(), reason }
    }

    fn find(&self, key: &str) -> Option<&'a AttributeProto> {
        let (i, a) = self.node.attribute.iter().enumerate().find(|(_, a)| a.name == key)?;
        self.used[i].set(true);
        Some(a)
    }

    fn check_type(&self, a: &AttributeProto, want: i32, present: bool) -> Result<(), ImportError> {
        if !a.ref_attr_name.is_empty() {
            return Err(self.err(format!("attribute {:?} refers to a function attribute; not supported", a.name)));
        }
        if (a.r#type != at::UNDEFINED && a.r#type != want) || (a.r#type == at::UNDEFINED && !present) {
            return Err(self.err(format!("attribute {:?} has the wrong type (type code {})", a.name, a.r#type)));
        }
        Ok(())
    }

    fn int(&self, key: &str) -> Result<Option<i64>, ImportError> {
        let Some(a) = self.find(key) else { return Ok(None) };
        self.check_type(a, at::INT, a.i.is_some())?;
        Ok(Some(a.i.unwrap_or(0)))
    }

    fn float(&self, key: &str) -> Result<Option<f64>, ImportError> {
        let Some(a) = self.find(key) else { return Ok(None) };
        self.check_type(a, at::FLOAT, a.f.is_some())?;
        Ok(Some(f64::from(a.f.unwrap_or(0.0))))
    }

    fn string(&self, key: &str) -> Result<Option<String>, ImportError> {
        let Some(a) = self.find(key) else { return Ok(None) };
        self.check_type(a, at::STRING, a.s.is_some())?;
        let s = a.s.clone().unwrap_or_default();
        String::from_utf8(s).map(Some).map_err(|_| self.err(format!("attribute {key:?} is not UTF-8")))
    }

    fn ints(&self, key: &str) -> Result<Option<Vec<i64>>, ImportError> {
        let Some(a) = self.find(key) else { return Ok(None) };
        self.check_type(a, at::INTS, true)?;
        Ok(Some(a.ints.clone()))
    }

    fn floats(&self, key: &str) -> Result<Option<Vec<f64>>, ImportError> {
        let Some(a) = self.find(key) else { return Ok(None) };
        self.check_type(a, at::FLOATS, true)?;
        Ok(Some(a.floats.iter().map(|&f| f64::from(f)).collect()))
    }

    fn tensor(&self, key: &str) -> Result<Option<Tensor>, ImportError> {
        let Some(a) = self.find(key) else { return Ok(None) };
        self.check_type(a, at::TENSOR, a.t.is_some())?;
        let t = a.t.as_ref().ok_or_else(|| self.err(format!("attribute {key:?} has no tensor")))?;
        Tensor::from_proto(t).map(Some).map_err(|r| self.err(format!("attribute {key:?}: {r}")))
    }

    /// Marks attributes that are read elsewhere or that do not change the result.
    fn ignore(&self, keys: &[&str]) {
        for k in keys {
            self.find(k);
        }
    }

    /// Fails on the first attribute no parser read.
    fn finish(self) -> Result<(), ImportError> {
        if let Some((a, _)) = self.node.attribute.iter().zip(&self.used).find(|(_, u)| !u.get()) {
            return Err(self.err(format!("attribute {:?} is not supported for this op", a.name)));
        }
        Ok(())
    }
}

/// The ops the importer knows, for the "unsupported op" message.
pub const SUPPORTED_OPS: &str = "MatMul, Gemm, BatchNormalization, Sign, Relu (before a quantizer), Add, Sub, Mul, Div, Neg, \
     Reshape, Flatten, Squeeze, Unsqueeze, Identity, TopK, Transpose/Shape/Gather/Concat/Cast/Sqrt/Reciprocal/Pow/Constant \
     (on constants), Quant, BipolarQuant, MultiThreshold, XnorPopcountMatMul, Conv, MaxPool";

/// The window attributes of `Conv` (`group`) or `MaxPool` (`ceil_mode`).
fn window(a: &Attrs, conv: bool) -> Result<Window, ImportError> {
    Ok(Window {
        kernel_shape: a.ints("kernel_shape")?,
        strides: a.ints("strides")?,
        pads: a.ints("pads")?,
        dilations: a.ints("dilations")?,
        auto_pad: a.string("auto_pad")?.unwrap_or_else(|| "NOTSET".into()),
        group: if conv { a.int("group")?.unwrap_or(1) } else { 1 },
        ceil_mode: !conv && a.int("ceil_mode")?.unwrap_or(0) != 0,
    })
}

fn parse_op(n: &NodeProto, name: &str, inputs: &[Option<ValueId>]) -> Result<Op, ImportError> {
    let a = Attrs::new(n, name);
    let invalid = |reason: String| ImportError::Invalid { node: name.into(), op: n.op_type.clone(), reason };
    let arity = |lo: usize, hi: usize| -> Result<(), ImportError> {
        let present = inputs.len();
        if present < lo || present > hi {
            let want = if lo == hi { format!("{lo}") } else { format!("{lo} to {hi}") };
            return Err(invalid(format!("expected {want} inputs, found {present}")));
        }
        Ok(())
    };
    let standard = is_standard_domain(&n.domain);
    let custom = custom_domain(&n.domain).is_some();
    let op = match (n.op_type.as_str(), standard, custom) {
        ("MatMul", true, _) => {
            arity(2, 2)?;
            Op::MatMul
        }
        ("Gemm", true, _) => {
            arity(2, 3)?;
            Op::Gemm {
                alpha: a.float("alpha")?.unwrap_or(1.0),
                beta: a.float("beta")?.unwrap_or(1.0),
                trans_a: a.int("transA")?.unwrap_or(0) != 0,
                trans_b: a.int("transB")?.unwrap_or(0) != 0,
            }
        }
        ("Conv", true, _) => {
            arity(2, 3)?;
            Op::Conv(window(&a, true)?)
        }
        ("MaxPool", true, _) => {
            arity(1, 1)?;
            if n.output.iter().skip(1).any(|o| !o.is_empty()) {
                return Err(invalid("the Indices output is not supported (only the pooled values)".into()));
            }
            // storage_order only changes the Indices output, which is refused above.
            a.ignore(&["storage_order"]);
            Op::MaxPool(window(&a, false)?)
        }
        ("BatchNormalization", true, _) => {
            arity(5, 5)?;
            a.ignore(&["momentum"]);
            if a.int("training_mode")?.unwrap_or(0) != 0 {
                return Err(invalid("training_mode = 1 is not supported (export the model in eval mode)".into()));
            }
            if a.int("spatial")?.unwrap_or(1) != 1 {
                return Err(invalid("spatial = 0 is not supported".into()));
            }
            if n.output.iter().skip(1).any(|o| !o.is_empty()) {
                return Err(invalid("the training outputs (running mean and variance) are not supported".into()));
            }
            Op::BatchNorm { epsilon: a.float("epsilon")?.unwrap_or(1e-5) }
        }
        ("Sign", true, _) => {
            arity(1, 1)?;
            Op::Sign
        }
        ("Relu", true, _) => {
            arity(1, 1)?;
            Op::Relu
        }
        ("Identity", true, _) => {
            arity(1, 1)?;
            Op::Identity
        }
        ("Neg", true, _) => {
            arity(1, 1)?;
            Op::Neg
        }
        ("Sqrt", true, _) => {
            arity(1, 1)?;
            Op::Sqrt
        }
        ("Reciprocal", true, _) => {
            arity(1, 1)?;
            Op::Reciprocal
        }
        ("Pow", true, _) => {
            arity(2, 2)?;
            Op::Pow
        }
        ("Add" | "Sub" | "Mul" | "Div", true, _) => {
            arity(2, 2)?;
            match n.op_type.as_str() {
                "Add" => Op::Add,
                "Sub" => Op::Sub,
                "Mul" => Op::Mul,
                _ => Op::Div,
            }
        }
        ("Reshape", true, _) => {
            arity(2, 2)?;
            Op::Reshape { allowzero: a.int("allowzero")?.unwrap_or(0) != 0 }
        }
        ("Flatten", true, _) => {
            arity(1, 1)?;
            Op::Flatten { axis: a.int("axis")?.unwrap_or(1) }
        }
        ("Squeeze", true, _) => {
            arity(1, 2)?;
            Op::Squeeze { axes: a.ints("axes")? }
        }
        ("Unsqueeze", true, _) => {
            arity(1, 2)?;
            Op::Unsqueeze { axes: a.ints("axes")? }
        }
        ("Transpose", true, _) => {
            arity(1, 1)?;
            Op::Transpose { perm: a.ints("perm")? }
        }
        ("TopK", true, _) => {
            arity(1, 2)?;
            a.ignore(&["sorted"]);
            Op::TopK {
                axis: a.int("axis")?.unwrap_or(-1),
                largest: a.int("largest")?.unwrap_or(1) != 0,
                k: a.int("k")?,
            }
        }
        ("Shape", true, _) => {
            arity(1, 1)?;
            Op::Shape { start: a.int("start")?.unwrap_or(0), end: a.int("end")? }
        }
        ("Gather", true, _) => {
            arity(2, 2)?;
            Op::Gather { axis: a.int("axis")?.unwrap_or(0) }
        }
        ("Concat", true, _) => {
            arity(1, usize::MAX)?;
            Op::Concat { axis: a.int("axis")?.ok_or_else(|| invalid("attribute \"axis\" is required".into()))? }
        }
        ("Cast", true, _) => {
            arity(1, 1)?;
            a.ignore(&["saturate"]);
            Op::Cast { to: a.int("to")?.ok_or_else(|| invalid("attribute \"to\" is required".into()))? as i32 }
        }
        ("Constant", true, _) => {
            arity(0, 0)?;
            let t = if let Some(t) = a.tensor("value")? {
                t
            } else if let Some(f) = a.float("value_float")? {
                Tensor::scalar(f)
            } else if let Some(fs) = a.floats("value_floats")? {
                Tensor::vector(fs)
            } else if let Some(i) = a.int("value_int")? {
                Tensor::scalar(i as f64)
            } else if let Some(is) = a.ints("value_ints")? {
                Tensor::vector(is.into_iter().map(|i| i as f64).collect())
            } else {
                return Err(invalid("needs one of value, value_float(s), value_int(s); sparse and string constants are not supported".into()));
            };
            Op::Constant(t)
        }
        ("Quant", _, true) => {
            arity(4, 4)?;
            let mode = a.string("rounding_mode")?.unwrap_or_else(|| "ROUND".into());
            let rounding = match mode.to_ascii_uppercase().as_str() {
                "ROUND" | "HALF_EVEN" => Rounding::HalfEven,
                "CEIL" => Rounding::Ceil,
                "FLOOR" => Rounding::Floor,
                "UP" => Rounding::Up,
                "DOWN" => Rounding::Down,
                "HALF_UP" => Rounding::HalfUp,
                "HALF_DOWN" => Rounding::HalfDown,
                _ => return Err(invalid(format!("unknown rounding_mode {mode:?}"))),
            };
            // Required, as in qonnx (which refuses a Quant node without them).
            let required = |key: &str| -> Result<bool, ImportError> {
                Ok(a.int(key)?.ok_or_else(|| invalid(format!("attribute {key:?} is required")))? != 0)
            };
            Op::Quant { signed: required("signed")?, narrow: required("narrow")?, rounding }
        }
        ("BipolarQuant", _, true) => {
            arity(2, 2)?;
            Op::BipolarQuant
        }
        ("MultiThreshold", _, true) => {
            arity(2, 2)?;
            let dtype = a.string("out_dtype")?.ok_or_else(|| invalid("attribute \"out_dtype\" is required".into()))?;
            let out_dtype = FinnType::parse(&dtype).ok_or_else(|| invalid(format!("unknown out_dtype {dtype:?}")))?;
            let layout = a.string("data_layout")?.unwrap_or_else(|| "NCHW".into());
            if layout.is_empty() || !layout.bytes().all(|b| b.is_ascii_uppercase()) || !layout.contains('C') {
                return Err(invalid(format!("unknown data_layout {layout:?}")));
            }
            Op::MultiThreshold {
                out_scale: a.float("out_scale")?.unwrap_or(1.0),
                out_bias: a.float("out_bias")?.unwrap_or(0.0),
                out_dtype,
                channels_last: layout.ends_with('C'),
            }
        }
        ("XnorPopcountMatMul", _, true) => {
            arity(2, 2)?;
            Op::XnorPopcountMatMul
        }
        (op, _, _) => {
            let domain = if n.domain.is_empty() { String::new() } else { format!(" of domain {:?}", n.domain) };
            return Err(ImportError::Unsupported {
                node: name.into(),
                op: n.op_type.clone(),
                reason: format!("op {op}{domain} is not supported by the importer (supported: {SUPPORTED_OPS})"),
            });
        }
    };
    a.finish()?;
    Ok(op)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_modes() {
        let cases = [
            (Rounding::HalfEven, [2.0, 2.0, -2.0, 0.0, -0.0]),
            (Rounding::HalfUp, [3.0, 2.0, -3.0, 1.0, -1.0]),
            (Rounding::HalfDown, [2.0, 2.0, -2.0, 0.0, -0.0]),
            (Rounding::Up, [3.0, 3.0, -3.0, 1.0, -1.0]),
            (Rounding::Down, [2.0, 2.0, -2.0, 0.0, -0.0]),
            (Rounding::Ceil, [3.0, 3.0, -2.0, 1.0, -0.0]),
            (Rounding::Floor, [2.0, 2.0, -3.0, 0.0, -1.0]),
        ];
        for (mode, want) in cases {
            let got: Vec<f64> = [2.5, 2.2, -2.5, 0.5, -0.5].iter().map(|&x| mode.apply(x)).collect();
            assert_eq!(got, want, "{mode:?}");
        }
    }

    #[test]
    fn finn_types() {
        assert_eq!(FinnType::parse("UINT8"), Some(FinnType::UInt(8)));
        assert_eq!(FinnType::parse("INT2").unwrap().range(), Some((-2, 1)));
        assert_eq!(FinnType::parse("BIPOLAR").unwrap().range(), Some((-1, 1)));
        assert_eq!(FinnType::parse("INT0"), None);
        assert_eq!(FinnType::parse("QUUX"), None);
    }
}
