#!/usr/bin/env bash
# Installs the Debian packages rill builds with. Safe to run repeatedly: when
# everything is already installed it does nothing.
set -euo pipefail

PACKAGES=(
  bazel-bootstrap
  bazel-platforms
  bazel-skylib
  libeigen3-dev
  libabsl-dev
  libprotobuf-dev
  protobuf-compiler
  libgtest-dev
  libgmock-dev
  libbenchmark-dev
  libdnnl-dev
  g++
  python3
  python3-numpy
  pkg-config
  # Sanitizer builds (bazel --config=asan/tsan) and fuzzing (tools/fuzz.sh).
  clang
  libfuzzer-14-dev
  libclang-rt-14-dev
  make
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg -s "$pkg" 2>/dev/null | grep -q '^Status: install ok installed'; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "setup.sh: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

echo "setup.sh: installing: ${missing[*]}"
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  SUDO=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update
"${SUDO[@]}" apt-get install -y --no-install-recommends "${PACKAGES[@]}"
