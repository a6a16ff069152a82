// GRUCell's node list (SPEC §1.5), zero_state (§2.2), StaticRnn (§2.3),
// MultiRNNCell (§2.4) and BasicRNNCell (§9.1), with numbers from
// independent double-precision reference code.
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "cells/basic_rnn_cell.h"
#include "cells/gru_cell.h"
#include "cells/multi_rnn_cell.h"
#include "cells/static_rnn.h"
#include "cells/gru_reference.h"
#include "graph/test_util.h"
#include "gtest/gtest.h"
#include "ops/array_ops.h"
#include "ops/initializers.h"
#include "ops/op_registry.h"
#include "ops/variables.h"
#include "runtime/session.h"

namespace rill {
namespace {

using ::rill::testing::HasError;
using ::rill::testing::ReferenceGru;

Tensor Matrix(int rows, int cols, const std::vector<float>& v) {
  return *Tensor::FromVector<float>(TensorShape({rows, cols}), v);
}

std::vector<double> AsDouble(const Tensor& t) {
  return std::vector<double>(t.flat<float>().begin(), t.flat<float>().end());
}

std::vector<float> RandomValues(std::mt19937& rng, int n) {
  std::uniform_real_distribution<float> dist(-2, 2);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

struct NodeRow {
  std::string name;
  std::string op;
  std::vector<std::string> inputs;
  bool operator==(const NodeRow& o) const {
    return name == o.name && op == o.op && inputs == o.inputs;
  }
};

std::ostream& operator<<(std::ostream& os, const NodeRow& r) {
  os << r.name << " = " << r.op << "(";
  for (const std::string& i : r.inputs) os << i << " ";
  return os << ")";
}

NodeRow RowOf(const Node* n) {
  NodeRow r{n->name(), n->op(), {}};
  for (const Output& o : n->inputs()) {
    r.inputs.push_back(o.index == 0 ? o.node->name() : o.name());
  }
  return r;
}

// SPEC §1.5: every node of one GRUCell(4) call under variable_scope("root"),
// in TensorFlow's creation order.
TEST(GruNodeListTest, OneCallUnderRootMatchesTensorFlow) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Output x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT, TensorShape({2, 3}));
  Output h = ops::Placeholder(root.WithOpName("h"), DT_FLOAT, TensorShape({2, 4}));
  Scope s = root.WithVariableScope("root");
  auto cell = *GRUCell::Create(s, 4);
  CellOutput out = *(*cell)(s, x, {h});
  RILL_ASSERT_OK(root.status());

  const std::string V = "root/gru_cell/";
  std::vector<NodeRow> expected;
  auto glorot = [&](const std::string& var) {
    const std::string p = V + var + "/Initializer/random_uniform";
    expected.push_back({p + "/shape", "Const", {}});
    expected.push_back({p + "/min", "Const", {}});
    expected.push_back({p + "/max", "Const", {}});
    expected.push_back({p + "/RandomUniform", "RandomUniform", {p + "/shape"}});
    expected.push_back({p + "/sub", "Sub", {p + "/max", p + "/min"}});
    expected.push_back({p + "/mul", "Mul", {p + "/RandomUniform", p + "/sub"}});
    expected.push_back({p, "Add", {p + "/mul", p + "/min"}});
    return p;
  };
  auto variable = [&](const std::string& var, const std::string& init) {
    expected.push_back({V + var, "VariableV2", {}});
    expected.push_back({V + var + "/Assign", "Assign", {V + var, init}});
    expected.push_back({V + var + "/read", "Identity", {V + var}});
  };
  variable("gates/kernel", glorot("gates/kernel"));
  expected.push_back({V + "gates/bias/Initializer/Const", "Const", {}});
  variable("gates/bias", V + "gates/bias/Initializer/Const");
  variable("candidate/kernel", glorot("candidate/kernel"));
  expected.push_back({V + "candidate/bias/Initializer/zeros", "Const", {}});
  variable("candidate/bias", V + "candidate/bias/Initializer/zeros");
  const std::vector<NodeRow> compute = {
      {V + "concat/axis", "Const", {}},
      {V + "concat", "ConcatV2", {"x", "h", V + "concat/axis"}},
      {V + "MatMul", "MatMul", {V + "concat", V + "gates/kernel/read"}},
      {V + "BiasAdd", "BiasAdd", {V + "MatMul", V + "gates/bias/read"}},
      {V + "Sigmoid", "Sigmoid", {V + "BiasAdd"}},
      {V + "split/split_dim", "Const", {}},
      {V + "split", "Split", {V + "split/split_dim", V + "Sigmoid"}},
      {V + "mul", "Mul", {V + "split", "h"}},
      {V + "concat_1/axis", "Const", {}},
      {V + "concat_1", "ConcatV2", {"x", V + "mul", V + "concat_1/axis"}},
      {V + "MatMul_1", "MatMul", {V + "concat_1", V + "candidate/kernel/read"}},
      {V + "BiasAdd_1", "BiasAdd", {V + "MatMul_1", V + "candidate/bias/read"}},
      {V + "Tanh", "Tanh", {V + "BiasAdd_1"}},
      {V + "mul_1", "Mul", {V + "split:1", "h"}},
      {V + "sub/x", "Const", {}},
      {V + "sub", "Sub", {V + "sub/x", V + "split:1"}},
      {V + "mul_2", "Mul", {V + "sub", V + "Tanh"}},
      {V + "add", "AddV2", {V + "mul_1", V + "mul_2"}},
  };
  expected.insert(expected.end(), compute.begin(), compute.end());

