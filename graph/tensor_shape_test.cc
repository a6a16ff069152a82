#include "graph/tensor_shape.h"

#include <limits>

#include "graph/test_util.h"
#include "gtest/gtest.h"

namespace rill {
namespace {

using ::rill::testing::HasError;

TEST(TensorShapeTest, ToStringForms) {
  EXPECT_EQ(TensorShape({-1, 3}).ToString(), "[?,3]");
  EXPECT_EQ(TensorShape().ToString(), "[]");
  EXPECT_EQ(TensorShape::Unknown().ToString(), "<unknown>");
  EXPECT_EQ(TensorShape({2, 4}).ToPythonString(), "(2, 4)");
  EXPECT_EQ(TensorShape({-1, 3}).ToPythonString(), "(?, 3)");
  EXPECT_EQ(TensorShape({2}).ToPythonString(), "(2,)");
  EXPECT_EQ(TensorShape().ToPythonString(), "()");
}

TEST(TensorShapeTest, FullyDefinedAndNumElements) {
  EXPECT_TRUE(TensorShape({2, 3}).IsFullyDefined());
  EXPECT_FALSE(TensorShape({2, -1}).IsFullyDefined());
  EXPECT_FALSE(TensorShape::Unknown().IsFullyDefined());
  EXPECT_EQ(*TensorShape({2, 3, 4}).NumElements(), 24);
  EXPECT_EQ(*TensorShape().NumElements(), 1);
  EXPECT_EQ(*TensorShape({5, 0}).NumElements(), 0);
}

TEST(TensorShapeTest, NumElementsOverflowIsAnError) {
  const int64_t big = int64_t{1} << 40;
  EXPECT_TRUE(HasError(TensorShape({big, big}).NumElements(),
                       absl::StatusCode::kInvalidArgument, "more elements than fit in int64"));
  // A zero dim anywhere makes the product zero, never an overflow.
  EXPECT_EQ(*TensorShape({big, big, 0}).NumElements(), 0);
}

TEST(TensorShapeTest, NumElementsOrUnknown) {
  const int64_t big = int64_t{1} << 40;
  EXPECT_EQ(TensorShape({2, 3, 4}).num_elements_or_unknown(), 24);
  EXPECT_EQ(TensorShape().num_elements_or_unknown(), 1);
  EXPECT_EQ(TensorShape({2, -1}).num_elements_or_unknown(), -1);
  EXPECT_EQ(TensorShape::Unknown().num_elements_or_unknown(), -1);
  EXPECT_EQ(TensorShape({big, big}).num_elements_or_unknown(), -1);
  EXPECT_EQ(TensorShape({big, big, 0}).num_elements_or_unknown(), 0);
  EXPECT_EQ(TensorShape({0, big, big}).num_elements_or_unknown(), 0);
  EXPECT_EQ(TensorShape({1, 2, 3, 4, 5, 6}).num_elements_or_unknown(), 720);
}

// Ranks above the four stored inline live on the heap; copies, comparisons,
// AddDim across the boundary and merges must not care where.
TEST(TensorShapeTest, RanksBeyondTheInlineStorage) {
  TensorShape s({1, 2, 3, 4});
  s.AddDim(5);
  s.AddDim(-1);
  const TensorShape copy = s;
  EXPECT_EQ(copy, TensorShape(std::vector<int64_t>{1, 2, 3, 4, 5, -1}));
  EXPECT_EQ(copy.ToString(), "[1,2,3,4,5,?]");
  EXPECT_NE(copy, TensorShape({1, 2, 3, 4, 5}));
  absl::StatusOr<TensorShape> merged = copy.Merge(TensorShape({-1, 2, 3, 4, 5, 6}));
  ASSERT_TRUE(merged.ok());
  EXPECT_EQ(*merged, TensorShape({1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(*merged->NumElements(), 720);
  EXPECT_EQ(copy.dims().size(), 6u);  // The copy kept its own dims.

  // Assignments across the inline boundary, both ways, and moves.
  TensorShape small({7, 8});
  small = copy;
  EXPECT_EQ(small, copy);
  small = TensorShape({9});
  EXPECT_EQ(small, TensorShape({9}));
  EXPECT_EQ(small.ToString(), "[9]");
  TensorShape moved = std::move(small = copy);
  EXPECT_EQ(moved, copy);
  TensorShape target({1});
  target = std::move(moved);
  EXPECT_EQ(target, copy);
  EXPECT_EQ(moved, TensorShape());  // NOLINT(bugprone-use-after-move): moved-from is a scalar.
  moved.AddDim(3);
  EXPECT_EQ(moved, TensorShape({3}));
}

TEST(TensorShapeTest, CompatibilityAndMerge) {
  EXPECT_TRUE(TensorShape({-1, 3}).IsCompatibleWith(TensorShape({2, 3})));
  EXPECT_FALSE(TensorShape({-1, 3}).IsCompatibleWith(TensorShape({2, 4})));
  EXPECT_FALSE(TensorShape({3}).IsCompatibleWith(TensorShape({3, 1})));
  EXPECT_TRUE(TensorShape::Unknown().IsCompatibleWith(TensorShape({7})));
  EXPECT_EQ(*TensorShape({-1, 3}).Merge(TensorShape({2, -1})), TensorShape({2, 3}));
  EXPECT_TRUE(HasError(TensorShape({2, 3}).Merge(TensorShape({2, 4})),
                       absl::StatusCode::kInvalidArgument,
                       "Dimension 1 in both shapes must be equal, but are 3 and 4. "
                       "Shapes are [2,3] and [2,4]."));
  EXPECT_TRUE(HasError(TensorShape({2}).Merge(TensorShape({2, 4})),
                       absl::StatusCode::kInvalidArgument, "Shapes must be equal rank"));
}

TEST(TensorShapeTest, ProtoRoundTripAndValidation) {
  for (const TensorShape& s : {TensorShape({-1, 3}), TensorShape(), TensorShape::Unknown()}) {
    pb::TensorShapeProto p;
    s.ToProto(&p);
    EXPECT_EQ(*TensorShape::FromProto(p), s);
  }
  pb::TensorShapeProto bad;
  bad.add_dim()->set_size(-7);
  EXPECT_TRUE(HasError(TensorShape::FromProto(bad), absl::StatusCode::kInvalidArgument,
                       "negative dimension -7"));
  pb::TensorShapeProto deep;
  for (int i = 0; i < kMaxRank + 1; ++i) deep.add_dim()->set_size(1);
  EXPECT_TRUE(HasError(TensorShape::FromProto(deep), absl::StatusCode::kInvalidArgument,
                       "more than the maximum"));
  pb::TensorShapeProto both;
  both.set_unknown_rank(true);
  both.add_dim()->set_size(1);
  EXPECT_FALSE(TensorShape::FromProto(both).ok());
}

}  // namespace
}  // namespace rill
