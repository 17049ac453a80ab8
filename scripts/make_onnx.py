#!/usr/bin/env python3
"""Writes the ONNX fixtures of `bitloom import` (tests/data/onnx/) and their expected outputs.

Positive fixtures, each a small TFC-like binarized MLP (784-64-64-10) in one of the forms the
importer reads:

  tfc_w1a1_qonnx.onnx   QONNX as Brevitas exports it before clean-up: ToTensor's Div by 255,
                        the Shape/Gather/Unsqueeze/Concat/Reshape of `x.view(x.shape[0], -1)`,
                        `2x - 1`, an 8-bit input Quant, BipolarQuant weights followed by a
                        Transpose, BatchNormalization, BipolarQuant activations, TensorNorm as
                        Sub/Mul/Mul/Add with a Reciprocal(Sqrt(var + eps)) constant chain, TopK.
                        Quantizers in the "onnx.brevitas" domain, torch-style node names.
  tfc_w1a2_qonnx.onnx   QONNX after clean-up: input normalisation ((x/255 - mean)/std), a
                        BipolarQuant input quantizer, Gemm (transB = 1) with per-output-channel
                        weight scales and a bias, BatchNormalization, Relu + 2-bit unsigned Quant
                        activations (QuantReLU), logits as the output (no TopK).
  tfc_w1a1_finn.onnx    FINN-ONNX after streamlining: Reshape, MultiThreshold (BIPOLAR,
                        out_scale 2, out_bias -1; a ternary one with out_bias -1), MatMul with
                        ±1 weights, a final Mul, TopK; finn_datatype annotations (input UINT8).
  tfc_w1a1_tidy.onnx    FINN-ONNX as tidy-up writes Brevitas' older export: Mul/Add input
                        scaling, Sign activations, MatMul with ±1 weights, a per-channel Mul
                        (weight scale), BatchNormalization, a final Mul/Add, TopK.

and three with convolutions and integer weights:

  cnv_w1a1_qonnx.onnx   a small binarized CNN in QONNX as Brevitas exports it (FINN's CNV order):
                        8-bit input Quant, Conv 3x3 stride 2 (1 -> 8 channels) with per-channel
                        BipolarQuant weights, BatchNormalization, BipolarQuant, Conv 3x3 (8 -> 8,
                        with a bias), BatchNormalization, BipolarQuant, MaxPool 2x2, Flatten,
                        MatMul 200 -> 32, BatchNormalization, BipolarQuant, MatMul 32 -> 10, TopK.
  mlp_w4a4_qonnx.onnx   a 784-32-32-10 MLP with 4-bit Quant weights (per-tensor scale, narrow;
                        per-output-channel scale on a Gemm with transB and bias; per-tensor,
                        not narrow, on the last layer), a 4-bit unsigned input Quant, Relu +
                        4-bit and Relu + 2-bit unsigned Quant activations, TopK.
  mlp_inq_pow2.onnx     an INQ-style 784-32-32-10 MLP: float weights that are 0 or ±2^e (INQ's
                        5-bit levels, no weight quantizer in the graph), the first MatMul straight
                        on the scaled input, BatchNormalization, Relu + 4-bit Quant, TopK.

and two reproductions of what Brevitas 0.13 writes (torch and brevitas are too large for CI), with
the preprocessing outside the graph, as PyTorch training does it:

  tfc_w1a1_brevitas.onnx  brevitas_examples' TFC-W1A1 (784-64-64-64-10) trained on ToTensor's
                        x/255: no Div in the graph, `x.view` as Shape/Gather/Unsqueeze/Concat/
                        Reshape, `2x - 1`, an 8-bit input Quant, BipolarQuant weights and
                        activations, BatchNormalization; the last layer with bias=True and
                        per-output-channel weight scales, then TensorNorm as
                        (x - mean) / Pow(var + eps, 0.5) * weight + bias; logits as the output.
  cnn_rgb_nchw.onnx     a small binarized CNN on 3x32x32 NCHW images with Normalize(CIFAR mean,
                        std) of x/255 outside the graph (see cnn_rgb_nchw); its 12 seeded random
                        images are written as an NCHW .npy (cnn_rgb_nchw.images.npy).

Next to each positive fixture, `<name>.expected.json` holds the labels the float graph predicts
for the 200 committed MNIST digits (tests/data/mnist-images.idx.gz; the CNN: its own images, and
for both reproductions the preprocessing is recorded under "convention"), computed by the small NumPy
interpreter below in float32 (the QONNX/FINN ops as qonnx defines them). The random weights and
the batch-norm statistics (calibrated on those digits so that the activations are balanced) are
drawn again whenever a quantizer decision on one of the digits differs between float32 and
float64, a Sign meets an exact zero, or the two largest scores are nearly but not exactly equal,
so no expected label rests on a rounding tie.

Negative fixtures: neg_conv_pads.onnx (a Conv with padding), neg_unknown_op.onnx (Softmax),
neg_float_weights.onnx (unquantized float weights) and neg_truncated.onnx (the first half of
tfc_w1a1_finn.onnx).

Usage: python3 scripts/make_onnx.py [--out DIR] [--images FILE]     (needs numpy and onnx)
The output is deterministic (fixed seeds, IR version 8, opset 13).
"""

import argparse
import gzip
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

IR_VERSION = 8
OPSET = 13
QONNX = "qonnx.custom_op.general"
BREVITAS = "onnx.brevitas"
SIZES = [784, 64, 64, 10]


# ----------------------------------------------------------------------------- data

