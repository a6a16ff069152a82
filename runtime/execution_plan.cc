#include "runtime/execution_plan.h"

#include <algorithm>
#include <functional>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "graph/status_macros.h"
#include "runtime/buffer_pool.h"
#include "runtime/constant_folding.h"
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

// One step to be: a node with its kernel, or a fused group.
struct Candidate {
  const Node* node;
  std::vector<Output> inputs;   // Data inputs read by the step.
  std::vector<Output> outputs;  // Written by the step: the node's, or a group's.
  std::unique_ptr<FusedKernel> fused;
  bool removed = false;
  // For a candidate fused into another: that candidate's index.
  int merged_into = -1;
  std::optional<GruCellMatch> gru;  // Set for a fused GRU step.
  // Set for a folded node (runtime/constant_folding.h): its outputs.
  const std::vector<Tensor>* folded = nullptr;
  // Elements of the Const weights bound to its fused kernel, which it reads
  // without their being inputs (BindGruWeights).
  int64_t bound_elements = 0;
};

std::vector<Output> OutputsOf(const Node* node) {
  std::vector<Output> outs;
  for (int i = 0; i < node->num_outputs(); ++i) outs.emplace_back(const_cast<Node*>(node), i);
  return outs;
}

// For each node id, whether its output 0 is the value of a `source_op` node
// (Const, VariableV2), possibly through Identity nodes (how graphs read
// their weights), that no feed replaces. Node ids are a topological order.
std::vector<char> ValuesOf(const Graph& graph, const absl::flat_hash_set<int64_t>& fed,
                           absl::string_view source_op) {
  std::vector<char> is_value(graph.num_nodes(), 0);
  for (int id = 0; id < graph.num_nodes(); ++id) {
    const Node* node = graph.node(id);
    bool v = node->op() == source_op;
    if (node->op() == "Identity" && !node->inputs().empty()) {
      const Output in = node->inputs()[0];
      v = in.index == 0 && is_value[in.node->id()];
    }
    is_value[id] = v && !fed.contains(SlotKey(node, 0));
  }
  return is_value;
}

// Where each node's output 0 comes from (runtime/input_source.h), and where
// kernels share what they derive from weights.
struct InputSources {
  const std::vector<char>* constant;  // Const or folded values (FoldConstants).
  std::vector<char> variable;         // ValuesOf(..., "VariableV2").
  DerivedWeightStore* store;          // PlanOptions::weight_store.

  InputSource Of(const Output& o) const {
    if ((*constant)[o.node->id()]) return InputSource::kConstant;
    if (variable[o.node->id()]) return InputSource::kVariable;
    return InputSource::kOther;
  }
  // Of W_ru and W_c of a GRU match, both read by one kernel.
  InputSource OfGruWeights(const GruCellMatch& m) const {
    return CombinedSource(Of(m.inputs[2]), Of(m.inputs[4]));
  }

  // The Const node whose value `o` is (directly or through Identity nodes,
  // folded or not), if a kernel may take that value at plan time instead of
  // as an input: nothing on the way fed, and no control input (their steps
  // would be dropped).
  const Node* BindableConst(Output o) const {
    while (o.index == 0 && !fed->contains(SlotKey(o.node, 0)) &&
           o.node->control_inputs().empty()) {
      if (o.node->op() == "Const") return o.node->has_const_value() ? o.node : nullptr;
      if (o.node->op() != "Identity" || o.node->inputs().empty()) return nullptr;
      o = o.node->inputs()[0];
    }
    return nullptr;
  }
  const absl::flat_hash_set<int64_t>* fed;
};

// W_ru and W_c of a fused GRU as Const nodes bound to its kernel
// (GruWeightCache): they are then not inputs of its step, so their Const
// steps leave the plan unless something else reads them, and the Session
// may release their values once the kernel derived what it reads.
struct BoundGruWeights {
  const Node* w_ru;
  const Node* w_c;

  int64_t elements() const {
    // Const shapes are fully defined.
    return w_ru->output_shape(0).num_elements_or_unknown() +
           w_c->output_shape(0).num_elements_or_unknown();
  }
};

std::optional<BoundGruWeights> BindGruWeights(const GruCellMatch& m,
                                              const InputSources& sources) {
  const Node* w_ru = sources.BindableConst(m.inputs[2]);
  const Node* w_c = sources.BindableConst(m.inputs[4]);
  if (w_ru == nullptr || w_c == nullptr) return std::nullopt;
  return BoundGruWeights{w_ru, w_c};
}

