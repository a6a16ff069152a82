// Table tests of the shared shape functions, run through Graph::AddNode so
// attr defaults and error wrapping are the real ones.
#include "ops/shape_fns.h"

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "graph/test_util.h"
#include "gtest/gtest.h"
#include "ops/array_ops.h"
#include "ops/linalg_ops.h"
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

TEST_F(ShapeFnTest, Qr) {
  Check("Qr", {{{"[4,3]"}, "[4,3]"},
               {{"[3,5]"}, "[3,3]"},
               {{"[2,7,?]"}, "[2,7,?]"},
               {{"[?,?]"}, "[?,?]"},
               {{"[0,5]"}, "[0,0]"},
               {{"?"}, "?"},
               {{"[3]"}, "error:Shape must be at least rank 2 but is rank 1"}});
  Check("Qr", {{{"[4,3]"}, "[4,4]"}, {{"[2,3,5]"}, "[2,3,3]"}},
        {{"full_matrices", AttrBool(true)}});
}

TEST(LinalgShapeTest, QrOutputs) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Output a = ops::Placeholder(root, DT_FLOAT, S("[2,6,4]"));
  ops::QrOutputs thin = ops::Qr(root, a);
  EXPECT_EQ(thin.q.shape(), S("[2,6,4]"));
  EXPECT_EQ(thin.r.shape(), S("[2,4,4]"));
  ops::QrOutputs full = ops::Qr(root, a, /*full_matrices=*/true);
  EXPECT_EQ(full.q.shape(), S("[2,6,6]"));
  EXPECT_EQ(full.r.shape(), S("[2,6,4]"));
  // min(?, 3) is unknown, min(?, 0) is 0 (TensorFlow's InferenceContext::Min).
  ops::QrOutputs partial = ops::Qr(root, ops::Placeholder(root, DT_DOUBLE, S("[?,3]")));
  EXPECT_EQ(partial.q.shape(), S("[?,?]"));
  EXPECT_EQ(partial.r.shape(), S("[?,3]"));
  ops::QrOutputs zero = ops::Qr(root, ops::Placeholder(root, DT_FLOAT, S("[?,0]")));
  EXPECT_EQ(zero.q.shape(), S("[?,0]"));
  EXPECT_EQ(zero.r.shape(), S("[0,0]"));
  RILL_ASSERT_OK(root.status());
  EXPECT_EQ(thin.q.node->name(), "Qr");
  EXPECT_FALSE(thin.q.node->attrs().at("full_matrices").b());
  EXPECT_EQ(thin.q.node->attrs().at("T").type(), DT_FLOAT);
}

TEST_F(ShapeFnTest, DiagPartAndMatrixDiagPart) {
  Check("DiagPart", {{{"[3,3]"}, "[3]"},
                     {{"[?,3]"}, "[3]"},
                     {{"[2,3,2,?]"}, "[2,3]"},
                     {{"[0,0]"}, "[0]"},
                     {{"?"}, "?"},
                     {{"[2,3]"}, "error:Dimensions must be equal, but are 2 and 3"},
                     {{"[]"}, "error:Input must have even and non-zero rank, input rank is 0"},
                     {{"[2,2,2]"}, "error:Input must have even and non-zero rank, input rank is 3"}});
  Check("MatrixDiagPart", {{{"[3,5]"}, "[3]"},
                           {{"[4,2,5]"}, "[4,2]"},
                           {{"[7,?]"}, "[?]"},
                           {{"[?,0]"}, "[0]"},
                           {{"?"}, "?"},
                           {{"[3]"}, "error:Shape must be at least rank 2 but is rank 1"}});
}

TEST_F(ShapeFnTest, Sign) { Check("Sign", {{{"[?,7]"}, "[?,7]"}, {{"[]"}, "[]"}, {{"?"}, "?"}}); }

TEST(TransposeShapeTest, KnownPerm) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Output x = ops::Placeholder(root, DT_FLOAT, S("[2,?,4]"));
  EXPECT_EQ(ops::Transpose(root, x, std::vector<int>{2, 0, 1}).shape(), S("[4,2,?]"));
  EXPECT_EQ(ops::Transpose(root, x, std::vector<int>{0, 1, 2}).shape(), S("[2,?,4]"));
  // Unknown rank: the perm's length gives it.
  Output u = ops::Placeholder(root, DT_FLOAT);
  EXPECT_EQ(ops::Transpose(root, u, std::vector<int>{1, 0}).shape(), S("[?,?]"));
  EXPECT_EQ(ops::Transpose(root, u, std::vector<int>{0}).shape(), S("?"));
  // Unknown perm: unknown dims of x's rank (or the perm's length).
  Output p = ops::Placeholder(root, DT_INT32);
  EXPECT_EQ(ops::Transpose(root, x, p).shape(), S("[?,?,?]"));
  EXPECT_EQ(ops::Transpose(root, u, p).shape(), S("?"));
  EXPECT_EQ(ops::Transpose(root, u, ops::Placeholder(root, DT_INT64, S("[3]"))).shape(),
            S("[?,?,?]"));
  RILL_ASSERT_OK(root.status());
}

