#!/bin/bash
# Runs rill's benchmarks and the GRU peers of ../shared/peers in one session,
# one program at a time, interleaved per case, and writes bench/RESULTS.md.
#
#   bench/compare.sh                      # all 4 cases, threads 1 and 2
#   bench/compare.sh --quick              # smallest case, 1 thread, few reps (smoke)
#   bench/compare.sh --cases=1x128x128,32x256x256 --threads=1 --rounds=2
#
# Flags:
#   --quick            case 1x128x128, threads 1, 2 repetitions, short min time
#   --cases=BxIxH,...  GRU cases (default: the peers' four)
#   --threads=1,2      thread counts (default 1,2)
#   --rounds=N         repeat the interleaved loop N times; each cell keeps the
#                      fastest round, and a dagger marks rounds >15% apart (default 1)
#   --wait_quiet=SEC   first wait until the CPUs have been idle (<10% busy)
#                      for 60 s, giving up after SEC seconds (default 0: don't wait)
#   --no_install       never call apt-get
#   --ort              also run onnxruntime-node (npm; skipped when unavailable)
#   --rill_bench=PATH --runner=PATH   use prebuilt binaries instead of bazel
#   --output=FILE      where to write the report (default bench/RESULTS.md)
#   --note=TEXT        a line of context to put into the report
#
# Numerical agreement is checked first: rill's GRU step and T=100 graphs on
# two small cases are exported with their weights and inputs as .npy and
# compared with a float64 NumPy reference (bench/check_gru_numpy.py). The
# peers use their own random weights, so they are compared on time only.
set -uo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PEERS="$(cd "$ROOT/../shared/peers" 2>/dev/null && pwd || echo "$ROOT/../shared/peers")"
PY=/usr/bin/python3
COMMAND="bench/compare.sh $*"
CASES="1x128x128,32x256x256,64x512x512,256x1024x1024"
THREADS="1,2"
ROUNDS=1 WAIT_QUIET=0 INSTALL=1 ORT=0 QUICK=0
RILL_BENCH="" RUNNER="" OUTPUT="$ROOT/bench/RESULTS.md" NOTE=""
for arg in "$@"; do
  case "$arg" in
    --quick) QUICK=1; CASES="1x128x128"; THREADS="1" ;;
    --cases=*) CASES="${arg#*=}" ;;
    --threads=*) THREADS="${arg#*=}" ;;
    --rounds=*) ROUNDS="${arg#*=}" ;;
    --wait_quiet=*) WAIT_QUIET="${arg#*=}" ;;
    --no_install) INSTALL=0 ;;
    --ort) ORT=1 ;;
    --rill_bench=*) RILL_BENCH="${arg#*=}" ;;
    --runner=*) RUNNER="${arg#*=}" ;;
    --output=*) OUTPUT="${arg#*=}" ;;
    --note=*) NOTE="${arg#*=}" ;;
    -h|--help) sed -n '2,28p' "$0"; exit 0 ;;
    *) echo "compare.sh: unknown flag $arg (see --help)" >&2; exit 2 ;;
  esac
done
IFS=, read -r -a CASE_LIST <<<"$CASES"
IFS=, read -r -a THREAD_LIST <<<"$THREADS"

OUT=$(mktemp -d /tmp/rill_compare.XXXXXX)
LINES="$OUT/lines.txt" META="$OUT/meta.txt" LOG="$OUT/log.txt"
: >"$LINES"; : >"$META"
log() { echo "[$(date +%T)] $*" | tee -a "$LOG" >&2; }
meta() { echo "$1=$2" >>"$META"; }
echo "compare.sh: scratch and logs in $OUT" >&2