def load_idx_images(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    assert magic == 0x00000803, hex(magic)
    n, rows, cols = (int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(3))
    return np.frombuffer(data, dtype=np.uint8, offset=16).reshape(n, rows * cols)


# ----------------------------------------------------------------------------- interpreter

def multithreshold(v, thr, out_scale, out_bias, channels_last):
    vm = v if channels_last else np.moveaxis(v, 1, -1)
    cmp = vm[..., None] >= (thr if thr.shape[0] != 1 else thr[0])
    ret = np.count_nonzero(cmp, axis=-1).astype(v.dtype)
    if not channels_last:
        ret = np.moveaxis(ret, -1, 1)
    return out_scale * ret + out_bias


def int_quant(x, scale, zeropt, bits, signed, narrow, mode):
    y = x / scale + zeropt
    bits = int(bits)
    if bits == 1 and signed:
        y = np.where(y >= 0, 1.0, -1.0).astype(x.dtype)
    else:
        if signed:
            lo, hi = -(2 ** (bits - 1)) + int(narrow), 2 ** (bits - 1) - 1
        else:
            lo, hi = 0, 2 ** bits - 1 - int(narrow)
        y = np.clip(y, lo, hi)
        assert mode.upper() in ("ROUND", "HALF_EVEN"), mode
        y = np.round(y)
    return ((y - zeropt) * scale).astype(x.dtype)


def conv2d(x, w, stride):
    """NCHW convolution without padding: x [n, c, h, w], w [o, c, k, k]."""
    k = w.shape[2]
    ho, wo = (x.shape[2] - k) // stride + 1, (x.shape[3] - k) // stride + 1
    out = np.zeros((x.shape[0], w.shape[0], ho, wo), dtype=np.result_type(x, w))
    for ky in range(k):
        for kx in range(k):
            patch = x[:, :, ky:ky + stride * (ho - 1) + 1:stride, kx:kx + stride * (wo - 1) + 1:stride]
            out += np.einsum("nchw,oc->nohw", patch, w[:, :, ky, kx])
    return out


def maxpool2d(x, k, stride):
    ho, wo = (x.shape[2] - k) // stride + 1, (x.shape[3] - k) // stride + 1
    out = None
    for ky in range(k):
        for kx in range(k):
            patch = x[:, :, ky:ky + stride * (ho - 1) + 1:stride, kx:kx + stride * (wo - 1) + 1:stride]
            out = patch if out is None else np.maximum(out, patch)
    return out


def attrs(node):
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


class Trace:
    """Records every quantizer decision, to compare float32 with float64."""

    def __init__(self):
        self.decisions = []
        self.sign_zero = False
        self.scores = None


def run(model, x, dtype, trace=None):
    """Evaluates the graph on one input in `dtype`; returns the graph output."""
    g = model.graph
    env = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    env = {k: (v.astype(dtype) if v.dtype.kind == "f" else v) for k, v in env.items()}
    env[g.input[0].name] = x.astype(dtype)
    for n in g.node:
        a = attrs(n)
        i = [env[name] if name else None for name in n.input]
        op = n.op_type
        if op == "Constant":
            out = [numpy_helper.to_array(a["value"])]
        elif op in ("Add", "Sub", "Mul", "Div"):
            f = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Div": np.divide}[op]
            out = [f(i[0], i[1]).astype(np.result_type(i[0], i[1]))]
        elif op == "Sqrt":
            out = [np.sqrt(i[0])]
        elif op == "Pow":
            out = [np.power(i[0], i[1]).astype(i[0].dtype)]
        elif op == "Reciprocal":
            out = [1 / i[0]]
        elif op == "Relu":
            out = [np.maximum(i[0], 0)]
        elif op == "Sign":
            if trace is not None:
                trace.sign_zero |= bool((i[0] == 0).any())
                trace.decisions.append(i[0] >= 0)
            out = [np.sign(i[0])]
        elif op == "Shape":
            out = [np.array(i[0].shape, dtype=np.int64)]
        elif op == "Gather":
            out = [np.take(i[0], i[1], axis=a.get("axis", 0))]
        elif op == "Unsqueeze":
            out = [np.expand_dims(i[0], tuple(int(v) for v in i[1]))]
        elif op == "Concat":
            out = [np.concatenate(i, axis=a["axis"])]
        elif op == "Reshape":
            shape = [d if d != 0 else i[0].shape[k] for k, d in enumerate(i[1])]
            out = [i[0].reshape(shape)]
        elif op == "Flatten":
            ax = a.get("axis", 1)
            out = [i[0].reshape(int(np.prod(i[0].shape[:ax])), -1)]
        elif op == "Transpose":
            out = [np.transpose(i[0], a.get("perm"))]
        elif op == "MatMul":
            out = [np.matmul(i[0], i[1])]
        elif op == "Conv":
            assert not any(a.get("pads", [0])) and a.get("group", 1) == 1
            y = conv2d(i[0], i[1], a.get("strides", [1, 1])[0])
            if len(i) > 2 and i[2] is not None:
                y = y + i[2].reshape(1, -1, 1, 1)
            out = [y.astype(dtype)]
        elif op == "MaxPool":
            out = [maxpool2d(i[0], a["kernel_shape"][0], a.get("strides", [1, 1])[0])]
        elif op == "Gemm":
            A = i[0].T if a.get("transA", 0) else i[0]
            B = i[1].T if a.get("transB", 0) else i[1]
            y = a.get("alpha", 1.0) * (A @ B)
            if len(i) > 2 and i[2] is not None:
                y = y + a.get("beta", 1.0) * i[2]
            out = [y.astype(dtype)]
        elif op == "BatchNormalization":
            x_, s, b, m, v = i
            shp = (1, -1) + (1,) * (x_.ndim - 2)
            eps = np.array(a.get("epsilon", 1e-5), dtype=dtype)
            out = [(x_ - m.reshape(shp)) / np.sqrt(v.reshape(shp) + eps) * s.reshape(shp) + b.reshape(shp)]
        elif op == "BipolarQuant":
            if trace is not None:
                trace.decisions.append(i[0] >= 0)
            out = [(np.where(i[0] >= 0, 1.0, -1.0) * i[1]).astype(dtype)]
        elif op == "Quant":
            y = int_quant(i[0], i[1], i[2], i[3], a.get("signed", 1), a.get("narrow", 0), a.get("rounding_mode", b"ROUND").decode() if isinstance(a.get("rounding_mode", "ROUND"), bytes) else a.get("rounding_mode", "ROUND"))
            if trace is not None:
                trace.decisions.append(np.round(y / i[1]))
            out = [y]
        elif op == "MultiThreshold":
            layout = a.get("data_layout", b"NCHW")
            layout = layout.decode() if isinstance(layout, bytes) else layout
            y = multithreshold(i[0], i[1], a.get("out_scale", 1.0), a.get("out_bias", 0.0), layout[-1] == "C")
            if trace is not None:
                trace.decisions.append(y)
            out = [y.astype(dtype)]
        elif op == "TopK":
            if trace is not None:
                trace.scores = i[0]
            k = int(i[1][0])
            idx = np.argsort(-i[0], axis=-1, kind="stable")[..., :k]
            out = [np.take_along_axis(i[0], idx, axis=-1), idx.astype(np.int64)]
        else:
            raise NotImplementedError(op)
        for name, val in zip(n.output, out):
            if name:
                env[name] = val
    return env[g.output[0].name]


def graph_input(img, input_shape, convention):
    """What the graph receives for one raw image: `(raw * scale - mean[c]) / std[c]` (channel axis
    1), the preprocessing outside the graph (torchvision's ToTensor and Normalize)."""
    x = img.astype(np.float64).reshape(input_shape)
    if convention is None:
        return x
    x = x * convention["scale"]
    shp = (1, -1) + (1,) * (x.ndim - 2)
    mean = np.asarray(convention.get("mean", [0.0])).reshape(shp)
    std = np.asarray(convention.get("std", [1.0])).reshape(shp)
    return (x - mean) / std


def predict(model, images, input_shape, convention=None, strict=False):
    """Labels of the float32 graph, or None when some decision differs from float64. `strict`
    (float logits that the native model reproduces through a float epilogue): the two largest
    scores must also be clearly apart and float32 and float64 must agree on the label."""
    labels = []
    for img in images:
        x = graph_input(img, input_shape, convention)
        t32, t64 = Trace(), Trace()
        y32 = run(model, x, np.float32, t32)
        y64 = run(model, x, np.float64, t64)
        if t32.sign_zero or t64.sign_zero:
            return None
        for d32, d64 in zip(t32.decisions, t64.decisions):
            if not np.array_equal(d32, d64):
                return None
        # The label must not rest on a near-tie of the two largest scores that float rounding
        # breaks (the exact native model breaks an exact tie by the lower index, as TopK does in
        # both precisions when the scores are exactly equal).
        def top2(t, y):
            return np.sort(np.asarray(t.scores if t.scores is not None else y).reshape(-1))[-2:]
        s32, s64 = top2(t32, y32), top2(t64, y64)
        if s64[1] - s64[0] <= 1e-9 * max(1.0, abs(s64[1])) and not (s64[0] == s64[1] and s32[0] == s32[1]):
            return None
        if strict and (s64[1] - s64[0] <= 1e-4 * max(1.0, abs(s64[1])) or np.argmax(y32) != np.argmax(y64)):
            return None
        y32 = np.asarray(y32).reshape(-1)
        labels.append(int(y32[0]) if y32.dtype.kind == "i" else int(np.argmax(y32)))
    return labels


# ----------------------------------------------------------------------------- building blocks

class Builder:
    def __init__(self, names="qonnx"):
        self.nodes, self.inits, self.count, self.names = [], [], {}, names

    def const(self, name, value, dtype=np.float32):
        self.inits.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), name))
        return name

    def node(self, op, inputs, domain="", outputs=1, scope=None, **kw):
        k = self.count.get(op, 0)
        self.count[op] = k + 1
        if self.names == "torch":
            name = f"/{scope or 'features'}/{op}" + (f"_{k}" if k else "")
        else:
            name = f"{op}_{sum(self.count.values()) - 1}"
        outs = [f"{name}_out{j}".replace("/", "_").lstrip("_") for j in range(outputs)]
        self.nodes.append(helper.make_node(op, inputs, outs, name=name, domain=domain, **kw))
        return outs[0] if outputs == 1 else outs

    def model(self, name, inp, out, domains=(), annotations=None):
        g = helper.make_graph(self.nodes, name, [inp], [out], initializer=self.inits)
        for tensor, dtype in (annotations or {}).items():
            qa = onnx.TensorAnnotation()
            qa.tensor_name = tensor
            e = qa.quant_parameter_tensor_names.add()
            e.key, e.value = "finn_datatype", dtype
            g.quantization_annotation.append(qa)
        ops = [helper.make_opsetid("", OPSET)] + [helper.make_opsetid(d, 1) for d in domains]
        m = helper.make_model(g, producer_name="bitloom make_onnx.py", opset_imports=ops)
        m.ir_version = IR_VERSION
        return m


