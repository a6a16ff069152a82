#include "bench/peer_reporter.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace rill {
namespace bench {
namespace {

double CounterOr(const std::map<std::string, double>& counters, const std::string& name,
                 double fallback) {
  auto it = counters.find(name);
  return it == counters.end() ? fallback : it->second;
}

}  // namespace

void PeerLineReporter::ReportRuns(const std::vector<Run>& reports) {
  benchmark::ConsoleReporter::ReportRuns(reports);
  for (const Run& run : reports) {
    if (run.error_occurred) {
      errors_.push_back(absl::StrCat(run.benchmark_name(), ": ", run.error_message));
      continue;
    }
    const bool repeated = run.repetitions > 1;
    if (repeated && (run.run_type != Run::RT_Aggregate || run.aggregate_name != "median")) {
      continue;
    }
    if (!repeated && run.run_type != Run::RT_Iteration) continue;
    Result r;
    r.function = run.run_name.function_name;
    if (!run.run_name.args.empty()) r.args = absl::StrSplit(run.run_name.args, '/');
    r.seconds = run.GetAdjustedRealTime() / benchmark::GetTimeUnitMultiplier(run.time_unit);
    for (const auto& [name, counter] : run.counters) r.counters[name] = counter.value;
    results_.push_back(std::move(r));
  }
}

void PeerLineReporter::Finalize() {
  benchmark::ConsoleReporter::Finalize();
  // GRU step and sequence results of one (threads, case) share a line.
  struct GruLine {
    std::string threads, name;
    double flops = 0, step_s = -1, seq_s = -1;
  };
  std::vector<GruLine> gru;
  std::vector<std::string> other;
  for (const Result& r : results_) {
    const bool is_step = r.function == "BM_GruStep", is_seq = r.function == "BM_GruSeq100";
    if ((is_step || is_seq) && r.args.size() == 4) {
      const std::string name = absl::StrCat("b", r.args[0], "_i", r.args[1], "_h", r.args[2]);
      GruLine* line = nullptr;
      for (GruLine& l : gru) {
        if (l.threads == r.args[3] && l.name == name) line = &l;
      }
      if (line == nullptr) {
        gru.push_back({r.args[3], name});
        line = &gru.back();
        line->flops = 6.0 * std::stod(r.args[0]) * (std::stod(r.args[1]) + std::stod(r.args[2])) *
                      std::stod(r.args[2]);
      }
      (is_step ? line->step_s : line->seq_s) = r.seconds;
    } else if (r.function == "BM_ExecutorChain1000" || r.function == "BM_SessionRunFixedCost") {
      const double nodes = r.function == "BM_ExecutorChain1000" ? 1000 : 1;
      other.push_back(
          absl::StrFormat("peer=rill threads=1 case=%s us=%.3f ns_per_node=%.1f",
                          r.function == "BM_ExecutorChain1000" ? "chain1000" : "run_fixed_cost",
                          r.seconds * 1e6, r.seconds * 1e9 / nodes));
    } else if (r.function == "BM_ImportGraphDef10k") {
      other.push_back(absl::StrFormat(
          "peer=rill threads=1 case=import10k ms=%.3f nodes=%.0f ns_per_node=%.1f", r.seconds * 1e3,
          CounterOr(r.counters, "nodes", 0), CounterOr(r.counters, "per_node", 0) * 1e9));
    } else if ((r.function == "BM_SessionCreateFirstRun" || r.function == "BM_RunnerColdStart") &&
               r.args.size() == 3) {
      const bool runner = r.function == "BM_RunnerColdStart";
      std::string line = absl::StrFormat("peer=rill threads=1 case=%s_b%s_i%s_h%s_T100 ms=%.3f",
                                         runner ? "runner_cold" : "inproc_cold", r.args[0],
                                         r.args[1], r.args[2], r.seconds * 1e3);
      if (runner) {
        absl::StrAppendFormat(&line, " peak_rss_mb=%.1f", CounterOr(r.counters, "peak_rss_MB", 0));
      }
      other.push_back(line);
    }
  }
  for (const GruLine& l : gru) {
    std::string line = absl::StrCat("peer=rill threads=", l.threads, " case=", l.name);
    if (l.step_s >= 0) absl::StrAppendFormat(&line, " step_us=%.2f", l.step_s * 1e6);
    if (l.seq_s >= 0) absl::StrAppendFormat(&line, " seq_T100_ms=%.3f", l.seq_s * 1e3);
    if (l.step_s > 0) absl::StrAppendFormat(&line, " step_gflops=%.1f", l.flops / l.step_s * 1e-9);
    if (l.seq_s > 0) {
      absl::StrAppendFormat(&line, " seq_gflops=%.1f", l.flops * 100 / l.seq_s * 1e-9);
    }
    std::printf("%s\n", line.c_str());
  }
  for (const std::string& line : other) std::printf("%s\n", line.c_str());
  for (const std::string& e : errors_) std::printf("# rill error %s\n", e.c_str());
  std::fflush(stdout);
}

}  // namespace bench
}  // namespace rill
