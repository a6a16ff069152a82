#!/usr/bin/env bash
# The demo end to end: gru_demo builds, runs, freezes and saves a GRU; the
# runner must print the same output values from the saved file.
set -euo pipefail
demo="$TEST_SRCDIR/$TEST_WORKSPACE/examples/gru_demo"
runner="$TEST_SRCDIR/$TEST_WORKSPACE/runtime/runner"
dir="$TEST_TMPDIR/demo"
mkdir -p "$dir"
"$demo" --output_graph="$dir/gru.pb" --input_dir="$dir/in" > "$dir/demo.out"
session_values=$(grep -m1 'values:' "$dir/demo.out")
"$runner" run --graph="$dir/gru.pb" --input=demo/x_0="$dir/in/x_0.npy" \
  --input=demo/x_1="$dir/in/x_1.npy" --input=demo/x_2="$dir/in/x_2.npy" \
  --output=demo/rnn/gru_cell/add_2 > "$dir/runner.out"
runner_values=$(grep -m1 'values:' "$dir/runner.out")
if [ -z "$session_values" ] || [ "$session_values" != "$runner_values" ]; then
  echo "FAIL: session printed '$session_values', runner printed '$runner_values'"
  exit 1
fi
grep -q "Converted 4 variables to const ops" "$dir/demo.out" || { echo "FAIL: no freeze"; exit 1; }
echo "PASS: $runner_values"