def signs(rng, rows, cols):
    return np.where(rng.random((rows, cols)) < 0.5, -1.0, 1.0)


def bn_params(rng, pre, negative=0.25):
    """Batch-norm parameters calibrated on the pre-activations `pre` [n, channels]: centred near
    the median, unit variance, some channels with a negative gamma."""
    ch = pre.shape[1]
    mean = np.median(pre, axis=0) + (rng.random(ch) - 0.5) * pre.std(axis=0) * 0.3
    var = pre.var(axis=0) + 1.0
    gamma = (0.5 + rng.random(ch)) * np.where(rng.random(ch) < negative, -1.0, 1.0)
    beta = (rng.random(ch) - 0.5) * 0.4
    return gamma, beta, mean, var


def bn_apply(x, p, eps):
    g, b, m, v = p
    return (x - m) / np.sqrt(v + eps) * g + b


# ----------------------------------------------------------------------------- fixtures

def tfc_w1a1_qonnx(rng, images):
    eps = 1e-4
    x = images.astype(np.float64) / 255.0 * 2 - 1
    q_in = np.clip(np.round(x * 128), -128, 127)            # 8-bit input Quant, scale 2^-7
    weights, bns = [], []
    h = q_in / 128
    for i in range(3):
        w = signs(rng, SIZES[i + 1], SIZES[i]) * (0.05 + rng.random((SIZES[i + 1], SIZES[i])))
        weights.append(w)
        acc = h @ np.where(w >= 0, 1.0, -1.0).T
        if i < 2:
            p = bn_params(rng, acc)
            bns.append(p)
            h = np.where(bn_apply(acc, p, eps) >= 0, 1.0, -1.0)
    tn = (float(rng.random() * 4 - 2), float(20 + rng.random() * 10), 0.5 + float(rng.random()), float(rng.random() - 0.5))

    b = Builder(names="torch")
    t = b.node("Div", ["global_in", b.const("c255", 255.0)], scope="preproc")
    shp = b.node("Shape", [t], scope="features")
    g0 = b.node("Gather", [shp, b.const("zero", 0, np.int64)], axis=0)
    u0 = b.node("Unsqueeze", [g0, b.const("axes0", [0], np.int64)])
    cat = b.node("Concat", [u0, b.const("minus1", [-1], np.int64)], axis=0)
    t = b.node("Reshape", [t, cat])
    t = b.node("Mul", [t, b.const("two", 2.0)])
    t = b.node("Sub", [t, b.const("one", 1.0)])
    t = b.node("Quant", [t, b.const("in_scale", 2.0 ** -7), b.const("in_zp", 0.0), b.const("in_bits", 8.0)],
               domain=BREVITAS, signed=1, narrow=0, rounding_mode="ROUND", scope="features.0")
    for i, w in enumerate(weights):
        wq = b.node("BipolarQuant", [b.const(f"fc{i}.weight", w), b.const(f"fc{i}.scale", 1.0)], domain=BREVITAS,
                    scope=f"features.{3 * i + 2}")
        wt = b.node("Transpose", [wq], perm=[1, 0], scope=f"features.{3 * i + 2}")
        t = b.node("MatMul", [t, wt], scope=f"features.{3 * i + 2}")
        if i < 2:
            g_, be, m, v = bns[i]
            t = b.node("BatchNormalization", [t, b.const(f"bn{i}.weight", g_), b.const(f"bn{i}.bias", be),
                                              b.const(f"bn{i}.running_mean", m), b.const(f"bn{i}.running_var", v)],
                       epsilon=eps, scope=f"features.{3 * i + 3}")
            t = b.node("BipolarQuant", [t, b.const(f"act{i}.scale", 1.0)], domain=BREVITAS, scope=f"features.{3 * i + 4}")
    mean, var, weight, bias = tn
    t = b.node("Sub", [t, b.const("tn.running_mean", mean)], scope="features.9")
    ve = b.node("Add", [b.const("tn.running_var", var), b.const("tn.eps", 1e-4)], scope="features.9")
    sq = b.node("Sqrt", [ve], scope="features.9")
    rc = b.node("Reciprocal", [sq], scope="features.9")
    t = b.node("Mul", [t, rc], scope="features.9")
    t = b.node("Mul", [t, b.const("tn.weight", weight)], scope="features.9")
    t = b.node("Add", [t, b.const("tn.bias", bias)], scope="features.9")
    _, idx = b.node("TopK", [t, b.const("k", [1], np.int64)], outputs=2, axis=-1, largest=1, sorted=1, scope="topk")
    b.nodes[-1].output[1] = "global_out"
    inp = helper.make_tensor_value_info("global_in", TensorProto.FLOAT, [1, 1, 28, 28])
    out = helper.make_tensor_value_info("global_out", TensorProto.INT64, [1, 1])
    return b.model("tfc_w1a1", inp, out, domains=[BREVITAS]), [1, 1, 28, 28]


