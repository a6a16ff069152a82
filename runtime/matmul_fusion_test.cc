// The dense-layer rewrite: MatMul+BiasAdd(+activation) runs as one fused
// step with the unfused numbers, for every activation and transpose, and is
// left alone when an interior tensor is needed elsewhere.
#include "runtime/matmul_fusion.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "graph/test_util.h"
#include "gtest/gtest.h"
#include "ops/array_ops.h"
#include "ops/math_ops.h"
#include "ops/nn_ops.h"
#include "ops/op_registry.h"
#include "ops/variables.h"
#include "runtime/execution_plan.h"
#include "runtime/kernels/standard_kernels.h"
#include "runtime/session.h"
#include "runtime/variable_storage.h"

namespace rill {
namespace {

constexpr int kBatch = 3, kIn = 5, kOut = 128;

Tensor Values(std::vector<int64_t> dims, float scale, float phase) {
  Tensor t = *Tensor::Allocate(DT_FLOAT, TensorShape(dims));
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    t.data<float>()[i] = scale * std::sin(0.7f * i + phase);
  }
  return t;
}

double Activate(const std::string& op, double v) {
  if (op == "Relu") return v > 0 ? v : 0;
  if (op == "Sigmoid") return 1 / (1 + std::exp(-v));
  if (op == "Tanh") return std::tanh(v);
  return v;
}

struct Layer {
  std::unique_ptr<Scope> root;
  Output x, y;
  Tensor x_value, w_value, b_value;
  bool ta = false, tb = false;
};

// y = op(BiasAdd(MatMul(x, w), b)) with Const b and w, or a variable w
// (its value written by the caller) ("" = no activation).
Layer BuildLayer(const std::string& op, bool ta, bool tb, bool variable_w = false) {
  Layer l;
  l.root = std::make_unique<Scope>(Scope::NewRootScope(&GlobalOpRegistry()));
  const Scope& s = *l.root;
  l.ta = ta;
  l.tb = tb;
  l.x_value = Values(ta ? std::vector<int64_t>{kIn, kBatch} : std::vector<int64_t>{kBatch, kIn},
                     1.0f, 0.1f);
  l.w_value = Values(tb ? std::vector<int64_t>{kOut, kIn} : std::vector<int64_t>{kIn, kOut},
                     0.5f, 0.3f);
  l.b_value = Values({kOut}, 0.2f, 0.7f);
  l.x = ops::Placeholder(s.WithOpName("x"), DT_FLOAT, TensorShape({-1, -1}));
  Output w;
  if (variable_w) {
    GetVariableOptions o;
    o.shape = l.w_value.shape();
    w = (*GetVariable(s, "w", o))->value;  // "w/read"
  } else {
    w = ops::Identity(s.WithOpName("w/read"), ops::Const(s.WithOpName("w"), l.w_value));
  }
  Output mm = ops::MatMul(s.WithOpName("MatMul"), l.x, w, ta, tb);
  l.y = ops::BiasAdd(s.WithOpName("BiasAdd"), mm, ops::Const(s.WithOpName("b"), l.b_value));
  if (op == "Relu") l.y = ops::Relu(s.WithOpName("act"), l.y);
  if (op == "Sigmoid") l.y = ops::Sigmoid(s.WithOpName("act"), l.y);
  if (op == "Tanh") l.y = ops::Tanh(s.WithOpName("act"), l.y);
  EXPECT_TRUE(s.ok()) << s.status();
  return l;
}

// The layer's output computed in double.
void ExpectLayer(const Layer& l, const std::string& op, const Tensor& y) {
  ASSERT_EQ(y.shape(), TensorShape({kBatch, kOut}));
  const float* x = l.x_value.data<float>();
  const float* w = l.w_value.data<float>();
  for (int i = 0; i < kBatch; ++i) {
    for (int j = 0; j < kOut; ++j) {
      double v = l.b_value.data<float>()[j];
      for (int p = 0; p < kIn; ++p) {
        v += double(l.ta ? x[p * kBatch + i] : x[i * kIn + p]) *
             (l.tb ? w[j * kIn + p] : w[p * kOut + j]);
      }
      ASSERT_NEAR(y.data<float>()[i * kOut + j], Activate(op, v), 1e-5) << i << "," << j;
    }
  }
}

int FusedSteps(const Layer& l, const std::vector<Output>& fetches) {
  auto plan = ExecutionPlan::Build(*l.root->graph(), GlobalKernelRegistry(), {l.x}, fetches, {});
  EXPECT_TRUE(plan.ok()) << plan.status();
  return (*plan)->num_fused_steps();
}

TEST(MatMulFusionTest, EveryActivationAndTransposeGivesTheLayer) {
  for (const std::string op : {"", "Relu", "Sigmoid", "Tanh"}) {
    for (const bool ta : {false, true}) {
      for (const bool tb : {false, true}) {
        SCOPED_TRACE(op + (ta ? " ta" : "") + (tb ? " tb" : ""));
        Layer l = BuildLayer(op, ta, tb);
        EXPECT_EQ(FusedSteps(l, {l.y}), 1);
        for (const bool rewrites : {true, false}) {
          SessionOptions o;
          o.enable_rewrites = rewrites;
          auto session = *Session::Create(*l.root->graph(), o);
          for (int run = 0; run < 2; ++run) {  // The second reuses the padded weights.
            auto y = session->Run({{"x", l.x_value}}, {l.y.name()});
            ASSERT_TRUE(y.ok()) << y.status();
            ExpectLayer(l, op, (*y)[0]);
          }
        }
      }
    }
  }
}

TEST(MatMulFusionTest, VariableWeightsAreSeenAfterEveryWrite) {
  // MatMul and FusedMatMul keep a padded copy of a variable W [5, 128] (128
  // columns: a slow stride) until the variable is written: each write is
  // seen. With transpose_b, W [128, 5] is read in place.
  for (const bool tb : {false, true}) {
    for (const bool rewrites : {true, false}) {
      SCOPED_TRACE(absl::StrCat(tb ? "tb" : "", rewrites ? " fused" : " MatMul"));
      Layer l = BuildLayer("Tanh", false, tb, /*variable_w=*/true);
      SessionOptions o;
      o.enable_rewrites = rewrites;
      auto session = *Session::Create(*l.root->graph(), o);
      Tensor w = l.w_value;  // Kept: Write stores a copy each time.
      for (int write = 0; write < 3; ++write) {
        RILL_ASSERT_OK(session->variables().Write("w", w));
        long holders_after_first_run = 0;
        for (int run = 0; run < 2; ++run) {
          std::vector<StepStats> stats;
          auto y = session->Run({{"x", l.x_value}}, {l.y.name()}, {}, &stats);
          ASSERT_TRUE(y.ok()) << y.status();
          ExpectLayer(l, "Tanh", (*y)[0]);
          const bool fused = std::any_of(stats.begin(), stats.end(), [](const StepStats& st) {
            return st.op == "FusedMatMul";
          });
          EXPECT_EQ(fused, rewrites);
          // Who holds the stored buffer besides the storage and the tensor
          // Read returns: after the first run the kernel's cache (it saw the
          // value), after the second also the copy made then (the Session's
          // store holds its source). With transpose_b nothing: read in place.
          const long holders = session->variables().Read("w")->buffer().use_count();
          if (tb) {
            EXPECT_EQ(holders, 2);
          } else if (run == 0) {
            EXPECT_GT(holders, 2);
            holders_after_first_run = holders;
          } else {
            EXPECT_EQ(holders, holders_after_first_run + 1);
          }
        }
        for (float& v : w.flat<float>()) v = -0.7f * v + 0.05f;  // l.w_value too.
      }
    }
  }
}

TEST(MatMulFusionTest, InteriorTensorsNeededElsewhereStayUnfused) {
  Layer l = BuildLayer("Tanh", false, false);
  Node* biasadd = l.root->graph()->FindNode("BiasAdd");
  Node* matmul = l.root->graph()->FindNode("MatMul");
  ASSERT_TRUE(biasadd != nullptr && matmul != nullptr);
  // Fetching the BiasAdd: MatMul+BiasAdd is fused, the Tanh runs alone.
  EXPECT_EQ(FusedSteps(l, {l.y, Output(biasadd, 0)}), 1);
  // Fetching the MatMul: nothing is fused.
  EXPECT_EQ(FusedSteps(l, {l.y, Output(matmul, 0)}), 0);
  auto session = *Session::Create(*l.root->graph());
  auto both = session->Run({{"x", l.x_value}}, {l.y.name(), "BiasAdd:0"});
  ASSERT_TRUE(both.ok()) << both.status();
  ExpectLayer(l, "Tanh", (*both)[0]);
  ExpectLayer(l, "", (*both)[1]);
  // A second reader of the MatMul: nothing is fused.
  ops::Relu(l.root->WithOpName("other"), Output(matmul, 0));
  EXPECT_EQ(FusedSteps(l, {l.y}), 0);
}

TEST(MatMulFusionTest, RunTimeShapeMismatchIsAnError) {
  Layer l = BuildLayer("Relu", false, false);
  auto session = *Session::Create(*l.root->graph());
  auto y = session->Run({{"x", Values({kBatch, kIn + 1}, 1.0f, 0.0f)}}, {l.y.name()});
  EXPECT_EQ(y.status().code(), absl::StatusCode::kInvalidArgument) << y.status();
  EXPECT_NE(y.status().message().find("Matrix size-incompatible: In[0]: [3,6], In[1]: [5,128]"),
            std::string::npos)
      << y.status();
}

// y = Tanh(BiasAdd(MatMul(ConcatV2(x, e, h, axis), W), b)): BasicRNNCell's
// layer, with an empty piece e ([B, 0]) in the middle. x [B, 4], h [B, 3].
struct ConcatLayer {
  std::unique_ptr<Scope> root;
  Output x, e, h, concat, y;
  Tensor x_value, e_value, h_value, w_value, b_value;
};

ConcatLayer BuildConcatLayer(int axis, bool tb, bool constant_weights) {
  constexpr int kX = 4, kH = 3;
  ConcatLayer l;
  l.root = std::make_unique<Scope>(Scope::NewRootScope(&GlobalOpRegistry()));
  const Scope& s = *l.root;
  l.x_value = Values({kBatch, kX}, 1.0f, 0.2f);
  l.e_value = *Tensor::Allocate(DT_FLOAT, TensorShape({kBatch, 0}));
  l.h_value = Values({kBatch, kH}, 0.8f, 1.1f);
  l.w_value = Values(tb ? std::vector<int64_t>{kOut, kX + kH} : std::vector<int64_t>{kX + kH, kOut},
                     0.5f, 0.4f);
  l.b_value = Values({kOut}, 0.2f, 0.9f);
  l.x = ops::Placeholder(s.WithOpName("x"), DT_FLOAT, TensorShape({-1, kX}));
  l.e = ops::Placeholder(s.WithOpName("e"), DT_FLOAT, TensorShape({-1, 0}));
  l.h = ops::Placeholder(s.WithOpName("h"), DT_FLOAT, TensorShape({-1, kH}));
  Output w = constant_weights
                 ? ops::Const(s.WithOpName("w"), l.w_value)
                 : ops::Placeholder(s.WithOpName("w"), DT_FLOAT, l.w_value.shape());
  l.concat = ops::Concat(s.WithOpName("concat"), {l.x, l.e, l.h}, axis);
  Output mm = ops::MatMul(s.WithOpName("MatMul"), l.concat, w, false, tb);
  l.y = ops::Tanh(s.WithOpName("act"),
                  ops::BiasAdd(s.WithOpName("BiasAdd"), mm, ops::Const(s.WithOpName("b"), l.b_value)));
  EXPECT_TRUE(s.ok()) << s.status();
  return l;
}

// tanh([x, h] · W + b) in double.
void ExpectConcatLayer(const ConcatLayer& l, bool tb, const Tensor& y) {
  ASSERT_EQ(y.shape(), TensorShape({kBatch, kOut}));
  const int64_t k_x = l.x_value.dim(1), k = k_x + l.h_value.dim(1);
  const float* w = l.w_value.data<float>();
  for (int i = 0; i < kBatch; ++i) {
    for (int j = 0; j < kOut; ++j) {
      double v = l.b_value.data<float>()[j];
      for (int p = 0; p < k; ++p) {
        const double a = p < k_x ? l.x_value.data<float>()[i * k_x + p]
                                 : l.h_value.data<float>()[i * (k - k_x) + p - k_x];
        v += a * (tb ? w[j * k + p] : w[p * kOut + j]);
      }
      ASSERT_NEAR(y.data<float>()[i * kOut + j], std::tanh(v), 1e-5) << i << "," << j;
    }
  }
}

TEST(MatMulFusionTest, AConcatAlongColumnsIsReadInPieces) {
  for (const int axis : {1, -1}) {
    for (const bool tb : {false, true}) {
      for (const bool constant_weights : {true, false}) {
        SCOPED_TRACE(absl::StrCat("axis ", axis, tb ? " tb" : "",
                                  constant_weights ? " Const W" : " fed W"));
        ConcatLayer l = BuildConcatLayer(axis, tb, constant_weights);
        Session::Feeds feeds = {{"x", l.x_value}, {"e", l.e_value}, {"h", l.h_value}};
        if (!constant_weights) feeds.push_back({"w", l.w_value});
        for (const bool rewrites : {true, false}) {
          SessionOptions o;
          o.enable_rewrites = rewrites;
          auto session = *Session::Create(*l.root->graph(), o);
          for (int run = 0; run < 2; ++run) {
            std::vector<StepStats> stats;
            auto y = session->Run(feeds, {l.y.name()}, {}, &stats);
            ASSERT_TRUE(y.ok()) << y.status();
            ExpectConcatLayer(l, tb, (*y)[0]);
            std::vector<std::string> ops;
            for (const StepStats& st : stats) ops.push_back(st.op);
            const bool has_concat =
                std::find(ops.begin(), ops.end(), "ConcatV2") != ops.end();
            const bool has_fused =
                std::find(ops.begin(), ops.end(), "FusedMatMul") != ops.end();
            // Rewritten: one fused step and no concatenated copy.
            EXPECT_EQ(has_concat, !rewrites) << absl::StrJoin(ops, ",");
            EXPECT_EQ(has_fused, rewrites) << absl::StrJoin(ops, ",");
          }
        }
      }
    }
  }
}

TEST(MatMulFusionTest, AFetchedConcatIsComputedAndTheLayerStillFused) {
  ConcatLayer l = BuildConcatLayer(1, false, true);
  auto session = *Session::Create(*l.root->graph());
  std::vector<StepStats> stats;
  auto got = session->Run({{"x", l.x_value}, {"e", l.e_value}, {"h", l.h_value}},
                          {l.y.name(), "concat:0"}, {}, &stats);
  ASSERT_TRUE(got.ok()) << got.status();
  ExpectConcatLayer(l, false, (*got)[0]);
  const Tensor& concat = (*got)[1];
  ASSERT_EQ(concat.shape(), TensorShape({kBatch, 7}));
  EXPECT_EQ(concat.data<float>()[1 * 7 + 5], l.h_value.data<float>()[1 * 3 + 1]);
  int fused = 0, concats = 0;
  for (const StepStats& st : stats) {
    fused += st.op == "FusedMatMul";
    concats += st.op == "ConcatV2";
  }
  EXPECT_EQ(fused, 1);
  EXPECT_EQ(concats, 1);
}

TEST(MatMulFusionTest, PiecesWithOtherRowCountsAreAnError) {
  ConcatLayer l = BuildConcatLayer(1, false, true);
  for (const bool rewrites : {true, false}) {
    SessionOptions o;
    o.enable_rewrites = rewrites;
    auto session = *Session::Create(*l.root->graph(), o);
    auto y = session->Run({{"x", l.x_value}, {"e", l.e_value}, {"h", Values({kBatch + 1, 3}, 1, 0)}},
                          {l.y.name()});
    EXPECT_EQ(y.status().code(), absl::StatusCode::kInvalidArgument) << y.status();
    if (rewrites) {
      EXPECT_NE(y.status().message().find(
                    "ConcatOp : Dimensions of inputs should match: shape[0] = [3,4] vs. "
                    "shape[2] = [4,3]"),
                std::string::npos)
          << y.status();
    }
  }
}

}  // namespace
}  // namespace rill
