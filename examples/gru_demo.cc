// The demo: builds a GRU in C++ (StaticRnn over 3 steps of a GRUCell under
// variable scope "demo"), initializes its variables, runs it in a Session,
// freezes it, saves the frozen graph and the inputs, and prints the numbers
// and the runner command that reproduces them from the saved file.
//
//   bazel-bin/examples/gru_demo --output_graph=gru.pb --input_dir=gru_inputs
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cells/gru_cell.h"
#include "cells/static_rnn.h"
#include "graph/graph_def.h"
#include "graph/status_macros.h"
#include "ops/array_ops.h"
#include "ops/op_registry.h"
#include "ops/variables.h"
#include "runtime/freeze.h"
#include "runtime/npy.h"
#include "runtime/runner_lib.h"
#include "runtime/session.h"

ABSL_FLAG(std::string, output_graph, "gru.pb", "Where to write the frozen GraphDef.");
ABSL_FLAG(std::string, input_dir, "gru_inputs", "Where to write the demo inputs (.npy).");
ABSL_FLAG(int, steps, 3, "Time steps to unroll.");
ABSL_FLAG(int, batch, 2, "Batch size.");
ABSL_FLAG(int, input_size, 3, "Input features per step.");
ABSL_FLAG(int, units, 4, "GRU units.");
ABSL_FLAG(int64_t, seed, 42, "Graph-level random seed (weights are glorot_uniform).");

namespace rill {
namespace {

absl::Status RunDemo() {
  const int steps = absl::GetFlag(FLAGS_steps), batch = absl::GetFlag(FLAGS_batch);
  const int input_size = absl::GetFlag(FLAGS_input_size), units = absl::GetFlag(FLAGS_units);
  if (steps < 1 || batch < 1 || input_size < 1 || units < 1) {
    return absl::InvalidArgumentError("--steps, --batch, --input_size and --units must be >= 1");
  }

  // 1. Build: one placeholder per step, a GRUCell unrolled by StaticRnn.
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  root.graph()->set_seed(absl::GetFlag(FLAGS_seed));
  Scope demo = root.WithVariableScope("demo");
  std::vector<Output> xs;
  for (int t = 0; t < steps; ++t) {
    xs.push_back(ops::Placeholder(demo.WithOpName(absl::StrCat("x_", t)), DT_FLOAT,
                                  TensorShape({batch, input_size})));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<GRUCell> cell, GRUCell::Create(demo, units));
  ASSIGN_OR_RETURN(StaticRnnResult rnn, StaticRnn(demo, *cell, xs, std::nullopt, DT_FLOAT));
  Node* init = GlobalVariablesInitializer(root);
  RETURN_IF_ERROR(root.status());
  const Output last = rnn.final_state[0];
  std::printf("Built %d nodes; variables:", root.graph()->num_nodes());
  for (Variable* v : cell->variables()) std::printf(" %s", v->ToString().c_str());
  std::printf("\nOutput of the last step: %s\n", last.name().c_str());

  // 2. Initialize and run in a Session.
  ASSIGN_OR_RETURN(std::unique_ptr<Session> session, Session::Create(*root.graph()));
  RETURN_IF_ERROR(session->Run({}, {}, {init->name()}).status());
  Session::Feeds feeds;
  const std::string dir = absl::GetFlag(FLAGS_input_dir);
  RETURN_IF_ERROR(CreateDirectories(dir));
  std::vector<std::string> input_flags;
  for (int t = 0; t < steps; ++t) {
    ASSIGN_OR_RETURN(Tensor x, Tensor::Allocate(DT_FLOAT, TensorShape({batch, input_size})));
    float* p = x.data<float>();
    for (int i = 0; i < batch * input_size; ++i) p[i] = std::sin(0.7f * t + 0.3f * i);
    const std::string path = absl::StrCat(dir, "/x_", t, ".npy");
    RETURN_IF_ERROR(WriteNpyFile(path, x));
    feeds.emplace_back(xs[t].node->name(), x);
    input_flags.push_back(absl::StrCat("--input=", xs[t].node->name(), "=", path));
  }
  ASSIGN_OR_RETURN(std::vector<Tensor> out, session->Run(feeds, {last.name()}));
  std::printf("\nSession output:\n%s", FormatOutputBlock(last.name(), out[0]).c_str());

  // 3. Freeze and save.
  ASSIGN_OR_RETURN(FrozenGraph frozen, FreezeGraph(*session, {last.node->name()}));
  const std::string graph_path = absl::GetFlag(FLAGS_output_graph);
  RETURN_IF_ERROR(WriteGraphDefFile(graph_path, frozen.graph_def));
  std::printf("\nConverted %d variables to const ops. Wrote %s (%d nodes).\n",
              frozen.converted_variables, graph_path.c_str(), frozen.graph_def.node_size());
  std::printf("Run it with:\n  bazel-bin/runtime/runner run --graph=%s %s --output=%s\n",
              graph_path.c_str(), absl::StrJoin(input_flags, " ").c_str(),
              last.node->name().c_str());
  return absl::OkStatus();
}

}  // namespace
}  // namespace rill

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Builds a GRU graph in C++, runs it, freezes it and saves it as a GraphDef.");
  absl::ParseCommandLine(argc, argv);
  absl::Status s = rill::RunDemo();
  if (!s.ok()) {
    std::fprintf(stderr, "error: %s\n", rill::OneLine(s.ToString()).c_str());
    return 1;
  }
  return 0;
}
