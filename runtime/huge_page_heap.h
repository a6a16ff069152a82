// UseHugePagesForHeap: asks the kernel for transparent huge pages (2 MiB)
// on the first ~96 MiB of a process's malloc heap. For short-lived
// processes such as `runner run`, whose cold start is mostly first touches
// of fresh memory: on the 2-vCPU VMs rill is measured on, each 4 KiB page
// fault costs ~10 µs, and a cold run of the 1×128×128 T=100 graph took
// ~1,800 of them (graph nodes, tensors, scratch). A process-wide policy,
// so the runner's main calls it, not the library.
//
// glibc only (mallopt, sbrk): large allocations (up to 32 MiB) are served
// from the heap instead of separate mappings, the heap grows 64 MiB at a
// time and freed memory stays in it (a one-shot process exits soon), and
// the heap's aligned part is marked MADV_HUGEPAGE, which takes effect when
// /sys/kernel/mm/transparent_hugepage/enabled is "madvise" or "always".
// Under another allocator (a sanitizer's) or without THP nothing changes.
// Address space is reserved, not memory: pages still become resident only
// when touched, 2 MiB at a time.
#ifndef RILL_RUNTIME_HUGE_PAGE_HEAP_H_
#define RILL_RUNTIME_HUGE_PAGE_HEAP_H_

namespace rill {

// Call once at the start of main, before other threads exist.
void UseHugePagesForHeap();

}  // namespace rill

#endif  // RILL_RUNTIME_HUGE_PAGE_HEAP_H_