def tfc_w1a2_qonnx(rng, images):
    eps = 1e-5
    mean, std = 0.1307, 0.3081
    x = (images.astype(np.float64) / 255.0 - mean) / std
    h = np.where(x >= 0, 1.0, -1.0)
    a_scale = 2.0 ** -2
    weights, wscales, biases, bns = [], [], [], []
    for i in range(3):
        o, n = SIZES[i + 1], SIZES[i]
        ws = 2.0 ** rng.integers(-4, 0, size=(o, 1)) if i < 2 else np.full((o, 1), 2.0 ** -3)
        w = signs(rng, o, n) * (0.01 + rng.random((o, n)))
        bias = (rng.random(o) - 0.5) * 4 if i < 2 else np.zeros(o)
        weights.append(w), wscales.append(ws), biases.append(bias)
        acc = h @ (np.where(w >= 0, 1.0, -1.0) * ws).T + bias
        if i < 2:
            p = bn_params(rng, acc)
            bns.append(p)
            y = np.maximum(bn_apply(acc, p, eps), 0)
            h = np.clip(np.round(y / a_scale), 0, 3) * a_scale

    b = Builder()
    t = b.node("Mul", ["global_in", b.const("inv255", np.float32(1 / 255.0))])
    t = b.node("Sub", [t, b.const("norm_mean", mean)])
    t = b.node("Div", [t, b.const("norm_std", std)])
    t = b.node("BipolarQuant", [t, b.const("in_scale", 1.0)], domain=QONNX)
    for i in range(3):
        wq = b.node("BipolarQuant", [b.const(f"W{i}", weights[i]), b.const(f"W{i}_scale", wscales[i])], domain=QONNX)
        t = b.node("Gemm", [t, wq, b.const(f"C{i}", biases[i])], transB=1)
        if i < 2:
            g_, be, m, v = bns[i]
            t = b.node("BatchNormalization", [t, b.const(f"gamma{i}", g_), b.const(f"beta{i}", be),
                                              b.const(f"mean{i}", m), b.const(f"var{i}", v)], epsilon=eps)
            t = b.node("Relu", [t])
            t = b.node("Quant", [t, b.const(f"a{i}_scale", a_scale), b.const(f"a{i}_zp", 0.0), b.const(f"a{i}_bits", 2.0)],
                       domain=QONNX, signed=0, narrow=0, rounding_mode="ROUND")
    b.nodes[-1].output[0] = "global_out"
    inp = helper.make_tensor_value_info("global_in", TensorProto.FLOAT, ["N", 784])
    out = helper.make_tensor_value_info("global_out", TensorProto.FLOAT, ["N", 10])
    return b.model("tfc_w1a2", inp, out, domains=[QONNX]), [1, 784]


def tfc_w1a1_finn(rng, images):
    x = images.astype(np.float64)
    h = np.where(x >= 128, 1.0, -1.0)
    weights, thresholds = [], []
    for i in range(3):
        w = signs(rng, SIZES[i + 1], SIZES[i])
        weights.append(w)
        acc = h @ w.T
        if i == 0:
            # one threshold per channel: integers (RoundAndClipThresholds) near the median
            thr = np.ceil(np.median(acc, axis=0) + rng.integers(-3, 4, size=SIZES[1]))[:, None]
            h = np.where(acc >= thr[:, 0], 1.0, -1.0)
        elif i == 1:
            # ternary: two thresholds per channel around the median, out_bias -1
            lo = np.ceil(np.quantile(acc, 0.3, axis=0)) - 0.5
            hi = np.ceil(np.quantile(acc, 0.7, axis=0)) + 0.5
            thr = np.stack([lo, hi], axis=1)
            h = (acc[:, :, None] >= thr[None]).sum(axis=2) - 1.0
        thresholds.append(thr if i < 2 else None)

    b = Builder()
    t = b.node("Reshape", ["global_in", b.const("shape", [1, 784], np.int64)])
    t = b.node("MultiThreshold", [t, b.const("in_thr", [[128.0]])], domain=QONNX, out_dtype="BIPOLAR",
               out_scale=2.0, out_bias=-1.0, data_layout="NC")
    ann = {"global_in": "UINT8", t: "BIPOLAR"}
    for i in range(3):
        wn = b.const(f"W{i}", weights[i].T)
        ann[wn] = "BIPOLAR"
        t = b.node("MatMul", [t, wn])
        if i == 0:
            t = b.node("MultiThreshold", [t, b.const("thr0", thresholds[0])], domain=QONNX, out_dtype="BIPOLAR",
                       out_scale=2.0, out_bias=-1.0)
        elif i == 1:
            t = b.node("MultiThreshold", [t, b.const("thr1", thresholds[1])], domain=QONNX, out_dtype="INT2",
                       out_bias=-1.0)
    t = b.node("Mul", [t, b.const("out_scale", 0.125)])
    _, idx = b.node("TopK", [t, b.const("k", [1], np.int64)], outputs=2, axis=-1)
    b.nodes[-1].output[1] = "global_out"
    inp = helper.make_tensor_value_info("global_in", TensorProto.FLOAT, [1, 1, 28, 28])
    out = helper.make_tensor_value_info("global_out", TensorProto.INT64, [1, 1])
    return b.model("tfc_w1a1_finn", inp, out, domains=[QONNX], annotations=ann), [1, 1, 28, 28]


