#include "runtime/kernels/consumed_rows.h"

#include <algorithm>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace rill {
namespace {

// Memory is given back in whole, aligned 2 MiB spans: on a heap backed by
// transparent huge pages (runtime/huge_page_heap.h) a smaller span splits a
// huge page, which cost the runner's cold start 5 ms for a 0.4 MB graph and
// 52 ms for a 25 MB one on the test VM (freeing whole huge pages costs
// nothing measurable). A matrix below 2 MiB is not worth freeing early.
constexpr uintptr_t kSpan = uintptr_t{2} << 20;

}  // namespace

ConsumedRows::ConsumedRows(const Tensor& matrix, bool consume) {
#if defined(__linux__)
  consume_ = consume && matrix.num_elements() > 0;
#endif
  if (!consume_) return;
  data_ = reinterpret_cast<uintptr_t>(matrix.buffer().get());
  const int64_t rows = matrix.rank() == 2 ? matrix.dim(0) : 1;
  row_bytes_ = matrix.TotalBytes() / std::max<int64_t>(rows, 1);
  first_page_ = (data_ + kSpan - 1) / kSpan * kSpan;
  freed_ = first_page_;
}

void ConsumedRows::Read(int64_t rows) {
  if (!consume_) return;
  const uintptr_t end = (data_ + static_cast<uintptr_t>(rows * row_bytes_)) / kSpan * kSpan;
  if (end <= freed_) return;
#if defined(__linux__)
  // Best effort: a failure (never expected for a mapped range) frees nothing.
  if (madvise(reinterpret_cast<void*>(freed_), end - freed_, MADV_DONTNEED) != 0) return;
#endif
  freed_ = end;
}

int64_t ConsumeBlockRows(int64_t row_bytes) {
  return std::max<int64_t>(1, (int64_t{1} << 20) / std::max<int64_t>(row_bytes, 1));
}

}  // namespace rill
