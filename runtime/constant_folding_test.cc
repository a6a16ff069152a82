#include "runtime/constant_folding.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "graph/test_util.h"
#include "gtest/gtest.h"
#include "ops/array_ops.h"
#include "ops/initializers.h"
#include "ops/linalg_ops.h"
#include "ops/math_ops.h"
#include "ops/op_builder.h"
#include "ops/op_registry.h"
#include "ops/variables.h"
#include "runtime/execution_plan.h"
#include "runtime/kernels/standard_kernels.h"
#include "runtime/session.h"
#include "runtime/variable_storage.h"

namespace rill {
namespace {

using ::rill::testing::HasError;

int FoldedSteps(const Graph& graph, const std::vector<Output>& feeds,
                const std::vector<Output>& fetches, int64_t max_folded_bytes = kMaxFoldedBytes,
                int64_t max_total_folded_bytes = kMaxTotalFoldedBytes) {
  PlanOptions options;
  options.max_folded_bytes = max_folded_bytes;
  options.max_total_folded_bytes = max_total_folded_bytes;
  absl::StatusOr<std::unique_ptr<ExecutionPlan>> plan =
      ExecutionPlan::Build(graph, GlobalKernelRegistry(), feeds, fetches, {}, options);
  EXPECT_TRUE(plan.ok()) << plan.status();
  return plan.ok() ? (*plan)->num_folded_steps() : -1;
}

// y = x · transpose(W) with W a Const [128, 8]: the Transpose is folded, and
// its value [8, 128] (rows 512 bytes apart) reaches MatMul as a constant
// input, which MatMul copies to a padded stride once.
class FoldedWeightsTest : public ::testing::Test {
 protected:
  static constexpr int kIn = 8, kOut = 128, kBatch = 3;

  FoldedWeightsTest() : root_(Scope::NewRootScope(&GlobalOpRegistry())) {
    for (int i = 0; i < kOut * kIn; ++i) w_.push_back(std::sin(0.1f * i));
    for (int i = 0; i < kBatch * kIn; ++i) x_.push_back(std::cos(0.3f * i));
    x_node_ = ops::Placeholder(root_.WithOpName("x"), DT_FLOAT, TensorShape({kBatch, kIn}));
    wt_ = ops::Transpose(root_.WithOpName("wt"), ops::Const(root_, w_, TensorShape({kOut, kIn})),
                         {1, 0});
    y_ = ops::MatMul(root_.WithOpName("y"), x_node_, wt_);
    EXPECT_TRUE(root_.ok()) << root_.status();
  }

  // y computed in double from `w` ([kOut, kIn], transposed by the graph).
  std::vector<double> Reference(const std::vector<float>& wt_values, bool transposed) const {
    std::vector<double> y(kBatch * kOut, 0);
    for (int b = 0; b < kBatch; ++b) {
      for (int o = 0; o < kOut; ++o) {
        for (int i = 0; i < kIn; ++i) {
          const double w = transposed ? wt_values[i * kOut + o] : wt_values[o * kIn + i];
          y[b * kOut + o] += double{x_[b * kIn + i]} * w;
        }
      }
    }
    return y;
  }

