// When the GRU kernels' weights are copied: once for constants, once per
// value (from its second use) for variables, per call or never for fed or
// computed weights.
#include "runtime/kernels/gru_weights.h"

#include "gtest/gtest.h"
#include "runtime/kernels/kernel_test_util.h"

namespace rill {
namespace {

using ::rill::testing::IotaMatrix;
using ::rill::testing::SameMatrixAt;
constexpr GruWeightCache::CopyForCall kNever = GruWeightCache::CopyForCall::kNever;
constexpr GruWeightCache::CopyForCall kAlways = GruWeightCache::CopyForCall::kAlways;
constexpr GruWeightCache::CopyForCall kIfSlowStride = GruWeightCache::CopyForCall::kIfSlowStride;

// W_ru and W_c as a kernel's inputs (the biases are not read here).
GruWeightInputs W(const Tensor& w_ru, const Tensor& w_c) { return {&w_ru, nullptr, &w_c, nullptr}; }

TEST(GruWeightCacheTest, ConstantWeightsArePreparedOnceAndReused) {
  const Tensor w_ru = IotaMatrix(12, 256, 0.0f), w_c = IotaMatrix(12, 128, 1000.0f);
  GruWeightCache cache(InputSource::kConstant);
  auto a = cache.Get(W(w_ru, w_c), kNever);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->ru.ld, 272);
  EXPECT_EQ(a->c.ld, 144);
  EXPECT_TRUE(SameMatrixAt(w_ru, a->ru.data, a->ru.ld));
  EXPECT_TRUE(SameMatrixAt(w_c, a->c.data, a->c.ld));
  auto b = cache.Get(W(w_ru, w_c), kAlways);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->ru.data, b->ru.data);  // The same copies.
  EXPECT_EQ(a->c.data, b->c.data);
}

TEST(GruWeightCacheTest, FedWeightsAreCopiedPerCallOrUsedInPlace) {
  const Tensor w_ru = IotaMatrix(40, 256, 0.0f), w_c = IotaMatrix(40, 128, -5.0f);
  GruWeightCache cache(InputSource::kOther);
  EXPECT_FALSE(cache.keeps_copies());
  auto in_place = cache.Get(W(w_ru, w_c), kNever);
  ASSERT_TRUE(in_place.ok());
  EXPECT_EQ(in_place->ru.data, w_ru.data<float>());
  EXPECT_EQ(in_place->ru.ld, 256);
  EXPECT_EQ(in_place->c.data, w_c.data<float>());
  EXPECT_EQ(in_place->c.ld, 128);
  auto first = cache.Get(W(w_ru, w_c), kAlways);
  auto second = cache.Get(W(w_ru, w_c), kAlways);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(first->ru.data, second->ru.data);  // Never cached.
  EXPECT_EQ(first->ru.ld, 272);
  EXPECT_EQ(first->c.ld, 144);
  EXPECT_TRUE(SameMatrixAt(w_ru, first->ru.data, first->ru.ld));
  EXPECT_TRUE(SameMatrixAt(w_c, first->c.data, first->c.ld));
}

TEST(GruWeightCacheTest, AStepCopiesFedWeightsAtSlowStridesOnly) {
  GruWeightCache cache(InputSource::kOther);
  // W_ru with 2H = 256 columns (slow), W_c with H = 100 (not slow).
  const Tensor w_ru = IotaMatrix(12, 256, 0.0f), w_c = IotaMatrix(12, 100, 1.0f);
  auto view = cache.Get(W(w_ru, w_c), kIfSlowStride);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->ru.ld, 272);
  EXPECT_TRUE(SameMatrixAt(w_ru, view->ru.data, view->ru.ld));
  EXPECT_EQ(view->c.data, w_c.data<float>());
  EXPECT_EQ(view->c.ld, 100);
}

// Column j of the packed matrix's row i, read through its panels.
float PackedAt(const PackedMatrix& m, int64_t i, int64_t j) {
  return m.panel(j / PackedMatrix::kPanelWidth, i)[j % PackedMatrix::kPanelWidth];
}

TEST(GruWeightCacheTest, PackedWeightsSplitRAndUAndAreKeptForConstants) {
  const int64_t rows = 12, units = 40;  // I + H = 12; 3 panels, the last partial.
  const Tensor w_ru = IotaMatrix(rows, 2 * units, 0.0f), w_c = IotaMatrix(rows, units, 500.0f);
  GruWeightCache cache(InputSource::kConstant);
  absl::StatusOr<std::optional<GruPackedWeights>> kept = cache.GetPacked(W(w_ru, w_c), false);
  ASSERT_TRUE(kept.ok()) << kept.status();
  ASSERT_TRUE(kept->has_value());  // Kept from the first call.
  const GruPackedWeights* a = &**kept;
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
  EXPECT_EQ((*cache.GetPacked(W(w_ru, w_c), false))->r.panel(0), a->r.panel(0));  // Packed once.
  // Other tensors (another buffer) are packed for the call alone; the kept
  // panels stay.
  const Tensor other = IotaMatrix(rows, 2 * units, 1.0f);
  const GruPackedWeights repacked = **cache.GetPacked(W(other, w_c), false);
  EXPECT_NE(repacked.r.panel(0), a->r.panel(0));
  EXPECT_EQ(PackedAt(repacked.r, 0, 0), other.data<float>()[0]);
  EXPECT_NE((*cache.GetPacked(W(other, w_c), false))->r.panel(0), repacked.r.panel(0));
  EXPECT_EQ((*cache.GetPacked(W(w_ru, w_c), false))->r.panel(0), a->r.panel(0));
}

