// When the GRU kernels' weights are copied: once for constants, per call or
// never for variables.
#include "runtime/kernels/gru_weights.h"

#include "gtest/gtest.h"

namespace rill {
namespace {

Tensor Iota(int64_t rows, int64_t cols, float start) {
  Tensor t = *Tensor::Allocate(DT_FLOAT, TensorShape({rows, cols}));
  for (int64_t i = 0; i < rows * cols; ++i) t.data<float>()[i] = start + i;
  return t;
}

void ExpectSameMatrix(const Tensor& w, const GemmOperand& op) {
  for (int64_t r = 0; r < w.dim(0); ++r) {
    for (int64_t c = 0; c < w.dim(1); ++c) {
      ASSERT_EQ(op.data[r * op.ld + c], w.data<float>()[r * w.dim(1) + c]) << r << "," << c;
    }
  }
}

TEST(GruWeightCacheTest, ConstantWeightsArePreparedOnceAndReused) {
  const Tensor w_ru = Iota(12, 256, 0.0f), w_c = Iota(12, 128, 1000.0f);
  GruWeightCache cache(/*constant=*/true);
  auto a = cache.Get(w_ru, w_c, /*copy=*/false);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->ru.ld, 272);
  EXPECT_EQ(a->c.ld, 144);
  ExpectSameMatrix(w_ru, a->ru);
  ExpectSameMatrix(w_c, a->c);
  auto b = cache.Get(w_ru, w_c, /*copy=*/true);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->ru.data, b->ru.data);  // The same copies.
  EXPECT_EQ(a->c.data, b->c.data);
}

TEST(GruWeightCacheTest, VariableWeightsAreCopiedPerCallOrUsedInPlace) {
  const Tensor w_ru = Iota(40, 256, 0.0f), w_c = Iota(40, 128, -5.0f);
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
  ExpectSameMatrix(w_ru, first->ru);
  ExpectSameMatrix(w_c, first->c);
}

}  // namespace
}  // namespace rill
