#!/usr/bin/env bash
# End-to-end test of the `runner` binary (runtime/runner_main.cc) as a
# process: printed values, --output_dir files checked with numpy, run with a
# checkpoint, bench output, inspect output, and the exit-code /
# one-line-stderr contract for every error kind.
set -uo pipefail

RUNFILES="${RUNFILES_DIR:-${TEST_SRCDIR:-$0.runfiles}}/${TEST_WORKSPACE:-rill}"
RUNNER="$RUNFILES/runtime/runner"
MAKE_FIXTURE="$RUNFILES/tests/make_checkpoint_fixture"
DATA="$RUNFILES/tests/testdata"
TMP="${TEST_TMPDIR:-$(mktemp -d)}/runner_cli_test"
rm -rf "$TMP" && mkdir -p "$TMP"
# tools/setup.sh installs python3-numpy for /usr/bin/python3; a python3 found
# first on PATH (pyenv, venv) may lack numpy.
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON=python3

failures=0
checks=0
OUT="$TMP/stdout"
ERR="$TMP/stderr"

fail() {
  echo "FAIL: $*"
  echo "  stdout: $(head -c 2000 "$OUT" 2>/dev/null)"
  echo "  stderr: $(head -c 2000 "$ERR" 2>/dev/null)"
  failures=$((failures + 1))
}

# run_runner ARGS...: runs the runner, leaving stdout/stderr in $OUT/$ERR and
# the exit code in $RC.
run_runner() {
  "$RUNNER" "$@" >"$OUT" 2>"$ERR"
  RC=$?
}

# expect_ok DESCRIPTION ARGS...
expect_ok() {
  local what="$1"
  shift
  checks=$((checks + 1))
  run_runner "$@"
  if [ "$RC" -ne 0 ]; then fail "$what: exit $RC, want 0"; return 1; fi
  if [ -s "$ERR" ]; then fail "$what: unexpected stderr"; return 1; fi
  return 0
}

# expect_stdout DESCRIPTION SUBSTRING: the last run printed SUBSTRING.
expect_stdout() {
  checks=$((checks + 1))
  grep -qF -- "$2" "$OUT" || fail "$1: stdout lacks '$2'"
}

# expect_error DESCRIPTION CODE SUBSTRING ARGS...: exit CODE, empty stdout,
# stderr exactly one line starting "error: " and containing SUBSTRING.
expect_error() {
  local what="$1" code="$2" substr="$3"
  shift 3
  checks=$((checks + 1))
  run_runner "$@"
  if [ "$RC" -ne "$code" ]; then fail "$what: exit $RC, want $code"; return; fi
  if [ -s "$OUT" ]; then fail "$what: unexpected stdout"; return; fi
  if [ "$(wc -l <"$ERR")" -ne 1 ]; then fail "$what: stderr is not one line"; return; fi
  if [ "$(grep -c '^error: ' "$ERR")" -ne 1 ]; then fail "$what: no 'error: ' line"; return; fi
  grep -qF -- "$substr" "$ERR" || fail "$what: stderr lacks '$substr'"
}

# expect_npy DESCRIPTION FILE PYTHON_EXPR: np.load(FILE) equals PYTHON_EXPR
# (exact dtype, shape and values; `np` and `d` = the testdata folder in scope).
expect_npy() {
  checks=$((checks + 1))
  if [ ! -f "$2" ]; then fail "$1: $2 does not exist"; return; fi
  "$PYTHON" - "$2" "$DATA" "$3" <<'EOF' || fail "$1: $2 differs from $3"
import os, sys
import numpy as np
path, d, expr = sys.argv[1], sys.argv[2], sys.argv[3]
got = np.load(path)
want = eval(expr, {"np": np, "d": d, "os": os})
ok = got.dtype == want.dtype and got.shape == want.shape and np.array_equal(got, want)
if not ok:
    print("got", got.dtype, got.shape, got, "want", want.dtype, want.shape, want)
sys.exit(0 if ok else 1)
EOF
}

ADD="$DATA/add.pbtxt"
MATMUL="$DATA/matmul.pbtxt"
X="$DATA/add_x.npy"
Y="$DATA/add_y.npy"

