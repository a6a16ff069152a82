// Helpers of the `runner` command-line tool (runtime/runner_main.cc) that do
// not touch a Session: command-line splitting, --input/--input_shape/--output
// parsing, output file names, value formatting, random inputs and latency
// statistics for `runner bench`. Kept apart so they can be unit tested
// without running a process.
//
// All functions are pure (no I/O except CreateDirectories) and thread-safe.
#ifndef RILL_RUNTIME_RUNNER_LIB_H_
#define RILL_RUNTIME_RUNNER_LIB_H_

#include <random>
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
// `known`. Names also in `boolean` take no separate value: "--name" alone is
// {name, "true"} ("--name=false" still works). InvalidArgument (a usage
// error) for an unknown flag ("unknown flag --foo"), a flag missing its
// value, or a second positional argument.
absl::StatusOr<SplitArgs> SplitCommandLine(int argc, const char* const* argv,
                                           const std::set<std::string>& known,
                                           const std::set<std::string>& boolean = {});

// A usage error found after the command line was split (e.g. by a command
// that must read the graph first): InvalidArgument carrying a marker that
// IsUsageError detects, so runner_main exits 2 instead of 1.
absl::Status UsageError(absl::string_view message);
bool IsUsageError(const absl::Status& status);

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

// One --input_shape: feed tensor `name` with random values of `shape`.
struct InputShapeSpec {
  std::string name;
  TensorShape shape;  // Fully defined.
};

// Parses --input_shape values. Each value is "NAME=D0,D1,..." or several
// such specs separated by ':' ("x=1,128:h=1,64", benchmark_model's
// separator); values of repeated flags are concatenated. Names may carry an
// output index ("x:0=1,128"): a ':' ends a spec only after its dims. "NAME="
// is a scalar. InvalidArgument for a spec without '=' or name, a dim that is
// not a non-negative integer, an empty dim ("1,,2"), or a tensor given twice.
absl::StatusOr<std::vector<InputShapeSpec>> ParseInputShapeSpecs(
    const std::vector<std::string>& values);

// A tensor of random values for `runner bench`: float/double uniform in
// [-1, 1), int32/int64 uniform in [0, 10), bool fair bits, drawn from `rng`.
// Errors: those of Tensor::Allocate (InvalidArgument for an unsupported
// dtype, ResourceExhausted above `max_bytes`).
absl::StatusOr<Tensor> RandomTensor(DataType dtype, const TensorShape& shape, std::mt19937* rng,
                                    int64_t max_bytes = kDefaultMaxTensorBytes);

// Latency statistics over the timed runs of `runner bench`.
struct LatencyStats {
  int64_t runs = 0;
  double min_ms = 0, median_ms = 0, p90_ms = 0, max_ms = 0, mean_ms = 0;
  double total_ms = 0;         // Sum of all runs.
  double runs_per_second = 0;  // runs / total time; 0 when total is 0.
};

// Median is the mean of the two middle values for an even count; p90 is the
// nearest-rank percentile (the ceil(0.9 * n)-th smallest).
// REQUIRES: !latencies_ms.empty().
LatencyStats ComputeLatencyStats(std::vector<double> latencies_ms);

// The report lines of `runner bench`, ending with the machine-readable line:
//   timed runs: 50 (total 12.3400 ms)
//   min: 0.2100 ms
//   median: 0.2400 ms
//   p90: 0.2900 ms
//   max: 0.4100 ms
//   mean: 0.2468 ms
//   runs/s: 4051.9
//   median_ms=0.2400
std::string FormatLatencyStats(const LatencyStats& stats);

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
