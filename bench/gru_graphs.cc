#include "bench/gru_graphs.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cells/gru_cell.h"
#include "cells/static_rnn.h"
#include "graph/graph_def.h"
#include "graph/scope.h"
#include "graph/status_macros.h"
#include "ops/array_ops.h"
#include "ops/math_ops.h"
#include "ops/op_registry.h"
#include "ops/variables.h"
#include "runtime/freeze.h"
#include "runtime/npy.h"
#include "runtime/runner_lib.h"
#include "runtime/variable_storage.h"

namespace rill {
namespace bench {
namespace {

// bench_common.h's generator: uniform in [-scale, scale).
Tensor RandomMatrix(int rows, int cols, unsigned seed, float scale) {
  Tensor t = *Tensor::Allocate(DT_FLOAT, TensorShape({rows, cols}));
  float* p = t.data<float>();
  unsigned s = seed * 2654435761u + 12345u;
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    s = s * 1664525u + 1013904223u;
    p[i] = scale * (((s >> 8) & 0xFFFF) / 32768.0f - 1.0f);
  }
  return t;
}

// Copies the value of the variable whose name ends in `suffix`.
absl::StatusOr<Tensor> ReadVariable(const Session& session, const std::vector<Variable*>& vars,
                                    const std::string& suffix) {
  for (const Variable* v : vars) {
    if (absl::EndsWith(v->name, suffix)) return session.variables().Read(v->name);
  }
  return absl::NotFoundError(absl::StrCat("no GRU variable named */", suffix));
}

double Sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }

}  // namespace

std::string GruCase::Name() const { return absl::StrCat("b", batch, "_i", input, "_h", units); }

double GruCase::StepFlops() const { return 6.0 * batch * double(input + units) * units; }

int64_t GruCase::WeightBytes() const {
  return (int64_t{input + units} * 3 * units + 3 * units) * 4;
}

absl::StatusOr<GruCase> ParseGruCase(const std::string& text) {
  std::vector<std::string> parts = absl::StrSplit(text, 'x');
  GruCase c;
  if (parts.size() != 3 || !absl::SimpleAtoi(parts[0], &c.batch) ||
      !absl::SimpleAtoi(parts[1], &c.input) || !absl::SimpleAtoi(parts[2], &c.units) ||
      c.batch < 1 || c.input < 1 || c.units < 1) {
    return absl::InvalidArgumentError(absl::StrCat("bad GRU case '", text, "', want BxIxH"));
  }
  return c;
}

absl::StatusOr<GruGraph> BuildFrozenGruGraph(const GruCase& shape, int steps) {
  if (steps < 1 || shape.batch < 1 || shape.input < 1 || shape.units < 1) {
    return absl::InvalidArgumentError("GRU sizes and steps must be >= 1");
  }
  GruGraph g;
  g.shape = shape;
  g.steps = steps;
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  root.graph()->set_seed(kBenchGraphSeed);
  const TensorShape x_shape({shape.batch, shape.input});
  const TensorShape h_shape({shape.batch, shape.units});
  std::vector<Output> xs;
  for (int t = 0; t < steps; ++t) {
    const std::string name = steps == 1 ? "x" : absl::StrCat("x_", t);
    xs.push_back(ops::Placeholder(root.WithOpName(name), DT_FLOAT, x_shape));
    g.x_names.push_back(name);
  }
  g.h_name = steps == 1 ? "h" : "h0";
  Output h = ops::Placeholder(root.WithOpName(g.h_name), DT_FLOAT, h_shape);
  ASSIGN_OR_RETURN(std::unique_ptr<GRUCell> cell, GRUCell::Create(root, shape.units));
  Output last;
  if (steps == 1) {
    ASSIGN_OR_RETURN(CellOutput out, (*cell)(root, xs[0], {h}));
    last = out.state[0];
  } else {
    ASSIGN_OR_RETURN(StaticRnnResult rnn,
                     StaticRnn(root, *cell, xs, std::vector<Output>{h}, DT_FLOAT));
    last = rnn.final_state[0];
  }
  Node* init = GlobalVariablesInitializer(root);
  RETURN_IF_ERROR(root.status());
  g.output_name = last.name();

  ASSIGN_OR_RETURN(std::unique_ptr<Session> session, Session::Create(*root.graph()));
  RETURN_IF_ERROR(session->Run({}, {}, {init->name()}).status());
  const std::vector<Variable*> vars = cell->variables();
  ASSIGN_OR_RETURN(g.weights.gates_kernel, ReadVariable(*session, vars, "gates/kernel"));
  ASSIGN_OR_RETURN(g.weights.gates_bias, ReadVariable(*session, vars, "gates/bias"));
  ASSIGN_OR_RETURN(g.weights.candidate_kernel, ReadVariable(*session, vars, "candidate/kernel"));
  ASSIGN_OR_RETURN(g.weights.candidate_bias, ReadVariable(*session, vars, "candidate/bias"));
  for (const Variable* v : vars) {
    ASSIGN_OR_RETURN(g.variable_values[v->name], session->variables().Read(v->name));
  }
  ToGraphDef(*root.graph(), &g.variables_graph_def);
  ASSIGN_OR_RETURN(FrozenGraph frozen, FreezeGraph(*session, {last.node->name()}));
  g.graph_def = std::move(frozen.graph_def);
  return g;
}