# --- help -------------------------------------------------------------------
if expect_ok "--help" --help; then
  expect_stdout "--help" "Usage:"
  expect_stdout "--help" "--graph"
  expect_stdout "--help" "runner inspect"
  expect_stdout "--help" "runner bench"
  expect_stdout "--help" "--input_shape=x=1,128:h=1,64"
  expect_stdout "--help" "--checkpoint"
fi
expect_ok "help subcommand" help && expect_stdout "help subcommand" "Usage:"

# --- run: printed values and --output_dir files -----------------------------
if expect_ok "add with repeated --input" run --graph="$ADD" --input="x=$X" --input "y=$Y" \
    --output=z --output_dir="$TMP/out/nested"; then
  expect_stdout "add" "z:0"
  expect_stdout "add" "dtype: float"
  expect_stdout "add" "shape: [2,3]"
  expect_stdout "add" "values: [11, 22, 33, 14, 25, 36]"
  expect_npy "add output file" "$TMP/out/nested/z_0.npy" \
    "np.load(os.path.join(d, 'add_x.npy')) + np.load(os.path.join(d, 'add_y.npy'))"
fi
cp "$OUT" "$TMP/repeated.txt"
if expect_ok "add with comma-separated --input" run --graph "$ADD" --output z:0 \
    --input="y=$Y,x=$X" --threads=2 --inter_op_threads=2; then
  checks=$((checks + 1))
  cmp -s "$OUT" "$TMP/repeated.txt" || fail "comma-separated and repeated --input differ"
fi

# add.pb is add.pbtxt in binary form, made with
#   protoc --encode=rill.pb.GraphDef -I . proto/graph.proto \
#     < tests/testdata/add.pbtxt > tests/testdata/add.pb
if expect_ok "binary GraphDef" run --graph="$DATA/add.pb" --input="x=$X,y=$Y" --output=z; then
  checks=$((checks + 1))
  cmp -s "$OUT" "$TMP/repeated.txt" || fail "binary and text GraphDefs print different outputs"
fi

if expect_ok "matmul" run --graph="$MATMUL" --input="a=$DATA/matmul_a.npy" \
    --output=rnn/gru_cell/add,dense/MatMul:0 --output_dir="$TMP/out"; then
  expect_stdout "matmul" "rnn/gru_cell/add:0"
  expect_stdout "matmul" "shape: [3,2]"
  expect_stdout "matmul" "values: [1.5, 2.5, 3.5, 4.5, 11.5, 16.5]"
  expect_stdout "matmul" "values: [1, 2, 3, 4, 11, 16]"
  expect_npy "matmul output file" "$TMP/out/rnn_gru_cell_add_0.npy" \
    "np.load(os.path.join(d, 'matmul_a.npy')) @ np.array([[1, 2], [3, 4]], np.float32) + np.float32(0.5)"
  expect_npy "matmul second output" "$TMP/out/dense_MatMul_0.npy" \
    "np.load(os.path.join(d, 'matmul_a.npy')) @ np.array([[1, 2], [3, 4]], np.float32)"
fi

if expect_ok "75 values" run --graph="$ADD" --input="x=$DATA/big_x.npy,y=$Y" --output=z; then
  expect_stdout "75 values" "shape: [25,3]"
  expect_stdout "75 values" "values: [10, 21, 32, 13, 24, 35, 16, 27, 38, 19, ..., 82, 93, 104] (75 values)"
fi

# --- usage errors: exit 2 ---------------------------------------------------
expect_error "no arguments" 2 "missing subcommand"
expect_error "unknown subcommand" 2 "unknown subcommand 'walk'" walk --graph="$ADD"
expect_error "missing --graph" 2 "missing --graph" run --output=z
expect_error "missing --graph (inspect)" 2 "missing --graph" inspect
expect_error "missing --output" 2 "missing --output" run --graph="$ADD"
expect_error "malformed --input" 2 "malformed --input 'x'" run --graph="$ADD" --output=z --input=x
expect_error "malformed --input (no name)" 2 "malformed --input" \
  run --graph="$ADD" --output=z --input="=$X"
