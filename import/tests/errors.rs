//! Every error path: malformed files never panic and say what is wrong; every error about a node
//! names the node and its op; nothing unsupported is imported silently.

mod common;

use bitloom_import::onnx::*;
use bitloom_import::{import_bytes, ImportError, ImportOptions};
use common::*;
use prost::Message;

fn import(bytes: &[u8]) -> Result<bitloom_import::Imported, ImportError> {
    import_bytes(bytes, &ImportOptions::default())
}

/// A small valid model: input quantizer, dense, bipolar threshold, dense.
fn valid() -> G {
    let mut g = G::new(&[1, 4]);
    let t = g.c(&[1, 1], &[128.0]);
    g.op("MultiThreshold", QONNX, &["", &t], vec![string("out_dtype", "BIPOLAR"), float("out_scale", 2.0), float("out_bias", -1.0)]);
    let w = g.c(&[4, 3], &pm(&[1, 0, 1, 1, 1, 0, 0, 0, 1, 1, 0, 1]));
    g.apply("MatMul", &[&w]);
    g.apply("Sign", &[]);
    let w = g.c(&[3, 2], &pm(&[1, 0, 0, 1, 1, 1]));
    g.apply("MatMul", &[&w]);
    g
}

/// `node <name> (<op>): …`
fn assert_node(e: &ImportError, node: &str, op: &str, says: &str) {
    let s = e.to_string();
    assert!(s.starts_with(&format!("node {node} ({op}): ")), "{s}");
    assert!(s.contains(says), "{s}");
    assert_eq!(e.node(), Some(node));
}

#[test]
fn valid_model_imports() {
    let m = valid().import().unwrap();
    assert_eq!(m.model.layers.len(), 4);
}

#[test]
fn empty_garbage_and_foreign_bytes() {
    for (bytes, says) in [
        (&b""[..], "empty"),
        (&b"\x00\x01\x02"[..], "field number 0"),
        (&b"hello world, this is not onnx"[..], "not"),
        (&[0xffu8; 64][..], "varint"),
        // a valid protobuf of no ONNX field: decodes to an empty model
        (&[0x78, 0x01][..], "no graph"),
    ] {
        match import(bytes) {
            Err(e @ ImportError::Protobuf { .. }) => assert!(e.to_string().contains(says), "{e}"),
            other => panic!("{bytes:?}: {other:?}"),
        }
    }
}

/// Every prefix of a valid file, and many single-byte corruptions, give an error or a model,
/// never a panic.
#[test]
fn truncations_and_corruptions_never_panic() {
    let bytes = valid().bytes();
    let whole = import(&bytes).unwrap().model;
    let mut failed = 0;
    for len in 0..bytes.len() {
        // Protobuf has no end marker: a cut between two trailing fields that only drops
        // metadata (here the custom domain's opset entry) still decodes to the same model.
        match import(&bytes[..len]) {
            Err(_) => failed += 1,
            Ok(m) => assert_eq!(m.model, whole, "prefix {len} of {} imported differently", bytes.len()),
        }
    }
    assert!(failed + 40 > bytes.len(), "{failed} of {} prefixes failed", bytes.len());
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..3000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let mut b = bytes.clone();
        let i = (state % b.len() as u64) as usize;
        b[i] = (state >> 32) as u8;
        let _ = import(&b);
    }
}

#[test]
fn huge_and_inconsistent_tensors() {
    let with_init = |t: TensorProto| {
        let mut g = valid();
        g.graph.initializer[1] = TensorProto { name: g.graph.initializer[1].name.clone(), ..t };
        import(&g.bytes())
    };
    let huge = TensorProto { dims: vec![1 << 40, 1 << 40], data_type: data_type::FLOAT, ..Default::default() };
    match with_init(huge) {
        Err(e @ ImportError::Tensor { .. }) => assert!(e.to_string().contains("more than"), "{e}"),
        other => panic!("{other:?}"),
    }
    let short = TensorProto { dims: vec![4, 3], data_type: data_type::FLOAT, raw_data: vec![0; 47], ..Default::default() };
    assert!(matches!(with_init(short), Err(ImportError::Tensor { .. })));
    let external = TensorProto { dims: vec![4, 3], data_type: data_type::FLOAT, data_location: 1, ..Default::default() };
    let e = with_init(external).unwrap_err();
    assert!(e.to_string().contains("external"), "{e}");
    let strings = TensorProto { dims: vec![1], data_type: data_type::STRING, ..Default::default() };
    let e = with_init(strings).unwrap_err();
    assert!(e.to_string().contains("STRING"), "{e}");
    // huge dims on the graph input
    let mut g = valid();
    g.graph.input[0].r#type.as_mut().unwrap().tensor_type.as_mut().unwrap().shape.as_mut().unwrap().dim[1].dim_value = Some(1 << 40);
    let e = import(&g.bytes()).unwrap_err();
    assert!(e.to_string().contains("too many elements"), "{e}");
}

