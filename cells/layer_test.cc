// The Layer API of the reference page (seed/gru_cell_api.txt), exercised
// through GRUCell and small test layers, against TF 1.x's tf.layers.Layer
// (SPEC §3, A.1, A.2).
#include "cells/layer.h"

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "cells/basic_rnn_cell.h"
#include "cells/gru_cell.h"
#include "cells/multi_rnn_cell.h"
#include "graph/test_util.h"
#include "gtest/gtest.h"
#include "ops/array_ops.h"
#include "ops/initializers.h"
#include "ops/math_ops.h"
#include "ops/op_registry.h"
#include "ops/variables.h"
#include "runtime/session.h"

namespace rill {
namespace {

using ::rill::testing::HasError;

std::vector<std::string> Names(const std::vector<Variable*>& vars) {
  std::vector<std::string> names;
  for (const Variable* v : vars) names.push_back(v->name);
  return names;
}

std::vector<std::string> InputNames(const Node* n) {
  std::vector<std::string> names;
  for (const Output& o : n->inputs()) {
    names.push_back(o.index == 0 ? o.node->name() : o.name());
  }
  return names;
}

// An identity layer (Layer's default call) that can create GRU-shaped
// variables in build, to test what GRUCellOptions cannot express.
class TestLayer : public Layer {
 public:
  TestLayer(const Scope& scope, LayerOptions options, bool gru_variables = false)
      : Layer(scope, "TestLayer", std::move(options)), gru_variables_(gru_variables) {}
  std::unique_ptr<Layer> DeepCopy() const override { return std::make_unique<TestLayer>(*this); }

 protected:
  absl::Status Build(const std::vector<TensorShape>& shapes) override {
    if (!gru_variables_) return absl::OkStatus();
    const int64_t depth = shapes[0].dim(1), n = 2;
    for (const auto& [name, shape] : std::vector<std::pair<std::string, TensorShape>>{
             {"gates/kernel", TensorShape({depth + n, 2 * n})},
             {"gates/bias", TensorShape({2 * n})},
             {"candidate/kernel", TensorShape({depth + n, n})},
             {"candidate/bias", TensorShape({n})}}) {
      absl::StatusOr<Variable*> v = AddVariable(name, shape);
      if (!v.ok()) return v.status();
    }
    return absl::OkStatus();
  }

 private:
  bool gru_variables_;
};

// Placeholders x, h ([1, 2]) and variable scope "root".
// A legacy-style layer that gets its variable inside call (as MultiRNNCell's
// sub-cells create theirs): the first call must not run with reuse=True.
class CallVariableLayer : public Layer {
 public:
  explicit CallVariableLayer(const Scope& scope) : Layer(scope, "CallVariableLayer", {}) {}
  std::unique_ptr<Layer> DeepCopy() const override {
    return std::make_unique<CallVariableLayer>(*this);
  }
  Variable* variable = nullptr;

