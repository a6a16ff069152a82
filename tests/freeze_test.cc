// End to end: a StaticRnn GRU with variables is initialized, run, frozen,
// written, read back and run again from the file; the numbers must be equal
// and the frozen graph must hold no variables, Assigns or initializers.
#include <cmath>

#include "cells/gru_cell.h"
#include "cells/static_rnn.h"
#include "graph/graph_def.h"
#include "graph/test_util.h"
#include "gtest/gtest.h"
#include "ops/array_ops.h"
#include "ops/op_registry.h"
#include "ops/variables.h"
#include "runtime/freeze.h"
#include "runtime/session.h"

namespace rill {
namespace {

using ::rill::testing::HasError;

TEST(FreezeTest, FrozenGraphReproducesTheSessionFromAFile) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  root.graph()->set_seed(11);
  std::vector<Output> xs;
  for (int t = 0; t < 4; ++t) {
    xs.push_back(ops::Placeholder(root.WithOpName("x_" + std::to_string(t)), DT_FLOAT,
                                  TensorShape({2, 3})));
  }
  auto cell = *GRUCell::Create(root, 5);
  StaticRnnResult rnn = *StaticRnn(root, *cell, xs, std::nullopt, DT_FLOAT);
  Node* init = GlobalVariablesInitializer(root);
  RILL_ASSERT_OK(root.status());
  auto session = *Session::Create(*root.graph());
  RILL_ASSERT_OK(session->Run({}, {}, {init->name()}));
  Session::Feeds feeds;
  for (int t = 0; t < 4; ++t) {
    Tensor x = *Tensor::Allocate(DT_FLOAT, TensorShape({2, 3}));
    for (int i = 0; i < 6; ++i) x.data<float>()[i] = std::cos(1.3f * t + i);
    feeds.emplace_back("x_" + std::to_string(t), x);
  }
  const std::string out = rnn.final_state[0].name();
  EXPECT_EQ(out, "rnn/gru_cell/add_3:0");
  auto expected = session->Run(feeds, {out});
  RILL_ASSERT_OK(expected);

  absl::StatusOr<FrozenGraph> frozen = FreezeGraph(*session, {"rnn/gru_cell/add_3"});
  RILL_ASSERT_OK(frozen);
  EXPECT_EQ(frozen->converted_variables, 4);
  for (const auto& n : frozen->graph_def.node()) {
    EXPECT_NE(n.op(), "VariableV2") << n.name();
    EXPECT_NE(n.op(), "Assign") << n.name();
    EXPECT_EQ(n.name().find("Initializer"), std::string::npos) << n.name();
    if (n.name() == "rnn/gru_cell/gates/kernel") {
      EXPECT_EQ(n.op(), "Const");
      EXPECT_EQ(n.attr().count("_class"), 0u);
      EXPECT_EQ(n.attr().count("shape"), 0u);
    }
  }
  const std::string path = ::testing::TempDir() + "/frozen_gru.pb";
  RILL_ASSERT_OK(WriteGraphDefFile(path, frozen->graph_def));
  absl::StatusOr<pb::GraphDef> back = ReadGraphDefFile(path);
  RILL_ASSERT_OK(back);
  auto from_file = Session::Create(*back);
  RILL_ASSERT_OK(from_file);
  auto got = (*from_file)->Run(feeds, {out});
  RILL_ASSERT_OK(got);
  EXPECT_TRUE((*got)[0].Equals((*expected)[0])) << (*got)[0].DebugString() << " vs "
                                                << (*expected)[0].DebugString();
}

TEST(FreezeTest, Errors) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  GetVariableOptions o;
  o.shape = TensorShape({1});
  Variable* v = *GetVariable(root, "v", o);
  ops::Identity(root.WithOpName("out"), v->value);
  auto session = *Session::Create(*root.graph());
  EXPECT_TRUE(HasError(FreezeGraph(*session, {"missing"}), absl::StatusCode::kNotFound,
                       "'missing' is not in graph"));
  EXPECT_TRUE(HasError(FreezeGraph(*session, {"out"}), absl::StatusCode::kFailedPrecondition,
                       "Attempting to use uninitialized value v"));
}

}  // namespace
}  // namespace rill
