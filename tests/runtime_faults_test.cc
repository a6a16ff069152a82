// Run-time faults: a kernel or shape error in the middle of a run leaves the
// Session usable, and a variable whose Assign had not run when the step
// failed keeps its value. Also with several threads sharing one Session,
// some runs failing and others succeeding at the same time.
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cells/gru_cell.h"
#include "cells/static_rnn.h"
#include "graph/graph_def.h"
#include "graph/test_util.h"
#include "gtest/gtest.h"
#include "ops/array_ops.h"
#include "ops/initializers.h"
#include "ops/op_registry.h"
#include "ops/variables.h"
#include "runtime/session.h"
#include "runtime/variable_storage.h"

namespace rill {
namespace {

using ::rill::testing::HasError;

// Two int32 [2] variables. "step" assigns a := fresh (first, independent of
// the feeds) and b := x / y (integer RealDiv: a kernel error when y has a
// zero), and c := Reshape(z, [2]) (a run-time shape error when z does not
// have 2 elements). "init" sets a, b and c to [1, 1].
constexpr char kGraph[] = R"pb(
  node { name: "a" op: "VariableV2" attr { key: "dtype" value { type: DT_INT32 } }
         attr { key: "shape" value { shape { dim { size: 2 } } } } }
  node { name: "b" op: "VariableV2" attr { key: "dtype" value { type: DT_INT32 } }
         attr { key: "shape" value { shape { dim { size: 2 } } } } }
  node { name: "c" op: "VariableV2" attr { key: "dtype" value { type: DT_INT32 } }
         attr { key: "shape" value { shape { dim { size: 2 } } } } }
  node { name: "ones" op: "Const" attr { key: "dtype" value { type: DT_INT32 } }
         attr { key: "value" value { tensor { dtype: DT_INT32 tensor_shape { dim { size: 2 } }
                                              int_val: 1 } } } }
  node { name: "a/init" op: "Assign" input: "a" input: "ones" attr { key: "T" value { type: DT_INT32 } } }
  node { name: "b/init" op: "Assign" input: "b" input: "ones" attr { key: "T" value { type: DT_INT32 } } }
  node { name: "c/init" op: "Assign" input: "c" input: "ones" attr { key: "T" value { type: DT_INT32 } } }
  node { name: "init" op: "NoOp" input: "^a/init" input: "^b/init" input: "^c/init" }
  node { name: "fresh" op: "Const" attr { key: "dtype" value { type: DT_INT32 } }
         attr { key: "value" value { tensor { dtype: DT_INT32 tensor_shape { dim { size: 2 } }
                                              int_val: 5 } } } }
  node { name: "a/step" op: "Assign" input: "a" input: "fresh" attr { key: "T" value { type: DT_INT32 } } }
  node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_INT32 } }
         attr { key: "shape" value { shape { dim { size: 2 } } } } }
  node { name: "y" op: "Placeholder" attr { key: "dtype" value { type: DT_INT32 } }
         attr { key: "shape" value { shape { dim { size: 2 } } } } }
  node { name: "div" op: "RealDiv" input: "x" input: "y" attr { key: "T" value { type: DT_INT32 } } }
  node { name: "b/step" op: "Assign" input: "b" input: "div" attr { key: "T" value { type: DT_INT32 } } }
  node { name: "z" op: "Placeholder" attr { key: "dtype" value { type: DT_INT32 } }
         attr { key: "shape" value { shape { dim { size: -1 } } } } }
  node { name: "two" op: "Const" attr { key: "dtype" value { type: DT_INT32 } }
         attr { key: "value" value { tensor { dtype: DT_INT32 tensor_shape { dim { size: 1 } }
                                              int_val: 2 } } } }
  node { name: "reshape" op: "Reshape" input: "z" input: "two" attr { key: "T" value { type: DT_INT32 } } }
  node { name: "c/step" op: "Assign" input: "c" input: "reshape" attr { key: "T" value { type: DT_INT32 } } }
  node { name: "step" op: "NoOp" input: "^a/step" input: "^b/step" input: "^c/step" }
)pb";

Tensor I32(std::vector<int32_t> v) {
  return *Tensor::FromVector<int32_t>(TensorShape({static_cast<int64_t>(v.size())}), v);
}

