// Layer: TensorFlow 1.x's tf.layers.Layer in C++ — variables created in the
// layer's own variable scope, built on the first call, shared by later
// calls, with losses, updates and a record of every call ("inbound nodes").
//
//   ASSIGN_OR_RETURN(auto cell, GRUCell::Create(root, 4));
//   ASSIGN_OR_RETURN(auto out, (*cell)(root, x, {h}));    // builds, then calls
//   cell->trainable_variables();                          // 4 variables
//
// Python's exceptions become absl::Status codes (README "API"):
//   AttributeError (not connected / ill-defined input, output, shapes),
//   ValueError from count_params() before build, RuntimeError (get_*_at
//   before any call)                     -> FailedPrecondition
//   ValueError index out of range         -> OutOfRange
//   ValueError / TypeError on arguments   -> InvalidArgument
// rill has no eager mode, so "RuntimeError if called in Eager mode" never
// happens.
//
// Inbound nodes (SPEC A.2): every call is recorded. input()/output() need
// exactly one call; input_shape()/output_shape() need all calls to agree.
//
// Not thread-safe: build graphs from one thread.
#ifndef RILL_CELLS_LAYER_H_
#define RILL_CELLS_LAYER_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "graph/scope.h"
#include "graph/variable_scope.h"

namespace rill {

struct LayerOptions {
  bool trainable = true;
  std::string name;  // Default: the snake-case class name, uniquified per graph.
  std::optional<DataType> dtype;
  Regularizer activity_regularizer;
  Reuse reuse = Reuse::kNone;
};

struct AddVariableOptions {
  std::optional<DataType> dtype;  // Default: the layer's dtype, else float.
  Initializer initializer;
  Regularizer regularizer;
  bool trainable = true;
};

class Layer {
 public:
  virtual ~Layer();
  Layer& operator=(const Layer&) = delete;

  // --- Properties (the reference page's, in its order) ---
  const Regularizer& activity_regularizer() const { return activity_regularizer_; }
  // Unset until the first call, then the inputs' dtype.
  std::optional<DataType> dtype() const { return dtype_; }
  Graph* graph() const { return scope_for_graph_.graph(); }
  // The inputs of the only call. FailedPrecondition "Layer X is not connected,
  // no input to return." / "... has multiple inbound nodes ...".
  absl::StatusOr<std::vector<Output>> input() const;
  absl::StatusOr<std::vector<TensorShape>> input_shape() const;
  std::vector<Output> losses() const { return losses_; }
  const std::string& name() const { return name_; }
  std::vector<Variable*> non_trainable_variables() const { return non_trainable_weights(); }
  virtual std::vector<Variable*> non_trainable_weights() const;
  absl::StatusOr<std::vector<Output>> output() const;
  absl::StatusOr<std::vector<TensorShape>> output_shape() const;
  // The variable scope's name. FailedPrecondition before the first use.
  absl::StatusOr<std::string> scope_name() const;
  std::vector<Variable*> trainable_variables() const { return trainable_weights(); }
  virtual std::vector<Variable*> trainable_weights() const;
  std::vector<Node*> updates() const { return updates_; }
  std::vector<Variable*> variables() const { return weights(); }
  // trainable_weights() then non_trainable_weights().
  std::vector<Variable*> weights() const;
  bool built() const { return built_; }
  bool trainable() const { return trainable_; }

  // --- Methods ---
  // __call__: sets the scope on first use, builds on first call (from the
  // inputs' shapes), runs Call() in the layer's name scope, applies the
  // activity regularizer, records the call. `args` are extra tensors passed
  // to Call but not recorded as inputs (an RNN cell's state). `scope_name`
  // overrides the variable scope name on first use.
  absl::StatusOr<std::vector<Output>> operator()(
      const Scope& scope, const std::vector<Output>& inputs,
      const std::vector<Output>& args = {},
      const std::optional<std::string>& scope_name = std::nullopt);
  // apply(): the same as operator().
  absl::StatusOr<std::vector<Output>> Apply(const Scope& scope, const std::vector<Output>& inputs,
                                            const std::vector<Output>& args = {});
  // __deepcopy__: a copy sharing the graph and tensors, with its own
  // copies of everything else (weights lists, losses, call records).
  virtual std::unique_ptr<Layer> DeepCopy() const = 0;

