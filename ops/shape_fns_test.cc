// Table tests of the shared shape functions, run through Graph::AddNode so
// attr defaults and error wrapping are the real ones.
#include "ops/shape_fns.h"

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "graph/test_util.h"
#include "gtest/gtest.h"
#include "ops/array_ops.h"
#include "ops/math_ops.h"
#include "ops/nn_ops.h"
#include "ops/op_builder.h"
#include "ops/op_registry.h"

namespace rill {
namespace {

using ::rill::testing::HasError;

// "[2,?]" -> {2,-1}; "?" -> unknown rank; "[]" -> scalar.
TensorShape S(const std::string& text) {
  if (text == "?") return TensorShape::Unknown();
  std::string body = text.substr(1, text.size() - 2);
  std::vector<int64_t> dims;
  if (!body.empty()) {
    for (absl::string_view d : absl::StrSplit(body, ',')) {
      dims.push_back(d == "?" ? -1 : std::stoll(std::string(d)));
    }
  }
  return TensorShape(dims);
}

struct Case {
  std::vector<std::string> inputs;
  std::string expected;  // An output shape, or "error:<substring>".
};

class ShapeFnTest : public ::testing::Test {
 protected:
  // Builds `op` over float placeholders of the given shapes and checks output 0.
  void Check(const std::string& op, const std::vector<Case>& cases, AttrMap attrs = {}) {
    for (const Case& c : cases) {
      Scope root = Scope::NewRootScope(&GlobalOpRegistry());
      std::vector<InputArg> args;
      for (const std::string& in : c.inputs) {
        args.emplace_back(ops::Placeholder(root, DT_FLOAT, S(in)));
      }
      Node* n = BuildNode(root, op, args, attrs);
      const std::string label = op + "(" + absl::StrJoin(c.inputs, ", ") + ")";
      if (absl::StartsWith(c.expected, "error:")) {
        EXPECT_EQ(n, nullptr) << label;
        EXPECT_TRUE(HasError(root.status(), absl::StatusCode::kInvalidArgument,
                             c.expected.substr(6)))
            << label;
      } else {
        ASSERT_NE(n, nullptr) << label << ": " << root.status();
        EXPECT_EQ(n->output_shape(0), S(c.expected)) << label;
      }
    }
  }
};

TEST_F(ShapeFnTest, MatMul) {
  Check("MatMul", {{{"[2,3]", "[3,4]"}, "[2,4]"},
                   {{"[?,3]", "[3,4]"}, "[?,4]"},
                   {{"?", "[3,4]"}, "[?,4]"},
                   {{"[2,3]", "[4,5]"}, "error:Dimensions must be equal, but are 3 and 4"},
                   {{"[2,3,1]", "[3,4]"}, "error:Shape must be rank 2 but is rank 3"}});
  Check("MatMul", {{{"[3,2]", "[4,3]"}, "[2,4]"}, {{"[3,2]", "[3,4]"}, "error:but are 3 and 4"}},
        {{"transpose_a", AttrBool(true)}, {"transpose_b", AttrBool(true)}});
}

TEST_F(ShapeFnTest, BiasAdd) {
  Check("BiasAdd", {{{"[2,3]", "[3]"}, "[2,3]"},
                    {{"[?,?]", "[3]"}, "[?,3]"},
                    {{"[2,3]", "[4]"}, "error:Dimensions must be equal, but are 3 and 4"},
                    {{"[3]", "[3]"}, "error:Shape must be at least rank 2 but is rank 1"},
                    {{"[2,3]", "[3,1]"}, "error:Shape must be rank 1 but is rank 2"}});
  Check("BiasAdd", {{{"[2,3,4,5]", "[3]"}, "[2,3,4,5]"}},
        {{"data_format", AttrString("NCHW")}});
}

TEST_F(ShapeFnTest, BroadcastBinary) {
  Check("AddV2", {{{"[2,3]", "[3]"}, "[2,3]"},
                  {{"[2,1]", "[1,3]"}, "[2,3]"},
                  {{"[2,1,3]", "[4,1]"}, "[2,4,3]"},
                  {{"[]", "[5,2]"}, "[5,2]"},
                  {{"[?,3]", "[3]"}, "[?,3]"},
                  {{"[?]", "[1]"}, "[?]"},
                  {{"[?]", "[5]"}, "[5]"},
                  {{"?", "[5]"}, "?"},
                  {{"[2,3]", "[4]"}, "error:Dimensions must be equal, but are 3 and 4"}});
  Check("Mul", {{{"[0,3]", "[1]"}, "[0,3]"}});
}

TEST_F(ShapeFnTest, Unchanged) {
  Check("Sigmoid", {{{"[?,7]"}, "[?,7]"}, {{"?"}, "?"}});
  Check("Relu", {{{"[]"}, "[]"}});
}

TEST(ConcatSplitShapeTest, ConcatV2) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Output a = ops::Placeholder(root, DT_FLOAT, S("[2,3]"));
  Output b = ops::Placeholder(root, DT_FLOAT, S("[?,5]"));
  EXPECT_EQ(ops::Concat(root, {a, b}, 1).shape(), S("[2,8]"));
  EXPECT_EQ(ops::Concat(root, {a, b}, -1).shape(), S("[2,8]"));
  Output unknown_axis = ops::Placeholder(root, DT_INT32, S("[]"));
  EXPECT_EQ(ops::ConcatV2(root, {a, b}, unknown_axis).shape(), S("[?,?]"));
  RILL_ASSERT_OK(root.status());
  ops::Concat(root, {a, b}, 0);
  EXPECT_TRUE(HasError(root.status(), absl::StatusCode::kInvalidArgument,
                       "Dimension 1 in both shapes must be equal, but are 3 and 5"));

