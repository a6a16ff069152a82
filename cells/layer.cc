#include "cells/layer.h"

#include <algorithm>
#include <cctype>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "graph/status_macros.h"
#include "ops/variables.h"

namespace rill {
namespace {

std::vector<TensorShape> ShapesOf(const std::vector<Output>& ts) {
  std::vector<TensorShape> shapes;
  for (const Output& t : ts) shapes.push_back(t.shape());
  return shapes;
}

// TF's _add_elements_to_collection: adds `name` unless already present.
void AddToCollectionOnce(Graph* graph, const std::string& key, const std::string& name) {
  const std::vector<std::string>& current = graph->GetCollection(key);
  if (std::find(current.begin(), current.end(), name) == current.end()) {
    graph->AddToCollection(key, name);
  }
}

}  // namespace

std::string ToSnakeCase(const std::string& class_name) {
  std::string out;
  for (size_t i = 0; i < class_name.size(); ++i) {
    const char c = class_name[i];
    if (std::isupper(static_cast<unsigned char>(c))) {
      const bool prev_lower = i > 0 && std::islower(static_cast<unsigned char>(class_name[i - 1]));
      const bool next_lower = i + 1 < class_name.size() &&
                              std::islower(static_cast<unsigned char>(class_name[i + 1]));
      if (i > 0 && (prev_lower || (next_lower && std::isupper(static_cast<unsigned char>(
                                                     class_name[i - 1]))))) {
        out += '_';
      }
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      out += c;
    }
  }
  return out;
}

Layer::Layer(const Scope& scope, const std::string& class_name, LayerOptions options)
    : scope_for_graph_(scope),
      trainable_(options.trainable),
      dtype_(options.dtype),
      activity_regularizer_(std::move(options.activity_regularizer)),
      reuse_(options.reuse) {
  if (options.name.empty()) {
    base_name_ = ToSnakeCase(class_name);
    name_ = scope.variable_store().UniqueLayerName(base_name_);
  } else {
    base_name_ = name_ = options.name;
  }
}

Layer::~Layer() = default;

std::vector<Variable*> Layer::trainable_weights() const {
  return trainable_ ? trainable_weights_ : std::vector<Variable*>();
}

std::vector<Variable*> Layer::non_trainable_weights() const {
  if (trainable_) return non_trainable_weights_;
  std::vector<Variable*> all = trainable_weights_;
  all.insert(all.end(), non_trainable_weights_.begin(), non_trainable_weights_.end());
  return all;
}

std::vector<Variable*> Layer::weights() const {
  std::vector<Variable*> all = trainable_weights();
  std::vector<Variable*> rest = non_trainable_weights();
  all.insert(all.end(), rest.begin(), rest.end());
  return all;
}

absl::StatusOr<std::string> Layer::scope_name() const {
  if (!scope_) {
    return absl::FailedPreconditionError(absl::StrCat(
        "No name available for layer scope because the layer \"", name_,
        "\" has not been used yet. The scope name  is determined the first time the layer "
        "instance is called. You must therefore call the layer before querying `scope_name`."));
  }
  return scope_->name;
}

void Layer::SetScope(const Scope& scope, const std::optional<std::string>& scope_name) {
  if (scope_) return;
  Scope entered = reuse_ != Reuse::kNone
                      ? scope.WithVariableScope(scope_name.value_or(base_name_))
                      : (scope_name ? scope.WithVariableScope(*scope_name)
                                    : scope.WithDefaultVariableScope(base_name_));
  scope_ = entered.variable_scope();
}

Scope Layer::EnterLayerScope(const Scope& scope, Reuse reuse) const {
  VariableScopeOptions o;
  o.reuse = reuse;
  o.auxiliary_name_scope = false;
  Scope s = scope.WithVariableScope(*scope_, o);
  const std::string& ns = scope_->original_name_scope;
  return s.NewSubScope(ns.empty() ? "/" : ns);
}

absl::Status Layer::Build(const std::vector<TensorShape>&) { return absl::OkStatus(); }

absl::StatusOr<std::vector<Output>> Layer::Call(const Scope&, const std::vector<Output>& inputs,
                                                const std::vector<Output>&) {
  return inputs;
}

absl::Status Layer::CheckInputs(const std::vector<Output>&, const std::vector<Output>&) const {
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Output>> Layer::operator()(
    const Scope& scope, const std::vector<Output>& inputs, const std::vector<Output>& args,
    const std::optional<std::string>& scope_name) {
  RETURN_IF_ERROR(scope.status());
  for (const std::vector<Output>* list : {&inputs, &args}) {
    for (const Output& t : *list) {
      if (!t.valid()) return absl::InvalidArgumentError("Layer " + name_ + " got an invalid Output");
      if (scope.graph()->FindNode(t.node->name()) != t.node || scope.graph() != graph()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "Input graph and Layer graph are not the same: ", t.name(),
            " is not from the graph of layer ", name_));
      }
    }
  }
  SetScope(scope, scope_name);
  RETURN_IF_ERROR(scope.status());
  RETURN_IF_ERROR(CheckInputs(inputs, args));
  // As TF, pick the variable scope before building: only calls after the
  // first force reuse (variables created inside Call on the first call, as
  // MultiRNNCell's sub-cells do, must not see reuse=True).
  const bool was_built = built_;
  if (!built_) {
    // TF takes the dtype from the inputs only when none was given.
    if (!dtype_ && !inputs.empty()) dtype_ = BaseType(inputs[0].dtype());
    RETURN_IF_ERROR(Build(ShapesOf(inputs)));
    built_ = true;
  }
  Scope call_scope = EnterLayerScope(scope, was_built ? Reuse::kTrue : reuse_);
  ASSIGN_OR_RETURN(std::vector<Output> outputs, Call(call_scope, inputs, args));
  RETURN_IF_ERROR(scope.status());
  if (outputs.empty()) {
    return absl::InvalidArgumentError(
        "A layer's `call` method should return a Tensor or a list of Tensors, not None.");
  }
  if (activity_regularizer_) {
    Scope reg_scope = call_scope.NewSubScope("ActivityRegularizer");
    std::vector<Output> regs;
    for (const Output& o : outputs) {
      Output loss = activity_regularizer_(reg_scope, o);
      RETURN_IF_ERROR(scope.status());
      if (loss.valid()) regs.push_back(loss);
    }
    AddLoss(regs, inputs);
  }
  for (Node* u : updates_) AddToCollectionOnce(graph(), kUpdateOps, u->name());
  inbound_nodes_.push_back({inputs, outputs, ShapesOf(inputs), ShapesOf(outputs)});
  return outputs;
}

