// Shared pieces of rill's libFuzzer targets (fuzz/*_fuzzer.cc, built by
// tools/fuzz.sh). Fuzz inputs are hostile bytes: everything here parses them
// through the same public entry points the runner uses.
#ifndef RILL_FUZZ_FUZZ_UTIL_H_
#define RILL_FUZZ_FUZZ_UTIL_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include "graph/graph_def.h"

namespace rill {
namespace fuzz {

// Hard caps so that out-of-memory and time-outs are not reported as bugs:
// graphs with more nodes are skipped before import, and no tensor or run may
// take more bytes (ResourceExhausted is an expected, clean outcome).
constexpr int kMaxNodes = 1000;
constexpr int64_t kMaxTensorBytes = int64_t{1} << 20;  // 1 MiB
constexpr int64_t kMaxRunBytes = int64_t{16} << 20;    // 16 MiB

// Parses `bytes` like ReadGraphDefFile's kAuto: binary first, then text.
// nullopt when neither parses or the graph has more than kMaxNodes nodes.
inline std::optional<pb::GraphDef> ParseEitherFormat(const std::string& bytes) {
  for (bool text : {false, true}) {
    absl::StatusOr<pb::GraphDef> def = ParseGraphDef(bytes, text);
    if (def.ok()) {
      if (def->node_size() > kMaxNodes) return std::nullopt;
      return *std::move(def);
    }
  }
  return std::nullopt;
}

// Draws values from fuzz bytes, front to back; once they run out every value
// is the smallest allowed (libFuzzer's FuzzedDataProvider, reduced to what the
// targets use, so that they also build with gcc for the Bazel replay tests).
class ByteReader {
 public:
  ByteReader(const char* data, size_t size) : data_(data), size_(size) {}

  bool Bool() { return (Byte() & 1) != 0; }
  // A value in [lo, hi]. REQUIRES: lo <= hi, hi - lo < 2^32.
  int64_t InRange(int64_t lo, int64_t hi) {
    uint64_t v = 0;
    for (uint64_t span = static_cast<uint64_t>(hi - lo); span > 0; span >>= 8) {
      v = (v << 8) | Byte();
    }
    return lo + static_cast<int64_t>(v % (static_cast<uint64_t>(hi - lo) + 1));
  }
  // Up to `n` bytes (fewer when the input runs out).
  std::string Bytes(size_t n) {
    n = std::min(n, size_ - pos_);
    std::string out(data_ + pos_, n);
    pos_ += n;
    return out;
  }

 private:
  uint8_t Byte() { return pos_ < size_ ? static_cast<uint8_t>(data_[pos_++]) : 0; }

  const char* data_;
  size_t size_;
  size_t pos_ = 0;
};

// Reports a broken invariant and aborts, so libFuzzer records a crash.
[[noreturn]] inline void Fail(const std::string& what) {
  std::fprintf(stderr, "rill fuzz invariant broken: %s\n", what.c_str());
  std::abort();
}

}  // namespace fuzz
}  // namespace rill

#endif  // RILL_FUZZ_FUZZ_UTIL_H_