  Scope root_;
  std::vector<float> w_, x_;
  Output x_node_, wt_, y_;
};

TEST_F(FoldedWeightsTest, TheTransposeIsFoldedAndResultsMatchRunAfterRun) {
  EXPECT_EQ(FoldedSteps(*root_.graph(), {x_node_}, {y_}), 1);
  const std::vector<double> want = Reference(w_, /*transposed=*/false);
  for (bool rewrites : {false, true}) {
    SessionOptions o;
    o.enable_rewrites = rewrites;
    std::unique_ptr<Session> session = *Session::Create(*root_.graph(), o);
    const Tensor x = *Tensor::FromVector<float>(TensorShape({kBatch, kIn}), x_);
    for (int run = 0; run < 2; ++run) {
      std::vector<StepStats> stats;
      absl::StatusOr<std::vector<Tensor>> y = session->Run({{"x", x}}, {"y"}, {}, &stats);
      ASSERT_TRUE(y.ok()) << y.status();
      for (int i = 0; i < kBatch * kOut; ++i) {
        ASSERT_NEAR((*y)[0].data<float>()[i], want[i], 1e-5) << i;
      }
      // Folded: Transpose's step outputs the stored value; unfolded it runs.
      int transposes = 0, folded = 0;
      for (const StepStats& s : stats) {
        transposes += s.op == "Transpose";
        folded += s.op == "FoldedConstant";
      }
      EXPECT_EQ(folded, rewrites ? 1 : 0);
      EXPECT_EQ(transposes, rewrites ? 0 : 1);
    }
  }
}

TEST_F(FoldedWeightsTest, PlansOfOneSessionShareTheFoldedValues) {
  // Two signatures, two plans: the transposed weight is folded once and
  // both plans output the same buffer.
  std::unique_ptr<Session> session = *Session::Create(*root_.graph());
  const Tensor x = *Tensor::FromVector<float>(TensorShape({kBatch, kIn}), x_);
  absl::StatusOr<std::vector<Tensor>> alone = session->Run({}, {"wt"});
  absl::StatusOr<std::vector<Tensor>> with_y = session->Run({{"x", x}}, {"y", "wt"});
  ASSERT_TRUE(alone.ok() && with_y.ok());
  EXPECT_TRUE((*alone)[0].SharesBufferWith((*with_y)[1]));
  EXPECT_FLOAT_EQ((*alone)[0].data<float>()[1 * kOut + 0], w_[0 * kIn + 1]);  // wt[1][0] = w[0][1]
  // A third signature feeds wt: its plan uses the feed, not the value the
  // other plans folded.
  std::vector<float> fed_wt(kIn * kOut);
  for (int i = 0; i < kIn * kOut; ++i) fed_wt[i] = std::cos(0.2f * i);
  const Tensor wt_value = *Tensor::FromVector<float>(TensorShape({kIn, kOut}), fed_wt);
  absl::StatusOr<std::vector<Tensor>> fed_y = session->Run({{"x", x}, {"wt", wt_value}}, {"y"});
  ASSERT_TRUE(fed_y.ok()) << fed_y.status();
  const std::vector<double> want = Reference(fed_wt, /*transposed=*/true);
  for (int i = 0; i < kBatch * kOut; ++i) ASSERT_NEAR((*fed_y)[0].data<float>()[i], want[i], 1e-5);

  // FoldConstants itself reads the cache (ExecutionPlan::Build fills it):
  // a value found there is reused; without a cache each fold has its own.
  const std::vector<char> needed(root_.graph()->num_nodes(), 1);
  const std::vector<char> fed(root_.graph()->num_nodes(), 0);
  const int wt_id = wt_.node->id();
  FoldedValueCache cache;
  const FoldedConstants first = FoldConstants(*root_.graph(), GlobalKernelRegistry(), needed, fed,
                                              kMaxFoldedBytes, kMaxTotalFoldedBytes, &cache);
  EXPECT_FALSE(cache.Find(wt_id).has_value());
  cache.Insert(wt_id, first.values.at(wt_id));
  const FoldedConstants second = FoldConstants(*root_.graph(), GlobalKernelRegistry(), needed,
                                               fed, kMaxFoldedBytes, kMaxTotalFoldedBytes, &cache);
  const FoldedConstants own = FoldConstants(*root_.graph(), GlobalKernelRegistry(), needed, fed);
  ASSERT_EQ(first.values.count(wt_id), 1u);
  EXPECT_TRUE(first.values.at(wt_id)[0].SharesBufferWith(second.values.at(wt_id)[0]));
  EXPECT_FALSE(first.values.at(wt_id)[0].SharesBufferWith(own.values.at(wt_id)[0]));
  EXPECT_TRUE(first.values.at(wt_id)[0].Equals(own.values.at(wt_id)[0]));
}

TEST(ConstantFoldingTest, APlanOffersOnlyTheFoldedValuesItKeeps) {
  // y = x · (transpose(W) · 0.5): both the Transpose and the Mul fold, but
  // the plan keeps only the Mul's value; the Transpose's is an intermediate
  // nobody holds, and the Session-wide cache must not hold it either.
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Output x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT, TensorShape({2, 4}));
  std::vector<float> w(16);
  for (int i = 0; i < 16; ++i) w[i] = 0.25f * i;
  Output wt = ops::Transpose(root.WithOpName("wt"), ops::Const(root, w, TensorShape({4, 4})),
                             {1, 0});
  Output half = ops::Mul(root.WithOpName("half"), wt, ops::Const(root, 0.5f));
  Output y = ops::MatMul(root.WithOpName("y"), x, half);
  ASSERT_TRUE(root.ok()) << root.status();
  FoldedValueCache cache;
  PlanOptions options;
  options.folded_values = &cache;
  auto plan = ExecutionPlan::Build(*root.graph(), GlobalKernelRegistry(), {x}, {y}, {}, options);
  ASSERT_TRUE(plan.ok()) << plan.status();
  std::optional<std::vector<Tensor>> kept = cache.Find(half.node->id());
  ASSERT_TRUE(kept.has_value());
  EXPECT_FLOAT_EQ((*kept)[0].data<float>()[1 * 4 + 0], 0.5f * w[0 * 4 + 1]);
  EXPECT_FALSE(cache.Find(wt.node->id()).has_value());
}

TEST_F(FoldedWeightsTest, FeedingTheFoldedTensorUsesTheFeed) {
  EXPECT_EQ(FoldedSteps(*root_.graph(), {x_node_, wt_}, {y_}), 0);
  std::vector<float> fed(kIn * kOut);
  for (int i = 0; i < kIn * kOut; ++i) fed[i] = 0.01f * (i % 13);
  std::unique_ptr<Session> session = *Session::Create(*root_.graph());
  const Tensor x = *Tensor::FromVector<float>(TensorShape({kBatch, kIn}), x_);
  const Tensor wt = *Tensor::FromVector<float>(TensorShape({kIn, kOut}), fed);
  // First without the feed (folded plan), then with it (another plan).
  RILL_ASSERT_OK(session->Run({{"x", x}}, {"y"}));
  absl::StatusOr<std::vector<Tensor>> y = session->Run({{"x", x}, {"wt", wt}}, {"y"});
  ASSERT_TRUE(y.ok()) << y.status();
  const std::vector<double> want = Reference(fed, /*transposed=*/true);
  for (int i = 0; i < kBatch * kOut; ++i) ASSERT_NEAR((*y)[0].data<float>()[i], want[i], 1e-5);
}

// Split of a Const with output 0 fed: output 1 is still a constant, but a
// consumer of both must see the feed, so nothing past the Split folds.
TEST(ConstantFoldingTest, AFedOutputKeepsItsNodeAndReadersUnfolded) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  std::vector<Output> halves =
      ops::Split(root.WithOpName("split"), 0, ops::Const(root, {1, 2, 3, 4}, {4}), 2);
  Output y = ops::AddV2(root.WithOpName("y"), halves[0], halves[1]);
  ASSERT_TRUE(root.ok()) << root.status();
  EXPECT_EQ(FoldedSteps(*root.graph(), {}, {y}), 1);  // y, the frontier.
  EXPECT_EQ(FoldedSteps(*root.graph(), {halves[0]}, {y}), 0);
  std::unique_ptr<Session> session = *Session::Create(*root.graph());
  const Tensor fed = *Tensor::FromVector<float>(TensorShape({2}), {10, 20});
  absl::StatusOr<std::vector<Tensor>> out = session->Run({{"split:0", fed}}, {"y"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].data<float>()[0], 13);
  EXPECT_EQ((*out)[0].data<float>()[1], 24);
  out = session->Run({}, {"y"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].data<float>()[0], 4);
  EXPECT_EQ((*out)[0].data<float>()[1], 6);
}

