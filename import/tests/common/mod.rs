//! Builds small ONNX models in Rust (with the importer's own prost messages) for the tests.
#![allow(dead_code)]

use bitloom_import::onnx::*;
use bitloom_import::{import_bytes, ImportError, ImportOptions, Imported};
use prost::Message;

pub const QONNX: &str = "qonnx.custom_op.general";

/// An attribute.
pub fn int(name: &str, v: i64) -> AttributeProto {
    AttributeProto { name: name.into(), i: Some(v), r#type: attribute_type::INT, ..Default::default() }
}
pub fn float(name: &str, v: f32) -> AttributeProto {
    AttributeProto { name: name.into(), f: Some(v), r#type: attribute_type::FLOAT, ..Default::default() }
}
pub fn string(name: &str, v: &str) -> AttributeProto {
    AttributeProto { name: name.into(), s: Some(v.as_bytes().to_vec()), r#type: attribute_type::STRING, ..Default::default() }
}
pub fn ints(name: &str, v: &[i64]) -> AttributeProto {
    AttributeProto { name: name.into(), ints: v.to_vec(), r#type: attribute_type::INTS, ..Default::default() }
}
pub fn tensor_attr(name: &str, t: TensorProto) -> AttributeProto {
    AttributeProto { name: name.into(), t: Some(t), r#type: attribute_type::TENSOR, ..Default::default() }
}

/// A float tensor.
pub fn tensor(name: &str, dims: &[i64], data: &[f32]) -> TensorProto {
    TensorProto { name: name.into(), dims: dims.to_vec(), data_type: data_type::FLOAT, float_data: data.to_vec(), ..Default::default() }
}

/// An int64 tensor.
pub fn tensor_i64(name: &str, dims: &[i64], data: &[i64]) -> TensorProto {
    TensorProto { name: name.into(), dims: dims.to_vec(), data_type: data_type::INT64, int64_data: data.to_vec(), ..Default::default() }
}

fn value_info(name: &str, dims: &[i64], elem: i32) -> ValueInfoProto {
    let dim = dims
        .iter()
        .map(|&d| if d < 0 { Dimension { dim_value: None, dim_param: Some("N".into()) } } else { Dimension { dim_value: Some(d), dim_param: None } })
        .collect();
    ValueInfoProto {
        name: name.into(),
        r#type: Some(TypeProto { tensor_type: Some(TensorTypeProto { elem_type: elem, shape: Some(TensorShapeProto { dim }) }) }),
    }
}

/// A graph under construction: input `x` (float) of the given dims (a negative dim is symbolic).
pub struct G {
    pub graph: GraphProto,
    pub current: String,
    counter: usize,
}

impl G {
    pub fn new(dims: &[i64]) -> Self {
        let graph = GraphProto { name: "test".into(), input: vec![value_info("x", dims, data_type::FLOAT)], ..Default::default() };
        G { graph, current: "x".into(), counter: 0 }
    }

    /// Adds an initializer, returning its name.
    pub fn init(&mut self, t: TensorProto) -> String {
        let n = t.name.clone();
        self.graph.initializer.push(t);
        n
    }

    /// A float constant of the given dims.
    pub fn c(&mut self, dims: &[i64], data: &[f32]) -> String {
        let name = format!("c{}", self.graph.initializer.len());
        self.init(tensor(&name, dims, data))
    }

    /// An int64 constant.
    pub fn ci(&mut self, dims: &[i64], data: &[i64]) -> String {
        let name = format!("c{}", self.graph.initializer.len());
        self.init(tensor_i64(&name, dims, data))
    }

    /// Adds a node named `<op>_<n>` with the given inputs ("" = the current value) and one
    /// output, which becomes current.
    pub fn op(&mut self, op: &str, domain: &str, inputs: &[&str], attrs: Vec<AttributeProto>) -> String {
        self.op_n(op, domain, inputs, attrs, 1);
        self.current.clone()
    }

    pub fn op_n(&mut self, op: &str, domain: &str, inputs: &[&str], attrs: Vec<AttributeProto>, outputs: usize) -> String {
        let name = format!("{op}_{}", self.counter);
        self.counter += 1;
        let inputs = inputs.iter().map(|i| if i.is_empty() { self.current.clone() } else { i.to_string() }).collect();
        let output = (0..outputs).map(|k| format!("{name}_out{k}")).collect::<Vec<_>>();
        self.current = output[0].clone();
        self.graph.node.push(NodeProto { input: inputs, output, name: name.clone(), op_type: op.into(), attribute: attrs, domain: domain.into() });
        name
    }

    /// `op` on the current value with constant operands.
    pub fn apply(&mut self, op: &str, consts: &[&str]) -> String {
        let mut inputs = vec![""];
        inputs.extend_from_slice(consts);
        self.op(op, "", &inputs, vec![])
    }

    /// Annotates the input with a FINN datatype.
    pub fn annotate_input(&mut self, dtype: &str) {
        self.graph.quantization_annotation.push(TensorAnnotation {
            tensor_name: "x".into(),
            quant_parameter_tensor_names: vec![StringStringEntryProto { key: "finn_datatype".into(), value: dtype.into() }],
        });
    }

    /// The model's bytes, with the current value (or `output`) as the graph output.
    pub fn bytes_with_output(mut self, output: &str) -> Vec<u8> {
        self.graph.output = vec![value_info(output, &[], data_type::FLOAT)];
        let m = ModelProto {
            ir_version: 8,
            producer_name: "test".into(),
            opset_import: vec![
                OperatorSetIdProto { domain: String::new(), version: 13 },
                OperatorSetIdProto { domain: QONNX.into(), version: 1 },
            ],
            graph: Some(self.graph),
            ..Default::default()
        };
        m.encode_to_vec()
    }

    pub fn bytes(self) -> Vec<u8> {
        let out = self.current.clone();
        self.bytes_with_output(&out)
    }

    pub fn import(self) -> Result<Imported, ImportError> {
        self.import_with(&ImportOptions::default())
    }

    pub fn import_with(self, options: &ImportOptions) -> Result<Imported, ImportError> {
        import_bytes(&self.bytes(), options)
    }
}

/// Runs the native model on integer inputs.
pub fn run(m: &Imported, x: &[i64]) -> Vec<i64> {
    bitloom_compiler::reference::run_values(&m.model, x).unwrap()
}

/// The error of an import that must fail.
pub fn err(r: Result<Imported, ImportError>) -> ImportError {
    match r {
        Ok(m) => panic!("imported: {}", m.summary()),
        Err(e) => e,
    }
}

/// `±1` values from a bit pattern.
pub fn pm(bits: &[u8]) -> Vec<f32> {
    bits.iter().map(|&b| if b == 1 { 1.0 } else { -1.0 }).collect()
}
