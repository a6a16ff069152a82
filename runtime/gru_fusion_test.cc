// The GRU rewrite: fused and unfused plans give the same numbers, every step
// of an unrolled GRU is fused, and nothing is fused when an interior tensor
// is fetched or fed.
#include "runtime/gru_fusion.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <thread>
#include <utility>

#include "absl/strings/match.h"
#include "cells/gru_cell.h"
#include "cells/static_rnn.h"
#include "graph/test_util.h"
#include "gtest/gtest.h"
#include "ops/array_ops.h"
#include "ops/initializers.h"
#include "ops/op_registry.h"
#include "ops/variables.h"
#include "runtime/checkpoint.h"
#include "runtime/eigen_device.h"
#include "runtime/execution_plan.h"
#include "runtime/freeze.h"
#include "graph/graph_def.h"
#include "runtime/kernels/derived_weight_store.h"
#include "runtime/kernels/parallel_rows.h"
#include "runtime/kernels/standard_kernels.h"
#include "runtime/session.h"
#include "runtime/variable_storage.h"

namespace rill {
namespace {

constexpr int kSteps = 4, kBatch = 3, kInput = 5, kUnits = 6;

class GruFusionTest : public ::testing::Test {
 protected:
  GruFusionTest() : root_(Scope::NewRootScope(&GlobalOpRegistry())) {
    root_.graph()->set_seed(5);
    for (int t = 0; t < kSteps; ++t) {
      xs_.push_back(ops::Placeholder(root_.WithOpName("x_" + std::to_string(t)), DT_FLOAT,
                                     TensorShape({-1, kInput})));
    }
    h0_ = ops::Placeholder(root_.WithOpName("h0"), DT_FLOAT, TensorShape({-1, kUnits}));
    GRUCellOptions o;
    o.bias_initializer = RandomUniformInitializer(-0.5, 0.5);
    cell_ = *GRUCell::Create(root_, kUnits, o);
    rnn_ = *StaticRnn(root_, *cell_, xs_, std::vector<Output>{h0_});
    init_ = GlobalVariablesInitializer(root_);
    EXPECT_TRUE(root_.ok()) << root_.status();
    for (int t = 0; t < kSteps; ++t) {
      Tensor x = *Tensor::Allocate(DT_FLOAT, TensorShape({kBatch, kInput}));
      for (int i = 0; i < kBatch * kInput; ++i) x.data<float>()[i] = std::sin(0.37f * (t * 17 + i));
      feeds_.emplace_back("x_" + std::to_string(t), x);
    }
    Tensor h = *Tensor::Allocate(DT_FLOAT, TensorShape({kBatch, kUnits}));
    for (int i = 0; i < kBatch * kUnits; ++i) h.data<float>()[i] = std::cos(0.5f * i);
    feeds_.emplace_back("h0", h);
  }

  std::vector<Tensor> Run(bool rewrites, const std::vector<std::string>& fetches,
                          int inter_op_threads = 1) {
    SessionOptions o;
    o.enable_rewrites = rewrites;
    o.inter_op_threads = inter_op_threads;
    auto session = *Session::Create(*root_.graph(), o);
    EXPECT_TRUE(session->Run({}, {}, {init_->name()}).ok());
    // Both sessions need the same weights: copy them from the first one.
    if (reference_vars_.empty()) {
      reference_vars_ = VariableValues(*session);
    } else {
      EXPECT_TRUE(session->variables().WriteAll(reference_vars_).ok());
    }
    auto r = session->Run(feeds_, fetches);
    EXPECT_TRUE(r.ok()) << r.status();
    return *r;
  }

  // The cell's variables as `session` holds them.
  std::map<std::string, Tensor> VariableValues(const Session& session) {
    std::map<std::string, Tensor> values;
    for (Variable* v : cell_->variables()) values[v->name] = *session.variables().Read(v->name);
    return values;
  }

  // Builds a plan directly to count fused steps: GRU steps only, unless
  // `dense` also fuses the MatMul+BiasAdd+activation left unfused.
  int FusedSteps(const std::vector<Output>& fetches, const std::vector<Output>& feeds,
                 bool dense = false) {
    PlanOptions options;
    options.fuse_dense = dense;
    auto plan = ExecutionPlan::Build(*root_.graph(), GlobalKernelRegistry(), feeds, fetches, {},
                                     options);
    EXPECT_TRUE(plan.ok()) << plan.status();
    return (*plan)->num_fused_steps();
  }

