#include "runtime/freeze.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "graph/graph_def.h"
#include "graph/status_macros.h"
#include "graph/tensor_proto.h"
#include "runtime/variable_storage.h"

namespace rill {
namespace {

// "^name", "name:k" -> "name".
std::string NodeNameOf(const std::string& input) {
  std::string name = input[0] == '^' ? input.substr(1) : input;
  const size_t colon = name.rfind(':');
  return colon == std::string::npos ? name : name.substr(0, colon);
}

}  // namespace

absl::StatusOr<FrozenGraph> FreezeGraph(const Session& session,
                                        const std::vector<std::string>& output_names) {
  pb::GraphDef full;
  RETURN_IF_ERROR(ToGraphDef(session.graph(), &full));
  absl::flat_hash_map<std::string, int> index;
  for (int i = 0; i < full.node_size(); ++i) index[full.node(i).name()] = i;

  // extract_sub_graph: walk inputs back from the outputs (explicit stack).
  std::vector<char> keep(full.node_size(), 0);
  std::vector<int> stack;
  for (const std::string& out : output_names) {
    auto it = index.find(NodeNameOf(out));
    if (it == index.end()) {
      return absl::NotFoundError(absl::StrCat("'", NodeNameOf(out), "' is not in graph"));
    }
    if (!keep[it->second]) {
      keep[it->second] = 1;
      stack.push_back(it->second);
    }
  }
  while (!stack.empty()) {
    const pb::NodeDef& n = full.node(stack.back());
    stack.pop_back();
    for (const std::string& in : n.input()) {
      const int producer = index.at(NodeNameOf(in));
      if (!keep[producer]) {
        keep[producer] = 1;
        stack.push_back(producer);
      }
    }
  }

  FrozenGraph frozen;
  *frozen.graph_def.mutable_versions() = full.versions();
  for (int i = 0; i < full.node_size(); ++i) {
    if (!keep[i]) continue;
    const pb::NodeDef& n = full.node(i);
    pb::NodeDef* copy = frozen.graph_def.add_node();
    if (n.op() != "VariableV2") {
      *copy = n;
      continue;
    }
    ASSIGN_OR_RETURN(Tensor value, session.variables().Read(n.name()));
    copy->set_name(n.name());
    copy->set_op("Const");
    (*copy->mutable_attr())["dtype"] = n.attr().at("dtype");
    TensorToProto(value, (*copy->mutable_attr())["value"].mutable_tensor());
    ++frozen.converted_variables;
  }
  return frozen;
}

}  // namespace rill
