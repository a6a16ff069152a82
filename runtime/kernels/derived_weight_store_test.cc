// DerivedWeightStore: one value per kind and sources while someone holds
// it, derived again once nobody does; sources held meanwhile.
#include "runtime/kernels/derived_weight_store.h"

#include <atomic>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "runtime/kernels/kernel_test_util.h"

namespace rill {
namespace {

using ::rill::testing::IotaMatrix;

// The store's value for one or two sources (named: template argument lists
// do not fit in the test macros).
template <typename Derive>
std::shared_ptr<const int> One(DerivedWeightStore& store, DerivedKind kind, const Tensor& a,
                               Derive derive) {
  return *store.GetOrDerive<int, 1>(kind, {&a}, derive);
}
template <typename Derive>
std::shared_ptr<const int> Two(DerivedWeightStore& store, DerivedKind kind, const Tensor& a,
                               const Tensor& b, Derive derive) {
  return *store.GetOrDerive<int, 2>(kind, {&a, &b}, derive);
}

TEST(DerivedWeightStoreTest, SharesAValueWhileItIsHeld) {
  const Tensor a = IotaMatrix(4, 8, 0.0f), b = IotaMatrix(4, 8, 0.0f);
  DerivedWeightStore store;
  int calls = 0;
  auto derive = [&] { return absl::StatusOr<int>(++calls); };
  const std::shared_ptr<const int> first = One(store, DerivedKind::kPaddedCopy, a, derive);
  const std::shared_ptr<const int> again = One(store, DerivedKind::kPaddedCopy, a, derive);
  EXPECT_EQ(again.get(), first.get());  // Shared, not derived again.
  EXPECT_EQ(*again, 1);
  // Another kind, other buffers (equal values), other shapes: other values.
  EXPECT_EQ(*One(store, DerivedKind::kGruPacked, a, derive), 2);
  EXPECT_EQ(*One(store, DerivedKind::kPaddedCopy, b, derive), 3);
  const Tensor a_reshaped = *a.Reshaped(TensorShape({8, 4}));
  EXPECT_EQ(*One(store, DerivedKind::kPaddedCopy, a_reshaped, derive), 4);
  const std::shared_ptr<const int> pair = Two(store, DerivedKind::kGruPacked, a, b, derive);
  EXPECT_EQ(*pair, 5);
  EXPECT_EQ(*Two(store, DerivedKind::kGruPacked, b, a, derive), 6);
  EXPECT_EQ(store.derivations(), 6);
  EXPECT_EQ(store.live_entries(), 2);  // `first` and `pair` are still held.
}

TEST(DerivedWeightStoreTest, AValueNobodyHoldsIsDerivedAgainAndReleasesItsSources) {
  const Tensor a = IotaMatrix(4, 8, 0.0f);
  DerivedWeightStore store;
  int calls = 0;
  auto derive = [&] { return absl::StatusOr<int>(++calls); };
  {
    const std::shared_ptr<const int> held = One(store, DerivedKind::kPaddedCopy, a, derive);
    EXPECT_EQ(*held, 1);
    EXPECT_EQ(a.buffer().use_count(), 2);  // The entry holds its source.
  }
  EXPECT_EQ(a.buffer().use_count(), 1);
  EXPECT_EQ(store.live_entries(), 0);
  EXPECT_EQ(*One(store, DerivedKind::kPaddedCopy, a, derive), 2);
  // Errors are returned and not remembered.
  const Tensor b = IotaMatrix(2, 2, 0.0f);
  auto failed = store.GetOrDerive<int, 1>(DerivedKind::kPaddedCopy, {&b}, [] {
    return absl::StatusOr<int>(absl::ResourceExhaustedError("no memory"));
  });
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(*One(store, DerivedKind::kPaddedCopy, b, derive), 3);
}

TEST(DerivedWeightStoreTest, ConcurrentCallersDeriveOnce) {
  const Tensor a = IotaMatrix(4, 8, 0.0f);
  DerivedWeightStore store;
  std::atomic<int> derived{0};
  std::vector<std::shared_ptr<const int>> held(8);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      auto v = store.GetOrDerive<int, 1>(DerivedKind::kPaddedCopy, {&a}, [&] {
        return absl::StatusOr<int>(40 + derived.fetch_add(1));
      });
      if (v.ok()) held[i] = *v;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(derived.load(), 1);
  for (const auto& v : held) {
    ASSERT_NE(v, nullptr);
    EXPECT_EQ(v.get(), held[0].get());
  }
}

TEST(DerivedWeightStoreTest, WithoutAStoreEachCallerDerivesItsOwn) {
  const Tensor a = IotaMatrix(4, 8, 0.0f);
  int calls = 0;
  auto derive = [&] { return absl::StatusOr<int>(++calls); };
  auto first = DeriveShared<int, 1>(nullptr, DerivedKind::kPaddedCopy, {&a}, derive);
  auto second = DeriveShared<int, 1>(nullptr, DerivedKind::kPaddedCopy, {&a}, derive);
  EXPECT_EQ(**first, 1);
  EXPECT_EQ(**second, 2);
  DerivedWeightStore store;
  auto shared = DeriveShared<int, 1>(&store, DerivedKind::kPaddedCopy, {&a}, derive);
  auto again = DeriveShared<int, 1>(&store, DerivedKind::kPaddedCopy, {&a}, derive);
  EXPECT_EQ(again->get(), shared->get());
}

}  // namespace
}  // namespace rill