 protected:
  absl::StatusOr<std::vector<Output>> Call(const Scope& scope, const std::vector<Output>& inputs,
                                           const std::vector<Output>&) override {
    GetVariableOptions o;
    o.shape = TensorShape({1});
    absl::StatusOr<Variable*> v = GetVariable(scope, "v", o);
    if (!v.ok()) return v.status();
    variable = *v;
    return inputs;
  }
};

struct Fixture {
  explicit Fixture(const VariableScopeOptions& o = {}) : s(root.WithVariableScope("root", o)) {}
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Scope s;
  Output x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT, TensorShape({1, 2}));
  Output h = ops::Placeholder(root.WithOpName("h"), DT_FLOAT, TensorShape({1, 2}));
};

TEST(LayerTest, NamesAreSnakeCaseAndUniquePerGraph) {
  Fixture f;
  auto a = GRUCell::Create(f.s, 2);
  auto b = GRUCell::Create(f.root, 2);
  GRUCellOptions named;
  named.name = "my_gru";
  auto c = GRUCell::Create(f.s, 2, named);
  auto d = BasicRNNCell::Create(f.s, 2);
  RILL_ASSERT_OK(a);
  RILL_ASSERT_OK(b);
  RILL_ASSERT_OK(c);
  RILL_ASSERT_OK(d);
  EXPECT_EQ((*a)->name(), "gru_cell");
  EXPECT_EQ((*b)->name(), "gru_cell_1");
  EXPECT_EQ((*c)->name(), "my_gru");
  EXPECT_EQ((*d)->name(), "basic_rnn_cell");
  // Counted per graph.
  Scope other = Scope::NewRootScope(&GlobalOpRegistry());
  EXPECT_EQ((*GRUCell::Create(other, 2))->name(), "gru_cell");
  EXPECT_EQ(ToSnakeCase("GRUCell"), "gru_cell");
  EXPECT_EQ(ToSnakeCase("MultiRNNCell"), "multi_rnn_cell");
  EXPECT_EQ(ToSnakeCase("BasicLSTMCell"), "basic_lstm_cell");
  EXPECT_EQ(ToSnakeCase("Dense"), "dense");

  // The scope names follow the variable scope, uniquified there too.
  RILL_ASSERT_OK((**a)(f.s, f.x, {f.h}));
  RILL_ASSERT_OK((**c)(f.s, f.x, {f.h}));
  auto e = *GRUCell::Create(f.s, 2);
  RILL_ASSERT_OK((*e)(f.s, f.x, {f.h}));
  EXPECT_EQ(*(*a)->scope_name(), "root/gru_cell");
  EXPECT_EQ(*(*c)->scope_name(), "root/my_gru");
  EXPECT_EQ(e->name(), "gru_cell_2");
  EXPECT_EQ(*e->scope_name(), "root/gru_cell_1");
}

TEST(LayerTest, DtypeGraphBuiltAndScopeName) {
  Fixture f;
  auto cell = *GRUCell::Create(f.s, 2);
  EXPECT_FALSE(cell->dtype().has_value());
  EXPECT_EQ(cell->graph(), f.root.graph());
  EXPECT_FALSE(cell->built());
  EXPECT_TRUE(cell->trainable());
  EXPECT_EQ(cell->activity_regularizer(), nullptr);
  absl::Status before = cell->scope_name().status();
  EXPECT_EQ(before.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(before.message(),
            "No name available for layer scope because the layer \"gru_cell\" has not been "
            "used yet. The scope name  is determined the first time the layer instance is "
            "called. You must therefore call the layer before querying `scope_name`.");
  RILL_ASSERT_OK((*cell)(f.s, f.x, {f.h}));
  EXPECT_EQ(cell->dtype(), DT_FLOAT);
  EXPECT_TRUE(cell->built());
  EXPECT_EQ(*cell->scope_name(), "root/gru_cell");
  EXPECT_EQ(cell->state_size(), std::vector<int64_t>{2});
  EXPECT_EQ(cell->output_size(), 2);
}

TEST(LayerTest, DtypeComesFromTheInputsUnlessGiven) {
  Fixture f;
  Output xd = ops::Placeholder(f.root, DT_DOUBLE, TensorShape({1, 2}));
  Output hd = ops::Placeholder(f.root, DT_DOUBLE, TensorShape({1, 2}));
  auto cell = *GRUCell::Create(f.s, 2);
  RILL_ASSERT_OK((*cell)(f.s, xd, {hd}));
  EXPECT_EQ(cell->dtype(), DT_DOUBLE);
  for (const Variable* v : cell->weights()) EXPECT_EQ(v->dtype, DT_DOUBLE) << v->name;

  // An explicit dtype is kept (TF sets _dtype from the inputs only when it
  // is None): float64 variables, so float32 inputs do not fit.
  GRUCellOptions o;
  o.dtype = DT_DOUBLE;
  auto typed = *GRUCell::Create(f.s, 2, o);
  EXPECT_EQ(typed->dtype(), DT_DOUBLE);
  EXPECT_FALSE((*typed)(f.s, f.x, {f.h}).ok());
  EXPECT_EQ(typed->dtype(), DT_DOUBLE);
  ASSERT_EQ(typed->weights().size(), 4u);
  for (const Variable* v : typed->weights()) EXPECT_EQ(v->dtype, DT_DOUBLE) << v->name;
}

TEST(LayerTest, TrainableVariablesInBuildOrder) {
  Fixture f;
  auto cell = *GRUCell::Create(f.s, 2);
  EXPECT_TRUE(cell->trainable_variables().empty());
  EXPECT_TRUE(cell->weights().empty());
  RILL_ASSERT_OK((*cell)(f.s, f.x, {f.h}));
  const std::vector<std::string> expected = {"root/gru_cell/gates/kernel", "root/gru_cell/gates/bias",
                                             "root/gru_cell/candidate/kernel",
                                             "root/gru_cell/candidate/bias"};
  EXPECT_EQ(Names(cell->trainable_variables()), expected);
  EXPECT_EQ(Names(cell->trainable_weights()), expected);
  EXPECT_EQ(Names(cell->variables()), expected);
  EXPECT_EQ(Names(cell->weights()), expected);
  EXPECT_TRUE(cell->non_trainable_variables().empty());
  EXPECT_TRUE(cell->non_trainable_weights().empty());
  std::vector<TensorShape> shapes;
  for (const Variable* v : cell->weights()) shapes.push_back(v->shape);
  EXPECT_EQ(shapes, (std::vector<TensorShape>{TensorShape({4, 4}), TensorShape({4}),
                                              TensorShape({4, 2}), TensorShape({2})}));
  EXPECT_EQ(f.root.graph()->GetCollection(kTrainableVariables), expected);
}

TEST(LayerTest, NotTrainableLayerMovesEverythingToNonTrainable) {
  Fixture f;
  LayerOptions o;
  o.trainable = false;
  TestLayer layer(f.s, o, /*gru_variables=*/true);
  EXPECT_EQ(layer.name(), "test_layer");
  EXPECT_FALSE(layer.trainable());
  RILL_ASSERT_OK(layer(f.s, {f.x}));
  const std::vector<std::string> expected = {
      "root/test_layer/gates/kernel", "root/test_layer/gates/bias",
      "root/test_layer/candidate/kernel", "root/test_layer/candidate/bias"};
  EXPECT_TRUE(layer.trainable_variables().empty());
  EXPECT_TRUE(layer.trainable_weights().empty());
  EXPECT_EQ(Names(layer.non_trainable_variables()), expected);
  EXPECT_EQ(Names(layer.non_trainable_weights()), expected);
  EXPECT_EQ(Names(layer.weights()), expected);
  EXPECT_EQ(Names(layer.variables()), expected);
  // Created with trainable=False: global, not trainable.
  EXPECT_TRUE(f.root.graph()->GetCollection(kTrainableVariables).empty());
  EXPECT_EQ(f.root.graph()->GetCollection(kGlobalVariables), expected);
  for (const Variable* v : layer.weights()) EXPECT_FALSE(v->trainable);
  RILL_ASSERT_OK(layer.CountParams());
  EXPECT_EQ(*layer.CountParams(), 16 + 4 + 8 + 2);
}

TEST(LayerTest, CountParams) {
  Fixture f;
  auto cell = *GRUCell::Create(f.s, 2);
  absl::Status before = cell->CountParams().status();
  EXPECT_EQ(before.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(before.message(),
            "You tried to call `count_params` on gru_cell, but the layer isn't built. You can "
            "build it manually via: `gru_cell.build(batch_input_shape)`.");
  RILL_ASSERT_OK((*cell)(f.s, f.x, {f.h}));
  // gates/kernel (2+2)x4, gates/bias 4, candidate/kernel (2+2)x2, candidate/bias 2.
  EXPECT_EQ(*cell->CountParams(), 16 + 4 + 8 + 2);

  Output x3 = ops::Placeholder(f.root, DT_FLOAT, TensorShape({5, 3}));
  Output h4 = ops::Placeholder(f.root, DT_FLOAT, TensorShape({5, 4}));
  auto big = *GRUCell::Create(f.s, 4);
  RILL_ASSERT_OK((*big)(f.s, x3, {h4}));
  EXPECT_EQ(*big->CountParams(), 7 * 8 + 8 + 7 * 4 + 4);
}

TEST(LayerTest, InputAndOutputBeforeAnyCall) {
  Fixture f;
  auto cell = *GRUCell::Create(f.s, 2);
  using C = absl::StatusCode;
  EXPECT_TRUE(HasError(cell->input(), C::kFailedPrecondition,
                       "Layer gru_cell is not connected, no input to return."));
  EXPECT_TRUE(HasError(cell->output(), C::kFailedPrecondition,
                       "Layer gru_cell has no inbound nodes."));
  EXPECT_TRUE(HasError(cell->input_shape(), C::kFailedPrecondition,
                       "The layer has never been called and thus has no defined input shape."));
  EXPECT_TRUE(HasError(cell->output_shape(), C::kFailedPrecondition,
                       "The layer has never been called and thus has no defined output shape."));
  EXPECT_TRUE(HasError(cell->GetInputAt(0), C::kFailedPrecondition,
                       "The layer has never been called and thus has no defined input."));
  EXPECT_TRUE(HasError(cell->GetOutputAt(0), C::kFailedPrecondition,
                       "The layer has never been called and thus has no defined output."));
  EXPECT_TRUE(HasError(cell->GetInputShapeAt(0), C::kFailedPrecondition,
                       "The layer has never been called and thus has no defined input shape."));
  EXPECT_TRUE(HasError(cell->GetOutputShapeAt(0), C::kFailedPrecondition,
                       "The layer has never been called and thus has no defined output shape."));
}

TEST(LayerTest, InputAndOutputAfterOneCall) {
  Fixture f;
  auto cell = *GRUCell::Create(f.s, 2);
  CellOutput out = *(*cell)(f.s, f.x, {f.h});
  EXPECT_EQ(out.output, out.state[0]);
  EXPECT_EQ(*cell->input(), std::vector<Output>{f.x});
  EXPECT_EQ(*cell->output(), (std::vector<Output>{out.output, out.output}));
  EXPECT_EQ(*cell->input_shape(), std::vector<TensorShape>{TensorShape({1, 2})});
  EXPECT_EQ(*cell->output_shape(),
            (std::vector<TensorShape>{TensorShape({1, 2}), TensorShape({1, 2})}));
  EXPECT_EQ(*cell->GetInputAt(0), std::vector<Output>{f.x});
  EXPECT_EQ(*cell->GetOutputAt(0), (std::vector<Output>{out.output, out.output}));
  EXPECT_EQ(*cell->GetInputShapeAt(0), std::vector<TensorShape>{TensorShape({1, 2})});
  EXPECT_TRUE(HasError(cell->GetInputAt(1), absl::StatusCode::kOutOfRange,
                       "Asked to get input at node 1, but the layer has only 1 inbound nodes."));
}

TEST(LayerTest, TwoCallsWithTheSameShapes) {
  Fixture f;
  Output x2 = ops::Placeholder(f.root.WithOpName("x2"), DT_FLOAT, TensorShape({1, 2}));
  auto cell = *GRUCell::Create(f.s, 2);
  CellOutput o1 = *(*cell)(f.s, f.x, {f.h});
  CellOutput o2 = *(*cell)(f.s, x2, {o1.state[0]});
  using C = absl::StatusCode;
  EXPECT_TRUE(HasError(cell->input(), C::kFailedPrecondition,
                       "Layer gru_cell has multiple inbound nodes, hence the notion of \"layer "
                       "input\" is ill-defined. Use `get_input_at(node_index)` instead."));
  EXPECT_TRUE(HasError(cell->output(), C::kFailedPrecondition,
                       "Layer gru_cell has multiple inbound nodes, hence the notion of \"layer "
                       "output\" is ill-defined. Use `get_output_at(node_index)` instead."));
  EXPECT_EQ(*cell->input_shape(), std::vector<TensorShape>{TensorShape({1, 2})});
  EXPECT_EQ(*cell->output_shape(),
            (std::vector<TensorShape>{TensorShape({1, 2}), TensorShape({1, 2})}));
  EXPECT_EQ(*cell->GetInputAt(0), std::vector<Output>{f.x});
  EXPECT_EQ(*cell->GetInputAt(1), std::vector<Output>{x2});
  EXPECT_EQ((*cell->GetOutputAt(1))[0], o2.output);
  EXPECT_TRUE(HasError(cell->GetInputAt(2), C::kOutOfRange,
                       "Asked to get input at node 2, but the layer has only 2 inbound nodes."));
  EXPECT_TRUE(HasError(cell->GetOutputAt(2), C::kOutOfRange,
                       "Asked to get output at node 2, but the layer has only 2 inbound nodes."));
  EXPECT_TRUE(HasError(cell->GetInputShapeAt(2), C::kOutOfRange,
                       "Asked to get input shape at node 2, but the layer has only 2 inbound "
                       "nodes."));
  EXPECT_TRUE(HasError(cell->GetOutputShapeAt(2), C::kOutOfRange,
                       "Asked to get output shape at node 2, but the layer has only 2 inbound "
                       "nodes."));
}

TEST(LayerTest, CallsWithDifferentBatchShapes) {
  Fixture f;
  Output x3 = ops::Placeholder(f.root, DT_FLOAT, TensorShape({3, 2}));
  Output h3 = ops::Placeholder(f.root, DT_FLOAT, TensorShape({3, 2}));
  auto cell = *GRUCell::Create(f.s, 2);
  RILL_ASSERT_OK((*cell)(f.s, f.x, {f.h}));
  RILL_ASSERT_OK((*cell)(f.s, x3, {h3}));
  EXPECT_TRUE(HasError(cell->input_shape(), absl::StatusCode::kFailedPrecondition,
                       "The layer \"gru_cell has multiple inbound nodes, with different input "
                       "shapes. Hence the notion of \"input shape\" is ill-defined for the "
                       "layer. Use `get_input_shape_at(node_index)` instead."));
  EXPECT_TRUE(HasError(cell->output_shape(), absl::StatusCode::kFailedPrecondition,
                       "The layer \"gru_cell\" has multiple inbound nodes, with different "
                       "output shapes. Hence the notion of \"output shape\" is ill-defined for "
                       "the layer. Use `get_output_shape_at(node_index)` instead."));
  EXPECT_EQ(*cell->GetInputShapeAt(0), std::vector<TensorShape>{TensorShape({1, 2})});
  EXPECT_EQ(*cell->GetInputShapeAt(1), std::vector<TensorShape>{TensorShape({3, 2})});
  EXPECT_EQ((*cell->GetOutputShapeAt(1))[0], TensorShape({3, 2}));
}

TEST(LayerTest, LossesUnconditionalAndPerInputs) {
  Fixture f;
  TestLayer layer(f.s, {});
  Output l1 = ops::Const(f.root.WithOpName("l1"), 1.0f);
  Output l2 = ops::Const(f.root.WithOpName("l2"), 2.0f);
  Output l3 = ops::Const(f.root.WithOpName("l3"), 3.0f);
  layer.AddLoss({l1});
  layer.AddLoss({l2}, std::vector<Output>{f.x});
  layer.AddLoss({l3}, std::vector<Output>{f.x, f.h});
  EXPECT_EQ(layer.losses(), (std::vector<Output>{l1, l2, l3}));
  EXPECT_EQ(layer.GetLossesFor(std::nullopt), std::vector<Output>{l1});
  EXPECT_EQ(layer.GetLossesFor(std::vector<Output>{f.x}), std::vector<Output>{l2});
  EXPECT_EQ(layer.GetLossesFor(std::vector<Output>{f.x, f.h}), std::vector<Output>{l3});
  // The key is the exact, ordered input list.
  EXPECT_TRUE(layer.GetLossesFor(std::vector<Output>{f.h, f.x}).empty());
  EXPECT_TRUE(layer.GetLossesFor(std::vector<Output>{f.h}).empty());
  EXPECT_EQ(f.root.graph()->GetCollection(kRegularizationLosses),
            (std::vector<std::string>{"l1:0", "l2:0", "l3:0"}));
  // The same loss twice is recorded twice, but collected once.
  layer.AddLoss({l1});
  EXPECT_EQ(layer.losses().size(), 4u);
  EXPECT_EQ(layer.GetLossesFor(std::nullopt), (std::vector<Output>{l1, l1}));
  EXPECT_EQ(f.root.graph()->GetCollection(kRegularizationLosses).size(), 3u);
}

TEST(LayerTest, UpdatesUnconditionalAndPerInputs) {
  Fixture f;
  TestLayer layer(f.s, {});
  Node* u1 = ops::NoOp(f.root.WithOpName("u1"));
  Node* u2 = ops::NoOp(f.root.WithOpName("u2"));
  layer.AddUpdate({u1});
  layer.AddUpdate({u2}, std::vector<Output>{f.x});
  EXPECT_EQ(layer.updates(), (std::vector<Node*>{u1, u2}));
  EXPECT_EQ(layer.GetUpdatesFor(std::nullopt), std::vector<Node*>{u1});
  EXPECT_EQ(layer.GetUpdatesFor(std::vector<Output>{f.x}), std::vector<Node*>{u2});
  EXPECT_TRUE(layer.GetUpdatesFor(std::vector<Output>{f.h}).empty());
  // add_update writes no collection; __call__ adds the updates to
  // "update_ops", each once however often the layer is called.
  EXPECT_TRUE(f.root.graph()->GetCollection(kUpdateOps).empty());
  RILL_ASSERT_OK(layer(f.s, {f.x}));
  RILL_ASSERT_OK(layer(f.s, {f.h}));
  EXPECT_EQ(f.root.graph()->GetCollection(kUpdateOps), (std::vector<std::string>{"u1", "u2"}));
}

TEST(LayerTest, ActivityRegularizerAddsALossPerCall) {
  Fixture f;
  LayerOptions o;
  o.activity_regularizer = [](const Scope& s, Output out) {
    return ops::Mul(s, out, ops::Const(s, 0.5f));
  };
  TestLayer layer(f.s, o);
  EXPECT_NE(layer.activity_regularizer(), nullptr);
  std::vector<Output> y1 = *layer(f.s, {f.x});
  ASSERT_EQ(y1, std::vector<Output>{f.x});  // Identity call.
  ASSERT_EQ(layer.losses().size(), 1u);
  const Output loss1 = layer.losses()[0];
  EXPECT_EQ(loss1.node->name(), "root/test_layer/ActivityRegularizer/mul");
  EXPECT_EQ(loss1.node->input(0), f.x);
  EXPECT_EQ(layer.GetLossesFor(std::vector<Output>{f.x}), std::vector<Output>{loss1});
  EXPECT_TRUE(layer.GetLossesFor(std::nullopt).empty());
  RILL_ASSERT_OK(layer(f.s, {f.h}));
  ASSERT_EQ(layer.losses().size(), 2u);
  EXPECT_EQ(layer.GetLossesFor(std::vector<Output>{f.h}),
            std::vector<Output>{layer.losses()[1]});
  EXPECT_EQ(layer.losses()[1].node->name(), "root/test_layer/ActivityRegularizer_1/mul");
  EXPECT_EQ(f.root.graph()->GetCollection(kRegularizationLosses).size(), 2u);
}

TEST(LayerTest, AddVariableRegularizesOnlyNewVariables) {
  Fixture f;
  TestLayer layer(f.s, {});
  AddVariableOptions o;
  o.initializer = ConstantInitializer(3.0);
  o.regularizer = [](const Scope& s, Output v) { return ops::Mul(s, v, v); };
  // add_variable before any call sets the scope from the construction scope.
  absl::StatusOr<Variable*> w = layer.AddVariable("w", TensorShape({1}), o);
  RILL_ASSERT_OK(w);
  EXPECT_EQ((*w)->name, "root/test_layer/w");
  ASSERT_EQ(layer.losses().size(), 1u);
  const Node* loss = layer.losses()[0].node;
  EXPECT_EQ(loss->name(), "root/test_layer/w/Regularizer/mul");
  EXPECT_EQ(loss->attrs().at("_class").list().s(0), "loc:@root/test_layer/w");
  EXPECT_EQ(layer.GetLossesFor(std::nullopt).size(), 1u);
  EXPECT_EQ(Names(layer.trainable_weights()), std::vector<std::string>{"root/test_layer/w"});
  // After build, add_variable reuses: same variable, no new loss, no new weight.
  RILL_ASSERT_OK(layer(f.s, {f.x}));
  absl::StatusOr<Variable*> again = layer.AddVariable("w", TensorShape({1}), o);
  RILL_ASSERT_OK(again);
  EXPECT_EQ(*again, *w);
  EXPECT_EQ(layer.losses().size(), 1u);
  EXPECT_EQ(layer.weights().size(), 1u);
  // And it cannot create new names any more.
  EXPECT_TRUE(HasError(layer.AddVariable("v", TensorShape({1}), o), absl::StatusCode::kNotFound,
                       "Variable root/test_layer/v does not exist"));

  Node* init = GlobalVariablesInitializer(f.root);
  RILL_ASSERT_OK(f.root.status());
  auto session = *Session::Create(*f.root.graph());
  RILL_ASSERT_OK(session->Run({}, {}, {init->name()}));
  auto out = session->Run({}, {layer.losses()[0].name()});
  RILL_ASSERT_OK(out);
  EXPECT_FLOAT_EQ((*out)[0].data<float>()[0], 9.0f);
}

TEST(LayerTest, ApplyIsCall) {
  VariableScopeOptions vso;
  vso.initializer = ConstantInitializer(0.5);
  Fixture f(vso);
  const Scope& s = f.s;
  auto cell = *GRUCell::Create(s, 2);
  CellOutput called = *(*cell)(s, f.x, {f.h});
  absl::StatusOr<std::vector<Output>> applied = cell->Apply(s, {f.x}, {f.h});
  RILL_ASSERT_OK(applied);
  ASSERT_EQ(applied->size(), 2u);
  EXPECT_EQ((*applied)[0], (*applied)[1]);
  EXPECT_EQ((*applied)[0].node->name(), "root/gru_cell/add_1");
  EXPECT_EQ((*applied)[0].node->op(), "AddV2");
  EXPECT_EQ(*cell->GetOutputAt(1), *applied);
  EXPECT_EQ(cell->weights().size(), 4u);
  EXPECT_EQ(f.root.variable_store().all().size(), 4u);

  Node* init = GlobalVariablesInitializer(f.root);
  RILL_ASSERT_OK(f.root.status());
  auto session = *Session::Create(*f.root.graph());
  RILL_ASSERT_OK(session->Run({}, {}, {init->name()}));
  Tensor xv = *Tensor::FromVector<float>(TensorShape({1, 2}), {1.0f, 1.0f});
  Tensor hv = *Tensor::FromVector<float>(TensorShape({1, 2}), {0.1f, 0.1f});
  auto out = session->Run({{"x", xv}, {"h", hv}},
                          {called.output.name(), (*applied)[0].name()});
  RILL_ASSERT_OK(out);
  // TF's testGRUCell value (SPEC §9.1 case A), from both entry points.
  for (const Tensor& t : *out) {
    EXPECT_NEAR(t.data<float>()[0], 0.175991, 1e-6);
    EXPECT_NEAR(t.data<float>()[1], 0.175991, 1e-6);
  }
}

TEST(LayerTest, DeepCopySharesGraphAndWeightsButNotBookkeeping) {
  Fixture f;
  auto cell = *GRUCell::Create(f.s, 2);
  RILL_ASSERT_OK((*cell)(f.s, f.x, {f.h}));
  std::unique_ptr<Layer> copy = cell->DeepCopy();
  EXPECT_EQ(copy->graph(), cell->graph());
  EXPECT_EQ(copy->name(), cell->name());
  EXPECT_TRUE(copy->built());
  EXPECT_EQ(copy->weights(), cell->weights());
  EXPECT_EQ(copy->trainable_weights(), cell->trainable_weights());
  EXPECT_EQ(*copy->scope_name(), "root/gru_cell");
  EXPECT_EQ(*copy->GetInputAt(0), std::vector<Output>{f.x});
  cell->AddLoss({ops::Const(f.root, 1.0f)});
  EXPECT_EQ(cell->losses().size(), 1u);
  EXPECT_TRUE(copy->losses().empty());
  // The copy calls into the same variables (shallow-copied scope).
  auto* gru_copy = dynamic_cast<GRUCell*>(copy.get());
  ASSERT_NE(gru_copy, nullptr);
  CellOutput out = *(*gru_copy)(f.s, f.x, {f.h});
  EXPECT_EQ(out.output.node->name(), "root/gru_cell/add_1");
  EXPECT_EQ(f.root.variable_store().all().size(), 4u);
  // Its call record is its own.
  EXPECT_TRUE(HasError(cell->GetInputAt(1), absl::StatusCode::kOutOfRange, "only 1 inbound"));
  RILL_EXPECT_OK(copy->GetInputAt(1));
}

TEST(LayerTest, CallingTwiceReusesVariablesWithSuffixedOpNames) {
  Fixture f;
  auto cell = *GRUCell::Create(f.s, 2);
  CellOutput o1 = *(*cell)(f.s, f.x, {f.h});
  const int nodes_after_first = f.root.graph()->num_nodes();
  CellOutput o2 = *(*cell)(f.s, f.x, {o1.state[0]});
  EXPECT_EQ(f.root.variable_store().all().size(), 4u);
  EXPECT_EQ(cell->weights().size(), 4u);
  std::vector<std::pair<std::string, std::string>> second;
  for (int i = nodes_after_first; i < f.root.graph()->num_nodes(); ++i) {
    const Node* n = f.root.graph()->node(i);
    second.emplace_back(n->name(), n->op());
  }
  const std::string v = "root/gru_cell/";
  EXPECT_EQ(second, (std::vector<std::pair<std::string, std::string>>{
                        {v + "concat_2/axis", "Const"}, {v + "concat_2", "ConcatV2"},
                        {v + "MatMul_2", "MatMul"}, {v + "BiasAdd_2", "BiasAdd"},
                        {v + "Sigmoid_1", "Sigmoid"}, {v + "split_1/split_dim", "Const"},
                        {v + "split_1", "Split"}, {v + "mul_3", "Mul"},
                        {v + "concat_3/axis", "Const"}, {v + "concat_3", "ConcatV2"},
                        {v + "MatMul_3", "MatMul"}, {v + "BiasAdd_3", "BiasAdd"},
                        {v + "Tanh_1", "Tanh"}, {v + "mul_4", "Mul"}, {v + "sub_1/x", "Const"},
                        {v + "sub_1", "Sub"}, {v + "mul_5", "Mul"}, {v + "add_1", "AddV2"}}));
  const Graph& g = *f.root.graph();
  EXPECT_EQ(InputNames(g.FindNode(v + "MatMul_2")),
            (std::vector<std::string>{v + "concat_2", v + "gates/kernel/read"}));
  EXPECT_EQ(InputNames(g.FindNode(v + "concat_2")),
            (std::vector<std::string>{"x", v + "add", v + "concat_2/axis"}));
  EXPECT_EQ(InputNames(g.FindNode(v + "MatMul_3")),
            (std::vector<std::string>{v + "concat_3", v + "candidate/kernel/read"}));
  EXPECT_EQ(o2.output.node->name(), v + "add_1");
}

TEST(LayerTest, ReuseTrueCellSharesOrFailsWithNotFound) {
  Fixture f;
  GRUCellOptions reuse;
  reuse.reuse = Reuse::kTrue;
  auto lonely = *GRUCell::Create(f.s, 2, reuse);
  absl::Status s = (*lonely)(f.s, f.x, {f.h}).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StartsWith(
      s.message(),
      "Variable root/gru_cell/gates/kernel does not exist, or was not created with "
      "tf.get_variable(). Did you mean to set reuse=tf.AUTO_REUSE in VarScope?"))
      << s;
  EXPECT_FALSE(lonely->built());

  // With the variables there, a reuse=True cell shares them (no uniquified
  // scope: "gru_cell" itself). As in TF 1.5's add_variable, a variable that
  // already existed is returned without being recorded in the layer's
  // weights.
  Fixture g;
  auto first = *GRUCell::Create(g.s, 2);
  RILL_ASSERT_OK((*first)(g.s, g.x, {g.h}));
  auto shared = *GRUCell::Create(g.s, 2, reuse);
  CellOutput out = *(*shared)(g.s, g.x, {g.h});
  EXPECT_EQ(*shared->scope_name(), "root/gru_cell");
  EXPECT_EQ(g.root.variable_store().all().size(), 4u);
  EXPECT_TRUE(shared->weights().empty());
  // Its ops live in a new name scope and read the first cell's variables.
  const Node* matmul = g.root.graph()->FindNode("root/gru_cell_1/MatMul");
  ASSERT_NE(matmul, nullptr);
  EXPECT_EQ(matmul->input(1), first->weights()[0]->value);
  EXPECT_EQ(out.output.node->name(), "root/gru_cell_1/add");

  // Without reuse, a second fresh cell gets its own scope and variables.
  auto fresh = *GRUCell::Create(g.s, 2);
  RILL_ASSERT_OK((*fresh)(g.s, g.x, {g.h}));
  EXPECT_EQ(*fresh->scope_name(), "root/gru_cell_1");
  EXPECT_EQ(g.root.variable_store().all().size(), 8u);
}

TEST(LayerTest, InputChecks) {
  Fixture f;
  auto cell = *GRUCell::Create(f.s, 2);
  Output rank3 = ops::Placeholder(f.root, DT_FLOAT, TensorShape({1, 2, 3}));
  EXPECT_TRUE(HasError((*cell)(f.s, rank3, {f.h}), absl::StatusCode::kInvalidArgument,
                       "Input 0 of layer gru_cell is incompatible with the layer: expected "
                       "ndim=2, found ndim=3."));
  Output ints = ops::Placeholder(f.root, DT_INT32, TensorShape({1, 2}));
  EXPECT_TRUE(HasError((*cell)(f.s, ints, {f.h}), absl::StatusCode::kInvalidArgument,
                       "RNN cell only supports floating point inputs, but saw dtype: int32"));
  Output unknown = ops::Placeholder(f.root, DT_FLOAT, TensorShape({-1, -1}));
  EXPECT_TRUE(HasError((*cell)(f.s, unknown, {f.h}), absl::StatusCode::kInvalidArgument,
                       "Expected inputs.shape[-1] to be known, saw shape: (?, ?)"));
  EXPECT_TRUE(HasError((*cell)(f.s, f.x, {f.h, f.h}), absl::StatusCode::kInvalidArgument,
                       "Expected state to be a tuple of length 1"));
  EXPECT_TRUE(HasError((*cell)(f.s, f.x, {ints}), absl::StatusCode::kInvalidArgument,
                       "but saw dtype: int32"));
  EXPECT_FALSE(cell->built());
  EXPECT_TRUE(cell->weights().empty());
  EXPECT_TRUE(HasError(cell->input(), absl::StatusCode::kFailedPrecondition, "not connected"));

  GRUCellOptions int_cell;
  int_cell.dtype = DT_INT32;
  EXPECT_TRUE(HasError(GRUCell::Create(f.s, 2, int_cell), absl::StatusCode::kInvalidArgument,
                       "RNN cell only supports floating point inputs, but saw dtype: int32"));
  EXPECT_TRUE(HasError(GRUCell::Create(f.s, 0), absl::StatusCode::kInvalidArgument, "num_units"));

  // A tensor from another graph.
  Fixture other;
  EXPECT_TRUE(HasError((*cell)(f.s, other.x, {f.h}), absl::StatusCode::kInvalidArgument,
                       "Input graph and Layer graph are not the same"));
  RILL_EXPECT_OK((*cell)(f.s, f.x, {f.h}));
}

TEST(LayerTest, FirstCallUsesTheLayersReuseLaterCallsReuse) {
  Fixture f;
  CallVariableLayer layer(f.s);
  RILL_ASSERT_OK(layer(f.s, {f.x}));
  ASSERT_NE(layer.variable, nullptr);
  Variable* first = layer.variable;
  EXPECT_EQ(first->name, "root/call_variable_layer/v");
  RILL_ASSERT_OK(layer(f.s, {f.h}));
  EXPECT_EQ(layer.variable, first);
  EXPECT_EQ(f.root.variable_store().all().size(), 1u);
}

}  // namespace
}  // namespace rill