std::vector<int32_t> Value(const Session& s, const std::string& var) {
  absl::StatusOr<Tensor> t = s.variables().Read(var);
  if (!t.ok()) return {};
  return std::vector<int32_t>(t->flat<int32_t>().begin(), t->flat<int32_t>().end());
}

class RuntimeFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<pb::GraphDef> def = ParseGraphDef(kGraph, /*text=*/true);
    RILL_ASSERT_OK(def);
    absl::StatusOr<std::unique_ptr<Session>> s = Session::Create(*def);
    RILL_ASSERT_OK(s);
    session_ = *std::move(s);
    RILL_ASSERT_OK(session_->Run({}, {}, {"init"}));
  }
  Session::Feeds Feeds(std::vector<int32_t> y, std::vector<int32_t> z) {
    return {{"x", I32({8, 9})}, {"y", I32(std::move(y))}, {"z", I32(std::move(z))}};
  }
  std::unique_ptr<Session> session_;
};

TEST_F(RuntimeFaultTest, KernelErrorKeepsUnassignedVariablesAndTheSessionUsable) {
  EXPECT_TRUE(HasError(session_->Run(Feeds({2, 0}, {3, 4}), {}, {"step"}),
                       absl::StatusCode::kInvalidArgument, "Integer division by zero"));
  // b's and c's Assigns come after the failing division: unchanged. (a's
  // Assign does not depend on it and may already have run, as in TF.)
  EXPECT_EQ(Value(*session_, "b"), (std::vector<int32_t>{1, 1}));
  EXPECT_EQ(Value(*session_, "c"), (std::vector<int32_t>{1, 1}));
  // The same plan runs fine with good feeds.
  RILL_ASSERT_OK(session_->Run(Feeds({2, 3}, {3, 4}), {}, {"step"}));
  EXPECT_EQ(Value(*session_, "a"), (std::vector<int32_t>{5, 5}));
  EXPECT_EQ(Value(*session_, "b"), (std::vector<int32_t>{4, 3}));
  EXPECT_EQ(Value(*session_, "c"), (std::vector<int32_t>{3, 4}));
}

TEST_F(RuntimeFaultTest, RunTimeShapeErrorKeepsUnassignedVariables) {
  EXPECT_TRUE(HasError(session_->Run(Feeds({2, 3}, {3, 4, 5}), {}, {"step"}),
                       absl::StatusCode::kInvalidArgument, "reshape"));
  EXPECT_EQ(Value(*session_, "c"), (std::vector<int32_t>{1, 1}));
  auto out = session_->Run(Feeds({1, 1}, {6, 7}), {"reshape"}, {"step"});
  RILL_ASSERT_OK(out);
  EXPECT_EQ(Value(*session_, "c"), (std::vector<int32_t>{6, 7}));
}

TEST_F(RuntimeFaultTest, FailingAndSucceedingRunsFromManyThreads) {
  constexpr int kThreads = 4;
  constexpr int kRuns = 200;
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRuns; ++i) {
        const bool fail = (i + t) % 3 == 0;
        const int32_t y = fail ? 0 : 1 + (i % 4);
        auto r = session_->Run({{"x", I32({12, 12})}, {"y", I32({y, y})}}, {"div"});
        if (fail) {
          wrong += r.ok() || r.status().code() != absl::StatusCode::kInvalidArgument;
        } else {
          wrong += !r.ok() || (*r)[0].flat<int32_t>()[0] != 12 / y;
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(Value(*session_, "b"), (std::vector<int32_t>{1, 1}));
}

// Regression: Assign with validate_shape=false stored a value of another
// shape than the variable declares; its readers were planned for the
// declared [2,2], so a MatMul read 4 floats from a 1-float buffer.
TEST(VariableShapeTest, AssignWithoutValidationKeepsTheDeclaredShape) {
  constexpr char kText[] = R"pb(
    node { name: "v" op: "VariableV2" attr { key: "dtype" value { type: DT_FLOAT } }
           attr { key: "shape" value { shape { dim { size: 2 } dim { size: 2 } } } } }
    node { name: "small" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
           attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 1 } }
                                                float_val: 3 } } } }
    node { name: "v/assign" op: "Assign" input: "v" input: "small"
           attr { key: "T" value { type: DT_FLOAT } }
           attr { key: "validate_shape" value { b: false } } }
    node { name: "mm" op: "MatMul" input: "v" input: "v" attr { key: "T" value { type: DT_FLOAT } } }
  )pb";
  auto s = Session::Create(*ParseGraphDef(kText, /*text=*/true));
  RILL_ASSERT_OK(s);
  EXPECT_TRUE(HasError((*s)->Run({}, {}, {"v/assign"}), absl::StatusCode::kInvalidArgument,
                       "validate_shape=false"));
  EXPECT_FALSE((*s)->variables().IsInitialized("v"));
  // A value written around the Assign (VariableStorage is public) is caught
  // where the variable is read.
  RILL_ASSERT_OK(
      (*s)->variables().Write("v", *Tensor::FromVector<float>(TensorShape({1}), {3.0f})));
  EXPECT_TRUE(HasError((*s)->Run({}, {"mm"}), absl::StatusCode::kInvalidArgument,
                       "is declared float [2,2]"));
}

