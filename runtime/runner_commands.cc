#include "runtime/runner_commands.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "graph/file_io.h"
#include "graph/graph_def.h"
#include "graph/status_macros.h"
#include "ops/op_registry.h"
#include "runtime/graph_summary.h"
#include "runtime/npy.h"
#include "runtime/session.h"

namespace rill {

absl::Status RunCommand(const RunCommandOptions& options, std::ostream& out) {
  ASSIGN_OR_RETURN(pb::GraphDef def, ReadGraphDefFile(options.graph));
  SessionOptions session_options;
  session_options.intra_op_threads = options.threads;
  ASSIGN_OR_RETURN(std::unique_ptr<Session> session, Session::Create(def, session_options));

  Session::Feeds feeds;
  for (const InputSpec& input : options.inputs) {
    absl::StatusOr<Tensor> t = ReadNpyFile(input.path, session_options.max_tensor_bytes);
    if (!t.ok()) {
      return absl::Status(t.status().code(),
                          absl::StrCat("input '", input.name, "': ", t.status().message()));
    }
    feeds.emplace_back(input.name, *std::move(t));
  }
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