  Scope root_;
  std::vector<Output> xs_;
  Output h0_;
  std::unique_ptr<GRUCell> cell_;
  StaticRnnResult rnn_;
  Node* init_ = nullptr;
  Session::Feeds feeds_;
  std::map<std::string, Tensor> reference_vars_;
};

// Checks every element of `a` against `b` within 2e-6.
void ExpectNear(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  ::rill::testing::ExpectFloatTensorsNear(a, b, 2e-6);
}

TEST_F(GruFusionTest, FusedAndUnfusedAgree) {
  std::vector<std::string> fetches;
  for (const Output& o : rnn_.outputs) fetches.push_back(o.name());
  ExpectNear(Run(false, fetches), Run(true, fetches));
}

// Unfused, a step has independent nodes (u·h beside the candidate's MatMul
// and Tanh): inter-op threads run them at once, with the same numbers.
TEST_F(GruFusionTest, InterOpThreadsGiveTheSameNumbers) {
  std::vector<std::string> fetches;
  for (const Output& o : rnn_.outputs) fetches.push_back(o.name());
  const std::vector<Tensor> one = Run(false, fetches);
  ExpectNear(one, Run(false, fetches, /*inter_op_threads=*/3));
  ExpectNear(one, Run(true, fetches, /*inter_op_threads=*/3));
}

// A static_rnn of `steps` GRU steps (biases drawn from [-0.5, 0.5]) over
// placeholders x0.. [rows, in] and h0 [rows, hidden], and values to feed
// them; `states` names every step's output.
struct GruSequenceGraph {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Session::Feeds feeds;
  std::unique_ptr<GRUCell> cell;
  Node* init = nullptr;
  std::vector<std::string> states;
};

std::unique_ptr<GruSequenceGraph> BuildGruSequence(int rows, int in, int hidden, int steps) {
  auto g = std::make_unique<GruSequenceGraph>();
  g->root.graph()->set_seed(11);
  std::vector<Output> xs;
  for (int t = 0; t < steps; ++t) {
    const std::string name = "x" + std::to_string(t);
    xs.push_back(ops::Placeholder(g->root.WithOpName(name), DT_FLOAT, TensorShape({rows, in})));
    Tensor x = *Tensor::Allocate(DT_FLOAT, TensorShape({rows, in}));
    for (int i = 0; i < rows * in; ++i) x.data<float>()[i] = std::sin(0.11f * (i + 7 * t));
    g->feeds.emplace_back(name, x);
  }
  Output h0 = ops::Placeholder(g->root.WithOpName("h0"), DT_FLOAT, TensorShape({rows, hidden}));
  Tensor h = *Tensor::Allocate(DT_FLOAT, TensorShape({rows, hidden}));
  for (int i = 0; i < rows * hidden; ++i) h.data<float>()[i] = std::cos(0.07f * i);
  g->feeds.emplace_back("h0", h);
  GRUCellOptions o;
  o.bias_initializer = RandomUniformInitializer(-0.5, 0.5);
  g->cell = *GRUCell::Create(g->root, hidden, o);
  StaticRnnResult rnn = *StaticRnn(g->root, *g->cell, xs, std::vector<Output>{h0});
  g->init = GlobalVariablesInitializer(g->root);
  for (const Output& out : rnn.outputs) g->states.push_back(out.name());
  return g;
}

// With 2 intra-op threads and enough rows (48 × 3·64 elements), the fused
// kernels also split their element-wise gate math across threads: the
// numbers stay those of the unfused graph, for the sequence kernel (T = 3)
// and the single-step kernel (T = 1). With 200 units (13 panels of 16, the
// last partial) a step is large enough for the sequence kernel to split the
// units between two threads (24 rows: too few to split the rows). Below 8
// rows the sequence kernel hoists the input projections: 7 × 600 splits
// too, and at T = 90 its projections come in two chunks. From 64 rows on it
// hoists again and multiplies with oneDNN's sgemm (64 × 160, T = 9: chunks
// of 8 steps and 1 on one thread; 128 × 24, too small to split). From 16
// rows per thread the rows are split into independent slices: 48 × 200 (2
// or 3 slices, of the sequence and of a single step), 50 × 200 (3 uneven
// slices of 16, 17, 17), 130 × 64 (two of 65 rows on oneDNN's sgemm, three
// of 43-44 on packed weights), 64 × 160. 30 × 1100 × 200 on 3 threads: a
// team of three sharing the units, each with neighbours on both sides.
// B = 1 runs the one-row GEMV kernels. 30 × 2000 with 100 units (7 panels:
// direct steps share a chunk of four, a whole group, and one of three) on
// 3 threads: a team of two. Below 8 rows with I <= 2H, a team of one on
// several threads projects blocks of steps on a second thread while the
// first runs the steps: 1 × 16 × 64 (blocks of 12 steps, the last of 2),
// 3 × 16 × 64 (blocks of 4, the last of 1), 5 × 8 × 40 (blocks of 2 steps,
// 10 rows, a partial panel), 7 × 512 × 256 at T = 130 (two chunks of 112
// and 18 steps, each pipelined).
TEST(FusedGruThreadsTest, SplitGateMathGivesTheSameNumbers) {
  struct Case {
    int rows, in, hidden, steps;
  };
  for (const Case& tc :
       {Case{48, 16, 64, 1}, Case{48, 16, 64, 3}, Case{48, 24, 200, 1}, Case{24, 24, 200, 5},
        Case{48, 24, 200, 5},
        Case{7, 8, 600, 3}, Case{7, 8, 600, 90}, Case{64, 8, 160, 9}, Case{128, 8, 24, 3},
        Case{50, 16, 200, 4}, Case{130, 8, 64, 4}, Case{30, 1100, 200, 3}, Case{1, 16, 64, 5},
        Case{30, 2000, 100, 3}, Case{1, 16, 64, 50}, Case{3, 16, 64, 21}, Case{5, 8, 40, 13},
        Case{7, 512, 256, 130}}) {
    SCOPED_TRACE(::testing::Message() << "B=" << tc.rows << " I=" << tc.in << " H=" << tc.hidden
                                    << " T=" << tc.steps);
    std::unique_ptr<GruSequenceGraph> g = BuildGruSequence(tc.rows, tc.in, tc.hidden, tc.steps);
    ASSERT_TRUE(g->root.ok()) << g->root.status();
    std::map<std::string, Tensor> weights;
    std::vector<Tensor> results[4];
    const std::pair<bool, int> configs[4] = {{false, 1}, {true, 1}, {true, 2}, {true, 3}};
    for (int c = 0; c < 4; ++c) {
      SessionOptions so;
      so.enable_rewrites = configs[c].first;
      so.intra_op_threads = configs[c].second;
      std::unique_ptr<Session> session = *Session::Create(*g->root.graph(), so);
      RILL_ASSERT_OK(session->Run({}, {}, {g->init->name()}));
      if (c == 0) {
        for (Variable* v : g->cell->variables()) {
          weights[v->name] = *session->variables().Read(v->name);
        }
      } else {
        RILL_ASSERT_OK(session->variables().WriteAll(weights));
      }
      // Every state, so that each step's output rows are checked too.
      results[c] = *session->Run(g->feeds, g->states);
    }
    for (int c = 1; c < 4; ++c) ExpectNear(results[0], results[c]);
  }
}

// The unfused graph's states, run on one thread with freshly initialized
// variables (`expected`), and a Session of the same graph with rewrites on
// `threads` intra-op threads holding the same variable values (`fused`).
void ExpectedStatesAndFusedSession(const GruSequenceGraph& g, int threads,
                                   std::vector<Tensor>* expected,
                                   std::unique_ptr<Session>* fused) {
  SessionOptions plain_options;
  plain_options.enable_rewrites = false;
  auto plain = *Session::Create(*g.root.graph(), plain_options);
  RILL_ASSERT_OK(plain->Run({}, {}, {g.init->name()}));
  *expected = *plain->Run(g.feeds, g.states);
  SessionOptions fused_options;
  fused_options.intra_op_threads = threads;
  *fused = *Session::Create(*g.root.graph(), fused_options);
  std::map<std::string, Tensor> weights;
  for (Variable* v : g.cell->variables()) weights[v->name] = *plain->variables().Read(v->name);
  RILL_ASSERT_OK((*fused)->variables().WriteAll(weights));
}

// An application that calls Session::Run from inside its own OpenMP
// parallel region: the kernels' teams are nested there and the OpenMP
// runtime gives them one thread (with its default of one active level),
// so the pipelined B < 8 sequence (one thread projecting while another
// steps) runs every block on the stepping thread; the numbers stay those
// of the unfused graph.
TEST(FusedGruThreadsTest, SequenceRunInsideAnOpenMpTeamGivesTheSameNumbers) {
  std::unique_ptr<GruSequenceGraph> g = BuildGruSequence(1, 16, 64, 50);
  ASSERT_TRUE(g->root.ok()) << g->root.status();
  std::vector<Tensor> expected;
  std::unique_ptr<Session> fused;
  ExpectedStatesAndFusedSession(*g, /*threads=*/2, &expected, &fused);
  if (::testing::Test::HasFatalFailure()) return;
  std::vector<absl::StatusOr<std::vector<Tensor>>> got(2, absl::UnknownError("not run"));
  int team_size = 0;
  ParallelTeam(2, [&](int me, int team) {
    if (me == 0) team_size = team;
    got[me] = fused->Run(g->feeds, g->states);
  });
  if (team_size < 2) std::printf("note: the OpenMP runtime gave the outer team one thread\n");
  for (int me = 0; me < team_size; ++me) {
    ASSERT_TRUE(got[me].ok()) << got[me].status();
    ExpectNear(expected, *got[me]);
  }
}

// Several application threads run one Session on 2 intra-op threads at
// once, each run splitting its 48 rows into slices on its own OpenMP team
// (per-thread scratch on the pool's threads): every run gives the
// single-threaded unfused numbers, for a sequence (T = 5) and a single step
// (T = 1).
TEST(FusedGruThreadsTest, ConcurrentRunsOfRowSlicesAgree) {
  for (int steps : {5, 1}) {
    SCOPED_TRACE(::testing::Message() << "T=" << steps);
    std::unique_ptr<GruSequenceGraph> g = BuildGruSequence(48, 24, 200, steps);
    ASSERT_TRUE(g->root.ok()) << g->root.status();
    std::vector<Tensor> expected;
    std::unique_ptr<Session> fused;
    ExpectedStatesAndFusedSession(*g, /*threads=*/2, &expected, &fused);
    if (::testing::Test::HasFatalFailure()) return;

    std::atomic<int> bad{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; ++t) {
      threads.emplace_back([&] {
        for (int run = 0; run < 30; ++run) {
          absl::StatusOr<std::vector<Tensor>> got = fused->Run(g->feeds, g->states);
          if (!got.ok() || got->size() != expected.size()) {
            ++bad;
            continue;
          }
          for (size_t f = 0; f < expected.size(); ++f) {
            for (int64_t i = 0; i < expected[f].num_elements(); ++i) {
              if (std::fabs((*got)[f].data<float>()[i] - expected[f].data<float>()[i]) > 2e-6) {
                ++bad;
                break;
              }
            }
          }
        }
      });
    }
    for (std::thread& t : threads) t.join();
    EXPECT_EQ(bad.load(), 0);
  }
}

TEST_F(GruFusionTest, TheUnrolledSequenceBecomesOneStep) {
  // All steps share weights and chain their states: one sequence step.
  EXPECT_EQ(FusedSteps({rnn_.final_state[0]}, {}), 1);
  // Fetching every step's output keeps it one step with several outputs.
  EXPECT_EQ(FusedSteps(rnn_.outputs, {}), 1);
}

TEST_F(GruFusionTest, AnUnfusableStepSplitsTheChain) {
  // Fetching step 1's Sigmoid keeps step 1 unfused: step 0 is fused alone and
  // steps 2..3 become a sequence.
  Node* sigmoid_1 = root_.graph()->FindNode("rnn/gru_cell/Sigmoid_1");
  ASSERT_NE(sigmoid_1, nullptr);
  EXPECT_EQ(FusedSteps({rnn_.final_state[0], Output(sigmoid_1, 0)}, {}), 2);
  // With the dense rewrite, step 1's two projections (MatMul+BiasAdd+Sigmoid,
  // MatMul+BiasAdd+Tanh) become fused dense steps too.
  EXPECT_EQ(FusedSteps({rnn_.final_state[0], Output(sigmoid_1, 0)}, {}, /*dense=*/true), 4);
  // Feeding the state after step 1 cuts steps 0..1 away: one sequence.
  EXPECT_EQ(FusedSteps({rnn_.final_state[0]}, {rnn_.outputs[1]}), 1);
}

TEST_F(GruFusionTest, FetchingOrFeedingAnInteriorTensorPreventsFusion) {
  Node* sigmoid = root_.graph()->FindNode("rnn/gru_cell/Sigmoid");
  ASSERT_NE(sigmoid, nullptr);
  // Step 0's Sigmoid is fetched: step 0 stays unfused, steps 1..3 form a
  // sequence.
  EXPECT_EQ(FusedSteps({rnn_.final_state[0], Output(sigmoid, 0)}, {}), 1);
  // Feeding step 0's Sigmoid: the same.
  EXPECT_EQ(FusedSteps({rnn_.final_state[0]}, {Output(sigmoid, 0)}), 1);
  // And the fetched interior value matches the unfused run.
  std::vector<Tensor> plain = Run(false, {"rnn/gru_cell/Sigmoid:0", rnn_.final_state[0].name()});
  std::vector<Tensor> mixed = Run(true, {"rnn/gru_cell/Sigmoid:0", rnn_.final_state[0].name()});
  for (int i = 0; i < 2; ++i) {
    for (int64_t j = 0; j < plain[i].num_elements(); ++j) {
      EXPECT_NEAR(plain[i].data<float>()[j], mixed[i].data<float>()[j], 2e-6);
    }
  }
}

TEST_F(GruFusionTest, FrozenWeightsGiveTheSameNumbersRunAfterRun) {
  // In a frozen graph the weights are Consts: the fused kernels keep a padded
  // copy made on the first run. Both the step and the sequence kernel use it.
  auto session = *Session::Create(*root_.graph());
  ASSERT_TRUE(session->Run({}, {}, {init_->name()}).ok());
  std::vector<std::string> fetches;
  for (const Output& o : rnn_.outputs) fetches.push_back(o.name());
  std::vector<std::string> nodes;
  for (const Output& o : rnn_.outputs) nodes.push_back(o.node->name());
  auto frozen = FreezeGraph(*session, nodes);
  ASSERT_TRUE(frozen.ok()) << frozen.status();
  auto graph = GraphFromGraphDef(frozen->graph_def, &GlobalOpRegistry());
  ASSERT_TRUE(graph.ok()) << graph.status();
  SessionOptions plain_options;
  plain_options.enable_rewrites = false;
  auto plain = *Session::Create(**graph, plain_options);
  auto fused = *Session::Create(**graph);
  const std::vector<Tensor> want = *plain->Run(feeds_, fetches);
  ExpectNear(want, *session->Run(feeds_, fetches));  // Freezing changed nothing.
  for (int run = 0; run < 2; ++run) {
    SCOPED_TRACE(run);
    ExpectNear(want, *fused->Run(feeds_, fetches));  // Sequence kernel.
    // Fetching step 1's Sigmoid leaves step 0 as a single fused step.
    std::vector<std::string> with_sigmoid = {fetches[0], "rnn/gru_cell/Sigmoid_1:0"};
    ExpectNear(*plain->Run(feeds_, with_sigmoid), *fused->Run(feeds_, with_sigmoid));
  }
}

// The cell's variables as `session` holds them.
std::map<std::string, Tensor> VariableValuesOf(const Session& session, const GRUCell& cell) {
  std::map<std::string, Tensor> values;
  for (Variable* v : cell.variables()) values[v->name] = *session.variables().Read(v->name);
  return values;
}

// A single step with fewer than 8 rows multiplies by weights packed on the
// first run (Const) or the second (variables) (PackedGemm; at B = 1 two
// panels at a time, then one for a partial last panel); from 8 rows on, and
// with fed weights, by oneDNN's sgemm, on copies at padded strides (fed:
// for the step, from 16 rows at a slow stride). Every way agrees with the
// unfused graph, run after run and on 1 or 2 intra-op threads.

TEST(FusedGruStepTest, StepAgreesAtEveryBatchSizeWithConstVariableOrFedWeights) {
  struct Case {
    int rows, in, hidden;
  };
  // B = 20 with H = 128: weights at slow strides, which fed weights are
  // copied from for the step (16 rows and more). 40 × 64 × 256: on 2
  // threads two slices of 20 rows, each its own step on one thread.
  for (const Case& tc : {Case{1, 16, 64}, Case{1, 5, 40}, Case{7, 8, 40}, Case{8, 8, 40},
                         Case{2, 3, 1}, Case{20, 8, 128}, Case{40, 64, 256}}) {
    SCOPED_TRACE(::testing::Message() << "B=" << tc.rows << " I=" << tc.in << " H=" << tc.hidden);
    Scope root = Scope::NewRootScope(&GlobalOpRegistry());
    root.graph()->set_seed(17);
    Output x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT, TensorShape({-1, tc.in}));
    Output h = ops::Placeholder(root.WithOpName("h"), DT_FLOAT, TensorShape({-1, tc.hidden}));
    GRUCellOptions o;
    o.bias_initializer = RandomUniformInitializer(-0.5, 0.5);
    std::unique_ptr<GRUCell> cell = *GRUCell::Create(root, tc.hidden, o);
    absl::StatusOr<CellOutput> step = (*cell)(root, x, {h});
    ASSERT_TRUE(step.ok()) << step.status();
    const Output out = step->output;
    Node* init = GlobalVariablesInitializer(root);
    ASSERT_TRUE(root.ok()) << root.status();
    auto session = *Session::Create(*root.graph());
    RILL_ASSERT_OK(session->Run({}, {}, {init->name()}));
    auto frozen = FreezeGraph(*session, {out.node->name()});
    ASSERT_TRUE(frozen.ok()) << frozen.status();
    auto graph = GraphFromGraphDef(frozen->graph_def, &GlobalOpRegistry());
    ASSERT_TRUE(graph.ok()) << graph.status();

    Tensor xv = *Tensor::Allocate(DT_FLOAT, TensorShape({tc.rows, tc.in}));
    Tensor hv = *Tensor::Allocate(DT_FLOAT, TensorShape({tc.rows, tc.hidden}));
    for (int i = 0; i < tc.rows * tc.in; ++i) xv.data<float>()[i] = std::sin(0.31f * i + 1);
    for (int i = 0; i < tc.rows * tc.hidden; ++i) hv.data<float>()[i] = std::cos(0.23f * i);
    SessionOptions plain_options;
    plain_options.enable_rewrites = false;
    auto plain = *Session::Create(**graph, plain_options);
    // The weights as variables (the unfrozen graph) or fed in place of
    // their reads, in the fused step of `session`'s graph.
    Session::Feeds fed_weights;
    for (Variable* v : cell->variables()) {
      fed_weights.emplace_back(v->name + "/read", *session->variables().Read(v->name));
    }
    for (const char* weights : {"Const", "variables", "fed"}) {
      for (int threads : {1, 2}) {
        SessionOptions options;
        options.intra_op_threads = threads;
        const bool frozen_graph = std::string(weights) == "Const";
        auto fused = *Session::Create(frozen_graph ? **graph : *root.graph(), options);
        if (std::string(weights) == "variables") {
          RILL_ASSERT_OK(fused->variables().WriteAll(VariableValuesOf(*session, *cell)));
        }
        Tensor state = hv;
        for (int run = 0; run < 3; ++run) {  // The state fed back: new values each run.
          SCOPED_TRACE(::testing::Message() << weights << " threads=" << threads
                                            << " run=" << run);
          const Session::Feeds feeds = {{"x", xv}, {"h", state}};
          const std::vector<Tensor> want = *plain->Run(feeds, {out.name()});
          Session::Feeds fused_feeds = feeds;
          if (std::string(weights) == "fed") {
            fused_feeds.insert(fused_feeds.end(), fed_weights.begin(), fed_weights.end());
          }
          std::vector<StepStats> stats;
          auto got = fused->Run(fused_feeds, {out.name()}, {}, &stats);
          ASSERT_TRUE(got.ok()) << got.status();
          ExpectNear(want, *got);
          // The step did run fused.
          EXPECT_TRUE(std::any_of(stats.begin(), stats.end(),
                                  [](const StepStats& s) { return s.op == "FusedGRUCell"; }));
          state = want[0];
        }
      }
    }
  }
}

TEST_F(GruFusionTest, NewVariableValuesAreSeenByTheNextRun) {
  // Assigning new values between runs changes the fused result exactly as
  // it changes the unfused one.
  std::vector<std::string> fetches = {rnn_.final_state[0].name()};
  SessionOptions plain_options;
  plain_options.enable_rewrites = false;
  auto plain = *Session::Create(*root_.graph(), plain_options);
  auto fused = *Session::Create(*root_.graph());
  ASSERT_TRUE(plain->Run({}, {}, {init_->name()}).ok());
  std::map<std::string, Tensor> values = VariableValues(*plain);
  RILL_ASSERT_OK(fused->variables().WriteAll(values));
  ExpectNear(*plain->Run(feeds_, fetches), *fused->Run(feeds_, fetches));
  for (auto& [name, value] : values) {
    Tensor scaled = *Tensor::Allocate(DT_FLOAT, value.shape());
    for (int64_t i = 0; i < value.num_elements(); ++i) {
      scaled.data<float>()[i] = -0.5f * value.data<float>()[i] + 0.01f;
    }
    value = scaled;
  }
  const std::vector<Tensor> before = *fused->Run(feeds_, fetches);
  RILL_ASSERT_OK(plain->variables().WriteAll(values));
  RILL_ASSERT_OK(fused->variables().WriteAll(values));
  const std::vector<Tensor> after = *fused->Run(feeds_, fetches);
  ExpectNear(*plain->Run(feeds_, fetches), after);
  EXPECT_GT(std::fabs(before[0].data<float>()[0] - after[0].data<float>()[0]), 1e-3);
}

// x ← factor·x + 0.01, in place.
void ScaleInPlace(Tensor& x, float factor) {
  for (float& v : x.flat<float>()) v = factor * v + 0.01f;
}

TEST_F(GruFusionTest, VariableWeightsFollowEveryWayOfWritingThem) {
  // The fused kernels keep copies of variable weights (from a value's
  // second use) until a variable's buffer changes, and every way of writing
  // a variable stores a new buffer: each write is seen by the next runs, as
  // in the unfused plan. Fetching
  // step 1's Sigmoid leaves step 0 a fused single step (packed weights:
  // B < 8) and steps 2..3 a fused sequence.
  ASSERT_EQ(FusedSteps({rnn_.final_state[0], rnn_.outputs[0],
                        Output(root_.graph()->FindNode("rnn/gru_cell/Sigmoid_1"), 0)},
                       {}),
            2);
  const std::vector<std::string> fetches = {rnn_.final_state[0].name(), rnn_.outputs[0].name(),
                                            "rnn/gru_cell/Sigmoid_1:0"};
  SessionOptions plain_options;
  plain_options.enable_rewrites = false;
  auto plain = *Session::Create(*root_.graph(), plain_options);
  auto fused = *Session::Create(*root_.graph());
  RILL_ASSERT_OK(plain->Run({}, {}, {init_->name()}));
  const std::map<std::string, Tensor> values = VariableValues(*plain);
  RILL_ASSERT_OK(fused->variables().WriteAll(values));
  std::vector<Tensor> last = *fused->Run(feeds_, fetches);
  ExpectNear(*plain->Run(feeds_, fetches), last);
  std::string kernel;
  for (const auto& [name, value] : values) {
    if (absl::EndsWith(name, "gates/kernel")) kernel = name;
  }
  ASSERT_FALSE(kernel.empty());
  auto expect_followed = [&](const char* how) {
    SCOPED_TRACE(how);
    // A new value's first run reads it as it is (the kernels' caches note
    // it, holding the stored buffer); the second derives the kept copy, whose
    // entry in the Session's store holds the buffer too.
    const std::vector<Tensor> first_run = *fused->Run(feeds_, fetches);
    const long seen = fused->variables().Read(kernel)->buffer().use_count();
    EXPECT_GT(seen, 2);  // More holders than the storage and Read's tensor.
    const std::vector<Tensor> now = *fused->Run(feeds_, fetches);
    EXPECT_EQ(fused->variables().Read(kernel)->buffer().use_count(), seen + 1);
    ExpectNear(first_run, now);
    ExpectNear(*plain->Run(feeds_, fetches), now);
    for (int f : {0, 1}) {  // The sequence's and the single step's results moved.
      EXPECT_GT(std::fabs(now[f].data<float>()[0] - last[f].data<float>()[0]), 1e-4) << f;
    }
    last = now;
  };

  // Write, then the same tensor changed in place and written again (the
  // caller kept it, so Write stores a copy each time).
  Tensor w = *values.at(kernel).Clone();
  ScaleInPlace(w, -0.5f);
  RILL_ASSERT_OK(plain->variables().Write(kernel, *w.Clone()));
  RILL_ASSERT_OK(fused->variables().Write(kernel, w));
  expect_followed("Write");
  ScaleInPlace(w, 0.25f);
  RILL_ASSERT_OK(plain->variables().Write(kernel, *w.Clone()));
  RILL_ASSERT_OK(fused->variables().Write(kernel, w));
  expect_followed("Write of the same tensor, changed in place");

  // The graph's Assign, given a fed value.
  const Node* assign = root_.graph()->FindNode(kernel + "/Assign");
  ASSERT_NE(assign, nullptr);
  ScaleInPlace(w, 3.0f);
  const Session::Feeds assign_feed = {{assign->input(1).name(), w}};
  RILL_ASSERT_OK(plain->Run(assign_feed, {}, {assign->name()}));
  RILL_ASSERT_OK(fused->Run(assign_feed, {}, {assign->name()}));
  expect_followed("Assign");

  // A checkpoint restore.
  std::map<std::string, Tensor> restored = values;
  for (auto& [name, value] : restored) {
    value = *value.Clone();
    ScaleInPlace(value, 0.75f);
  }
  RILL_ASSERT_OK(plain->variables().WriteAll(restored));
  const std::string path = ::testing::TempDir() + "/gru_fusion_variables.ckpt";
  RILL_ASSERT_OK(SaveCheckpoint(*plain, path));
  RILL_ASSERT_OK(RestoreCheckpoint(*fused, path));
  expect_followed("RestoreCheckpoint");
  std::remove(path.c_str());
}

TEST_F(GruFusionTest, ConcurrentRunsAndWritesSeeOneValueOrTheOther) {
  // Three threads run the fused plans (sequence and single step) while a
  // fourth writes the gates kernel back and forth between two values: the
  // kept copies are replaced under runs that still read the old ones. Every
  // result must be the unfused result for one of the two values (ASan
  // checks that no run reads a released copy).
  const std::vector<std::string> fetches = {rnn_.final_state[0].name(), rnn_.outputs[0].name(),
                                            "rnn/gru_cell/Sigmoid_1:0"};
  SessionOptions plain_options;
  plain_options.enable_rewrites = false;
  auto plain = *Session::Create(*root_.graph(), plain_options);
  RILL_ASSERT_OK(plain->Run({}, {}, {init_->name()}));
  const std::map<std::string, Tensor> values = VariableValues(*plain);
  std::string kernel;
  for (const auto& [name, value] : values) {
    if (absl::EndsWith(name, "gates/kernel")) kernel = name;
  }
  ASSERT_FALSE(kernel.empty());
  Tensor other = *values.at(kernel).Clone();
  ScaleInPlace(other, -0.5f);
  const Tensor choices[2] = {values.at(kernel), other};
  std::vector<Tensor> expected[2];
  for (int v = 0; v < 2; ++v) {
    RILL_ASSERT_OK(plain->variables().Write(kernel, choices[v]));
    expected[v] = *plain->Run(feeds_, fetches);
  }
  auto fused = *Session::Create(*root_.graph());
  RILL_ASSERT_OK(fused->variables().WriteAll(values));
  auto matches = [](const std::vector<Tensor>& got, const std::vector<Tensor>& want) {
    for (size_t f = 0; f < want.size(); ++f) {
      for (int64_t i = 0; i < want[f].num_elements(); ++i) {
        if (std::fabs(got[f].data<float>()[i] - want[f].data<float>()[i]) > 2e-6) return false;
      }
    }
    return true;
  };
  // Runners run until the writer is done (and at least 100 times each);
  // the writer alternates the values 40 times, each a few runs long, so
  // copies get kept (a value's second use) and replaced under running runs.
  std::atomic<int> bad{0}, runs{0};
  std::atomic<bool> writes_done{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100 || !writes_done.load(); ++i) {
        absl::StatusOr<std::vector<Tensor>> got = fused->Run(feeds_, fetches);
        if (!got.ok() || !(matches(*got, expected[0]) || matches(*got, expected[1]))) ++bad;
        ++runs;
      }
    });
  }
  threads.emplace_back([&] {
    for (int i = 0; i < 40; ++i) {
      if (!fused->variables().Write(kernel, choices[i % 2]).ok()) ++bad;
      std::this_thread::sleep_for(std::chrono::microseconds(300));
    }
    writes_done.store(true);
  });
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_GE(runs.load(), 300);
  // The loop left value 1 (likely with its kept copies); runs after one
  // more write follow it: twice (the second reads the new kept copy).
  RILL_ASSERT_OK(fused->variables().Write(kernel, choices[0]));
  for (int run = 0; run < 2; ++run) {
    absl::StatusOr<std::vector<Tensor>> got = fused->Run(feeds_, fetches);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_TRUE(matches(*got, expected[0])) << run;
  }
}

