// Sgemm against a plain triple loop, padded strides, and the cache of padded
// copies of constant operands.
#include "runtime/kernels/gemm.h"

#include <cmath>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "runtime/kernels/kernel_test_util.h"

namespace rill {
namespace {

using ::rill::testing::IotaMatrix;
using ::rill::testing::SameMatrixAt;

TEST(PaddedLeadingDimTest, RoundsToCacheLinesAndAvoidsSlowStrides) {
  EXPECT_EQ(PaddedLeadingDim(1), 16);
  EXPECT_EQ(PaddedLeadingDim(6), 16);
  EXPECT_EQ(PaddedLeadingDim(16), 16);
  EXPECT_EQ(PaddedLeadingDim(100), 112);
  EXPECT_EQ(PaddedLeadingDim(128), 144);  // 512 bytes: slow.
  EXPECT_EQ(PaddedLeadingDim(256), 272);
  EXPECT_EQ(PaddedLeadingDim(1000), 1008);
  EXPECT_EQ(PaddedLeadingDim(1024), 1040);
  EXPECT_EQ(PaddedLeadingDim(2048), 2064);
  EXPECT_TRUE(IsSlowStride(512));
  EXPECT_FALSE(IsSlowStride(520));
}

TEST(SgemmTest, PaddedOperandsGiveTheLoopsResult) {
  // C[m,n] = A[m,k] · B[k,n] with B at a padded stride and beta = 1.
  const int64_t m = 3, k = 5, n = 128;
  const Tensor a = IotaMatrix(m, k, -2.0f), b = IotaMatrix(k, n, 0.5f);
  const GemmOperand padded = *PaddedCopy(b);
  ASSERT_EQ(padded.ld, 144);
  std::vector<float> c(m * n, 1.0f);
  SgemmArgs g;
  g.m = m;
  g.n = n;
  g.k = k;
  g.a = a.data<float>();
  g.lda = k;
  g.b = padded.data;
  g.ldb = padded.ld;
  g.beta = 1.0f;
  g.c = c.data();
  g.ldc = n;
  ASSERT_TRUE(Sgemm(g).ok());
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double want = 1.0;
      for (int64_t p = 0; p < k; ++p) {
        want += double(a.data<float>()[i * k + p]) * b.data<float>()[p * n + j];
      }
      ASSERT_NEAR(c[i * n + j], want, 1e-3 * std::fabs(want)) << i << "," << j;
    }
  }
}

TEST(PaddedOperandCacheTest, CopiesOnceAndAnotherBufferPerCall) {
  const Tensor w = IotaMatrix(12, 16, 0.0f);
  PaddedOperandCache cache;
  auto first = cache.Get(w);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->ld, 16);
  EXPECT_NE(first->data, w.data<float>());
  EXPECT_FALSE(first->storage.initialized());  // A view of the cache's copy.
  EXPECT_TRUE(SameMatrixAt(w, first->data, first->ld));
  auto again = cache.Get(w);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->data, first->data);  // The same copy.
  // Another buffer (not expected for a Const, but possible) gets a copy of
  // its own, owned by the result, on every call; the cached copy stays.
  const Tensor other = IotaMatrix(12, 16, 7.0f);
  auto third = cache.Get(other);
  ASSERT_TRUE(third.ok());
  EXPECT_NE(third->data, first->data);
  EXPECT_TRUE(third->storage.initialized());
  EXPECT_TRUE(SameMatrixAt(other, third->data, third->ld));
  auto fourth = cache.Get(other);
  ASSERT_TRUE(fourth.ok());
  EXPECT_NE(fourth->data, third->data);
  EXPECT_EQ(cache.Get(w)->data, first->data);
  EXPECT_TRUE(SameMatrixAt(w, first->data, first->ld));
}

TEST(PaddedOperandCacheTest, AVariableIsCopiedOnItsSecondUseAndAgainAfterAChange) {
  const Tensor w = IotaMatrix(12, 256, 0.0f);
  PaddedOperandCache cache(InputSource::kVariable);
  // First use: in place, or a copy for the call alone.
  EXPECT_EQ(cache.Get(w)->data, w.data<float>());
  auto for_call = cache.Get(IotaMatrix(12, 256, 1.0f), /*copy_if_not_kept=*/true);
  ASSERT_TRUE(for_call.ok());
  EXPECT_EQ(for_call->ld, 272);
  EXPECT_EQ(cache.Get(w)->data, w.data<float>());  // `w` is new again.
  EXPECT_EQ(cache.variable_copies(), 0);
  // Second use: copied and kept.
  auto first = cache.Get(w);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->ld, 272);
  EXPECT_TRUE(first->storage.initialized());  // Shares the kept copy.
  EXPECT_TRUE(SameMatrixAt(w, first->data, first->ld));
  EXPECT_EQ(cache.Get(w)->data, first->data);
  EXPECT_EQ(cache.variable_copies(), 1);
  const Tensor written = IotaMatrix(12, 256, 3.0f);  // A write: a new buffer.
  EXPECT_EQ(cache.Get(written)->data, written.data<float>());
  auto second = cache.Get(written);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(SameMatrixAt(written, second->data, second->ld));
  EXPECT_NE(second->data, written.data<float>());
  EXPECT_EQ(cache.Get(written)->data, second->data);
  EXPECT_EQ(cache.variable_copies(), 2);
  EXPECT_TRUE(SameMatrixAt(w, first->data, first->ld));  // Still owned by `first`.
}

