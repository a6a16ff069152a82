#include "graph/graph_def.h"

#include <functional>
#include <limits>
#include <optional>
#include <queue>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "graph/file_io.h"
#include "graph/status_macros.h"
#include "graph/tensor_proto.h"

namespace rill {
namespace {

// Protobuf nesting depth allowed on parse (GraphDefs nest only a few levels;
// this stops stack exhaustion from hostile files).
constexpr int kRecursionLimit = 100;

// A node's inputs as indices into the GraphDef: (node, output) pairs and
// control-input nodes.
struct ParsedInputs {
  std::vector<std::pair<int, int>> data;
  std::vector<int> control;
};

absl::Status ParseInputs(const pb::NodeDef& node,
                         const absl::flat_hash_map<absl::string_view, int>& index,
                         ParsedInputs* out) {
  out->data.reserve(node.input_size());
  for (const std::string& in : node.input()) {
    const bool control = absl::StartsWith(in, "^");
    if (!control && !out->control.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Node '", node.name(), "': Control dependencies must come after regular "
          "dependencies; found input '", in, "' after a control input"));
    }
    absl::string_view producer = absl::string_view(in).substr(control ? 1 : 0);
    int output = 0;
    if (!control) {
      absl::StatusOr<std::pair<absl::string_view, int>> parsed = ParseTensorName(in);
      if (!parsed.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("Node '", node.name(), "': ", parsed.status().message()));
      }
      std::tie(producer, output) = *parsed;
    }
    auto it = index.find(producer);
    if (it == index.end()) {
      return absl::InvalidArgumentError(absl::StrCat("Node '", node.name(),
                                                     "': Unknown input node '", producer, "'"));
    }
    if (control) {
      out->control.push_back(it->second);
    } else {
      out->data.emplace_back(it->second, output);
    }
  }
  return absl::OkStatus();
}

bool IsTextPath(const std::string& path) {
  return absl::EndsWith(path, ".pbtxt") || absl::EndsWith(path, ".pbtext") ||
         absl::EndsWith(path, ".txt");
}

// Collects the first text-format error instead of logging to stderr.
class FirstErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (error_.empty()) error_ = absl::StrCat("line ", line + 1, ":", column + 1, ": ", message);
  }
  const std::string& error() const { return error_; }

 private:
  std::string error_;
};

// ImportGraphDef; with `movable_attrs` (the same GraphDef, which the caller
// gives up) attr values are moved into the graph instead of copied: a Const
// weight's bytes are then never duplicated.
absl::Status ImportNodes(const pb::GraphDef& def, pb::GraphDef* movable_attrs, Graph* graph) {
  if (def.has_library() &&
      (def.library().function_size() > 0 || def.library().gradient_size() > 0)) {
    return absl::UnimplementedError(absl::StrCat(
        "GraphDef has a function library (", def.library().function_size(),
        " functions); rill does not support functions"));
  }
  if (def.has_versions()) {
    const auto& v = def.versions();
    if (v.producer() < kMinGraphDefProducerVersion) {
      return absl::InvalidArgumentError(
          absl::StrCat("GraphDef producer version ", v.producer(), " is invalid"));
    }
    if (v.min_consumer() > kGraphDefConsumerVersion) {
      return absl::InvalidArgumentError(absl::StrCat(
          "GraphDef min consumer version ", v.min_consumer(),
          " above current version ", kGraphDefConsumerVersion, " for rill"));
    }
    for (int bad : v.bad_consumers()) {
      if (bad == kGraphDefConsumerVersion) {
        return absl::InvalidArgumentError(absl::StrCat(
            "GraphDef disallows consumer version ", bad, " (rill)"));
      }
    }
    graph->set_producer_version(v.producer());
  } else {
    // No VersionDef: TensorFlow treats the graph as producer 0.
    graph->set_producer_version(0);
  }

  const int n = def.node_size();
  // Keys view the GraphDef's own names: no copies.
  absl::flat_hash_map<absl::string_view, int> index;
  index.reserve(n);
  for (int i = 0; i < n; ++i) {
    const pb::NodeDef& node = def.node(i);
    if (!IsValidNodeName(node.name())) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Node name '", node.name(), "' is invalid: it must match [A-Za-z0-9.][A-Za-z0-9_./-]*"));
    }
    if (!index.emplace(node.name(), i).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("Duplicate node name in graph: '", node.name(), "'"));
    }
  }
  std::vector<ParsedInputs> parsed(n);
  // Kahn's algorithm, iterative (no recursion on hostile depths), always
  // taking the ready node that comes first in the file, so an already sorted
  // GraphDef keeps its exact order. Consumers of node i are
  // consumers[first_consumer[i] .. first_consumer[i + 1]).
  std::vector<int> pending(n, 0);
  std::vector<int> first_consumer(n + 1, 0);
  for (int i = 0; i < n; ++i) {
    RETURN_IF_ERROR(ParseInputs(def.node(i), index, &parsed[i]));
    pending[i] = static_cast<int>(parsed[i].data.size() + parsed[i].control.size());
    for (const auto& [producer, k] : parsed[i].data) ++first_consumer[producer + 1];
    for (int producer : parsed[i].control) ++first_consumer[producer + 1];
  }
  for (int i = 0; i < n; ++i) first_consumer[i + 1] += first_consumer[i];
  std::vector<int> consumers(first_consumer[n]);
  {
    std::vector<int> next(first_consumer.begin(), first_consumer.end() - 1);
    for (int i = 0; i < n; ++i) {
      for (const auto& [producer, k] : parsed[i].data) consumers[next[producer]++] = i;
      for (int producer : parsed[i].control) consumers[next[producer]++] = i;
    }
  }
  std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
  for (int i = 0; i < n; ++i) {
    if (pending[i] == 0) ready.push(i);
  }
  std::vector<Node*> nodes(n, nullptr);
  int added = 0;
  while (!ready.empty()) {
    const int i = ready.top();
    ready.pop();
    const pb::NodeDef& nd = def.node(i);
    NodeSpec spec;
    spec.name = nd.name();
    spec.op = nd.op();
    spec.device = nd.device();
    if (movable_attrs != nullptr) {
      for (auto& [name, value] : *movable_attrs->mutable_node(i)->mutable_attr()) {
        spec.attrs.emplace(name, std::move(value));
      }
    } else {
      spec.attrs = AttrMap(nd.attr().begin(), nd.attr().end());
    }
    spec.inputs.reserve(parsed[i].data.size());
    for (const auto& [producer, k] : parsed[i].data) spec.inputs.emplace_back(nodes[producer], k);
    for (int producer : parsed[i].control) spec.control_inputs.push_back(nodes[producer]);
    ASSIGN_OR_RETURN(nodes[i], graph->AddNode(std::move(spec)));
    ++added;
    for (int c = first_consumer[i]; c < first_consumer[i + 1]; ++c) {
      if (--pending[consumers[c]] == 0) ready.push(consumers[c]);
    }
  }
  if (added != n) {
    std::vector<std::string> stuck;
    for (int i = 0; i < n && stuck.size() < 5; ++i) {
      if (nodes[i] == nullptr) stuck.push_back(absl::StrCat("'", def.node(i).name(), "'"));
    }
    return absl::InvalidArgumentError(absl::StrCat(
        "GraphDef contains a cycle: ", n - added, " nodes are part of or depend on a cycle (",
        absl::StrJoin(stuck, ", "), n - added > 5 ? ", ..." : "", ")"));
  }
  return absl::OkStatus();
}