TEST_F(GruFusionTest, FedWeightsChangedInPlaceAreSeen) {
  // Weights fed in place of a variable's read are not kept across runs: the
  // caller may refill the same tensor.
  std::string kernel;
  for (Variable* v : cell_->variables()) {
    if (absl::EndsWith(v->name, "gates/kernel")) kernel = v->name;
  }
  const Node* read = root_.graph()->FindNode(kernel + "/read");
  ASSERT_NE(read, nullptr);
  EXPECT_EQ(FusedSteps({rnn_.final_state[0]}, {Output(const_cast<Node*>(read), 0)}), 1);
  const std::vector<std::string> fetches = {rnn_.final_state[0].name()};
  SessionOptions plain_options;
  plain_options.enable_rewrites = false;
  auto plain = *Session::Create(*root_.graph(), plain_options);
  auto fused = *Session::Create(*root_.graph());
  RILL_ASSERT_OK(plain->Run({}, {}, {init_->name()}));
  RILL_ASSERT_OK(fused->variables().WriteAll(VariableValues(*plain)));
  Tensor w = *plain->variables().Read(kernel)->Clone();
  Session::Feeds feeds = feeds_;
  feeds.emplace_back(read->name(), w);
  const std::vector<Tensor> before = *fused->Run(feeds, fetches);
  ExpectNear(*plain->Run(feeds, fetches), before);
  ScaleInPlace(w, -0.5f);  // The fed tensor shares w's buffer.
  const std::vector<Tensor> after = *fused->Run(feeds, fetches);
  ExpectNear(*plain->Run(feeds, fetches), after);
  EXPECT_GT(std::fabs(before[0].data<float>()[0] - after[0].data<float>()[0]), 1e-4);
}