  const Graph& g = *root.graph();
  std::vector<NodeRow> actual;
  for (int i = 2; i < g.num_nodes(); ++i) actual.push_back(RowOf(g.node(i)));
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i) EXPECT_EQ(actual[i], expected[i]) << "node " << i;
  EXPECT_EQ(out.output.name(), V + "add:0");
  EXPECT_EQ(out.state[0], out.output);

  // Attributes TF writes.
  auto attr = [&g](const std::string& node, const std::string& name) -> const pb::AttrValue& {
    return g.FindNode(node)->attrs().at(name);
  };
  EXPECT_EQ(attr(V + "gates/kernel", "shape").shape().dim(0).size(), 7);
  EXPECT_EQ(attr(V + "gates/kernel", "shape").shape().dim(1).size(), 8);
  EXPECT_EQ(attr(V + "candidate/kernel", "shape").shape().dim(1).size(), 4);
  EXPECT_EQ(attr(V + "concat", "N").i(), 2);
  EXPECT_EQ(attr(V + "concat", "Tidx").type(), DT_INT32);
  EXPECT_EQ(attr(V + "concat", "T").type(), DT_FLOAT);
  EXPECT_FALSE(attr(V + "MatMul", "transpose_a").b());
  EXPECT_FALSE(attr(V + "MatMul", "transpose_b").b());
  EXPECT_EQ(attr(V + "BiasAdd", "data_format").s(), "NHWC");
  EXPECT_EQ(attr(V + "split", "num_split").i(), 2);
  EXPECT_EQ(attr(V + "concat/axis", "value").tensor().int_val(0), 1);
  EXPECT_EQ(attr(V + "split/split_dim", "value").tensor().int_val(0), 1);
  const pb::TensorProto& one = attr(V + "sub/x", "value").tensor();
  EXPECT_EQ(one.dtype(), DT_FLOAT);
  EXPECT_EQ(one.tensor_shape().dim_size(), 0);
  EXPECT_EQ(one.float_val(0), 1.0f);
  const pb::TensorProto& gb = attr(V + "gates/bias/Initializer/Const", "value").tensor();
  EXPECT_EQ(gb.float_val_size(), 1);
  EXPECT_EQ(gb.float_val(0), 1.0f);
  EXPECT_EQ(gb.tensor_shape().dim(0).size(), 8);
  const pb::TensorProto& cb = attr(V + "candidate/bias/Initializer/zeros", "value").tensor();
  EXPECT_EQ(cb.float_val(0), 0.0f);
  EXPECT_EQ(cb.tensor_shape().dim(0).size(), 4);
  // Output shapes.
  EXPECT_EQ(g.FindNode(V + "MatMul")->output_shape(0), TensorShape({2, 8}));
  EXPECT_EQ(g.FindNode(V + "split")->output_shape(1), TensorShape({2, 4}));
  EXPECT_EQ(out.output.shape(), TensorShape({2, 4}));
  // Colocation of the variable nodes.
  for (const char* var : {"gates/kernel", "gates/bias", "candidate/kernel", "candidate/bias"}) {
    for (const char* suffix : {"", "/Assign", "/read"}) {
      const Node* n = g.FindNode(V + var + suffix);
      ASSERT_EQ(n->attrs().count("_class"), 1u) << n->name();
      EXPECT_EQ(n->attrs().at("_class").list().s(0), "loc:@" + V + var);
    }
  }
}