#[test]
fn graph_level_errors() {
    // two inputs
    let mut g = valid();
    let extra = g.graph.input[0].clone();
    g.graph.input.push(ValueInfoProto { name: "y".into(), ..extra });
    assert!(import(&g.bytes()).unwrap_err().to_string().contains("2 inputs that are not constants"));
    // a symbolic non-batch dimension
    let mut g = valid();
    g.graph.input[0].r#type.as_mut().unwrap().tensor_type.as_mut().unwrap().shape.as_mut().unwrap().dim[1] =
        Dimension { dim_value: None, dim_param: Some("W".into()) };
    assert!(import(&g.bytes()).unwrap_err().to_string().contains("symbolic"));
    // an output nobody produces
    let g = valid();
    assert!(import(&g.bytes_with_output("nowhere")).unwrap_err().to_string().contains("not produced"));
    // no layer at all
    let mut g = G::new(&[1, 4]);
    g.apply("Identity", &[]);
    assert!(g.import().unwrap_err().to_string().contains("no layer"));
    // input annotated BIPOLAR
    let mut g = valid();
    g.annotate_input("BIPOLAR");
    assert!(import(&g.bytes()).unwrap_err().to_string().contains("annotated BIPOLAR"));
    // nodes out of topological order
    let mut g = valid();
    g.graph.node.swap(0, 1);
    assert_node(&import(&g.bytes()).unwrap_err(), "MatMul_1", "MatMul", "topological order");
}

#[test]
fn unknown_ops_attributes_and_domains() {
    let mut g = valid();
    g.op("Softmax", "", &[""], vec![int("axis", -1)]);
    assert_node(&g.import().unwrap_err(), "Softmax_4", "Softmax", "not supported by the importer");

    let mut g = valid();
    g.graph.node[0].domain = "com.example".into();
    assert_node(&g.import().unwrap_err(), "MultiThreshold_0", "MultiThreshold", "of domain \"com.example\"");

    let mut g = valid();
    g.graph.node[1].attribute.push(int("frobnicate", 1));
    assert_node(&g.import().unwrap_err(), "MatMul_1", "MatMul", "attribute \"frobnicate\" is not supported");

    let mut g = valid();
    g.graph.node[0].attribute[1] = int("out_scale", 2);
    assert_node(&g.import().unwrap_err(), "MultiThreshold_0", "MultiThreshold", "wrong type");

    let mut g = valid();
    g.graph.node[1].input.push("x".into());
    assert_node(&g.import().unwrap_err(), "MatMul_1", "MatMul", "expected 2 inputs, found 3");

    let mut g = valid();
    g.graph.node[0].name.clear();
    g.graph.node[0].attribute[0] = string("out_dtype", "QUUX");
    assert_node(&g.import().unwrap_err(), "MultiThreshold_0", "MultiThreshold", "unknown out_dtype \"QUUX\"");
}

/// A `[1, 1, 6, 6]` input, a convolution with the given attributes (3×3 ±1 kernel unless
/// `kernel` says otherwise), then Sign.
fn conv_graph(attrs: Vec<AttributeProto>, kernel: (i64, i64), group: i64) -> G {
    let mut g = G::new(&[1, 2, 6, 6]);
    let (kh, kw) = kernel;
    let n = (4 * 2 / group * kh * kw) as usize;
    let k = g.c(&[4, 2 / group, kh, kw], &vec![1.0; n]);
    g.op("Conv", "", &["", &k], attrs);
    g.apply("Sign", &[]);
    g
}

