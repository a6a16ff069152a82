// rill's benchmarks (Google Benchmark). All times are wall-clock.
//
//   BM_GruStep/B/I/H/threads      one Session::Run of the frozen GRU step graph,
//                                 state fed back; counter GFLOP/s
//   BM_GruSeq100/B/I/H/threads    one Session::Run of the frozen T=100 StaticRnn
//                                 graph, fetching the final state
//   BM_GruStepVariables/..., BM_GruSeq100Variables/...  the same graphs
//                                 unfrozen: the weights are variables
//   BM_DenseLayer/M/K/N/rewrites  Relu(BiasAdd(MatMul(x, W), b)), rewrites off/on;
//                                 BM_DenseLayerVariables: W a variable;
//                                 BM_DenseLayerFedW: W fed
//   BM_ConcatDenseLayer/M/K/N     Tanh(BiasAdd(MatMul(ConcatV2(x, h), W), b)),
//                                 x and h [M, K/2] (BasicRNNCell's layer)
//   BM_IndependentBranches/intra/inter  4 independent dense layers [64,512]x[512,512]
//                                 summed, by intra-op and inter-op threads
//   BM_ExecutorFan1000/inter      500 independent Tanh on a [1] tensor summed by
//                                 500 AddV2: the parallel executor's per-node cost
//   BM_TransposedWeights/rewrites  x [64,512] · transpose(Const W [512,512]): the
//                                 Transpose folded at plan time (rewrites on) or
//                                 run every time (off)
//   BM_ExecutorChain1000          1000 Identity/AddV2 nodes on a [1] tensor
//   BM_SessionRunFixedCost        one Identity node: the per-Run overhead
//   BM_ImportGraphDef10k          GraphDef -> Graph of a 10,000-node chain
//   BM_SessionCreateFirstRun/B/I/H  in-process cold start of the T=100 graph:
//                                 read .pb and .npy files, Session::Create, Run
//   BM_RunnerColdStart/B/I/H      the same through `runtime/runner run` as a new
//                                 process (posix_spawn + waitpid); peak_rss_MB
//
// Extra modes (flags before the benchmark flags):
//   --peer_format       after the run, print one line per case in the peers'
//                       format (bench/compare.sh parses these), using the
//                       median aggregate when --benchmark_repetitions > 1
//   --export_dir=DIR [--export_cases=1x128x128,...]  write weights, inputs
//                       and rill's outputs as .npy (T=1 and T=100), then exit
//   --save_runner_case=BxIxH --save_dir=DIR [--save_threads=N]  save the T=100
//                       graph and inputs plus DIR/runner_args.txt, then exit
//   --runner=PATH       the runner binary (default: found in the runfiles)
//   --work_dir=DIR      scratch space for saved graphs (default: a temp dir)
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "bench/bench_flags.h"
#include "bench/gru_graphs.h"
#include "bench/peer_reporter.h"
#include "benchmark/benchmark.h"
#include "graph/graph_def.h"
#include "ops/array_ops.h"
#include "ops/linalg_ops.h"
#include "ops/math_ops.h"
#include "ops/nn_ops.h"
#include "ops/op_registry.h"
#include "ops/variables.h"
#include "runtime/npy.h"
#include "runtime/session.h"
#include "runtime/variable_storage.h"

extern char** environ;