TEST(ZeroStateTest, NamesShapeAndValue) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  auto cell = *GRUCell::Create(root, 4);
  absl::StatusOr<std::vector<Output>> zs = cell->ZeroState(root, 3, DT_FLOAT);
  RILL_ASSERT_OK(zs);
  ASSERT_EQ(zs->size(), 1u);
  const Graph& g = *root.graph();
  std::vector<NodeRow> actual;
  for (int i = 0; i < g.num_nodes(); ++i) actual.push_back(RowOf(g.node(i)));
  const std::string Z = "GRUCellZeroState/";
  EXPECT_EQ(actual,
            (std::vector<NodeRow>{{Z + "Const", "Const", {}},
                                  {Z + "Const_1", "Const", {}},
                                  {Z + "concat/axis", "Const", {}},
                                  {Z + "concat", "ConcatV2", {Z + "Const", Z + "Const_1",
                                                              Z + "concat/axis"}},
                                  {Z + "zeros/Const", "Const", {}},
                                  {Z + "zeros", "Fill", {Z + "concat", Z + "zeros/Const"}}}));
  EXPECT_EQ((*zs)[0].name(), "GRUCellZeroState/zeros:0");
  EXPECT_EQ((*zs)[0].shape(), TensorShape({3, 4}));
  EXPECT_EQ((*zs)[0].dtype(), DT_FLOAT);
  EXPECT_EQ(g.FindNode(Z + "Const")->const_value()->data<int32_t>()[0], 3);
  EXPECT_EQ(g.FindNode(Z + "Const_1")->const_value()->data<int32_t>()[0], 4);
  EXPECT_EQ(g.FindNode(Z + "concat/axis")->const_value()->data<int32_t>()[0], 0);
  EXPECT_EQ(g.FindNode(Z + "zeros/Const")->output_shape(0), TensorShape());

  // A second zero state is uniquified; a float64 one has float64 zeros.
  absl::StatusOr<std::vector<Output>> again = cell->ZeroState(root, 1, DT_DOUBLE);
  RILL_ASSERT_OK(again);
  EXPECT_EQ((*again)[0].name(), "GRUCellZeroState_1/zeros:0");
  EXPECT_EQ((*again)[0].dtype(), DT_DOUBLE);
  EXPECT_TRUE(HasError(cell->ZeroState(root, 1, DT_INT32), absl::StatusCode::kInvalidArgument,
                       "RNN cell only supports floating point inputs, but saw dtype: int32"));

  auto session = *Session::Create(g);
  auto out = session->Run({}, {(*zs)[0].name(), (*again)[0].name()});
  RILL_ASSERT_OK(out);
  EXPECT_EQ((*out)[0].shape(), TensorShape({3, 4}));
  for (float v : (*out)[0].flat<float>()) EXPECT_EQ(v, 0.0f);
  EXPECT_EQ((*out)[1].shape(), TensorShape({1, 4}));
  for (double v : (*out)[1].flat<double>()) EXPECT_EQ(v, 0.0);
}

