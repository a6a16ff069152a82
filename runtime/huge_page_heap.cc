#include "runtime/huge_page_heap.h"

#include <cstddef>
#include <cstdlib>

#if defined(__GLIBC__)
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace rill {
namespace {

HugePageRange MarkHeap() {
  HugePageRange marked;
#if defined(__GLIBC__)
  constexpr uintptr_t kHugePage = uintptr_t{2} << 20;
  constexpr int kLargestFromHeap = 32 << 20;  // glibc's maximum mmap threshold.
  constexpr int kGrowth = 64 << 20;
  constexpr int kDefaultTopPad = 128 << 10;  // glibc's M_TOP_PAD default.
  mallopt(M_MMAP_THRESHOLD, kLargestFromHeap);
  mallopt(M_TRIM_THRESHOLD, 4 * kGrowth);
  mallopt(M_TOP_PAD, kGrowth);
  // Grow the heap now, so that there is a range to mark: one allocation
  // just below the mmap threshold extends it by that plus the top pad.
  const uintptr_t before = reinterpret_cast<uintptr_t>(sbrk(0));
  void* block = std::malloc(kLargestFromHeap - (1 << 20));
  // Written so that the compiler cannot drop the malloc/free pair.
  if (block != nullptr) static_cast<volatile char*>(block)[0] = 0;
  std::free(block);
  const uintptr_t after = reinterpret_cast<uintptr_t>(sbrk(0));
  // Later growth would be a mapping of its own, not marked: grow as usual.
  mallopt(M_TOP_PAD, kDefaultTopPad);
  const uintptr_t failed = reinterpret_cast<uintptr_t>(reinterpret_cast<void*>(-1));
  const uintptr_t begin = (before + kHugePage - 1) & ~(kHugePage - 1);
  // Nothing to mark when the heap did not grow (another allocator, or brk
  // unavailable); a failed madvise (no THP in the kernel) marks nothing.
  if (before != failed && after > begin &&
      madvise(reinterpret_cast<void*>(begin), after - begin, MADV_HUGEPAGE) == 0) {
    marked.begin = begin;
    marked.end = after;
  }
#endif
  return marked;
}

}  // namespace

HugePageRange UseHugePagesForHeap() {
  static const HugePageRange marked = MarkHeap();
  return marked;
}

}  // namespace rill