// The fused GRU kernel (`Kernel`, made from `leading` arguments and the
// cell's sizes) for `m`: reading W_ru and W_c from their Const nodes when
// they are bound, else as inputs from the weights' source.
template <typename Kernel, typename... Leading>
std::unique_ptr<Kernel> MakeFusedGruKernel(const std::optional<BoundGruWeights>& bound,
                                           const GruCellMatch& m, const InputSources& sources,
                                           Leading... leading) {
  if (bound) {
    return std::make_unique<Kernel>(leading..., m.input_size, m.units, bound->w_ru, bound->w_c,
                                    sources.store);
  }
  return std::make_unique<Kernel>(leading..., m.input_size, m.units, sources.OfGruWeights(m),
                                  sources.store);
}

// The fused kernel's weight inputs: b_ru and b_c when W_ru and W_c are
// bound, else all four (GruCellMatch::inputs[2..5]).
void AppendGruWeightInputs(const GruCellMatch& m, bool bound, std::vector<Output>* inputs) {
  for (int k = 2; k < 6; ++k) {
    if (!bound || k == 3 || k == 5) inputs->push_back(m.inputs[k]);
  }
}

// Below this many input plus output elements (32 KiB of floats) a step
// takes about as long as handing it to another thread (~0.5 us measured,
// BM_ExecutorFan1000), so it runs inline in parallel runs.
constexpr int64_t kInlineElements = 8192;

// Whether the step's static shapes are known and small.
bool TouchesFewElements(const Candidate& c) {
  int64_t elements = c.bound_elements;
  if (elements >= kInlineElements) return false;
  for (const std::vector<Output>* list : {&c.inputs, &c.outputs}) {
    for (const Output& o : *list) {
      const int64_t n = o.shape().num_elements_or_unknown();
      if (n < 0) return false;
      elements += n;
      if (elements >= kInlineElements) return false;
    }
  }
  return true;
}

// Makes `c` the step of a fused group: the group's interior candidates are
// removed and point at `c`, which now reads the group's inputs.
void AbsorbGroup(std::vector<Candidate>& candidates, const std::vector<int>& candidate_of,
                 const std::vector<const Node*>& interior, const std::vector<Output>& inputs,
                 Candidate& c) {
  for (const Node* n : interior) {
    candidates[candidate_of[n->id()]].removed = true;
    candidates[candidate_of[n->id()]].merged_into = candidate_of[c.node->id()];
  }
  c.removed = false;
  c.merged_into = -1;  // Its node may be listed among the interior ones.
  c.inputs = inputs;
}

// Chains fused GRU steps that share their weights, each reading the previous
// one's output as its state, into one sequence step placed where the first
// step was. A chain is used only if every step's input x is produced before
// the chain starts (so all projections can be computed up front) and no
// link's output is fed.
void FuseGruSequences(std::vector<Candidate>& candidates, const std::vector<int>& candidate_of,
                      const absl::flat_hash_set<int64_t>& fed,
                      const InputSources& sources) {
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
    // Every x must come from a step before the head, and a later link must
    // not wait for a control input (the sequence runs where the head was).
    std::vector<int> usable = {head};
    for (size_t k = 1; k < chain.size(); ++k) {
      const Output x = candidates[chain[k]].gru->inputs[0];
      const int producer = candidate_of[x.node->id()];
      if (producer >= head || !candidates[chain[k]].node->control_inputs().empty()) break;
      usable.push_back(chain[k]);
    }
    if (usable.size() < 2) continue;
    const GruCellMatch& first = *candidates[head].gru;
    const std::optional<BoundGruWeights> bound = BindGruWeights(first, sources);
    std::vector<Output> inputs, outputs;
    for (int c : usable) inputs.push_back(candidates[c].gru->inputs[0]);
    inputs.push_back(first.inputs[1]);
    AppendGruWeightInputs(first, bound.has_value(), &inputs);
    for (int c : usable) outputs.emplace_back(const_cast<Node*>(candidates[c].node), 0);
    for (size_t k = 1; k < usable.size(); ++k) {
      candidates[usable[k]].removed = true;
      candidates[usable[k]].merged_into = head;
    }
    Candidate& seq = candidates[head];
    seq.inputs = std::move(inputs);
    seq.outputs = std::move(outputs);
    seq.bound_elements = bound ? bound->elements() : 0;
    seq.fused = MakeFusedGruKernel<FusedGruSequenceKernel>(bound, first, sources,
                                                           static_cast<int>(usable.size()));
  }
}

