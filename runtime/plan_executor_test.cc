// The executor: random DAGs against a double-precision reference (buffer
// recycling must never hand out a live tensor, on one thread or several),
// steps that must overlap in time, errors and stateful order with an
// inter-op pool.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "graph/test_util.h"
#include "gtest/gtest.h"
#include "ops/array_ops.h"
#include "ops/initializers.h"
#include "ops/math_ops.h"
#include "ops/nn_ops.h"
#include "ops/op_builder.h"
#include "ops/op_def_builder.h"
#include "ops/op_registry.h"
#include "ops/shape_fns.h"
#include "ops/variables.h"
#include "runtime/eigen_device.h"
#include "runtime/execution_plan.h"
#include "runtime/kernels/standard_kernels.h"
#include "runtime/session.h"

namespace rill {
namespace {

using ::rill::testing::HasError;

// Every DAG tensor is [kN, kN]: recycled buffers fit all, and every step
// touches enough elements (>= 8192) to be handed to other threads.
constexpr int kN = 64;
using Matrix = std::vector<double>;

enum Kind { kAdd, kSub, kMul, kTanh, kSigmoid, kRelu, kIdentity, kMatMul, kDense, kSwap, kKinds };

// One generated node: kind, operand indices (into the value list: 0-2 are
// placeholders, 3-4 Consts, then the nodes) and, for kDense, the bias.
struct NodeSpec {
  Kind kind;
  int a, b;
  std::vector<double> bias;
};

struct RandomDag {
  std::vector<Matrix> leaves;  // 3 feeds, 2 Consts.
  std::vector<NodeSpec> nodes;
  int fed_node = -1;  // A node whose output is fed instead (-1: none).
  Matrix fed_value;
  std::vector<int> fetches;
};

Matrix RandomMatrix(std::mt19937& rng) {
  std::uniform_real_distribution<double> u(-1, 1);
  Matrix m(kN * kN);
  for (double& v : m) v = static_cast<float>(u(rng));  // Exactly representable.
  return m;
}

RandomDag MakeDag(uint32_t seed) {
  std::mt19937 rng(seed);
  RandomDag dag;
  for (int i = 0; i < 5; ++i) dag.leaves.push_back(RandomMatrix(rng));
  const int n = 8 + static_cast<int>(rng() % 33);
  for (int k = 0; k < n; ++k) {
    const int values = 5 + k;
    NodeSpec spec{static_cast<Kind>(rng() % kKinds), static_cast<int>(rng() % values),
                  static_cast<int>(rng() % values), {}};
    if (spec.kind == kDense) {
      const Matrix b = RandomMatrix(rng);
      spec.bias.assign(b.begin(), b.begin() + kN);
    }
    dag.nodes.push_back(spec);
  }
  if (rng() % 3 == 0) {
    dag.fed_node = static_cast<int>(rng() % n);
    dag.fed_value = RandomMatrix(rng);
  }
  const int num_fetches = 1 + static_cast<int>(rng() % 3);
  for (int i = 0; i < num_fetches; ++i) dag.fetches.push_back(static_cast<int>(rng() % n));
  dag.fetches.push_back(n - 1);
  return dag;
}

// The reference values and, per element, the scale float rounding errors
// grow with: the same computation on absolute values (for Tanh, Sigmoid,
// Relu the input's scale, as their slope is at most 1).
void Evaluate(const RandomDag& dag, std::vector<Matrix>* values, std::vector<Matrix>* scales) {
  *values = dag.leaves;
  scales->clear();
  for (const Matrix& leaf : dag.leaves) {
    Matrix m(leaf.size());
    for (size_t e = 0; e < m.size(); ++e) m[e] = std::abs(leaf[e]);
    scales->push_back(m);
  }
  for (size_t k = 0; k < dag.nodes.size(); ++k) {
    const NodeSpec& s = dag.nodes[k];
    const Matrix& a = (*values)[s.a];
    const Matrix& b = (*values)[s.b];
    const Matrix& sa = (*scales)[s.a];
    const Matrix& sb = (*scales)[s.b];
    Matrix r(kN * kN), sr(kN * kN);
    for (int i = 0; i < kN; ++i) {
      for (int j = 0; j < kN; ++j) {
        const int e = i * kN + j;
        double dot = 0, sdot = 0;
        if (s.kind == kMatMul || s.kind == kDense) {
          for (int t = 0; t < kN; ++t) {
            dot += a[i * kN + t] * b[t * kN + j];
            sdot += sa[i * kN + t] * sb[t * kN + j];
          }
        }
        sr[e] = sa[e];
        switch (s.kind) {
          case kAdd: r[e] = a[e] + b[e]; sr[e] = sa[e] + sb[e]; break;
          case kSub: r[e] = a[e] - b[e]; sr[e] = sa[e] + sb[e]; break;
          case kMul: r[e] = a[e] * b[e]; sr[e] = sa[e] * sb[e]; break;
          case kTanh: r[e] = std::tanh(a[e]); break;
          case kSigmoid: r[e] = 1 / (1 + std::exp(-a[e])); break;
          case kRelu: r[e] = std::max(a[e], 0.0); break;
          case kIdentity: r[e] = a[e]; break;
          case kMatMul: r[e] = dot; sr[e] = sdot; break;
          case kDense:
            r[e] = std::max(dot + s.bias[j], 0.0);
            sr[e] = sdot + std::abs(s.bias[j]);
            break;
          case kSwap:
            r[e] = a[i * kN + (j + kN / 2) % kN];
            sr[e] = sa[i * kN + (j + kN / 2) % kN];
            break;
          default: break;
        }
      }
    }
    if (static_cast<int>(k) == dag.fed_node) {
      r = dag.fed_value;
      for (int e = 0; e < kN * kN; ++e) sr[e] = std::abs(r[e]);
    }
    values->push_back(r);
    scales->push_back(sr);
  }
}

Tensor ToTensor(const Matrix& m) {
  return *Tensor::FromVector<float>(TensorShape({kN, kN}), std::vector<float>(m.begin(), m.end()));
}

// Builds the DAG; node k is named "n<k>".
std::vector<Output> Build(const RandomDag& dag, Scope& root) {
  std::vector<Output> outs;
  for (int i = 0; i < 3; ++i) {
    outs.push_back(ops::Placeholder(root.WithOpName(absl::StrCat("x", i)), DT_FLOAT,
                                    TensorShape({kN, kN})));
  }
  for (int i = 3; i < 5; ++i) outs.push_back(ops::Const(root, ToTensor(dag.leaves[i])));
  for (size_t k = 0; k < dag.nodes.size(); ++k) {
    const NodeSpec& s = dag.nodes[k];
    const Scope named = root.WithOpName(absl::StrCat("n", k));
    const Output a = outs[s.a], b = outs[s.b];
    switch (s.kind) {
      case kAdd: outs.push_back(ops::AddV2(named, a, b)); break;
      case kSub: outs.push_back(ops::Sub(named, a, b)); break;
      case kMul: outs.push_back(ops::Mul(named, a, b)); break;
      case kTanh: outs.push_back(ops::Tanh(named, a)); break;
      case kSigmoid: outs.push_back(ops::Sigmoid(named, a)); break;
      case kRelu: outs.push_back(ops::Relu(named, a)); break;
      case kIdentity: outs.push_back(ops::Identity(named, a)); break;
      case kMatMul: outs.push_back(ops::MatMul(named, a, b)); break;
      case kDense: {
        const std::vector<float> bias(s.bias.begin(), s.bias.end());
        const Output pre = ops::BiasAdd(root, ops::MatMul(root, a, b),
                                        ops::Const(root, bias, TensorShape({kN})));
        outs.push_back(ops::Relu(named, pre));
        break;
      }
      case kSwap: {
        std::vector<Output> halves = ops::Split(root, 1, a, 2);
        outs.push_back(ops::ConcatV2(named, {halves[1], halves[0]}, ops::ConstInt32(root, {1}, {})));
        break;
      }
      default: break;
    }
  }
  return outs;
}

TEST(RandomDagTest, EveryThreadCountAndRewriteSettingMatchesTheReference) {
  int checked = 0, parallel = 0;
  for (uint32_t seed = 1; seed <= 150; ++seed) {
    const RandomDag dag = MakeDag(seed);
    std::vector<Matrix> want, scales;
    Evaluate(dag, &want, &scales);
    bool tame = true;
    for (const Matrix& m : scales) tame &= *std::max_element(m.begin(), m.end()) < 1e15;
    if (!tame) continue;  // Float and double would part ways by overflow.
    Scope root = Scope::NewRootScope(&GlobalOpRegistry());
    Build(dag, root);
    ASSERT_TRUE(root.ok()) << root.status();
    Session::Feeds feeds;
    for (int i = 0; i < 3; ++i) feeds.push_back({absl::StrCat("x", i), ToTensor(dag.leaves[i])});
    if (dag.fed_node >= 0) feeds.push_back({absl::StrCat("n", dag.fed_node), ToTensor(dag.fed_value)});
    std::vector<std::string> fetches;
    for (int f : dag.fetches) fetches.push_back(absl::StrCat("n", f));
    {  // Whether the parallel executor runs this DAG at all.
      std::vector<Output> feed_outputs, fetch_outputs;
      for (const auto& [name, value] : feeds) feed_outputs.push_back(*root.graph()->FindOutput(name));
      for (const std::string& f : fetches) fetch_outputs.push_back(*root.graph()->FindOutput(f));
      parallel += (*ExecutionPlan::Build(*root.graph(), GlobalKernelRegistry(), feed_outputs,
                                         fetch_outputs, {}))
                      ->has_parallel_steps();
    }
    for (int inter_op : {1, 3}) {
      for (bool rewrites : {false, true}) {
        SessionOptions o;
        o.inter_op_threads = inter_op;
        o.enable_rewrites = rewrites;
        std::unique_ptr<Session> session = *Session::Create(*root.graph(), o);
        for (int repeat = 0; repeat < 2; ++repeat) {
          absl::StatusOr<std::vector<Tensor>> got = session->Run(feeds, fetches);
          ASSERT_TRUE(got.ok()) << got.status() << " seed " << seed;
          for (size_t f = 0; f < fetches.size(); ++f) {
            const int v = 5 + dag.fetches[f];
            const float* data = (*got)[f].data<float>();
            for (int e = 0; e < kN * kN; ++e) {
              ASSERT_NEAR(data[e], want[v][e], 1e-5 * (1 + scales[v][e]))
                  << "seed " << seed << " fetch " << fetches[f] << " element " << e
                  << " inter_op " << inter_op << " rewrites " << rewrites;
            }
          }
        }
      }
    }
    ++checked;
  }
  EXPECT_GT(checked, 100);
  EXPECT_GT(parallel, checked / 2);
}

TEST(RandomDagTest, ConcurrentParallelRunsOnOneSession) {
  // The first DAG of 30+ nodes whose last node is computed (not fed) by a
  // plan with independent steps.
  RandomDag dag;
  std::vector<Matrix> want, scales;
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  for (uint32_t seed = 1;; ++seed) {
    ASSERT_LT(seed, 100u) << "no suitable DAG";
    dag = MakeDag(seed);
    const int last = static_cast<int>(dag.nodes.size()) - 1;
    if (last < 29 || dag.fed_node >= 0) continue;
    Evaluate(dag, &want, &scales);
    if (*std::max_element(scales.back().begin(), scales.back().end()) > 1e15) continue;
    root = Scope::NewRootScope(&GlobalOpRegistry());
    Build(dag, root);
    std::vector<Output> feeds;
    for (int i = 0; i < 3; ++i) feeds.push_back(*root.graph()->FindOutput(absl::StrCat("x", i)));
    Output fetch = *root.graph()->FindOutput(absl::StrCat("n", last));
    if ((*ExecutionPlan::Build(*root.graph(), GlobalKernelRegistry(), feeds, {fetch}, {}))
            ->has_parallel_steps()) {
      break;
    }
  }
  SessionOptions o;
  o.inter_op_threads = 3;
  std::unique_ptr<Session> session = *Session::Create(*root.graph(), o);
  Session::Feeds feeds;
  for (int i = 0; i < 3; ++i) feeds.push_back({absl::StrCat("x", i), ToTensor(dag.leaves[i])});
  const int last = static_cast<int>(dag.nodes.size()) - 1;
  // Build the plan first: the threads then share it.
  RILL_ASSERT_OK(session->Run(feeds, {absl::StrCat("n", last)}));
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        absl::StatusOr<std::vector<Tensor>> got = session->Run(feeds, {absl::StrCat("n", last)});
        if (!got.ok()) {
          ++wrong;
          continue;
        }
        for (int e = 0; e < kN * kN; ++e) {
          if (std::abs((*got)[0].data<float>()[e] - want[5 + last][e]) >
              1e-5 * (1 + scales[5 + last][e])) {
            ++wrong;
            break;
          }
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

// "Rendezvous": waits until two such steps have started (or a timeout) and
// forwards its input. Two of them finish only if they overlap in time.
struct RendezvousState {
  std::mutex mu;
  std::condition_variable cv;
  int arrived = 0;
  std::chrono::milliseconds timeout{10000};
};

class RendezvousKernel : public OpKernel {
 public:
  explicit RendezvousKernel(RendezvousState* state) : state_(state) {}
  absl::Status Compute(KernelContext& ctx) const override {
    std::unique_lock<std::mutex> lock(state_->mu);
    ++state_->arrived;
    state_->cv.notify_all();
    if (!state_->cv.wait_for(lock, state_->timeout, [&] { return state_->arrived >= 2; })) {
      return absl::DeadlineExceededError("the other Rendezvous never started");
    }
    ctx.set_output(0, ctx.input(0));
    return absl::OkStatus();
  }

 private:
  RendezvousState* state_;
};

// Throws from Compute, as a buggy kernel or a failed allocation might.
class ThrowingKernel : public OpKernel {
 public:
  absl::Status Compute(KernelContext&) const override {
    throw std::runtime_error("kernel bug");
  }
};

// A size at which steps are worth handing to another thread.
constexpr int kBig = 10000;

Tensor Big(float value) {
  return *Tensor::FromVector<float>(TensorShape({kBig}), std::vector<float>(kBig, value));
}

class InterOpTest : public ::testing::Test {
 protected:
  InterOpTest() : device_(1), pool_(1) {
    EXPECT_TRUE(RegisterStandardOps(ops_).ok());
    EXPECT_TRUE(ops_.Register(OpDefBuilder("Rendezvous")
                                  .Input("x: float")
                                  .Output("y: float")
                                  .SetShapeFn(shape_fns::Unchanged))
                    .ok());
    EXPECT_TRUE(ops_.Register(OpDefBuilder("Throw")
                                  .Input("x: float")
                                  .Output("y: float")
                                  .SetShapeFn(shape_fns::Unchanged))
                    .ok());
    EXPECT_TRUE(RegisterStandardKernels(kernels_).ok());
    EXPECT_TRUE(kernels_
                    .Register("Throw", DT_INVALID,
                              [](const Node&) -> absl::StatusOr<std::unique_ptr<OpKernel>> {
                                return std::unique_ptr<OpKernel>(new ThrowingKernel());
                              })
                    .ok());
    EXPECT_TRUE(kernels_
                    .Register("Rendezvous", DT_INVALID,
                              [this](const Node&) -> absl::StatusOr<std::unique_ptr<OpKernel>> {
                                return std::unique_ptr<OpKernel>(new RendezvousKernel(&state_));
                              })
                    .ok());
  }

  // x -> Rendezvous a, x -> Rendezvous b; fetches a and b.
  std::unique_ptr<ExecutionPlan> TwoRendezvous(Scope& root) {
    Output x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT, TensorShape({kBig}));
    a_ = Output(BuildNodeNamed(root, "a", "Rendezvous", {x}), 0);
    b_ = Output(BuildNodeNamed(root, "b", "Rendezvous", {x}), 0);
    EXPECT_TRUE(root.ok()) << root.status();
    return *ExecutionPlan::Build(*root.graph(), kernels_, {x}, {a_, b_}, {});
  }

  RunEnvironment Env(bool with_pool) {
    RunEnvironment env;
    env.device = &device_.device();
    env.inter_op_pool = with_pool ? &pool_ : nullptr;
    return env;
  }

  OpRegistry ops_;
  KernelRegistry kernels_;
  RendezvousState state_;
  EigenDevice device_;
  Eigen::ThreadPool pool_;
  Output a_, b_;
};

TEST_F(InterOpTest, IndependentStepsOverlapInTime) {
  Scope root = Scope::NewRootScope(&ops_);
  std::unique_ptr<ExecutionPlan> plan = TwoRendezvous(root);
  EXPECT_TRUE(plan->has_parallel_steps());
  const Tensor x = Big(1.5f);
  absl::StatusOr<std::vector<Tensor>> out = plan->Run({x}, Env(/*with_pool=*/true));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE((*out)[0].Equals(x));
  EXPECT_TRUE((*out)[1].Equals(x));
}

TEST_F(InterOpTest, WithoutAPoolStepsRunOneAfterAnother) {
  Scope root = Scope::NewRootScope(&ops_);
  std::unique_ptr<ExecutionPlan> plan = TwoRendezvous(root);
  state_.timeout = std::chrono::milliseconds(50);
  const Tensor x = Big(1);
  EXPECT_TRUE(HasError(plan->Run({x}, Env(/*with_pool=*/false)),
                       absl::StatusCode::kDeadlineExceeded, "never started\n\t [[{{node a}}]]"));
}

TEST_F(InterOpTest, OnlyIndependentBigStepsUseThePool) {
  Scope root = Scope::NewRootScope(&ops_);
  Output x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT, TensorShape({kBig}));
  Output y = x;
  for (int i = 0; i < 10; ++i) y = ops::Tanh(root, ops::Identity(root, y));
  std::unique_ptr<ExecutionPlan> chain = *ExecutionPlan::Build(*root.graph(), kernels_, {x}, {y}, {});
  EXPECT_FALSE(chain->has_parallel_steps());
  // Two independent Tanh of it are worth two threads...
  Output p = ops::Tanh(root, y), q = ops::Tanh(root, y);
  std::unique_ptr<ExecutionPlan> fork =
      *ExecutionPlan::Build(*root.graph(), kernels_, {x}, {p, q}, {});
  EXPECT_TRUE(fork->has_parallel_steps());
  // ...but not when they touch few elements (4095 + 4095 < 8192).
  Output small = ops::Placeholder(root.WithOpName("small"), DT_FLOAT, TensorShape({4095}));
  std::unique_ptr<ExecutionPlan> small_fork = *ExecutionPlan::Build(
      *root.graph(), kernels_, {small}, {ops::Tanh(root, small), ops::Tanh(root, small)}, {});
  EXPECT_FALSE(small_fork->has_parallel_steps());
  // Unknown sizes count as big.
  Output any = ops::Placeholder(root.WithOpName("any"), DT_FLOAT, TensorShape({-1}));
  std::unique_ptr<ExecutionPlan> any_fork = *ExecutionPlan::Build(
      *root.graph(), kernels_, {any}, {ops::Tanh(root, any), ops::Tanh(root, any)}, {});
  EXPECT_TRUE(any_fork->has_parallel_steps());
  const Tensor xv = Big(0.5f);
  std::vector<StepStats> stats;
  absl::StatusOr<std::vector<Tensor>> out = fork->Run({xv}, Env(true), &stats);
  ASSERT_TRUE(out.ok()) << out.status();
  float want = 0.5f;
  for (int i = 0; i < 11; ++i) want = std::tanh(want);
  EXPECT_NEAR((*out)[0].data<float>()[0], want, 1e-6);
  EXPECT_NEAR((*out)[1].data<float>()[0], want, 1e-6);
  EXPECT_EQ(static_cast<int>(stats.size()), fork->num_steps());
}

// A kernel that throws, on the caller or on a pool thread: an Internal
// error naming the node, not a crash or a hang.
TEST_F(InterOpTest, AThrowingKernelIsAnError) {
  Scope root = Scope::NewRootScope(&ops_);
  Output x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT, TensorShape({kBig}));
  Output a = ops::Tanh(root.WithOpName("a"), ops::Sigmoid(root, x));
  Output b = Output(BuildNodeNamed(root, "thrower", "Throw", {ops::Tanh(root, x)}), 0);
  Output c = ops::Sigmoid(root.WithOpName("c"), ops::Tanh(root, x));
  ASSERT_TRUE(root.ok()) << root.status();
  const Tensor xv = Big(0.5f);
  for (bool with_pool : {false, true}) {
    std::unique_ptr<ExecutionPlan> plan =
        *ExecutionPlan::Build(*root.graph(), kernels_, {x}, {a, b, c}, {});
    for (int i = 0; i < 100; ++i) {
      EXPECT_TRUE(HasError(plan->Run({xv}, Env(with_pool)), absl::StatusCode::kInternal,
                           "Kernel threw: kernel bug\n\t [[{{node thrower}}]]"));
    }
  }
}

// One branch fails while the other is long: the run returns the error (the
// failing node named), never hangs, and the plan stays usable.
TEST(InterOpErrorTest, AFailingBranchEndsTheRunCleanly) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Output x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT, TensorShape({64, 64}));
  Output good = x;
  for (int i = 0; i < 20; ++i) good = ops::Tanh(root, ops::MatMul(root, good, x));
  good = ops::Identity(root.WithOpName("good"), good);
  Output n = ops::Placeholder(root.WithOpName("n"), DT_INT32, TensorShape({kBig}));
  Output d = ops::Placeholder(root.WithOpName("d"), DT_INT32, TensorShape({kBig}));
  ops::RealDiv(root.WithOpName("bad"), n, d);
  SessionOptions o;
  o.inter_op_threads = 2;
  std::unique_ptr<Session> session = *Session::Create(*root.graph(), o);
  const Tensor xv = *Tensor::FromVector<float>(TensorShape({64, 64}),
                                               std::vector<float>(64 * 64, 0.01f));
  const Tensor nv = *Tensor::FromVector<int32_t>(TensorShape({kBig}), std::vector<int32_t>(kBig, 4));
  std::vector<int32_t> ones(kBig, 1);
  ones.back() = 0;
  const Tensor zero = *Tensor::FromVector<int32_t>(TensorShape({kBig}), ones);
  const Tensor two = *Tensor::FromVector<int32_t>(TensorShape({kBig}), std::vector<int32_t>(kBig, 2));
  for (int i = 0; i < 50; ++i) {
    EXPECT_TRUE(HasError(session->Run({{"x", xv}, {"n", nv}, {"d", zero}}, {"good", "bad"}),
                         absl::StatusCode::kInvalidArgument,
                         "Integer division by zero\n\t [[{{node bad}}]]"));
  }
  // The same plan, now with good values.
  absl::StatusOr<std::vector<Tensor>> ok =
      session->Run({{"x", xv}, {"n", nv}, {"d", two}}, {"good", "bad"});
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ((*ok)[1].data<int32_t>()[0], 2);
  EXPECT_EQ((*ok)[1].data<int32_t>()[kBig - 1], 2);
  double want = 0.01;  // Every element: tanh(64 · v · 0.01), 20 times.
  for (int i = 0; i < 20; ++i) want = std::tanh(64 * want * 0.01);
  EXPECT_NEAR((*ok)[0].data<float>()[4095], want, 1e-9);
}