/// Conv attributes, kernel (height, width), group, and what the error says.
type ConvCase = (Vec<AttributeProto>, (i64, i64), i64, &'static str);

#[test]
fn conv_geometry_the_native_format_cannot_hold() {
    let cases: Vec<ConvCase> = vec![
        (vec![ints("pads", &[1, 1, 1, 1])], (3, 3), 1, "attribute pads [1, 1, 1, 1] is not supported: the native layers have no padding"),
        (vec![ints("pads", &[0, 0, 0, 1])], (3, 3), 1, "attribute pads [0, 0, 0, 1]"),
        (vec![int("group", 2)], (3, 3), 2, "attribute group = 2 is not supported: grouped and depthwise"),
        (vec![ints("dilations", &[2, 2])], (3, 3), 1, "attribute dilations [2, 2] is not supported"),
        (vec![ints("kernel_shape", &[3, 2])], (3, 2), 1, "kernel 3×2 is not square"),
        (vec![ints("strides", &[1, 2])], (3, 3), 1, "attribute strides [1, 2] differ"),
        (vec![string("auto_pad", "SAME_UPPER")], (3, 3), 1, "attribute auto_pad = SAME_UPPER pads the input"),
    ];
    for (attrs, kernel, group, says) in cases {
        let e = conv_graph(attrs, kernel, group).import().unwrap_err();
        assert!(matches!(e, ImportError::Unsupported { .. }), "{e}");
        assert_node(&e, "Conv_0", "Conv", says);
    }
    // VALID and explicit zeros are fine.
    let mut g = conv_graph(vec![string("auto_pad", "VALID"), ints("pads", &[0, 0, 0, 0]), ints("dilations", &[1, 1])], (3, 3), 1);
    g.op("Flatten", "", &[""], vec![]);
    let w = g.c(&[64, 1], &[1.0; 64]);
    g.apply("MatMul", &[&w]);
    g.import().unwrap();
    // a kernel_shape that contradicts the weight, and a weight of the wrong rank
    let e = conv_graph(vec![ints("kernel_shape", &[2, 2])], (3, 3), 1).import().unwrap_err();
    assert_node(&e, "Conv_0", "Conv", "kernel_shape [2, 2] does not match the weight [4, 2, 3, 3]");
    let mut g = G::new(&[1, 2, 6, 6]);
    let k = g.c(&[4, 18], &[1.0; 72]);
    g.op("Conv", "", &["", &k], vec![]);
    assert_node(&g.import().unwrap_err(), "Conv_0", "Conv", "must be 4-D");
    // a 1-D convolution
    let mut g = G::new(&[1, 2, 6]);
    let k = g.c(&[4, 2, 3], &[1.0; 24]);
    g.op("Conv", "", &["", &k], vec![]);
    assert_node(&g.import().unwrap_err(), "Conv_0", "Conv", "only 2-D windows on one image of shape [1, C, H, W]");
    // a kernel larger than the map
    let mut g = G::new(&[1, 1, 2, 2]);
    let k = g.c(&[1, 1, 3, 3], &[1.0; 9]);
    g.op("Conv", "", &["", &k], vec![]);
    assert_node(&g.import().unwrap_err(), "Conv_0", "Conv", "a 3×3 window does not fit the 2×2 map");
}

#[test]
fn maxpool_geometry_the_native_format_cannot_hold() {
    let pool = |attrs: Vec<AttributeProto>| {
        let mut g = G::new(&[1, 1, 5, 5]);
        g.apply("Sign", &[]);
        g.op("MaxPool", "", &[""], attrs);
        g.op("Flatten", "", &[""], vec![]);
        g
    };
    let cases = [
        (vec![ints("kernel_shape", &[2, 2]), ints("strides", &[2, 2]), int("ceil_mode", 1)], "attribute ceil_mode = 1 adds a partial window"),
        (vec![ints("kernel_shape", &[2, 2]), ints("pads", &[0, 0, 1, 1])], "attribute pads [0, 0, 1, 1] is not supported"),
        (vec![ints("kernel_shape", &[2, 3])], "kernel 2×3 is not square"),
        (vec![ints("kernel_shape", &[2, 2]), ints("strides", &[2, 1])], "attribute strides [2, 1] differ"),
        (vec![ints("kernel_shape", &[2, 2]), ints("dilations", &[2, 2])], "attribute dilations [2, 2]"),
        (vec![ints("kernel_shape", &[2, 2]), string("auto_pad", "SAME_LOWER")], "auto_pad = SAME_LOWER"),
    ];
    for (attrs, says) in cases {
        let e = pool(attrs).import().unwrap_err();
        assert_node(&e, "MaxPool_1", "MaxPool", says);
    }
    let e = pool(vec![]).import().unwrap_err();
    assert_node(&e, "MaxPool_1", "MaxPool", "attribute \"kernel_shape\" is required");
    // ceil_mode that adds no partial window (5 − 3 is a multiple of the stride 2) is harmless.
    let mut g = pool(vec![ints("kernel_shape", &[3, 3]), ints("strides", &[2, 2]), int("ceil_mode", 1)]);
    // signed inputs: Sign then cuts the range in the middle (on uint8 it would be constant)
    g.annotate_input("INT8");
    let w = g.c(&[4, 1], &[1.0; 4]);
    g.apply("MatMul", &[&w]);
    g.import().unwrap();
    // the Indices output
    let mut g = G::new(&[1, 1, 4, 4]);
    g.op_n("MaxPool", "", &[""], vec![ints("kernel_shape", &[2, 2])], 2);
    assert_node(&g.import().unwrap_err(), "MaxPool_0", "MaxPool", "the Indices output is not supported");
}

/// Max pooling commutes with `s·q + b` only for `s ≥ 0`: on an accumulator a negative channel is
/// negated, but after a quantizer or on the raw input it cannot be.
#[test]
fn pooling_a_decreasing_map_is_refused() {
    // pool before the threshold, with a negative scale on the raw input
    let mut g = G::new(&[1, 1, 4, 4]);
    let c = g.c(&[], &[-0.5]);
    g.apply("Mul", &[&c]);
    g.op("MaxPool", "", &[""], vec![ints("kernel_shape", &[2, 2]), ints("strides", &[2, 2])]);
    g.apply("Sign", &[]);
    let e = g.import().unwrap_err();
    assert_node(&e, "MaxPool_1", "MaxPool", "its input decreases with the integers of the layer before it");
    assert!(e.to_string().contains("folded from Mul_0"), "{e}");

    // pool after a quantizer whose output scale is negative
    let mut g = G::new(&[1, 1, 4, 4]);
    let s = g.c(&[], &[-1.0]);
    g.op("BipolarQuant", QONNX, &["", &s], vec![]);
    g.op("MaxPool", "", &[""], vec![ints("kernel_shape", &[2, 2])]);
    g.op("Flatten", "", &[""], vec![]);
    let w = g.c(&[9, 1], &[1.0; 9]);
    g.apply("MatMul", &[&w]);
    assert_node(&g.import().unwrap_err(), "MaxPool_1", "MaxPool", "decreases");

    // pool, then a threshold whose BN scale is negative, then another pool: the first threshold is
    // complemented (its count reversed), so the second pool would see a decreasing map
    let mut g = G::new(&[1, 1, 6, 6]);
    let k = g.c(&[1, 1, 1, 1], &[1.0]);
    g.op("Conv", "", &["", &k], vec![]);
    g.op("MaxPool", "", &[""], vec![ints("kernel_shape", &[2, 2]), ints("strides", &[2, 2])]);
    let (gamma, beta, mean, var) = (g.c(&[1], &[-1.0]), g.c(&[1], &[0.0]), g.c(&[1], &[100.0]), g.c(&[1], &[1.0]));
    g.op("BatchNormalization", "", &["", &gamma, &beta, &mean, &var], vec![float("epsilon", 0.0)]);
    g.apply("Sign", &[]);
    g.op("MaxPool", "", &[""], vec![ints("kernel_shape", &[3, 3])]);
    g.op("Flatten", "", &[""], vec![]);
    let w = g.c(&[1, 1], &[1.0]);
    g.apply("MatMul", &[&w]);
    assert_node(&g.import().unwrap_err(), "MaxPool_4", "MaxPool", "decreases");
}

#[test]
fn maps_in_the_wrong_order() {
    // a MatMul output reshaped to a 2-channel map: channel-major, not channels-last
    let mut g = G::new(&[1, 8]);
    let w = g.c(&[8, 8], &[1.0; 64]);
    g.apply("MatMul", &[&w]);
    let shape = g.ci(&[4], &[1, 2, 2, 2]);
    g.apply("Reshape", &[&shape]);
    let k = g.c(&[1, 2, 1, 1], &[1.0, 1.0]);
    g.op("Conv", "", &["", &k], vec![]);
    assert_node(&g.import().unwrap_err(), "Conv_2", "Conv", "channel-major (NCHW) order");
    // a map as the graph output
    let mut g = G::new(&[1, 2, 3, 3]);
    let k = g.c(&[2, 2, 2, 2], &[1.0; 16]);
    g.op("Conv", "", &["", &k], vec![]);
    let e = g.import().unwrap_err();
    assert!(matches!(e, ImportError::Output { .. }), "{e}");
    assert!(e.to_string().contains("2×2×2 feature map"), "{e}");
}

#[test]
fn weights_that_are_not_integers() {
    // float weights: no common scale with integers of at most 16 bits
    let mut g = G::new(&[1, 3]);
    let s = g.c(&[], &[1.0]);
    g.op("BipolarQuant", QONNX, &["", &s], vec![]);
    let w = g.c(&[3, 2], &[0.25, -0.9, 0.5, std::f32::consts::PI, 0.75, std::f32::consts::E]);
    g.apply("MatMul", &[&w]);
    assert_node(&g.import().unwrap_err(), "MatMul_1", "MatMul", "weights are not integers after folding: row 1");

    // integers beyond 16 bits
    let mut g = G::new(&[1, 2]);
    let w = g.c(&[2, 1], &[1.0, 70001.0]);
    g.apply("MatMul", &[&w]);
    assert_node(&g.import().unwrap_err(), "MatMul_0", "MatMul", "weights are not integers after folding: row 0");

    // a non-finite weight
    let mut g = G::new(&[1, 2]);
    let w = g.c(&[2, 1], &[1.0, f32::INFINITY]);
    g.apply("MatMul", &[&w]);
    assert_node(&g.import().unwrap_err(), "MatMul_0", "MatMul", "weights are not integers");

    // ±1 weights, but the incoming scale differs per element
    let mut g = G::new(&[1, 2]);
    let c = g.c(&[2], &[1.0, 2.0]);
    g.apply("Mul", &[&c]);
    let w = g.c(&[2, 1], &[1.0, -1.0]);
    g.apply("MatMul", &[&w]);
    assert_node(&g.import().unwrap_err(), "MatMul_1", "MatMul", "the scale of its input is not the same on every element (folded from Mul_0)");

    // a convolution whose input scale changes sign between the positions of a channel
    let mut g = G::new(&[1, 1, 2, 2]);
    let c = g.c(&[1, 1, 2, 2], &[1.0, -1.0, 1.0, 1.0]);
    g.apply("Mul", &[&c]);
    let k = g.c(&[1, 1, 1, 1], &[1.0]);
    g.op("Conv", "", &["", &k], vec![]);
    g.op("Flatten", "", &[""], vec![]);
    let w = g.c(&[4, 1], &[1.0; 4]);
    g.apply("MatMul", &[&w]);
    assert_node(&g.import().unwrap_err(), "Conv_1", "Conv", "differs between positions of channel 0");

    // XNOR-popcount weights must be 0/1
    let mut g = G::new(&[1, 2]);
    let w = g.c(&[2, 1], &[1.0, -1.0]);
    g.op("XnorPopcountMatMul", "finn.custom_op.general", &["", &w], vec![]);
    assert_node(&g.import().unwrap_err(), "XnorPopcountMatMul_0", "XnorPopcountMatMul", "must be 0 or 1");
}

#[test]
fn graph_shapes_the_native_format_cannot_hold() {
    // a branch: x feeds two nodes
    let mut g = G::new(&[1, 2]);
    g.apply("Sign", &[]);
    let s = g.current.clone();
    g.op("Add", "", &[&s, &s], vec![]);
    assert_node(&g.import().unwrap_err(), "Add_1", "Add", "combines two computed tensors");

    let mut g = G::new(&[1, 2]);
    g.apply("Sign", &[]);
    let s = g.current.clone();
    g.op("Neg", "", &[&s], vec![]);
    g.op("Neg", "", &[&s], vec![]);
    assert_node(&g.import().unwrap_err(), "Neg_2", "Neg", "feeds 2 nodes");

    // a constant divided by the tensor
    let mut g = G::new(&[1, 2]);
    let c = g.c(&[], &[1.0]);
    g.op("Div", "", &[&c, ""], vec![]);
    assert_node(&g.import().unwrap_err(), "Div_0", "Div", "not an affine map");

    // division by zero
    let mut g = G::new(&[1, 2]);
    let c = g.c(&[2], &[1.0, 0.0]);
    g.apply("Div", &[&c]);
    assert_node(&g.import().unwrap_err(), "Div_0", "Div", "divides by 0");

    // a constant that broadcasts the tensor to a larger shape
    let mut g = G::new(&[1, 2]);
    let c = g.c(&[3, 1], &[1.0, 2.0, 3.0]);
    g.apply("Add", &[&c]);
    assert_node(&g.import().unwrap_err(), "Add_0", "Add", "does not broadcast");

    // Relu not before a quantizer
    let mut g = G::new(&[1, 2]);
    g.apply("Relu", &[]);
    let w = g.c(&[2, 1], &[1.0, 1.0]);
    g.apply("MatMul", &[&w]);
    assert_node(&g.import().unwrap_err(), "Relu_0", "Relu", "followed by MatMul_1 (MatMul)");

    // Transpose of a computed tensor
    let mut g = G::new(&[1, 2]);
    g.op("Transpose", "", &[""], vec![ints("perm", &[1, 0])]);
    assert_node(&g.import().unwrap_err(), "Transpose_0", "Transpose", "flattened vector");

    // MatMul of a matrix (not one vector)
    let mut g = G::new(&[1, 2, 3]);
    let w = g.c(&[3, 1], &[1.0, 1.0, 1.0]);
    g.apply("MatMul", &[&w]);
    assert_node(&g.import().unwrap_err(), "MatMul_0", "MatMul", "only one vector at a time");

    // dynamic reshape target
    let mut g = G::new(&[1, 2]);
    let x = g.current.clone();
    g.apply("Sign", &[]);
    let s = g.current.clone();
    g.op("Reshape", "", &[&x, &s], vec![]);
    assert_node(&g.import().unwrap_err(), "Reshape_1", "Reshape", "only constant shapes");
}

#[test]
fn quantizer_and_topk_limits() {
    // 9-bit activations: 511 thresholds
    let mut g = G::new(&[1, 2]);
    let (s, z, b) = (g.c(&[], &[1.0]), g.c(&[], &[0.0]), g.c(&[], &[9.0]));
    g.op("Quant", QONNX, &["", &s, &z, &b], vec![int("signed", 0), int("narrow", 0)]);
    assert_node(&g.import().unwrap_err(), "Quant_0", "Quant", "511 thresholds");

    // Quant without `narrow`
    let mut g = G::new(&[1, 2]);
    let (s, z, b) = (g.c(&[], &[1.0]), g.c(&[], &[0.0]), g.c(&[], &[2.0]));
    g.op("Quant", QONNX, &["", &s, &z, &b], vec![int("signed", 0)]);
    assert_node(&g.import().unwrap_err(), "Quant_0", "Quant", "attribute \"narrow\" is required");

    // negative Quant scale on activations
    let mut g = G::new(&[1, 2]);
    let (s, z, b) = (g.c(&[], &[-1.0]), g.c(&[], &[0.0]), g.c(&[], &[2.0]));
    g.op("Quant", QONNX, &["", &s, &z, &b], vec![int("signed", 0), int("narrow", 0)]);
    assert_node(&g.import().unwrap_err(), "Quant_0", "Quant", "not positive");

    // MultiThreshold BIPOLAR with the wrong levels, and rows that do not fit
    let mut g = G::new(&[1, 2]);
    let t = g.c(&[1, 1], &[0.0]);
    g.op("MultiThreshold", QONNX, &["", &t], vec![string("out_dtype", "BIPOLAR")]);
    assert_node(&g.import().unwrap_err(), "MultiThreshold_0", "MultiThreshold", "out_dtype BIPOLAR needs");
    let mut g = G::new(&[1, 2]);
    let t = g.c(&[3, 1], &[0.0, 1.0, 2.0]);
    g.op("MultiThreshold", QONNX, &["", &t], vec![string("out_dtype", "UINT1")]);
    assert_node(&g.import().unwrap_err(), "MultiThreshold_0", "MultiThreshold", "3 threshold rows for 2 channels");
    let mut g = G::new(&[1, 2]);
    let t = g.c(&[1, 3], &[0.0, 1.0, 2.0]);
    g.op("MultiThreshold", QONNX, &["", &t], vec![string("out_dtype", "UINT1")]);
    assert_node(&g.import().unwrap_err(), "MultiThreshold_0", "MultiThreshold", "cannot hold the output 2");

    // BatchNormalization in training mode
    let mut g = G::new(&[1, 2]);
    let p = g.c(&[2], &[1.0, 1.0]);
    g.op("BatchNormalization", "", &["", &p, &p, &p, &p], vec![int("training_mode", 1)]);
    assert_node(&g.import().unwrap_err(), "BatchNormalization_0", "BatchNormalization", "training_mode");

    // TopK with k = 2
    let mut g = valid();
    let k = g.ci(&[1], &[2]);
    g.op_n("TopK", "", &["", &k], vec![], 2);
    let idx = g.graph.node.last().unwrap().output[1].clone();
    assert_node(&import(&g.bytes_with_output(&idx)).unwrap_err(), "TopK_4", "TopK", "k = 1");

    // TopK's values as the output
    let mut g = valid();
    let k = g.ci(&[1], &[1]);
    g.op_n("TopK", "", &["", &k], vec![], 2);
    assert_node(&g.import().unwrap_err(), "TopK_4", "TopK", "only TopK's indices");
}

#[test]
fn output_that_is_not_finite() {
    // a per-output scale is an epilogue (ops.rs); an infinite one is refused
    let mut g = valid();
    let c = g.c(&[2], &[1.0, f32::INFINITY]);
    g.apply("Mul", &[&c]);
    let e = g.import().unwrap_err();
    assert!(matches!(e, ImportError::Output { .. }), "{e}");
    assert!(e.to_string().contains("for element 1: not finite"), "{e}");
}

#[test]
fn pow_on_the_computed_tensor_is_refused() {
    let mut g = G::new(&[1, 4]);
    let two = g.c(&[], &[2.0]);
    g.apply("Pow", &[&two]);
    g.apply("Sign", &[]);
    assert_node(&g.import().unwrap_err(), "Pow_0", "Pow", "only supported on constants");
}

/// An input quantizer whose cuts all fall at the edge of the raw range (a graph expecting
/// x/255 fed raw pixels) is refused with the fix and the override; the right convention or the
/// override imports it.
#[test]
fn collapsed_input_thresholds_are_refused() {
    use bitloom_compiler::model::InputConvention;
    let build = || {
        let mut g = G::new(&[1, 4]);
        let (two, one) = (g.c(&[], &[2.0]), g.c(&[], &[1.0]));
        g.apply("Mul", &[&two]);
        g.apply("Sub", &[&one]);
        let (s, z, b) = (g.c(&[], &[1.0 / 128.0]), g.c(&[], &[0.0]), g.c(&[], &[8.0]));
        g.op("Quant", QONNX, &["", &s, &z, &b], vec![int("signed", 1), int("narrow", 0), string("rounding_mode", "ROUND")]);
        let w = g.c(&[4, 2], &pm(&[1, 0, 1, 1, 0, 0, 1, 0]));
        g.apply("MatMul", &[&w]);
        g
    };
    let e = build().import().unwrap_err();
    assert!(matches!(e, ImportError::Input { .. }), "{e}");
    let s = e.to_string();
    assert!(s.contains("node Quant_2 (Quant): every threshold of the input quantizer lies at the edge"), "{s}");
    assert!(s.contains("thresholds [1] under the convention raw") && s.contains("--input-scale 1/255") && s.contains("--allow-collapsed-input"), "{s}");
    let scaled = ImportOptions { convention: InputConvention { scale: 1.0 / 255.0, ..Default::default() }, ..Default::default() };
    let m = build().import_with(&scaled).unwrap();
    assert_eq!(m.model.input.convention.scale, 1.0 / 255.0);
    let forced = ImportOptions { allow_collapsed_input: true, ..Default::default() };
    build().import_with(&forced).unwrap();
}

#[test]
fn native_limits_are_reported() {
    // accumulators over 32 bits: uint16 inputs into a dense layer of 40000 inputs
    let n = 40_000;
    let mut g = G::new(&[1, n]);
    g.annotate_input("UINT16");
    let w = g.c(&[n, 1], &vec![1.0; n as usize]);
    g.apply("MatMul", &[&w]);
    let e = g.import().unwrap_err();
    assert!(matches!(e, ImportError::Native(_)), "{e}");
    assert!(e.to_string().contains("wider than the 32 bits"), "{e}");
}

#[test]
fn errors_do_not_depend_on_encoding_details() {
    // A model encoded with packed dims (proto3 style) reads the same.
    let g = valid();
    let bytes = g.bytes();
    let model = ModelProto::decode(&bytes[..]).unwrap();
    assert_eq!(import(&model.encode_to_vec()).unwrap().model, import(&bytes).unwrap().model);
}