  // Losses, optionally tied to the inputs of a call (nullopt = unconditional).
  // Also added to the graph's "regularization_losses" collection.
  void AddLoss(const std::vector<Output>& losses,
               const std::optional<std::vector<Output>>& inputs = std::nullopt);
  void AddUpdate(const std::vector<Node*>& updates,
                 const std::optional<std::vector<Output>>& inputs = std::nullopt);
  // Gets or creates `name` in the layer's variable scope; regularizes and
  // records it only when newly created.
  absl::StatusOr<Variable*> AddVariable(const std::string& name, const TensorShape& shape,
                                        const AddVariableOptions& options = {});
  // Total number of scalars in weights(). FailedPrecondition before build.
  absl::StatusOr<int64_t> CountParams() const;

  // Call records, by index. FailedPrecondition before any call; OutOfRange
  // "Asked to get input at node 1, but the layer has only 1 inbound nodes."
  absl::StatusOr<std::vector<Output>> GetInputAt(int node_index) const;
  absl::StatusOr<std::vector<TensorShape>> GetInputShapeAt(int node_index) const;
  absl::StatusOr<std::vector<Output>> GetOutputAt(int node_index) const;
  absl::StatusOr<std::vector<TensorShape>> GetOutputShapeAt(int node_index) const;
  std::vector<Output> GetLossesFor(const std::optional<std::vector<Output>>& inputs) const;
  std::vector<Node*> GetUpdatesFor(const std::optional<std::vector<Output>>& inputs) const;

 protected:
  // `scope` gives the graph; `class_name` is the C++/TF class ("GRUCell").
  Layer(const Scope& scope, const std::string& class_name, LayerOptions options);
  Layer(const Layer&) = default;

  // build(input_shape): creates the variables. Default: nothing.
  virtual absl::Status Build(const std::vector<TensorShape>& input_shapes);
  // call(inputs, ...): emits the layer's ops under `scope`. Default: identity.
  virtual absl::StatusOr<std::vector<Output>> Call(const Scope& scope,
                                                   const std::vector<Output>& inputs,
                                                   const std::vector<Output>& args);
  // Checks the inputs before build and call (InvalidArgument). Default: ok.
  virtual absl::Status CheckInputs(const std::vector<Output>& inputs,
                                   const std::vector<Output>& args) const;

  const std::string& base_name() const { return base_name_; }

 private:
  struct InboundNode {
    std::vector<Output> inputs, outputs;
    std::vector<TensorShape> input_shapes, output_shapes;
  };
  template <typename T>
  absl::StatusOr<T> AttributeAt(int node_index, const char* what,
                                T InboundNode::*field) const;
  void SetScope(const Scope& scope, const std::optional<std::string>& scope_name);
  // A scope in the layer's variable scope (re-entered without a new name
  // scope) and original name scope.
  Scope EnterLayerScope(const Scope& scope, Reuse reuse) const;
  static std::string InputsKey(const std::optional<std::vector<Output>>& inputs);

  Scope scope_for_graph_;
  std::string name_, base_name_;
  bool trainable_;
  std::optional<DataType> dtype_;
  Regularizer activity_regularizer_;
  Reuse reuse_;
  bool built_ = false;
  std::optional<VariableScope> scope_;
  std::vector<Variable*> trainable_weights_, non_trainable_weights_;
  std::vector<Output> losses_;
  std::vector<Node*> updates_;
  std::map<std::string, std::vector<Output>> losses_by_inputs_;
  std::map<std::string, std::vector<Node*>> updates_by_inputs_;
  std::vector<InboundNode> inbound_nodes_;
};

// "GRUCell" -> "gru_cell", as TF's to_snake_case.
std::string ToSnakeCase(const std::string& class_name);

}  // namespace rill

#endif  // RILL_CELLS_LAYER_H_
