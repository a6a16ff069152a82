// Fuzzes checkpoint reading (DecodeCheckpoint, the runner's --checkpoint
// path) under a 1 MiB tensor cap. The first byte picks the mode: even, the
// rest is a whole checkpoint file; odd, the rest is a payload that gets a
// valid header and checksum, so the fuzzer gets past the CRC into protobuf
// parsing and tensor decoding. Invariants: nothing crashes, and a checkpoint
// that decodes re-encodes to bytes that decode to the same tensors.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_util.h"
#include "runtime/checkpoint.h"
#include "runtime/crc32c.h"

namespace {

void AppendLittleEndian(uint64_t v, int bytes, std::string* out) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::string Frame(const std::string& payload) {
  std::string out(rill::kCheckpointMagic, 8);
  AppendLittleEndian(rill::kCheckpointVersion, 4, &out);
  AppendLittleEndian(payload.size(), 8, &out);
  out += payload;
  AppendLittleEndian(rill::crc32c::Mask(rill::crc32c::Value(out)), 4, &out);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) bytes = Frame(bytes);
  auto tensors = rill::DecodeCheckpoint(bytes, "fuzz", rill::fuzz::kMaxTensorBytes);
  if (!tensors.ok()) return 0;
  absl::StatusOr<std::string> encoded = rill::EncodeCheckpoint(*tensors);
  if (!encoded.ok()) rill::fuzz::Fail("EncodeCheckpoint failed: " + encoded.status().ToString());
  auto again = rill::DecodeCheckpoint(*encoded, "fuzz", rill::fuzz::kMaxTensorBytes);
  if (!again.ok()) rill::fuzz::Fail("re-encoded checkpoint does not decode: " + again.status().ToString());
  if (again->size() != tensors->size()) rill::fuzz::Fail("checkpoint round trip lost tensors");
  for (const auto& [name, t] : *tensors) {
    auto it = again->find(name);
    if (it == again->end() || !it->second.Equals(t)) {
      rill::fuzz::Fail("checkpoint round trip changed tensor '" + name + "'");
    }
  }
  return 0;
}
