#!/bin/bash
# Smoke run of bench/rill_bench (no timing assertions): every benchmark on its
# smallest case with a tiny minimum time, the --peer_format lines (with a
# median over 2 repetitions), the .npy export checked against NumPy when
# numpy is installed, and a saved graph run by the runner.
set -euo pipefail

RUNFILES="${TEST_SRCDIR:-$0.runfiles}/rill"
BENCH="$RUNFILES/bench/rill_bench"
RUNNER="$RUNFILES/runtime/runner"
CHECK="$RUNFILES/bench/check_gru_numpy.py"
TMP="${TEST_TMPDIR:-$(mktemp -d)}"

SMALL='^BM_GruStep/1/128/128/1/|^BM_GruSeq100/1/128/128/1/|^BM_ExecutorChain1000|'
SMALL+='^BM_SessionRunFixedCost|^BM_ImportGraphDef10k|^BM_SessionCreateFirstRun/1/|'
SMALL+='^BM_RunnerColdStart/1/'

echo "== benchmarks (smallest cases)"
"$BENCH" --runner="$RUNNER" --work_dir="$TMP/work" --benchmark_min_time=0.001 \
  --benchmark_filter="$SMALL" | tee "$TMP/console.txt"
for name in BM_GruStep BM_GruSeq100 BM_ExecutorChain1000 BM_ImportGraphDef10k \
            BM_SessionCreateFirstRun BM_RunnerColdStart; do
  grep -q "^$name" "$TMP/console.txt" || { echo "FAIL: $name did not run"; exit 1; }
done
if grep -q 'ERROR OCCURRED' "$TMP/console.txt"; then echo "FAIL: a benchmark failed"; exit 1; fi

echo "== sgemm_bench (the GEMM choice)"
"$RUNFILES/bench/sgemm_bench" --benchmark_min_time=0.001 | tee "$TMP/sgemm.txt"
for name in 'BM_Sgemm/M:1/N:256/K:128/padded:0' 'BM_Sgemm/M:256/N:2048/K:1024/padded:1' \
            'BM_EigenGemm/M:64/N:1024/K:512'; do
  grep -q "^$name " "$TMP/sgemm.txt" || { echo "FAIL: $name did not run"; exit 1; }
done

echo "== --peer_format"
"$BENCH" --peer_format --runner="$RUNNER" --work_dir="$TMP/work" --benchmark_min_time=0.001 \
  --benchmark_repetitions=2 \
  --benchmark_filter='^BM_GruStep/1/128/128/2/|^BM_GruSeq100/1/128/128/2/|^BM_ExecutorChain1000|^BM_RunnerColdStart/1/' \
  2>"$TMP/peer_console.txt" | tee "$TMP/peer.txt"
grep -Eq '^peer=rill threads=2 case=b1_i128_h128 step_us=[0-9.]+ seq_T100_ms=[0-9.]+ ' "$TMP/peer.txt"
grep -Eq '^peer=rill threads=1 case=chain1000 us=[0-9.]+ ns_per_node=[0-9.]+' "$TMP/peer.txt"
grep -Eq '^peer=rill threads=1 case=runner_cold_b1_i128_h128_T100 ms=[0-9.]+ peak_rss_mb=[0-9.]+' \
  "$TMP/peer.txt"
if grep -q '^# rill error' "$TMP/peer.txt"; then echo "FAIL: error line"; exit 1; fi

echo "== --export_dir and the NumPy reference"
"$BENCH" --export_dir="$TMP/export" --export_cases=2x3x4
ls "$TMP/export/b2_i3_h4_T100_rill_out.npy" "$TMP/export/b2_i3_h4_T1_gates_kernel.npy" >/dev/null
if /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
  /usr/bin/python3 "$CHECK" "$TMP/export"
else
  echo "numpy not installed: skipped the NumPy comparison"
fi

echo "== --save_runner_case, then runner run"
"$BENCH" --save_runner_case=1x8x8 --save_dir="$TMP/saved"
mapfile -t ARGS <"$TMP/saved/runner_args.txt"
"$RUNNER" "${ARGS[@]}" >"$TMP/runner_out.txt"
grep -q 'rnn/gru_cell' "$TMP/runner_out.txt"
echo "PASS"