GruInputs MakeGruInputs(const GruCase& shape, int steps) {
  GruInputs in;
  for (int t = 0; t < steps; ++t) {
    in.xs.push_back(RandomMatrix(shape.batch, shape.input, 7 + t, 1.0f));
  }
  in.h0 = RandomMatrix(shape.batch, shape.units, 8, 0.5f);
  return in;
}

Session::Feeds GruFeeds(const GruGraph& graph, const GruInputs& inputs) {
  Session::Feeds feeds;
  for (size_t t = 0; t < graph.x_names.size() && t < inputs.xs.size(); ++t) {
    feeds.emplace_back(graph.x_names[t], inputs.xs[t]);
  }
  feeds.emplace_back(graph.h_name, inputs.h0);
  return feeds;
}

std::vector<double> ReferenceGru(const GruWeights& w, const GruInputs& inputs) {
  const int batch = static_cast<int>(inputs.h0.dim(0));
  const int units = static_cast<int>(inputs.h0.dim(1));
  const int rows = static_cast<int>(w.gates_kernel.dim(0));
  const int depth = rows - units;
  const float* wg = w.gates_kernel.data<float>();
  const float* bg = w.gates_bias.data<float>();
  const float* wc = w.candidate_kernel.data<float>();
  const float* bc = w.candidate_bias.data<float>();
  std::vector<double> h(inputs.h0.flat<float>().begin(), inputs.h0.flat<float>().end());
  std::vector<double> xh(rows), gate(2 * units), cand(units), next(h.size());
  for (const Tensor& x_t : inputs.xs) {
    const float* x = x_t.data<float>();
    for (int b = 0; b < batch; ++b) {
      for (int i = 0; i < depth; ++i) xh[i] = x[b * depth + i];
      for (int i = 0; i < units; ++i) xh[depth + i] = h[b * units + i];
      for (int j = 0; j < 2 * units; ++j) gate[j] = bg[j];
      for (int i = 0; i < rows; ++i) {
        const float* row = wg + int64_t{i} * 2 * units;
        for (int j = 0; j < 2 * units; ++j) gate[j] += xh[i] * row[j];
      }
      for (int j = 0; j < 2 * units; ++j) gate[j] = Sigmoid(gate[j]);
      // r = gate[0, H), u = gate[H, 2H); the candidate sees [x, r * h].
      for (int i = 0; i < units; ++i) xh[depth + i] *= gate[i];
      for (int j = 0; j < units; ++j) cand[j] = bc[j];
      for (int i = 0; i < rows; ++i) {
        const float* row = wc + int64_t{i} * units;
        for (int j = 0; j < units; ++j) cand[j] += xh[i] * row[j];
      }
      for (int j = 0; j < units; ++j) {
        const double u = gate[units + j];
        next[b * units + j] = u * h[b * units + j] + (1 - u) * std::tanh(cand[j]);
      }
    }
    h.swap(next);
  }
  return h;
}

