// PeerLineReporter: a Google Benchmark reporter that shows the usual console
// table (on the stream given) and, at Finalize, prints one line per case in
// the format of the peer programs in shared/peers/ to stdout, e.g.
//
//   peer=rill threads=1 case=b32_i256_h256 step_us=301.2 seq_T100_ms=30.9 (cont.)
//       step_gflops=83.5 seq_gflops=81.4
//   peer=rill threads=1 case=chain1000 us=95.1 ns_per_node=95.1
//
// With --benchmark_repetitions > 1 it uses the median aggregate of each
// benchmark; otherwise the single run. Errors print "# rill error <name>: ...".
#ifndef RILL_BENCH_PEER_REPORTER_H_
#define RILL_BENCH_PEER_REPORTER_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "benchmark/benchmark.h"

namespace rill {
namespace bench {

class PeerLineReporter : public benchmark::ConsoleReporter {
 public:
  PeerLineReporter() : benchmark::ConsoleReporter(OO_None) {}

  void ReportRuns(const std::vector<Run>& reports) override;
  void Finalize() override;

 private:
  struct Result {
    std::string function;           // "BM_GruStep"
    std::vector<std::string> args;  // {"32", "256", "256", "1"}
    double seconds = 0;             // Per iteration (median when repeated).
    std::map<std::string, double> counters;
  };
  std::vector<Result> results_;
  std::vector<std::string> errors_;
};

}  // namespace bench
}  // namespace rill

#endif  // RILL_BENCH_PEER_REPORTER_H_