TEST(ConstantFoldingTest, AZeroStateFromFillIsFolded) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Output x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT, TensorShape({2, 3}));
  Output zeros = ops::Fill(root.WithOpName("zeros"), ops::ConstInt32(root, {2, 3}, {2}),
                           ops::Const(root, 0.25f));
  Output y = ops::AddV2(root.WithOpName("y"), x, ops::Tanh(root.WithOpName("t"), zeros));
  ASSERT_TRUE(root.ok()) << root.status();
  // Fill and Tanh fold; only the frontier (Tanh) remains a step.
  EXPECT_EQ(FoldedSteps(*root.graph(), {x}, {y}), 1);
  std::unique_ptr<Session> session = *Session::Create(*root.graph());
  const Tensor xv = *Tensor::FromVector<float>(TensorShape({2, 3}), {1, 2, 3, 4, 5, 6});
  absl::StatusOr<std::vector<Tensor>> out = session->Run({{"x", xv}}, {"y", "zeros"});
  ASSERT_TRUE(out.ok()) << out.status();
  for (int i = 0; i < 6; ++i) {
    EXPECT_NEAR((*out)[0].data<float>()[i], (i + 1) + std::tanh(0.25), 1e-6);
    EXPECT_EQ((*out)[1].data<float>()[i], 0.25f);
  }
}

