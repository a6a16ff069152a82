#include "runtime/execution_plan.h"

#include <chrono>
#include <functional>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "graph/status_macros.h"
#include "runtime/buffer_pool.h"
#include "runtime/gru_fusion.h"
#include "runtime/matmul_fusion.h"
#include "runtime/kernels/fused_gru_kernel.h"
#include "runtime/kernels/fused_gru_sequence_kernel.h"
#include "runtime/kernels/fused_matmul_kernel.h"
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

// One step to be: a node with its kernel, or a fused group.
struct Candidate {
  const Node* node;
  std::vector<Output> inputs;   // Data inputs read by the step.
  std::vector<Output> outputs;  // Written by the step: the node's, or a group's.
  std::unique_ptr<FusedKernel> fused;
  bool removed = false;
  std::optional<GruCellMatch> gru;  // Set for a fused GRU step.
};

std::vector<Output> OutputsOf(const Node* node) {
  std::vector<Output> outs;
  for (int i = 0; i < node->num_outputs(); ++i) outs.emplace_back(const_cast<Node*>(node), i);
  return outs;
}

// For each node id: whether its output 0 is a Const's value, possibly
// through Identity nodes (how a frozen graph reads its weights), that no feed
// replaces, so the same tensor on every run. Node ids are a topological order.
std::vector<char> ConstantOutputs(const Graph& graph, const absl::flat_hash_set<int64_t>& fed) {
  std::vector<char> constant(graph.num_nodes(), 0);
  for (int id = 0; id < graph.num_nodes(); ++id) {
    const Node* node = graph.node(id);
    bool c = node->op() == "Const";
    if (node->op() == "Identity" && !node->inputs().empty()) {
      const Output in = node->inputs()[0];
      c = in.index == 0 && constant[in.node->id()];
    }
    constant[id] = c && !fed.contains(SlotKey(node, 0));
  }
  return constant;
}

bool IsConstantValue(const Output& o, const std::vector<char>& constant_outputs) {
  return o.index == 0 && constant_outputs[o.node->id()];
}

// Whether W_ru and W_c of a GRU match are constant.
bool GruWeightsConstant(const GruCellMatch& m, const std::vector<char>& constant_outputs) {
  return IsConstantValue(m.inputs[2], constant_outputs) &&
         IsConstantValue(m.inputs[4], constant_outputs);
}

// Chains fused GRU steps that share their weights, each reading the previous
// one's output as its state, into one sequence step placed where the first
// step was. A chain is used only if every step's input x is produced before
// the chain starts (so all projections can be computed up front) and no
// link's output is fed.
void FuseGruSequences(std::vector<Candidate>& candidates, const std::vector<int>& candidate_of,
                      const absl::flat_hash_set<int64_t>& fed,
                      const std::vector<char>& constant_outputs) {
  absl::flat_hash_map<const Node*, int> gru_by_output;
  for (int i = 0; i < static_cast<int>(candidates.size()); ++i) {
    if (!candidates[i].removed && candidates[i].gru) gru_by_output[candidates[i].node] = i;
  }
  auto same_weights = [](const GruCellMatch& a, const GruCellMatch& b) {
    for (int k = 2; k < 6; ++k) {
      if (!(a.inputs[k] == b.inputs[k])) return false;
    }
    return true;
  };
  // next[i]: the step reading step i's output as its state (-1 if none, -2 if
  // several: then i ends a chain).
  std::vector<int> next(candidates.size(), -1), prev(candidates.size(), -1);
  for (const auto& [node, i] : gru_by_output) {
    const Output h = candidates[i].gru->inputs[1];
    auto it = gru_by_output.find(h.node);
    if (it == gru_by_output.end() || h.index != 0 || fed.contains(SlotKey(h.node, 0)) ||
        !same_weights(*candidates[it->second].gru, *candidates[i].gru)) {
      continue;
    }
    const int p = it->second;
    next[p] = next[p] == -1 ? i : -2;
    prev[i] = p;
  }
  for (int head = 0; head < static_cast<int>(candidates.size()); ++head) {
    if (!candidates[head].gru || candidates[head].removed) continue;
    if (prev[head] >= 0 && next[prev[head]] == head) continue;  // Not a chain head.
    std::vector<int> chain = {head};
    while (next[chain.back()] >= 0) chain.push_back(next[chain.back()]);
    if (chain.size() < 2) continue;
    // Every x must come from a step before the head.
    std::vector<int> usable = {head};
    for (size_t k = 1; k < chain.size(); ++k) {
      const Output x = candidates[chain[k]].gru->inputs[0];
      const int producer = candidate_of[x.node->id()];
      if (producer >= head) break;
      usable.push_back(chain[k]);
    }
    if (usable.size() < 2) continue;
    const GruCellMatch& first = *candidates[head].gru;
    std::vector<Output> inputs, outputs;
    for (int c : usable) inputs.push_back(candidates[c].gru->inputs[0]);
    for (int k = 1; k < 6; ++k) inputs.push_back(first.inputs[k]);
    for (int c : usable) outputs.emplace_back(const_cast<Node*>(candidates[c].node), 0);
    for (size_t k = 1; k < usable.size(); ++k) candidates[usable[k]].removed = true;
    Candidate& seq = candidates[head];
    seq.inputs = std::move(inputs);
    seq.outputs = std::move(outputs);
    seq.fused = std::make_unique<FusedGruSequenceKernel>(
        static_cast<int>(usable.size()), first.input_size, first.units,
        GruWeightsConstant(first, constant_outputs));
  }
}

