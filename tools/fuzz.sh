#!/usr/bin/env bash
# Builds rill's libFuzzer targets (fuzz/*_fuzzer.cc) with clang++ directly
# (Bazel's toolchain here is gcc, which has no libFuzzer) and runs each one
# for a bounded time, one after another, on one core.
#
#   tools/fuzz.sh                         # every target, 15 s each
#   tools/fuzz.sh --seconds=600 --targets=npy,session_run
#   tools/fuzz.sh --build_only
#
# Options:
#   --seconds=N       run time per target (default 15)
#   --targets=A,B     targets by short name (default: all in fuzz/)
#   --build_dir=DIR   objects, binaries and working corpora
#                     (default ${TMPDIR:-/tmp}/rill-fuzz-<hash of the source
#                     folder>; reused between runs of the same checkout)
#   --crash_dir=DIR   where crash/timeout/oom inputs are kept
#                     (default BUILD_DIR/crashes)
#   --corpus_dir=DIR  working corpora, DIR/<name>/ (default BUILD_DIR/corpus;
#                     CI passes an empty one so each run starts from seeds)
#   --keep_going      do not stop a target at its first crash: libFuzzer's
#                     fork mode (-fork=1 -ignore_crashes=1 ...) keeps
#                     fuzzing and collects every crash input
#   --build_only      build the targets and stop
#
# Per target it prints one line "fuzz <name>: <execs> execs, <n> crashes"
# and at the end the crash folder. It exits non-zero if any target crashed
# (also a time-out or out-of-memory report: the caps below make those bugs),
# or if the build failed. Seeds come from fuzz/corpus/<name>/ (read only);
# new inputs libFuzzer finds go to the working corpus (--corpus_dir).
#
# Reproduce a crash:  BUILD_DIR/bin/<name>_fuzzer CRASH_FILE
set -uo pipefail

cd "$(dirname "$0")/.."
ROOT="$(pwd)"

SECONDS_PER_TARGET=15
TARGETS=""
# One build folder per source tree: the objects' dependency files name the
# sources by absolute path, so a folder shared by two checkouts breaks make.
BUILD_DIR="${TMPDIR:-/tmp}/rill-fuzz-$(printf '%s' "$ROOT" | sha1sum | cut -c1-8)"
CRASH_DIR=""
CORPUS_DIR=""
BUILD_ONLY=0
KEEP_GOING=()
for arg in "$@"; do
  case "$arg" in
    --seconds=*) SECONDS_PER_TARGET="${arg#*=}" ;;
    --targets=*) TARGETS="${arg#*=}" ;;
    --build_dir=*) BUILD_DIR="${arg#*=}" ;;
    --crash_dir=*) CRASH_DIR="${arg#*=}" ;;
    --corpus_dir=*) CORPUS_DIR="${arg#*=}" ;;
    --build_only) BUILD_ONLY=1 ;;
    --keep_going) KEEP_GOING=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1) ;;
    -h|--help) sed -n '2,33p' "$0"; exit 0 ;;
    *) echo "fuzz.sh: unknown argument '$arg' (see --help)" >&2; exit 2 ;;
  esac
done
if ! [[ "$SECONDS_PER_TARGET" =~ ^[0-9]+$ ]]; then
  echo "fuzz.sh: --seconds must be a whole number" >&2
  exit 2
fi
mkdir -p "$BUILD_DIR"
BUILD_DIR="$(cd "$BUILD_DIR" && pwd)"
CRASH_DIR="${CRASH_DIR:-$BUILD_DIR/crashes}"
mkdir -p "$CRASH_DIR"
CRASH_DIR="$(cd "$CRASH_DIR" && pwd)"
CORPUS_DIR="${CORPUS_DIR:-$BUILD_DIR/corpus}"

if [ -z "$TARGETS" ]; then
  TARGETS="$(cd fuzz && ls *_fuzzer.cc | sed 's/_fuzzer\.cc$//' | paste -sd, -)"
fi
IFS=',' read -r -a TARGET_LIST <<< "$TARGETS"
for t in "${TARGET_LIST[@]}"; do
  if [ ! -f "fuzz/${t}_fuzzer.cc" ]; then
    echo "fuzz.sh: no target '$t' (fuzz/${t}_fuzzer.cc)" >&2
    exit 2
  fi
done

for tool in clang++ protoc pkg-config make; do
  if ! command -v "$tool" >/dev/null; then
    echo "fuzz.sh: '$tool' is missing (run tools/setup.sh)" >&2
    exit 1
  fi
done

