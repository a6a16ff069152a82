// runner: run, benchmark or inspect a rill/TensorFlow GraphDef from the
// command line.
//
//   runner run --graph=G.pb --input=x=x.npy --output=z [--output_dir=DIR]
//   runner run --graph=G.pbtxt --checkpoint=G.ckpt --output=z   (non-frozen)
//   runner bench --graph=G.pb --input_shape=x=1,128 [--runs=N | --min_time=S]
//   runner inspect --graph=G.pbtxt [--dot=G.dot]
//
// Exit codes: 0 ok; 1 for an error in the graph, the inputs or the run; 2 for
// a usage error. Every error is one stderr line starting "error: ".
//
// The command line is split and checked by SplitCommandLine before any absl
// parsing, so unknown flags and bad values are usage errors (absl's own
// ParseCommandLine would exit 1) and --help exits 0.
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "runtime/huge_page_heap.h"
#include "runtime/runner_commands.h"
#include "runtime/runner_lib.h"

ABSL_FLAG(std::string, graph, "", "GraphDef file (binary .pb or text .pbtxt). Required.");
ABSL_FLAG(std::string, input, "",
          "run, bench: NAME=FILE.npy feeds tensor NAME from a NumPy file. Repeat the flag or "
          "separate items with commas.");
ABSL_FLAG(std::string, input_shape, "",
          "bench: NAME=D0,D1,... feeds tensor NAME with random values of that shape (float "
          "uniform in [-1,1), ints in [0,10), random bools; fixed seed). Repeat the flag or "
          "separate specs with ':' (commas are part of a shape): --input_shape=x=1,128:h=1,64. "
          "Placeholders with a fully known shape need no flag.");
ABSL_FLAG(std::string, output, "",
          "run, bench: NAME[,NAME...] tensors to fetch. Required for run; bench defaults to "
          "the graph's likely outputs (as runner inspect lists them).");
ABSL_FLAG(std::string, output_dir, "",
          "run: also save each output as DIR/<sanitized name>.npy (DIR is created).");
ABSL_FLAG(std::string, checkpoint, "",
          "run, bench: restore variables from this rill checkpoint before running, so a "
          "non-frozen graph runs without its init op.");
ABSL_FLAG(int32_t, threads, 1, "run, bench: threads inside each kernel (>= 1).");
ABSL_FLAG(int32_t, inter_op_threads, 1,
          "run, bench: threads running independent graph steps at once (>= 1).");
ABSL_FLAG(int32_t, warmup, 2, "bench: untimed runs before timing (>= 0).");
ABSL_FLAG(int32_t, runs, 50, "bench: timed runs (>= 1). Not with --min_time.");
ABSL_FLAG(double, min_time, 0,
          "bench: instead of --runs, repeat timed runs until their total time reaches this "
          "many seconds (> 0; at most 1000000 runs).");
ABSL_FLAG(bool, show_ops, false,
          "bench: per-op-type time table of the last run (fused steps by their kernel's "
          "name).");
ABSL_FLAG(std::string, dot, "", "inspect: also write the graph as Graphviz DOT to this file.");