def tfc_w1a1_tidy(rng, images):
    eps = 1e-5
    x = images.astype(np.float64) * (2 / 255.0) - 1
    h = np.where(x >= 0, 1.0, -1.0)
    weights, scales, bns = [], [], []
    for i in range(3):
        w = signs(rng, SIZES[i + 1], SIZES[i])
        s = 2.0 ** rng.integers(-3, 1, size=SIZES[i + 1])
        weights.append(w), scales.append(s)
        acc = (h @ w.T) * s
        if i < 2:
            p = bn_params(rng, acc, negative=0.3)
            bns.append(p)
            h = np.sign(bn_apply(acc, p, eps))
    scales[2] = np.full(SIZES[3], 0.5)

    b = Builder()
    t = b.node("Reshape", ["global_in", b.const("shape", [1, -1], np.int64)])
    t = b.node("Mul", [t, b.const("in_mul", np.float32(2 / 255.0))])
    t = b.node("Add", [t, b.const("in_add", -1.0)])
    t = b.node("Sign", [t])
    for i in range(3):
        t = b.node("MatMul", [t, b.const(f"W{i}", weights[i].T)])
        t = b.node("Mul", [t, b.const(f"S{i}", scales[i])])
        if i < 2:
            g_, be, m, v = bns[i]
            t = b.node("BatchNormalization", [t, b.const(f"g{i}", g_), b.const(f"b{i}", be), b.const(f"m{i}", m),
                                              b.const(f"v{i}", v)], epsilon=eps)
            t = b.node("Sign", [t])
    t = b.node("Mul", [t, b.const("tn_mul", 1.7)])
    t = b.node("Add", [t, b.const("tn_add", -0.3)])
    _, idx = b.node("TopK", [t, b.const("k", [1], np.int64)], outputs=2, axis=-1)
    b.nodes[-1].output[1] = "global_out"
    inp = helper.make_tensor_value_info("global_in", TensorProto.FLOAT, [1, 1, 28, 28])
    out = helper.make_tensor_value_info("global_out", TensorProto.INT64, [1, 1])
    return b.model("tfc_w1a1_tidy", inp, out), [1, 1, 28, 28]


def channels_last(x):
    """[n, c, h, w] -> [n * h * w, c]: one row per pixel, for per-channel statistics."""
    return np.moveaxis(x, 1, -1).reshape(-1, x.shape[1])


def bn_apply_map(x, p, eps):
    g, b, m, v = (t.reshape(1, -1, 1, 1) for t in p)
    return (x - m) / np.sqrt(v + eps) * g + b


def cnv_w1a1_qonnx(rng, images):
    eps = 1e-4
    x = images.astype(np.float64).reshape(-1, 1, 28, 28) / 255.0 * 2 - 1
    h = np.clip(np.round(x * 128), -128, 127) / 128          # 8-bit input Quant, scale 2^-7
    convs, bns = [], []
    for i, (cin, cout, stride) in enumerate([(1, 8, 2), (8, 8, 1)]):
        w = signs(rng, cout, cin * 9).reshape(cout, cin, 3, 3) * (0.05 + rng.random((cout, cin, 3, 3)))
        scale = 2.0 ** rng.integers(-3, 1, size=(cout, 1, 1, 1))
        bias = (rng.random(cout) - 0.5) * 2 if i == 1 else None
        convs.append((w, scale, bias, stride))
        acc = conv2d(h, np.where(w >= 0, 1.0, -1.0) * scale, stride)
        if bias is not None:
            acc = acc + bias.reshape(1, -1, 1, 1)
        p = bn_params(rng, channels_last(acc))
        bns.append(p)
        h = np.where(bn_apply_map(acc, p, eps) >= 0, 1.0, -1.0)
    h = maxpool2d(h, 2, 2).reshape(h.shape[0], -1)
    w_fc = [signs(rng, 32, 200) * (0.05 + rng.random((32, 200))), signs(rng, 10, 32) * (0.05 + rng.random((10, 32)))]
    acc = h @ np.where(w_fc[0] >= 0, 1.0, -1.0).T
    p_fc = bn_params(rng, acc)

    b = Builder()
    t = b.node("Div", ["global_in", b.const("c255", 255.0)])
    t = b.node("Mul", [t, b.const("two", 2.0)])
    t = b.node("Sub", [t, b.const("one", 1.0)])
    t = b.node("Quant", [t, b.const("in_scale", 2.0 ** -7), b.const("in_zp", 0.0), b.const("in_bits", 8.0)],
               domain=QONNX, signed=1, narrow=0, rounding_mode="ROUND")
    for i, (w, scale, bias, stride) in enumerate(convs):
        wq = b.node("BipolarQuant", [b.const(f"conv{i}.weight", w), b.const(f"conv{i}.scale", scale)], domain=QONNX)
        ins = [t, wq] + ([b.const(f"conv{i}.bias", bias)] if bias is not None else [])
        t = b.node("Conv", ins, kernel_shape=[3, 3], strides=[stride, stride], pads=[0, 0, 0, 0], dilations=[1, 1], group=1)
        g_, be, m, v = bns[i]
        t = b.node("BatchNormalization", [t, b.const(f"bn{i}.weight", g_), b.const(f"bn{i}.bias", be),
                                          b.const(f"bn{i}.running_mean", m), b.const(f"bn{i}.running_var", v)], epsilon=eps)
        t = b.node("BipolarQuant", [t, b.const(f"act{i}.scale", 1.0)], domain=QONNX)
    t = b.node("MaxPool", [t], kernel_shape=[2, 2], strides=[2, 2])
    t = b.node("Flatten", [t], axis=1)
    for i, w in enumerate(w_fc):
        wq = b.node("BipolarQuant", [b.const(f"fc{i}.weight", w.T), b.const(f"fc{i}.scale", 1.0)], domain=QONNX)
        t = b.node("MatMul", [t, wq])
        if i == 0:
            g_, be, m, v = p_fc
            t = b.node("BatchNormalization", [t, b.const("bn_fc.weight", g_), b.const("bn_fc.bias", be),
                                              b.const("bn_fc.running_mean", m), b.const("bn_fc.running_var", v)],
                       epsilon=eps)
            t = b.node("BipolarQuant", [t, b.const("act_fc.scale", 1.0)], domain=QONNX)
    _, idx = b.node("TopK", [t, b.const("k", [1], np.int64)], outputs=2, axis=-1, largest=1, sorted=1)
    b.nodes[-1].output[1] = "global_out"
    inp = helper.make_tensor_value_info("global_in", TensorProto.FLOAT, [1, 1, 28, 28])
    out = helper.make_tensor_value_info("global_out", TensorProto.INT64, [1, 1])
    return b.model("cnv_w1a1", inp, out, domains=[QONNX]), [1, 1, 28, 28]


def quant_int(w, scale, bits, narrow):
    lo, hi = -(2 ** (bits - 1)) + int(narrow), 2 ** (bits - 1) - 1
    return np.clip(np.round(w / scale), lo, hi) * scale


MLP = [784, 32, 32, 10]