# --- 1. Peer packages -------------------------------------------------------
PKGS="g++ libopenblas-dev libopenblas0-pthread libeigen3-dev libdnnl-dev python3-torch python3-numpy python3-onnx time"
missing=""
for p in $PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing+=" $p"; done
if [[ -n "$missing" ]]; then
  if [[ $INSTALL == 1 && $(id -u) == 0 ]]; then
    log "installing:$missing"
    { apt-get -o DPkg::Lock::Timeout=900 update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=900 $missing; } \
      >>"$LOG" 2>&1 || log "apt-get failed; peers whose packages are missing are skipped"
  else
    log "missing packages:$missing (not installing); those peers are skipped"
  fi
fi

# --- 2. Build the peers and rill --------------------------------------------
declare -A PEER_CMD=()
build_peer() {  # name, build command...
  local name=$1; shift
  if "$@" >>"$LOG" 2>&1; then PEER_CMD[$name]=1; else log "build of $name failed: skipped"; fi
}
build_peer openblas_gru gcc -O3 -march=native -ffast-math -o "$OUT/openblas_gru" \
  "$PEERS/openblas_gru.c" -lopenblas -lm
build_peer eigen_gru g++ -O3 -march=native -fopenmp -DNDEBUG -I/usr/include/eigen3 \
  -o "$OUT/eigen_gru" "$PEERS/eigen_gru.cpp"
build_peer onednn_gru g++ -O3 -march=native -fopenmp -o "$OUT/onednn_gru" \
  "$PEERS/onednn_gru.cpp" -ldnnl
if $PY -c 'import torch' >/dev/null 2>&1; then PEER_CMD[torch_gru]=1; else log "no torch: skipped"; fi
if [[ $ORT == 1 ]]; then
  if (mkdir -p "$OUT/ortnode" && cd "$OUT/ortnode" && npm init -y >/dev/null &&
      timeout 600 npm install --ignore-scripts onnxruntime-node &&
      $PY "$PEERS/make_gru_onnx.py" "$OUT/onnx_models") >>"$LOG" 2>&1; then
    PEER_CMD[ort_gru]=1
  else
    log "onnxruntime-node unavailable: skipped"
  fi
fi
if [[ -z "$RILL_BENCH" ]]; then
  log "bazel build //bench:rill_bench //runtime:runner"
  (cd "$ROOT" && bazel build //bench:rill_bench //runtime:runner) >>"$LOG" 2>&1 ||
    { log "bazel build failed (see $LOG)"; exit 1; }
  # Private copies: others may rebuild bazel-bin while this runs.
  mkdir -p "$OUT/bin"
  cp -L "$ROOT/bazel-bin/bench/rill_bench" "$ROOT/bazel-bin/runtime/runner" "$OUT/bin/"
  RILL_BENCH="$OUT/bin/rill_bench" RUNNER="$OUT/bin/runner"
  meta rill_rev "$(cd "$ROOT" && git rev-parse --short HEAD) + $(cd "$ROOT" &&
    git status --short -- . ':!bench' | wc -l) uncommitted files outside bench/ (diff sha1 $(cd "$ROOT" &&
    git diff -- . ':!bench' | sha1sum | cut -c1-8)) at build time $(date -u +%H:%M)"
fi
[[ -n "$RUNNER" ]] || RUNNER="$(dirname "$RILL_BENCH")/../runtime/runner"
log "peers: ${!PEER_CMD[*]}; rill: $RILL_BENCH"

# --- 3. Numerical agreement (before any timing) -----------------------------
"$RILL_BENCH" --export_dir="$OUT/export" --export_cases=1x128x128,32x256x256 >"$OUT/export.txt" 2>&1
if $PY "$ROOT/bench/check_gru_numpy.py" "$OUT/export" >"$OUT/numpy_check.txt" 2>&1; then
  meta agree yes
else
  meta agree no
fi
cat "$OUT/export.txt" "$OUT/numpy_check.txt" >>"$LOG"
meta numpy_check "$(grep '^numpy_check all' "$OUT/numpy_check.txt" || tail -1 "$OUT/numpy_check.txt")"
meta selfcheck_max "$(awk -F'max_abs_diff=' '/^rill_selfcheck/ {if ($2 > m) m = $2} END {print m}' "$OUT/export.txt")"
log "numbers agree: $(grep '^agree=' "$META" | cut -d= -f2)"

