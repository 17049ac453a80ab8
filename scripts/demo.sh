#!/usr/bin/env bash
# The main job on the bundled examples (the binary tfc-w1a1, then the QIL 4-bit mlp-qil4), each the
# whole way to a board: reference inference on real
# MNIST digits; compile for the iCEBreaker (PLL-free 12 MHz clock, UART link, the fastest folding
# that fits its block RAM); a bit-exact cycle-accurate simulation with and without back-pressure;
# the bitstream (yosys + nextpnr-ice40 + icepack); then the host driver against the virtual board
# (the simulated board top level behind a pseudo-terminal), every output checked.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo build --release --quiet
bin=target/release/bitloom
images=tests/data/mnist-images.idx.gz
labels=tests/data/mnist-labels.idx.gz
board=""
log=$(mktemp)
trap '[ -n "$board" ] && kill $board 2>/dev/null; rm -f "$log"' EXIT

# whole_way EXAMPLE BUILD: one example from the reference executor to the virtual board.
whole_way() {
    local model=$1 build=$2
    echo "== $model"
    $bin infer "$model" --input $images --labels $labels
    $bin compile "$model" -o "$build" --board icebreaker
    $bin sim "$build" --input $images --limit 200 --stall 0.2
    $bin sim "$build" --input $images --limit 200
    $bin synth "$build"
    $bin flash "$build" --dry-run || true   # with a board plugged in: bitloom flash BUILD

    # The virtual board prints its pseudo-terminal's path as its first line, then serves until stopped.
    $bin board "$build" >"$log" &
    board=$!
    local port=""
    for _ in $(seq 3000); do
        port=$(grep -m1 '^/dev/' "$log" || true)
        [ -n "$port" ] && break
        kill -0 $board 2>/dev/null || { echo "the virtual board stopped" >&2; exit 1; }
        sleep 0.1
    done
    [ -n "$port" ] || { echo "the virtual board did not start within 300 s" >&2; exit 1; }
    $bin run "$build" --port "$port" --input $images --labels $labels --limit 20 --check
    kill $board 2>/dev/null || true
    wait $board 2>/dev/null || true
    board=""
}

whole_way examples/tfc-w1a1 build/tfc
whole_way examples/mlp-qil4 build/qil4
