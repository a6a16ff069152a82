// ConstantCache: derived once, shared by concurrent callers, other sources
// not served from it, a failed first derivation not remembered.
// VariableCache: derived on the second use of the same sources, again after
// they change; only the latest kept.
#include "runtime/kernels/constant_cache.h"

#include <atomic>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "runtime/kernels/kernel_test_util.h"

namespace rill {
namespace {

using ::rill::testing::IotaMatrix;

TEST(ConstantCacheTest, ConcurrentFirstCallsDeriveOnceAndShareTheValue) {
  const Tensor a = IotaMatrix(4, 8, 0.0f), b = IotaMatrix(2, 8, 1.0f);
  ConstantCache<int, 2> cache;
  std::atomic<int> derived{0};
  constexpr int kThreads = 8;
  std::vector<const int*> seen(kThreads, nullptr);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      for (int round = 0; round < 100; ++round) {
        absl::StatusOr<const int*> v = cache.Get({&a, &b}, [&]() -> absl::StatusOr<int> {
          return 40 + derived.fetch_add(1) + 2;
        });
        if (v.ok()) seen[i] = *v;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(derived.load(), 1);
  ASSERT_NE(seen[0], nullptr);
  EXPECT_EQ(*seen[0], 42);
  for (const int* p : seen) EXPECT_EQ(p, seen[0]);
}

TEST(ConstantCacheTest, OtherBuffersOrShapesAreNotServedFromTheCache) {
  const Tensor a = IotaMatrix(4, 8, 0.0f), b = IotaMatrix(2, 8, 1.0f);
  ConstantCache<int, 2> cache;
  auto seven = [] { return absl::StatusOr<int>(7); };
  absl::StatusOr<const int*> first = cache.Get({&a, &b}, seven);
  ASSERT_TRUE(first.ok());
  ASSERT_NE(*first, nullptr);
  // The same values in another buffer, and the same buffer under another
  // shape, are other tensors.
  const Tensor a_copy = IotaMatrix(4, 8, 0.0f);
  EXPECT_EQ(*cache.Get({&a_copy, &b}, seven), nullptr);
  const Tensor a_reshaped = *a.Reshaped(TensorShape({8, 4}));
  EXPECT_EQ(*cache.Get({&a_reshaped, &b}, seven), nullptr);
  EXPECT_EQ(*cache.Get({&b, &a}, seven), nullptr);
  // The first sources still get the first value.
  EXPECT_EQ(*cache.Get({&a, &b}, seven), *first);
}

TEST(ConstantCacheTest, AFailedDerivationIsRetried) {
  const Tensor a = IotaMatrix(3, 3, 0.0f);
  ConstantCache<int, 1> cache;
  absl::StatusOr<const int*> failed = cache.Get(
      {&a}, [] { return absl::StatusOr<int>(absl::ResourceExhaustedError("no memory")); });
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(failed.status().message(), "no memory");
  absl::StatusOr<const int*> retried = cache.Get({&a}, [] { return absl::StatusOr<int>(5); });
  ASSERT_TRUE(retried.ok());
  ASSERT_NE(*retried, nullptr);
  EXPECT_EQ(**retried, 5);
}

TEST(VariableCacheTest, DerivesOnTheSecondUseAndAgainAfterEveryChange) {
  Tensor a = IotaMatrix(4, 8, 0.0f);
  const Tensor b = IotaMatrix(2, 8, 1.0f);
  VariableCache<Tensor, 2> cache;  // A Tensor value shares its buffer when copied.
  int calls = 0;
  auto first_plus_100 = [&](const Tensor& x) {
    return [&calls, &x]() -> absl::StatusOr<Tensor> {
      ++calls;
      return Tensor::Scalar<float>(x.data<float>()[0] + 100.0f);
    };
  };
  // Seen once: nothing derived (a value read once is not worth a copy).
  EXPECT_FALSE(cache.Get({&a, &b}, first_plus_100(a))->has_value());
  EXPECT_EQ(calls, 0);
  absl::StatusOr<std::optional<Tensor>> first = cache.Get({&a, &b}, first_plus_100(a));
  ASSERT_TRUE(first.ok() && first->has_value());
  EXPECT_EQ((*first)->data<float>()[0], 100.0f);
  EXPECT_TRUE((*cache.Get({&a, &b}, first_plus_100(a)))->SharesBufferWith(**first));
  EXPECT_EQ(calls, 1);

  // Another buffer with the same values, or the same buffer reshaped, is new.
  const Tensor a_copy = IotaMatrix(4, 8, 0.0f);
  EXPECT_FALSE(cache.Get({&a_copy, &b}, first_plus_100(a_copy))->has_value());
  absl::StatusOr<std::optional<Tensor>> second = cache.Get({&a_copy, &b}, first_plus_100(a_copy));
  EXPECT_EQ(calls, 2);
  EXPECT_FALSE((*second)->SharesBufferWith(**first));
  const Tensor a_reshaped = *a_copy.Reshaped(TensorShape({8, 4}));
  EXPECT_FALSE(cache.Get({&a_reshaped, &b}, first_plus_100(a_reshaped))->has_value());
  // Only the latest sources are kept: going back starts over.
  EXPECT_FALSE(cache.Get({&a, &b}, first_plus_100(a))->has_value());
  ASSERT_TRUE(cache.Get({&a, &b}, first_plus_100(a))->has_value());
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(cache.derivations(), 3);
  // The first value's holder still reads it.
  EXPECT_EQ((*first)->data<float>()[0], 100.0f);
}

TEST(VariableCacheTest, HoldsItsSourcesSoTheirBuffersAreNotReused) {
  Tensor a = IotaMatrix(4, 8, 0.0f);
  VariableCache<int, 1> cache;
  auto one = [] { return absl::StatusOr<int>(1); };
  auto no_memory = [] { return absl::StatusOr<int>(absl::ResourceExhaustedError("no memory")); };
  ASSERT_TRUE(cache.Get({&a}, one).ok());
  EXPECT_EQ(a.buffer().use_count(), 2);  // Another tensor cannot get its address.
  // A failed derivation is not remembered: the next call tries again.
  absl::StatusOr<std::optional<int>> failed = cache.Get({&a}, no_memory);
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(failed.status().message(), "no memory");
  EXPECT_EQ(**cache.Get({&a}, one), 1);
  EXPECT_EQ(**cache.Get({&a}, no_memory), 1);  // Kept: derive() not called.
  const Tensor b = IotaMatrix(4, 8, 0.0f);
  EXPECT_FALSE(cache.Get({&b}, one)->has_value());
  EXPECT_EQ(a.buffer().use_count(), 1);  // The replaced entry let go of it.
}

TEST(VariableCacheTest, ConcurrentCallersWithOneSourceDeriveOnce) {
  const Tensor a = IotaMatrix(4, 8, 0.0f);
  VariableCache<int, 1> cache;
  ASSERT_FALSE(cache.Get({&a}, [] { return absl::StatusOr<int>(0); })->has_value());
  std::atomic<int> derived{0};
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      for (int round = 0; round < 100; ++round) {
        absl::StatusOr<std::optional<int>> v =
            cache.Get({&a}, [&] { return absl::StatusOr<int>(7 + derived.fetch_add(1)); });
        if (!v.ok() || !v->has_value() || **v != 7) wrong.fetch_add(1);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(derived.load(), 1);
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace rill
