// ConstantCache: derived once, shared by concurrent callers, other sources
// not served from it, a failed first derivation not remembered.
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

}  // namespace
}  // namespace rill