namespace rill {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitError = 1;
constexpr int kExitUsage = 2;

constexpr char kUsage[] =
    "Runs, benchmarks or inspects a GraphDef.\n"
    "\n"
    "Usage:\n"
    "  runner run --graph=G.pb --output=NAME[,NAME...] [--input=NAME=FILE.npy ...]\n"
    "             [--output_dir=DIR] [--checkpoint=FILE] [--threads=N] [--inter_op_threads=N]\n"
    "  runner bench --graph=G.pb [--input_shape=NAME=D0,D1,...[:NAME=...]]\n"
    "             [--input=NAME=FILE.npy ...] [--output=NAME[,NAME...]] [--checkpoint=FILE]\n"
    "             [--warmup=N] [--runs=N | --min_time=SECONDS] [--threads=N]\n"
    "             [--inter_op_threads=N] [--show_ops]\n"
    "  runner inspect --graph=G.pb [--dot=FILE.dot]\n"
    "\n"
    "run prints each output's name, dtype, shape and values. bench times\n"
    "Session::Run like TensorFlow's benchmark_model and prints min, median, p90\n"
    "and max milliseconds per run and runs per second; its last line is\n"
    "median_ms=<number>. inspect prints the op counts, likely inputs and outputs,\n"
    "constants and control edges.\n"
    "Exit codes: 0 ok, 1 error in the graph/inputs/run, 2 usage error.";

const std::vector<std::string> kRunFlags = {"graph",      "input",      "output",  "output_dir",
                                            "checkpoint", "threads",    "inter_op_threads"};
const std::vector<std::string> kBenchFlags = {
    "graph",   "input",            "input_shape", "output", "checkpoint", "threads",
    "inter_op_threads", "warmup",  "runs",        "min_time", "show_ops"};
const std::vector<std::string> kInspectFlags = {"graph", "dot"};
const std::vector<std::string> kAllFlags = {
    "graph",   "input",            "input_shape", "output", "output_dir", "checkpoint",
    "threads", "inter_op_threads", "warmup",      "runs",   "min_time",   "show_ops", "dot"};

int Fail(int code, absl::string_view message) {
  std::cerr << "error: " << OneLine(message) << std::endl;
  return code;
}

int Usage(absl::string_view message) {
  return Fail(kExitUsage, absl::StrCat(message, " (see runner --help)"));
}

void PrintHelp() {
  std::cout << absl::ProgramUsageMessage() << "\n\nFlags:\n";
  for (const std::string& name : kAllFlags) {
    const absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr) continue;
    std::cout << "  --" << name << ": " << flag->Help();
    if (!flag->DefaultValue().empty()) std::cout << " (default: " << flag->DefaultValue() << ")";
    std::cout << "\n";
  }
}

// Exit code and stderr line for a command's result.
int Finish(const absl::Status& s) {
  if (s.ok()) return kExitOk;
  return IsUsageError(s) ? Usage(s.message()) : Fail(kExitError, s.message());
}

int RunMain(const std::string& graph, const std::vector<std::string>& input_values) {
  RunCommandOptions options;
  options.graph = graph;
  options.output_dir = absl::GetFlag(FLAGS_output_dir);
  options.checkpoint = absl::GetFlag(FLAGS_checkpoint);
  options.threads = absl::GetFlag(FLAGS_threads);
  options.inter_op_threads = absl::GetFlag(FLAGS_inter_op_threads);
  if (options.threads < 1) return Usage("--threads must be at least 1");
  if (options.inter_op_threads < 1) return Usage("--inter_op_threads must be at least 1");
  absl::StatusOr<std::vector<InputSpec>> inputs = ParseInputSpecs(input_values);
  if (!inputs.ok()) return Usage(inputs.status().message());
  options.inputs = *std::move(inputs);
  if (absl::GetFlag(FLAGS_output).empty()) return Usage("missing --output");
  absl::StatusOr<std::vector<std::string>> outputs = ParseOutputList(absl::GetFlag(FLAGS_output));
  if (!outputs.ok()) return Usage(outputs.status().message());
  options.outputs = *std::move(outputs);
  if (!options.output_dir.empty()) {
    absl::Status names = CheckOutputFileNames(options.outputs);
    if (!names.ok()) return Usage(names.message());
  }
  return Finish(RunCommand(options, std::cout));
}

