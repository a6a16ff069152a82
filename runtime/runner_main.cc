// runner: run or inspect a rill/TensorFlow GraphDef from the command line.
//
//   runner run --graph=G.pb --input=x=x.npy --output=z [--output_dir=DIR]
//   runner inspect --graph=G.pbtxt [--dot=G.dot]
//
// Exit codes: 0 ok; 1 for an error in the graph, the inputs or the run; 2 for
// a usage error. Every error is one stderr line starting "error: ".
//
// The command line is split and checked by SplitCommandLine before any absl
// parsing, so unknown flags and bad values are usage errors (absl's own
// ParseCommandLine would exit 1) and --help exits 0.
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
#include "runtime/runner_commands.h"
#include "runtime/runner_lib.h"

ABSL_FLAG(std::string, graph, "", "GraphDef file (binary .pb or text .pbtxt). Required.");
ABSL_FLAG(std::string, input, "",
          "run: NAME=FILE.npy feeds tensor NAME from a NumPy file. Repeat the flag or "
          "separate items with commas.");
ABSL_FLAG(std::string, output, "", "run: NAME[,NAME...] tensors to fetch. Required.");
ABSL_FLAG(std::string, output_dir, "",
          "run: also save each output as DIR/<sanitized name>.npy (DIR is created).");
ABSL_FLAG(int32_t, threads, 1, "run: threads for kernels (>= 1).");
ABSL_FLAG(std::string, dot, "", "inspect: also write the graph as Graphviz DOT to this file.");

namespace rill {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitError = 1;
constexpr int kExitUsage = 2;

constexpr char kUsage[] =
    "Runs or inspects a GraphDef.\n"
    "\n"
    "Usage:\n"
    "  runner run --graph=G.pb --output=NAME[,NAME...] [--input=NAME=FILE.npy ...]\n"
    "             [--output_dir=DIR] [--threads=N]\n"
    "  runner inspect --graph=G.pb [--dot=FILE.dot]\n"
    "\n"
    "run prints each output's name, dtype, shape and values; inspect prints the\n"
    "op counts, likely inputs and outputs, constants and control edges.\n"
    "Exit codes: 0 ok, 1 error in the graph/inputs/run, 2 usage error.";

const std::vector<std::string> kRunFlags = {"graph", "input", "output", "output_dir", "threads"};
const std::vector<std::string> kInspectFlags = {"graph", "dot"};

int Fail(int code, absl::string_view message) {
  std::cerr << "error: " << OneLine(message) << std::endl;
  return code;
}

int Usage(absl::string_view message) {
  return Fail(kExitUsage, absl::StrCat(message, " (see runner --help)"));
}

void PrintHelp() {
  std::cout << absl::ProgramUsageMessage() << "\n\nFlags:\n";
  for (const char* name : {"graph", "input", "output", "output_dir", "threads", "dot"}) {
    const absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr) continue;
    std::cout << "  --" << name << ": " << flag->Help();
    if (!flag->DefaultValue().empty()) std::cout << " (default: " << flag->DefaultValue() << ")";
    std::cout << "\n";
  }
}

int Main(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsage);
  const std::set<std::string> known = {"graph", "input", "output", "output_dir", "threads", "dot"};
  absl::StatusOr<SplitArgs> args = SplitCommandLine(argc, argv, known);
  if (!args.ok()) return Usage(args.status().message());
  if (args->help || args->command == "help") {
    PrintHelp();
    return kExitOk;
  }
  if (args->command.empty()) return Usage("missing subcommand: expected 'run' or 'inspect'");
  if (args->command != "run" && args->command != "inspect") {
    return Usage(
        absl::StrCat("unknown subcommand '", args->command, "': expected 'run' or 'inspect'"));
  }
  const std::vector<std::string>& allowed = args->command == "run" ? kRunFlags : kInspectFlags;
  std::vector<std::string> input_values;
  for (const auto& [name, value] : args->flags) {
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      return Usage(absl::StrCat("flag --", name, " is not valid for '", args->command, "'"));
    }
    if (name == "input") {
      input_values.push_back(value);
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
    InspectCommandOptions options{graph, absl::GetFlag(FLAGS_dot)};
    absl::Status s = InspectCommand(options, std::cout);
    return s.ok() ? kExitOk : Fail(kExitError, s.message());
  }

  RunCommandOptions options;
  options.graph = graph;
  options.output_dir = absl::GetFlag(FLAGS_output_dir);
  options.threads = absl::GetFlag(FLAGS_threads);
  if (options.threads < 1) return Usage("--threads must be at least 1");
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
  absl::Status s = RunCommand(options, std::cout);
  return s.ok() ? kExitOk : Fail(kExitError, s.message());
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
