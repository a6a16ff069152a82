// ConsumedMemory frees exactly the whole 2 MiB spans of the bytes read so
// far (they read as zeros afterwards) and nothing else; without `consume`
// nothing.
#include "graph/consumed_memory.h"

#include <cstdint>
#include <vector>

#include "gtest/gtest.h"

namespace rill {
namespace {

constexpr size_t kBytes = 12 << 20;  // At least four whole spans.

std::vector<uint8_t> Filled() {
  std::vector<uint8_t> v(kBytes);
  for (size_t i = 0; i < kBytes; ++i) v[i] = static_cast<uint8_t>(1 + i % 251);
  return v;
}

TEST(ConsumedMemoryTest, WithoutConsumeNothingIsFreed) {
  const std::vector<uint8_t> v = Filled();
  ConsumedMemory memory(v.data(), v.size(), /*consume=*/false);
  memory.Read(kBytes);
  EXPECT_EQ(memory.freed_bytes(), 0);
  for (size_t i = 0; i < kBytes; ++i) ASSERT_EQ(v[i], 1 + i % 251) << i;
}

TEST(ConsumedMemoryTest, FreesTheWholeSpansOfTheBytesRead) {
  const std::vector<uint8_t> v = Filled();
  const uintptr_t base = reinterpret_cast<uintptr_t>(v.data());
  ConsumedMemory memory(v.data(), v.size(), /*consume=*/true);
  const size_t done = 8 << 20;
  memory.Read(done);
  const uintptr_t span = uintptr_t{2} << 20;
  const uintptr_t first = (base + span - 1) / span * span;
  const uintptr_t end = (base + done) / span * span;
  ASSERT_GE(end - first, 2 * span);
  EXPECT_EQ(memory.freed_bytes(), static_cast<int64_t>(end - first));
  memory.Read(1 << 20);  // Already freed: nothing changes.
  EXPECT_EQ(memory.freed_bytes(), static_cast<int64_t>(end - first));
  for (size_t i = 0; i < kBytes; ++i) {
    const uintptr_t at = base + i;
    ASSERT_EQ(v[i], at >= first && at < end ? 0 : 1 + i % 251) << i;
  }
  memory.Read(size_t{1} << 40);  // Past the end: up to the end only.
  EXPECT_LE(first + memory.freed_bytes(), base + kBytes);
}

TEST(ConsumedMemoryTest, ABufferUnderASpanIsNeverFreed) {
  const std::vector<uint8_t> v(400 << 10, 7);
  ConsumedMemory memory(v.data(), v.size(), /*consume=*/true);
  memory.Read(v.size());
  EXPECT_EQ(memory.freed_bytes(), 0);
  ConsumedMemory empty(nullptr, 0, /*consume=*/true);
  empty.Read(0);
  EXPECT_EQ(empty.freed_bytes(), 0);
}

TEST(ConsumeBlockRowsTest, AboutOneMebibyteOfRows) {
  EXPECT_EQ(ConsumeBlockRows(4096), 256);
  EXPECT_EQ(ConsumeBlockRows(int64_t{1} << 22), 1);
  EXPECT_EQ(ConsumeBlockRows(0), int64_t{1} << 20);
}

}  // namespace
}  // namespace rill