TEST_F(GruFusionTest, PlansOfOneStoreShareTheWeightCopies) {
  // Two plans (the final state; every state) built with one store, as a
  // Session builds them, hold one packed copy of the weights between them.
  DerivedWeightStore store;
  PlanOptions options;
  options.weight_store = &store;
  std::vector<Output> all_states = rnn_.outputs;
  std::vector<std::unique_ptr<ExecutionPlan>> plans;
  for (const std::vector<Output>* fetches :
       {&std::as_const(rnn_.final_state), &std::as_const(all_states)}) {
    auto plan =
        ExecutionPlan::Build(*root_.graph(), GlobalKernelRegistry(), {xs_[0], xs_[1], xs_[2],
                                                                      xs_[3], h0_},
                             *fetches, {}, options);
    ASSERT_TRUE(plan.ok()) << plan.status();
    plans.push_back(*std::move(plan));
  }
  // The variables as an initialized Session holds them.
  auto session = *Session::Create(*root_.graph());
  RILL_ASSERT_OK(session->Run({}, {}, {init_->name()}));
  VariableStorage variables;
  RILL_ASSERT_OK(variables.WriteAll(VariableValues(*session)));
  EigenDevice device(1);
  RunEnvironment env;
  env.device = &device.device();
  env.variables = &variables;
  std::vector<Tensor> feed_values;
  for (const auto& [name, value] : feeds_) feed_values.push_back(value);
  std::vector<std::vector<Tensor>> results;
  for (int run = 0; run < 2; ++run) {  // A variable is copied on its second use.
    for (const auto& plan : plans) {
      auto out = plan->Run(feed_values, env);
      ASSERT_TRUE(out.ok()) << out.status();
      results.push_back(*std::move(out));
    }
  }
  EXPECT_EQ(store.derivations(), 1);
  EXPECT_EQ(store.live_entries(), 1);
  // Both plans computed the same final state, before and after the copy.
  for (const auto& r : {results[0], results[2]}) {
    ExpectNear({r[0]}, {results[1].back()});
    ExpectNear({r[0]}, {results[3].back()});
  }
  plans.clear();
  EXPECT_EQ(store.live_entries(), 0);  // Released with the last plan holding it.
}