expect_error "duplicate --input" 2 "twice" run --graph="$ADD" --output=z --input="x=$X" --input="x:0=$X"
expect_error "unknown flag" 2 "unknown flag --foo" run --graph="$ADD" --output=z --foo=1
expect_error "absl-only flag" 2 "unknown flag --flagfile" run --flagfile=/dev/null
expect_error "flag without value" 2 "missing its value" run --output=z --graph
expect_error "bad --threads" 2 "--threads" run --graph="$ADD" --output=z --threads=abc
expect_error "zero --threads" 2 "--threads must be at least 1" run --graph="$ADD" --output=z --threads=0
expect_error "zero --inter_op_threads" 2 "--inter_op_threads must be at least 1" \
  bench --graph="$ADD" --inter_op_threads=0
expect_error "too many --inter_op_threads" 1 "inter_op_threads must be in [1, 1024], got 5000" \
  run --graph="$ADD" --output=z --inter_op_threads=5000
expect_error "flag of the other subcommand" 2 "not valid for 'inspect'" inspect --graph="$ADD" --output=z
expect_error "extra argument" 2 "unexpected argument 'more'" run more --graph="$ADD" --output=z
expect_error "empty --output item" 2 "malformed --output" run --graph="$ADD" --output=z,

# --- graph/input/run errors: exit 1 -----------------------------------------
printf '\377\377\377\377' >"$TMP/garbage.pb"
printf 'not a numpy file' >"$TMP/garbage.npy"
expect_error "missing graph file" 1 "nope.pb" run --graph="$TMP/nope.pb" --output=z
expect_error "malformed graph bytes" 1 "garbage.pb" run --graph="$TMP/garbage.pb" --output=z
expect_error "unknown op" 1 "FancyNewOp" run --graph="$DATA/unknown_op.pbtxt" --output=w
expect_error "missing feed" 1 "You must feed a value for placeholder tensor 'x'" \
  run --graph="$ADD" --output=z --input="y=$Y"
expect_error "bad npy" 1 "npy: bad magic" run --graph="$ADD" --output=z --input="x=$TMP/garbage.npy,y=$Y"
expect_error "unsupported npy dtype" 1 "unsupported dtype '|u1'" \
  run --graph="$ADD" --output=z --input="x=$DATA/np_u1.npy,y=$Y"
expect_error "missing npy" 1 "nope.npy" run --graph="$ADD" --output=z --input="x=$TMP/nope.npy,y=$Y"
expect_error "wrong feed shape" 1 "Cannot feed value of shape" \
  run --graph="$ADD" --output=z --input="x=$DATA/add_x_bad_shape.npy,y=$Y"
expect_error "wrong feed dtype" 1 "Cannot feed value of dtype double" \
  run --graph="$ADD" --output=z --input="x=$DATA/add_x_f64.npy,y=$Y"
expect_error "unknown fetch" 1 "'q'" run --graph="$ADD" --output=q --input="x=$X,y=$Y"
touch "$TMP/a_file"
expect_error "output_dir is a file" 1 "a_file" \
  run --graph="$ADD" --output=z --input="x=$X,y=$Y" --output_dir="$TMP/a_file"

# --- run --checkpoint: a non-frozen graph with restored variables -----------
# var.pbtxt: y = x @ w, w initialized to zeros by its init op; var.ckpt holds
# w = [[1, 2], [3, 4]]; var_x.npy is [[1, 1]].
FIX="$TMP/fixture"
mkdir -p "$FIX"
checks=$((checks + 1))
"$MAKE_FIXTURE" "$FIX" >"$OUT" 2>"$ERR" || fail "make_checkpoint_fixture failed"
VAR="$FIX/var.pbtxt"
CKPT="$FIX/var.ckpt"
if expect_ok "run --checkpoint" run --graph="$VAR" --checkpoint="$CKPT" \
    --input="x=$FIX/var_x.npy" --output=y; then
  expect_stdout "run --checkpoint" "y:0"
  expect_stdout "run --checkpoint" "values: [4, 6]"
fi
expect_error "non-frozen graph without --checkpoint" 1 "Attempting to use uninitialized value w" \
  run --graph="$VAR" --input="x=$FIX/var_x.npy" --output=y