// A new Graph holding `def` (a const GraphDef, or an rvalue whose attrs are
// moved out).
template <typename GraphDefRef>
absl::StatusOr<std::unique_ptr<Graph>> NewGraphFrom(GraphDefRef&& def,
                                                    const OpRegistryInterface* registry,
                                                    int64_t max_tensor_bytes) {
  auto graph = std::make_unique<Graph>(registry);
  graph->set_max_tensor_bytes(max_tensor_bytes);
  RETURN_IF_ERROR(ImportGraphDef(std::forward<GraphDefRef>(def), graph.get()));
  return graph;
}

}  // namespace

absl::Status ImportGraphDef(const pb::GraphDef& def, Graph* graph) {
  return ImportNodes(def, nullptr, graph);
}

absl::Status ImportGraphDef(pb::GraphDef&& def, Graph* graph) {
  return ImportNodes(def, &def, graph);
}

absl::StatusOr<std::unique_ptr<Graph>> GraphFromGraphDef(const pb::GraphDef& def,
                                                         const OpRegistryInterface* registry,
                                                         int64_t max_tensor_bytes) {
  return NewGraphFrom(def, registry, max_tensor_bytes);
}

absl::StatusOr<std::unique_ptr<Graph>> GraphFromGraphDef(pb::GraphDef&& def,
                                                         const OpRegistryInterface* registry,
                                                         int64_t max_tensor_bytes) {
  return NewGraphFrom(std::move(def), registry, max_tensor_bytes);
}

absl::Status ToGraphDef(const Graph& graph, pb::GraphDef* def) {
  def->Clear();
  for (const auto& node : graph.nodes()) {
    pb::NodeDef* nd = def->add_node();
    nd->set_name(node->name());
    nd->set_op(node->op());
    for (const Output& in : node->inputs()) {
      nd->add_input(in.index == 0 ? in.node->name()
                                  : absl::StrCat(in.node->name(), ":", in.index));
    }
    for (const Node* c : node->control_inputs()) nd->add_input("^" + c->name());
    if (!node->device().empty()) nd->set_device(node->device());
    for (const auto& [name, value] : node->attrs()) (*nd->mutable_attr())[name] = value;
    if (node->const_value_elided()) {
      ASSIGN_OR_RETURN(Tensor value, node->ReadConstValue());
      TensorToProto(value, (*nd->mutable_attr())["value"].mutable_tensor());
    }
  }
  def->mutable_versions()->set_producer(graph.producer_version());
  return absl::OkStatus();
}