# ---------------------------------------------------------------- build
# The rill sources a fuzz target may reach: graph, ops, and the runtime
# behind Session, .npy, checkpoints and the runner's inspect summary.
SRCS=$(ls graph/*.cc ops/*.cc runtime/kernels/*.cc | grep -v -e '_test\.cc$' -e 'kernel_test_util\.cc$')
SRCS+="
runtime/checkpoint.cc
runtime/crc32c.cc
runtime/constant_folding.cc
runtime/eigen_device.cc
runtime/execution_plan.cc
runtime/graph_summary.cc
runtime/gru_fusion.cc
runtime/matmul_fusion.cc
runtime/plan_executor.cc
runtime/kernel_registry.cc
runtime/npy.cc
runtime/output_shapes.cc
runtime/session.cc
runtime/variable_storage.cc"

GEN="$BUILD_DIR/gen"
mkdir -p "$GEN"
# Regenerate the protos only when a .proto changed (keeps objects fresh).
if [ ! -f "$GEN/stamp" ] || [ -n "$(find proto -name '*.proto' -newer "$GEN/stamp")" ]; then
  protoc --proto_path=. --cpp_out="$GEN" proto/*.proto || exit 1
  touch "$GEN/stamp"
fi
PROTO_SRCS=$(cd "$GEN" && ls proto/*.pb.cc)

ABSL_LIBS=$(pkg-config --libs absl_status absl_statusor absl_strings absl_str_format \
  absl_flags absl_flags_parse absl_flags_usage absl_synchronization absl_flat_hash_map \
  absl_span absl_random_random absl_time absl_cord absl_hash) || exit 1

SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
CXXFLAGS="-std=c++17 -O1 -g -fno-omit-frame-pointer $SAN -I$ROOT -I$GEN -I/usr/include/eigen3"
LIB_FLAGS="$CXXFLAGS -fsanitize=fuzzer-no-link"
LDLIBS="$ABSL_LIBS -lprotobuf -ldnnl -lgomp -lpthread"

# A generated Makefile gives incremental, parallel (-j2) compiles with
# header dependencies (-MMD).
MK="$BUILD_DIR/Makefile"
{
  echo "OBJ := $BUILD_DIR/obj"
  echo "LIB_OBJS :="
  for s in $SRCS; do
    echo "LIB_OBJS += \$(OBJ)/${s%.cc}.o"
    echo "\$(OBJ)/${s%.cc}.o: $ROOT/$s $GEN/stamp"
    printf '\t@mkdir -p $(dir $@)\n\t@echo "  CXX $<"\n\t@clang++ %s -MMD -MP -c $< -o $@\n' "$LIB_FLAGS"
  done
  for s in $PROTO_SRCS; do
    echo "LIB_OBJS += \$(OBJ)/gen/${s%.cc}.o"
    echo "\$(OBJ)/gen/${s%.cc}.o: $GEN/$s $GEN/stamp"
    printf '\t@mkdir -p $(dir $@)\n\t@echo "  CXX $<"\n\t@clang++ %s -MMD -MP -c $< -o $@\n' "$CXXFLAGS"
  done
  echo "\$(OBJ)/librill.a: \$(LIB_OBJS)"
  printf '\t@rm -f $@ && ar rcs $@ $^\n'
  BINS=""
  for t in "${TARGET_LIST[@]}"; do
    BINS+=" $BUILD_DIR/bin/${t}_fuzzer"
    echo "$BUILD_DIR/bin/${t}_fuzzer: $ROOT/fuzz/${t}_fuzzer.cc \$(OBJ)/librill.a"
    printf '\t@mkdir -p $(dir $@)\n\t@echo "  LINK $@"\n\t@clang++ %s -fsanitize=fuzzer -MMD -MP -MF $@.d $< $(OBJ)/librill.a %s -o $@\n' \
      "$CXXFLAGS" "$LDLIBS"
  done
  echo "all:$BINS"
  echo "-include \$(shell find \$(OBJ) $BUILD_DIR/bin -name '*.d' 2>/dev/null)"
} > "$MK"

echo "fuzz.sh: building ${TARGETS} in $BUILD_DIR"
if ! make -s -f "$MK" -j"${FUZZ_JOBS:-2}" all; then
  echo "fuzz.sh: build failed" >&2
  exit 1
fi
[ "$BUILD_ONLY" -eq 1 ] && exit 0

# ---------------------------------------------------------------- run
failed=0
for t in "${TARGET_LIST[@]}"; do
  seeds="$ROOT/fuzz/corpus/$t"
  work="$CORPUS_DIR/$t"
  mkdir -p "$work"
  dict=()
  [ -f "$ROOT/fuzz/$t.dict" ] && dict=(-dict="$ROOT/fuzz/$t.dict")
  log="$BUILD_DIR/$t.log"
  before=$(ls "$CRASH_DIR" | grep -c "^$t-" || true)
  # -rss_limit_mb/-timeout: a graph that slips past the session caps shows
  # up as an oom-/timeout- artifact, which counts as a failure.
  "$BUILD_DIR/bin/${t}_fuzzer" "$work" "$seeds" "${dict[@]}" \
    -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 -timeout=10 \
    -artifact_prefix="$CRASH_DIR/$t-" -print_final_stats=1 "${KEEP_GOING[@]}" >"$log" 2>&1
  rc=$?
  after=$(ls "$CRASH_DIR" | grep -c "^$t-" || true)
  crashes=$((after - before))
  if [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ]; then crashes=1; fi
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$')
  # Fork mode prints no final stats; its progress lines start "#<execs>:".
  [ -z "$execs" ] && execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
  echo "fuzz $t: ${execs:-0} execs, $crashes crashes (log $log)"
  if [ "$crashes" -gt 0 ]; then
    failed=1
    grep -m 3 -E 'ERROR: |runtime error|invariant broken|SUMMARY' "$log" | sed 's/^/    /'
  fi
done
echo "fuzz.sh: crash inputs (if any) are in $CRASH_DIR"
exit "$failed"
