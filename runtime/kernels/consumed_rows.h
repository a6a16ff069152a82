// ConsumedRows: gives a matrix's memory back to the system as a derivation
// (a padded copy, packed panels) reads its rows for the last time, so that
// deriving a form of a large weight does not hold it twice: a 16 MB W_ru
// and its 16.5 MB padded copy would otherwise both be resident at the end
// of the copy (and the freed dense value stays in the process's heap).
//
// Only for a matrix nobody will read again and whose buffer is dropped
// right after (Graph::DeriveAndReleaseConstValue's `consume`): the freed
// pages read as zeros until the buffer is freed. Whole, aligned 2 MiB spans
// inside the matrix's bytes only (huge pages are never split; the
// allocator's data around the buffer is never touched), so a matrix under
// 4 MiB may keep all of its memory until it is dropped. Linux (madvise MADV_DONTNEED); elsewhere, and when not asked to
// consume, it frees nothing.
#ifndef RILL_RUNTIME_KERNELS_CONSUMED_ROWS_H_
#define RILL_RUNTIME_KERNELS_CONSUMED_ROWS_H_

#include <cstdint>

#include "graph/tensor.h"

namespace rill {

class ConsumedRows {
 public:
  // Rows of `matrix` (rank 2, or a vector: one row) read in order; `consume`
  // false makes every call a no-op.
  ConsumedRows(const Tensor& matrix, bool consume);

  // Rows [0, rows) were read for the last time: frees the whole 2 MiB
  // spans in them not freed yet.
  void Read(int64_t rows);

  // Bytes freed so far (for tests).
  int64_t freed_bytes() const { return static_cast<int64_t>(freed_ - first_page_); }

 private:
  uintptr_t data_ = 0;
  int64_t row_bytes_ = 0;
  uintptr_t first_page_ = 0;  // The first span boundary at or after data_.
  uintptr_t freed_ = 0;       // Freed up to here.
  bool consume_ = false;
};

// Rows per block of a consuming derivation: about 1 MiB of the matrix, so
// each freed span is large (few madvise calls) and the copy stays fast.
int64_t ConsumeBlockRows(int64_t row_bytes);

}  // namespace rill

#endif  // RILL_RUNTIME_KERNELS_CONSUMED_ROWS_H_
