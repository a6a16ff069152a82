// ConsumedMemory: gives a buffer's memory back to the system as a reader
// goes through it for the last time, so that making one form of a large
// value from another does not hold both: a Const's bytes parsed from a
// GraphDef and its tensor (Graph::AddNode), a weight and a kernel's padded
// copy or packed panels of it (Graph::DeriveAndReleaseConstValue).
//
// Only for a buffer nobody reads again and which is dropped right after:
// the freed pages read as zeros until it is freed. Whole, aligned 2 MiB
// spans inside the buffer only: a smaller span splits a transparent huge
// page (runtime/huge_page_heap.h), which cost the runner's cold start 5 ms
// for a 0.4 MB graph and 52 ms for a 25 MB one on the test VM, and the
// allocator's data around the buffer is never touched. So a buffer under
// 4 MiB may keep all of its memory until it is dropped. Linux (madvise
// MADV_DONTNEED); elsewhere, and when not asked to consume, it frees
// nothing.
#ifndef RILL_GRAPH_CONSUMED_MEMORY_H_
#define RILL_GRAPH_CONSUMED_MEMORY_H_

#include <cstddef>
#include <cstdint>

namespace rill {

class ConsumedMemory {
 public:
  // The `bytes` at `data`, read front to back; `consume` false makes every
  // call a no-op.
  ConsumedMemory(const void* data, size_t bytes, bool consume);

  // Bytes [0, done) were read for the last time: frees the whole spans in
  // them not freed yet.
  void Read(size_t done);

  // Bytes freed so far (for tests).
  int64_t freed_bytes() const { return static_cast<int64_t>(freed_ - first_span_); }

 private:
  uintptr_t data_ = 0;
  size_t bytes_ = 0;
  uintptr_t first_span_ = 0;  // The first span boundary at or after data_.
  uintptr_t freed_ = 0;       // Freed up to here.
  bool consume_ = false;
};

// Bytes per block of a consuming copy: each freed span is large (few
// madvise calls) and the copy stays fast.
inline constexpr int64_t kConsumeBlockBytes = int64_t{1} << 20;

// Rows of `row_bytes` per block of a consuming copy, about
// kConsumeBlockBytes.
inline int64_t ConsumeBlockRows(int64_t row_bytes) {
  return row_bytes <= 0 ? kConsumeBlockBytes
                        : (row_bytes >= kConsumeBlockBytes ? 1 : kConsumeBlockBytes / row_bytes);
}

}  // namespace rill

#endif  // RILL_GRAPH_CONSUMED_MEMORY_H_
