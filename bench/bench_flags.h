// The command-line flags of rill_bench that are not Google Benchmark's, and
// the two modes that replace the benchmark run (see bench/rill_bench.cc).
#ifndef RILL_BENCH_BENCH_FLAGS_H_
#define RILL_BENCH_BENCH_FLAGS_H_

#include <string>

#include "absl/status/status.h"

namespace rill {
namespace bench {

inline constexpr int kSeqSteps = 100;

struct BenchFlags {
  bool peer_format = false;                           // --peer_format
  std::string export_dir;                             // --export_dir=DIR
  std::string export_cases = "1x128x128,32x256x256";  // --export_cases=BxIxH,...
  std::string save_runner_case;                       // --save_runner_case=BxIxH
  std::string save_dir;                               // --save_dir=DIR
  int save_threads = 1;                               // --save_threads=N
  std::string runner;                                 // --runner=PATH
  std::string work_dir;                               // --work_dir=DIR
  std::string argv0;
};

// The process-wide flags (filled by ParseBenchFlags).
BenchFlags& GetBenchFlags();

// Moves our flags out of argv (the rest is left for benchmark::Initialize).
// Returns false for a malformed value.
bool ParseBenchFlags(int* argc, char** argv);

// --export_dir: for each of export_cases and T in {1, 100}, ExportGruCase
// into export_dir with prefix "<case>_T<steps>_", and print rill's own check
// against ReferenceGru ("rill_selfcheck case=... max_abs_diff=...") for 1
// and 2 threads. Errors: a bad case or any build/run/write error.
absl::Status RunExportMode(const BenchFlags& flags);

// --save_runner_case: SaveForRunner of the T=100 graph into save_dir, plus
// save_dir/runner_args.txt (one argument a line).
absl::Status RunSaveMode(const BenchFlags& flags);

}  // namespace bench
}  // namespace rill

#endif  // RILL_BENCH_BENCH_FLAGS_H_
