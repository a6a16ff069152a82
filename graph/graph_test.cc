#include "graph/graph.h"

#include "graph/tensor_proto.h"
#include "graph/test_util.h"
#include "gtest/gtest.h"
#include "ops/op_registry.h"

namespace rill {
namespace {

using ::rill::testing::HasError;

class GraphTest : public ::testing::Test {
 protected:
  absl::StatusOr<Node*> Add(const std::string& name, const std::string& op,
                            std::vector<Output> inputs = {}, AttrMap attrs = {}) {
    NodeSpec spec;
    spec.name = name;
    spec.op = op;
    spec.inputs = std::move(inputs);
    spec.attrs = std::move(attrs);
    return graph_.AddNode(std::move(spec));
  }
  Node* Placeholder(const std::string& name, DataType dt, const TensorShape& shape) {
    return *Add(name, "Placeholder", {}, {{"dtype", AttrType(dt)}, {"shape", AttrShape(shape)}});
  }

  Graph graph_{&GlobalOpRegistry()};
};

TEST_F(GraphTest, UnknownOpIsNotFound) {
  EXPECT_TRUE(HasError(Add("x", "Foo"), absl::StatusCode::kNotFound,
                       "Op type not registered 'Foo' in binary running on rill"));
}

TEST_F(GraphTest, NamesMustBeValidAndUnique) {
  Placeholder("x", DT_FLOAT, TensorShape({2}));
  EXPECT_TRUE(HasError(Add("x", "NoOp"), absl::StatusCode::kInvalidArgument,
                       "Duplicate node name in graph: 'x'"));
  EXPECT_TRUE(HasError(Add("_bad", "NoOp"), absl::StatusCode::kInvalidArgument,
                       "Node name '_bad' is invalid"));
  EXPECT_TRUE(HasError(Add("", "NoOp"), absl::StatusCode::kInvalidArgument, "is invalid"));
  RILL_EXPECT_OK(Add("a.b/c-d_e", "NoOp"));
}

TEST_F(GraphTest, AttrValidation) {
  EXPECT_TRUE(HasError(Add("p", "Placeholder"), absl::StatusCode::kInvalidArgument,
                       "NodeDef missing attr 'dtype' from Op 'Placeholder'"));
  EXPECT_TRUE(HasError(Add("p", "Placeholder", {}, {{"dtype", AttrInt(1)}}),
                       absl::StatusCode::kInvalidArgument,
                       "AttrValue had value with type 'int' when 'type' expected for attr 'dtype'"));
  EXPECT_TRUE(HasError(Add("p", "Placeholder", {}, {{"dtype", AttrType(DT_FLOAT)},
                                                   {"bogus", AttrInt(1)}}),
                       absl::StatusCode::kInvalidArgument,
                       "NodeDef mentions attr 'bogus' not in Op 'Placeholder'"));
  EXPECT_TRUE(HasError(Add("p", "Placeholder", {}, {{"dtype", AttrType(pb::DT_STRING)}}),
                       absl::StatusCode::kInvalidArgument,
                       "uses dtype string, which rill does not support"));
  // Internal attrs (_class, _output_shapes) are accepted and kept.
  absl::StatusOr<Node*> ok =
      Add("p", "Placeholder", {}, {{"dtype", AttrType(DT_FLOAT)}, {"_class", AttrString("x")}});
  RILL_ASSERT_OK(ok);
  EXPECT_EQ((*ok)->attrs().count("_class"), 1u);
  // The default shape attr was filled in.
  EXPECT_EQ((*ok)->attrs().count("shape"), 1u);
  EXPECT_TRUE((*ok)->output_shape(0).unknown_rank());
}

TEST_F(GraphTest, AllowedTypesAndMinimum) {
  Node* b = Placeholder("b", DT_BOOL, TensorShape({2, 2}));
  EXPECT_TRUE(HasError(Add("m", "MatMul", {b, b}, {{"T", AttrType(DT_BOOL)}}),
                       absl::StatusCode::kInvalidArgument,
                       "Value for attr 'T' of bool is not in the list of allowed values"));
  Node* f = Placeholder("f", DT_FLOAT, TensorShape({2}));
  Node* axis = *Add("axis", "Const", {}, {{"dtype", AttrType(DT_INT32)},
                                          {"value", [] {
                                             pb::AttrValue v;
                                             v.mutable_tensor()->set_dtype(DT_INT32);
                                             v.mutable_tensor()->add_int_val(0);
                                             return v;
                                           }()}});
  EXPECT_TRUE(HasError(Add("c", "ConcatV2", {f, axis},
                           {{"N", AttrInt(1)}, {"T", AttrType(DT_FLOAT)}}),
                       absl::StatusCode::kInvalidArgument,
                       "Value for attr 'N' of 1 must be at least minimum 2"));
}

TEST_F(GraphTest, InputCountAndDtypeAreChecked) {
  Node* a = Placeholder("a", DT_FLOAT, TensorShape({2, 3}));
  Node* i = Placeholder("i", DT_INT32, TensorShape({3, 2}));
  EXPECT_TRUE(HasError(Add("m", "MatMul", {a}, {{"T", AttrType(DT_FLOAT)}}),
                       absl::StatusCode::kInvalidArgument, "expects 2 inputs but was given 1"));
  EXPECT_TRUE(HasError(Add("m", "MatMul", {a, i}, {{"T", AttrType(DT_FLOAT)}}),
                       absl::StatusCode::kInvalidArgument,
                       "Input 1 of node m was passed int32 from i:0 incompatible with "
                       "expected float."));
  EXPECT_TRUE(HasError(Add("m", "MatMul", {a, Output(a, 3)}, {{"T", AttrType(DT_FLOAT)}}),
                       absl::StatusCode::kInvalidArgument,
                       "refers to output 3 of node 'a', which has only 1 outputs"));
}

TEST_F(GraphTest, ShapeErrorsNameNodeOpAndShapes) {
  Node* a = Placeholder("a", DT_FLOAT, TensorShape({2, 3}));
  Node* b = Placeholder("b", DT_FLOAT, TensorShape({4, 5}));
  EXPECT_TRUE(HasError(Add("m", "MatMul", {a, b}, {{"T", AttrType(DT_FLOAT)}}),
                       absl::StatusCode::kInvalidArgument,
                       "Dimensions must be equal, but are 3 and 4 for 'm' (op: 'MatMul') with "
                       "input shapes: [2,3], [4,5]."));
  // A failed AddNode leaves the graph unchanged.
  EXPECT_EQ(graph_.num_nodes(), 2);
  EXPECT_EQ(graph_.FindNode("m"), nullptr);
}

TEST_F(GraphTest, InferredShapesAndDefaults) {
  Node* a = Placeholder("a", DT_FLOAT, TensorShape({-1, 3}));
  Node* b = Placeholder("b", DT_FLOAT, TensorShape({5, 3}));
  Node* m = *Add("m", "MatMul", {a, b},
                 {{"T", AttrType(DT_FLOAT)}, {"transpose_b", AttrBool(true)}});
  EXPECT_EQ(m->output_shape(0), TensorShape({-1, 5}));
  EXPECT_FALSE(m->attrs().at("transpose_a").b());
  EXPECT_TRUE(m->needs_runtime_shapes());
  EXPECT_EQ(a->data_consumers().size(), 1u);
  EXPECT_EQ(a->data_consumers()[0].first, m);
}

TEST_F(GraphTest, FindOutputUsesTensorFlowTexts) {
  Placeholder("x", DT_FLOAT, TensorShape({1}));
  EXPECT_EQ(graph_.FindOutput("x")->name(), "x:0");
  EXPECT_EQ(graph_.FindOutput("x:0")->name(), "x:0");
  EXPECT_TRUE(HasError(graph_.FindOutput("y:0"), absl::StatusCode::kNotFound,
                       "The name 'y:0' refers to a Tensor which does not exist. The operation, "
                       "'y', does not exist in the graph."));
  EXPECT_TRUE(HasError(graph_.FindOutput("x:1"), absl::StatusCode::kNotFound,
                       "The operation, 'x', exists but only has 1 outputs."));
  EXPECT_TRUE(HasError(graph_.FindOutput("x:abc"), absl::StatusCode::kInvalidArgument,
                       "Malformed tensor name"));
}

TEST_F(GraphTest, UniqueNameFollowsTensorFlow) {
  EXPECT_EQ(graph_.UniqueName("foo"), "foo");
  EXPECT_EQ(graph_.UniqueName("foo"), "foo_1");
  EXPECT_EQ(graph_.UniqueName("Foo"), "Foo_2");  // Case-insensitive.
  EXPECT_EQ(graph_.UniqueName("bar_1"), "bar_1");
  EXPECT_EQ(graph_.UniqueName("bar"), "bar");
  EXPECT_EQ(graph_.UniqueName("bar"), "bar_2");  // Skips the taken bar_1.
}

TEST_F(GraphTest, UniqueNameAvoidsNodesAddedAndNamesMarkedBeforeIt) {
  // Nodes added (as an import adds them) and a name marked before the first
  // UniqueName call are taken, whatever their case.
  RILL_ASSERT_OK(Add("Rnn", "NoOp"));
  RILL_ASSERT_OK(Add("rnn_1", "NoOp"));
  Graph other(&GlobalOpRegistry());
  other.MarkNameUsed("Scope");
  EXPECT_EQ(other.UniqueName("scope"), "scope_1");
  EXPECT_EQ(graph_.UniqueName("rnn"), "rnn_2");
  // Nodes added after it too.
  RILL_ASSERT_OK(Add("later", "NoOp"));
  EXPECT_EQ(graph_.UniqueName("LATER"), "LATER_1");
  EXPECT_EQ(graph_.FindNode("rnn_1")->name(), "rnn_1");
  EXPECT_EQ(graph_.FindNode("rnn"), nullptr);  // Lookups are case-sensitive.
}

TEST_F(GraphTest, LegacyPlaceholderScalarMeansUnknown) {
  graph_.set_producer_version(21);
  Node* p = Placeholder("p", DT_FLOAT, TensorShape());
  EXPECT_TRUE(p->output_shape(0).unknown_rank());
  graph_.set_producer_version(22);
  Node* q = Placeholder("q", DT_FLOAT, TensorShape());
  EXPECT_EQ(q->output_shape(0), TensorShape());
}

TEST(ParseTensorNameTest, Forms) {
  EXPECT_EQ(*ParseTensorName("a/b"), std::make_pair(absl::string_view("a/b"), 0));
  EXPECT_EQ(*ParseTensorName("a/b:3"), std::make_pair(absl::string_view("a/b"), 3));
  EXPECT_FALSE(ParseTensorName("a:").ok());
  EXPECT_FALSE(ParseTensorName("a:-1").ok());
  EXPECT_FALSE(ParseTensorName("a:99999999999").ok());
}

// A Const's value can be released while something else keeps a form of it,
// and comes back from that form when read (Session-owned graphs; see
// Session::graph()).
class ConstReleaseTest : public GraphTest {
 protected:
  ConstReleaseTest() {
    Tensor value = *Tensor::Allocate(DT_FLOAT, TensorShape({300, 2}));
    for (int i = 0; i < 600; ++i) value.data<float>()[i] = 0.25f * i - 3.0f;
    pb::AttrValue v;
    TensorToProto(value, v.mutable_tensor());
    node_ = *Add("w", "Const", {}, {{"value", v}, {"dtype", AttrType(DT_FLOAT)}});
    original_ = value;
  }

