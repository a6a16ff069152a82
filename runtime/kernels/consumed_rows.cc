#include "runtime/kernels/consumed_rows.h"

#include <algorithm>

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace rill {
namespace {

uintptr_t PageSize() {
#if defined(__linux__)
  static const uintptr_t size = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  return size;
#else
  return 4096;
#endif
}

}  // namespace

ConsumedRows::ConsumedRows(const Tensor& matrix, bool consume) {
#if defined(__linux__)
  consume_ = consume && matrix.num_elements() > 0;
#endif
  if (!consume_) return;
  data_ = reinterpret_cast<uintptr_t>(matrix.buffer().get());
  const int64_t rows = matrix.rank() == 2 ? matrix.dim(0) : 1;
  row_bytes_ = matrix.TotalBytes() / std::max<int64_t>(rows, 1);
  const uintptr_t page = PageSize();
  first_page_ = (data_ + page - 1) / page * page;
  freed_ = first_page_;
}

void ConsumedRows::Read(int64_t rows) {
  if (!consume_) return;
  const uintptr_t page = PageSize();
  const uintptr_t end = (data_ + static_cast<uintptr_t>(rows * row_bytes_)) / page * page;
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