TEST(StaticRnnTest, UnrollsThreeStepsLikeTensorFlowAndMatchesTheReference) {
  const int T = 3, batch = 2, depth = 3, units = 4;
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  root.graph()->set_seed(21);
  std::vector<Output> xs;
  for (int t = 0; t < T; ++t) {
    xs.push_back(ops::Placeholder(root.WithOpName("x_" + std::to_string(t)), DT_FLOAT,
                                  TensorShape({batch, depth})));
  }
  GRUCellOptions o;
  o.bias_initializer = RandomUniformInitializer(-1, 1);
  auto cell = *GRUCell::Create(root, units, o);
  absl::StatusOr<StaticRnnResult> rnn = StaticRnn(root, *cell, xs, std::nullopt, DT_FLOAT);
  RILL_ASSERT_OK(rnn);
  ASSERT_EQ(rnn->outputs.size(), 3u);
  ASSERT_EQ(rnn->final_state.size(), 1u);
  EXPECT_EQ(rnn->final_state[0], rnn->outputs[2]);

  const Graph& g = *root.graph();
  EXPECT_EQ(root.variable_store().all().size(), 4u);
  std::vector<std::string> vars;
  for (const Variable* v : cell->weights()) vars.push_back(v->name);
  EXPECT_EQ(vars, (std::vector<std::string>{"rnn/gru_cell/gates/kernel", "rnn/gru_cell/gates/bias",
                                            "rnn/gru_cell/candidate/kernel",
                                            "rnn/gru_cell/candidate/bias"}));
  EXPECT_NE(g.FindNode("rnn/GRUCellZeroState/zeros"), nullptr);
  // Time step t uses MatMul_{2t} and MatMul_{2t+1}, Sigmoid_t, add_t.
  const std::string V = "rnn/gru_cell/";
  EXPECT_EQ(RowOf(g.FindNode(V + "concat")).inputs,
            (std::vector<std::string>{"x_0", "rnn/GRUCellZeroState/zeros", V + "concat/axis"}));
  EXPECT_EQ(RowOf(g.FindNode(V + "MatMul")).inputs,
            (std::vector<std::string>{V + "concat", V + "gates/kernel/read"}));
  EXPECT_EQ(RowOf(g.FindNode(V + "MatMul_2")).inputs,
            (std::vector<std::string>{V + "concat_2", V + "gates/kernel/read"}));
  EXPECT_EQ(RowOf(g.FindNode(V + "concat_2")).inputs,
            (std::vector<std::string>{"x_1", V + "add", V + "concat_2/axis"}));
  EXPECT_EQ(RowOf(g.FindNode(V + "MatMul_5")).inputs,
            (std::vector<std::string>{V + "concat_5", V + "candidate/kernel/read"}));
  EXPECT_EQ(g.FindNode(V + "Sigmoid_2")->op(), "Sigmoid");
  EXPECT_EQ(g.FindNode(V + "MatMul_6"), nullptr);
  EXPECT_EQ(rnn->outputs[0].name(), V + "add:0");
  EXPECT_EQ(rnn->outputs[1].name(), V + "add_1:0");
  EXPECT_EQ(rnn->outputs[2].name(), V + "add_2:0");

  Node* init = GlobalVariablesInitializer(root);
  RILL_ASSERT_OK(root.status());
  auto session = *Session::Create(g);
  RILL_ASSERT_OK(session->Run({}, {}, {init->name()}));
  std::mt19937 rng(5);
  Session::Feeds feeds;
  std::vector<std::vector<float>> xv;
  for (int t = 0; t < T; ++t) {
    xv.push_back(RandomValues(rng, batch * depth));
    feeds.emplace_back("x_" + std::to_string(t), Matrix(batch, depth, xv.back()));
  }
  std::vector<std::string> fetches;
  for (const Output& out : rnn->outputs) fetches.push_back(out.name());
  for (const Variable* v : cell->weights()) fetches.push_back(v->value.name());
  auto r = session->Run(feeds, fetches);
  RILL_ASSERT_OK(r);
  const std::vector<double> wg = AsDouble((*r)[3]), bg = AsDouble((*r)[4]),
                            wc = AsDouble((*r)[5]), bc = AsDouble((*r)[6]);
  std::vector<double> h(batch * units, 0.0);
  for (int t = 0; t < T; ++t) {
    h = ReferenceGru(std::vector<double>(xv[t].begin(), xv[t].end()), h, wg, bg, wc, bc, batch,
                     depth, units);
    const Tensor& got = (*r)[t];
    ASSERT_EQ(got.shape(), TensorShape({batch, units}));
    for (int i = 0; i < batch * units; ++i) {
      EXPECT_NEAR(got.data<float>()[i], h[i], 1e-5) << "t=" << t << " i=" << i;
    }
  }
}

