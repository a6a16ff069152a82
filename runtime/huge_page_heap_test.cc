#include "runtime/huge_page_heap.h"

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "gtest/gtest.h"

namespace rill {
namespace {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
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

// The mapping of /proc/self/smaps that contains `address`: its name (the
// last field of the header line, "" for an anonymous mapping) and its
// VmFlags line; found = false when no mapping contains it.
struct Mapping {
  bool found = false;
  std::string name;
  std::string flags;
};

Mapping MappingAt(uintptr_t address) {
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  Mapping mapping;
  bool in_range = false;
  while (std::getline(smaps, line)) {
    unsigned long begin = 0, end = 0;
    int name_at = 0;
    // Header lines start with "begin-end perms offset dev inode [name]";
    // the other lines start with a field name ("Size:", "VmFlags:" ...).
    if (std::sscanf(line.c_str(), "%lx-%lx %*s %*s %*s %*s %n", &begin, &end, &name_at) == 2 &&
        name_at > 0) {
      if (mapping.found) break;  // The mapping's lines are over.
      in_range = begin <= address && address < end;
      if (in_range) {
        mapping.found = true;
        mapping.name = line.substr(name_at);
      }
      continue;
    }
    if (in_range && line.rfind("VmFlags:", 0) == 0) mapping.flags = line;
  }
  return mapping;
}

TEST(HugePageHeapTest, MarksTheGrownHeapForHugePages) {
  if (kSanitizerAllocator) GTEST_SKIP() << "a sanitizer's allocator does not use the brk heap";
  if (access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK) != 0) {
    GTEST_SKIP() << "no transparent huge pages in this kernel";
  }
  const HugePageRange range = UseHugePagesForHeap();
  ASSERT_FALSE(range.empty());
  // The range is 2 MiB-aligned, at least the 64 MiB top pad long, in the
  // [heap] mapping and carries the "hg" (MADV_HUGEPAGE) flag — set by the
  // madvise whatever the THP mode ("never" only keeps huge pages away).
  EXPECT_EQ(range.begin % (uintptr_t{2} << 20), 0u);
  EXPECT_GE(range.end - range.begin, uintptr_t{64} << 20);
  const Mapping heap = MappingAt(range.begin);
  ASSERT_TRUE(heap.found);
  EXPECT_EQ(heap.name, "[heap]");
  EXPECT_NE(heap.flags.find(" hg"), std::string::npos) << heap.flags;
  // A second call marks nothing more and reports the same range.
  const HugePageRange again = UseHugePagesForHeap();
  EXPECT_EQ(again.begin, range.begin);
  EXPECT_EQ(again.end, range.end);
  // Allocations still work, large ones from the heap rather than from a
  // mapping of their own.
  void* big = std::malloc(size_t{8} << 20);
  ASSERT_NE(big, nullptr);
  EXPECT_EQ(MappingAt(reinterpret_cast<uintptr_t>(big)).name, "[heap]");
  std::free(big);
}

}  // namespace
}  // namespace rill