absl::StatusOr<pb::GraphDef> ParseGraphDef(const std::string& bytes, bool text) {
  pb::GraphDef def;
  if (text) {
    google::protobuf::TextFormat::Parser parser;
    FirstErrorCollector errors;
    parser.RecordErrorsTo(&errors);
    parser.SetRecursionLimit(kRecursionLimit);
    if (!parser.ParseFromString(bytes, &def)) {
      return absl::DataLossError(absl::StrCat("Cannot parse text GraphDef: ", errors.error()));
    }
    return def;
  }
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return absl::ResourceExhaustedError("Binary GraphDef larger than 2 GiB");
  }
  google::protobuf::io::ArrayInputStream array(bytes.data(), static_cast<int>(bytes.size()));
  google::protobuf::io::CodedInputStream coded(&array);
  coded.SetTotalBytesLimit(std::numeric_limits<int>::max());
  coded.SetRecursionLimit(kRecursionLimit);
  if (!def.ParseFromCodedStream(&coded) || !coded.ConsumedEntireMessage()) {
    return absl::DataLossError("Cannot parse binary GraphDef: malformed protobuf");
  }
  return def;
}

namespace {

// A file as protobuf's input stream, reads through FileReader.
class FileStream : public google::protobuf::io::CopyingInputStream {
 public:
  explicit FileStream(FileReader* file) : file_(file) {}
  int Read(void* buffer, int size) override {
    absl::StatusOr<size_t> n = file_->Read(static_cast<char*>(buffer), static_cast<size_t>(size));
    if (!n.ok()) {
      status_ = n.status();
      return -1;
    }
    return static_cast<int>(*n);
  }
  const absl::Status& status() const { return status_; }

 private:
  FileReader* file_;
  absl::Status status_;
};

// A binary GraphDef parsed as the file is read: its bytes are never held
// whole besides the message (a graph of 25 MB of weights took 50 MB at
// once). The same limits and errors as ParseGraphDef.
absl::StatusOr<pb::GraphDef> ParseBinaryGraphDefFile(FileReader& file) {
  if (file.size() > std::numeric_limits<int>::max()) {
    return absl::ResourceExhaustedError("Binary GraphDef larger than 2 GiB");
  }
  FileStream stream(&file);
  google::protobuf::io::CopyingInputStreamAdaptor adaptor(&stream, 1 << 16);
  google::protobuf::io::CodedInputStream coded(&adaptor);
  coded.SetTotalBytesLimit(std::numeric_limits<int>::max());
  coded.SetRecursionLimit(kRecursionLimit);
  pb::GraphDef def;
  if (!def.ParseFromCodedStream(&coded) || !coded.ConsumedEntireMessage()) {
    RETURN_IF_ERROR(stream.status());
    return absl::DataLossError("Cannot parse binary GraphDef: malformed protobuf");
  }
  RETURN_IF_ERROR(stream.status());
  return def;
}

}  // namespace

absl::StatusOr<pb::GraphDef> ReadGraphDefFile(const std::string& path, GraphFormat format) {
  const bool text_first = format == GraphFormat::kText ||
                          (format == GraphFormat::kAuto && IsTextPath(path));
  absl::StatusOr<pb::GraphDef> def;
  std::optional<std::string> bytes;
  if (text_first) {
    ASSIGN_OR_RETURN(bytes, ReadFileToString(path));
    def = ParseGraphDef(*bytes, /*text=*/true);
  } else {
    ASSIGN_OR_RETURN(FileReader file, FileReader::Open(path));
    // A regular file is parsed as it is read (and read again for the text
    // fallback); a pipe or device, which cannot be read twice, as a whole.
    if (file.size() > 0) {
      def = ParseBinaryGraphDefFile(file);
    } else {
      ASSIGN_OR_RETURN(bytes, file.ReadRest(kDefaultMaxFileBytes));
      def = ParseGraphDef(*bytes, /*text=*/false);
    }
    if (!def.ok() && format == GraphFormat::kAuto) {
      if (!bytes.has_value()) {
        ASSIGN_OR_RETURN(bytes, ReadFileToString(path));
      }
      absl::StatusOr<pb::GraphDef> as_text = ParseGraphDef(*bytes, /*text=*/true);
      if (as_text.ok()) return as_text;
    }
  }
  if (!def.ok()) {
    return absl::DataLossError(absl::StrCat("Failed to read GraphDef from '", path,
                                            "': ", def.status().message()));
  }
  return def;
}

absl::Status WriteGraphDefFile(const std::string& path, const pb::GraphDef& def,
                               GraphFormat format) {
  const bool text = format == GraphFormat::kText ||
                    (format == GraphFormat::kAuto && IsTextPath(path));
  std::string bytes;
  if (text) {
    if (!google::protobuf::TextFormat::PrintToString(def, &bytes)) {
      return absl::InternalError("Cannot print GraphDef as text");
    }
  } else if (!def.SerializeToString(&bytes)) {
    return absl::InternalError("Cannot serialize GraphDef (larger than 2 GiB?)");
  }
  return WriteFileAtomically(path, bytes);
}

}  // namespace rill
