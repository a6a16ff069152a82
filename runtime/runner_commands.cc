#include "runtime/runner_commands.h"

#include <algorithm>
#include <map>
#include <chrono>
#include <memory>
#include <random>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "graph/file_io.h"
#include "graph/graph_def.h"
#include "graph/status_macros.h"
#include "ops/op_registry.h"
#include "runtime/checkpoint.h"
#include "runtime/graph_summary.h"
#include "runtime/npy.h"
#include "runtime/session.h"

namespace rill {
namespace {

using Clock = std::chrono::steady_clock;

absl::StatusOr<std::unique_ptr<Session>> LoadSession(const std::string& graph, int threads,
                                                     int inter_op_threads,
                                                     const std::string& checkpoint) {
  ASSIGN_OR_RETURN(pb::GraphDef def, ReadGraphDefFile(graph));
  SessionOptions session_options;
  session_options.intra_op_threads = threads;
  session_options.inter_op_threads = inter_op_threads;
  ASSIGN_OR_RETURN(std::unique_ptr<Session> session,
                   Session::Create(std::move(def), session_options));
  if (!checkpoint.empty()) RETURN_IF_ERROR(RestoreCheckpoint(*session, checkpoint));
  return session;
}

absl::Status ReadInputs(const std::vector<InputSpec>& inputs, Session::Feeds* feeds) {
  for (const InputSpec& input : inputs) {
    absl::StatusOr<Tensor> t = ReadNpyFile(input.path);
    if (!t.ok()) {
      return absl::Status(t.status().code(),
                          absl::StrCat("input '", input.name, "': ", t.status().message()));
    }
    feeds->emplace_back(input.name, *std::move(t));
  }
  return absl::OkStatus();
}

// Placeholders that `roots` depend on through data and control edges,
// without crossing a tensor in `fed` ("node:k"), in graph order.
std::vector<const Node*> NeededPlaceholders(const Graph& graph,
                                            const std::vector<const Node*>& roots,
                                            const std::set<std::string>& fed) {
  std::vector<char> seen(graph.num_nodes(), 0);
  std::vector<const Node*> stack;
  auto visit = [&](const Node* n) {
    if (!seen[n->id()]) {
      seen[n->id()] = 1;
      stack.push_back(n);
    }
  };
  for (const Node* n : roots) visit(n);
  while (!stack.empty()) {
    const Node* n = stack.back();
    stack.pop_back();
    for (const Output& in : n->inputs()) {
      if (fed.count(in.name()) == 0) visit(in.node);
    }
    for (const Node* c : n->control_inputs()) visit(c);
  }
  std::vector<const Node*> out;
  for (const auto& n : graph.nodes()) {
    if (seen[n->id()] && n->op() == "Placeholder") out.push_back(n.get());
  }
  return out;
}

// "\rrun i/N" on a terminal, at most ten times a second and only once the
// bench has taken half a second; the destructor clears the line.
class ProgressLine {
 public:
  explicit ProgressLine(std::ostream* out) : out_(out), start_(Clock::now()), last_(start_) {}
  ~ProgressLine() {
    if (shown_) *out_ << "\r\033[K" << std::flush;
  }
  void Update(absl::string_view phase, int64_t i, const std::string& of) {
    if (out_ == nullptr) return;
    const Clock::time_point now = Clock::now();
    if (now - start_ < std::chrono::milliseconds(500) ||
        (shown_ && now - last_ < std::chrono::milliseconds(100))) {
      return;
    }
    *out_ << "\r" << phase << " " << i << of << "\033[K" << std::flush;
    shown_ = true;
    last_ = now;
  }