// Replaces the MatMul+BiasAdd(+activation) groups left after the GRU
// rewrite by FusedMatMulKernel steps. Activations are matched first, so a
// BiasAdd feeding one is fused together with it.
void FuseDenseLayers(std::vector<Candidate>& candidates, const std::vector<int>& candidate_of,
                     const std::function<bool(const Output&)>& is_private,
                     const std::vector<char>& constant_outputs) {
  for (const bool activations : {true, false}) {
    for (Candidate& c : candidates) {
      if (c.removed || c.fused || (c.node->op() != "BiasAdd") != activations) continue;
      std::optional<MatMulBiasMatch> m = MatchMatMulBias(*c.node, is_private);
      if (!m) continue;
      bool available = true;
      for (const Node* n : m->interior) {
        const int i = candidate_of[n->id()];
        available &= i >= 0 && !candidates[i].removed && !candidates[i].fused;
      }
      if (!available) continue;
      for (const Node* n : m->interior) candidates[candidate_of[n->id()]].removed = true;
      c.removed = false;
      c.inputs = m->inputs;
      c.fused = std::make_unique<FusedMatMulKernel>(
          m->transpose_a, m->transpose_b, m->activation,
          IsConstantValue(m->inputs[1], constant_outputs));
    }
  }
}

}  // namespace

ExecutionPlan::~ExecutionPlan() = default;

int ExecutionPlan::num_fused_steps() const {
  int n = 0;
  for (const Step& s : steps_) n += s.fused != nullptr;
  return n;
}

