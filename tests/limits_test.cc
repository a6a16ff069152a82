// Resource limits on hostile sizes: a tensor asking for 2^40 elements gets
// ResourceExhausted (never an OOM kill), and a shape whose element count
// overflows int64 ([2^40, 2^40]) is InvalidArgument wherever a shape comes
// from input: Const values, Placeholder/VariableV2 shape attrs, Fill and
// Reshape at run time, .npy headers. Also the per-tensor and per-run caps of
// SessionOptions and Graph::set_max_tensor_bytes.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "graph/graph_def.h"
#include "graph/test_util.h"
#include "gtest/gtest.h"
#include "ops/op_registry.h"
#include "runtime/npy.h"
#include "runtime/session.h"

namespace rill {
namespace {

using ::rill::testing::HasError;

constexpr int64_t k2To40 = int64_t{1} << 40;

// Text-format node helpers, so each test reads as the graph it imports.
std::string ShapeText(const std::vector<int64_t>& dims) {
  std::string s = "shape {";
  for (int64_t d : dims) absl::StrAppend(&s, " dim { size: ", d, " }");
  return s + " }";
}

std::string PlaceholderNode(const std::string& name, const std::string& dtype,
                            const std::vector<int64_t>& dims) {
  return absl::StrCat("node { name: '", name, "' op: 'Placeholder' attr { key: 'dtype' value { type: ",
                      dtype, " } } attr { key: 'shape' value { ", ShapeText(dims), " } } }\n");
}

// A Const of `dtype` and shape `dims` holding one typed value (TF's fill
// rule repeats it), `value_field` being e.g. "float_val: 1".
std::string ConstNode(const std::string& name, const std::string& dtype,
                      const std::vector<int64_t>& dims, const std::string& value_field) {
  std::string tensor_shape = "tensor_shape {";
  for (int64_t d : dims) absl::StrAppend(&tensor_shape, " dim { size: ", d, " }");
  tensor_shape += " }";
  return absl::StrCat("node { name: '", name, "' op: 'Const' attr { key: 'dtype' value { type: ",
                      dtype, " } } attr { key: 'value' value { tensor { dtype: ", dtype, " ",
                      tensor_shape, " ", value_field, " } } } }\n");
}

std::string Int64Values(const std::vector<int64_t>& v) {
  std::vector<std::string> parts;
  for (int64_t x : v) parts.push_back(absl::StrCat("int64_val: ", x));
  return absl::StrJoin(parts, " ");
}

std::string FillNode(const std::string& name, const std::string& dims, const std::string& value,
                     const std::string& index_type = "DT_INT64") {
  return absl::StrCat("node { name: '", name, "' op: 'Fill' input: '", dims, "' input: '", value,
                      "' attr { key: 'T' value { type: DT_FLOAT } } attr { key: 'index_type' "
                      "value { type: ", index_type, " } } }\n");
}

absl::StatusOr<std::unique_ptr<Session>> SessionFromText(const std::string& text,
                                                         SessionOptions options = {}) {
  absl::StatusOr<pb::GraphDef> def = ParseGraphDef(text, /*text=*/true);
  if (!def.ok()) return def.status();
  return Session::Create(*def, options);
}

Tensor Int64Vector(const std::vector<int64_t>& v) {
  return *Tensor::FromVector<int64_t>(TensorShape({static_cast<int64_t>(v.size())}), v);
}

TEST(TensorCapTest, ConstOf2To40ElementsIsResourceExhausted) {
  EXPECT_TRUE(HasError(SessionFromText(ConstNode("c", "DT_FLOAT", {k2To40}, "float_val: 1")),
                       absl::StatusCode::kResourceExhausted, "more than the cap"));
  // The graph's own cap (Graph::set_max_tensor_bytes) applies to Consts too.
  pb::GraphDef def = *ParseGraphDef(ConstNode("c", "DT_FLOAT", {1024}, "float_val: 1"), true);
  RILL_EXPECT_OK(GraphFromGraphDef(def, &GlobalOpRegistry(), 4096));
  EXPECT_TRUE(HasError(GraphFromGraphDef(def, &GlobalOpRegistry(), 4095),
                       absl::StatusCode::kResourceExhausted, "cap of 4095 bytes"));
  SessionOptions small;
  small.max_tensor_bytes = 1000;
  EXPECT_TRUE(HasError(Session::Create(def, small), absl::StatusCode::kResourceExhausted, "c"));
}

TEST(TensorCapTest, FillOf2To40ElementsIsResourceExhausted) {
  // Static dims: the import only infers the shape; the run refuses to allocate.
  auto s = SessionFromText(ConstNode("dims", "DT_INT64", {1}, Int64Values({k2To40})) +
                           ConstNode("one", "DT_FLOAT", {}, "float_val: 1") +
                           FillNode("fill", "dims", "one"));
  RILL_ASSERT_OK(s);
  EXPECT_TRUE(HasError((*s)->Run({}, {"fill"}), absl::StatusCode::kResourceExhausted,
                       "more than the cap"));
  // Dims fed at run time, with the default 16 GiB cap and with a small one.
  const std::string fed = PlaceholderNode("dims", "DT_INT64", {-1}) +
                          ConstNode("one", "DT_FLOAT", {}, "float_val: 1") +
                          FillNode("fill", "dims", "one");
  s = SessionFromText(fed);
  RILL_ASSERT_OK(s);
  EXPECT_TRUE(HasError((*s)->Run({{"dims", Int64Vector({k2To40})}}, {"fill"}),
                       absl::StatusCode::kResourceExhausted, "more than the cap"));
  SessionOptions small;
  small.max_tensor_bytes = 1 << 20;
  s = SessionFromText(fed, small);
  RILL_ASSERT_OK(s);
  EXPECT_TRUE(HasError((*s)->Run({{"dims", Int64Vector({1 << 18, 2})}}, {"fill"}),
                       absl::StatusCode::kResourceExhausted, "cap of 1048576 bytes"));
  // The session stays usable after the refusal.
  auto ok = (*s)->Run({{"dims", Int64Vector({2, 3})}}, {"fill"});
  RILL_ASSERT_OK(ok);
  EXPECT_EQ((*ok)[0].shape(), TensorShape({2, 3}));
}

TEST(TensorCapTest, RandomOf2To40ElementsIsResourceExhausted) {
  auto s = SessionFromText(
      ConstNode("shape", "DT_INT64", {2}, Int64Values({k2To40, 1})) +
      "node { name: 'r' op: 'RandomUniform' input: 'shape' attr { key: 'T' value { type: "
      "DT_INT64 } } attr { key: 'dtype' value { type: DT_FLOAT } } }\n");
  RILL_ASSERT_OK(s);
  EXPECT_TRUE(HasError((*s)->Run({}, {"r"}), absl::StatusCode::kResourceExhausted, "cap"));
}

TEST(TensorCapTest, PerRunCapCountsEveryAllocation) {
  SessionOptions options;
  options.max_run_bytes = 1 << 20;  // Each Fill is 512 KiB: two fit, three do not.
  std::string text = PlaceholderNode("dims", "DT_INT64", {-1}) +
                     ConstNode("one", "DT_FLOAT", {}, "float_val: 1");
  for (int i = 0; i < 3; ++i) text += FillNode(absl::StrCat("fill", i), "dims", "one");
  auto s = SessionFromText(text, options);
  RILL_ASSERT_OK(s);
  const Tensor dims = Int64Vector({128, 1024});
  RILL_EXPECT_OK((*s)->Run({{"dims", dims}}, {"fill0", "fill1"}));
  EXPECT_TRUE(HasError((*s)->Run({{"dims", dims}}, {"fill0", "fill1", "fill2"}),
                       absl::StatusCode::kResourceExhausted, "per-run cap of 1048576 bytes"));
}

TEST(ShapeOverflowTest, ConstShapeIsChecked) {
  EXPECT_TRUE(
      HasError(SessionFromText(ConstNode("c", "DT_FLOAT", {k2To40, k2To40}, "float_val: 1")),
               absl::StatusCode::kInvalidArgument, "too large"));
  // A zero dimension makes the count 0, however large the others are.
  RILL_EXPECT_OK(SessionFromText(ConstNode("c", "DT_FLOAT", {k2To40, 0, k2To40}, "")));
}

TEST(ShapeOverflowTest, PlaceholderAndVariableShapeAttrsAreChecked) {
  EXPECT_TRUE(HasError(SessionFromText(PlaceholderNode("x", "DT_FLOAT", {k2To40, k2To40})),
                       absl::StatusCode::kInvalidArgument, "too large"));
  // Unknown dimensions do not hide an overflow of the known ones.
  EXPECT_TRUE(HasError(SessionFromText(PlaceholderNode("x", "DT_FLOAT", {k2To40, -1, k2To40})),
                       absl::StatusCode::kInvalidArgument, "too large"));
  EXPECT_TRUE(HasError(
      SessionFromText(absl::StrCat(
          "node { name: 'v' op: 'VariableV2' attr { key: 'dtype' value { type: DT_FLOAT } } "
          "attr { key: 'shape' value { ",
          ShapeText({k2To40, k2To40}), " } } }\n")),
      absl::StatusCode::kInvalidArgument, "too large"));
  // The largest valid shapes still import (nothing is allocated for them).
  RILL_EXPECT_OK(SessionFromText(PlaceholderNode("x", "DT_FLOAT", {k2To40, -1, 1 << 22})));
}

TEST(ShapeOverflowTest, FillAndReshapeAtRunTime) {
  auto s = SessionFromText(PlaceholderNode("dims", "DT_INT64", {-1}) +
                           ConstNode("one", "DT_FLOAT", {}, "float_val: 1") +
                           FillNode("fill", "dims", "one") +
                           PlaceholderNode("x", "DT_FLOAT", {-1}) +
                           "node { name: 'reshape' op: 'Reshape' input: 'x' input: 'dims' "
                           "attr { key: 'T' value { type: DT_FLOAT } } "
                           "attr { key: 'Tshape' value { type: DT_INT64 } } }\n");
  RILL_ASSERT_OK(s);
  const Tensor huge = Int64Vector({k2To40, k2To40});
  EXPECT_TRUE(HasError((*s)->Run({{"dims", huge}}, {"fill"}), absl::StatusCode::kInvalidArgument,
                       "more elements than fit in int64"));
  const Tensor x = *Tensor::FromVector<float>(TensorShape({1}), std::vector<float>{1});
  EXPECT_TRUE(HasError((*s)->Run({{"dims", huge}, {"x", x}}, {"reshape"}),
                       absl::StatusCode::kInvalidArgument, "more elements than fit in int64"));
  EXPECT_TRUE(HasError((*s)->Run({{"dims", Int64Vector({-1, k2To40, k2To40})}, {"x", x}},
                                 {"reshape"}),
                       absl::StatusCode::kInvalidArgument, "more elements than fit in int64"));
}

// Regression: a dims input whose declared length is huge (Placeholder int32
// of shape [2147483647]) made Fill's shape function build a rank-2^31 shape
// (a 16 GiB vector) at import. Ranks above kMaxRank are now InvalidArgument.
TEST(ShapeOverflowTest, HugeRankFromADimsVectorIsRejected) {
  for (int64_t rank : {int64_t{33}, int64_t{2147483647}, k2To40}) {
    SCOPED_TRACE(rank);
    const std::string base = PlaceholderNode("dims", "DT_INT32", {rank}) +
                             ConstNode("one", "DT_FLOAT", {}, "float_val: 1") +
                             PlaceholderNode("x", "DT_FLOAT", {-1});
    EXPECT_TRUE(HasError(SessionFromText(base + FillNode("fill", "dims", "one", "DT_INT32")),
                         absl::StatusCode::kInvalidArgument, "maximum"));
    EXPECT_TRUE(HasError(
        SessionFromText(base +
                        "node { name: 'reshape' op: 'Reshape' input: 'x' input: 'dims' "
                        "attr { key: 'T' value { type: DT_FLOAT } } }\n"),
        absl::StatusCode::kInvalidArgument, "maximum"));
    EXPECT_TRUE(HasError(
        SessionFromText(PlaceholderNode("dims", "DT_INT32", {rank}) +
                        "node { name: 'r' op: 'RandomUniform' input: 'dims' attr { key: 'T' "
                        "value { type: DT_INT32 } } attr { key: 'dtype' value { type: DT_FLOAT "
                        "} } }\n"),
        absl::StatusCode::kInvalidArgument, "maximum"));
  }
}

// Regression: ConcatV2's shape function summed the axis dimensions without
// an overflow check (signed overflow, undefined behaviour): three inputs of
// shape [2^62] concatenated on axis 0.
TEST(ShapeOverflowTest, ConcatDimensionSumIsChecked) {
  const int64_t d = int64_t{1} << 62;
  auto s = SessionFromText(
      PlaceholderNode("a", "DT_FLOAT", {d}) + ConstNode("axis", "DT_INT32", {}, "int_val: 0") +
      "node { name: 'concat' op: 'ConcatV2' input: 'a' input: 'a' input: 'a' input: 'axis' "
      "attr { key: 'N' value { i: 3 } } attr { key: 'T' value { type: DT_FLOAT } } }\n");
  EXPECT_TRUE(HasError(s, absl::StatusCode::kInvalidArgument, "too large"));
}

// Regression: KernelContext::allocate_output sized recycled buffers with
// n * sizeof(dtype), which wraps around for n = 2^62 + 1 floats (4 bytes):
// a Fill of that shape took a 64-byte buffer freed earlier in the run and
// wrote past it (a crash). It is ResourceExhausted now.
TEST(TensorCapTest, HugeOutputNeverTakesASmallRecycledBuffer) {
  const int64_t n = (int64_t{1} << 62) + 1;
  auto s = SessionFromText(
      ConstNode("c", "DT_FLOAT", {1}, "float_val: 1") +
      "node { name: 'a' op: 'AddV2' input: 'c' input: 'c' attr { key: 'T' value { type: DT_FLOAT } } }\n"
      "node { name: 'b' op: 'AddV2' input: 'a' input: 'c' attr { key: 'T' value { type: DT_FLOAT } } }\n" +
      ConstNode("dims", "DT_INT64", {1}, Int64Values({n})) +
      ConstNode("one", "DT_FLOAT", {}, "float_val: 1") + FillNode("fill", "dims", "one"));
  RILL_ASSERT_OK(s);
  // Step order: c, a, b (a's buffer goes back to the pool), dims, one, fill.
  EXPECT_TRUE(HasError((*s)->Run({}, {"b", "fill"}), absl::StatusCode::kResourceExhausted,
                       "more than the cap"));
}

TEST(NpyLimitsTest, HeaderShapesAreChecked) {
  auto npy = [](const std::string& shape) {
    std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
    dict.append(63 - (10 + dict.size()) % 64, ' ');
    dict.push_back('\n');
    std::string out("\x93NUMPY\x01\x00", 8);
    out.push_back(static_cast<char>(dict.size() & 0xff));
    out.push_back(static_cast<char>(dict.size() >> 8));
    return out + dict;
  };
  EXPECT_TRUE(HasError(ParseNpy(npy("(1099511627776, 1099511627776)")),
                       absl::StatusCode::kInvalidArgument, "more elements than fit in int64"));
  EXPECT_TRUE(HasError(ParseNpy(npy("(1099511627776,)")), absl::StatusCode::kResourceExhausted,
                       "more than the cap"));
  EXPECT_TRUE(HasError(ParseNpy(npy("(1024,)"), 4095), absl::StatusCode::kResourceExhausted,
                       "cap of 4095 bytes"));
  EXPECT_TRUE(HasError(ParseNpy(npy("(99999999999999999999,)")),
                       absl::StatusCode::kInvalidArgument, "does not fit in int64"));
}

}  // namespace
}  // namespace rill