TEST(PaddedOperandCacheTest, OtherSourcesAreCopiedPerCall) {
  const Tensor w = IotaMatrix(4, 128, 0.0f);
  PaddedOperandCache cache(InputSource::kOther);
  EXPECT_EQ(cache.Get(w)->data, w.data<float>());
  auto first = cache.Get(w, /*copy_if_not_kept=*/true);
  auto second = cache.Get(w, /*copy_if_not_kept=*/true);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(first->data, second->data);
  EXPECT_TRUE(SameMatrixAt(w, second->data, second->ld));
  EXPECT_EQ(cache.variable_copies(), 0);
}

TEST(ProductOperandTest, AnUnkeptBAtASlowStrideIsCopiedForManyRows) {
  const Tensor b = IotaMatrix(5, 128, 0.5f);  // 128 columns: a slow stride.
  // Below kMinRowsForCopyPerCall rows, transposed, or not slow: in place.
  for (const auto& [m, transposed] : {std::pair<int64_t, bool>{1, false}, {15, false},
                                      {16, true}, {64, true}}) {
    const GemmOperand op = *ProductOperand(b, transposed, nullptr, m, 1);
    EXPECT_EQ(op.data, b.data<float>()) << m << " " << transposed;
  }
  const Tensor fast = IotaMatrix(5, 120, 0.5f);
  EXPECT_EQ(ProductOperand(fast, false, nullptr, 64, 1)->data, fast.data<float>());
  // From 16 rows: a padded copy for the call, owned by the operand.
  const GemmOperand copied = *ProductOperand(b, false, nullptr, kMinRowsForCopyPerCall, 1);
  // With t threads the product is split and the copy is not: t times the rows.
  EXPECT_EQ(ProductOperand(b, false, nullptr, 31, 2)->data, b.data<float>());
  EXPECT_NE(ProductOperand(b, false, nullptr, 32, 2)->data, b.data<float>());
  EXPECT_EQ(copied.ld, 144);
  EXPECT_TRUE(copied.storage.initialized());
  EXPECT_TRUE(SameMatrixAt(b, copied.data, copied.ld));
  // A variable's first use gets that copy too; its second, the kept one.
  PaddedOperandCache cache(InputSource::kVariable);
  const GemmOperand first = *ProductOperand(b, false, &cache, 16, 1);
  EXPECT_EQ(first.ld, 144);
  EXPECT_EQ(cache.variable_copies(), 0);
  const GemmOperand kept = *ProductOperand(b, false, &cache, 2, 1);
  EXPECT_EQ(ProductOperand(b, false, &cache, 2, 1)->data, kept.data);
  EXPECT_EQ(cache.variable_copies(), 1);
}

TEST(MatrixProductTest, ManyRowsTimesAFedSlowStrideMatrixGiveTheLoopsResult) {
  // b [128, 128]: rows 512 bytes apart, read through a copy (not transposed)
  // or in place (transposed).
  const int64_t m = 20, k = 128, n = 128;
  const Tensor a = IotaMatrix(m, k, -1.0f), b = IotaMatrix(k, n, 0.25f);
  for (const bool tb : {false, true}) {
    Tensor out = *Tensor::Allocate(DT_FLOAT, TensorShape({m, n}));
    ASSERT_TRUE(MatrixProduct(a, false, b, tb, nullptr, 1, &out).ok());
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        double want = 0;
        for (int64_t p = 0; p < k; ++p) {
          const float bv = tb ? b.data<float>()[j * k + p] : b.data<float>()[p * n + j];
          want += double(a.data<float>()[i * k + p]) * bv;
        }
        ASSERT_NEAR(out.data<float>()[i * n + j], want, 1e-4 * (1 + std::fabs(want)))
            << tb << " " << i << "," << j;
      }
    }
  }
}

TEST(PaddedCopyTest, PaddingIsZero) {
  const Tensor w = IotaMatrix(3, 256, 1.0f);
  const GemmOperand op = *PaddedCopy(w);
  ASSERT_EQ(op.ld, 272);
  EXPECT_TRUE(SameMatrixAt(w, op.data, op.ld));
  for (int64_t r = 0; r < 3; ++r) {
    for (int64_t c = 256; c < 272; ++c) EXPECT_EQ(op.data[r * op.ld + c], 0.0f);
  }
}

// Consuming the matrix (a Const value released as it is copied): the copy
// is the same, and the source's memory is freed behind the copy in whole
// 2 MiB spans (they read as zeros; the rows at the ends, outside whole
// spans, stay).
TEST(PaddedCopyTest, ConsumingCopyFreesTheSourceBehindIt) {
  const Tensor w = IotaMatrix(2048, 1024, 1.0f);  // 8 MiB: 8 blocks of 1 MiB.
  const Tensor original = *w.Clone();
  const GemmOperand op = *PaddedCopy(w, /*consume=*/true);
  EXPECT_TRUE(SameMatrixAt(original, op.data, op.ld));
  int64_t zero_rows = 0;
  for (int64_t r = 0; r < 2048; ++r) zero_rows += w.data<float>()[r * 1024 + 512] == 0.0f;
  EXPECT_GE(zero_rows, 1024);  // At most 2 MiB (512 rows) at each end stays.
}

}  // namespace
}  // namespace rill
