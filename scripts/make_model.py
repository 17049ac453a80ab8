#!/usr/bin/env python3
"""Write a random binarized network as a bitloom model directory (docs/model-format.md).

Usage:
    python3 scripts/make_model.py OUT_DIR [--sizes 784,64,64,10] [--seed 0] [--name NAME]
                                  [--ternary] [--final-bipolar] [--input-threshold 128]
                                  [--input-shape 1,28,28] [--check FILE [--check-count 8]]

Needs numpy and safetensors (pip install numpy safetensors).

The layout matches bitloom's random_bnn: an input quantizer "in_quant" (one shared threshold,
bipolar output), then per hidden size "fcI" (binary dense) and "actI" (per-channel thresholds,
bipolar, or ternary -1/0/+1 with --ternary), then the last "fcI" with its raw accumulator as
output (or followed by a bipolar "out_act" with --final-bipolar). The values come from numpy's
generator, so they differ from the Rust generator's for the same seed.

This script is also an example of writing the format from Python: weights are int8 arrays of
+1/-1 with shape [out_features, in_features]; thresholds are int32 or int64 arrays of shape
[rows, k] (rows 1 = shared, or one per channel), sorted ascending along each row.

--check FILE also writes random uint8 inputs and the outputs of the last layer, computed here
with exact int64 arithmetic, as JSON {"inputs": [[...]], "outputs": [[...]]}: an independent
implementation of the semantics to compare the Rust reference executor against.
"""

import argparse
import json
import math
import os
import sys

try:
    import numpy as np
    from safetensors.numpy import save_file
except ImportError as e:  # pragma: no cover
    sys.exit(f"make_model.py needs numpy and safetensors ({e}); pip install numpy safetensors")


def ints(text):
    return [int(v) for v in text.split(",") if v.strip()]


def build(args):
    """Returns (model_json, tensors, layers) where layers drive the check computation."""
    rng = np.random.default_rng(args.seed)
    sizes = args.sizes
    tensors = {}
    layers_json = []
    layers = []

    def threshold(name, table, output, dtype):
        tname = f"{name}.thresholds"
        tensors[tname] = np.ascontiguousarray(table.astype(dtype))
        layers_json.append({"kind": "threshold", "name": name, "thresholds": tname, "output": output})
        layers.append(("threshold", table.astype(np.int64), output))

    threshold("in_quant", np.array([[args.input_threshold]]), "bipolar", np.int64)
    last = len(sizes) - 2
    for i in range(len(sizes) - 1):
        n_in, n_out = sizes[i], sizes[i + 1]
        w = np.where(rng.integers(0, 2, size=(n_out, n_in)) == 1, 1, -1).astype(np.int8)
        name = f"fc{i}"
        tensors[f"{name}.weight"] = w
        layers_json.append({"kind": "binary_dense", "name": name, "in_features": n_in,
                            "out_features": n_out, "weights": f"{name}.weight"})
        layers.append(("dense", w.astype(np.int64), None))
        spread = math.ceil(math.sqrt(n_in))
        if i < last and args.ternary:
            lo = rng.integers(-spread, 1, size=n_out)
            hi = rng.integers(0, spread + 1, size=n_out)
            threshold(f"act{i}", np.stack([lo, hi], axis=1), {"bias": -1}, np.int32)
        elif i < last or args.final_bipolar:
            t = rng.integers(-spread, spread + 1, size=(n_out, 1))
            threshold(f"act{i}" if i < last else "out_act", t, "bipolar", np.int32)

    shape = args.input_shape or [sizes[0]]
    if math.prod(shape) != sizes[0]:
        sys.exit(f"--input-shape {shape} does not hold {sizes[0]} elements")
    model = {
        "format": "bitloom-model",
        "version": 1,
        "name": args.name,
        "input": {"shape": shape, "dtype": "uint8"},
        "layers": layers_json,
    }
    return model, tensors, layers


def run(layers, x):
    """The exact integer semantics, in int64."""
    x = x.astype(np.int64)
    for kind, param, output in layers:
        if kind == "dense":
            x = param @ x
        else:
            table = param if param.shape[0] == len(x) else np.broadcast_to(param, (len(x), param.shape[1]))
            count = (x[:, None] >= table).sum(axis=1)
            x = np.where(count == 1, 1, -1) if output == "bipolar" else count + output["bias"]
    return x


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", help="model directory to write (created)")
    ap.add_argument("--sizes", type=ints, default=[784, 64, 64, 10], help="layer sizes, input first")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--name", default="random-bnn")
    ap.add_argument("--ternary", action="store_true", help="ternary hidden activations")
    ap.add_argument("--final-bipolar", action="store_true", help="bipolar threshold after the last layer")
    ap.add_argument("--input-threshold", type=int, default=128)
    ap.add_argument("--input-shape", type=ints, default=None, help="e.g. 1,28,28 (default: flat)")
    ap.add_argument("--check", help="also write test inputs and expected outputs to this JSON file")
    ap.add_argument("--check-count", type=int, default=8)
    args = ap.parse_args()
    if len(args.sizes) < 2 or min(args.sizes) < 1:
        sys.exit("--sizes needs at least two positive sizes")

    model, tensors, layers = build(args)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "model.json"), "w", encoding="utf-8") as f:
        json.dump(model, f, indent=2)
        f.write("\n")
    save_file(tensors, os.path.join(args.out, "weights.safetensors"))

    if args.check:
        rng = np.random.default_rng(args.seed + 1)
        inputs = rng.integers(0, 256, size=(args.check_count, args.sizes[0]), dtype=np.int64)
        outputs = [run(layers, x).tolist() for x in inputs]
        with open(args.check, "w", encoding="utf-8") as f:
            json.dump({"inputs": inputs.tolist(), "outputs": outputs}, f)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