absl::StatusOr<std::unique_ptr<ExecutionPlan>> ExecutionPlan::Build(
    const Graph& graph, const KernelRegistry& kernels, const std::vector<Output>& feeds,
    const std::vector<Output>& fetches, const std::vector<Node*>& targets,
    const PlanOptions& options) {
  auto plan = std::unique_ptr<ExecutionPlan>(new ExecutionPlan());
  plan->graph_def_version_ = graph.producer_version();

  absl::flat_hash_set<int64_t> fed, fetched;
  for (const Output& f : feeds) {
    if (!fed.insert(SlotKey(f.node, f.index)).second) {
      return absl::InvalidArgumentError(absl::StrCat("Tensor ", f.name(), " is fed twice"));
    }
  }
  for (const Output& f : fetches) fetched.insert(SlotKey(f.node, f.index));
  absl::flat_hash_set<const Node*> target_set(targets.begin(), targets.end());

  // Mark the needed nodes walking backwards from fetches and targets with an
  // explicit stack (no recursion: graphs may be very deep). A node runs if
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

  const std::vector<char> constant_outputs = ConstantOutputs(graph, fed);

  // Candidates in node-id order, which is a topological order (AddNode only
  // accepts existing inputs); a fused group takes its final node's place.
  std::vector<Candidate> candidates;
  std::vector<int> candidate_of(graph.num_nodes(), -1);
  for (int id = 0; id < graph.num_nodes(); ++id) {
    if (!needed[id]) continue;
    candidate_of[id] = static_cast<int>(candidates.size());
    const Node* node = graph.node(id);
    candidates.push_back({node, node->inputs(), OutputsOf(node), nullptr});
  }
  auto is_private = [&](const Output& o) {
    const int64_t key = SlotKey(o.node, o.index);
    return !fed.contains(key) && !fetched.contains(key) && !target_set.contains(o.node);
  };
  if (options.fuse_gru) {
    for (Candidate& c : candidates) {
      if (c.removed) continue;
      std::optional<GruCellMatch> m = MatchGruCell(*c.node, is_private);
      if (!m) continue;
      bool all_needed = true;
      for (const Node* n : m->interior) all_needed &= candidate_of[n->id()] >= 0;
      if (!all_needed) continue;
      for (const Node* n : m->interior) candidates[candidate_of[n->id()]].removed = true;
      c.removed = false;
      c.inputs = m->inputs;
      c.fused = std::make_unique<FusedGruKernel>(m->input_size, m->units,
                                                 GruWeightsConstant(*m, constant_outputs));
      c.gru = std::move(m);
    }
    FuseGruSequences(candidates, candidate_of, fed, constant_outputs);
  }
  if (options.fuse_dense) FuseDenseLayers(candidates, candidate_of, is_private, constant_outputs);

  // Drop steps nothing reads any more (the Consts of fused groups), walking
  // backwards so chains of dead steps go at once.
  absl::flat_hash_map<int64_t, int> readers;
  std::vector<int> control_readers(graph.num_nodes(), 0);
  for (const Candidate& c : candidates) {
    if (c.removed) continue;
    for (const Output& in : c.inputs) ++readers[SlotKey(in.node, in.index)];
    for (const Node* ctl : c.node->control_inputs()) ++control_readers[ctl->id()];
  }
  for (auto it = candidates.rbegin(); it != candidates.rend(); ++it) {
    if (it->removed || it->node->op_def().is_stateful || target_set.contains(it->node) ||
        it->node->num_outputs() == 0) {
      continue;
    }
    bool used = control_readers[it->node->id()] > 0;
    for (const Output& o : it->outputs) {
      const int64_t key = SlotKey(o.node, o.index);
      used |= fetched.contains(key) || readers[key] > 0;
    }
    if (used) continue;
    it->removed = true;
    for (const Output& in : it->inputs) --readers[SlotKey(in.node, in.index)];
    for (const Node* ctl : it->node->control_inputs()) --control_readers[ctl->id()];
  }

  absl::flat_hash_map<int64_t, int> slot_of;  // (node, output) -> slot
  auto slot_for = [&](const Output& o) {
    auto [it, inserted] = slot_of.emplace(SlotKey(o.node, o.index), plan->num_slots_);
    if (inserted) ++plan->num_slots_;
    return it->second;
  };
  for (const Output& f : feeds) plan->feed_slots_.push_back(slot_for(f));
  absl::flat_hash_map<int, int> last_reader;  // slot -> step index
  for (Candidate& c : candidates) {
    if (c.removed) continue;
    const Node* node = c.node;
    Step step;
    step.node = node;
    if (c.fused) {
      step.fused = c.fused.get();
      step.kernel = std::move(c.fused);
    } else {
      ASSIGN_OR_RETURN(step.kernel, kernels.CreateKernel(*node));
      std::vector<bool> constant;
      for (const Output& in : c.inputs) constant.push_back(IsConstantValue(in, constant_outputs));
      step.kernel->SetConstantInputs(constant);
    }
    for (const Output& in : c.inputs) {
      const int slot = slot_for(in);
      step.input_slots.push_back(slot);
      last_reader[slot] = static_cast<int>(plan->steps_.size());
    }
    bool known = true;
    for (const Output& o : c.outputs) {
      const bool is_fed = fed.contains(SlotKey(o.node, o.index));
      step.output_slots.push_back(is_fed ? -1 : slot_for(o));
      step.output_types.push_back(BaseType(o.dtype()));
      step.static_shapes.push_back(o.shape());
      known &= o.shape().IsFullyDefined();
    }
    step.dynamic_shapes = step.fused ? !known : node->needs_runtime_shapes() || !known;
    plan->steps_.push_back(std::move(step));
  }
  for (const Output& f : fetches) {
    plan->fetch_slots_.push_back(slot_for(f));
    plan->fetch_nodes_.push_back(f.node->name());
  }

  // Fetched slots live to the end; every other slot is released by its last
  // reader. Outputs nobody reads are released by their producer.
  std::vector<char> keep(plan->num_slots_, 0);
  for (int s : plan->fetch_slots_) keep[s] = 1;
  for (int s : plan->feed_slots_) keep[s] = 1;  // The caller owns feeds.
  for (const auto& [slot, step] : last_reader) {
    if (!keep[slot]) plan->steps_[step].release_slots.push_back(slot);
  }
  for (Step& step : plan->steps_) {
    std::vector<bool> unused(step.output_slots.size(), false);
    for (size_t i = 0; i < step.output_slots.size(); ++i) {
      const int s = step.output_slots[i];
      if (s < 0 || keep[s] || last_reader.contains(s)) continue;
      if (step.fused == nullptr) {
        step.release_slots.push_back(s);
      } else {
        // A fused kernel need not produce it at all.
        unused[i] = true;
        step.output_slots[i] = -1;
      }
    }
    if (step.fused != nullptr) {
      static_cast<FusedKernel*>(step.kernel.get())->SetUnusedOutputs(unused);
    }
  }
  return plan;
}

