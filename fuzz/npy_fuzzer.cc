// Fuzzes .npy parsing (ParseNpy, the runner's --input path) under a 1 MiB
// tensor cap. Invariants: nothing crashes, and a tensor that parses encodes
// (EncodeNpy) to bytes that parse back to an equal tensor.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_util.h"
#include "runtime/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<rill::Tensor> t = rill::ParseNpy(bytes, rill::fuzz::kMaxTensorBytes);
  if (!t.ok()) return 0;
  absl::StatusOr<rill::Tensor> again =
      rill::ParseNpy(rill::EncodeNpy(*t), rill::fuzz::kMaxTensorBytes);
  if (!again.ok()) rill::fuzz::Fail("EncodeNpy output does not parse: " + again.status().ToString());
  if (!again->Equals(*t)) rill::fuzz::Fail("npy round trip changed the tensor");
  return 0;
}
