#include "runtime/huge_page_heap.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "gtest/gtest.h"

namespace rill {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitizerAllocator = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer) || \
    __has_feature(thread_sanitizer)
constexpr bool kSanitizerAllocator = true;
#else
constexpr bool kSanitizerAllocator = false;
#endif
#else
constexpr bool kSanitizerAllocator = false;
#endif

// The VmFlags of the [heap] mapping that contains `address` in
// /proc/self/smaps ("" when not found).
std::string HeapFlagsAt(uintptr_t address) {
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool in_range = false;
  while (std::getline(smaps, line)) {
    unsigned long begin = 0, end = 0;
    char dash = 0;
    if (line.find(" rw") != std::string::npos &&
        std::sscanf(line.c_str(), "%lx%c%lx", &begin, &dash, &end) == 3 && dash == '-') {
      in_range = begin <= address && address < end;
      continue;
    }
    if (in_range && line.rfind("VmFlags:", 0) == 0) return line;
  }
  return "";
}

TEST(HugePageHeapTest, MarksTheGrownHeapForHugePages) {
  if (kSanitizerAllocator) GTEST_SKIP() << "a sanitizer's allocator does not use the brk heap";
  if (access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK) != 0) {
    GTEST_SKIP() << "no transparent huge pages in this kernel";
  }
  const uintptr_t before = reinterpret_cast<uintptr_t>(sbrk(0));
  UseHugePagesForHeap();
  const uintptr_t after = reinterpret_cast<uintptr_t>(sbrk(0));
  // The heap grew by at least the 64 MiB top pad...
  EXPECT_GE(after - before, uintptr_t{64} << 20);
  // ...and a 2 MiB-aligned address inside the new part carries the
  // "hg" (MADV_HUGEPAGE) flag.
  const uintptr_t probe = ((before + (uintptr_t{4} << 20)) & ~((uintptr_t{2} << 20) - 1));
  const std::string flags = HeapFlagsAt(probe);
  ASSERT_FALSE(flags.empty()) << "no mapping at the grown heap";
  EXPECT_NE(flags.find(" hg"), std::string::npos) << flags;
  // Allocations still work, large ones from the heap (the top chunk may
  // start below the old break) rather than from a mapping of their own.
  void* big = std::malloc(size_t{8} << 20);
  ASSERT_NE(big, nullptr);
  EXPECT_GE(reinterpret_cast<uintptr_t>(big) + (uintptr_t{1} << 20), before);
  EXPECT_LT(reinterpret_cast<uintptr_t>(big), after);
  std::free(big);
}

}  // namespace
}  // namespace rill