namespace rill {
namespace bench {
namespace {

const std::vector<GruCase> kCases = {
    {1, 128, 128}, {32, 256, 256}, {64, 512, 512}, {256, 1024, 1024}};
const std::vector<GruCase> kColdStartCases = {{1, 128, 128}, {32, 256, 256}};

void Fail(const absl::Status& s) {
  std::cerr << "error: " << s << std::endl;
  std::exit(1);
}

// Scratch directory, created on first use and removed at exit when ours.
const std::string& WorkDir() {
  static const std::string* dir = [] {
    std::string d = GetBenchFlags().work_dir;
    if (d.empty() && std::getenv("TEST_TMPDIR") != nullptr) d = std::getenv("TEST_TMPDIR");
    if (d.empty()) {
      char tmpl[] = "/tmp/rill_bench.XXXXXX";
      if (mkdtemp(tmpl) == nullptr) Fail(absl::InternalError("mkdtemp failed"));
      d = tmpl;
      std::atexit([] { std::filesystem::remove_all(WorkDir()); });
    }
    return new std::string(d);
  }();
  return *dir;
}

// The GRU graph for (case, steps) and a session per thread count, of the
// frozen graph or the one with variables. One entry is cached: benchmarks of
// one case run back to back.
struct GruFixture {
  GruGraph graph;
  GruInputs inputs;
  std::map<std::pair<int, bool>, std::unique_ptr<Session>> sessions;
};
GruFixture& GetGruFixture(const GruCase& c, int steps, int threads, bool variables) {
  static std::string key;
  static std::unique_ptr<GruFixture> fixture;
  const std::string want = absl::StrCat(c.Name(), "_T", steps);
  if (key != want) {
    fixture.reset();  // Free the previous case first: the largest is 25 MB + inputs.
    auto f = std::make_unique<GruFixture>();
    absl::StatusOr<GruGraph> g = BuildFrozenGruGraph(c, steps);
    if (!g.ok()) Fail(g.status());
    f->graph = *std::move(g);
    f->inputs = MakeGruInputs(c, steps);
    fixture = std::move(f);
    key = want;
  }
  std::unique_ptr<Session>& s = fixture->sessions[{threads, variables}];
  if (s == nullptr) {
    SessionOptions options;
    options.intra_op_threads = threads;
    absl::StatusOr<std::unique_ptr<Session>> created = Session::Create(
        variables ? fixture->graph.variables_graph_def : fixture->graph.graph_def, options);
    if (!created.ok()) Fail(created.status());
    s = *std::move(created);
    if (variables) {
      if (absl::Status w = s->variables().WriteAll(fixture->graph.variable_values); !w.ok()) {
        Fail(w);
      }
    }
  }
  return *fixture;
}

GruCase CaseOf(const benchmark::State& state) {
  return {static_cast<int>(state.range(0)), static_cast<int>(state.range(1)),
          static_cast<int>(state.range(2))};
}

void RunGru(benchmark::State& state, int steps, bool variables) {
  const GruCase c = CaseOf(state);
  const int threads = static_cast<int>(state.range(3));
  GruFixture& f = GetGruFixture(c, steps, threads, variables);
  const Session& session = *f.sessions[{threads, variables}];
  Session::Feeds feeds = GruFeeds(f.graph, f.inputs);
  const std::vector<std::string> fetch = {f.graph.output_name};
  // Warm-up: the first Run builds the execution plan.
  if (absl::Status s = session.Run(feeds, fetch).status(); !s.ok()) {
    state.SkipWithError(s.ToString().c_str());
    return;
  }
  for (auto _ : state) {
    absl::StatusOr<std::vector<Tensor>> out = session.Run(feeds, fetch);
    if (!out.ok()) {
      state.SkipWithError(out.status().ToString().c_str());
      break;
    }
    if (steps == 1) feeds.back().second = (*out)[0];  // Feed the state back.
  }
  state.counters["GFLOP/s"] = benchmark::Counter(c.StepFlops() * steps * 1e-9,
                                                 benchmark::Counter::kIsIterationInvariantRate);
}

void BM_GruStep(benchmark::State& state) { RunGru(state, 1, false); }
void BM_GruSeq100(benchmark::State& state) { RunGru(state, kSeqSteps, false); }
void BM_GruStepVariables(benchmark::State& state) { RunGru(state, 1, true); }
void BM_GruSeq100Variables(benchmark::State& state) { RunGru(state, kSeqSteps, true); }

// Runs a chain of `nodes` nodes once per iteration.
void RunChain(benchmark::State& state, int nodes) {
  absl::StatusOr<pb::GraphDef> def = BuildChainGraph(nodes);
  if (!def.ok()) Fail(def.status());
  absl::StatusOr<std::unique_ptr<Session>> session = Session::Create(*def);
  if (!session.ok()) Fail(session.status());
  Session::Feeds feeds = {{"x", Tensor::Scalar<float>(0.f)}};
  feeds[0].second = *feeds[0].second.Reshaped(TensorShape({1}));
  if (absl::Status s = (*session)->Run(feeds, {"out"}).status(); !s.ok()) Fail(s);
  for (auto _ : state) {
    benchmark::DoNotOptimize((*session)->Run(feeds, {"out"}));
  }
  // Seconds per node; the console shows it with an SI prefix ("210ns").
  state.counters["per_node"] = benchmark::Counter(
      nodes, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
void BM_ExecutorChain1000(benchmark::State& state) { RunChain(state, 1000); }

// A dense layer y = Relu(BiasAdd(MatMul(x, W), b)) with Const W [K, N], one
// Session::Run; rewrites off (three kernels) or on (one FusedMatMul kernel
// reading W at a padded stride). Args: M, K, N, rewrites.
// Where a dense layer's W comes from.
enum class WeightKind { kConst, kVariable, kFed };

// Relu(BiasAdd(MatMul(x, W), b)) with W a Const, a variable or fed.
void RunDenseLayer(benchmark::State& state, WeightKind kind) {
  const int64_t m = state.range(0), k = state.range(1), n = state.range(2);
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  absl::StatusOr<Tensor> w = Tensor::Allocate(DT_FLOAT, TensorShape({k, n}));
  absl::StatusOr<Tensor> b = Tensor::Allocate(DT_FLOAT, TensorShape({n}));
  absl::StatusOr<Tensor> x = Tensor::Allocate(DT_FLOAT, TensorShape({m, k}));
  if (!w.ok() || !b.ok() || !x.ok()) Fail(absl::ResourceExhaustedError("dense layer tensors"));
  for (int64_t i = 0; i < k * n; ++i) w->data<float>()[i] = 0.001f * static_cast<float>(i % 97);
  for (int64_t i = 0; i < m * k; ++i) x->data<float>()[i] = 0.01f * static_cast<float>(i % 89);
  Output in = ops::Placeholder(root.WithOpName("x"), DT_FLOAT, TensorShape({m, k}));
  Output w_value;
  if (kind == WeightKind::kFed) {
    w_value = ops::Placeholder(root.WithOpName("w"), DT_FLOAT, w->shape());
  } else if (kind == WeightKind::kVariable) {
    GetVariableOptions o;
    o.shape = w->shape();
    absl::StatusOr<Variable*> v = GetVariable(root, "w", o);
    if (!v.ok()) Fail(v.status());
    w_value = (*v)->value;
  } else {
    w_value = ops::Const(root, *w);
  }
  Output y = ops::Relu(root.WithOpName("y"), ops::BiasAdd(root, ops::MatMul(root, in, w_value),
                                                          ops::Const(root, *b)));
  if (!root.ok()) Fail(root.status());
  SessionOptions options;
  options.intra_op_threads = 1;
  options.enable_rewrites = state.range(3) != 0;
  absl::StatusOr<std::unique_ptr<Session>> session = Session::Create(*root.graph(), options);
  if (!session.ok()) Fail(session.status());
  Session::Feeds feeds = {{"x", *x}};
  if (kind == WeightKind::kVariable) {
    if (absl::Status st = (*session)->variables().Write("w", *std::move(w)); !st.ok()) Fail(st);
  } else if (kind == WeightKind::kFed) {
    feeds.emplace_back("w", *w);
  }
  for (auto _ : state) {
    if (absl::Status st = (*session)->Run(feeds, {y.name()}).status(); !st.ok()) Fail(st);
  }
  state.counters["GFLOP/s"] =
      benchmark::Counter(2.0 * m * n * k * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}
void BM_DenseLayer(benchmark::State& state) { RunDenseLayer(state, WeightKind::kConst); }
void BM_DenseLayerVariables(benchmark::State& state) {
  RunDenseLayer(state, WeightKind::kVariable);
}
void BM_DenseLayerFedW(benchmark::State& state) { RunDenseLayer(state, WeightKind::kFed); }
void BM_SessionRunFixedCost(benchmark::State& state) { RunChain(state, 1); }

// BasicRNNCell's layer Tanh(BiasAdd(MatMul(ConcatV2(x, h, axis=1), W), b)),
// x and h fed [M, K/2], Const W [K, N]; one Session::Run with rewrites on
// (one FusedMatMul step reading x and h where they are). Args: M, K, N.
void BM_ConcatDenseLayer(benchmark::State& state) {
  const int64_t m = state.range(0), k = state.range(1), n = state.range(2);
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  absl::StatusOr<Tensor> w = Tensor::Allocate(DT_FLOAT, TensorShape({k, n}));
  absl::StatusOr<Tensor> b = Tensor::Allocate(DT_FLOAT, TensorShape({n}));
  absl::StatusOr<Tensor> x = Tensor::Allocate(DT_FLOAT, TensorShape({m, k / 2}));
  if (!w.ok() || !b.ok() || !x.ok()) Fail(absl::ResourceExhaustedError("dense layer tensors"));
  for (int64_t i = 0; i < k * n; ++i) w->data<float>()[i] = 0.001f * static_cast<float>(i % 97);
  for (int64_t i = 0; i < m * k / 2; ++i) x->data<float>()[i] = 0.01f * static_cast<float>(i % 89);
  Output xin = ops::Placeholder(root.WithOpName("x"), DT_FLOAT, TensorShape({m, k / 2}));
  Output hin = ops::Placeholder(root.WithOpName("h"), DT_FLOAT, TensorShape({m, k / 2}));
  Output y = ops::Tanh(
      root.WithOpName("y"),
      ops::BiasAdd(root, ops::MatMul(root, ops::Concat(root, {xin, hin}, 1), ops::Const(root, *w)),
                   ops::Const(root, *b)));
  if (!root.ok()) Fail(root.status());
  SessionOptions options;
  options.intra_op_threads = 1;
  absl::StatusOr<std::unique_ptr<Session>> session = Session::Create(*root.graph(), options);
  if (!session.ok()) Fail(session.status());
  const Session::Feeds feeds = {{"x", *x}, {"h", *x}};
  for (auto _ : state) {
    if (absl::Status st = (*session)->Run(feeds, {y.name()}).status(); !st.ok()) Fail(st);
  }
  state.counters["GFLOP/s"] =
      benchmark::Counter(2.0 * m * n * k * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

// Four dense layers Relu(x · W_i + b_i) of one x, summed: independent
// branches, the case inter-op threads exist for. Args: intra, inter threads.
void BM_IndependentBranches(benchmark::State& state) {
  constexpr int64_t kM = 64, kK = 512, kBranches = 4;
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  absl::StatusOr<Tensor> x = Tensor::Allocate(DT_FLOAT, TensorShape({kM, kK}));
  if (!x.ok()) Fail(x.status());
  for (int64_t i = 0; i < kM * kK; ++i) x->data<float>()[i] = 0.01f * static_cast<float>(i % 89);
  Output in = ops::Placeholder(root.WithOpName("x"), DT_FLOAT, TensorShape({kM, kK}));
  Output sum;
  for (int64_t br = 0; br < kBranches; ++br) {
    absl::StatusOr<Tensor> w = Tensor::Allocate(DT_FLOAT, TensorShape({kK, kK}));
    absl::StatusOr<Tensor> b = Tensor::Allocate(DT_FLOAT, TensorShape({kK}));
    if (!w.ok() || !b.ok()) Fail(absl::ResourceExhaustedError("branch tensors"));
    for (int64_t i = 0; i < kK * kK; ++i) w->data<float>()[i] = 0.001f * ((i + br) % 97);
    for (int64_t i = 0; i < kK; ++i) b->data<float>()[i] = 0.01f * (i % 7);
    Output y = ops::Relu(root, ops::BiasAdd(root, ops::MatMul(root, in, ops::Const(root, *w)),
                                            ops::Const(root, *b)));
    sum = br == 0 ? y : ops::AddV2(root, sum, y);
  }
  if (!root.ok()) Fail(root.status());
  SessionOptions options;
  options.intra_op_threads = static_cast<int>(state.range(0));
  options.inter_op_threads = static_cast<int>(state.range(1));
  absl::StatusOr<std::unique_ptr<Session>> session = Session::Create(*root.graph(), options);
  if (!session.ok()) Fail(session.status());
  const Session::Feeds feeds = {{"x", *x}};
  for (auto _ : state) {
    if (absl::Status st = (*session)->Run(feeds, {sum.name()}).status(); !st.ok()) Fail(st);
  }
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * kM * kK * kK * kBranches * 1e-9,
                                                 benchmark::Counter::kIsIterationInvariantRate);
}

// y = x · transpose(W) with a Const W, as graphs exported with transposed
// weights read them. Arg: rewrites (constant folding) off/on.
void BM_TransposedWeights(benchmark::State& state) {
  constexpr int64_t kM = 64, kK = 512;
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  absl::StatusOr<Tensor> w = Tensor::Allocate(DT_FLOAT, TensorShape({kK, kK}));
  absl::StatusOr<Tensor> x = Tensor::Allocate(DT_FLOAT, TensorShape({kM, kK}));
  if (!w.ok() || !x.ok()) Fail(absl::ResourceExhaustedError("transpose tensors"));
  for (int64_t i = 0; i < kK * kK; ++i) w->data<float>()[i] = 0.001f * (i % 97);
  for (int64_t i = 0; i < kM * kK; ++i) x->data<float>()[i] = 0.01f * (i % 89);
  Output in = ops::Placeholder(root.WithOpName("x"), DT_FLOAT, TensorShape({kM, kK}));
  ops::MatMul(root.WithOpName("y"), in,
              ops::Transpose(root, ops::Const(root, *w), {1, 0}));
  if (!root.ok()) Fail(root.status());
  SessionOptions options;
  options.enable_rewrites = state.range(0) != 0;
  absl::StatusOr<std::unique_ptr<Session>> session = Session::Create(*root.graph(), options);
  if (!session.ok()) Fail(session.status());
  const Session::Feeds feeds = {{"x", *x}};
  for (auto _ : state) {
    if (absl::Status st = (*session)->Run(feeds, {"y"}).status(); !st.ok()) Fail(st);
  }
}

// 500 independent Tanh of x [1], summed by a chain of 500 AddV2: every Tanh
// is ready at once, so with inter-op threads the executor hands steps
// between threads. Arg: inter-op threads.
void BM_ExecutorFan1000(benchmark::State& state) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Output x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT, TensorShape({1}));
  Output sum = ops::Tanh(root, x);
  for (int i = 1; i < 500; ++i) sum = ops::AddV2(root, sum, ops::Tanh(root, x));
  sum = ops::AddV2(root, sum, x);
  if (!root.ok()) Fail(root.status());
  SessionOptions options;
  options.inter_op_threads = static_cast<int>(state.range(0));
  absl::StatusOr<std::unique_ptr<Session>> session = Session::Create(*root.graph(), options);
  if (!session.ok()) Fail(session.status());
  const Session::Feeds feeds = {{"x", *Tensor::FromVector<float>(TensorShape({1}), {0.5f})}};
  for (auto _ : state) {
    if (absl::Status st = (*session)->Run(feeds, {sum.name()}).status(); !st.ok()) Fail(st);
  }
  state.counters["per_node"] = benchmark::Counter(
      1000, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void BM_ImportGraphDef10k(benchmark::State& state) {
  absl::StatusOr<pb::GraphDef> def = BuildChainGraph(10000 - 2);
  if (!def.ok()) Fail(def.status());
  for (auto _ : state) {
    absl::StatusOr<std::unique_ptr<Graph>> g = GraphFromGraphDef(*def, &GlobalOpRegistry());
    if (!g.ok()) Fail(g.status());
  }
  state.counters["nodes"] = def->node_size();
  state.counters["per_node"] =
      benchmark::Counter(def->node_size(), benchmark::Counter::kIsIterationInvariantRate |
                                               benchmark::Counter::kInvert);
}

// Saves the T=100 graph of `c` under the work dir once; returns runner args.
const std::vector<std::string>& SavedSeqGraph(const GruCase& c) {
  static std::map<std::string, std::vector<std::string>> saved;
  std::vector<std::string>& args = saved[c.Name()];
  if (args.empty()) {
    absl::StatusOr<GruGraph> g = BuildFrozenGruGraph(c, kSeqSteps);
    if (!g.ok()) Fail(g.status());
    absl::StatusOr<std::vector<std::string>> a = SaveForRunner(
        *g, MakeGruInputs(c, kSeqSteps), absl::StrCat(WorkDir(), "/", c.Name(), "_T100"), 1);
    if (!a.ok()) Fail(a.status());
    args = *std::move(a);
  }
  return args;
}

void BM_SessionCreateFirstRun(benchmark::State& state) {
  const std::vector<std::string>& args = SavedSeqGraph(CaseOf(state));
  std::string graph_path, output;
  std::vector<std::pair<std::string, std::string>> inputs;
  for (const std::string& a : args) {
    if (absl::StartsWith(a, "--graph=")) graph_path = a.substr(8);
    if (absl::StartsWith(a, "--output=")) output = a.substr(9);
    if (absl::StartsWith(a, "--input=")) {
      std::vector<std::string> kv = absl::StrSplit(a.substr(8), absl::MaxSplits('=', 1));
      inputs.emplace_back(kv[0], kv[1]);
    }
  }
  for (auto _ : state) {
    absl::StatusOr<pb::GraphDef> def = ReadGraphDefFile(graph_path);
    if (!def.ok()) Fail(def.status());
    absl::StatusOr<std::unique_ptr<Session>> session = Session::Create(*def);
    if (!session.ok()) Fail(session.status());
    Session::Feeds feeds;
    for (const auto& [name, path] : inputs) {
      absl::StatusOr<Tensor> t = ReadNpyFile(path);
      if (!t.ok()) Fail(t.status());
      feeds.emplace_back(name, *std::move(t));
    }
    if (absl::Status s = (*session)->Run(feeds, {output}).status(); !s.ok()) Fail(s);
  }
}

std::string FindRunner() {
  const BenchFlags& flags = GetBenchFlags();
  if (!flags.runner.empty()) return flags.runner;
  std::vector<std::string> candidates = {flags.argv0 + ".runfiles/rill/runtime/runner"};
  for (const char* env : {"RUNFILES_DIR", "TEST_SRCDIR"}) {
    if (const char* d = std::getenv(env))
      candidates.push_back(absl::StrCat(d, "/rill/runtime/runner"));
  }
  for (const std::string& c : candidates) {
    if (access(c.c_str(), X_OK) == 0) return c;
  }
  return "";
}

void BM_RunnerColdStart(benchmark::State& state) {
  const std::string runner = FindRunner();
  if (runner.empty()) {
    state.SkipWithError("runtime/runner not found (pass --runner=PATH)");
    return;
  }
  std::vector<std::string> args = SavedSeqGraph(CaseOf(state));
  args.insert(args.begin(), runner);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  auto spawn_and_wait = [&](std::vector<char*>& cmd) {
    pid_t pid;
    if (posix_spawn(&pid, cmd[0], &actions, nullptr, cmd.data(), environ) != 0) return false;
    int status = 0;
    return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  };
  for (auto _ : state) {
    if (!spawn_and_wait(argv)) {
      state.SkipWithError("runner failed");
      break;
    }
  }
  // Peak RSS from one more run under /usr/bin/time: a child's ru_maxrss seen
  // by this process would include this (larger) process's RSS at spawn time.
  const std::string rss_file = WorkDir() + "/runner_rss.txt";
  std::vector<std::string> timed = {"/usr/bin/time", "-f", "%M", "-o", rss_file};
  timed.insert(timed.end(), args.begin(), args.end());
  std::vector<char*> timed_argv;
  for (std::string& a : timed) timed_argv.push_back(a.data());
  timed_argv.push_back(nullptr);
  double rss_kb = 0;
  if (access(timed[0].c_str(), X_OK) == 0 && spawn_and_wait(timed_argv)) {
    std::ifstream(rss_file) >> rss_kb;
  }
  posix_spawn_file_actions_destroy(&actions);
  state.counters["peak_rss_MB"] = rss_kb / 1024;
}

void RegisterAll() {
  for (const auto& [name, fn, unit] :
       {std::make_tuple("BM_GruStep", &BM_GruStep, benchmark::kMicrosecond),
        std::make_tuple("BM_GruSeq100", &BM_GruSeq100, benchmark::kMillisecond),
        std::make_tuple("BM_GruStepVariables", &BM_GruStepVariables, benchmark::kMicrosecond),
        std::make_tuple("BM_GruSeq100Variables", &BM_GruSeq100Variables,
                        benchmark::kMillisecond)}) {
    for (const GruCase& c : kCases) {
      for (int threads : {1, 2}) {
        benchmark::RegisterBenchmark(name, fn)
            ->Args({c.batch, c.input, c.units, threads})
            ->Unit(unit)
            ->UseRealTime();
      }
    }
  }
  for (const int64_t m : {1, 64}) {
    for (const int64_t rewrites : {0, 1}) {
      for (const auto& [name, fn] :
           {std::pair{"BM_DenseLayer", &BM_DenseLayer},
            std::pair{"BM_DenseLayerVariables", &BM_DenseLayerVariables},
            std::pair{"BM_DenseLayerFedW", &BM_DenseLayerFedW}}) {
        benchmark::RegisterBenchmark(name, fn)
            ->Args({m, 512, 1024, rewrites})
            ->ArgNames({"M", "K", "N", "rewrites"})
            ->Unit(benchmark::kMicrosecond)
            ->UseRealTime();
      }
    }
  }
  for (const auto& [m, k, n] : {std::tuple{1, 256, 128}, std::tuple{32, 512, 256},
                                std::tuple{64, 1024, 512}}) {
    benchmark::RegisterBenchmark("BM_ConcatDenseLayer", BM_ConcatDenseLayer)
        ->Args({m, k, n})
        ->ArgNames({"M", "K", "N"})
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
  }
  for (const auto& [intra, inter] : {std::pair{1, 1}, std::pair{1, 2}, std::pair{2, 1}}) {
    benchmark::RegisterBenchmark("BM_IndependentBranches", BM_IndependentBranches)
        ->Args({intra, inter})
        ->ArgNames({"intra", "inter"})
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
  }
  for (const int rewrites : {0, 1}) {
    benchmark::RegisterBenchmark("BM_TransposedWeights", BM_TransposedWeights)
        ->Arg(rewrites)
        ->ArgName("rewrites")
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
  }
  for (const int inter : {1, 2}) {
    benchmark::RegisterBenchmark("BM_ExecutorFan1000", BM_ExecutorFan1000)
        ->Arg(inter)
        ->ArgName("inter")
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
  }
  benchmark::RegisterBenchmark("BM_ExecutorChain1000", BM_ExecutorChain1000)
      ->Unit(benchmark::kMicrosecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark("BM_SessionRunFixedCost", BM_SessionRunFixedCost)->UseRealTime();
  benchmark::RegisterBenchmark("BM_ImportGraphDef10k", BM_ImportGraphDef10k)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  for (const GruCase& c : kColdStartCases) {
    benchmark::RegisterBenchmark("BM_SessionCreateFirstRun", BM_SessionCreateFirstRun)
        ->Args({c.batch, c.input, c.units})
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark("BM_RunnerColdStart", BM_RunnerColdStart)
        ->Args({c.batch, c.input, c.units})
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
}

}  // namespace
}  // namespace bench
}  // namespace rill

int main(int argc, char** argv) {
  using rill::bench::GetBenchFlags;
  if (!rill::bench::ParseBenchFlags(&argc, argv)) {
    std::fprintf(stderr, "error: bad flag value\n");
    return 2;
  }
  absl::Status mode = absl::OkStatus();
  if (!GetBenchFlags().export_dir.empty()) {
    mode = rill::bench::RunExportMode(GetBenchFlags());
  } else if (!GetBenchFlags().save_runner_case.empty()) {
    mode = rill::bench::RunSaveMode(GetBenchFlags());
  } else {
    rill::bench::RegisterAll();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
    if (GetBenchFlags().peer_format) {
      rill::bench::PeerLineReporter reporter;
      reporter.SetOutputStream(&std::cerr);
      reporter.SetErrorStream(&std::cerr);
      benchmark::RunSpecifiedBenchmarks(&reporter);
    } else {
      benchmark::RunSpecifiedBenchmarks();
    }
    benchmark::Shutdown();
  }
  if (!mode.ok()) {
    std::fprintf(stderr, "error: %s\n", mode.ToString().c_str());
    return 1;
  }
  return 0;
}