TEST_F(GruFusionTest, StatesNobodyReadsAreNotAllocated) {
  // The fused sequence writes states nothing reads to scratch: fetching the
  // final state allocates one state tensor per run, not T. The run budget
  // (fresh allocations per run) shows it.
  const int64_t state_bytes = Tensor::AllocationBytes(kBatch * kUnits * sizeof(float));
  SessionOptions o;
  o.max_run_bytes = 2 * state_bytes;
  auto session = *Session::Create(*root_.graph(), o);
  // Initializing would exceed the budget: take the values from a session
  // without one.
  auto initialized = *Session::Create(*root_.graph());
  ASSERT_TRUE(initialized->Run({}, {}, {init_->name()}).ok());
  RILL_ASSERT_OK(session->variables().WriteAll(VariableValues(*initialized)));
  auto final_only = session->Run(feeds_, {rnn_.final_state[0].name()});
  ASSERT_TRUE(final_only.ok()) << final_only.status();
  std::vector<std::string> all;
  for (const Output& out : rnn_.outputs) all.push_back(out.name());
  auto every_state = session->Run(feeds_, all);  // T = 4 states: over budget.
  EXPECT_EQ(every_state.status().code(), absl::StatusCode::kResourceExhausted)
      << every_state.status();
}

TEST_F(GruFusionTest, BatchMismatchAtRunTimeIsAnError) {
  auto session = *Session::Create(*root_.graph());
  ASSERT_TRUE(session->Run({}, {}, {init_->name()}).ok());
  Session::Feeds feeds = feeds_;
  feeds.back().second = *Tensor::Allocate(DT_FLOAT, TensorShape({kBatch + 1, kUnits}));
  auto r = session->Run(feeds, {rnn_.final_state[0].name()});
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << r.status();
}

}  // namespace
}  // namespace rill