int BenchMain(const std::string& graph, const std::vector<std::string>& input_values,
              const std::vector<std::string>& shape_values, const std::set<std::string>& given) {
  BenchCommandOptions options;
  options.graph = graph;
  options.checkpoint = absl::GetFlag(FLAGS_checkpoint);
  options.threads = absl::GetFlag(FLAGS_threads);
  options.warmup = absl::GetFlag(FLAGS_warmup);
  options.runs = absl::GetFlag(FLAGS_runs);
  options.min_time_s = absl::GetFlag(FLAGS_min_time);
  options.show_ops = absl::GetFlag(FLAGS_show_ops);
  options.inter_op_threads = absl::GetFlag(FLAGS_inter_op_threads);
  if (options.threads < 1) return Usage("--threads must be at least 1");
  if (options.inter_op_threads < 1) return Usage("--inter_op_threads must be at least 1");
  if (options.warmup < 0) return Usage("--warmup must be at least 0");
  if (given.count("runs") > 0 && given.count("min_time") > 0) {
    return Usage("give either --runs or --min_time, not both");
  }
  if (options.runs < 1) return Usage("--runs must be at least 1");
  if (given.count("min_time") > 0 && !(options.min_time_s > 0 && options.min_time_s <= 24 * 3600)) {
    return Usage("--min_time must be more than 0 and at most 86400 seconds");
  }
  absl::StatusOr<std::vector<InputSpec>> inputs = ParseInputSpecs(input_values);
  if (!inputs.ok()) return Usage(inputs.status().message());
  options.inputs = *std::move(inputs);
  absl::StatusOr<std::vector<InputShapeSpec>> shapes = ParseInputShapeSpecs(shape_values);
  if (!shapes.ok()) return Usage(shapes.status().message());
  options.input_shapes = *std::move(shapes);
  for (const InputShapeSpec& shape : options.input_shapes) {
    for (const InputSpec& input : options.inputs) {
      if (NormalizeTensorName(shape.name) == NormalizeTensorName(input.name)) {
        return Usage(absl::StrCat("tensor '", NormalizeTensorName(input.name),
                                  "' is given by both --input and --input_shape"));
      }
    }
  }
  if (given.count("output") > 0) {
    absl::StatusOr<std::vector<std::string>> outputs = ParseOutputList(absl::GetFlag(FLAGS_output));
    if (!outputs.ok()) return Usage(outputs.status().message());
    options.outputs = *std::move(outputs);
  }
  std::ostream* progress = isatty(STDERR_FILENO) ? &std::cerr : nullptr;
  return Finish(BenchCommand(options, std::cout, progress));
}

int Main(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsage);
  const std::set<std::string> known(kAllFlags.begin(), kAllFlags.end());
  absl::StatusOr<SplitArgs> args = SplitCommandLine(argc, argv, known, {"show_ops"});
  if (!args.ok()) return Usage(args.status().message());
  if (args->help || args->command == "help") {
    PrintHelp();
    return kExitOk;
  }
  constexpr char kExpected[] = "expected 'run', 'bench' or 'inspect'";
  if (args->command.empty()) return Usage(absl::StrCat("missing subcommand: ", kExpected));
  const std::vector<std::string>* allowed = nullptr;
  if (args->command == "run") allowed = &kRunFlags;
  if (args->command == "bench") allowed = &kBenchFlags;
  if (args->command == "inspect") allowed = &kInspectFlags;
  if (allowed == nullptr) {
    return Usage(absl::StrCat("unknown subcommand '", args->command, "': ", kExpected));
  }
  std::vector<std::string> input_values, shape_values;
  std::set<std::string> given;
  for (const auto& [name, value] : args->flags) {
    if (std::find(allowed->begin(), allowed->end(), name) == allowed->end()) {
      return Usage(absl::StrCat("flag --", name, " is not valid for '", args->command, "'"));
    }
    given.insert(name);
    if (name == "input" || name == "input_shape") {
      (name == "input" ? input_values : shape_values).push_back(value);
      continue;
    }
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    std::string error;
    if (flag == nullptr || !flag->ParseFrom(value, &error)) {
      return Usage(absl::StrCat("invalid value '", value, "' for --", name, ": ", error));
    }
  }
  const std::string graph = absl::GetFlag(FLAGS_graph);
  if (graph.empty()) return Usage("missing --graph");

  if (args->command == "inspect") {
    return Finish(InspectCommand({graph, absl::GetFlag(FLAGS_dot)}, std::cout));
  }
  if (args->command == "bench") return BenchMain(graph, input_values, shape_values, given);
  // A one-shot run: about half of its time as a process went to first
  // touches of fresh memory (runtime/huge_page_heap.h). No threads yet.
  UseHugePagesForHeap();
  return RunMain(graph, input_values);
}

}  // namespace
}  // namespace rill

int main(int argc, char** argv) {
  // Nothing in rill throws; this only keeps a dependency's exception (e.g.
  // std::bad_alloc) from aborting without the one-line error.
  try {
    return rill::Main(argc, argv);
  } catch (const std::exception& e) {
    return rill::Fail(rill::kExitError, absl::StrCat("internal error: ", e.what()));
  } catch (...) {
    return rill::Fail(rill::kExitError, "internal error: unknown exception");
  }
}
