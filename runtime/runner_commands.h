// The subcommands of the `runner` tool (runtime/runner_main.cc), callable
// without a process. Arguments are already validated as a command line (see
// runtime/runner_lib.h); errors returned here are about the graph, the
// inputs or the run, and runner_main turns them into exit code 1 — except
// those marked with UsageError (runner_lib.h), which exit 2.
#ifndef RILL_RUNTIME_RUNNER_COMMANDS_H_
#define RILL_RUNTIME_RUNNER_COMMANDS_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "runtime/runner_lib.h"

namespace rill {

struct RunCommandOptions {
  std::string graph;                 // GraphDef file, binary or text.
  std::vector<InputSpec> inputs;     // Feeds, each read from a .npy file.
  std::vector<std::string> outputs;  // Tensors to fetch ("z", "z:0").
  std::string output_dir;            // When set, each output is saved here.
  std::string checkpoint;            // When set, variables are restored from it.
  int threads = 1;                   // SessionOptions::intra_op_threads.
  int inter_op_threads = 1;          // SessionOptions::inter_op_threads.
};

// `runner run`: loads the graph into a Session, restores the checkpoint if
// one is given (so a non-frozen graph runs without its init op), feeds the
// inputs, fetches the outputs and prints one FormatOutputBlock per output to
// `out`. With output_dir (created if missing) also writes
// <dir>/<OutputFileName>. Errors: those of ReadGraphDefFile,
// Session::Create, RestoreCheckpoint, ReadNpyFile (prefixed "input 'x': "),
// Session::Run and the file writes.
absl::Status RunCommand(const RunCommandOptions& options, std::ostream& out);

struct BenchCommandOptions {
  std::string graph;                         // GraphDef file, binary or text.
  std::vector<InputSpec> inputs;             // Feeds read from .npy files.
  std::vector<InputShapeSpec> input_shapes;  // Feeds filled with random values.
  std::vector<std::string> outputs;          // Empty: the graph's likely outputs.
  std::string checkpoint;                    // When set, variables are restored from it.
  int warmup = 2;                            // Untimed runs first (>= 0).
  int runs = 50;                             // Timed runs (>= 1) when min_time_s is 0.
  double min_time_s = 0;                     // > 0: run until this much time is measured.
  int threads = 1;                           // SessionOptions::intra_op_threads.
  int inter_op_threads = 1;                  // SessionOptions::inter_op_threads.
  bool show_ops = false;                     // Per-op-type timing table.
  uint32_t seed = 1;                         // Seed of the random input values.
};

// The most timed runs a --min_time bench makes.
constexpr int64_t kMaxBenchRuns = 1000000;

// `runner bench` (TensorFlow's benchmark_model): loads the graph, restores
// the checkpoint if given, builds the feeds once, runs `warmup` untimed runs,
// then times Session::Run (steady_clock) for `runs` runs or until
// `min_time_s` seconds of runs are measured (at most kMaxBenchRuns), and
// prints to `out` a header (graph, feeds, fetches) and FormatLatencyStats,
// whose last line is "median_ms=<number>". Nothing is printed on error.
//
// Feeds: each --input from its .npy file; each --input_shape with
// RandomTensor values of the tensor's dtype; every other Placeholder the
// fetches depend on with random values of its shape attr. Fetches: `outputs`,
// else the likely outputs of FormatGraphSummary (nodes without outputs run
// as targets). When `progress` is not null (runner_main passes stderr on a
// terminal), runs longer than half a second show "\rrun i/N" there.
//
// Errors: UsageError for a Placeholder the fetches need whose shape is not
// fully known and that no --input/--input_shape feeds ("placeholder 'x' has
// shape [?,3]; give --input_shape=x=..."), or a graph without likely outputs;
// Unimplemented for show_ops (the Session has no per-node timing yet);
// otherwise those of RunCommand, and NotFound for an --input_shape naming a
// missing tensor.
absl::Status BenchCommand(const BenchCommandOptions& options, std::ostream& out,
                          std::ostream* progress = nullptr);

struct InspectCommandOptions {
  std::string graph;  // GraphDef file, binary or text.
  std::string dot;    // When set, a Graphviz file to write.
};

// `runner inspect`: prints FormatGraphSummary of the GraphDef and a final
// line "Runnable by rill: yes" or "Runnable by rill: no (<reason>)" (import
// into a Graph). A graph that parses but does not import is still summarized
// and is not an error. With `dot`, writes GraphDefToDot atomically (edge
// shapes come from the import when it succeeded). Errors: those of
// ReadGraphDefFile and of writing the DOT file.
absl::Status InspectCommand(const InspectCommandOptions& options, std::ostream& out);

}  // namespace rill

#endif  // RILL_RUNTIME_RUNNER_COMMANDS_H_