absl::StatusOr<std::vector<Output>> Layer::Apply(const Scope& scope,
                                                 const std::vector<Output>& inputs,
                                                 const std::vector<Output>& args) {
  return (*this)(scope, inputs, args);
}

std::string Layer::InputsKey(const std::optional<std::vector<Output>>& inputs) {
  if (!inputs) return "";
  std::vector<std::string> names;
  for (const Output& o : *inputs) names.push_back(o.name());
  return "inputs:" + absl::StrJoin(names, ",");
}

void Layer::AddLoss(const std::vector<Output>& losses,
                    const std::optional<std::vector<Output>>& inputs) {
  std::vector<Output>& bucket = losses_by_inputs_[InputsKey(inputs)];
  for (const Output& l : losses) {
    losses_.push_back(l);
    bucket.push_back(l);
    AddToCollectionOnce(graph(), kRegularizationLosses, l.name());
  }
}

void Layer::AddUpdate(const std::vector<Node*>& updates,
                      const std::optional<std::vector<Output>>& inputs) {
  std::vector<Node*>& bucket = updates_by_inputs_[InputsKey(inputs)];
  for (Node* u : updates) {
    updates_.push_back(u);
    bucket.push_back(u);
  }
}

std::vector<Output> Layer::GetLossesFor(const std::optional<std::vector<Output>>& inputs) const {
  auto it = losses_by_inputs_.find(InputsKey(inputs));
  return it == losses_by_inputs_.end() ? std::vector<Output>() : it->second;
}

std::vector<Node*> Layer::GetUpdatesFor(const std::optional<std::vector<Output>>& inputs) const {
  auto it = updates_by_inputs_.find(InputsKey(inputs));
  return it == updates_by_inputs_.end() ? std::vector<Node*>() : it->second;
}

absl::StatusOr<Variable*> Layer::AddVariable(const std::string& name, const TensorShape& shape,
                                             const AddVariableOptions& options) {
  RETURN_IF_ERROR(scope_for_graph_.status());
  SetScope(scope_for_graph_, std::nullopt);
  Scope s = EnterLayerScope(scope_for_graph_, (built_ || reuse_ == Reuse::kTrue)
                                                  ? Reuse::kTrue
                                                  : reuse_);
  VariableStore& store = s.variable_store();
  const std::string full = scope_->name.empty() ? name : scope_->name + "/" + name;
  const bool existed = store.Find(full) != nullptr;
  GetVariableOptions o;
  o.shape = shape;
  o.dtype = options.dtype ? options.dtype : (dtype_ ? dtype_ : std::optional<DataType>(DT_FLOAT));
  o.initializer = options.initializer;
  o.trainable = options.trainable && trainable_;
  ASSIGN_OR_RETURN(Variable* v, GetVariable(s, name, o));
  if (existed) return v;
  if (options.regularizer) {
    Output loss = options.regularizer(s.NewSubScope(name + "/Regularizer").WithColocation(v->name),
                                      v->value);
    RETURN_IF_ERROR(s.status());
    if (loss.valid()) AddLoss({loss});
  }
  (options.trainable ? trainable_weights_ : non_trainable_weights_).push_back(v);
  return v;
}

