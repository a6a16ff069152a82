#include "runtime/execution_plan.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "graph/status_macros.h"
#include "runtime/output_shapes.h"

namespace rill {
namespace {

int64_t SlotKey(const Node* node, int index) {
  return (static_cast<int64_t>(node->id()) << 20) | index;
}

// Appends TensorFlow's node annotation to a kernel error.
absl::Status Annotate(const absl::Status& s, const Node& node) {
  return absl::Status(s.code(), absl::StrCat(s.message(), "\n\t [[{{node ", node.name(), "}}]]"));
}

}  // namespace

ExecutionPlan::~ExecutionPlan() = default;

absl::StatusOr<std::unique_ptr<ExecutionPlan>> ExecutionPlan::Build(
    const Graph& graph, const KernelRegistry& kernels, const std::vector<Output>& feeds,
    const std::vector<Output>& fetches, const std::vector<Node*>& targets) {
  auto plan = std::unique_ptr<ExecutionPlan>(new ExecutionPlan());
  plan->graph_def_version_ = graph.producer_version();

  absl::flat_hash_map<int64_t, int> slot_of;  // (node, output) -> slot
  auto slot_for = [&](const Output& o) {
    auto [it, inserted] = slot_of.emplace(SlotKey(o.node, o.index), plan->num_slots_);
    if (inserted) ++plan->num_slots_;
    return it->second;
  };
  absl::flat_hash_map<int64_t, bool> fed;
  for (const Output& f : feeds) {
    if (!fed.emplace(SlotKey(f.node, f.index), true).second) {
      return absl::InvalidArgumentError(absl::StrCat("Tensor ", f.name(), " is fed twice"));
    }
    plan->feed_slots_.push_back(slot_for(f));
  }

  // Mark the needed nodes walking backwards from fetches and targets with an
  // explicit stack (no recursion: graphs may be very deep). A node is run if
  // one of its outputs that is not fed is needed, or it is a target.
  std::vector<char> needed(graph.num_nodes(), 0);
  std::vector<const Node*> stack;
  auto need = [&](const Node* n) {
    if (!needed[n->id()]) {
      needed[n->id()] = 1;
      stack.push_back(n);
    }
  };
  for (const Output& f : fetches) {
    if (!fed.contains(SlotKey(f.node, f.index))) need(f.node);
  }
  for (const Node* t : targets) need(t);
  while (!stack.empty()) {
    const Node* n = stack.back();
    stack.pop_back();
    for (const Output& in : n->inputs()) {
      if (!fed.contains(SlotKey(in.node, in.index))) need(in.node);
    }
    for (const Node* c : n->control_inputs()) need(c);
  }

  // Node ids are a topological order: AddNode only accepts existing inputs.
  absl::flat_hash_map<int, int> last_reader;  // slot -> step index
  for (int id = 0; id < graph.num_nodes(); ++id) {
    if (!needed[id]) continue;
    const Node* node = graph.node(id);
    Step step;
    step.node = node;
    ASSIGN_OR_RETURN(step.kernel, kernels.CreateKernel(*node));
    for (const Output& in : node->inputs()) {
      const int slot = slot_for(in);
      step.input_slots.push_back(slot);
      last_reader[slot] = static_cast<int>(plan->steps_.size());
    }
    for (int i = 0; i < node->num_outputs(); ++i) {
      const bool is_fed = fed.contains(SlotKey(node, i));
      step.output_slots.push_back(is_fed ? -1 : slot_for(Output(const_cast<Node*>(node), i)));
    }
    plan->steps_.push_back(std::move(step));
  }
  for (const Output& f : fetches) plan->fetch_slots_.push_back(slot_for(f));

  // Fetched slots live to the end; every other slot is released by its last
  // reader. Outputs nobody reads are released by their producer.
  std::vector<char> keep(plan->num_slots_, 0);
  for (int s : plan->fetch_slots_) keep[s] = 1;
  for (const auto& [slot, step] : last_reader) {
    if (!keep[slot]) plan->steps_[step].release_slots.push_back(slot);
  }
  for (Step& step : plan->steps_) {
    for (int s : step.output_slots) {
      if (s >= 0 && !keep[s] && !last_reader.contains(s)) step.release_slots.push_back(s);
    }
  }
  return plan;
}

absl::StatusOr<std::vector<Tensor>> ExecutionPlan::Run(const std::vector<Tensor>& feed_values,
                                                       const RunEnvironment& env) const {
  std::vector<Tensor> frame(num_slots_);
  for (size_t i = 0; i < feed_slots_.size(); ++i) frame[feed_slots_[i]] = feed_values[i];

  std::vector<const Tensor*> inputs;
  std::vector<TensorShape> shapes;
  std::vector<Tensor> outputs;
  for (const Step& step : steps_) {
    const Node& node = *step.node;
    inputs.clear();
    for (size_t i = 0; i < step.input_slots.size(); ++i) {
      const Tensor& t = frame[step.input_slots[i]];
      // Only a variable's ref can be unset: an uninitialized variable.
      if (!t.initialized() && !node.op_def().allows_uninitialized_input) {
        return Annotate(absl::FailedPreconditionError(absl::StrCat(
                            "Attempting to use uninitialized value ", node.input(i).node->name())),
                        node);
      }
      inputs.push_back(&t);
    }
    RETURN_IF_ERROR(ComputeOutputShapes(node, inputs, graph_def_version_, &shapes));
    outputs.assign(node.num_outputs(), Tensor());
    KernelContext ctx(&node, inputs, &shapes, &outputs, env.max_tensor_bytes, env.device,
                      env.variables);
    absl::Status s = step.kernel->Compute(ctx);
    if (!s.ok()) return Annotate(s, node);
    for (int i = 0; i < node.num_outputs(); ++i) {
      const int slot = step.output_slots[i];
      if (slot < 0) continue;
      if (!outputs[i].initialized() && !IsRefType(node.output_type(i))) {
        return absl::InternalError(absl::StrCat("Kernel for node '", node.name(), "' (op '",
                                                node.op(), "') did not set output ", i));
      }
      frame[slot] = std::move(outputs[i]);
    }
    for (int s : step.release_slots) frame[s] = Tensor();
  }
  std::vector<Tensor> result;
  result.reserve(fetch_slots_.size());
  for (int s : fetch_slots_) result.push_back(frame[s]);
  return result;
}

}  // namespace rill
