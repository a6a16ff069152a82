// ConsumedRows frees exactly the whole pages of the rows read so far (they
// read as zeros afterwards) and nothing else; without `consume` nothing.
#include "runtime/kernels/consumed_rows.h"

#include <cstdint>

#include "gtest/gtest.h"

namespace rill {
namespace {

constexpr int64_t kRows = 1024, kCols = 1000;  // 4000-byte rows: pages cut rows.

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

TEST(ConsumedRowsTest, FreesTheWholePagesOfTheRowsRead) {
  const Tensor t = Filled();
  const uintptr_t base = reinterpret_cast<uintptr_t>(t.data<float>());
  ConsumedRows rows(t, /*consume=*/true);
  rows.Read(300);
  const uintptr_t page = 4096;
  const uintptr_t first = (base + page - 1) / page * page;
  const uintptr_t end = (base + 300 * kCols * sizeof(float)) / page * page;
  EXPECT_EQ(rows.freed_bytes(), static_cast<int64_t>(end - first));
  rows.Read(100);  // Already freed: nothing changes.
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

TEST(ConsumeBlockRowsTest, AboutOneMebibyteOfRows) {
  EXPECT_EQ(ConsumeBlockRows(4096), 256);
  EXPECT_EQ(ConsumeBlockRows(int64_t{1} << 22), 1);
  EXPECT_EQ(ConsumeBlockRows(0), int64_t{1} << 20);
}

}  // namespace
}  // namespace rill
