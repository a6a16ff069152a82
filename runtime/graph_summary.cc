#include "runtime/graph_summary.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "graph/tensor_shape.h"
#include "graph/types.h"

namespace rill {
namespace {

struct InputRef {
  std::string node;
  int index = 0;
  bool control = false;
};

// "^n" (control), "n:k", "n". A malformed index keeps the whole text as the
// node name, so the reference is reported as dangling rather than guessed.
InputRef ParseInputRef(const std::string& input) {
  InputRef ref;
  if (!input.empty() && input[0] == '^') {
    ref.control = true;
    ref.node = input.substr(1);
    return ref;
  }
  ref.node = input;
  const size_t colon = input.rfind(':');
  if (colon == std::string::npos || colon + 1 == input.size() || input.size() - colon > 10) {
    return ref;
  }
  int index = 0;
  for (size_t i = colon + 1; i < input.size(); ++i) {
    if (!absl::ascii_isdigit(input[i])) return ref;
    index = index * 10 + (input[i] - '0');
  }
  ref.node = input.substr(0, colon);
  ref.index = index;
  return ref;
}

const pb::AttrValue* FindAttr(const pb::NodeDef& node, const std::string& name) {
  auto it = node.attr().find(name);
  return it == node.attr().end() ? nullptr : &it->second;
}

std::string ShapeText(const pb::AttrValue* attr) {
  if (attr == nullptr || attr->value_case() != pb::AttrValue::kShape) return "<unknown>";
  absl::StatusOr<TensorShape> shape = TensorShape::FromProto(attr->shape());
  return shape.ok() ? shape->ToString() : "<invalid>";
}

// Elements of a shape proto; -1 when unknown, negative or overflowing.
int64_t NumElements(const pb::TensorShapeProto& proto) {
  if (proto.unknown_rank()) return -1;
  int64_t n = 1;
  for (const auto& d : proto.dim()) {
    if (d.size() < 0) return -1;
    if (d.size() == 0) return 0;
  }
  for (const auto& d : proto.dim()) {
    if (n > std::numeric_limits<int64_t>::max() / d.size()) return -1;
    n *= d.size();
  }
  return n;
}

GraphSummary::TensorInfo Describe(const pb::NodeDef& node) {
  GraphSummary::TensorInfo info;
  info.name = node.name();
  const pb::AttrValue* dtype = FindAttr(node, "dtype");
  info.dtype = dtype != nullptr && dtype->value_case() == pb::AttrValue::kType
                   ? DataTypeString(dtype->type())
                   : "?";
  info.shape = ShapeText(FindAttr(node, "shape"));
  return info;
}

std::string JoinInfos(const std::vector<GraphSummary::TensorInfo>& infos) {
  return absl::StrJoin(infos, ", ", [](std::string* out, const GraphSummary::TensorInfo& t) {
    absl::StrAppend(out, t.name, " (", t.dtype, ", ", t.shape, ")");
  });
}

std::string DotQuote(absl::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n' || c == '\r') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

}  // namespace

GraphSummary SummarizeGraphDef(const pb::GraphDef& def) {
  GraphSummary s;
  s.num_nodes = def.node_size();
  std::map<std::string, int> counts;
  std::set<std::string> names, consumed;
  for (const pb::NodeDef& node : def.node()) names.insert(node.name());
  for (const pb::NodeDef& node : def.node()) {
    ++counts[node.op()];
    for (const std::string& input : node.input()) {
      InputRef ref = ParseInputRef(input);
      if (ref.control) ++s.control_edges;
      consumed.insert(ref.node);
      if (names.count(ref.node) == 0) {
        s.dangling_inputs.push_back(
            absl::StrCat("input '", input, "' of node '", node.name(), "'"));
      }
    }
    if (node.op() == "Placeholder") s.inputs.push_back(Describe(node));
    if (node.op() == "VariableV2" || node.op() == "Variable") {
      s.variables.push_back(Describe(node));
      const pb::AttrValue* shape = FindAttr(node, "shape");
      if (shape != nullptr && shape->value_case() == pb::AttrValue::kShape) {
        const int64_t n = NumElements(shape->shape());
        if (n > 0) s.variable_elements += n;
      }
    }
    if (node.op() == "Const") {
      const pb::AttrValue* value = FindAttr(node, "value");
      if (value != nullptr && value->value_case() == pb::AttrValue::kTensor) {
        const int64_t n = NumElements(value->tensor().tensor_shape());
        if (n > 0) {
          s.const_elements += n;
          s.const_bytes += n * DataTypeSize(value->tensor().dtype());
        }
      }
    }
  }
  for (const pb::NodeDef& node : def.node()) {
    static const std::set<std::string> kNotOutputs = {"Const", "Assign", "NoOp", "Placeholder"};
    if (consumed.count(node.name()) == 0 && kNotOutputs.count(node.op()) == 0) {
      s.outputs.emplace_back(node.name(), node.op());
    }
  }
  s.op_counts.assign(counts.begin(), counts.end());
  std::stable_sort(s.op_counts.begin(), s.op_counts.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return s;
}

std::string FormatGraphSummary(const GraphSummary& s) {
  std::string out = absl::StrCat("Nodes: ", s.num_nodes, "\n");
  absl::StrAppend(&out, "Op types used: ",
                  absl::StrJoin(s.op_counts, ", ",
                                [](std::string* o, const std::pair<std::string, int>& p) {
                                  absl::StrAppend(o, p.second, " ", p.first);
                                }),
                  "\n");
  if (s.inputs.empty()) {
    out += "No inputs spotted.\n";
  } else {
    absl::StrAppend(&out, "Found ", s.inputs.size(), " possible inputs: ", JoinInfos(s.inputs),
                    "\n");
  }
  if (s.variables.empty()) {
    out += "No variables spotted.\n";
  } else {
    absl::StrAppend(&out, "Found ", s.variables.size(), " variables: ", JoinInfos(s.variables),
                    "\n");
  }
  if (s.outputs.empty()) {
    out += "No outputs spotted.\n";
  } else {
    absl::StrAppend(&out, "Found ", s.outputs.size(), " possible outputs: ",
                    absl::StrJoin(s.outputs, ", ",
                                  [](std::string* o, const auto& p) {
                                    absl::StrAppend(o, p.first, " (", p.second, ")");
                                  }),
                    "\n");
  }
  absl::StrAppend(&out, "Const parameters: ", s.const_elements, " elements, ", s.const_bytes,
                  " bytes\n");
  if (!s.variables.empty()) {
    absl::StrAppend(&out, "Variable parameters: ", s.variable_elements, " elements\n");
  }
  absl::StrAppend(&out, "Control edges: ", s.control_edges, "\n");
  if (!s.dangling_inputs.empty()) {
    absl::StrAppend(
        &out, "Invalid inputs (nonexistent nodes): ", absl::StrJoin(s.dangling_inputs, ", "), "\n");
  }
  return out;
}

std::string GraphDefToDot(const pb::GraphDef& def, const Graph* graph) {
  std::string out = "digraph graph_def {\n  node [shape=box];\n";
  for (const pb::NodeDef& node : def.node()) {
    absl::StrAppend(&out, "  ", DotQuote(node.name()),
                    " [label=", DotQuote(absl::StrCat(node.name(), "\n", node.op())), "];\n");
  }
  for (const pb::NodeDef& node : def.node()) {
    for (const std::string& input : node.input()) {
      InputRef ref = ParseInputRef(input);
      absl::StrAppend(&out, "  ", DotQuote(ref.node), " -> ", DotQuote(node.name()));
      if (ref.control) {
        out += " [style=dashed];\n";
        continue;
      }
      const Node* src = graph != nullptr ? graph->FindNode(ref.node) : nullptr;
      if (src != nullptr && ref.index < src->num_outputs()) {
        std::string label = src->output_shape(ref.index).ToString();
        if (ref.index > 0) label = absl::StrCat(":", ref.index, " ", label);
        absl::StrAppend(&out, " [label=", DotQuote(label), "]");
      }
      out += ";\n";
    }
  }
  return out + "}\n";
}

}  // namespace rill