TEST(StaticRnnTest, InitialStateSkipsTheZeroState) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Output x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT, TensorShape({-1, 3}));
  Output h0 = ops::Placeholder(root.WithOpName("h0"), DT_FLOAT, TensorShape({-1, 2}));
  auto cell = *GRUCell::Create(root, 2);
  absl::StatusOr<StaticRnnResult> rnn =
      StaticRnn(root, *cell, {x, x}, std::vector<Output>{h0}, std::nullopt, "my_rnn");
  RILL_ASSERT_OK(rnn);
  EXPECT_EQ(rnn->outputs[1].name(), "my_rnn/gru_cell/add_1:0");
  EXPECT_EQ(cell->weights()[0]->name, "my_rnn/gru_cell/gates/kernel");
  for (const auto& n : root.graph()->nodes()) {
    EXPECT_EQ(n->name().find("ZeroState"), std::string::npos) << n->name();
  }
}

TEST(StaticRnnTest, Errors) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Output x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT, TensorShape({2, 3}));
  Output unknown = ops::Placeholder(root.WithOpName("u"), DT_FLOAT, TensorShape({2, -1}));
  auto cell = *GRUCell::Create(root, 2);
  using C = absl::StatusCode;
  EXPECT_TRUE(HasError(StaticRnn(root, *cell, {}, std::nullopt, DT_FLOAT), C::kInvalidArgument,
                       "inputs must not be empty"));
  EXPECT_TRUE(HasError(StaticRnn(root, *cell, {x}), C::kInvalidArgument,
                       "If no initial_state is provided, dtype must be specified"));
  // TF numbers the non-batch dimensions from 0.
  EXPECT_TRUE(HasError(StaticRnn(root, *cell, {unknown}, std::nullopt, DT_FLOAT),
                       C::kInvalidArgument,
                       "Input size (dimension 0 of inputs) must be accessible via shape "
                       "inference, but saw value None."));
  Output vec = ops::Placeholder(root.WithOpName("vec"), DT_FLOAT, TensorShape({3}));
  EXPECT_TRUE(HasError(StaticRnn(root, *cell, {vec}, std::nullopt, DT_FLOAT),
                       C::kInvalidArgument, "Shape (3,) must have rank at least 2"));
  // Every input is checked, not only the first.
  EXPECT_TRUE(HasError(StaticRnn(root, *cell, {x, unknown}, std::nullopt, DT_FLOAT),
                       C::kInvalidArgument, "Input size (dimension 0 of inputs)"));
  EXPECT_FALSE(cell->built());
  RILL_EXPECT_OK(root.status());
}

TEST(StaticRnnTest, FreshCellsInTheSameRnnScopeCollide) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Output x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT, TensorShape({2, 3}));
  auto first = *GRUCell::Create(root, 2);
  RILL_ASSERT_OK(StaticRnn(root, *first, {x, x}, std::nullopt, DT_FLOAT));
  auto second = *GRUCell::Create(root, 2);
  absl::Status s = StaticRnn(root, *second, {x, x}, std::nullopt, DT_FLOAT).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(absl::StartsWith(s.message(),
                               "Variable rnn/gru_cell/gates/kernel already exists, disallowed. "
                               "Did you mean to set reuse=True or reuse=tf.AUTO_REUSE in "
                               "VarScope?"))
      << s;
  EXPECT_EQ(root.variable_store().all().size(), 4u);
  // In another scope the fresh cell is fine.
  auto third = *GRUCell::Create(root, 2);
  RILL_EXPECT_OK(StaticRnn(root, *third, {x}, std::nullopt, DT_FLOAT, "rnn2"));
  EXPECT_EQ(third->weights()[0]->name, "rnn2/gru_cell/gates/kernel");
}

