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
