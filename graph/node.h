// Node and Output: the vertices and edges of a Graph.
//
// A Node is created by Graph::AddNode (never directly) and owned by its Graph;
// Node* stays valid for the Graph's lifetime. An Output names one output of a
// node, {node, index}, and is what op builders pass around ("MatMul:0").
#ifndef RILL_GRAPH_NODE_H_
#define RILL_GRAPH_NODE_H_

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

#include "graph/attr_value.h"
#include "graph/op_def.h"
#include "graph/tensor.h"
#include "graph/tensor_shape.h"
#include "graph/types.h"

namespace rill {

class Node;

struct Output {
  Node* node = nullptr;
  int index = 0;

  Output() = default;
  Output(Node* n, int i = 0) : node(n), index(i) {}  // NOLINT: implicit like TF.

  bool valid() const { return node != nullptr; }
  // "name:index" (TensorFlow's tensor name; always with the index).
  std::string name() const;
  DataType dtype() const;
  const TensorShape& shape() const;
  bool operator==(const Output& o) const { return node == o.node && index == o.index; }
};

// Makes a released Const value again from a form a kernel derived from it
// (Graph::ReleaseConstValue).
using ConstRestorer = std::function<absl::StatusOr<Tensor>()>;
// Derives a form of a Const value and returns its restorer; `consume`: the
// value may be freed as it is read (Graph::DeriveAndReleaseConstValue).
using ConstDeriver =
    std::function<absl::StatusOr<ConstRestorer>(const Tensor& value, bool consume)>;

// What is needed to add a node to a Graph.
struct NodeSpec {
  std::string name;
  std::string op;
  std::vector<Output> inputs;
  std::vector<Node*> control_inputs;
  AttrMap attrs;
  std::string device;
};

class Node {
 public:
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  int id() const { return id_; }
  const std::string& name() const { return name_; }
  const std::string& op() const { return op_def_->name; }
  const OpDef& op_def() const { return *op_def_; }
  const std::string& device() const { return device_; }
  const AttrMap& attrs() const { return attrs_; }

  int num_inputs() const { return static_cast<int>(inputs_.size()); }
  const std::vector<Output>& inputs() const { return inputs_; }
  const Output& input(int i) const { return inputs_[i]; }
  // The dtype input i must have (ref-ness included), from the OpDef.
  DataType input_type(int i) const { return input_types_[i]; }
  const std::vector<Node*>& control_inputs() const { return control_inputs_; }

  int num_outputs() const { return static_cast<int>(output_types_.size()); }
  DataType output_type(int i) const { return output_types_[i]; }
  const TensorShape& output_shape(int i) const { return output_shapes_[i]; }

  // Nodes using this node's outputs as data ({consumer, input slot}) and as
  // control inputs.
  const std::vector<std::pair<Node*, int>>& data_consumers() const { return data_consumers_; }
  const std::vector<Node*>& control_consumers() const { return control_consumers_; }

  // The value of output 0 when it is known at build time (Const, and small
  // shape computations folded for shape inference); else null. A value the
  // owner released (Graph::ReleaseConstValue) is restored first, and a value
  // read here is never released afterwards, so the pointer stays valid for
  // the Graph's lifetime. Null also if a released value cannot be restored
  // (out of memory; SharedConstValue() says so).
  const Tensor* const_value() const;
  // Whether the node has such a value (released or not). Restores nothing.
  bool has_const_value() const { return has_const_value_; }
  // The value as a tensor sharing its buffer, restored first if released
  // (and kept: it goes again only when a kernel derives a form from it
  // anew, Graph::DeriveAndReleaseConstValue). Unlike const_value(), this
  // does not pin the value. FailedPrecondition for a node without a value;
  // the restorer's error (ResourceExhausted) if it cannot be restored.
  absl::StatusOr<Tensor> SharedConstValue() const;
  // The value for a caller that only reads it once (export, folding): a
  // released value is made for the caller alone and stays released. Errors
  // as SharedConstValue.
  absl::StatusOr<Tensor> ReadConstValue() const;
  // Whether the value is released now (for tests and memory accounting).
  bool const_value_released() const;
  // True when the "value" attr of a large Const was reduced to its dtype and
  // shape: read the value from const_value() (graph/graph.h kElideConstBytes).
  bool const_value_elided() const { return const_value_elided_; }
  // True when the shape function read input values or saw partial input
  // shapes: the runtime must re-run it with the real inputs.
  bool needs_runtime_shapes() const { return needs_runtime_shapes_; }

 private:
  friend class Graph;
  Node() = default;

  int id_ = -1;
  std::string name_;
  const OpDef* op_def_ = nullptr;
  std::string device_;
  AttrMap attrs_;
  std::vector<Output> inputs_;
  std::vector<DataType> input_types_;
  std::vector<Node*> control_inputs_;
  std::vector<DataType> output_types_;
  std::vector<TensorShape> output_shapes_;
  std::vector<std::pair<Node*, int>> data_consumers_;
  std::vector<Node*> control_consumers_;
  // The released value made again, checked against the node's dtype and
  // shape. REQUIRES: released.
  absl::StatusOr<Tensor> RestoredLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(value_mu_);
  // Restores the value if released (OK if it was not).
  absl::Status RestoreLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(value_mu_);

  // The value and its release state. Graph::AddNode sets const_value_
  // before the node is shared, and reads of it within AddNode need no lock:
  // only a Session that owns its graph releases values, and such a graph
  // gets no new nodes.
  mutable absl::Mutex value_mu_;
  mutable std::optional<Tensor> const_value_ ABSL_GUARDED_BY(value_mu_);
  mutable ConstRestorer restorer_ ABSL_GUARDED_BY(value_mu_);  // Set while released.
  mutable bool value_pinned_ ABSL_GUARDED_BY(value_mu_) = false;
  bool has_const_value_ = false;
  bool const_value_elided_ = false;
  bool needs_runtime_shapes_ = false;
};

}  // namespace rill

#endif  // RILL_GRAPH_NODE_H_
