// GRUCell against TensorFlow's published test values (SPEC §9.1) and an
// independent scalar re-implementation of the formula.
#include "cells/gru_cell.h"

#include <random>

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

Tensor Matrix(int rows, int cols, std::vector<float> v) {
  return *Tensor::FromVector<float>(TensorShape({rows, cols}), v);
}

// Runs TF's testGRUCell: variable_scope(name, initializer=constant(0.5)),
// GRUCell(2) on x (1 x depth) and m = [[0.1, 0.1]].
std::vector<float> RunTfCase(const std::string& scope_name, int depth) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  VariableScopeOptions vso;
  vso.initializer = ConstantInitializer(0.5);
  Scope s = root.WithVariableScope(scope_name, vso);
  Output x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT, TensorShape({1, depth}));
  Output m = ops::Placeholder(root.WithOpName("m"), DT_FLOAT, TensorShape({1, 2}));
  auto cell = GRUCell::Create(s, 2);
  EXPECT_TRUE(cell.ok());
  absl::StatusOr<CellOutput> out = (**cell)(s, x, {m});
  EXPECT_TRUE(out.ok()) << out.status();
  Node* init = GlobalVariablesInitializer(root);
  EXPECT_TRUE(root.ok()) << root.status();
  auto session = Session::Create(*root.graph());
  EXPECT_TRUE(session.ok());
  EXPECT_TRUE((*session)->Run({}, {}, {init->name()}).ok());
  auto result = (*session)->Run({{"x", Matrix(1, depth, std::vector<float>(depth, 1.0f))},
                                 {"m", Matrix(1, 2, {0.1f, 0.1f})}},
                                {out->output.name()});
  EXPECT_TRUE(result.ok()) << result.status();
  const Tensor& g = (*result)[0];
  return std::vector<float>(g.flat<float>().begin(), g.flat<float>().end());
}

TEST(GRUCellTest, MatchesTensorFlowCaseA) {
  std::vector<float> g = RunTfCase("root", 2);
  ASSERT_EQ(g.size(), 2u);
  EXPECT_NEAR(g[0], 0.175991, 1e-6);
  EXPECT_NEAR(g[1], 0.175991, 1e-6);
}

TEST(GRUCellTest, MatchesTensorFlowCaseBWithInputSizeNotNumUnits) {
  std::vector<float> g = RunTfCase("other", 3);
  ASSERT_EQ(g.size(), 2u);
  EXPECT_NEAR(g[0], 0.156736, 1e-6);
  EXPECT_NEAR(g[1], 0.156736, 1e-6);
}

TEST(GRUCellTest, RandomWeightsMatchTheReferenceFormula) {
  const int batch = 3, depth = 5, units = 4;
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  root.graph()->set_seed(7);
  Output x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT, TensorShape({-1, depth}));
  Output h = ops::Placeholder(root.WithOpName("h"), DT_FLOAT, TensorShape({-1, units}));
  GRUCellOptions o;
  o.bias_initializer = RandomUniformInitializer(-1, 1);
  auto cell = *GRUCell::Create(root, units, o);
  CellOutput out = *(*cell)(root, x, {h});
  Node* init = GlobalVariablesInitializer(root);
  RILL_ASSERT_OK(root.status());
  auto session = *Session::Create(*root.graph());
  RILL_ASSERT_OK(session->Run({}, {}, {init->name()}));

  std::mt19937 rng(3);
  std::uniform_real_distribution<float> dist(-2, 2);
  std::vector<float> xv(batch * depth), hv(batch * units);
  for (float& v : xv) v = dist(rng);
  for (float& v : hv) v = dist(rng);
  std::vector<std::string> fetches = {out.output.name()};
  for (Variable* v : cell->weights()) fetches.push_back(v->value.name());
  auto r = session->Run({{"x", Matrix(batch, depth, xv)}, {"h", Matrix(batch, units, hv)}},
                        fetches);
  RILL_ASSERT_OK(r);
  auto as_double = [](const Tensor& t) {
    return std::vector<double>(t.flat<float>().begin(), t.flat<float>().end());
  };
  std::vector<double> expected =
      ReferenceGru(std::vector<double>(xv.begin(), xv.end()),
                   std::vector<double>(hv.begin(), hv.end()), as_double((*r)[1]),
                   as_double((*r)[2]), as_double((*r)[3]), as_double((*r)[4]), batch, depth, units);
  const Tensor& got = (*r)[0];
  ASSERT_EQ(got.shape(), TensorShape({batch, units}));
  for (int i = 0; i < batch * units; ++i) EXPECT_NEAR(got.data<float>()[i], expected[i], 2e-6);
}

}  // namespace
}  // namespace rill
