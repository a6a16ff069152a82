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

}  // namespace
}  // namespace rill
