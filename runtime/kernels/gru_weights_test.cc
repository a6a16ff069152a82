// The GRU kernels' padded weight copies: strides, contents, and when a
// prepared copy is reused or remade.
#include "runtime/kernels/gru_weights.h"

#include "gtest/gtest.h"

namespace rill {
namespace {

Tensor Iota(int64_t rows, int64_t cols, float start) {
  Tensor t = *Tensor::Allocate(DT_FLOAT, TensorShape({rows, cols}));
  for (int64_t i = 0; i < rows * cols; ++i) t.data<float>()[i] = start + i;
  return t;
}

// Every element of `w` [rows, cols] at `view` with row stride `ld`.
void ExpectSameMatrix(const Tensor& w, const float* view, int64_t ld) {
  for (int64_t r = 0; r < w.dim(0); ++r) {
    for (int64_t c = 0; c < w.dim(1); ++c) {
      ASSERT_EQ(view[r * ld + c], w.data<float>()[r * w.dim(1) + c]) << r << "," << c;
    }
  }
}

TEST(PaddedLeadingDimTest, RoundsToCacheLinesAndAvoidsPowerOfTwoStrides) {
  EXPECT_EQ(PaddedLeadingDim(1), 16);
  EXPECT_EQ(PaddedLeadingDim(6), 16);
  EXPECT_EQ(PaddedLeadingDim(16), 16);
  EXPECT_EQ(PaddedLeadingDim(100), 112);
  EXPECT_EQ(PaddedLeadingDim(128), 144);    // 512 bytes.
  EXPECT_EQ(PaddedLeadingDim(256), 272);
  EXPECT_EQ(PaddedLeadingDim(1000), 1008);  // Not a multiple of 512 bytes.
  EXPECT_EQ(PaddedLeadingDim(1024), 1040);
  EXPECT_EQ(PaddedLeadingDim(2048), 2064);
}

TEST(GruWeightCacheTest, ConstantWeightsArePreparedOnceAndReused) {
  const Tensor w_ru = Iota(12, 16, 0.0f), w_c = Iota(12, 8, 1000.0f);
  GruWeightCache cache(/*constant=*/true);
  auto a = cache.Get(w_ru, w_c, /*copy=*/false);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->ld_ru, 16);
  EXPECT_EQ(a->ld_c, 16);
  ExpectSameMatrix(w_ru, a->w_ru, a->ld_ru);
  ExpectSameMatrix(w_c, a->w_c, a->ld_c);
  auto b = cache.Get(w_ru, w_c, /*copy=*/false);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->w_ru, b->w_ru);  // The same copy.
  // Other buffers (not expected for Consts, but possible) are prepared anew;
  // the earlier view stays readable because it shares its storage.
  const Tensor other_ru = Iota(12, 16, 7.0f);
  auto c = cache.Get(other_ru, w_c, /*copy=*/false);
  ASSERT_TRUE(c.ok());
  EXPECT_NE(c->w_ru, a->w_ru);
  ExpectSameMatrix(other_ru, c->w_ru, c->ld_ru);
  ExpectSameMatrix(w_ru, a->w_ru, a->ld_ru);
}

TEST(GruWeightCacheTest, VariableWeightsAreCopiedPerCallOrUsedInPlace) {
  const Tensor w_ru = Iota(40, 256, 0.0f), w_c = Iota(40, 128, -5.0f);
  GruWeightCache cache(/*constant=*/false);
  auto in_place = cache.Get(w_ru, w_c, /*copy=*/false);
  ASSERT_TRUE(in_place.ok());
  EXPECT_EQ(in_place->w_ru, w_ru.data<float>());
  EXPECT_EQ(in_place->ld_ru, 256);
  EXPECT_EQ(in_place->w_c, w_c.data<float>());
  EXPECT_EQ(in_place->ld_c, 128);
  auto first = cache.Get(w_ru, w_c, /*copy=*/true);
  auto second = cache.Get(w_ru, w_c, /*copy=*/true);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(first->w_ru, second->w_ru);  // Never cached.
  EXPECT_EQ(first->ld_ru, 272);
  EXPECT_EQ(first->ld_c, 144);
  ExpectSameMatrix(w_ru, first->w_ru, first->ld_ru);
  ExpectSameMatrix(w_c, first->w_c, first->ld_c);
  EXPECT_EQ(first->w_ru[255 + 1], 0.0f);  // Padding is zero.
}

}  // namespace
}  // namespace rill