  Scope r2 = Scope::NewRootScope(&GlobalOpRegistry());
  Output c = ops::Placeholder(r2, DT_FLOAT, S("[2,3]"));
  ops::Concat(r2, {c, c}, 2);
  EXPECT_TRUE(HasError(r2.status(), absl::StatusCode::kInvalidArgument,
                       "Expected concatenating dimensions in the range [-2, 2), but got 2"));
  Scope r3 = Scope::NewRootScope(&GlobalOpRegistry());
  Output d = ops::Placeholder(r3, DT_FLOAT, S("[2]"));
  Output e = ops::Placeholder(r3, DT_FLOAT, S("[2,2]"));
  ops::Concat(r3, {d, e}, 0);
  EXPECT_TRUE(HasError(r3.status(), absl::StatusCode::kInvalidArgument,
                       "Shape must be rank 1 but is rank 2"));
}

TEST(ConcatSplitShapeTest, Split) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Output a = ops::Placeholder(root, DT_FLOAT, S("[?,6]"));
  std::vector<Output> parts = ops::Split(root, 1, a, 3);
  ASSERT_EQ(parts.size(), 3u);
  for (const Output& p : parts) EXPECT_EQ(p.shape(), S("[?,2]"));
  ops::Split(root, 1, a, 4);
  EXPECT_TRUE(HasError(root.status(), absl::StatusCode::kInvalidArgument,
                       "Number of ways to split should evenly divide the split dimension, but "
                       "got split_dim 1 (size = 6) and num_split 4"));
}

TEST(ArrayShapeTest, FillReshapeShape) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Output dims = ops::Placeholder(root, DT_INT32, S("[3]"));
  EXPECT_EQ(ops::Fill(root, dims, ops::Const(root, 1.0f)).shape(), S("[?,?,?]"));
  Output neg = ops::ConstInt32(root, {2, -3}, S("[2]"));
  RILL_ASSERT_OK(root.status());
  ops::Fill(root, neg, ops::Const(root, 1.0f));
  EXPECT_TRUE(HasError(root.status(), absl::StatusCode::kInvalidArgument,
                       "Fill dimensions must be >= 0, got -3"));

  Scope r2 = Scope::NewRootScope(&GlobalOpRegistry());
  Output x = ops::Placeholder(r2, DT_FLOAT, S("[2,6]"));
  EXPECT_EQ(ops::Reshape(r2, x, ops::ConstInt32(r2, {3, -1}, S("[2]"))).shape(), S("[3,4]"));
  EXPECT_EQ(ops::Shape(r2, x).shape(), S("[2]"));
  RILL_ASSERT_OK(r2.status());
  ops::Reshape(r2, x, ops::ConstInt32(r2, {5, -1}, S("[2]")));
  EXPECT_TRUE(HasError(r2.status(), absl::StatusCode::kInvalidArgument,
                       "Input to reshape is a tensor with 12 values, but the requested shape "
                       "requires a multiple of 5"));
  Scope r4 = Scope::NewRootScope(&GlobalOpRegistry());
  Output z = ops::Placeholder(r4, DT_FLOAT, S("[2,6]"));
  ops::Reshape(r4, z, ops::ConstInt32(r4, {5, 2}, S("[2]")));
  EXPECT_TRUE(HasError(r4.status(), absl::StatusCode::kInvalidArgument,
                       "Cannot reshape a tensor with 12 elements to shape [5,2] (10 elements)"));
  Scope r3 = Scope::NewRootScope(&GlobalOpRegistry());
  Output y = ops::Placeholder(r3, DT_FLOAT, S("[4]"));
  ops::Reshape(r3, y, ops::ConstInt32(r3, {-1, -1}, S("[2]")));
  EXPECT_TRUE(HasError(r3.status(), absl::StatusCode::kInvalidArgument,
                       "Only one input size may be -1, not both 0 and 1"));
}

TEST(PlaceholderShapeTest, WithDefault) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Output def = ops::Const(root, {1, 2, 3}, S("[3]"));
  EXPECT_EQ(ops::PlaceholderWithDefault(root, def, S("[?]")).shape(), S("[?]"));
  ops::PlaceholderWithDefault(root, def, S("[4]"));
  EXPECT_TRUE(HasError(root.status(), absl::StatusCode::kInvalidArgument,
                       "is not compatible with the shape attr [4]"));
}

}  // namespace
}  // namespace rill
