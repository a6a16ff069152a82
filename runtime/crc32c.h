// CRC32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of
// iSCSI, ext4 and TensorFlow's checkpoints, and TensorFlow's "masked" form
// for checksums stored next to the data they cover.
//
//   uint32_t crc = crc32c::Value(bytes);          // crc32c("123456789") == 0xE3069283
//   crc = crc32c::Extend(crc, more_bytes);         // == Value(bytes + more_bytes)
//   uint32_t stored = crc32c::Mask(crc);
//
// Portable table-driven code (slicing-by-8, about 1-2 GB/s); no CPU-specific
// instructions. All functions are pure and thread-safe.
#ifndef RILL_RUNTIME_CRC32C_H_
#define RILL_RUNTIME_CRC32C_H_

#include <cstdint>

#include "absl/strings/string_view.h"

namespace rill {
namespace crc32c {

// The CRC32C of `init_crc`'s data followed by `data`. Extend(0, d) == Value(d).
uint32_t Extend(uint32_t init_crc, absl::string_view data);

// The CRC32C of `data`.
inline uint32_t Value(absl::string_view data) { return Extend(0, data); }

// TensorFlow's masking (crc32c.h): a CRC of bytes that themselves contain
// CRCs is weak, so stored CRCs are rotated right by 15 bits and offset.
constexpr uint32_t kMaskDelta = 0xa282ead8u;
inline uint32_t Mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + kMaskDelta; }
inline uint32_t Unmask(uint32_t masked) {
  const uint32_t rot = masked - kMaskDelta;
  return (rot >> 17) | (rot << 15);
}

}  // namespace crc32c
}  // namespace rill

#endif  // RILL_RUNTIME_CRC32C_H_