TEST(GruWeightCacheTest, PackedFedWeightsArePackedPerCall) {
  const Tensor w_ru = IotaMatrix(8, 32, 0.0f), w_c = IotaMatrix(8, 16, 3.0f);
  GruWeightCache cache(InputSource::kOther);
  EXPECT_FALSE(cache.GetPacked(W(w_ru, w_c), /*pack_if_not_kept=*/false)->has_value());
  auto first = cache.GetPacked(W(w_ru, w_c), true);
  auto second = cache.GetPacked(W(w_ru, w_c), true);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE((*first)->c.panel(0), (*second)->c.panel(0));
  EXPECT_EQ(PackedAt((*second)->c, 7, 15), w_c.data<float>()[7 * 16 + 15]);
}

TEST(GruWeightCacheTest, VariableWeightsAreKeptFromTheirSecondUseUntilTheyChange) {
  const Tensor w_ru = IotaMatrix(40, 256, 0.0f), w_c = IotaMatrix(40, 128, -5.0f);
  GruWeightCache cache(InputSource::kVariable);
  EXPECT_TRUE(cache.keeps_copies());
  // First use of a value: in place, or copied for the call alone.
  absl::StatusOr<GruWeightsView> first = cache.Get(W(w_ru, w_c), kNever);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->ru.data, w_ru.data<float>());
  EXPECT_EQ(first->ru.ld, 256);
  // Second use: copied and kept.
  absl::StatusOr<GruWeightsView> second = cache.Get(W(w_ru, w_c), kNever);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->ru.ld, 272);
  EXPECT_TRUE(SameMatrixAt(w_ru, second->ru.data, second->ru.ld));
  EXPECT_TRUE(SameMatrixAt(w_c, second->c.data, second->c.ld));
  absl::StatusOr<GruWeightsView> third = cache.Get(W(w_ru, w_c), kAlways);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->ru.data, second->ru.data);  // Kept.
  EXPECT_EQ(third->c.data, second->c.data);
  EXPECT_EQ(cache.variable_derivations(), 2);  // W_ru and W_c, once each.

  // A write stores a new buffer: its first use is a copy for the call (with
  // `copy`), its second is kept; the old copies stay readable by whoever
  // holds them (a run still using the old value).
  const Tensor new_c = IotaMatrix(40, 128, 7.0f);
  absl::StatusOr<GruWeightsView> once = cache.Get(W(w_ru, new_c), kAlways);
  ASSERT_TRUE(once.ok());
  EXPECT_TRUE(SameMatrixAt(new_c, once->c.data, once->c.ld));
  EXPECT_EQ(once->ru.data, second->ru.data);  // W_ru did not change.
  absl::StatusOr<GruWeightsView> written = cache.Get(W(w_ru, new_c), kNever);
  ASSERT_TRUE(written.ok());
  EXPECT_NE(written->c.data, once->c.data);
  EXPECT_TRUE(SameMatrixAt(new_c, written->c.data, written->c.ld));
  EXPECT_EQ(cache.variable_derivations(), 3);
  EXPECT_TRUE(SameMatrixAt(w_c, second->c.data, second->c.ld));
  EXPECT_EQ(cache.Get(W(w_ru, new_c), kNever)->c.data, written->c.data);
  EXPECT_EQ(cache.variable_derivations(), 3);

  // Packed weights are kept the same way; a caller that does not want a
  // copy for one call gets none.
  const Tensor small_ru = IotaMatrix(8, 32, 0.0f), small_c = IotaMatrix(8, 16, 3.0f);
  EXPECT_FALSE(cache.GetPacked(W(small_ru, small_c), /*pack_if_not_kept=*/false)->has_value());
  const std::optional<GruPackedWeights> packed = *cache.GetPacked(W(small_ru, small_c), false);
  ASSERT_TRUE(packed.has_value());
  EXPECT_EQ((*cache.GetPacked(W(small_ru, small_c), false))->c.panel(0), packed->c.panel(0));
  EXPECT_EQ(cache.variable_derivations(), 4);
  const Tensor other_c = IotaMatrix(8, 16, -1.0f);
  const std::optional<GruPackedWeights> for_one_call = *cache.GetPacked(W(small_ru, other_c), true);
  ASSERT_TRUE(for_one_call.has_value());
  EXPECT_EQ(PackedAt(for_one_call->c, 7, 15), other_c.data<float>()[7 * 16 + 15]);
  EXPECT_EQ(PackedAt(packed->c, 7, 15), small_c.data<float>()[7 * 16 + 15]);
  EXPECT_EQ(cache.variable_derivations(), 4);
}

}  // namespace
}  // namespace rill