// Two Assigns to one variable with no edge between them: the plan order
// (the graph's) decides on any number of threads, as on one.
TEST(InterOpStateTest, StatefulStepsKeepTheirOrder) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  GetVariableOptions vo;
  vo.shape = TensorShape({kBig});
  vo.initializer = ConstantInitializer(0);
  Variable* v = *GetVariable(root, "v", vo);
  Node* first = BuildNode(root.WithOpName("first"), "Assign",
                          {Output(v->node, 0), ops::ConstFilled(root, {kBig}, DT_FLOAT, 1)});
  Node* second = BuildNode(root.WithOpName("second"), "Assign",
                           {Output(v->node, 0), ops::ConstFilled(root, {kBig}, DT_FLOAT, 2)});
  // Independent work, so the run does use the pool.
  ops::Tanh(root.WithOpName("t"), ops::ConstFilled(root, {kBig}, DT_FLOAT, 0.5));
  ops::Sigmoid(root.WithOpName("u"), ops::ConstFilled(root, {kBig}, DT_FLOAT, 0.5));
  ASSERT_TRUE(root.ok()) << root.status();
  SessionOptions o;
  o.inter_op_threads = 3;
  std::unique_ptr<Session> session = *Session::Create(*root.graph(), o);
  for (int i = 0; i < 200; ++i) {
    RILL_ASSERT_OK(session->Run({}, {"t", "u"}, {second->name(), first->name()}));
    absl::StatusOr<std::vector<Tensor>> value = session->Run({}, {"v/read"});
    ASSERT_TRUE(value.ok()) << value.status();
    ASSERT_EQ((*value)[0].data<float>()[kBig - 1], 2.0f) << "run " << i;
  }
}

}  // namespace
}  // namespace rill
