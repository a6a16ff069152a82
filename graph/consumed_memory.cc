#include "graph/consumed_memory.h"

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace rill {
namespace {

constexpr uintptr_t kSpan = uintptr_t{2} << 20;

}  // namespace

ConsumedMemory::ConsumedMemory(const void* data, size_t bytes, bool consume) {
#if defined(__linux__)
  consume_ = consume && data != nullptr && bytes > 0;
#endif
  if (!consume_) return;
  data_ = reinterpret_cast<uintptr_t>(data);
  bytes_ = bytes;
  first_span_ = (data_ + kSpan - 1) / kSpan * kSpan;
  freed_ = first_span_;
}

void ConsumedMemory::Read(size_t done) {
  if (!consume_) return;
  if (done > bytes_) done = bytes_;
  const uintptr_t end = (data_ + done) / kSpan * kSpan;
  if (end <= freed_) return;
#if defined(__linux__)
  // Best effort: a failure (never expected for a mapped range) frees nothing.
  if (madvise(reinterpret_cast<void*>(freed_), end - freed_, MADV_DONTNEED) != 0) return;
#endif
  freed_ = end;
}

}  // namespace rill
