// When the GRU kernels' weights are copied: once for constants, per call or
// never for variables.
#include "runtime/kernels/gru_weights.h"

#include "gtest/gtest.h"
#include "runtime/kernels/kernel_test_util.h"

namespace rill {
namespace {

using ::rill::testing::IotaMatrix;
using ::rill::testing::SameMatrixAt;

TEST(GruWeightCacheTest, ConstantWeightsArePreparedOnceAndReused) {
  const Tensor w_ru = IotaMatrix(12, 256, 0.0f), w_c = IotaMatrix(12, 128, 1000.0f);
  GruWeightCache cache(/*constant=*/true);
  auto a = cache.Get(w_ru, w_c, /*copy=*/false);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->ru.ld, 272);
  EXPECT_EQ(a->c.ld, 144);
  EXPECT_TRUE(SameMatrixAt(w_ru, a->ru.data, a->ru.ld));
  EXPECT_TRUE(SameMatrixAt(w_c, a->c.data, a->c.ld));
  auto b = cache.Get(w_ru, w_c, /*copy=*/true);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->ru.data, b->ru.data);  // The same copies.
  EXPECT_EQ(a->c.data, b->c.data);
}

TEST(GruWeightCacheTest, VariableWeightsAreCopiedPerCallOrUsedInPlace) {
  const Tensor w_ru = IotaMatrix(40, 256, 0.0f), w_c = IotaMatrix(40, 128, -5.0f);
  GruWeightCache cache(/*constant=*/false);
  auto in_place = cache.Get(w_ru, w_c, /*copy=*/false);
  ASSERT_TRUE(in_place.ok());
  EXPECT_EQ(in_place->ru.data, w_ru.data<float>());
  EXPECT_EQ(in_place->ru.ld, 256);
  EXPECT_EQ(in_place->c.data, w_c.data<float>());
  EXPECT_EQ(in_place->c.ld, 128);
  auto first = cache.Get(w_ru, w_c, /*copy=*/true);
  auto second = cache.Get(w_ru, w_c, /*copy=*/true);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(first->ru.data, second->ru.data);  // Never cached.
  EXPECT_EQ(first->ru.ld, 272);
  EXPECT_EQ(first->c.ld, 144);
  EXPECT_TRUE(SameMatrixAt(w_ru, first->ru.data, first->ru.ld));
  EXPECT_TRUE(SameMatrixAt(w_c, first->c.data, first->c.ld));
}

// Column j of the packed matrix's row i, read through its panels.
float PackedAt(const PackedMatrix& m, int64_t i, int64_t j) {
  return m.panel(j / PackedMatrix::kPanelWidth, i)[j % PackedMatrix::kPanelWidth];
}

TEST(GruWeightCacheTest, PackedWeightsSplitRAndUAndAreKeptForConstants) {
  const int64_t rows = 12, units = 40;  // I + H = 12; 3 panels, the last partial.
  const Tensor w_ru = IotaMatrix(rows, 2 * units, 0.0f), w_c = IotaMatrix(rows, units, 500.0f);
  GruWeightCache cache(/*constant=*/true);
  auto a = cache.GetPacked(w_ru, w_c);
  ASSERT_TRUE(a.ok()) << a.status();
  for (const PackedMatrix* m : {&a->r, &a->u, &a->c}) {
    EXPECT_EQ(m->rows(), rows);
    EXPECT_EQ(m->cols(), units);
  }
  const float* ru = w_ru.data<float>();
  const float* c = w_c.data<float>();
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t j = 0; j < units; ++j) {
      ASSERT_EQ(PackedAt(a->r, i, j), ru[i * 2 * units + j]) << i << "," << j;
      ASSERT_EQ(PackedAt(a->u, i, j), ru[i * 2 * units + units + j]) << i << "," << j;
      ASSERT_EQ(PackedAt(a->c, i, j), c[i * units + j]) << i << "," << j;
    }
  }
  auto again = cache.GetPacked(w_ru, w_c);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->r.panel(0), a->r.panel(0));  // Packed once.
  // Other tensors (another buffer) are packed for the call alone; the kept
  // panels stay.
  const Tensor other = IotaMatrix(rows, 2 * units, 1.0f);
  auto repacked = cache.GetPacked(other, w_c);
  ASSERT_TRUE(repacked.ok());
  EXPECT_NE(repacked->r.panel(0), a->r.panel(0));
  EXPECT_EQ(PackedAt(repacked->r, 0, 0), other.data<float>()[0]);
  EXPECT_NE(cache.GetPacked(other, w_c)->r.panel(0), repacked->r.panel(0));
  EXPECT_EQ(cache.GetPacked(w_ru, w_c)->r.panel(0), a->r.panel(0));
}

TEST(GruWeightCacheTest, PackedVariableWeightsArePackedPerCall) {
  const Tensor w_ru = IotaMatrix(8, 32, 0.0f), w_c = IotaMatrix(8, 16, 3.0f);
  GruWeightCache cache(/*constant=*/false);
  auto first = cache.GetPacked(w_ru, w_c);
  auto second = cache.GetPacked(w_ru, w_c);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(first->c.panel(0), second->c.panel(0));
  EXPECT_EQ(PackedAt(second->c, 7, 15), w_c.data<float>()[7 * 16 + 15]);
}

}  // namespace
}  // namespace rill