absl::StatusOr<double> CheckGruNumerics(const GruCase& shape, int steps, int threads) {
  ASSIGN_OR_RETURN(GruGraph g, BuildFrozenGruGraph(shape, steps));
  const GruInputs in = MakeGruInputs(shape, steps);
  SessionOptions options;
  options.intra_op_threads = threads;
  ASSIGN_OR_RETURN(std::unique_ptr<Session> session, Session::Create(g.graph_def, options));
  ASSIGN_OR_RETURN(std::vector<Tensor> out, session->Run(GruFeeds(g, in), {g.output_name}));
  const std::vector<double> want = ReferenceGru(g.weights, in);
  if (out[0].num_elements() != static_cast<int64_t>(want.size())) {
    return absl::InternalError(absl::StrCat("rill output has ", out[0].num_elements(),
                                            " values, reference ", want.size()));
  }
  double diff = 0;
  const float* got = out[0].data<float>();
  for (size_t i = 0; i < want.size(); ++i) diff = std::max(diff, std::abs(got[i] - want[i]));
  return diff;
}

absl::Status ExportGruCase(const GruGraph& graph, const std::string& dir,
                           const std::string& prefix) {
  RETURN_IF_ERROR(CreateDirectories(dir));
  const std::string base = absl::StrCat(dir, "/", prefix);
  const GruWeights& w = graph.weights;
  RETURN_IF_ERROR(WriteNpyFile(base + "gates_kernel.npy", w.gates_kernel));
  RETURN_IF_ERROR(WriteNpyFile(base + "gates_bias.npy", w.gates_bias));
  RETURN_IF_ERROR(WriteNpyFile(base + "candidate_kernel.npy", w.candidate_kernel));
  RETURN_IF_ERROR(WriteNpyFile(base + "candidate_bias.npy", w.candidate_bias));
  const GruInputs in = MakeGruInputs(graph.shape, graph.steps);
  const GruCase& c = graph.shape;
  ASSIGN_OR_RETURN(Tensor x,
                   Tensor::Allocate(DT_FLOAT, TensorShape({graph.steps, c.batch, c.input})));
  for (int t = 0; t < graph.steps; ++t) {
    std::memcpy(x.data<float>() + int64_t{t} * c.batch * c.input, in.xs[t].data<float>(),
                in.xs[t].TotalBytes());
  }
  RETURN_IF_ERROR(WriteNpyFile(base + "x.npy", x));
  RETURN_IF_ERROR(WriteNpyFile(base + "h0.npy", in.h0));
  ASSIGN_OR_RETURN(std::unique_ptr<Session> session, Session::Create(graph.graph_def));
  ASSIGN_OR_RETURN(std::vector<Tensor> out, session->Run(GruFeeds(graph, in), {graph.output_name}));
  return WriteNpyFile(base + "rill_out.npy", out[0]);
}

absl::StatusOr<std::vector<std::string>> SaveForRunner(const GruGraph& graph,
                                                       const GruInputs& inputs,
                                                       const std::string& dir, int threads) {
  RETURN_IF_ERROR(CreateDirectories(dir));
  const std::string graph_path = dir + "/graph.pb";
  RETURN_IF_ERROR(WriteGraphDefFile(graph_path, graph.graph_def));
  std::vector<std::string> args = {"run", "--graph=" + graph_path};
  const Session::Feeds feeds = GruFeeds(graph, inputs);
  for (const auto& [name, value] : feeds) {
    const std::string path = absl::StrCat(dir, "/", name, ".npy");
    RETURN_IF_ERROR(WriteNpyFile(path, value));
    args.push_back(absl::StrCat("--input=", name, "=", path));
  }
  args.push_back("--output=" + graph.output_name);
  args.push_back(absl::StrCat("--threads=", threads));
  return args;
}

absl::StatusOr<pb::GraphDef> BuildChainGraph(int num_nodes) {
  if (num_nodes < 1) return absl::InvalidArgumentError("num_nodes must be >= 1");
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Output x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT, TensorShape({1}));
  Output c = ops::Const(root.WithOpName("c"), 1e-3f);
  Output prev = x;
  for (int i = 0; i < num_nodes; ++i) {
    const std::string name = i + 1 == num_nodes ? "out" : absl::StrCat("n", i);
    prev = i % 2 == 0 ? ops::Identity(root.WithOpName(name), prev)
                      : ops::AddV2(root.WithOpName(name), prev, c);
  }
  RETURN_IF_ERROR(root.status());
  pb::GraphDef def;
  ToGraphDef(*root.graph(), &def);
  return def;
}

}  // namespace bench
}  // namespace rill
