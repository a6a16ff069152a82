// Graph inspection for `runner inspect`: a text summary in the spirit of
// TensorFlow's summarize_graph tool, and a Graphviz DOT rendering.
//
// Both work from the GraphDef alone, so they describe graphs rill cannot
// import (unknown ops, dangling inputs) as well. When an imported Graph is
// available it adds inferred shapes (DOT edge labels).
//
//   ASSIGN_OR_RETURN(pb::GraphDef def, ReadGraphDefFile(path));
//   GraphSummary s = SummarizeGraphDef(def);
//   std::cout << FormatGraphSummary(s);
//
// All functions are pure and thread-safe.
#ifndef RILL_RUNTIME_GRAPH_SUMMARY_H_
#define RILL_RUNTIME_GRAPH_SUMMARY_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "graph/graph.h"
#include "proto/graph.pb.h"

namespace rill {

struct GraphSummary {
  struct TensorInfo {  // A Placeholder or variable: name, dtype and shape.
    std::string name;
    std::string dtype;  // "float"; "?" when the attr is missing
    std::string shape;  // "[?,3]"; "<unknown>" when the attr is missing
  };
  int num_nodes = 0;
  // {op type, node count}, by descending count, then by op name.
  std::vector<std::pair<std::string, int>> op_counts;
  std::vector<TensorInfo> inputs;     // Placeholder nodes, in GraphDef order.
  std::vector<TensorInfo> variables;  // Variable/VariableV2 nodes.
  // Nodes no other node consumes (by data or control input), excluding
  // Const, Assign, NoOp and Placeholder: {name, op}.
  std::vector<std::pair<std::string, std::string>> outputs;
  int64_t const_elements = 0;     // Total elements of all Const values.
  int64_t const_bytes = 0;        // Their bytes (by dtype size).
  int64_t variable_elements = 0;  // Total elements of fully known variable shapes.
  int control_edges = 0;          // Inputs of the form "^node".
  // Inputs naming nodes the GraphDef does not contain: "input 'q' of node 'z'".
  std::vector<std::string> dangling_inputs;
};

GraphSummary SummarizeGraphDef(const pb::GraphDef& def);

// Multi-line text, for example:
//   Nodes: 3
//   Op types used: 2 Placeholder, 1 AddV2
//   Found 2 possible inputs: x (float, [?,3]), y (float, [3])
//   No variables spotted.
//   Found 1 possible outputs: z (AddV2)
//   Const parameters: 0 elements, 0 bytes
//   Control edges: 0
std::string FormatGraphSummary(const GraphSummary& summary);

// A Graphviz digraph: one box per node labelled "name\nOp", a solid edge per
// data input and a dashed edge per control input. When `graph` (the import
// of `def`, may be null) knows a node, data edges are labelled with the
// shape of the tensor they carry ("[?,3]", prefixed ":k " for output k > 0).
std::string GraphDefToDot(const pb::GraphDef& def, const Graph* graph);

}  // namespace rill

#endif  // RILL_RUNTIME_GRAPH_SUMMARY_H_
