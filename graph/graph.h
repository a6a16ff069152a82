// Graph: the static dataflow graph. Overview of rill:
//
//   1. Build: ops builders (ops/*.h) add nodes to a Graph through a Scope.
//      Every AddNode validates attrs and input dtypes against the op's
//      registered OpDef and runs its shape function, so errors surface at
//      the line that built the bad node.
//   2. Save/load: ToGraphDef / ImportGraphDef (graph/graph_def.h) speak
//      TensorFlow's wire format.
//   3. Run: runtime::Session prunes the graph to what the fetches need,
//      plans it once and executes it with CPU kernels.
//
//   Graph g(&GlobalOpRegistry());
//   NodeSpec spec;
//   spec.name = "x";
//   spec.op = "Placeholder";
//   spec.attrs["dtype"] = AttrType(DT_FLOAT);
//   ASSIGN_OR_RETURN(Node* x, g.AddNode(std::move(spec)));
//
// Thread-safety: a Graph is not safe for concurrent mutation; once built, any
// number of threads (and Sessions) may read it concurrently.
#ifndef RILL_GRAPH_GRAPH_H_
#define RILL_GRAPH_GRAPH_H_

#include <map>
#include <optional>
#include <memory>
#include <string>
#include "absl/strings/string_view.h"
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "graph/node.h"
#include "graph/op_def.h"

namespace rill {

// The GraphDef producer version rill writes (TF 1.x wrote 21..134) and the
// oldest it accepts.
constexpr int kGraphDefProducerVersion = 27;
constexpr int kMinGraphDefProducerVersion = 0;
// Const values above this many encoded bytes are kept only as the parsed
// tensor (Node::const_value()); the node's "value" attr then holds just the
// dtype and shape, and ToGraphDef re-encodes the tensor.
constexpr size_t kElideConstBytes = 1024;

// Splits "name:k" into {"name", k} (a view into `name`); "name" means
// output 0. InvalidArgument for a malformed index.
absl::StatusOr<std::pair<absl::string_view, int>> ParseTensorName(absl::string_view name);

// True if `name` matches TensorFlow's node-name rule
// [A-Za-z0-9.][A-Za-z0-9_./-]*.
bool IsValidNodeName(absl::string_view name);

class Graph {
 public:
  // `registry` is not owned and must outlive the Graph.
  explicit Graph(const OpRegistryInterface* registry);
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;
  ~Graph();

  // Validates `spec` against its OpDef and adds it. Errors:
  // InvalidArgument for a bad/duplicate name, bad attrs, wrong input count or
  // dtypes, or a shape-function failure (message names the node, op and input
  // shapes); NotFound for an unregistered op; ResourceExhausted for a Const
  // above the tensor cap. On error the graph is unchanged.
  absl::StatusOr<Node*> AddNode(NodeSpec spec);

  Node* FindNode(absl::string_view name) const;
  // Resolves "node:k" / "node" to an Output. NotFound with TensorFlow's text
  // ("The name 'x:0' refers to a Tensor which does not exist. ...").
  absl::StatusOr<Output> FindOutput(absl::string_view tensor_name) const;

  int num_nodes() const { return static_cast<int>(nodes_.size()); }
  Node* node(int id) const { return nodes_[id].get(); }
  const std::vector<std::unique_ptr<Node>>& nodes() const { return nodes_; }

  const OpRegistryInterface& registry() const { return *registry_; }
  int producer_version() const { return producer_version_; }
  void set_producer_version(int v) { producer_version_ = v; }
  // The graph-level random seed (tf.set_random_seed); unset by default.
  const std::optional<int64_t>& seed() const { return seed_; }
  void set_seed(int64_t seed) { seed_ = seed; }
  int64_t max_tensor_bytes() const { return max_tensor_bytes_; }
  void set_max_tensor_bytes(int64_t v) { max_tensor_bytes_ = v; }

  // Drops the value of a Const node (node->const_value()) to save its
  // memory while something else holds a form of it, from which `restore`
  // makes the same tensor again when the value is read (Node::const_value,
  // Node::SharedConstValue). For the owner of a graph nothing else sees (a
  // Session created from a GraphDef): the value's bytes must be reachable
  // only through the node. Releases nothing and returns false if the node
  // has no value, its value was read through const_value() (a pointer may
  // be held), its buffer is shared with another tensor (releasing would save
  // nothing) or it is already released. Thread-safe against reads of the
  // node's value.
  bool ReleaseConstValue(Node* node, ConstRestorer restore);

  // Derives a form of a Const node's value and releases the value in one
  // step, so the two need not coexist: `derive(value, consume)` reads the
  // value (restored first if released) under the node's lock and returns
  // the restorer for the value. When nothing else holds the value (the
  // conditions of ReleaseConstValue), `consume` is true: derive may free
  // the value's memory as it reads it (graph/consumed_memory.h) and
  // the value is released with the returned restorer; on error derive must
  // not have freed anything (the value stays). FailedPrecondition for a
  // node without a value. For the owner of the graph, as ReleaseConstValue.
  absl::Status DeriveAndReleaseConstValue(Node* node, const ConstDeriver& derive);

  // TensorFlow's Graph.unique_name: returns `name` if unused, else the first
  // free "name_1", "name_2", ... (case-insensitive), and marks it used.
  std::string UniqueName(const std::string& name);
  // Marks `name` used without renaming (imported nodes, name scopes).
  void MarkNameUsed(const std::string& name);

  // Named collections of nodes/tensors by tensor name ("variables",
  // "trainable_variables", ...), in insertion order.
  void AddToCollection(const std::string& key, const std::string& value);
  const std::vector<std::string>& GetCollection(const std::string& key) const;

 private:
  // Fills names_in_use_ with every node's name, once.
  void IndexNames();
  absl::Status ValidateAndFillAttrs(const OpDef& def, NodeSpec* spec) const;
  absl::Status ComputeArgTypes(const OpDef& def, const AttrMap& attrs,
                               const std::vector<ArgDef>& args, const std::string& node,
                               std::vector<DataType>* types) const;

  const OpRegistryInterface* registry_;
  std::vector<std::unique_ptr<Node>> nodes_;
  // Keys view the nodes' names (a Node and its name never move).
  absl::flat_hash_map<absl::string_view, Node*> by_name_;
  // Lowercased names taken (nodes, names UniqueName handed out or
  // MarkNameUsed marked), built on the first call of either: an imported
  // graph that gets no new nodes never needs it.
  absl::flat_hash_map<std::string, int> names_in_use_;
  bool names_indexed_ = false;
  std::map<std::string, std::vector<std::string>> collections_;
  int producer_version_ = kGraphDefProducerVersion;
  int64_t max_tensor_bytes_ = kDefaultMaxTensorBytes;
  std::optional<int64_t> seed_;
};

}  // namespace rill

#endif  // RILL_GRAPH_GRAPH_H_
