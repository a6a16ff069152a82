// GraphDef import and export, wire-compatible with TensorFlow 1.x.
//
// Import accepts what TensorFlow writes: nodes in any order, "n" / "n:k" /
// "^n" inputs, attrs starting with '_' and device strings (kept, ignored),
// both Add and AddV2. It validates everything before adding a node: unknown
// ops, inputs naming missing nodes or outputs, duplicate names, cycles,
// wrong or missing attrs, dtype mismatches, bad Const contents, shapes.
#ifndef RILL_GRAPH_GRAPH_DEF_H_
#define RILL_GRAPH_GRAPH_DEF_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "graph/graph.h"
#include "proto/graph.pb.h"

namespace rill {

// The newest GraphDef consumer version rill understands (TF 1.15's producer).
constexpr int kGraphDefConsumerVersion = 134;

// Adds every node of `def` to the empty graph `graph`. Errors:
// InvalidArgument naming the node (bad input reference, duplicate, cycle,
// attrs, shapes), NotFound for an unregistered op, Unimplemented for a
// non-empty function library. On error `graph` may hold a prefix of the nodes
// and should be discarded.
absl::Status ImportGraphDef(const pb::GraphDef& def, Graph* graph);
// The same, moving the attr values out of `def` (left valid but unspecified)
// instead of copying them: a large Const's bytes are not duplicated.
absl::Status ImportGraphDef(pb::GraphDef&& def, Graph* graph);

// A new Graph over `registry` holding `def` (moved from, as above, when it is
// an rvalue).
absl::StatusOr<std::unique_ptr<Graph>> GraphFromGraphDef(const pb::GraphDef& def,
                                                         const OpRegistryInterface* registry,
                                                         int64_t max_tensor_bytes =
                                                             kDefaultMaxTensorBytes);
absl::StatusOr<std::unique_ptr<Graph>> GraphFromGraphDef(pb::GraphDef&& def,
                                                         const OpRegistryInterface* registry,
                                                         int64_t max_tensor_bytes =
                                                             kDefaultMaxTensorBytes);

// Writes `graph` as a GraphDef: nodes in creation order, every attr
// (defaults included), versions { producer }.
// Values a Session released (Graph::ReleaseConstValue) are made for the
// export without being kept; the error (ResourceExhausted) if one cannot
// be, with `def` incomplete. Other graphs never fail.
absl::Status ToGraphDef(const Graph& graph, pb::GraphDef* def);

enum class GraphFormat { kAuto, kBinary, kText };

// Reads a GraphDef file. kAuto: ".pbtxt"/".pbtext"/".txt" are text, anything
// else is tried as binary and then as text. Errors: NotFound (missing file),
// DataLoss naming the file for bytes that parse as neither.
absl::StatusOr<pb::GraphDef> ReadGraphDefFile(const std::string& path,
                                              GraphFormat format = GraphFormat::kAuto);
// Writes atomically; kAuto picks text for ".pbtxt"/".pbtext"/".txt".
absl::Status WriteGraphDefFile(const std::string& path, const pb::GraphDef& def,
                               GraphFormat format = GraphFormat::kAuto);

// Parses bytes (binary, or text when `text`), with protobuf's recursion and
// size limits set. DataLoss on failure.
absl::StatusOr<pb::GraphDef> ParseGraphDef(const std::string& bytes, bool text);

}  // namespace rill

#endif  // RILL_GRAPH_GRAPH_DEF_H_
