#!/usr/bin/env bash
# The main job on the bundled example: reference inference on real MNIST digits, compile to
# a folded dataflow design, and simulate it cycle-accurately, bit-exact against the reference.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo build --release --quiet
bin=target/release/bitloom
$bin infer examples/tfc-w1a1 --input tests/data/mnist-images.idx.gz --labels tests/data/mnist-labels.idx.gz
$bin compile examples/tfc-w1a1 -o build/tfc --target-ii 64
$bin sim build/tfc --input tests/data/mnist-images.idx.gz --limit 200 --stall 0.2
$bin sim build/tfc --input tests/data/mnist-images.idx.gz --limit 200
