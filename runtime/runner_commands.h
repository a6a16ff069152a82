// The subcommands of the `runner` tool (runtime/runner_main.cc), callable
// without a process. Arguments are already validated as a command line (see
// runtime/runner_lib.h); every error returned here is about the graph, the
// inputs or the run, and runner_main turns it into exit code 1.
#ifndef RILL_RUNTIME_RUNNER_COMMANDS_H_
#define RILL_RUNTIME_RUNNER_COMMANDS_H_

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
  int threads = 1;                   // SessionOptions::intra_op_threads.
};

// `runner run`: loads the graph into a Session, feeds the inputs, fetches the
// outputs and prints one FormatOutputBlock per output to `out`. With
// output_dir (created if missing) also writes <dir>/<OutputFileName>.
// Errors: those of ReadGraphDefFile, Session::Create, ReadNpyFile (prefixed
// "input 'x': "), Session::Run and the file writes.
absl::Status RunCommand(const RunCommandOptions& options, std::ostream& out);

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