# corrupt FILE: flips every bit of the middle byte.
corrupt() {
  "$PYTHON" -c 'import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[len(b) // 2] ^= 0xFF
open(p, "wb").write(bytes(b))' "$1"
}
cp "$CKPT" "$TMP/corrupt.ckpt" && corrupt "$TMP/corrupt.ckpt"
head -c 30 "$CKPT" >"$TMP/truncated.ckpt"
expect_error "corrupted checkpoint" 1 "corrupt.ckpt' is corrupted: checksum mismatch" \
  run --graph="$VAR" --checkpoint="$TMP/corrupt.ckpt" --input="x=$FIX/var_x.npy" --output=y
expect_error "truncated checkpoint" 1 "truncated.ckpt' is truncated" \
  run --graph="$VAR" --checkpoint="$TMP/truncated.ckpt" --input="x=$FIX/var_x.npy" --output=y
expect_error "not a checkpoint" 1 "is not a rill checkpoint" \
  run --graph="$VAR" --checkpoint="$ADD" --input="x=$FIX/var_x.npy" --output=y
expect_error "missing checkpoint" 1 "nope.ckpt" \
  run --graph="$VAR" --checkpoint="$TMP/nope.ckpt" --input="x=$FIX/var_x.npy" --output=y
expect_error "checkpoint of another graph" 1 "has tensor 'w', which is not a variable" \
  run --graph="$ADD" --checkpoint="$CKPT" --input="x=$X,y=$Y" --output=z
expect_error "--checkpoint with inspect" 2 "not valid for 'inspect'" \
  inspect --graph="$VAR" --checkpoint="$CKPT"

# --- bench ------------------------------------------------------------------
# expect_bench_report DESCRIPTION [RUNS]: the report lines, ending with
# median_ms.
expect_bench_report() {
  expect_stdout "$1" "timed runs: ${2:+$2 (total }"
  for line in "min: " "median: " "p90: " "max: " "runs/s: "; do
    expect_stdout "$1" "$line"
  done
  checks=$((checks + 1))
  tail -n 1 "$OUT" | grep -Eqx 'median_ms=[0-9]+\.[0-9]+' || fail "$1: last line is not median_ms=<number>"
}
if expect_ok "bench add" bench --graph="$ADD" --input_shape=x=4,3 --runs=7 --warmup=1; then
  expect_bench_report "bench add" 7
  expect_stdout "bench add" "feed x:0: float [4,3] random"
  expect_stdout "bench add" "feed y:0: float [3] random"
  expect_stdout "bench add" "fetch: z:0"
  expect_stdout "bench add" "warmup runs: 1"
fi
if expect_ok "bench with ':' specs and --min_time" bench --graph "$ADD" \
    --input_shape=x:0=2,3:y=3 --min_time=0.02 --output=z --threads=2 --inter_op_threads=3; then
  expect_bench_report "bench --min_time"
  expect_stdout "bench --min_time" "fetch: z:0"
  expect_stdout "bench --min_time" "threads: 2, inter-op threads: 3"
fi
if expect_ok "bench with a file input" bench --graph="$ADD" --input="x=$X" --show_ops=false; then
  expect_bench_report "bench with a file input" 50
  expect_stdout "bench with a file input" "feed x:0: float [2,3] from $X"
fi
if expect_ok "bench --show_ops" bench --graph="$ADD" --input_shape=x=1,3 --show_ops --runs=4; then
  expect_bench_report "bench --show_ops" 4
  expect_stdout "bench --show_ops" "op (per run)"
  expect_stdout "bench --show_ops" "AddV2"
fi
if expect_ok "bench --checkpoint" bench --graph="$VAR" --checkpoint="$CKPT" \
    --input_shape=x=8,2 --runs=3; then
  expect_bench_report "bench --checkpoint" 3
  expect_stdout "bench --checkpoint" "fetch: y:0"
fi
# Usage errors: exit 2.
expect_error "bench missing --graph" 2 "missing --graph" bench --input_shape=x=1,3
expect_error "bench malformed --input_shape" 2 "malformed --input_shape 'x=1,a'" \
  bench --graph="$ADD" --input_shape=x=1,a
