// UseHugePagesForHeap: asks the kernel for transparent huge pages (2 MiB)
// on the first ~95 MiB of a one-shot process's malloc heap, for `runner
// run`, whose cold start is mostly first touches of fresh memory: on the
// 2-vCPU VMs rill is measured on, a 4 KiB page fault costs ~10 µs, and a
// cold run of the 1×128×128 T=100 graph took ~1,800 of them (graph nodes,
// tensors, scratch), about half of its time as a process. A process-wide
// policy, so the runner's main calls it, not the library
// (bench/separate_measurements.md, "Tenth session").
//
// glibc only (mallopt, sbrk): allocations up to 32 MiB (glibc's largest
// mmap threshold on 64-bit) are served from the heap instead of mappings
// of their own, the heap grows once by ~95 MiB, that range is marked
// MADV_HUGEPAGE (effective when /sys/kernel/mm/transparent_hugepage/enabled
// is "madvise" or "always"), and freed memory below 256 MiB stays in the
// process (trimming would drop the marked range). Pages still become
// resident only when touched, 2 MiB at a time; under
// vm.overcommit_memory=2 the grown range counts against the commit limit.
// Under another allocator (a sanitizer's), without a brk heap or without
// THP nothing is marked. Not for long-running processes (`runner bench`).
#ifndef RILL_RUNTIME_HUGE_PAGE_HEAP_H_
#define RILL_RUNTIME_HUGE_PAGE_HEAP_H_

#include <cstdint>

namespace rill {

// The heap range marked for huge pages; empty when nothing was marked.
struct HugePageRange {
  uintptr_t begin = 0;
  uintptr_t end = 0;
  bool empty() const { return begin >= end; }
};

// Call at the start of main, before other threads exist. Later calls
// change nothing and return the first call's range.
HugePageRange UseHugePagesForHeap();

}  // namespace rill

#endif  // RILL_RUNTIME_HUGE_PAGE_HEAP_H_
