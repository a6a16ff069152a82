// Test helpers shared by the graph/, ops/ and runtime/ tests.
#ifndef RILL_GRAPH_TEST_UTIL_H_
#define RILL_GRAPH_TEST_UTIL_H_

#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "graph/tensor.h"
#include "gtest/gtest.h"

#define RILL_ASSERT_OK(expr)                                 \
  do {                                                       \
    const ::absl::Status rill_s_ = ::rill::testing::ToStatus(expr); \
    ASSERT_TRUE(rill_s_.ok()) << rill_s_;                    \
  } while (0)

#define RILL_EXPECT_OK(expr)                                 \
  do {                                                       \
    const ::absl::Status rill_s_ = ::rill::testing::ToStatus(expr); \
    EXPECT_TRUE(rill_s_.ok()) << rill_s_;                    \
  } while (0)

namespace rill {
namespace testing {

inline absl::Status ToStatus(const absl::Status& s) { return s; }
template <typename T>
absl::Status ToStatus(const absl::StatusOr<T>& s) {
  return s.status();
}

// Asserts `s` has `code` and a message containing `substr`.
template <typename S>
::testing::AssertionResult HasError(const S& s, absl::StatusCode code,
                                    const std::string& substr) {
  absl::Status st = ToStatus(s);
  if (st.code() == code && absl::StrContains(st.message(), substr)) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "expected " << absl::StatusCodeToString(code) << " containing \"" << substr
         << "\", got " << st;
}

// Expects float tensors `a` and `b` to have the same count and shapes and
// every element within `tolerance`.
inline void ExpectFloatTensorsNear(const std::vector<Tensor>& a, const std::vector<Tensor>& b,
                                   double tolerance) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t t = 0; t < a.size(); ++t) {
    ASSERT_EQ(a[t].shape(), b[t].shape());
    for (int64_t i = 0; i < a[t].num_elements(); ++i) {
      EXPECT_NEAR(a[t].data<float>()[i], b[t].data<float>()[i], tolerance) << t << "," << i;
    }
  }
}

}  // namespace testing
}  // namespace rill

#endif  // RILL_GRAPH_TEST_UTIL_H_