 private:
  std::ostream* out_;
  Clock::time_point start_, last_;
  bool shown_ = false;
};

}  // namespace

absl::Status RunCommand(const RunCommandOptions& options, std::ostream& out) {
  ASSIGN_OR_RETURN(std::unique_ptr<Session> session,
                   LoadSession(options.graph, options.threads, options.inter_op_threads,
                               options.checkpoint));
  Session::Feeds feeds;
  RETURN_IF_ERROR(ReadInputs(options.inputs, &feeds));
  ASSIGN_OR_RETURN(std::vector<Tensor> results, session->Run(feeds, options.outputs));
  if (results.size() != options.outputs.size()) {
    return absl::InternalError(absl::StrCat("Session::Run returned ", results.size(),
                                            " tensors for ", options.outputs.size(), " fetches"));
  }

  if (!options.output_dir.empty()) RETURN_IF_ERROR(CreateDirectories(options.output_dir));
  for (size_t i = 0; i < results.size(); ++i) {
    out << FormatOutputBlock(NormalizeTensorName(options.outputs[i]), results[i]);
    if (!options.output_dir.empty()) {
      RETURN_IF_ERROR(WriteNpyFile(
          absl::StrCat(options.output_dir, "/", OutputFileName(options.outputs[i])), results[i]));
    }
  }
  out.flush();
  return absl::OkStatus();
}

absl::Status BenchCommand(const BenchCommandOptions& options, std::ostream& out,
                          std::ostream* progress) {
  ASSIGN_OR_RETURN(std::unique_ptr<Session> session,
                   LoadSession(options.graph, options.threads, options.inter_op_threads,
                               options.checkpoint));
  const Graph& graph = session->graph();
  std::string header = absl::StrCat("graph: ", options.graph, " (", graph.num_nodes(),
                                    " nodes), threads: ", options.threads,
                                    ", inter-op threads: ", options.inter_op_threads, "\n");
  if (!options.checkpoint.empty())
    absl::StrAppend(&header, "checkpoint: ", options.checkpoint, "\n");

  // Fetches and targets.
  std::vector<std::string> fetches = options.outputs, targets;
  if (fetches.empty()) {
    pb::GraphDef def;
    RETURN_IF_ERROR(ToGraphDef(graph, &def));
    for (const auto& [name, op] : SummarizeGraphDef(def).outputs) {
      const Node* node = graph.FindNode(name);
      if (node != nullptr && node->num_outputs() == 0) {
        targets.push_back(name);
      } else {
        fetches.push_back(NormalizeTensorName(name));
      }
    }
    if (fetches.empty() && targets.empty()) {
      return UsageError("the graph has no likely outputs (see runner inspect); give --output");
    }
  }
  std::vector<const Node*> roots;
  for (const std::string& name : fetches) {
    ASSIGN_OR_RETURN(Output o, graph.FindOutput(name));
    roots.push_back(o.node);
  }
  for (const std::string& name : targets) roots.push_back(graph.FindNode(name));

  // Feeds: files, then --input_shape, then the placeholders still needed.
  Session::Feeds feeds;
  RETURN_IF_ERROR(ReadInputs(options.inputs, &feeds));
  std::set<std::string> fed;
  std::string feed_lines;
  for (size_t i = 0; i < feeds.size(); ++i) {
    fed.insert(NormalizeTensorName(feeds[i].first));
    absl::StrAppend(&feed_lines, "feed ", NormalizeTensorName(feeds[i].first), ": ",
                    DataTypeString(feeds[i].second.dtype()), " ",
                    feeds[i].second.shape().ToString(), " from ", options.inputs[i].path, "\n");
  }
  std::mt19937 rng(options.seed);
  auto add_random = [&](const std::string& name, DataType dtype,
                        const TensorShape& shape) -> absl::Status {
    ASSIGN_OR_RETURN(Tensor t,
                     RandomTensor(BaseType(dtype), shape, &rng, graph.max_tensor_bytes()));
    const std::string normalized = NormalizeTensorName(name);
    absl::StrAppend(&feed_lines, "feed ", normalized, ": ", DataTypeString(t.dtype()), " ",
                    shape.ToString(), " random\n");
    fed.insert(normalized);
    feeds.emplace_back(name, std::move(t));
    return absl::OkStatus();
  };
  for (const InputShapeSpec& spec : options.input_shapes) {
    ASSIGN_OR_RETURN(Output o, graph.FindOutput(spec.name));
    RETURN_IF_ERROR(add_random(spec.name, o.dtype(), spec.shape));
  }
  for (const Node* p : NeededPlaceholders(graph, roots, fed)) {
    if (fed.count(absl::StrCat(p->name(), ":0")) > 0) continue;
    const TensorShape& shape = p->output_shape(0);
    if (!shape.IsFullyDefined()) {
      return UsageError(absl::StrCat("placeholder '", p->name(), "' has shape ", shape.ToString(),
                                     "; give --input_shape=", p->name(),
                                     "=D0,D1,... or --input=", p->name(), "=FILE.npy"));
    }
    RETURN_IF_ERROR(add_random(p->name(), p->output_type(0), shape));
  }

  // Warmup, then timed runs.
  ProgressLine progress_line(progress);
  for (int i = 0; i < options.warmup; ++i) {
    RETURN_IF_ERROR(session->Run(feeds, fetches, targets).status());
    progress_line.Update("warmup", i + 1, absl::StrCat("/", options.warmup));
  }
  const bool timed = options.min_time_s > 0;
  std::vector<double> latencies_ms;
  double measured_s = 0;
  // --show_ops: per op type, steps per run and total microseconds.
  std::map<std::string, std::pair<int64_t, double>> by_op;
  std::vector<StepStats> step_stats;
  while (timed ? measured_s < options.min_time_s &&
                     static_cast<int64_t>(latencies_ms.size()) < kMaxBenchRuns
               : static_cast<int64_t>(latencies_ms.size()) < options.runs) {
    step_stats.clear();
    const Clock::time_point start = Clock::now();
    absl::Status s =
        session->Run(feeds, fetches, targets, options.show_ops ? &step_stats : nullptr).status();
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    RETURN_IF_ERROR(s);
    for (const StepStats& st : step_stats) {
      auto& [count, micros] = by_op[st.op];
      ++count;
      micros += st.micros;
    }
    latencies_ms.push_back(ms);
    measured_s += ms / 1000;
    progress_line.Update("run", static_cast<int64_t>(latencies_ms.size()),
                         timed ? absl::StrFormat(" (%.1f/%.1f s)", measured_s, options.min_time_s)
                               : absl::StrCat("/", options.runs));
  }

  out << header << feed_lines;
  if (!fetches.empty()) {
    std::vector<std::string> names;
    for (const std::string& f : fetches) names.push_back(NormalizeTensorName(f));
    out << "fetch: " << absl::StrJoin(names, ", ") << "\n";
  }
  if (!targets.empty()) out << "target: " << absl::StrJoin(targets, ", ") << "\n";
  const int64_t runs = static_cast<int64_t>(latencies_ms.size());
  if (options.show_ops && runs > 0) {
    double total = 0;
    for (const auto& [op, stats] : by_op) total += stats.second;
    std::vector<std::pair<std::string, std::pair<int64_t, double>>> rows(by_op.begin(),
                                                                         by_op.end());
    std::sort(rows.begin(), rows.end(),
              [](const auto& a, const auto& b) { return a.second.second > b.second.second; });
    out << absl::StrFormat("%-24s %8s %12s %7s\n", "op (per run)", "count", "total ms", "%");
    for (const auto& [op, stats] : rows) {
      out << absl::StrFormat("%-24s %8d %12.4f %6.1f%%\n", op, stats.first / runs,
                             stats.second / 1000.0 / runs,
                             total > 0 ? 100.0 * stats.second / total : 0.0);
    }
  }
  out << "warmup runs: " << options.warmup << "\n"
      << FormatLatencyStats(ComputeLatencyStats(std::move(latencies_ms)));
  out.flush();
  return absl::OkStatus();
}

absl::Status InspectCommand(const InspectCommandOptions& options, std::ostream& out) {
  ASSIGN_OR_RETURN(pb::GraphDef def, ReadGraphDefFile(options.graph));
  absl::StatusOr<std::unique_ptr<Graph>> graph = GraphFromGraphDef(def, &GlobalOpRegistry());
  out << FormatGraphSummary(SummarizeGraphDef(def));
  if (graph.ok()) {
    out << "Runnable by rill: yes\n";
  } else {
    out << "Runnable by rill: no (" << OneLine(graph.status().ToString()) << ")\n";
  }
  out.flush();
  if (!options.dot.empty()) {
    RETURN_IF_ERROR(
        WriteFileAtomically(options.dot, GraphDefToDot(def, graph.ok() ? graph->get() : nullptr)));
  }
  return absl::OkStatus();
}

}  // namespace rill