TEST(TransposeShapeTest, RejectsWhatIsNotAPermutation) {
  struct Case {
    std::string x;
    std::vector<int> perm;
    std::string error;
  };
  for (const Case& c : std::vector<Case>{
           {"[2,3]", {0, 0}, "1 is missing from {0,0}."},
           {"[2,3,4]", {2, 0, 2}, "1 is missing from {2,0,2}."},
           {"[2,3]", {0, 2}, "perm dim 2 is out of range of input rank 2"},
           {"[2,3]", {-1, 0}, "perm dim -1 is out of range of input rank 2"},
           {"[2,3]", {1, 0, 2},
            "transpose expects a vector of size 2. But input(1) is a vector of size 3"},
           {"[2,3,4]", {1, 0},
            "transpose expects a vector of size 3. But input(1) is a vector of size 2"},
           {"?", {1, 1}, "0 is missing from {1,1}."}}) {
    Scope root = Scope::NewRootScope(&GlobalOpRegistry());
    ops::Transpose(root, ops::Placeholder(root, DT_FLOAT, S(c.x)), c.perm);
    EXPECT_TRUE(HasError(root.status(), absl::StatusCode::kInvalidArgument, c.error)) << c.x;
  }
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Output x = ops::Placeholder(root, DT_FLOAT, S("[2,3]"));
  ops::Transpose(root, x, ops::Placeholder(root, DT_INT32, S("[3]")));
  EXPECT_TRUE(HasError(root.status(), absl::StatusCode::kInvalidArgument,
                       "transpose expects a vector of size 2. But input(1) is a vector of size 3"));
  Scope r2 = Scope::NewRootScope(&GlobalOpRegistry());
  ops::Transpose(r2, ops::Placeholder(r2, DT_FLOAT, S("[2,3]")),
                 ops::Placeholder(r2, DT_INT32, S("[]")));
  EXPECT_TRUE(HasError(r2.status(), absl::StatusCode::kInvalidArgument,
                       "Shape must be rank 1 but is rank 0"));
  // A perm longer than the maximum rank.
  Scope r3 = Scope::NewRootScope(&GlobalOpRegistry());
  ops::Transpose(r3, ops::Placeholder(r3, DT_FLOAT),
                 ops::Placeholder(r3, DT_INT32, S("[" + std::to_string(kMaxRank + 1) + "]")));
  EXPECT_TRUE(HasError(r3.status(), absl::StatusCode::kInvalidArgument, "exceeds the maximum"));
}

TEST(TransposeShapeTest, NodeNamesMatchTensorFlow) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Output x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT, S("[2,3,4]"));
  Output t = ops::Transpose(root, x, std::vector<int>{1, 0, 2});
  Output t1 = ops::Transpose(root, x, std::vector<int>{2, 1, 0});
  Output m = ops::MatrixTranspose(root, x);
  RILL_ASSERT_OK(root.status());
  EXPECT_EQ(t.node->name(), "transpose");
  EXPECT_EQ(t.node->input(1).node->name(), "transpose/perm");
  EXPECT_EQ(t1.node->name(), "transpose_1");
  EXPECT_EQ(t1.node->input(1).node->name(), "transpose_1/perm");
  EXPECT_EQ(t.node->attrs().at("Tperm").type(), DT_INT32);
  EXPECT_EQ(m.node->name(), "matrix_transpose/transpose");
  EXPECT_EQ(m.node->input(1).node->name(), "matrix_transpose/transpose/perm");
  EXPECT_EQ(m.shape(), S("[2,4,3]"));
  const Tensor* perm = m.node->input(1).node->const_value();
  ASSERT_NE(perm, nullptr);
  EXPECT_EQ(perm->dtype(), DT_INT32);
  EXPECT_EQ(std::vector<int32_t>(perm->data<int32_t>(), perm->data<int32_t>() + 3),
            (std::vector<int32_t>{0, 2, 1}));
  ops::MatrixTranspose(root, ops::Placeholder(root, DT_FLOAT, S("[3]")));
  EXPECT_TRUE(HasError(root.status(), absl::StatusCode::kInvalidArgument,
                       "Argument 'a' should be a (batch) matrix, with rank >= 2.  Found: (3,)"));
}

}  // namespace
}  // namespace rill