TEST(ConstantFoldingTest, StatefulNodesAndControlInputsAreNotFolded) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  root.graph()->set_seed(3);
  // RandomUniform is stateful: a new draw every run, so nothing downstream folds.
  Output r = RandomUniformInitializer(0, 1)(root.WithOpName("r"), TensorShape({64}), DT_FLOAT);
  Output scaled = ops::Mul(root.WithOpName("scaled"), r, ops::Const(root, 2.0f));
  // A control input ties a node to something that runs: not folded either.
  Node* gate = ops::NoOp(root.WithOpName("gate"));
  Output c = ops::Identity(root.WithOpName("c").WithControlDependencies({gate}),
                           ops::Const(root, 1.0f));
  ASSERT_TRUE(root.ok()) << root.status();
  // Only the initializer's constant "r/sub" (max - min) folds.
  EXPECT_EQ(FoldedSteps(*root.graph(), {}, {scaled}), 1);
  EXPECT_EQ(FoldedSteps(*root.graph(), {}, {c}), 0);
  std::unique_ptr<Session> session = *Session::Create(*root.graph());
  std::vector<Tensor> a = *session->Run({}, {"scaled"});
  std::vector<Tensor> b = *session->Run({}, {"scaled"});
  EXPECT_FALSE(a[0].Equals(b[0]));
}

// y = c + c where the Const c waits for an Assign: folding y would drop c's
// step and with it the Assign, so c does not count as a constant.
TEST(ConstantFoldingTest, AConstWithControlInputsKeepsThemRunning) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  GetVariableOptions vo;
  vo.shape = TensorShape({1});
  vo.initializer = ConstantInitializer(0);
  Variable* v = *GetVariable(root, "v", vo);
  Node* assign = BuildNode(root.WithOpName("set"), "Assign",
                           {Output(v->node, 0), ops::Const(root, {5}, TensorShape({1}))});
  Output c = ops::Const(root.WithOpName("c").WithControlDependencies({assign}), 1.0f);
  Output y = ops::AddV2(root.WithOpName("y"), c, c);
  ASSERT_TRUE(root.ok()) << root.status();
  EXPECT_EQ(FoldedSteps(*root.graph(), {}, {y}), 0);
  std::unique_ptr<Session> session = *Session::Create(*root.graph());
  absl::StatusOr<std::vector<Tensor>> out = session->Run({}, {"y"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].data<float>()[0], 2.0f);
  absl::StatusOr<Tensor> value = session->variables().Read("v");  // Set by the Assign.
  ASSERT_TRUE(value.ok()) << value.status();
  EXPECT_EQ(value->data<float>()[0], 5.0f);
}

TEST(ConstantFoldingTest, VariablesAreReadEveryRun) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  GetVariableOptions vo;
  vo.shape = TensorShape({2});
  vo.initializer = ConstantInitializer(1);
  Variable* v = *GetVariable(root, "v", vo);
  Output y = ops::Mul(root.WithOpName("y"), v->value, ops::Const(root, 3.0f));
  Node* init = GlobalVariablesInitializer(root);
  ASSERT_TRUE(root.ok()) << root.status();
  EXPECT_EQ(FoldedSteps(*root.graph(), {}, {y}), 0);
  std::unique_ptr<Session> session = *Session::Create(*root.graph());
  RILL_ASSERT_OK(session->Run({}, {}, {init->name()}));
  EXPECT_EQ((*session->Run({}, {"y"}))[0].data<float>()[1], 3.0f);
  RILL_ASSERT_OK(
      session->variables().Write("v", *Tensor::FromVector<float>(TensorShape({2}), {5, 7})));
  EXPECT_EQ((*session->Run({}, {"y"}))[0].data<float>()[1], 21.0f);
}

