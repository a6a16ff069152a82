// Test harness for single kernels: runs one node's kernel the way the
// executor does (run-time output shapes, kernel from GlobalKernelRegistry(),
// an EigenDevice of KernelRunOptions::num_threads), without a Session.
//
//   Scope root = Scope::NewRootScope(&GlobalOpRegistry());
//   Output a = ops::Placeholder(root.WithOpName("a"), DT_FLOAT, TensorShape({-1, 3}));
//   Output b = ops::Const(root, {1, 2, 3, 4, 5, 6}, TensorShape({3, 2}));
//   Output c = ops::MatMul(root, a, b);
//   ASSERT_TRUE(root.ok());
//   absl::StatusOr<Tensor> out =
//       RunKernel(c, {{a.node, MakeTensor<float>({1, 3}, {1, 0, 0})}});
//   EXPECT_TRUE(TensorEquals<float>(*out, {1, 2}, {1, 2}));
//
// Inputs that are not fed are computed by running their producers' kernels
// the same way (Const shares its value; an unfed Placeholder fails).
#ifndef RILL_RUNTIME_KERNELS_KERNEL_TEST_UTIL_H_
#define RILL_RUNTIME_KERNELS_KERNEL_TEST_UTIL_H_

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "graph/node.h"
#include "graph/status_macros.h"
#include "graph/tensor.h"
#include "gtest/gtest.h"

namespace rill {
namespace testing {

// Values of fed nodes: node -> its output 0.
using KernelFeeds = std::map<const Node*, Tensor>;

struct KernelRunOptions {
  // Threads of the EigenDevice the kernels run on.
  int num_threads = 1;
  // The per-tensor byte cap allocate_output enforces.
  int64_t max_tensor_bytes = kDefaultMaxTensorBytes;
};

// Runs `node`'s kernel and returns all its outputs. Errors are those of the
// inputs' producers, ComputeOutputShapes, kernel creation or Compute, or
// Internal when the kernel broke its contract (an output unset, or of the
// wrong dtype or shape).
absl::StatusOr<std::vector<Tensor>> RunNode(const Node& node, const KernelFeeds& feeds = {},
                                            const KernelRunOptions& options = {});

// Runs `output.node` and returns output `output.index`.
absl::StatusOr<Tensor> RunKernel(const Output& output, const KernelFeeds& feeds = {},
                                 const KernelRunOptions& options = {});

// A tensor of `shape` holding `values` (row-major). Aborts on a size
// mismatch: that is a bug in the test.
template <typename T>
Tensor MakeTensor(const TensorShape& shape, const std::vector<T>& values) {
  absl::StatusOr<Tensor> t = Tensor::Allocate(DataTypeOf<T>(), shape);
  RILL_CHECK(t.ok() && t->num_elements() == static_cast<int64_t>(values.size()));
  for (size_t i = 0; i < values.size(); ++i) t->data<T>()[i] = values[i];
  return *std::move(t);
}

template <typename T>
std::vector<T> Values(const Tensor& t) {
  return std::vector<T>(t.data<T>(), t.data<T>() + t.num_elements());
}

// Success when `t` has T's dtype, `shape`, and values within `tolerance` of
// `expected` (exactly equal for tolerance 0; NaN never matches).
template <typename T>
::testing::AssertionResult TensorNear(const Tensor& t, const TensorShape& shape,
                                      const std::vector<T>& expected, double tolerance) {
  if (t.dtype() != DataTypeOf<T>() || t.shape() != shape) {
    return ::testing::AssertionFailure()
           << "got " << t.DebugString() << ", expected " << DataTypeString(DataTypeOf<T>())
           << " " << shape.ToString();
  }
  if (t.num_elements() != static_cast<int64_t>(expected.size())) {
    return ::testing::AssertionFailure() << "expected has " << expected.size() << " values";
  }
  for (size_t i = 0; i < expected.size(); ++i) {
    const T got = t.data<T>()[i];
    const bool ok = tolerance == 0
                        ? got == expected[i]
                        : std::abs(static_cast<double>(got) - static_cast<double>(expected[i])) <=
                              tolerance;
    if (!ok) {
      return ::testing::AssertionFailure()
             << "element " << i << " is " << got << ", expected " << expected[i] << " in "
             << t.DebugString(64);
    }
  }
  return ::testing::AssertionSuccess();
}

template <typename T>
::testing::AssertionResult TensorEquals(const Tensor& t, const TensorShape& shape,
                                        const std::vector<T>& expected) {
  return TensorNear<T>(t, shape, expected, 0);
}

// A float [rows, cols] matrix holding start, start + 1, ... row-major.
inline Tensor IotaMatrix(int64_t rows, int64_t cols, float start) {
  Tensor t = *Tensor::Allocate(DT_FLOAT, TensorShape({rows, cols}));
  for (int64_t i = 0; i < rows * cols; ++i) t.data<float>()[i] = start + i;
  return t;
}

// Whether `data`, rows `ld` floats apart, holds exactly the matrix `m`.
inline ::testing::AssertionResult SameMatrixAt(const Tensor& m, const float* data, int64_t ld) {
  for (int64_t r = 0; r < m.dim(0); ++r) {
    for (int64_t c = 0; c < m.dim(1); ++c) {
      if (data[r * ld + c] != m.data<float>()[r * m.dim(1) + c]) {
        return ::testing::AssertionFailure() << "element (" << r << "," << c << ") is "
                                             << data[r * ld + c];
      }
    }
  }
  return ::testing::AssertionSuccess();
}

}  // namespace testing
}  // namespace rill

#endif  // RILL_RUNTIME_KERNELS_KERNEL_TEST_UTIL_H_