def mlp_w4a4_qonnx(rng, images):
    eps = 1e-5
    x = images.astype(np.float64) / 255.0
    h = np.clip(np.round(x * 15), 0, 15) / 15                 # 4-bit unsigned input Quant
    a_scales, a_bits = [0.25, 0.5], [4, 2]
    layers, bns = [], []
    for i in range(3):
        n, o = MLP[i], MLP[i + 1]
        w = (rng.random((o, n)) - 0.5) * 2                      # [out, in]
        if i == 1:
            scale = (0.1 + rng.random((o, 1))) / 7              # per output channel
        else:
            scale = np.float64(np.float32(np.abs(w).max() / 7 * 0.6))
        narrow = i != 2
        bias = (rng.random(o) - 0.5) if i == 1 else None
        layers.append((w, scale, narrow, bias))
        acc = h @ quant_int(w, scale, 4, narrow).T + (bias if bias is not None else 0)
        if i < 2:
            p = bn_params(rng, acc)
            bns.append(p)
            y = np.maximum(bn_apply(acc, p, eps), 0)
            h = np.clip(np.round(y / a_scales[i]), 0, 2 ** a_bits[i] - 1) * a_scales[i]

    b = Builder()
    t = b.node("Div", ["global_in", b.const("c255", 255.0)])
    t = b.node("Quant", [t, b.const("in_scale", np.float32(1 / 15)), b.const("in_zp", 0.0), b.const("in_bits", 4.0)],
               domain=QONNX, signed=0, narrow=0, rounding_mode="ROUND")
    for i, (w, scale, narrow, bias) in enumerate(layers):
        qargs = [b.const(f"W{i}_scale", scale if i == 1 else scale), b.const(f"W{i}_zp", 0.0), b.const(f"W{i}_bits", 4.0)]
        if i == 1:
            wq = b.node("Quant", [b.const(f"W{i}", w)] + qargs, domain=QONNX, signed=1, narrow=int(narrow),
                        rounding_mode="ROUND")
            t = b.node("Gemm", [t, wq, b.const(f"C{i}", bias)], transB=1)
        else:
            wq = b.node("Quant", [b.const(f"W{i}", w.T)] + qargs, domain=QONNX, signed=1, narrow=int(narrow),
                        rounding_mode="ROUND")
            t = b.node("MatMul", [t, wq])
        if i < 2:
            g_, be, m, v = bns[i]
            t = b.node("BatchNormalization", [t, b.const(f"gamma{i}", g_), b.const(f"beta{i}", be),
                                              b.const(f"mean{i}", m), b.const(f"var{i}", v)], epsilon=eps)
            t = b.node("Relu", [t])
            t = b.node("Quant", [t, b.const(f"a{i}_scale", a_scales[i]), b.const(f"a{i}_zp", 0.0),
                                 b.const(f"a{i}_bits", float(a_bits[i]))], domain=QONNX, signed=0, narrow=0,
                       rounding_mode="ROUND")
    _, idx = b.node("TopK", [t, b.const("k", [1], np.int64)], outputs=2, axis=-1)
    b.nodes[-1].output[1] = "global_out"
    inp = helper.make_tensor_value_info("global_in", TensorProto.FLOAT, ["N", 784])
    out = helper.make_tensor_value_info("global_out", TensorProto.INT64, ["N", 1])
    return b.model("mlp_w4a4", inp, out, domains=[QONNX]), [1, 784]


def inq_quantize(w, bits):
    """INQ's levels and rounding (bitloom_compiler::quantize::InqLevels): 0 or ±2^e, n2 <= e <= n1."""
    n1 = int(np.floor(np.log2(4 * np.abs(w).max() / 3)))
    n2 = n1 + 1 - 2 ** (bits - 1) // 2
    a = np.abs(w)
    q = np.zeros_like(w)
    for e in range(n2, n1 + 1):
        beta = 2.0 ** e
        alpha = 0.0 if e == n2 else 2.0 ** (e - 1)
        q = np.where(((alpha + beta) / 2 <= a) & (a < 1.5 * beta), beta, q)
    q = np.where(a >= 1.5 * 2.0 ** n1, 2.0 ** n1, q)
    return np.sign(w) * q


def mlp_inq_pow2(rng, images):
    eps = 1e-5
    h = images.astype(np.float64) / 255.0
    a_scale = 0.25
    weights, bns = [], []
    for i in range(3):
        n, o = MLP[i], MLP[i + 1]
        w = inq_quantize(rng.normal(0, 0.1, size=(n, o)), 5)   # [in, out]
        weights.append(w)
        acc = h @ w
        if i < 2:
            p = bn_params(rng, acc)
            bns.append(p)
            h = np.clip(np.round(np.maximum(bn_apply(acc, p, eps), 0) / a_scale), 0, 15) * a_scale

    b = Builder()
    t = b.node("Div", ["global_in", b.const("c255", 255.0)])
    for i, w in enumerate(weights):
        t = b.node("MatMul", [t, b.const(f"W{i}", w)])
        if i < 2:
            g_, be, m, v = bns[i]
            t = b.node("BatchNormalization", [t, b.const(f"gamma{i}", g_), b.const(f"beta{i}", be),
                                              b.const(f"mean{i}", m), b.const(f"var{i}", v)], epsilon=eps)
            t = b.node("Relu", [t])
            t = b.node("Quant", [t, b.const(f"a{i}_scale", a_scale), b.const(f"a{i}_zp", 0.0), b.const(f"a{i}_bits", 4.0)],
                       domain=QONNX, signed=0, narrow=0, rounding_mode="ROUND")
    _, idx = b.node("TopK", [t, b.const("k", [1], np.int64)], outputs=2, axis=-1)
    b.nodes[-1].output[1] = "global_out"
    inp = helper.make_tensor_value_info("global_in", TensorProto.FLOAT, [1, 784])
    out = helper.make_tensor_value_info("global_out", TensorProto.INT64, [1, 1])
    return b.model("mlp_inq_pow2", inp, out, domains=[QONNX]), [1, 784]


# ----------------------------------------------------------------------------- Brevitas 0.13 reproductions

TFC = [784, 64, 64, 64, 10]
CIFAR_MEAN, CIFAR_STD = [0.4914, 0.4822, 0.4465], [0.2470, 0.2435, 0.2616]


def tensor_norm(b, t, tn, scope):
    """Brevitas 0.13's TensorNorm as it exports: (x - mean) / Pow(var + eps, 0.5) * weight + bias,
    per tensor."""
    mean, var, weight, bias = tn
    t = b.node("Sub", [t, b.const(f"{scope}.running_mean", mean)], scope=scope)
    ve = b.node("Add", [b.const(f"{scope}.running_var", var), b.const(f"{scope}.eps", 1e-4)], scope=scope)
    pw = b.node("Pow", [ve, b.const(f"{scope}.half", 0.5)], scope=scope)
    t = b.node("Div", [t, pw], scope=scope)
    t = b.node("Mul", [t, b.const(f"{scope}.weight", weight)], scope=scope)
    return b.node("Add", [t, b.const(f"{scope}.bias", bias)], scope=scope)


def last_layer(rng, rows, cols):
    """A last QuantLinear with bias=True (PyTorch's default) and per-output-channel weight scales:
    its float scale and bias have no integer form and become the native model's epilogue."""
    w = signs(rng, rows, cols) * (0.05 + rng.random((rows, cols)))
    scale = (0.5 + rng.random((rows, 1))) * 2.0 ** -3
    bias = (rng.random(rows) - 0.5) * 2
    tn = (float(rng.random() * 4 - 2), float(20 + rng.random() * 10), 0.5 + float(rng.random()), float(rng.random() - 0.5))
    return w, scale, bias, tn


