// A Session that owns its graph holds Const GRU weights once: the fused
// kernels bind the Consts at plan time, derive their own form (packed panels
// below 64 rows, padded copies above) and the graph's dense value is
// released; anything that reads the value again (a plan fetching it, a
// kernel needing the other form, FreezeGraph) gets it back exactly.
#include <cmath>
#include <cstring>
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
#include "runtime/freeze.h"
#include "runtime/session.h"

namespace rill {
namespace {

// W_ru is 4 MiB: deriving from it frees at least one whole 2 MiB span of
// the value as it goes (graph/consumed_memory.h), so the forms and
// the restored values below are made after real frees.
constexpr int kIn = 512, kUnits = 512, kSteps = 3;
constexpr char kGatesKernel[] = "rnn/gru_cell/gates/kernel";
constexpr char kCandidateKernel[] = "rnn/gru_cell/candidate/kernel";

void ExpectNear(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  ::rill::testing::ExpectFloatTensorsNear(a, b, 1e-5);
}

// Bit for bit.
void ExpectEqual(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t t = 0; t < a.size(); ++t) {
    ASSERT_EQ(a[t].shape(), b[t].shape());
    EXPECT_EQ(std::memcmp(a[t].data<float>(), b[t].data<float>(),
                          a[t].num_elements() * sizeof(float)),
              0)
        << t;
  }
}

class WeightReleaseTest : public ::testing::Test {
 protected:
  WeightReleaseTest() {
    Scope root = Scope::NewRootScope(&GlobalOpRegistry());
    root.graph()->set_seed(7);
    std::vector<Output> xs;
    for (int t = 0; t < kSteps; ++t) {
      xs.push_back(ops::Placeholder(root.WithOpName("x" + std::to_string(t)), DT_FLOAT,
                                    TensorShape({-1, kIn})));
    }
    Output h0 = ops::Placeholder(root.WithOpName("h0"), DT_FLOAT, TensorShape({-1, kUnits}));
    GRUCellOptions o;
    o.bias_initializer = RandomUniformInitializer(-0.5, 0.5);
    auto cell = *GRUCell::Create(root, kUnits, o);
    StaticRnnResult rnn = *StaticRnn(root, *cell, xs, std::vector<Output>{h0});
    Node* init = GlobalVariablesInitializer(root);
    EXPECT_TRUE(root.ok()) << root.status();
    auto session = *Session::Create(*root.graph());
    RILL_EXPECT_OK(session->Run({}, {}, {init->name()}).status());
    std::vector<std::string> nodes;
    for (const Output& out : rnn.outputs) {
      states_.push_back(out.name());
      nodes.push_back(out.node->name());
    }
    // Only the first state: one step, the single-step kernel.
    step_fetches_ = {states_[0]};
    def_ = FreezeGraph(*session, nodes)->graph_def;
    SessionOptions plain;
    plain.enable_rewrites = false;  // No fused kernel: nothing is released.
    reference_ = *Session::Create(def_, plain);
    for (const char* name : {kGatesKernel, kCandidateKernel}) {
      original_.push_back(*reference_->graph().FindNode(name)->const_value());
    }
  }

  static Session::Feeds Feeds(int batch) {
    Session::Feeds feeds;
    for (int t = 0; t < kSteps; ++t) {
      Tensor x = *Tensor::Allocate(DT_FLOAT, TensorShape({batch, kIn}));
      for (int i = 0; i < batch * kIn; ++i) x.data<float>()[i] = std::sin(0.13f * (i + 5 * t));
      feeds.emplace_back("x" + std::to_string(t), x);
    }
    Tensor h = *Tensor::Allocate(DT_FLOAT, TensorShape({batch, kUnits}));
    for (int i = 0; i < batch * kUnits; ++i) h.data<float>()[i] = std::cos(0.05f * i);
    feeds.emplace_back("h0", h);
    return feeds;
  }

  static bool Released(const Session& s, const char* name) {
    return s.graph().FindNode(name)->const_value_released();
  }

  // The graph's weights as `s` gives them back, bit for bit the frozen ones.
  void ExpectOriginalWeights(const std::vector<Tensor>& weights) {
    ExpectEqual(weights, original_);
  }

