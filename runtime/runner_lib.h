// Helpers of the `runner` command-line tool (runtime/runner_main.cc) that do
// not touch a Session: command-line splitting, --input/--output parsing,
// output file names and value formatting. Kept apart so they can be unit
// tested without running a process.
//
// All functions are pure (no I/O except CreateDirectories) and thread-safe.
#ifndef RILL_RUNTIME_RUNNER_LIB_H_
#define RILL_RUNTIME_RUNNER_LIB_H_

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "graph/tensor.h"

namespace rill {

// A command line split into its subcommand and flags, in order.
struct SplitArgs {
  std::string command;                                     // "" when none was given.
  std::vector<std::pair<std::string, std::string>> flags;  // {name, value}
  bool help = false;  // --help, -help, --helpfull or -h was given.
};

// Splits argv[1..] into one positional subcommand and flags. Flags are
// "--name=value", "-name=value" or "--name value"; every name must be in
// `known` (all take a value). InvalidArgument (a usage error) for an unknown
// flag ("unknown flag --foo"), a flag missing its value, or a second
// positional argument.
absl::StatusOr<SplitArgs> SplitCommandLine(int argc, const char* const* argv,
                                           const std::set<std::string>& known);

// One --input: feed the tensor `name` from the .npy file `path`.
struct InputSpec {
  std::string name;
  std::string path;
};

// Parses --input values. Each value is "NAME=FILE" or a comma-separated list
// of them; values from repeated --input flags are concatenated. InvalidArgument
// for an item without '=', with an empty name or file, or for a tensor fed
// twice ("x" and "x:0" are the same tensor). File paths cannot contain ','.
absl::StatusOr<std::vector<InputSpec>> ParseInputSpecs(const std::vector<std::string>& values);

// Parses --output=NAME[,NAME...]. InvalidArgument for an empty list or an
// empty item.
absl::StatusOr<std::vector<std::string>> ParseOutputList(absl::string_view value);

// "x" -> "x:0"; "x:1" and anything else with a ":<digits>" suffix unchanged.
std::string NormalizeTensorName(absl::string_view name);

// The --output_dir file name of a tensor: its normalized name with every
// character outside [A-Za-z0-9_.-] replaced by '_', plus ".npy"
// ("rnn/gru_cell/add" -> "rnn_gru_cell_add_0.npy").
std::string OutputFileName(absl::string_view tensor_name);

// InvalidArgument when two different tensors of `outputs` map to the same
// OutputFileName ("a/b" and "a_b").
absl::Status CheckOutputFileNames(const std::vector<std::string>& outputs);

// Values of `t`, flat in row-major order: "[1, 2.5, 3]". Floats use the
// shortest text that reads back to the same value; bools are true/false.
// Tensors with more than 20 elements show the first 10 and the last 3:
// "[0, 1, ..., 9, ..., 97, 98, 99] (100 values)".
std::string FormatValues(const Tensor& t);

// The block `runner run` prints for one fetched tensor:
//   z:0
//     dtype: float
//     shape: [2,3]
//     values: [11, 22, 33, 14, 25, 36]
std::string FormatOutputBlock(absl::string_view name, const Tensor& t);

// `message` on one line: each run of '\r'/'\n' (and surrounding spaces)
// becomes "; ", with leading/trailing whitespace removed.
std::string OneLine(absl::string_view message);

// mkdir -p. PermissionDenied when not allowed; InvalidArgument for any other
// failure (e.g. `path` exists and is not a folder). Messages name the path.
absl::Status CreateDirectories(const std::string& path);

}  // namespace rill

#endif  // RILL_RUNTIME_RUNNER_LIB_H_