def emit_last_layer(b, t, layer, scope):
    w, scale, bias, tn = layer
    wq = b.node("BipolarQuant", [b.const(f"{scope}.weight", w), b.const(f"{scope}.scale", scale)], domain=BREVITAS, scope=scope)
    wt = b.node("Transpose", [wq], perm=[1, 0], scope=scope)
    t = b.node("MatMul", [t, wt], scope=scope)
    t = b.node("Add", [t, b.const(f"{scope}.bias", bias)], scope=scope)
    return tensor_norm(b, t, tn, "tensor_norm")


def tfc_w1a1_brevitas(rng, images):
    """brevitas_examples' TFC-W1A1 (784-64-64-64-10) as Brevitas 0.13 exports it with ToTensor's
    x/255 outside the graph: no Div, `2x - 1` and an 8-bit input Quant (scale 2^-7) inside."""
    eps = 1e-4
    x = images.astype(np.float64) / 255.0 * 2 - 1
    h = np.clip(np.round(x * 128), -128, 127) / 128
    hidden, bns = [], []
    for i in range(3):
        w = signs(rng, TFC[i + 1], TFC[i]) * (0.05 + rng.random((TFC[i + 1], TFC[i])))
        hidden.append(w)
        acc = h @ np.where(w >= 0, 1.0, -1.0).T
        p = bn_params(rng, acc)
        bns.append(p)
        h = np.where(bn_apply(acc, p, eps) >= 0, 1.0, -1.0)
    last = last_layer(rng, TFC[4], TFC[3])

    b = Builder(names="torch")
    shp = b.node("Shape", ["global_in"], scope="features")
    g0 = b.node("Gather", [shp, b.const("zero", 0, np.int64)], axis=0)
    u0 = b.node("Unsqueeze", [g0, b.const("axes0", [0], np.int64)])
    cat = b.node("Concat", [u0, b.const("minus1", [-1], np.int64)], axis=0)
    t = b.node("Reshape", ["global_in", cat])
    t = b.node("Mul", [t, b.const("two", 2.0)])
    t = b.node("Sub", [t, b.const("one", 1.0)])
    t = b.node("Quant", [t, b.const("in_scale", 2.0 ** -7), b.const("in_zp", 0.0), b.const("in_bits", 8.0)],
               domain=BREVITAS, signed=1, narrow=0, rounding_mode="ROUND", scope="features.0")
    for i, w in enumerate(hidden):
        sc = f"features.{4 * i + 1}"
        wq = b.node("BipolarQuant", [b.const(f"fc{i}.weight", w), b.const(f"fc{i}.scale", 1.0)], domain=BREVITAS, scope=sc)
        wt = b.node("Transpose", [wq], perm=[1, 0], scope=sc)
        t = b.node("MatMul", [t, wt], scope=sc)
        g_, be, m, v = bns[i]
        t = b.node("BatchNormalization", [t, b.const(f"bn{i}.weight", g_), b.const(f"bn{i}.bias", be),
                                          b.const(f"bn{i}.running_mean", m), b.const(f"bn{i}.running_var", v)],
                   epsilon=eps, scope=f"features.{4 * i + 2}")
        t = b.node("BipolarQuant", [t, b.const(f"act{i}.scale", 1.0)], domain=BREVITAS, scope=f"features.{4 * i + 3}")
    t = emit_last_layer(b, t, last, "features.13")
    b.nodes[-1].output[0] = "global_out"
    inp = helper.make_tensor_value_info("global_in", TensorProto.FLOAT, [1, 1, 28, 28])
    out = helper.make_tensor_value_info("global_out", TensorProto.FLOAT, [1, 10])
    return b.model("tfc_w1a1_brevitas", inp, out, domains=[BREVITAS]), [1, 1, 28, 28]


def cnn_rgb_nchw(rng, images):
    """A small binarized CNN on 3x32x32 NCHW images, trained (here: calibrated) on
    Normalize(CIFAR mean, std) of ToTensor's x/255, both outside the graph: an 8-bit input Quant
    (scale 2^-5), Conv 3x3 (3 -> 8) and Conv 3x3 (8 -> 8) with per-channel BipolarQuant weights,
    each followed by BatchNormalization, BipolarQuant and MaxPool 2x2, Flatten, MatMul 288 -> 32,
    BatchNormalization, BipolarQuant, the last layer with bias and per-channel scales, TensorNorm."""
    eps = 1e-4
    x = graph_input(images, (-1, 3, 32, 32), CNN_CONVENTION)
    h = np.clip(np.round(x * 32), -128, 127) / 32
    convs, bns = [], []
    for i, (cin, cout) in enumerate([(3, 8), (8, 8)]):
        w = signs(rng, cout, cin * 9).reshape(cout, cin, 3, 3) * (0.05 + rng.random((cout, cin, 3, 3)))
        scale = 2.0 ** rng.integers(-3, 1, size=(cout, 1, 1, 1))
        convs.append((w, scale))
        acc = conv2d(h, np.where(w >= 0, 1.0, -1.0) * scale, 1)
        p = bn_params(rng, channels_last(acc))
        bns.append(p)
        h = maxpool2d(np.where(bn_apply_map(acc, p, eps) >= 0, 1.0, -1.0), 2, 2)
    h = h.reshape(h.shape[0], -1)
    w_fc = signs(rng, 32, 288) * (0.05 + rng.random((32, 288)))
    acc = h @ np.where(w_fc >= 0, 1.0, -1.0).T
    p_fc = bn_params(rng, acc)
    last = last_layer(rng, 10, 32)

    b = Builder()
    t = b.node("Quant", ["global_in", b.const("in_scale", 2.0 ** -5), b.const("in_zp", 0.0), b.const("in_bits", 8.0)],
               domain=BREVITAS, signed=1, narrow=0, rounding_mode="ROUND")
    for i, (w, scale) in enumerate(convs):
        wq = b.node("BipolarQuant", [b.const(f"conv{i}.weight", w), b.const(f"conv{i}.scale", scale)], domain=BREVITAS)
        t = b.node("Conv", [t, wq], kernel_shape=[3, 3], strides=[1, 1], pads=[0, 0, 0, 0], dilations=[1, 1], group=1)
        g_, be, m, v = bns[i]
        t = b.node("BatchNormalization", [t, b.const(f"bn{i}.weight", g_), b.const(f"bn{i}.bias", be),
                                          b.const(f"bn{i}.running_mean", m), b.const(f"bn{i}.running_var", v)], epsilon=eps)
        t = b.node("BipolarQuant", [t, b.const(f"act{i}.scale", 1.0)], domain=BREVITAS)
        t = b.node("MaxPool", [t], kernel_shape=[2, 2], strides=[2, 2])
    t = b.node("Flatten", [t], axis=1)
    wq = b.node("BipolarQuant", [b.const("fc0.weight", w_fc), b.const("fc0.scale", 1.0)], domain=BREVITAS)
    t = b.node("MatMul", [t, b.node("Transpose", [wq], perm=[1, 0])])
    g_, be, m, v = p_fc
    t = b.node("BatchNormalization", [t, b.const("bn_fc.weight", g_), b.const("bn_fc.bias", be),
                                      b.const("bn_fc.running_mean", m), b.const("bn_fc.running_var", v)], epsilon=eps)
    t = b.node("BipolarQuant", [t, b.const("act_fc.scale", 1.0)], domain=BREVITAS)
    t = emit_last_layer(b, t, last, "fc1")
    b.nodes[-1].output[0] = "global_out"
    inp = helper.make_tensor_value_info("global_in", TensorProto.FLOAT, [1, 3, 32, 32])
    out = helper.make_tensor_value_info("global_out", TensorProto.FLOAT, [1, 10])
    return b.model("cnn_rgb_nchw", inp, out, domains=[BREVITAS]), [1, 3, 32, 32]