absl::StatusOr<int64_t> Layer::CountParams() const {
  if (!built_) {
    return absl::FailedPreconditionError(absl::StrCat(
        "You tried to call `count_params` on ", name_,
        ", but the layer isn't built. You can build it manually via: `", name_,
        ".build(batch_input_shape)`."));
  }
  int64_t total = 0;
  for (const Variable* v : weights()) {
    ASSIGN_OR_RETURN(int64_t n, v->shape.NumElements());
    total += n;
  }
  return total;
}

template <typename T>
absl::StatusOr<T> Layer::AttributeAt(int node_index, const char* what,
                                     T InboundNode::*field) const {
  if (inbound_nodes_.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("The layer has never been called and thus has no defined ", what, "."));
  }
  if (node_index < 0 || node_index >= static_cast<int>(inbound_nodes_.size())) {
    return absl::OutOfRangeError(absl::StrCat("Asked to get ", what, " at node ", node_index,
                                              ", but the layer has only ",
                                              inbound_nodes_.size(), " inbound nodes."));
  }
  return inbound_nodes_[node_index].*field;
}

absl::StatusOr<std::vector<Output>> Layer::GetInputAt(int i) const {
  return AttributeAt(i, "input", &InboundNode::inputs);
}
absl::StatusOr<std::vector<TensorShape>> Layer::GetInputShapeAt(int i) const {
  return AttributeAt(i, "input shape", &InboundNode::input_shapes);
}
absl::StatusOr<std::vector<Output>> Layer::GetOutputAt(int i) const {
  return AttributeAt(i, "output", &InboundNode::outputs);
}
absl::StatusOr<std::vector<TensorShape>> Layer::GetOutputShapeAt(int i) const {
  return AttributeAt(i, "output shape", &InboundNode::output_shapes);
}

absl::StatusOr<std::vector<Output>> Layer::input() const {
  if (inbound_nodes_.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("Layer ", name_, " is not connected, no input to return."));
  }
  if (inbound_nodes_.size() > 1) {
    return absl::FailedPreconditionError(absl::StrCat(
        "Layer ", name_, " has multiple inbound nodes, hence the notion of \"layer input\" is "
        "ill-defined. Use `get_input_at(node_index)` instead."));
  }
  return inbound_nodes_[0].inputs;
}

absl::StatusOr<std::vector<Output>> Layer::output() const {
  if (inbound_nodes_.empty()) {
    return absl::FailedPreconditionError(absl::StrCat("Layer ", name_, " has no inbound nodes."));
  }
  if (inbound_nodes_.size() > 1) {
    return absl::FailedPreconditionError(absl::StrCat(
        "Layer ", name_, " has multiple inbound nodes, hence the notion of \"layer output\" is "
        "ill-defined. Use `get_output_at(node_index)` instead."));
  }
  return inbound_nodes_[0].outputs;
}

absl::StatusOr<std::vector<TensorShape>> Layer::input_shape() const {
  if (inbound_nodes_.empty()) {
    return absl::FailedPreconditionError(
        "The layer has never been called and thus has no defined input shape.");
  }
  for (const InboundNode& n : inbound_nodes_) {
    if (n.input_shapes != inbound_nodes_[0].input_shapes) {
      return absl::FailedPreconditionError(absl::StrCat(
          "The layer \"", name_, " has multiple inbound nodes, with different input shapes. "
          "Hence the notion of \"input shape\" is ill-defined for the layer. Use "
          "`get_input_shape_at(node_index)` instead."));
    }
  }
  return inbound_nodes_[0].input_shapes;
}

absl::StatusOr<std::vector<TensorShape>> Layer::output_shape() const {
  if (inbound_nodes_.empty()) {
    return absl::FailedPreconditionError(
        "The layer has never been called and thus has no defined output shape.");
  }
  for (const InboundNode& n : inbound_nodes_) {
    if (n.output_shapes != inbound_nodes_[0].output_shapes) {
      return absl::FailedPreconditionError(absl::StrCat(
          "The layer \"", name_, "\" has multiple inbound nodes, with different output shapes. "
          "Hence the notion of \"output shape\" is ill-defined for the layer. Use "
          "`get_output_shape_at(node_index)` instead."));
    }
  }
  return inbound_nodes_[0].output_shapes;
}

}  // namespace rill
