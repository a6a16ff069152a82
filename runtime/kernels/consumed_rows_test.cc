// ConsumedRows frees exactly the whole 2 MiB spans of the rows read so far
// (they read as zeros afterwards) and nothing else; without `consume`
// nothing.
#include "runtime/kernels/consumed_rows.h"

#include <cstdint>

#include "gtest/gtest.h"

namespace rill {
namespace {

// 4000-byte rows (spans cut rows), 12 MB: at least four whole spans.
constexpr int64_t kRows = 3000, kCols = 1000;

Tensor Filled() {
  Tensor t = *Tensor::Allocate(DT_FLOAT, TensorShape({kRows, kCols}));
  for (int64_t i = 0; i < kRows * kCols; ++i) t.data<float>()[i] = 1.0f + i % 97;
  return t;
}

TEST(ConsumedRowsTest, WithoutConsumeNothingIsFreed) {
  const Tensor t = Filled();
  ConsumedRows rows(t, /*consume=*/false);
  rows.Read(kRows);
  EXPECT_EQ(rows.freed_bytes(), 0);
  for (int64_t i = 0; i < kRows * kCols; ++i) ASSERT_EQ(t.data<float>()[i], 1.0f + i % 97) << i;
}

TEST(ConsumedRowsTest, FreesTheWholeSpansOfTheRowsRead) {
  const Tensor t = Filled();
  const uintptr_t base = reinterpret_cast<uintptr_t>(t.data<float>());
  ConsumedRows rows(t, /*consume=*/true);
  rows.Read(2000);
  const uintptr_t span = uintptr_t{2} << 20;
  const uintptr_t first = (base + span - 1) / span * span;
  const uintptr_t end = (base + 2000 * kCols * sizeof(float)) / span * span;
  ASSERT_GE(end - first, 2 * span);
  EXPECT_EQ(rows.freed_bytes(), static_cast<int64_t>(end - first));
  rows.Read(1000);  // Already freed: nothing changes.
  EXPECT_EQ(rows.freed_bytes(), static_cast<int64_t>(end - first));
  for (int64_t i = 0; i < kRows * kCols; ++i) {
    const uintptr_t at = base + i * sizeof(float);
    const float want = at >= first && at < end ? 0.0f : 1.0f + i % 97;
    ASSERT_EQ(t.data<float>()[i], want) << i;
  }
}

TEST(ConsumedRowsTest, EmptyMatrixIsANoOp) {
  const Tensor t = *Tensor::Allocate(DT_FLOAT, TensorShape({0, 5}));
  ConsumedRows rows(t, /*consume=*/true);
  rows.Read(0);
  EXPECT_EQ(rows.freed_bytes(), 0);
}

TEST(ConsumedRowsTest, AMatrixUnderASpanIsNeverFreed) {
  const Tensor t = *Tensor::Allocate(DT_FLOAT, TensorShape({100, 1000}));  // 400 KB
  ConsumedRows rows(t, /*consume=*/true);
  rows.Read(100);
  EXPECT_EQ(rows.freed_bytes(), 0);
}

TEST(ConsumeBlockRowsTest, AboutOneMebibyteOfRows) {
  EXPECT_EQ(ConsumeBlockRows(4096), 256);
  EXPECT_EQ(ConsumeBlockRows(int64_t{1} << 22), 1);
  EXPECT_EQ(ConsumeBlockRows(0), int64_t{1} << 20);
}

}  // namespace
}  // namespace rill