def neg_conv_pads(rng):
    b = Builder()
    t = b.node("Conv", ["global_in", b.const("K", signs(rng, 4, 9).reshape(4, 1, 3, 3))], kernel_shape=[3, 3],
               pads=[1, 1, 1, 1])
    t = b.node("Sign", [t])
    t = b.node("Flatten", [t], axis=1)
    t = b.node("MatMul", [t, b.const("W", signs(rng, 4 * 8 * 8, 10))])
    b.nodes[-1].output[0] = "global_out"
    inp = helper.make_tensor_value_info("global_in", TensorProto.FLOAT, [1, 1, 8, 8])
    out = helper.make_tensor_value_info("global_out", TensorProto.FLOAT, [1, 10])
    return b.model("neg_conv_pads", inp, out)


def neg_unknown_op(rng):
    b = Builder()
    t = b.node("MultiThreshold", ["global_in", b.const("thr", [[128.0]])], domain=QONNX, out_dtype="BIPOLAR",
               out_scale=2.0, out_bias=-1.0)
    t = b.node("MatMul", [t, b.const("W", signs(rng, 784, 10))])
    t = b.node("Softmax", [t], axis=-1)
    b.nodes[-1].output[0] = "global_out"
    inp = helper.make_tensor_value_info("global_in", TensorProto.FLOAT, [1, 784])
    out = helper.make_tensor_value_info("global_out", TensorProto.FLOAT, [1, 10])
    return b.model("neg_unknown_op", inp, out, domains=[QONNX])


def neg_float_weights(rng):
    b = Builder()
    t = b.node("BipolarQuant", ["global_in", b.const("s", 1.0)], domain=QONNX)
    t = b.node("MatMul", [t, b.const("W", rng.random((784, 10)) - 0.5)])
    b.nodes[-1].output[0] = "global_out"
    inp = helper.make_tensor_value_info("global_in", TensorProto.FLOAT, [1, 784])
    out = helper.make_tensor_value_info("global_out", TensorProto.FLOAT, [1, 10])
    return b.model("neg_float_weights", inp, out, domains=[QONNX])


# The conventions outside the graph: what `bitloom import --input-scale/--input-mean/--input-std` is told.
TFC_CONVENTION = {"scale": 1 / 255.0}
CNN_CONVENTION = {"scale": 1 / 255.0, "mean": CIFAR_MEAN, "std": CIFAR_STD}
CNN_IMAGES = "cnn_rgb_nchw.images.npy"

# name, builder, seed, input convention (None: the graph takes raw pixels), images (None: the
# MNIST digits), strict label check (float logits through an epilogue)
POSITIVE = [
    ("tfc_w1a1_qonnx", tfc_w1a1_qonnx, 1, None, None, False),
    ("tfc_w1a2_qonnx", tfc_w1a2_qonnx, 2, None, None, False),
    ("tfc_w1a1_finn", tfc_w1a1_finn, 3, None, None, False),
    ("tfc_w1a1_tidy", tfc_w1a1_tidy, 4, None, None, False),
    ("cnv_w1a1_qonnx", cnv_w1a1_qonnx, 5, None, None, False),
    ("mlp_w4a4_qonnx", mlp_w4a4_qonnx, 6, None, None, False),
    ("mlp_inq_pow2", mlp_inq_pow2, 7, None, None, False),
    ("tfc_w1a1_brevitas", tfc_w1a1_brevitas, 8, TFC_CONVENTION, None, True),
    ("cnn_rgb_nchw", cnn_rgb_nchw, 9, CNN_CONVENTION, CNN_IMAGES, True),
]


def convention_args(c):
    """The convention as the import options take it."""
    out = {"input_scale": "1/255" if c["scale"] == 1 / 255.0 else repr(c["scale"])}
    for k in ("mean", "std"):
        if k in c:
            out["input_" + k] = c[k]
    return out


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(root, "tests", "data", "onnx"))
    ap.add_argument("--images", default=os.path.join(root, "tests", "data", "mnist-images.idx.gz"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    images = load_idx_images(args.images)

    def write(name, model):
        with open(os.path.join(args.out, name + ".onnx"), "wb") as f:
            f.write(model.SerializeToString())

    # Seeded random 3x32x32 images in PyTorch's NCHW layout, for the NCHW CNN.
    rgb = np.random.default_rng(99).integers(0, 256, size=(12, 3, 32, 32), dtype=np.uint8)
    np.save(os.path.join(args.out, CNN_IMAGES), rgb)

    for name, make, seed, convention, image_file, strict in POSITIVE:
        imgs = rgb if image_file else images
        for attempt in range(20):
            rng = np.random.default_rng(1000 * seed + attempt)
            model, input_shape = make(rng, imgs)
            labels = predict(model, imgs, input_shape, convention, strict)
            if labels is not None:
                break
        else:
            sys.exit(f"{name}: no seed without rounding ties")
        write(name, model)
        expected = {
            "model": name + ".onnx",
            "images": "onnx/" + image_file if image_file else "mnist-images.idx.gz",
            "count": len(labels),
            "evaluated_by": "scripts/make_onnx.py (NumPy, float32)",
            "labels": labels,
        }
        if convention is not None:
            expected["convention"] = convention_args(convention)
        with open(os.path.join(args.out, name + ".expected.json"), "w") as f:
            json.dump(expected, f, indent=1)
            f.write("\n")
        print(f"{name}: seed attempt {attempt}, {len(set(labels))} distinct labels")

    rng = np.random.default_rng(7)
    write("neg_conv_pads", neg_conv_pads(rng))
    write("neg_unknown_op", neg_unknown_op(rng))
    write("neg_float_weights", neg_float_weights(rng))
    with open(os.path.join(args.out, "tfc_w1a1_finn.onnx"), "rb") as f:
        data = f.read()
    with open(os.path.join(args.out, "neg_truncated.onnx"), "wb") as f:
        f.write(data[: len(data) // 2])


if __name__ == "__main__":
    main()