  pb::GraphDef def_;
  std::vector<std::string> states_, step_fetches_;
  std::unique_ptr<Session> reference_;
  std::vector<Tensor> original_;  // W_ru, W_c.
};

// Batch 3 runs on packed panels, 70 on padded copies (from 64 rows): the
// second form is made from a value restored from the first, and both give
// the weights back exactly. The sequence kernel and the single-step kernel.
TEST_F(WeightReleaseTest, ReleasedWhenDerivedAndRestoredExactlyFromEitherForm) {
  for (const std::vector<std::string>* fetches : {&states_, &step_fetches_}) {
    SCOPED_TRACE(fetches->size());
    auto session = *Session::Create(def_);
    EXPECT_FALSE(Released(*session, kGatesKernel));
    std::vector<Tensor> first;
    for (int batch : {3, 70}) {
      SCOPED_TRACE(batch);
      const Session::Feeds feeds = Feeds(batch);
      const std::vector<Tensor> got = *session->Run(feeds, *fetches);
      ExpectNear(*reference_->Run(feeds, *fetches), got);
      EXPECT_TRUE(Released(*session, kGatesKernel));
      EXPECT_TRUE(Released(*session, kCandidateKernel));
      ExpectEqual(got, *session->Run(feeds, *fetches));  // Same form, same numbers.
      if (batch == 3) first = got;
    }
    // A plan that reads the Consts gets them back, bit for bit, and keeps
    // them while its steps hold them.
    ExpectOriginalWeights(
        *session->Run({}, {std::string(kGatesKernel) + ":0",
                           std::string(kCandidateKernel) + ":0"}));
    EXPECT_FALSE(Released(*session, kGatesKernel));
    ExpectEqual(first, *session->Run(Feeds(3), *fetches));
  }
}

TEST_F(WeightReleaseTest, AnotherPlanOfTheSameWeightsDoesNotRestoreThem) {
  // The second plan's kernel finds the form the first one made (the
  // Session's store), and folding does not read released values (the
  // weights' "read" Identity is left to the run, where nothing reads it).
  auto session = *Session::Create(def_);
  RILL_ASSERT_OK(session->Run(Feeds(3), states_).status());
  ASSERT_TRUE(Released(*session, kGatesKernel));
  const std::vector<std::string> last = {states_.back()};
  ExpectNear(*reference_->Run(Feeds(3), last), *session->Run(Feeds(3), last));
  EXPECT_TRUE(Released(*session, kGatesKernel));
  EXPECT_TRUE(Released(*session, kCandidateKernel));
}

TEST_F(WeightReleaseTest, ABorrowedGraphKeepsItsValues) {
  auto graph = *GraphFromGraphDef(def_, &GlobalOpRegistry());
  auto session = *Session::Create(*graph);
  ExpectNear(*reference_->Run(Feeds(3), states_), *session->Run(Feeds(3), states_));
  EXPECT_FALSE(Released(*session, kGatesKernel));
  EXPECT_FALSE(Released(*session, kCandidateKernel));
}

TEST_F(WeightReleaseTest, AValueSomethingElseReadsIsKept) {
  // The run's plan also fetches W_c: its Const step holds the value.
  auto session = *Session::Create(def_);
  std::vector<std::string> fetches = states_;
  fetches.push_back(std::string(kCandidateKernel) + ":0");
  const std::vector<Tensor> got = *session->Run(Feeds(3), fetches);
  ExpectNear(*reference_->Run(Feeds(3), fetches), got);
  EXPECT_TRUE(Released(*session, kGatesKernel));
  EXPECT_FALSE(Released(*session, kCandidateKernel));
  // A fetched weight is the Const's value, shared: still exact.
  ExpectEqual({got.back()}, {original_[1]});
}

TEST_F(WeightReleaseTest, FreezingAfterARunWritesTheOriginalValues) {
  auto session = *Session::Create(def_);
  RILL_ASSERT_OK(session->Run(Feeds(70), states_).status());
  ASSERT_TRUE(Released(*session, kGatesKernel));
  std::vector<std::string> nodes;
  for (const std::string& s : states_) nodes.push_back(s.substr(0, s.find(':')));
  absl::StatusOr<FrozenGraph> again = FreezeGraph(*session, nodes);
  RILL_ASSERT_OK(again.status());
  auto graph = *GraphFromGraphDef(again->graph_def, &GlobalOpRegistry());
  ExpectOriginalWeights({*graph->FindNode(kGatesKernel)->const_value(),
                         *graph->FindNode(kCandidateKernel)->const_value()});
  // Made for the export alone: the Session still holds the weights once.
  EXPECT_TRUE(Released(*session, kGatesKernel));
  EXPECT_TRUE(Released(*session, kCandidateKernel));
  ExpectNear(*reference_->Run(Feeds(70), states_), *session->Run(Feeds(70), states_));
}

// Runs on several threads mix both forms (so values are restored and
// released again while other runs read the forms) and plans that fetch the
// weights: every result is the one a lone run gives.
TEST_F(WeightReleaseTest, ConcurrentRunsReleasingAndRestoringAgree) {
  auto session = *Session::Create(def_);
  const std::vector<int> batches = {3, 70};
  std::vector<std::vector<Tensor>> want;
  {
    auto lone = *Session::Create(def_);
    for (int b : batches) want.push_back(*lone->Run(Feeds(b), states_));
  }
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int th = 0; th < 4; ++th) {
    threads.emplace_back([&, th] {
      for (int i = 0; i < 12; ++i) {
        const int which = (th + i) % 2;
        auto got = session->Run(Feeds(batches[which]), states_);
        if (!got.ok()) {
          ++failures[th];
          continue;
        }
        for (size_t t = 0; t < got->size(); ++t) {
          failures[th] += std::memcmp((*got)[t].data<float>(), want[which][t].data<float>(),
                                      want[which][t].num_elements() * sizeof(float)) != 0;
        }
        if (i % 5 == 4) {
          auto w = session->Run({}, {std::string(kCandidateKernel) + ":0"});
          failures[th] += !w.ok() || std::memcmp(w->at(0).data<float>(), original_[1].data<float>(),
                                                 original_[1].num_elements() * sizeof(float)) != 0;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (int th = 0; th < 4; ++th) EXPECT_EQ(failures[th], 0) << th;
}

}  // namespace
}  // namespace rill