expect_error "bench --input_shape without =" 2 "malformed --input_shape" \
  bench --graph="$ADD" --input_shape=x
expect_error "bench --input_shape twice" 2 "twice" bench --graph="$ADD" --input_shape=x=1,3:x:0=2,3
expect_error "bench --input and --input_shape" 2 "both --input and --input_shape" \
  bench --graph="$ADD" --input="x=$X" --input_shape=x=2,3
expect_error "bench --runs=0" 2 "--runs must be at least 1" bench --graph="$ADD" --runs=0
expect_error "bench --runs=abc" 2 "--runs" bench --graph="$ADD" --runs=abc
expect_error "bench --warmup=-1" 2 "--warmup must be at least 0" bench --graph="$ADD" --warmup=-1
expect_error "bench --min_time=0" 2 "--min_time must be more than 0" bench --graph="$ADD" --min_time=0
expect_error "bench --runs and --min_time" 2 "not both" bench --graph="$ADD" --runs=3 --min_time=1
expect_error "bench unknown flag" 2 "unknown flag --foo" bench --graph="$ADD" --foo=1
expect_error "bench --output_dir" 2 "not valid for 'bench'" bench --graph="$ADD" --output_dir="$TMP"
expect_error "bench unknown placeholder shape" 2 "placeholder 'x' has shape [?,3]; give --input_shape=x=" \
  bench --graph="$ADD"
# Graph and run errors: exit 1.
expect_error "bench corrupted checkpoint" 1 "checksum mismatch" \
  bench --graph="$VAR" --checkpoint="$TMP/corrupt.ckpt" --input_shape=x=1,2
expect_error "bench unknown --input_shape tensor" 1 "'q:0'" bench --graph="$ADD" --input_shape=q=1,3
expect_error "bench wrong shape" 1 "Cannot feed value of shape" bench --graph="$ADD" --input_shape=x=2,4
expect_error "bench missing graph" 1 "nope.pb" bench --graph="$TMP/nope.pb"

# --- inspect ----------------------------------------------------------------
if expect_ok "inspect add" inspect --graph="$ADD" --dot="$TMP/add.dot"; then
  expect_stdout "inspect add" "Nodes: 3"
  expect_stdout "inspect add" "Op types used: 2 Placeholder, 1 AddV2"
  expect_stdout "inspect add" "Found 2 possible inputs: x (float, [?,3]), y (float, [3])"
  expect_stdout "inspect add" "Found 1 possible outputs: z (AddV2)"
  expect_stdout "inspect add" "Control edges: 0"
  expect_stdout "inspect add" "Runnable by rill: yes"
  checks=$((checks + 1))
  head -c 7 "$TMP/add.dot" | grep -q '^digraph' || fail "inspect --dot: file does not start with digraph"
  checks=$((checks + 1))
  grep -qF '"x" -> "z" [label="[?,3]"];' "$TMP/add.dot" || fail "inspect --dot: no labelled x -> z edge"
fi
if expect_ok "inspect matmul" inspect --graph "$MATMUL"; then
  expect_stdout "inspect matmul" "Op types used: 2 Const, 1 AddV2, 1 MatMul, 1 Placeholder"
  expect_stdout "inspect matmul" "Found 1 possible inputs: a (float, [?,2])"
  expect_stdout "inspect matmul" "Found 1 possible outputs: rnn/gru_cell/add (AddV2)"
  expect_stdout "inspect matmul" "Const parameters: 6 elements, 24 bytes"
fi
if expect_ok "inspect unknown op" inspect --graph="$DATA/unknown_op.pbtxt" --dot="$TMP/u.dot"; then
  expect_stdout "inspect unknown op" "Runnable by rill: no ("
  expect_stdout "inspect unknown op" "1 FancyNewOp"
  checks=$((checks + 1))
  [ -f "$TMP/u.dot" ] || fail "inspect unknown op: no DOT file"
fi
expect_error "inspect missing graph" 1 "nope.pb" inspect --graph="$TMP/nope.pb"
expect_error "inspect malformed graph" 1 "garbage.pb" inspect --graph="$TMP/garbage.pb"

echo "$checks checks, $failures failures"
[ "$failures" -eq 0 ]
