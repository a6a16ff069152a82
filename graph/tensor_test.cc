#include "graph/tensor.h"

#include <cstring>
#include <vector>

#include "graph/test_util.h"
#include "gtest/gtest.h"

namespace rill {
namespace {

using ::rill::testing::HasError;

TEST(TensorTest, AllocateIsAlignedAndZeroed) {
  absl::StatusOr<Tensor> t = Tensor::Allocate(DT_FLOAT, TensorShape({3, 5}));
  RILL_ASSERT_OK(t);
  EXPECT_EQ(t->num_elements(), 15);
  EXPECT_EQ(t->TotalBytes(), 60u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(t->raw()) % kTensorAlignment, 0u);
  for (float v : t->flat<float>()) EXPECT_EQ(v, 0.0f);
}

TEST(TensorTest, EverySizeIsAlignedZeroedAndWritableToItsEnd) {
  // Small sizes come from malloc's per-thread cache, large ones from mmap:
  // the hand alignment must hold for both, and for many live buffers at once.
  std::vector<Tensor> live;
  for (int64_t n : {1, 2, 15, 16, 17, 255, 1000, 40000, 300000}) {
    for (DataType dtype : {DT_BOOL, DT_INT32, DT_DOUBLE}) {
      absl::StatusOr<Tensor> t = Tensor::Allocate(dtype, TensorShape({n}));
      RILL_ASSERT_OK(t);
      ASSERT_EQ(reinterpret_cast<uintptr_t>(t->raw()) % kTensorAlignment, 0u) << n;
      const auto* bytes = reinterpret_cast<const unsigned char*>(t->raw());
      for (size_t i = 0; i < t->TotalBytes(); ++i) ASSERT_EQ(bytes[i], 0) << n << " " << i;
      // The whole rounded allocation is the tensor's (kernels write whole
      // cache lines); ASan checks these writes.
      std::memset(t->raw(), 0xab, Tensor::AllocationBytes(t->TotalBytes()));
      live.push_back(*std::move(t));
    }
  }
  live.clear();  // Frees through the recorded offsets (ASan checks them).
}

// AllocateForOverwrite skips the zero fill of the data (its callers write
// every byte), but keeps the checks, the alignment and a zeroed rounding
// tail, also in a buffer malloc hands back dirty.
TEST(TensorTest, AllocateForOverwriteChecksAlignsAndZeroesTheTail) {
  for (int round = 0; round < 2; ++round) {
    for (int64_t n : {1, 3, 17, 1000}) {
      absl::StatusOr<Tensor> t = Tensor::AllocateForOverwrite(DT_INT32, TensorShape({n}));
      RILL_ASSERT_OK(t);
      ASSERT_EQ(reinterpret_cast<uintptr_t>(t->raw()) % kTensorAlignment, 0u) << n;
      const auto* bytes = reinterpret_cast<const unsigned char*>(t->raw());
      for (size_t i = t->TotalBytes(); i < Tensor::AllocationBytes(t->TotalBytes()); ++i) {
        ASSERT_EQ(bytes[i], 0) << n << " " << i;
      }
      // Dirty the whole allocation; the next round may get it back.
      std::memset(t->raw(), 0xab, Tensor::AllocationBytes(t->TotalBytes()));
    }
  }
  EXPECT_TRUE(HasError(Tensor::AllocateForOverwrite(DT_FLOAT, TensorShape({-1})),
                       absl::StatusCode::kInvalidArgument, "partially known shape [?]"));
  EXPECT_TRUE(HasError(Tensor::AllocateForOverwrite(DT_DOUBLE, TensorShape({100}), 799),
                       absl::StatusCode::kResourceExhausted, "cap of 799 bytes"));
}

TEST(TensorTest, RejectsPartialShapesUnsupportedTypesAndHugeSizes) {
  EXPECT_TRUE(HasError(Tensor::Allocate(DT_FLOAT, TensorShape({-1, 2})),
                       absl::StatusCode::kInvalidArgument, "partially known shape [?,2]"));
  EXPECT_TRUE(HasError(Tensor::Allocate(pb::DT_STRING, TensorShape({2})),
                       absl::StatusCode::kInvalidArgument, "string is not supported"));
  EXPECT_TRUE(HasError(Tensor::Allocate(DT_FLOAT, TensorShape({int64_t{1} << 40})),
                       absl::StatusCode::kResourceExhausted, "more than the cap"));
  EXPECT_TRUE(HasError(Tensor::Allocate(DT_DOUBLE, TensorShape({100}), /*max_bytes=*/799),
                       absl::StatusCode::kResourceExhausted, "cap of 799 bytes"));
}

TEST(TensorTest, CopiesShareBuffersAndCloneDoesNot) {
  Tensor a = *Tensor::FromVector<int32_t>(TensorShape({2, 2}), std::vector<int32_t>{1, 2, 3, 4});
  Tensor b = a;
  EXPECT_TRUE(a.SharesBufferWith(b));
  Tensor c = *a.Clone();
  EXPECT_FALSE(a.SharesBufferWith(c));
  EXPECT_TRUE(a.Equals(c));
  c.data<int32_t>()[0] = 9;
  EXPECT_EQ(a.data<int32_t>()[0], 1);
  EXPECT_FALSE(a.Equals(c));
}

TEST(TensorTest, ReshapedSharesAndChecksCount) {
  Tensor a = *Tensor::FromVector<float>(TensorShape({2, 3}),
                                        std::vector<float>{1, 2, 3, 4, 5, 6});
  absl::StatusOr<Tensor> r = a.Reshaped(TensorShape({3, 2}));
  RILL_ASSERT_OK(r);
  EXPECT_TRUE(r->SharesBufferWith(a));
  EXPECT_EQ(r->shape(), TensorShape({3, 2}));
  EXPECT_TRUE(HasError(a.Reshaped(TensorShape({4})), absl::StatusCode::kInvalidArgument,
                       "Cannot reshape a tensor with 6 elements to shape [4]"));
}

TEST(TensorTest, DebugStringAbbreviates) {
  Tensor a = *Tensor::FromVector<float>(TensorShape({4}), std::vector<float>{1, 2.5, 3, 4});
  EXPECT_EQ(a.DebugString(), "float [4] {1, 2.5, 3, 4}");
  EXPECT_EQ(a.DebugString(2), "float [4] {1, 2.5, ... (4 total)}");
  EXPECT_EQ(Tensor::Scalar(true).DebugString(), "bool [] {true}");
}

TEST(TensorTest, DefaultTensorIsNotInitialized) {
  Tensor t;
  EXPECT_FALSE(t.initialized());
  EXPECT_TRUE(Tensor::Scalar(1.0f).initialized());
}

TEST(TensorTest, MovedFromTensorIsUninitialized) {
  Tensor a = *Tensor::FromVector<float>(TensorShape({2, 3, 1, 1, 1}),
                                        std::vector<float>{1, 2, 3, 4, 5, 6});
  Tensor b = std::move(a);
  EXPECT_FALSE(a.initialized());  // NOLINT(bugprone-use-after-move): the contract.
  EXPECT_EQ(a.buffer(), nullptr);
  EXPECT_EQ(a.num_elements(), 0);
  EXPECT_EQ(a.shape(), TensorShape());
  EXPECT_EQ(b.shape(), TensorShape({2, 3, 1, 1, 1}));
  EXPECT_EQ(b.data<float>()[5], 6.0f);
  Tensor c;
  c = std::move(b);
  EXPECT_FALSE(b.initialized());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(c.shape(), TensorShape({2, 3, 1, 1, 1}));
  Tensor& alias = c;
  c = std::move(alias);  // Self-move keeps the tensor.
  EXPECT_TRUE(c.initialized());
  EXPECT_EQ(c.shape(), TensorShape({2, 3, 1, 1, 1}));
}

TEST(TensorTest, ReleaseBufferMovesTheBufferOutAndUninitializes) {
  Tensor t = *Tensor::FromVector<float>(TensorShape({3}), std::vector<float>{1, 2, 3});
  const char* raw = t.buffer().get();
  std::shared_ptr<char> b = t.ReleaseBuffer();
  EXPECT_EQ(b.get(), raw);
  EXPECT_EQ(b.use_count(), 1);  // Moved, not copied.
  EXPECT_FALSE(t.initialized());
  EXPECT_EQ(t.buffer(), nullptr);
  EXPECT_EQ(t.num_elements(), 0);
  EXPECT_EQ(t.shape(), TensorShape());
}

}  // namespace
}  // namespace rill
