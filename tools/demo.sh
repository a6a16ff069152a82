#!/usr/bin/env bash
# The README's first command: installs what rill needs, builds, runs the GRU
# demo (build in C++ -> run -> freeze -> gru.pb) and then runs gru.pb with the
# runner binary on the inputs the demo saved. Both print the same numbers.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/setup.sh
bazel build //examples:gru_demo //runtime:runner

echo "== 1. Build a GRU graph in C++, run it in a Session, freeze it, save gru.pb"
bazel-bin/examples/gru_demo --output_graph=gru.pb --input_dir=gru_inputs

echo
echo "== 2. Run the saved gru.pb with the runner"
bazel-bin/runtime/runner run --graph=gru.pb \
  --input=demo/x_0=gru_inputs/x_0.npy \
  --input=demo/x_1=gru_inputs/x_1.npy \
  --input=demo/x_2=gru_inputs/x_2.npy \
  --output=demo/rnn/gru_cell/add_2 --output_dir=gru_outputs

echo
echo "== 3. What is in gru.pb"
bazel-bin/runtime/runner inspect --graph=gru.pb --dot=gru.dot
