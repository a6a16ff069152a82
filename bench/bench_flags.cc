#include "bench/bench_flags.h"

#include <cstdio>
#include <cstdlib>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "bench/gru_graphs.h"
#include "graph/file_io.h"
#include "graph/status_macros.h"

namespace rill {
namespace bench {

BenchFlags& GetBenchFlags() {
  static BenchFlags* flags = new BenchFlags();
  return *flags;
}

bool ParseBenchFlags(int* argc, char** argv) {
  BenchFlags& f = GetBenchFlags();
  f.argv0 = argv[0];
  const std::vector<std::pair<std::string, std::string*>> string_flags = {
      {"--export_dir=", &f.export_dir},
      {"--export_cases=", &f.export_cases},
      {"--save_runner_case=", &f.save_runner_case},
      {"--save_dir=", &f.save_dir},
      {"--runner=", &f.runner},
      {"--work_dir=", &f.work_dir}};
  int out = 1;
  for (int i = 1; i < *argc; ++i) {
    const std::string arg = argv[i];
    bool ours = false;
    if (arg == "--peer_format") {
      f.peer_format = ours = true;
    } else if (absl::StartsWith(arg, "--save_threads=")) {
      f.save_threads = std::atoi(arg.c_str() + 15);
      if (f.save_threads < 1) return false;
      ours = true;
    }
    for (const auto& [prefix, value] : string_flags) {
      if (absl::StartsWith(arg, prefix)) {
        *value = arg.substr(prefix.size());
        ours = true;
      }
    }
    if (!ours) argv[out++] = argv[i];
  }
  *argc = out;
  argv[out] = nullptr;
  return true;
}

absl::Status RunExportMode(const BenchFlags& flags) {
  const std::vector<std::string> cases = absl::StrSplit(flags.export_cases, ',', absl::SkipEmpty());
  for (const std::string& text : cases) {
    ASSIGN_OR_RETURN(GruCase c, ParseGruCase(text));
    for (int steps : {1, kSeqSteps}) {
      ASSIGN_OR_RETURN(GruGraph g, BuildFrozenGruGraph(c, steps));
      const std::string prefix = absl::StrCat(c.Name(), "_T", steps, "_");
      RETURN_IF_ERROR(ExportGruCase(g, flags.export_dir, prefix));
      for (int threads : {1, 2}) {
        ASSIGN_OR_RETURN(double diff, CheckGruNumerics(c, steps, threads));
        std::printf("rill_selfcheck case=%s T=%d threads=%d max_abs_diff=%.3g\n", c.Name().c_str(),
                    steps, threads, diff);
      }
      std::printf("exported %s/%s*.npy\n", flags.export_dir.c_str(), prefix.c_str());
    }
  }
  return absl::OkStatus();
}

absl::Status RunSaveMode(const BenchFlags& flags) {
  ASSIGN_OR_RETURN(GruCase c, ParseGruCase(flags.save_runner_case));
  if (flags.save_dir.empty()) return absl::InvalidArgumentError("--save_dir is required");
  ASSIGN_OR_RETURN(GruGraph g, BuildFrozenGruGraph(c, kSeqSteps));
  ASSIGN_OR_RETURN(
      std::vector<std::string> args,
      SaveForRunner(g, MakeGruInputs(c, kSeqSteps), flags.save_dir, flags.save_threads));
  const std::string path = flags.save_dir + "/runner_args.txt";
  std::string text;
  for (const std::string& a : args) absl::StrAppend(&text, a, "\n");
  RETURN_IF_ERROR(WriteFileAtomically(path, text));
  std::printf("saved %s (weights %.1f MB); runner args in %s\n", c.Name().c_str(),
              c.WeightBytes() / 1e6, path.c_str());
  return absl::OkStatus();
}

}  // namespace bench
}  // namespace rill
