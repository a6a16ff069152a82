// Fuzzes GraphDef import: the bytes are parsed as a binary and as a text
// GraphDef (protobuf recursion and size limits), then imported (validation and
// shape inference of every node, Const decoding under a 1 MiB tensor cap),
// summarized and rendered as DOT like `runner inspect`, exported, and
// imported again. Invariants: nothing crashes, and a graph that imported once
// imports again from its own export with the same nodes and shapes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "fuzz/fuzz_util.h"
#include "graph/graph_def.h"
#include "ops/op_registry.h"
#include "runtime/graph_summary.h"

namespace rill {
namespace fuzz {
namespace {

void CheckRoundTrip(const Graph& graph) {
  pb::GraphDef exported;
  const absl::Status exported_ok = ToGraphDef(graph, &exported);
  if (!exported_ok.ok()) Fail(absl::StrCat("export failed: ", exported_ok.ToString()));
  absl::StatusOr<std::unique_ptr<Graph>> again =
      GraphFromGraphDef(exported, &GlobalOpRegistry(), kMaxTensorBytes);
  if (!again.ok()) Fail(absl::StrCat("re-import of an exported graph failed: ", again.status().ToString()));
  if ((*again)->num_nodes() != graph.num_nodes()) Fail("re-import changed the node count");
  for (int i = 0; i < graph.num_nodes(); ++i) {
    const Node* a = graph.node(i);
    const Node* b = (*again)->FindNode(a->name());
    if (b == nullptr || b->num_outputs() != a->num_outputs()) {
      Fail(absl::StrCat("re-import lost node '", a->name(), "'"));
    }
    for (int k = 0; k < a->num_outputs(); ++k) {
      if (a->output_shape(k) != b->output_shape(k)) {
        Fail(absl::StrCat("re-import changed the shape of '", a->name(), ":", k, "' from ",
                          a->output_shape(k).ToString(), " to ", b->output_shape(k).ToString()));
      }
    }
  }
}

void ImportOne(const pb::GraphDef& def) {
  if (def.node_size() > kMaxNodes) return;
  (void)FormatGraphSummary(SummarizeGraphDef(def));
  absl::StatusOr<std::unique_ptr<Graph>> graph =
      GraphFromGraphDef(def, &GlobalOpRegistry(), kMaxTensorBytes);
  (void)GraphDefToDot(def, graph.ok() ? graph->get() : nullptr);
  if (graph.ok()) CheckRoundTrip(**graph);
}

}  // namespace
}  // namespace fuzz
}  // namespace rill

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  for (bool text : {false, true}) {
    absl::StatusOr<rill::pb::GraphDef> def = rill::ParseGraphDef(bytes, text);
    if (def.ok()) rill::fuzz::ImportOne(*def);
  }
  return 0;
}