  // A restorer that counts its calls and gives `original_` back.
  std::function<absl::StatusOr<Tensor>()> Restorer() {
    return [this]() -> absl::StatusOr<Tensor> {
      ++restores_;
      return original_.Clone();
    };
  }

  void ExpectOriginal(const Tensor& t) {
    ASSERT_EQ(t.shape(), original_.shape());
    for (int i = 0; i < 600; ++i) EXPECT_EQ(t.data<float>()[i], original_.data<float>()[i]) << i;
  }

  Node* node_ = nullptr;
  Tensor original_;
  int restores_ = 0;
};

TEST_F(ConstReleaseTest, ReleasedValueComesBackOnceWhenRead) {
  ASSERT_TRUE(node_->has_const_value());
  ASSERT_TRUE(graph_.ReleaseConstValue(node_, Restorer()));
  EXPECT_TRUE(node_->const_value_released());
  EXPECT_TRUE(node_->has_const_value());  // Still a constant, only not in memory.
  EXPECT_FALSE(graph_.ReleaseConstValue(node_, Restorer()));  // Already released.
  EXPECT_EQ(restores_, 0);

  absl::StatusOr<Tensor> shared = node_->SharedConstValue();
  RILL_ASSERT_OK(shared.status());
  ExpectOriginal(*shared);
  EXPECT_EQ(restores_, 1);
  EXPECT_FALSE(node_->const_value_released());
  // Held by `shared`: releasing would save nothing.
  EXPECT_FALSE(graph_.ReleaseConstValue(node_, Restorer()));
  shared = Tensor();
  // SharedConstValue does not pin: once nobody holds it, it can go again.
  EXPECT_TRUE(graph_.ReleaseConstValue(node_, Restorer()));
  EXPECT_EQ(restores_, 1);

  const Tensor* pinned = node_->const_value();
  ASSERT_NE(pinned, nullptr);
  ExpectOriginal(*pinned);
  EXPECT_EQ(restores_, 2);
  // A pointer handed out stays valid: the value is never released again.
  EXPECT_FALSE(graph_.ReleaseConstValue(node_, Restorer()));
  EXPECT_EQ(node_->const_value(), pinned);
}

TEST_F(ConstReleaseTest, ReadingForExportLeavesTheValueReleased) {
  EXPECT_FALSE(graph_.ReleaseConstValue(node_, nullptr));  // No way back: refused.
  ASSERT_TRUE(graph_.ReleaseConstValue(node_, Restorer()));
  for (int i = 0; i < 2; ++i) {
    absl::StatusOr<Tensor> read = node_->ReadConstValue();
    RILL_ASSERT_OK(read.status());
    ExpectOriginal(*read);
    EXPECT_TRUE(node_->const_value_released());
  }
  EXPECT_EQ(restores_, 2);  // Made for each reader, kept by none.
}

TEST_F(ConstReleaseTest, FailedRestoreIsReportedAndTheValueStaysReleased) {
  ASSERT_TRUE(graph_.ReleaseConstValue(node_, [] {
    return absl::StatusOr<Tensor>(absl::ResourceExhaustedError("no memory for w"));
  }));
  EXPECT_TRUE(HasError(node_->SharedConstValue().status(),
              absl::StatusCode::kResourceExhausted, "no memory for w"));
  EXPECT_EQ(node_->const_value(), nullptr);
  EXPECT_TRUE(node_->const_value_released());
}

TEST_F(ConstReleaseTest, RestoredValueOfTheWrongShapeIsAnInternalError) {
  ASSERT_TRUE(graph_.ReleaseConstValue(node_, [] {
    return Tensor::Allocate(DT_FLOAT, TensorShape({2, 300}));
  }));
  EXPECT_TRUE(HasError(node_->SharedConstValue().status(),
              absl::StatusCode::kInternal,
                       "the released value of 'w' came back as float [2,300] instead of "
                       "float [300,2]"));
}

// DeriveAndReleaseConstValue: derive may consume the value only when the
// node alone holds it, and the value is released exactly then.
TEST_F(ConstReleaseTest, DeriveAndReleaseConsumesOnlyAValueNobodyElseHolds) {
  std::vector<bool> consumed;
  auto derive = [&](const Tensor& value,
                    bool consume) -> absl::StatusOr<std::function<absl::StatusOr<Tensor>()>> {
    ExpectOriginal(value);
    consumed.push_back(consume);
    return Restorer();
  };
  {
    absl::StatusOr<Tensor> held = node_->SharedConstValue();  // Someone else holds it.
    RILL_ASSERT_OK(graph_.DeriveAndReleaseConstValue(node_, derive));
    EXPECT_FALSE(node_->const_value_released());
  }
  RILL_ASSERT_OK(graph_.DeriveAndReleaseConstValue(node_, derive));
  EXPECT_TRUE(node_->const_value_released());
  // A released value is restored for the next derivation, then released again.
  RILL_ASSERT_OK(graph_.DeriveAndReleaseConstValue(node_, derive));
  EXPECT_EQ(restores_, 1);
  EXPECT_TRUE(node_->const_value_released());
  ASSERT_NE(node_->const_value(), nullptr);  // Pinned from now on.
  RILL_ASSERT_OK(graph_.DeriveAndReleaseConstValue(node_, derive));
  EXPECT_FALSE(node_->const_value_released());
  EXPECT_EQ(consumed, (std::vector<bool>{false, true, true, false}));
}

TEST_F(ConstReleaseTest, AConsumingDerivationMustGiveARestorer) {
  EXPECT_TRUE(HasError(graph_.DeriveAndReleaseConstValue(
                           node_,
                           [](const Tensor&, bool) {
                             return absl::StatusOr<std::function<absl::StatusOr<Tensor>()>>(
                                 std::function<absl::StatusOr<Tensor>()>());
                           }),
                       absl::StatusCode::kInternal,
                       "deriving from 'w' consumed its value and gave no restorer"));
}

TEST_F(ConstReleaseTest, AFailedDerivationKeepsTheValue) {
  EXPECT_TRUE(HasError(graph_.DeriveAndReleaseConstValue(
                           node_,
                           [](const Tensor&, bool) -> absl::StatusOr<
                                                        std::function<absl::StatusOr<Tensor>()>> {
                             return absl::ResourceExhaustedError("no memory for the copy");
                           }),
                       absl::StatusCode::kResourceExhausted, "no memory for the copy"));
  EXPECT_FALSE(node_->const_value_released());
  ExpectOriginal(*node_->SharedConstValue());
}

TEST_F(ConstReleaseTest, NodesWithoutValueCannotBeReleased) {
  Node* p = Placeholder("p", DT_FLOAT, TensorShape({2}));
  EXPECT_FALSE(p->has_const_value());
  EXPECT_FALSE(graph_.ReleaseConstValue(p, Restorer()));
  EXPECT_TRUE(HasError(p->SharedConstValue().status(),
              absl::StatusCode::kFailedPrecondition, "'p' has no constant value"));
  EXPECT_TRUE(HasError(
      graph_.DeriveAndReleaseConstValue(
          p, [](const Tensor&, bool) { return absl::StatusOr<std::function<absl::StatusOr<Tensor>()>>(); }),
      absl::StatusCode::kFailedPrecondition, "'p' has no constant value"));
}

}  // namespace
}  // namespace rill