# --- 4. Machine state -------------------------------------------------------
busy_jiffies() { awk '/^cpu / {print $2+$3+$4+$7+$8+$9, $5+$6}' /proc/stat; }
cpu_busy_pct() {  # over $1 seconds
  local a b; read -r a ai < <(busy_jiffies); sleep "$1"; read -r b bi < <(busy_jiffies)
  echo $(( 100 * (b - a) / ((b - a) + (bi - ai) + 1) ))
}
if [[ $WAIT_QUIET -gt 0 ]]; then
  log "waiting for 60 s of idle CPUs (at most $WAIT_QUIET s)"
  quiet=0 start=$SECONDS
  while (( quiet < 12 && SECONDS - start < WAIT_QUIET )); do
    if (( $(cpu_busy_pct 5) < 10 )); then quiet=$((quiet + 1)); else quiet=0; fi
  done
  meta waited "$((SECONDS - start)) s, quiet=$([[ $quiet -ge 12 ]] && echo yes || echo no)"
fi
meta busy_before "$(cpu_busy_pct 10)% of 2 CPUs over 10 s"
meta load_before "$(cut -d' ' -f1-3 /proc/loadavg)"
meta bazel_java_procs "$(pgrep -c -f 'bazel|java')"
meta command "$COMMAND"
[[ -n "$NOTE" ]] && meta note "$NOTE"
meta date "$(date -u '+%Y-%m-%d %H:%M UTC') (start of the timed part)"
meta cpu "$(lscpu | sed -n 's/^Model name: *//p' | head -1) (family $(lscpu |
  sed -n 's/^CPU family: *//p') model $(lscpu | sed -n 's/^Model: *//p')), $(nproc) CPUs"
meta kernel_flags "$(grep -o -w 'avx512f\|avx2\|fma' /proc/cpuinfo | sort -u | tr '\n' ' ')"
meta threads "$THREADS"
meta rounds "$ROUNDS"
grep -q '^rill_rev=' "$META" || meta rill_rev "prebuilt $RILL_BENCH"

# Runs one program; its peer= lines go to $LINES tagged with the round, and
# foreign CPU use during the run (system busy minus this program's own CPU
# time, in CPUs) goes to $META.
run() {  # label, command...
  local label=$1; shift
  local a ai b bi wall user sys
  read -r a ai < <(busy_jiffies)
  /usr/bin/time -f '%e %U %S' -o "$OUT/time1.txt" "$@" >"$OUT/run.txt" 2>>"$LOG"
  read -r b bi < <(busy_jiffies)
  read -r wall user sys < <(tail -1 "$OUT/time1.txt") || true
  grep -q 'non-zero status' "$OUT/time1.txt" && log "$label FAILED: $(head -1 "$OUT/time1.txt")"
  cat "$OUT/run.txt" >>"$LOG"
  grep '^peer=' "$OUT/run.txt" | sed "s/\$/ round=$ROUND/" >>"$LINES"
  grep '^# ' "$OUT/run.txt" | sort -u >>"$OUT/versions.txt"
  local foreign
  foreign=$(awk -v j=$((b - a)) -v w="${wall:-1}" -v u="${user:-0}" -v s="${sys:-0}" \
    'BEGIN {f = (j / 100 - u - s) / (w > 0 ? w : 1); printf "%.2f", f < 0 ? 0 : f}')
  echo "foreign_cpu $label $foreign ${wall:-?}" >>"$OUT/foreign.txt"
  log "$label: ${wall:-?} s, foreign CPU use $foreign"
}

RB_REPS=5 RB_MIN=0.5
[[ $QUICK == 1 ]] && RB_REPS=2 RB_MIN=0.05
unset_blas=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE)