TEST(MultiRNNCellTest, TwoGruCellsUnderStaticRnn) {
  const int batch = 2, depth = 3, units = 4;
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  root.graph()->set_seed(8);
  Output x0 = ops::Placeholder(root.WithOpName("x_0"), DT_FLOAT, TensorShape({batch, depth}));
  Output x1 = ops::Placeholder(root.WithOpName("x_1"), DT_FLOAT, TensorShape({batch, depth}));
  GRUCellOptions o;
  o.bias_initializer = RandomUniformInitializer(-1, 1);
  std::shared_ptr<RNNCell> c0 = *GRUCell::Create(root, units, o);
  std::shared_ptr<RNNCell> c1 = *GRUCell::Create(root, units, o);
  auto multi = *MultiRNNCell::Create(root, {c0, c1});
  EXPECT_EQ(multi->name(), "multi_rnn_cell");
  EXPECT_EQ(multi->state_size(), (std::vector<int64_t>{units, units}));
  EXPECT_EQ(multi->output_size(), units);
  absl::StatusOr<StaticRnnResult> rnn = StaticRnn(root, *multi, {x0, x1}, std::nullopt, DT_FLOAT);
  RILL_ASSERT_OK(rnn);
  ASSERT_EQ(rnn->final_state.size(), 2u);
  EXPECT_EQ(rnn->final_state[1], rnn->outputs[1]);

  std::vector<std::string> names;
  for (const Variable* v : multi->trainable_variables()) names.push_back(v->name);
  const std::string M = "rnn/multi_rnn_cell/";
  EXPECT_EQ(names, (std::vector<std::string>{
                       M + "cell_0/gru_cell/gates/kernel", M + "cell_0/gru_cell/gates/bias",
                       M + "cell_0/gru_cell/candidate/kernel", M + "cell_0/gru_cell/candidate/bias",
                       M + "cell_1/gru_cell/gates/kernel", M + "cell_1/gru_cell/gates/bias",
                       M + "cell_1/gru_cell/candidate/kernel",
                       M + "cell_1/gru_cell/candidate/bias"}));
  EXPECT_EQ(multi->weights().size(), 8u);
  EXPECT_TRUE(multi->non_trainable_variables().empty());
  EXPECT_EQ(root.variable_store().all().size(), 8u);
  // cell_1 reads cell_0's output.
  const Graph& g = *root.graph();
  EXPECT_EQ(RowOf(g.FindNode(M + "cell_1/gru_cell/concat")).inputs[0], M + "cell_0/gru_cell/add");
  EXPECT_EQ(g.FindNode("rnn/MultiRNNCellZeroState/GRUCellZeroState/zeros")->op(), "Fill");
  EXPECT_EQ(g.FindNode("rnn/MultiRNNCellZeroState/GRUCellZeroState_1/zeros")->op(), "Fill");

  // Numbers: two stacked reference GRUs over two steps.
  Node* init = GlobalVariablesInitializer(root);
  RILL_ASSERT_OK(root.status());
  auto session = *Session::Create(g);
  RILL_ASSERT_OK(session->Run({}, {}, {init->name()}));
  std::mt19937 rng(17);
  std::vector<float> xv0 = RandomValues(rng, batch * depth), xv1 = RandomValues(rng, batch * depth);
  std::vector<std::string> fetches = {rnn->outputs[0].name(), rnn->outputs[1].name(),
                                      rnn->final_state[0].name()};
  for (const Variable* v : multi->weights()) fetches.push_back(v->value.name());
  auto r = session->Run({{"x_0", Matrix(batch, depth, xv0)}, {"x_1", Matrix(batch, depth, xv1)}},
                        fetches);
  RILL_ASSERT_OK(r);
  std::vector<std::vector<double>> w;
  for (int i = 3; i < 11; ++i) w.push_back(AsDouble((*r)[i]));
  std::vector<double> h0(batch * units, 0.0), h1(batch * units, 0.0);
  std::vector<std::vector<double>> expected_out;
  for (const std::vector<float>* xv : {&xv0, &xv1}) {
    h0 = ReferenceGru(std::vector<double>(xv->begin(), xv->end()), h0, w[0], w[1], w[2], w[3],
                      batch, depth, units);
    h1 = ReferenceGru(h0, h1, w[4], w[5], w[6], w[7], batch, units, units);
    expected_out.push_back(h1);
  }
  for (int t = 0; t < 2; ++t) {
    for (int i = 0; i < batch * units; ++i) {
      EXPECT_NEAR((*r)[t].data<float>()[i], expected_out[t][i], 1e-5) << "t=" << t;
    }
  }
  for (int i = 0; i < batch * units; ++i) EXPECT_NEAR((*r)[2].data<float>()[i], h0[i], 1e-5);
}

