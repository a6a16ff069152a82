// The graphs the benchmarks run, built with rill's public API only.
//
//   ASSIGN_OR_RETURN(GruGraph g, BuildFrozenGruGraph({32, 256, 256}, 100));
//   GruInputs in = MakeGruInputs(g.shape, g.steps);
//   ASSIGN_OR_RETURN(auto session, Session::Create(g.graph_def));
//   ASSIGN_OR_RETURN(auto out, session->Run(GruFeeds(g, in), {g.output_name}));
//
// GRU graphs are what a user runs with `runner run`: a GRUCell (one call, or
// unrolled by StaticRnn) whose glorot_uniform weights come from the fixed
// graph seed kBenchGraphSeed, initialized in a Session and frozen with
// FreezeGraph so that the weights are Consts. The weights are returned too, so
// that references (ReferenceGru, bench/check_gru_numpy.py) use the same ones.
//
// Note: the step graph and the T-step graph draw different weights (a random
// op's seed is the graph's node count at creation, TensorFlow's rule).
//
// Thread-safety: every function is thread-compatible (no shared state).
#ifndef RILL_BENCH_GRU_GRAPHS_H_
#define RILL_BENCH_GRU_GRAPHS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "graph/tensor.h"
#include "proto/graph.pb.h"
#include "runtime/session.h"

namespace rill {
namespace bench {

inline constexpr int64_t kBenchGraphSeed = 42;

// One benchmark shape: batch B, input depth I, GRU units H.
struct GruCase {
  int batch = 1;
  int input = 1;
  int units = 1;

  // "b32_i256_h256", the peers' case name.
  std::string Name() const;
  // GEMM FLOPs of one step: 6 * B * (I + H) * H.
  double StepFlops() const;
  // Bytes of the two kernels and biases: ((I + H) * 3H + 3H) * 4.
  int64_t WeightBytes() const;
};

// Parses "32x256x256" (B x I x H). InvalidArgument otherwise.
absl::StatusOr<GruCase> ParseGruCase(const std::string& text);

// The GRU variables as TensorFlow lays them out (cells/gru_cell.h).
struct GruWeights {
  Tensor gates_kernel;      // [I + H, 2H], r first
  Tensor gates_bias;        // [2H]
  Tensor candidate_kernel;  // [I + H, H]
  Tensor candidate_bias;    // [H]
};

struct GruGraph {
  GruCase shape;
  int steps = 1;
  pb::GraphDef graph_def;            // Frozen: weights are Consts.
  // The same graph before freezing (weights are variables) and the
  // variables' values by name: what a Session running an unfrozen graph
  // holds.
  pb::GraphDef variables_graph_def;
  std::map<std::string, Tensor> variable_values;
  std::vector<std::string> x_names;  // One placeholder per step, [B, I].
  std::string h_name;                // Initial state placeholder, [B, H].
  std::string output_name;           // Final state tensor ("...:0").
  GruWeights weights;
};

// steps == 1: placeholders "x" and "h", one GRUCell(H) call. steps > 1:
// placeholders "x_0" .. "x_<steps-1>" and "h0", StaticRnn with initial_state
// h0, fetching the final state. Errors: InvalidArgument for sizes < 1; any
// error of building, initializing or freezing.
absl::StatusOr<GruGraph> BuildFrozenGruGraph(const GruCase& shape, int steps);

// Deterministic inputs: x_t uniform in [-1, 1), h0 in [-0.5, 0.5).
struct GruInputs {
  std::vector<Tensor> xs;  // steps tensors [B, I]
  Tensor h0;               // [B, H]
};
GruInputs MakeGruInputs(const GruCase& shape, int steps);

// The feeds of `graph` for `inputs` (same step count).
Session::Feeds GruFeeds(const GruGraph& graph, const GruInputs& inputs);

// The final state after inputs.xs.size() steps, in double precision with the
// plain formula of cells/gru_cell.h; row-major [B, H].
std::vector<double> ReferenceGru(const GruWeights& weights, const GruInputs& inputs);

// Builds the graph, runs it in a Session with `threads` intra-op threads and
// returns max |rill - ReferenceGru| over the final state.
absl::StatusOr<double> CheckGruNumerics(const GruCase& shape, int steps, int threads);

// Writes the graph's weights ("<prefix>gates_kernel.npy", ...), inputs
// ("<prefix>x.npy" stacked [T, B, I], "<prefix>h0.npy") and rill's final
// state run with 1 thread ("<prefix>rill_out.npy") into `dir` (created).
absl::Status ExportGruCase(const GruGraph& graph, const std::string& dir,
                           const std::string& prefix);

// Saves `graph` as "<dir>/graph.pb" plus one .npy per input, and returns the
// `runner run` arguments (without the binary) that run it.
absl::StatusOr<std::vector<std::string>> SaveForRunner(const GruGraph& graph,
                                                       const GruInputs& inputs,
                                                       const std::string& dir, int threads);

// A chain for executor-overhead and import timing: placeholder "x" [1],
// Const "c" (scalar 1e-3), then `num_nodes` nodes alternating Identity and
// AddV2(prev, c), the last one named "out". Total nodes: num_nodes + 2.
// InvalidArgument for num_nodes < 1.
absl::StatusOr<pb::GraphDef> BuildChainGraph(int num_nodes);

}  // namespace bench
}  // namespace rill

#endif  // RILL_BENCH_GRU_GRAPHS_H_