# --- 5. The interleaved GRU loop --------------------------------------------
for ((ROUND = 1; ROUND <= ROUNDS; ROUND++)); do
  for c in "${CASE_LIST[@]}"; do
    IFS=x read -r B I H <<<"$c"
    reps=$RB_REPS; [[ $B -ge 256 && $QUICK == 0 ]] && reps=3
    for t in "${THREAD_LIST[@]}"; do
      run "r$ROUND rill $c t$t" "$RILL_BENCH" --peer_format --benchmark_repetitions=$reps \
        --benchmark_min_time=$RB_MIN --benchmark_filter="^BM_Gru(Step|Seq100)/$B/$I/$H/$t/"
      [[ -n "${PEER_CMD[openblas_gru]:-}" ]] &&
        run "r$ROUND openblas $c t$t" "${unset_blas[@]}" GRU_CASES=$c "$OUT/openblas_gru" $t
      [[ -n "${PEER_CMD[eigen_gru]:-}" ]] &&
        run "r$ROUND eigen $c t$t" env GRU_CASES=$c "$OUT/eigen_gru" $t
      [[ -n "${PEER_CMD[onednn_gru]:-}" ]] &&
        run "r$ROUND onednn $c t$t" env GRU_CASES=$c "$OUT/onednn_gru" $t
      [[ -n "${PEER_CMD[torch_gru]:-}" ]] &&
        run "r$ROUND torch $c t$t" "${unset_blas[@]}" GRU_CASES=$c $PY "$PEERS/torch_gru.py" $t
      [[ -n "${PEER_CMD[ort_gru]:-}" ]] &&
        run "r$ROUND ort $c t$t" env GRU_CASES=$c NODE_PATH="$OUT/ortnode/node_modules" \
          node "$PEERS/ort_gru.js" "$OUT/onnx_models" $t
    done
  done
done
ROUND=1

# --- 6. Executor overhead, import, cold start, memory -----------------------
run "rill overhead" "$RILL_BENCH" --peer_format --runner="$RUNNER" --work_dir="$OUT/work" \
  --benchmark_repetitions=$RB_REPS --benchmark_min_time=$RB_MIN \
  --benchmark_filter='^BM_ExecutorChain1000|^BM_SessionRunFixedCost|^BM_ImportGraphDef10k|^BM_SessionCreateFirstRun|^BM_RunnerColdStart'
RSS_CASE=256x1024x1024; [[ $QUICK == 1 ]] && RSS_CASE=1x128x128
"$RILL_BENCH" --save_runner_case=$RSS_CASE --save_dir="$OUT/rss" >>"$LOG" 2>&1
mapfile -t ARGS <"$OUT/rss/runner_args.txt"
for t in "${THREAD_LIST[@]}"; do
  log "runner run on the T=100 $RSS_CASE graph, $t thread(s), under /usr/bin/time -v"
  /usr/bin/time -v "$RUNNER" "${ARGS[@]}" --threads=$t >/dev/null 2>"$OUT/time_v.txt"
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$OUT/time_v.txt")
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$OUT/time_v.txt")
  echo "peer=rill threads=$t case=runner_rss_${RSS_CASE} rss_kb=${rss:-0} wall=${wall:-?} round=1" >>"$LINES"
done
meta rss_case "$RSS_CASE"
meta graph_bytes "$(stat -c %s "$OUT/rss/graph.pb")"
meta input_bytes "$(du -cb "$OUT"/rss/*.npy | tail -1 | cut -f1)"

meta end "$(date -u '+%H:%M UTC')"
meta busy_after "$(cpu_busy_pct 10)% of 2 CPUs over 10 s"
meta load_after "$(cut -d' ' -f1-3 /proc/loadavg)"
sort -u "$OUT/versions.txt" 2>/dev/null | sed 's/^# /version=/' >>"$META"

# --- 7. Report ----------------------------------------------------------------
$PY "$ROOT/bench/make_results.py" "$LINES" "$META" "$OUT/foreign.txt" >"$OUTPUT" ||
  { log "make_results.py failed"; exit 1; }
log "wrote $OUTPUT (raw lines: $LINES)"