// Regression: the fused GRU kernels (plan-time rewrites) trusted the sizes
// the match read from static shapes. A state declared [?,?] and fed as [1,1]
// made them read 2 floats per row from it, where the unfused graph reports
// the mismatch. Both paths now give InvalidArgument, and equal numbers for
// good feeds.
TEST(FusedGruTest, MisshapedStateIsAnErrorWithAndWithoutRewrites) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  VariableScopeOptions init_options;
  init_options.initializer = ConstantInitializer(0.5);
  Scope s = root.WithVariableScope("root", init_options);
  std::vector<Output> xs;
  for (int t = 0; t < 3; ++t) {
    xs.push_back(ops::Placeholder(root.WithOpName("x" + std::to_string(t)), DT_FLOAT,
                                  TensorShape({2, 2})));
  }
  Output h = ops::Placeholder(root.WithOpName("h"), DT_FLOAT, TensorShape({-1, -1}));
  auto cell = GRUCell::Create(s, 2);
  RILL_ASSERT_OK(cell);
  auto step = (**cell)(s, xs[0], {h});  // One cell step (FusedGruKernel).
  RILL_ASSERT_OK(step);
  auto rnn = StaticRnn(s, **cell, xs, std::vector<Output>{h});  // FusedGruSequenceKernel.
  RILL_ASSERT_OK(rnn);
  Node* init = GlobalVariablesInitializer(root);
  RILL_ASSERT_OK(root.status());
  const std::vector<std::string> fetches = {step->output.name(), rnn->final_state[0].name()};

  const Tensor x = *Tensor::FromVector<float>(TensorShape({2, 2}), {1, 1, 1, 1});
  std::vector<std::vector<float>> good_results;
  for (bool rewrites : {true, false}) {
    SCOPED_TRACE(rewrites);
    SessionOptions options;
    options.enable_rewrites = rewrites;
    auto session = Session::Create(*root.graph(), options);
    RILL_ASSERT_OK(session);
    RILL_ASSERT_OK((*session)->Run({}, {}, {init->name()}));
    for (const auto& bad_h : {TensorShape({1, 1}), TensorShape({2, 1}), TensorShape({2, 3}),
                              TensorShape({1, 2})}) {
      SCOPED_TRACE(bad_h.ToString());
      const Tensor hv = *Tensor::Allocate(DT_FLOAT, bad_h);
      for (const std::string& fetch : fetches) {
        EXPECT_EQ((*session)
                      ->Run({{"x0", x}, {"x1", x}, {"x2", x}, {"h", hv}}, {fetch})
                      .status()
                      .code(),
                  absl::StatusCode::kInvalidArgument)
            << fetch;
      }
    }
    const Tensor hv = *Tensor::FromVector<float>(TensorShape({2, 2}), {0.1f, 0.1f, 0.1f, 0.1f});
    auto out = (*session)->Run({{"x0", x}, {"x1", x}, {"x2", x}, {"h", hv}}, fetches);
    RILL_ASSERT_OK(out);
    std::vector<float> values;
    for (const Tensor& t : *out) values.insert(values.end(), t.flat<float>().begin(), t.flat<float>().end());
    good_results.push_back(values);
  }
  ASSERT_EQ(good_results.size(), 2u);
  for (size_t i = 0; i < good_results[0].size(); ++i) {
    EXPECT_NEAR(good_results[0][i], good_results[1][i], 1e-5);
  }
  EXPECT_NEAR(good_results[0][0], 0.175991f, 1e-5);  // TF's GRUCell test value.
}

}  // namespace
}  // namespace rill