// Replaces the MatMul+BiasAdd(+activation) groups left after the GRU
// rewrite by FusedMatMulKernel steps. Activations are matched first, so a
// BiasAdd feeding one is fused together with it.
void FuseDenseLayers(std::vector<Candidate>& candidates, const std::vector<int>& candidate_of,
                     const std::function<bool(const Output&)>& is_private,
                     const InputSources& sources) {
  for (const bool activations : {true, false}) {
    for (Candidate& c : candidates) {
      if (c.removed || c.fused || c.folded || (c.node->op() != "BiasAdd") != activations) {
        continue;
      }
      std::optional<MatMulBiasMatch> m = MatchMatMulBias(*c.node, is_private);
      if (!m) continue;
      bool available = true;
      for (const Node* n : m->interior) {
        const int i = candidate_of[n->id()];
        available &= i >= 0 && !candidates[i].removed && !candidates[i].fused &&
                     !candidates[i].folded;
      }
      if (!available) continue;
      AbsorbGroup(candidates, candidate_of, m->interior, m->inputs, c);
      c.fused = std::make_unique<FusedMatMulKernel>(
          m->transpose_a, m->transpose_b, m->activation,
          sources.Of(m->inputs[m->pieces]), m->pieces, sources.store);
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

int ExecutionPlan::num_folded_steps() const {
  int n = 0;
  for (const Step& s : steps_) n += s.folded;
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

  FoldedConstants folded;
  if (options.fold_constants) {
    std::vector<char> fed_node(graph.num_nodes(), 0);
    for (const Output& f : feeds) fed_node[f.node->id()] = 1;
    folded = FoldConstants(graph, kernels, needed, fed_node, options.max_folded_bytes,
                           options.max_total_folded_bytes, options.folded_values);
  } else {
    folded.constant = ValuesOf(graph, fed, "Const");
  }
  const InputSources sources{&folded.constant, ValuesOf(graph, fed, "VariableV2"),
                             options.weight_store, &fed};

  // Candidates in node-id order, which is a topological order (AddNode only
  // accepts existing inputs); a fused group takes its final node's place.
  std::vector<Candidate> candidates;
  std::vector<int> candidate_of(graph.num_nodes(), -1);
  for (int id = 0; id < graph.num_nodes(); ++id) {
    if (!needed[id]) continue;
    candidate_of[id] = static_cast<int>(candidates.size());
    const Node* node = graph.node(id);
    candidates.push_back({node, node->inputs(), OutputsOf(node), nullptr});
    auto it = folded.values.find(id);
    if (it != folded.values.end()) {
      candidates.back().folded = &it->second;
      candidates.back().inputs.clear();  // Its constant inputs become dead.
    }
  }
  auto is_private = [&](const Output& o) {
    const int64_t key = SlotKey(o.node, o.index);
    return !fed.contains(key) && !fetched.contains(key) && !target_set.contains(o.node);
  };
  if (options.fuse_gru) {
    for (Candidate& c : candidates) {
      if (c.removed || c.folded) continue;
      std::optional<GruCellMatch> m = MatchGruCell(*c.node, is_private);
      if (!m) continue;
      bool all_needed = true;
      for (const Node* n : m->interior) {
        all_needed &= candidate_of[n->id()] >= 0 && !candidates[candidate_of[n->id()]].folded;
      }
      if (!all_needed) continue;
      const std::optional<BoundGruWeights> bound = BindGruWeights(*m, sources);
      std::vector<Output> inputs = {m->inputs[0], m->inputs[1]};
      AppendGruWeightInputs(*m, bound.has_value(), &inputs);
      AbsorbGroup(candidates, candidate_of, m->interior, inputs, c);
      c.bound_elements = bound ? bound->elements() : 0;
      c.fused = MakeFusedGruKernel<FusedGruKernel>(bound, *m, sources);
      c.gru = std::move(m);
    }
    FuseGruSequences(candidates, candidate_of, fed, sources);
  }
  if (options.fuse_dense) FuseDenseLayers(candidates, candidate_of, is_private, sources);

  // Drop steps nothing reads any more (the Consts of fused groups, the
  // inputs of folded nodes), walking
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
  // The folded values this plan keeps are offered to the Session's other
  // plans (the intermediate ones it dropped are not kept by anyone).
  if (options.folded_values != nullptr) {
    for (const Candidate& c : candidates) {
      if (!c.removed && c.folded != nullptr) options.folded_values->Insert(c.node->id(), *c.folded);
    }
  }

  absl::flat_hash_map<int64_t, int> slot_of;  // (node, output) -> slot
  auto slot_for = [&](const Output& o) {
    auto [it, inserted] = slot_of.emplace(SlotKey(o.node, o.index), plan->num_slots_);
    if (inserted) ++plan->num_slots_;
    return it->second;
  };
  for (const Output& f : feeds) plan->feed_slots_.push_back(slot_for(f));
  absl::flat_hash_map<int, int> last_reader;  // slot -> step index
  std::vector<int> step_of_candidate(candidates.size(), -1);
  for (size_t ci = 0; ci < candidates.size(); ++ci) {
    Candidate& c = candidates[ci];
    if (c.removed) continue;
    step_of_candidate[ci] = static_cast<int>(plan->steps_.size());
    const Node* node = c.node;
    Step step;
    step.node = node;
    if (c.fused) {
      step.fused = c.fused.get();
      step.kernel = std::move(c.fused);
    } else if (c.folded) {
      step.kernel = MakeFoldedConstantKernel(*c.folded);
      step.folded = true;
    } else {
      ASSIGN_OR_RETURN(step.kernel, kernels.CreateKernel(*node));
      std::vector<InputSource> input_sources;
      for (const Output& in : c.inputs) input_sources.push_back(sources.Of(in));
      step.kernel->SetInputSources(input_sources, sources.store);
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
    step.dynamic_shapes = step.fused    ? !known
                          : step.folded ? false  // Its values are fixed.
                                        : node->needs_runtime_shapes() || !known;
    StepLinks links;
    links.expensive = step.kernel->IsExpensive() && !TouchesFewElements(c);
    plan->links_.push_back(std::move(links));
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
  plan->slot_readers_.assign(plan->num_slots_, 0);
  for (size_t i = 0; i < plan->steps_.size(); ++i) {
    std::vector<int>& read = plan->links_[i].read_slots;
    read = plan->steps_[i].input_slots;
    std::sort(read.begin(), read.end());
    read.erase(std::unique(read.begin(), read.end()), read.end());
    read.erase(std::remove_if(read.begin(), read.end(), [&](int s) { return keep[s] != 0; }),
               read.end());
    for (int s : read) ++plan->slot_readers_[s];
  }
  for (size_t si = 0; si < plan->steps_.size(); ++si) {
    Step& step = plan->steps_[si];
    std::vector<bool> unused(step.output_slots.size(), false);
    for (size_t i = 0; i < step.output_slots.size(); ++i) {
      const int s = step.output_slots[i];
      if (s < 0 || keep[s] || last_reader.contains(s)) continue;
      if (step.fused == nullptr) {
        step.release_slots.push_back(s);
        plan->links_[si].unread_slots.push_back(s);
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

  std::vector<int> step_of_node(graph.num_nodes(), -1);
  for (int id = 0; id < graph.num_nodes(); ++id) {
    int ci = candidate_of[id];
    while (ci >= 0 && candidates[ci].merged_into >= 0) ci = candidates[ci].merged_into;
    if (ci >= 0) step_of_node[id] = step_of_candidate[ci];
  }
  plan->LinkSteps(step_of_node);
  return plan;
}

void ExecutionPlan::LinkSteps(const std::vector<int>& step_of_node) {
  std::vector<int> producer(num_slots_, -1);
  for (int i = 0; i < static_cast<int>(steps_.size()); ++i) {
    for (int slot : steps_[i].output_slots) {
      if (slot >= 0) producer[slot] = i;
    }
  }
  // A step waits for the producers of its inputs, its node's control inputs
  // and, if it reads or writes state (variables, random generators), the
  // previous such step: stateful steps keep their plan order, so a run that
  // succeeds gives the same results on any number of threads.
  std::vector<std::vector<int>> predecessors(steps_.size());
  int previous_stateful = -1;
  for (int i = 0; i < static_cast<int>(steps_.size()); ++i) {
    std::vector<int>& preds = predecessors[i];
    for (int slot : steps_[i].input_slots) {
      if (producer[slot] >= 0) preds.push_back(producer[slot]);
    }
    const Node& node = *steps_[i].node;
    for (const Node* ctl : node.control_inputs()) {
      if (step_of_node[ctl->id()] >= 0) preds.push_back(step_of_node[ctl->id()]);
    }
    bool stateful = node.op_def().is_stateful;
    for (const Output& in : node.inputs()) stateful |= IsRefType(in.dtype());
    if (steps_[i].fused == nullptr && stateful) {
      if (previous_stateful >= 0) preds.push_back(previous_stateful);
      previous_stateful = i;
    }
    std::sort(preds.begin(), preds.end());
    preds.erase(std::unique(preds.begin(), preds.end()), preds.end());
    links_[i].num_predecessors = static_cast<int>(preds.size());
    for (int p : preds) links_[p].successors.push_back(i);
  }
  // Two expensive steps are independent iff two share a depth, counting
  // expensive steps on the longest path to each (Mirsky): then an inter-op
  // pool can help.
  std::vector<int> depth(steps_.size(), 0);
  absl::flat_hash_map<int, int> expensive_at_depth;
  for (int i = 0; i < static_cast<int>(steps_.size()); ++i) {
    int d = 0;
    for (int p : predecessors[i]) d = std::max(d, depth[p]);
    depth[i] = d + links_[i].expensive;
    if (links_[i].expensive && ++expensive_at_depth[depth[i]] == 2) has_parallel_steps_ = true;
  }
}

}  // namespace rill