absl::StatusOr<std::vector<Tensor>> ExecutionPlan::Run(const std::vector<Tensor>& feed_values,
                                                       const RunEnvironment& env,
                                                       std::vector<StepStats>* stats) const {
  std::vector<Tensor> frame(num_slots_);
  for (size_t i = 0; i < feed_slots_.size(); ++i) frame[feed_slots_[i]] = feed_values[i];
  BufferPool pool;
  RunBudget budget;
  budget.max_bytes = env.max_run_bytes;

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
                            "Attempting to use uninitialized value ",
                            node.input(static_cast<int>(i)).node->name())),
                        node);
      }
      inputs.push_back(&t);
    }
    const std::vector<TensorShape>* out_shapes = &step.static_shapes;
    if (step.dynamic_shapes) {
      absl::Status s = step.fused ? step.fused->OutputShapes(inputs, &shapes)
                                  : ComputeOutputShapes(node, inputs, graph_def_version_, &shapes);
      if (!s.ok()) return step.fused ? Annotate(s, node) : s;
      out_shapes = &shapes;
    }
    const int num_outputs = static_cast<int>(step.output_slots.size());
    outputs.assign(num_outputs, Tensor());
    KernelContext ctx(&node, inputs, out_shapes, &outputs, env.max_tensor_bytes, env.device,
                      env.variables, &pool, &budget, step.output_types);
    const auto start = stats ? std::chrono::steady_clock::now()
                             : std::chrono::steady_clock::time_point();
    absl::Status s = step.kernel->Compute(ctx);
    if (!s.ok()) return Annotate(s, node);
    if (stats) {
      stats->push_back(
          {node.name(), step.fused ? step.fused->name() : node.op(),
           std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
               .count()});
    }
    for (int i = 0; i < num_outputs; ++i) {
      const int slot = step.output_slots[i];
      if (slot < 0) continue;
      if (!outputs[i].initialized() && !(step.fused == nullptr && IsRefType(node.output_type(i)))) {
        return absl::InternalError(absl::StrCat("Kernel for node '", node.name(), "' (op '",
                                                node.op(), "') did not set output ", i));
      }
      frame[slot] = std::move(outputs[i]);
    }
    for (int s : step.release_slots) {
      Tensor& t = frame[s];
      // Recycle the buffer unless someone else (a fetch, a variable, a
      // forwarded alias) still holds it.
      if (t.buffer() != nullptr && t.buffer().use_count() == 1) {
        const size_t bytes = Tensor::AllocationBytes(t.TotalBytes());
        pool.Give(t.buffer(), bytes);
      }
      t = Tensor();
    }
  }
  std::vector<Tensor> result;
  result.reserve(fetch_slots_.size());
  for (size_t i = 0; i < fetch_slots_.size(); ++i) {
    const Tensor& t = frame[fetch_slots_[i]];
    // Only a fetched variable ref can be unset: the variable is uninitialized.
    if (!t.initialized()) {
      return absl::FailedPreconditionError(
          absl::StrCat("Attempting to use uninitialized value ", fetch_nodes_[i]));
    }
    result.push_back(t);
  }
  return result;
}

}  // namespace rill