TEST(MultiRNNCellTest, ZeroStateAndErrors) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  std::shared_ptr<RNNCell> c0 = *GRUCell::Create(root, 2);
  std::shared_ptr<RNNCell> c1 = *GRUCell::Create(root, 3);
  auto multi = *MultiRNNCell::Create(root, {c0, c1});
  absl::StatusOr<std::vector<Output>> zs = multi->ZeroState(root, 5, DT_FLOAT);
  RILL_ASSERT_OK(zs);
  ASSERT_EQ(zs->size(), 2u);
  EXPECT_EQ((*zs)[0].name(), "MultiRNNCellZeroState/GRUCellZeroState/zeros:0");
  EXPECT_EQ((*zs)[1].name(), "MultiRNNCellZeroState/GRUCellZeroState_1/zeros:0");
  EXPECT_EQ((*zs)[0].shape(), TensorShape({5, 2}));
  EXPECT_EQ((*zs)[1].shape(), TensorShape({5, 3}));
  EXPECT_NE(root.graph()->FindNode("MultiRNNCellZeroState/GRUCellZeroState/Const_1"), nullptr);

  EXPECT_TRUE(HasError(MultiRNNCell::Create(root, {}), absl::StatusCode::kInvalidArgument,
                       "Must specify at least one cell for MultiRNNCell."));
  Output x = ops::Placeholder(root, DT_FLOAT, TensorShape({5, 2}));
  EXPECT_TRUE(HasError((*multi)(root, x, {(*zs)[0]}), absl::StatusCode::kInvalidArgument,
                       "Expected state to be a tuple of length 2"));
}

TEST(BasicRNNCellTest, VariablesAndTanhOfAffine) {
  const int batch = 1, depth = 2, units = 2;
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  root.graph()->set_seed(4);
  Output x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT, TensorShape({batch, depth}));
  Output h = ops::Placeholder(root.WithOpName("h"), DT_FLOAT, TensorShape({batch, units}));
  Scope s = root.WithVariableScope("root");
  GRUCellOptions o;
  o.bias_initializer = RandomUniformInitializer(-1, 1);
  auto cell = *BasicRNNCell::Create(s, units, o);
  CellOutput out = *(*cell)(s, x, {h});
  std::vector<std::string> names;
  for (const Variable* v : cell->variables()) names.push_back(v->name);
  EXPECT_EQ(names, (std::vector<std::string>{"root/basic_rnn_cell/kernel",
                                             "root/basic_rnn_cell/bias"}));
  EXPECT_TRUE(cell->non_trainable_variables().empty());
  EXPECT_EQ(cell->variables()[0]->shape, TensorShape({depth + units, units}));
  EXPECT_EQ(out.output.shape(), TensorShape({batch, units}));
  EXPECT_EQ(out.output, out.state[0]);
  EXPECT_EQ(out.output.name(), "root/basic_rnn_cell/Tanh:0");
  EXPECT_EQ(RowOf(out.output.node).inputs,
            std::vector<std::string>{"root/basic_rnn_cell/BiasAdd"});

  Node* init = GlobalVariablesInitializer(root);
  RILL_ASSERT_OK(root.status());
  auto session = *Session::Create(*root.graph());
  RILL_ASSERT_OK(session->Run({}, {}, {init->name()}));
  const std::vector<float> xv = {0.7f, -1.3f}, hv = {0.25f, 0.5f};
  auto r = session->Run({{"x", Matrix(batch, depth, xv)}, {"h", Matrix(batch, units, hv)}},
                        {out.output.name(), cell->variables()[0]->value.name(),
                         cell->variables()[1]->value.name()});
  RILL_ASSERT_OK(r);
  const std::vector<double> w = AsDouble((*r)[1]), b = AsDouble((*r)[2]);
  const double xh[] = {0.7, -1.3, 0.25, 0.5};
  for (int j = 0; j < units; ++j) {
    double acc = b[j];
    for (int i = 0; i < depth + units; ++i) acc += xh[i] * w[i * units + j];
    EXPECT_NEAR((*r)[0].data<float>()[j], std::tanh(acc), 1e-6);
  }
}

}  // namespace
}  // namespace rill