// A constant subgraph that fails is left to fail at run time, with the
// kernel's text and the node named, as without folding.
TEST(ConstantFoldingTest, ErrorsStayRunTimeErrors) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Output bad = ops::RealDiv(root.WithOpName("bad"), ops::ConstInt32(root, {4, 5}, {2}),
                            ops::ConstInt32(root, {1, 0}, {2}));
  ASSERT_TRUE(root.ok()) << root.status();
  EXPECT_EQ(FoldedSteps(*root.graph(), {}, {bad}), 0);
  std::unique_ptr<Session> session = *Session::Create(*root.graph());
  EXPECT_TRUE(HasError(session->Run({}, {"bad"}), absl::StatusCode::kInvalidArgument,
                       "Integer division by zero\n\t [[{{node bad}}]]"));
}

// Outputs above the cap stay per-run work, so a Session's max_tensor_bytes
// still applies to them.
TEST(ConstantFoldingTest, BigOutputsAreNotFolded) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Output big = ops::Fill(root.WithOpName("big"), ops::ConstInt32(root, {1024}, {1}),
                         ops::Const(root, 1.5f));
  Output sum = ops::Tanh(root.WithOpName("t"), big);
  ASSERT_TRUE(root.ok()) << root.status();
  EXPECT_EQ(FoldedSteps(*root.graph(), {}, {sum}), 1);
  EXPECT_EQ(FoldedSteps(*root.graph(), {}, {sum}, /*max_folded_bytes=*/4095), 0);
  SessionOptions o;
  o.max_tensor_bytes = 4095;  // 1024 floats need 4096.
  std::unique_ptr<Session> session = *Session::Create(*root.graph(), o);
  EXPECT_TRUE(HasError(session->Run({}, {"t"}), absl::StatusCode::kResourceExhausted,
                       "more than the cap of 4095 bytes"));
}

TEST(ConstantFoldingTest, FoldedValuesStayWithinTheirTotalBudget) {
  // Six Fill -> Tanh pairs, every output 1024 floats (4 KiB): 48 KiB of
  // foldable values.
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  std::vector<Output> outs;
  for (int i = 0; i < 6; ++i) {
    Output fill = ops::Fill(root.WithOpName(absl::StrCat("fill", i)),
                            ops::ConstInt32(root, {1024}, {1}), ops::Const(root, 0.1f * i));
    outs.push_back(ops::Tanh(root.WithOpName(absl::StrCat("t", i)), fill));
  }
  ASSERT_TRUE(root.ok()) << root.status();
  // Everything folds: the six Tanh are the folded steps.
  EXPECT_EQ(FoldedSteps(*root.graph(), {}, outs), 6);
  // 20 KiB: pairs 0 and 1 fold (16 KiB), then fill2 (20 KiB) but not t2,
  // which runs on the folded fill2; nothing after that fits.
  EXPECT_EQ(FoldedSteps(*root.graph(), {}, outs, kMaxFoldedBytes, 20 << 10), 3);
  EXPECT_EQ(FoldedSteps(*root.graph(), {}, outs, kMaxFoldedBytes, (20 << 10) - 1), 2);
  EXPECT_EQ(FoldedSteps(*root.graph(), {}, outs, kMaxFoldedBytes, 0), 0);
  // Folded or not, the values are the same.
  std::unique_ptr<Session> session = *Session::Create(*root.graph());
  absl::StatusOr<std::vector<Tensor>> got =
      session->Run({}, {"t0", "t1", "t2", "t3", "t4", "t5"});
  ASSERT_TRUE(got.ok()) << got.status();
  for (int i = 0; i < 6; ++i) {
    EXPECT_FLOAT_EQ((*got)[i].data<float>()[1023], std::tanh(0.1f * i)) << i;
  }
}

}  // namespace
}  // namespace rill
